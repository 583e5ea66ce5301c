/**
 * The stages' word lists as data (lexicons/vocabulary/*.json, src/vocabulary.ts): validated on load with errors
 * naming the file, compiled once, and what each list decides (test/rule-examples.test.ts).
 */
import test from 'ava';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LexiconError } from '../src/errors.js';
import { defaultLexiconDir, lexiconFilesIn } from '../src/lexicon.js';
import { createLabeler } from '../src/pipeline.js';
import { bodyPartHeading, splitSections } from '../src/sections.js';
import { tokenize } from '../src/tokens.js';
import {
  VOCABULARY_NAMES,
  currentVocabulary,
  loadVocabulary,
  validateVocabularyFile,
  withVocabulary,
  withoutList,
} from '../src/vocabulary.js';

const list = (over: Record<string, unknown> = {}) => ({ name: 'words.temporal', description: 'd', words: ['after'], example: 'e', ...over });

test('the bundled vocabulary defines every list once, each with a description and an example', (t) => {
  const v = loadVocabulary(defaultLexiconDir());
  t.deepEqual([...v.lists.keys()].sort(), [...VOCABULARY_NAMES].sort());
});

test('an unknown list name is an error naming the file and the allowed names', (t) => {
  const e = t.throws(() => validateVocabularyFile({ description: 'd', lists: [list({ name: 'words.sizes' })] }, 'v.json'), { instanceOf: LexiconError });
  t.regex(e!.message, /v\.json: lists\[0\]\.name: expected one of .*"words\.temporal".*found "words\.sizes"/);
});

test('an upper-case, padded or repeated word is an error naming the list', (t) => {
  for (const words of [['After'], [' after'], ['after', 'after'], []]) {
    const e = t.throws(() => validateVocabularyFile({ description: 'd', lists: [list({ words })] }, 'v.json'), { instanceOf: LexiconError });
    t.regex(e!.message, /v\.json: lists\[0\]\.words \("words\.temporal"\): expected/);
  }
});

test('an unknown key or a missing example is an error naming the file', (t) => {
  t.throws(() => validateVocabularyFile({ description: 'd', lists: [list({ weight: 1 })] }, 'v.json'), { message: /v\.json: lists\[0\]: unknown key "weight"/ });
  t.throws(() => validateVocabularyFile({ description: 'd', lists: [list({ example: '' })] }, 'v.json'), { message: /v\.json: lists\[0\]\.example: expected a non-empty string/ });
});

/** A copy of the bundled lexicon folder whose vocabulary folder holds `files` besides the bundled ones. */
function folderWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cxr8-vocabulary-'));
  cpSync(defaultLexiconDir(), dir, { recursive: true });
  for (const [name, doc] of Object.entries(files)) writeFileSync(join(dir, 'vocabulary', name), typeof doc === 'string' ? doc : JSON.stringify(doc));
  return dir;
}

test('a list defined in two files is an error naming both', (t) => {
  const dir = folderWith({ 'zz.json': { description: 'd', lists: [list()] } });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const e = t.throws(() => loadVocabulary(dir), { instanceOf: LexiconError });
  t.regex(e!.message, /zz\.json: list "words\.temporal": expected it defined once, found it also in .*structure\.json/);
});

test('a missing list is an error naming it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cxr8-vocabulary-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(defaultLexiconDir(), 'vocabulary'), join(dir, 'vocabulary'), { recursive: true });
  rmSync(join(dir, 'vocabulary', 'sentences.json'));
  t.throws(() => loadVocabulary(dir), { message: /found none named "sentences\.abbreviations", "sentences\.openers", "sentences\.copulas"/ });
});

test('a JSON syntax error names the file, line and column', (t) => {
  const dir = folderWith({ 'bad.json': '{\n  "description": "d",\n  "lists": [,]\n}' });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.throws(() => loadVocabulary(dir), { message: /bad\.json: expected valid JSON, found a syntax error at line 3, column 13/ });
});

test('the stages compile the vocabulary in force: an emptied list changes them, the bundled one is back afterwards', (t) => {
  const text = 'Conclusion: Small effusion.';
  t.is(splitSections(text)[0]?.name, 'IMPRESSION');
  const emptied = withoutList(currentVocabulary(), 'headings.impression');
  t.is(withVocabulary(emptied, () => splitSections(text)[0]?.name), '');
  t.is(withVocabulary(withoutList(currentVocabulary(), 'body-parts.other'), () => bodyPartHeading(tokenize('Left knee:'))), null);
  t.is(splitSections(text)[0]?.name, 'IMPRESSION');
  t.is(bodyPartHeading(tokenize('Left knee:'))?.part, 'other');
});

test('createLabeler reads the vocabulary once: two labelers share it', (t) => {
  const before = currentVocabulary();
  createLabeler();
  t.is(currentVocabulary(), before);
});

test('an extra lexicon folder with vocabulary/ is refused, naming the folder (its lists would not apply)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cxr8-vocabulary-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(defaultLexiconDir(), 'vocabulary'), join(dir, 'vocabulary'), { recursive: true });
  const e = t.throws(() => createLabeler({ lexiconDirs: [dir] }), { instanceOf: LexiconError });
  t.true(e!.message.includes(`${dir}: expected findings/`) && e!.message.includes('found vocabulary/'));
});

test('lexiconFilesIn lists the vocabulary files, so that a digest of the lexicons sees an edited list', (t) => {
  const files = lexiconFilesIn(defaultLexiconDir());
  t.deepEqual(
    currentVocabulary().files.map((f) => files.includes(f)),
    currentVocabulary().files.map(() => true),
  );
});

test('a heading in two headings lists is an error naming both lists', (t) => {
  const dir = folderWith({});
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'vocabulary', 'sections.json');
  writeFileSync(file, readFileSync(file, 'utf8').replace('"words": ["comparison"', '"words": ["summary", "comparison"'));
  t.throws(() => loadVocabulary(dir), { message: /list "headings\.comparison": expected each heading in one headings list, found "summary" also in "headings\.impression"/ });
});
