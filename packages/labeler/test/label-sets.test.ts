/**
 * Label sets and findings as data (issue 9, the labeler's part; docs/label-sets.md): the built-in sets' columns,
 * CheXpert's observations with their meaning and rules, a finding and a set of the user's own through label-reports,
 * and the validation errors of a bad lexicon and a bad set.
 */
import test from 'ava';
import { mkdirSync, mkdtempSync as makeTemp, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../src/cli.js';
import { LabelerArgumentError, LexiconError } from '../src/errors.js';
import { FINDINGS_14, FINDINGS_8 } from '../src/findings.js';
import { readLabelSetFile, resolveLabelSet, validateLabelSet } from '../src/label-sets.js';
import { defaultLexiconDir, loadLexicons } from '../src/lexicon.js';
import { createLabeler } from '../src/pipeline.js';
import { parseCsvRecords } from '../src/readers/csv.js';
import { createWriter } from '../src/writers/index.js';

/** Temporary folders, removed after the tests. */
const temps: string[] = [];
const mkdtempSync = (prefix: string): string => {
  const dir = makeTemp(prefix);
  temps.push(dir);
  return dir;
};
test.after.always(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

const chexpert = createLabeler({ labelSet: 'chexpert' });
const nih14 = createLabeler();

const CHEXPERT_HEADER =
  'Reports,No Finding,Enlarged Cardiomediastinum,Cardiomegaly,Lung Lesion,Lung Opacity,Edema,Consolidation,Pneumonia,Atelectasis,Pneumothorax,Pleural Effusion,Pleural Other,Fracture,Support Devices\n';

// Every built-in set's columns.
test('nih14 (alias 14, the default) has the 14 ChestX-ray14 findings as columns, No Finding last', (t) => {
  t.is(createWriter('csv', { findings: createLabeler({ labelSet: '14' }).findings }).header, `id,${FINDINGS_14.join(',')},No Finding\n`);
});

test('the default label set is nih14', (t) => {
  t.deepEqual(nih14.findings, FINDINGS_14);
});

test('nih8 (alias 8) has the 8 ChestX-ray8 findings as columns', (t) => {
  t.deepEqual(createLabeler({ labelSet: 'nih8' }).findings, FINDINGS_8);
});

test('chexpert has the 13 CheXpert observations as columns, No Finding last', (t) => {
  t.is(
    createWriter('csv', { findings: chexpert.findings }).header,
    'id,Enlarged Cardiomediastinum,Cardiomegaly,Lung Lesion,Lung Opacity,Edema,Consolidation,Pneumonia,Atelectasis,Pneumothorax,Pleural Effusion,Pleural Other,Fracture,Support Devices,No Finding\n',
  );
});

test('the chexpert format with the chexpert set has the CheXpert labeler layout', (t) => {
  t.is(createWriter('chexpert', { findings: chexpert.findings }).header, CHEXPERT_HEADER);
});

// CheXpert's observations.
test('"Healing right rib fracture." is Fracture 1 (chexpert)', (t) => {
  t.is(chexpert.label('Healing right rib fracture.').labels.Fracture, 1);
});

test('"Left PICC line." is Support Devices 1 (chexpert)', (t) => {
  t.is(chexpert.label('Left PICC line.').labels['Support Devices'], 1);
});

test('"No acute fracture." is Fracture 0 (chexpert)', (t) => {
  t.is(chexpert.label('No acute fracture.').labels.Fracture, 0);
});

test('a fractured catheter is a support device, not a bone fracture', (t) => {
  t.is(chexpert.label('Left central venous catheter fracture at the level of the clavicle.').labels.Fracture, undefined);
});

test('sternotomy wires are no support device (MeSH Surgical Instruments)', (t) => {
  t.is(chexpert.label('Median sternotomy wires.').labels['Support Devices'], undefined);
});

test('breast implants are no support device', (t) => {
  t.is(chexpert.label('Bilateral breast prostheses.').labels['Support Devices'], undefined);
});

test('Effusion and Pleural Effusion are one concept: "Small left pleural effusion." is Pleural Effusion 1 (chexpert)', (t) => {
  t.is(chexpert.label('Small left pleural effusion.').labels['Pleural Effusion'], 1);
});

test('Effusion and Pleural Effusion are one concept: the same sentence is Effusion 1 (nih14)', (t) => {
  t.is(nih14.label('Small left pleural effusion.').labels.Effusion, 1);
});

test('the chexpert evidence is labeled with the set\'s name, Pleural Effusion', (t) => {
  t.true(chexpert.label('Small left pleural effusion.').evidence.some((e) => e.label === 'Pleural Effusion' && e.value === 1));
});

test('Lung Opacity is a parent of Edema: "Mild pulmonary edema." is Lung Opacity 1', (t) => {
  t.is(chexpert.label('Mild pulmonary edema.').labels['Lung Opacity'], 1);
});

test('a positive child wins over the parent\'s own negation: "No focal opacity. Mild edema." is Lung Opacity 1', (t) => {
  t.is(chexpert.label('No focal opacity. Mild pulmonary edema.').labels['Lung Opacity'], 1);
});

test('an uncertain child makes the parent uncertain: "Possible pneumonia." is Lung Opacity -1', (t) => {
  t.is(chexpert.label('Possible pneumonia.').labels['Lung Opacity'], -1);
});

test('a negative child says nothing about the parent: "No pneumonia." has no Lung Opacity', (t) => {
  t.is(chexpert.label('No pneumonia.').labels['Lung Opacity'], undefined);
});

test('Lung Lesion is a parent of Nodule, and Lung Opacity of Lung Lesion: "Right upper lobe nodule." is both 1', (t) => {
  t.like(chexpert.label('Right upper lobe nodule.').labels, { 'Lung Lesion': 1, 'Lung Opacity': 1 });
});

test('Enlarged Cardiomediastinum is a parent of Cardiomegaly', (t) => {
  t.like(chexpert.label('Cardiomegaly.').labels, { Cardiomegaly: 1, 'Enlarged Cardiomediastinum': 1 });
});

test('"The mediastinum is widened." is Enlarged Cardiomediastinum 1', (t) => {
  t.is(chexpert.label('The mediastinum is widened.').labels['Enlarged Cardiomediastinum'], 1);
});

test('"Left pleural scarring." is Pleural Other 1', (t) => {
  t.is(chexpert.label('Left pleural scarring.').labels['Pleural Other'], 1);
});

test('Pleural Other is a parent of Pleural_Thickening: "Biapical pleural thickening." is Pleural Other 1', (t) => {
  t.is(chexpert.label('Biapical pleural thickening.').labels['Pleural Other'], 1);
});

test('No Finding in chexpert ignores Support Devices: a PICC line in a normal chest is No Finding 1', (t) => {
  t.is(chexpert.label('Left PICC line with tip in the SVC. Lungs are clear.').labels['No Finding'], 1);
});

test('No Finding in nih14 counts a device as an abnormality: the same report is No Finding 0', (t) => {
  t.is(nih14.label('Left PICC line with tip in the SVC. Lungs are clear.').labels['No Finding'], 0);
});

test('a finding outside the set still decides No Finding: a fracture with nih14 is No Finding 0', (t) => {
  t.is(nih14.label('Healing right rib fracture. Lungs are clear.').labels['No Finding'], 0);
});

test('--format chexpert fills Fracture and Support Devices', (t) => {
  const text = 'Healing right rib fracture. Left PICC line.';
  const row = parseCsvRecords(createWriter('chexpert', { findings: chexpert.findings }).row(chexpert.label(text), text))[0]?.fields ?? [];
  t.deepEqual([row[13], row[14]], ['1.0', '1.0']);
});

// A finding and a set of the user's own.
function siteFolder(): { dir: string; lexicons: string; setFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cxr8-labelset-'));
  const lexicons = join(dir, 'site');
  mkdirSync(join(lexicons, 'findings'), { recursive: true });
  writeFileSync(
    join(lexicons, 'findings', 'scoliosis.json'),
    JSON.stringify({
      finding: 'Scoliosis',
      description: 'Lateral curvature of the spine.',
      concepts: [{ cui: 'C0036439', name: 'Scoliosis', synonyms: ['scoliosis', 'dextroscoliosis', 'levoscoliosis', 'scoliotic curvature'] }],
      example: 'Mild thoracic dextroscoliosis.',
    }),
  );
  const setFile = join(dir, 'site-set.json');
  writeFileSync(setFile, JSON.stringify({ name: 'site', findings: ['Cardiomegaly', 'Scoliosis'] }));
  return { dir, lexicons, setFile };
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _e: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(argv, { stdout, stderr, cwd });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

test('label-reports: a custom finding from a lexicon folder and a custom set file give their columns', async (t) => {
  const { dir } = siteFolder();
  writeFileSync(join(dir, 'r.jsonl'), `${JSON.stringify({ id: 'r1', text: 'Mild thoracic dextroscoliosis. No cardiomegaly.' })}\n`);
  const r = await run(['r.jsonl', '--lexicons', 'site', '--labels', 'site-set.json', '--quiet'], dir);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, 'id,Cardiomegaly,Scoliosis,No Finding\nr1,0,1,0\n');
});

test('label-reports: a set file naming a finding no lexicon defines exits 3 naming it', async (t) => {
  const { dir } = siteFolder();
  writeFileSync(join(dir, 'r.jsonl'), `${JSON.stringify({ id: 'r1', text: 'Normal.' })}\n`);
  const r = await run(['r.jsonl', '--labels', 'site-set.json', '--quiet'], dir);
  t.is(r.code, 3);
  t.regex(r.stderr, /label set "site" \(.*site-set\.json\): expected findings defined by a lexicon file, found "Scoliosis"/);
});

test('label-reports: a set in a lexicon folder\'s label-sets/ is found by name', async (t) => {
  const { dir, lexicons } = siteFolder();
  mkdirSync(join(lexicons, 'label-sets'));
  writeFileSync(join(lexicons, 'label-sets', 'spine.json'), JSON.stringify({ name: 'spine', findings: ['Scoliosis'] }));
  writeFileSync(join(dir, 'r.jsonl'), `${JSON.stringify({ id: 'r1', text: 'Levoscoliosis.' })}\n`);
  const r = await run(['r.jsonl', '--lexicons', 'site', '--labels', 'spine', '--quiet'], dir);
  t.is(r.stdout, 'id,Scoliosis,No Finding\nr1,1,0\n', r.stderr);
});

test('createLabeler takes a parsed set', (t) => {
  const { lexicons, setFile } = siteFolder();
  const labeler = createLabeler({ labelSet: readLabelSetFile(setFile), lexiconDirs: [lexicons] });
  t.deepEqual(labeler.label('Scoliosis.').labels, { Scoliosis: 1, 'No Finding': 0 });
});

// Validation errors: a bad lexicon.
function lexiconDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cxr8-badlex-'));
  mkdirSync(join(dir, 'findings'));
  for (const [name, doc] of Object.entries(files)) writeFileSync(join(dir, 'findings', name), JSON.stringify(doc));
  return dir;
}
const finding = (name: string, extra: Record<string, unknown> = {}) => ({
  finding: name,
  description: 'd',
  concepts: [{ cui: null, name, synonyms: [name.toLowerCase()] }],
  example: 'e',
  ...extra,
});

test('a lexicon file with an unknown key is an error naming the file and the allowed keys', (t) => {
  const dir = lexiconDir({ 'a.json': finding('Scoliosis', { colour: 'red' }) });
  t.throws(() => loadLexicons([dir]), { instanceOf: LexiconError, message: /a\.json: finding lexicon: unknown key "colour", expected one of "finding", "extends"/ });
});

test('a lexicon concept with empty synonyms is an error naming the file', (t) => {
  const dir = lexiconDir({ 'a.json': { ...finding('Scoliosis'), concepts: [{ cui: null, name: 'S', synonyms: [] }] } });
  t.throws(() => loadLexicons([dir]), { instanceOf: LexiconError, message: /a\.json: concepts\[0\]\.synonyms: expected a non-empty array of non-empty strings, found \[\]/ });
});

test('a finding defined in two folders is an error naming both files', (t) => {
  const dir = lexiconDir({ 'pneumothorax.json': finding('Pneumothorax') });
  t.throws(() => loadLexicons([defaultLexiconDir(), dir]), {
    instanceOf: LexiconError,
    message: /pneumothorax\.json: "finding": expected a name no other file defines, found "Pneumothorax", already defined by .*lexicons\/findings\/pneumothorax\.json \(to add terms to it, write "extends": "Pneumothorax"/,
  });
});

test('a finding name that is another finding\'s name is a duplicate: "Pleural Effusion" is Effusion\'s', (t) => {
  const dir = lexiconDir({ 'pe.json': finding('Pleural Effusion') });
  t.throws(() => loadLexicons([defaultLexiconDir(), dir]), { instanceOf: LexiconError, message: /already defined by .*effusion\.json/ });
});

test('"extends" of a finding no file defines is an error naming the file', (t) => {
  const dir = lexiconDir({ 'x.json': { extends: 'Scoliosis', concepts: [{ cui: null, name: 'S', synonyms: ['s'] }], example: 'e' } });
  t.throws(() => loadLexicons([defaultLexiconDir(), dir]), { instanceOf: LexiconError, message: /x\.json: "extends": expected a finding defined by a lexicon file, found "Scoliosis"/ });
});

test('a finding name with "|" is an error (it would break the nih format)', (t) => {
  const dir = lexiconDir({ 'x.json': finding('A|B') });
  t.throws(() => loadLexicons([dir]), { instanceOf: LexiconError, message: /x\.json: "finding": expected a finding name/ });
});

// Validation errors: a bad set.
test('a set with an unknown key is an error naming the file', (t) => {
  t.throws(() => validateLabelSet({ name: 's', findings: ['Edema'], colums: [] }, 's.json'), { instanceOf: LexiconError, message: /s\.json: label set: unknown key "colums"/ });
});

test('a set with no findings is an error', (t) => {
  t.throws(() => validateLabelSet({ name: 's', findings: [] }, 's.json'), { instanceOf: LexiconError, message: /"findings": expected a non-empty array/ });
});

test('a set that lists No Finding is an error (it is always added last)', (t) => {
  t.throws(() => validateLabelSet({ name: 's', findings: ['Edema', 'No Finding'] }, 's.json'), { instanceOf: LexiconError, message: /always added as the last column/ });
});

test('a set that lists a finding twice is an error', (t) => {
  t.throws(() => validateLabelSet({ name: 's', findings: ['Edema', 'edema'] }, 's.json'), { instanceOf: LexiconError, message: /expected each finding once, found "edema" twice/ });
});

test('a set with a cycle of parent links is an error', (t) => {
  const set = { name: 's', findings: ['Edema', 'Lung Opacity'], parents: { Edema: ['Lung Opacity'], 'Lung Opacity': ['Edema'] } };
  t.throws(() => validateLabelSet(set, 's.json'), { instanceOf: LexiconError, message: /"parents": expected no cycle, found Edema -> Lung Opacity -> Edema/ });
});

test('a set that names one concept twice is an error: Effusion and Pleural Effusion', (t) => {
  t.throws(() => createLabeler({ labelSet: { name: 's', findings: ['Effusion', 'Pleural Effusion'] } }), { instanceOf: LabelerArgumentError, message: /two names of Effusion/ });
});

test('an unknown set name is an error listing the sets there are', (t) => {
  t.throws(() => resolveLabelSet('chexpert14'), { instanceOf: LabelerArgumentError, message: /expected one of "chexpert", "nih14", "nih8", "14", "8"/ });
});

// The CheXpert lexicons change no NIH label: every term they add is matched where NIH's vocabulary (findings or
// abnormalities) already stood, or nowhere, never over a longer span that takes a mention from an NIH finding.
test('with nih14, the labels of the challenge snippets and the dev reports are the same without the CheXpert lexicons', async (t) => {
  const { cpSync, readFileSync } = await import('node:fs');
  const { compileLexicons, labelWith } = await import('../src/pipeline.js');
  const { hasOpenIDev, openIDevPaths, readOpenIDev } = await import('./helpers/openi-dev.js');
  const bare = mkdtempSync(join(tmpdir(), 'cxr8-nih-only-'));
  cpSync(defaultLexiconDir(), bare, { recursive: true });
  for (const f of ['enlarged_cardiomediastinum', 'fracture', 'lung_lesion', 'lung_opacity', 'pleural_other', 'support_devices']) {
    rmSync(join(bare, 'findings', `${f}.json`));
  }
  const before = compileLexicons([bare]);
  const after = compileLexicons([defaultLexiconDir()]);
  const texts = readFileSync(new URL('./fixtures/challenge.jsonl', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { text: string }).text);
  const paths = openIDevPaths();
  if (hasOpenIDev(paths)) texts.push(...readOpenIDev(paths).reports.map((r) => r.text));
  const moved = texts.filter((text) => {
    const a = labelWith(before, FINDINGS_14, 'findings-impression', 'uncertain', text).labels;
    const b = labelWith(after, FINDINGS_14, 'findings-impression', 'uncertain', text).labels;
    return JSON.stringify(a) !== JSON.stringify(b);
  });
  t.true(texts.length >= 700);
  t.deepEqual(moved, []);
});

test('label-reports: a custom set file works the same on 2 worker threads', async (t) => {
  const { dir } = siteFolder();
  writeFileSync(join(dir, 'r.jsonl'), ['Levoscoliosis.', 'Cardiomegaly.', 'Normal.'].map((text, i) => `${JSON.stringify({ id: `r${i}`, text })}\n`).join(''));
  const one = await run(['r.jsonl', '--lexicons', 'site', '--labels', 'site-set.json', '--quiet'], dir);
  const two = await run(['r.jsonl', '--lexicons', 'site', '--labels', 'site-set.json', '--quiet', '-j', '2'], dir);
  t.is(two.stdout, one.stdout, two.stderr);
});

test('label-reports --format chexpert labels with the chexpert set: Fracture and Support Devices filled', async (t) => {
  const { dir } = siteFolder();
  writeFileSync(join(dir, 'r.jsonl'), `${JSON.stringify({ id: 'r1', text: 'Healing right rib fracture. Left PICC line.' })}\n`);
  const r = await run(['r.jsonl', '--format', 'chexpert', '--quiet'], dir);
  t.is(r.stdout, `${CHEXPERT_HEADER}Healing right rib fracture. Left PICC line.,,,,,,,,,,,,,1.0,1.0\n`);
});

test('chexpert over the challenge snippets and the dev reports: No Finding 1 only beside Support Devices, parents at least as present as their children', async (t) => {
  const { readFileSync } = await import('node:fs');
  const { hasOpenIDev, openIDevPaths, readOpenIDev } = await import('./helpers/openi-dev.js');
  const texts = readFileSync(new URL('./fixtures/challenge.jsonl', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { text: string }).text);
  const paths = openIDevPaths();
  if (hasOpenIDev(paths)) texts.push(...readOpenIDev(paths).reports.map((r) => r.text));
  const rank = (v: number | undefined) => (v === 1 ? 2 : v === -1 ? 1 : 0);
  const bad: string[] = [];
  for (const text of texts) {
    const labels = chexpert.label(text).labels as Record<string, number | undefined>;
    const others = chexpert.findings.filter((f) => f !== 'Support Devices' && (labels[f] === 1 || labels[f] === -1));
    if (labels['No Finding'] === 1 && others.length > 0) bad.push(`No Finding 1 beside ${others.join(', ')}: ${text.slice(0, 80)}`);
    for (const [parent, children] of Object.entries(chexpert.labelSet.parents ?? {})) {
      for (const c of children) if (rank(labels[c]) > rank(labels[parent])) bad.push(`${parent} below ${c}: ${text.slice(0, 80)}`);
    }
  }
  t.true(texts.length >= 700);
  t.deepEqual(bad, []);
});
