import test from 'ava';
import { compileLexicons } from '../src/pipeline.js';
import { defaultLexiconDir, parseTerm, loadLexicons } from '../src/lexicon.js';
import { findMentions } from '../src/match.js';
import { tokenize } from '../src/tokens.js';
import { LexiconError } from '../src/errors.js';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const compiled = compileLexicons([defaultLexiconDir()]);
const find = (text: string) =>
  findMentions(compiled.terms, tokenize(text)).map((m) => ({
    text: text.slice(m.start, m.end),
    kinds: m.entries.map((e) => (e.kind === 'finding' ? e.label : e.kind)),
  }));

test('matches multi-word terms longest first, with character offsets', (t) => {
  t.deepEqual(find('Small left pleural effusion.'), [{ text: 'pleural effusion', kinds: ['Effusion'] }]);
});

test('matches regular plurals and morphological variants', (t) => {
  t.deepEqual(find('Bibasilar atelectatic opacities; nodules.').map((m) => m.kinds[0]), ['Atelectasis', 'Nodule']);
});

test('an exclusion hides the finding inside it: pericardial effusion is not a pleural effusion', (t) => {
  const found = find('Small pericardial effusion.');
  t.deepEqual(found.map((m) => m.text), ['pericardial effusion']);
  t.false(found[0]!.kinds.includes('Effusion'));
});

test('hyphens separate words: air-space and air space match alike', (t) => {
  t.deepEqual(find('Focal air-space consolidation.'), [{ text: 'air-space consolidation', kinds: ['Consolidation'] }]);
});

test('a "..." term matches words in between: heart ... enlarged', (t) => {
  t.deepEqual(find('The heart is mildly enlarged.')[0]?.kinds, ['Cardiomegaly']);
});

test('abbreviations: PTX is a pneumothorax', (t) => {
  t.deepEqual(find('Small right PTX.')[0]?.kinds, ['Pneumothorax']);
});

test('the broader abnormality vocabulary is matched too', (t) => {
  t.deepEqual(find('Calcified granuloma.')[0]?.kinds, ['abnormality']);
});

test('parseTerm rejects malformed terms', (t) => {
  t.throws(() => parseTerm('... effusion'), { instanceOf: LexiconError, message: /must stand between words/ });
});

test('a lexicon file with an unknown key is rejected, listing the allowed keys', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cxr8-lex-'));
  mkdirSync(join(dir, 'findings'));
  writeFileSync(
    join(dir, 'findings', 'x.json'),
    JSON.stringify({ finding: 'Edema', description: 'd', concepts: [{ cui: null, name: 'n', synonyms: ['x'] }], example: 'e', colour: 1 }),
  );
  t.throws(() => loadLexicons([dir]), { instanceOf: LexiconError, message: /unknown key "colour", expected one of "finding"/ });
});

test('a "..." term may span a negation, which then decides the mention: "heart size is not enlarged"', (t) => {
  t.deepEqual(find('Heart size is not enlarged.'), [{ text: 'Heart size is not enlarged', kinds: ['Cardiomegaly'] }]);
});
