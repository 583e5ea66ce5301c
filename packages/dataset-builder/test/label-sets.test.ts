/**
 * Label sets through the builder (issue 9 item 4): `--labels NAME|FILE` and `--lexicons DIR` decide the labels
 * table, Data_Entry.csv, CheXpert.csv and the shards; the set is recorded in meta, another set relabels in place, a
 * bad set or lexicon folder is exit 3 naming the file, and an NIH import stays on nih14.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CHEXPERT_COLUMNS, FINDINGS_14, NO_FINDING, nihFindingLabels } from '@cxr8/labeler';
import type { LabelValue } from '@cxr8/labeler';
import { main } from '../src/cli.js';
import { readShardHeader, readShardManifest, readSplit } from '../src/shards.js';
import { labelSetDigest } from '../src/label-set.js';
import { REPORTS_CSV, makePacs } from './helpers/pacs.js';
import { writeSiteLexicon } from './helpers/site-lexicon.js';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

const FAST = ['--size', '16', '--quiet', '--workers', '0'];

/** A test's export, removed when the test ends. */
async function pacsFor(t: { teardown(fn: () => Promise<void>): void }): Promise<Awaited<ReturnType<typeof makePacs>>> {
  const pacs = await makePacs();
  t.teardown(() => rm(pacs.root, { recursive: true, force: true }));
  return pacs;
}

/** A site's lexicon folder with a finding of its own, and a set file using it beside a built-in finding. */
const siteFiles = (root: string): Promise<{ lexicons: string; set: string }> => writeSiteLexicon(root, ['Cardiomegaly', 'Scoliosis']);

/** The export's reports with a scoliosis in ACC1001 (beside its cardiomegaly) and one alone in ACC2001. */
async function scoliosisReports(root: string): Promise<string> {
  const path = join(root, 'scoliosis.csv');
  await writeFile(
    path,
    REPORTS_CSV.replace('IMPRESSION: Cardiomegaly.', 'IMPRESSION: Cardiomegaly. Mild thoracic dextroscoliosis.').replace(
      'IMPRESSION: No acute cardiopulmonary process. Lungs are clear.',
      'IMPRESSION: Levoscoliosis. Lungs are clear.',
    ),
  );
  return path;
}

function labelsOf(out: string): Map<string, Record<string, LabelValue>> {
  const db = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  try {
    const rows = db.prepare('SELECT i.image_index AS name, l.finding, l.value FROM images i JOIN labels l ON l.image_id = i.id WHERE i.image_index IS NOT NULL').all() as { name: string; finding: string; value: LabelValue }[];
    const out = new Map<string, Record<string, LabelValue>>();
    for (const r of rows) out.set(r.name, { ...(out.get(r.name) ?? {}), [r.finding]: r.value });
    return out;
  } finally {
    db.close();
  }
}

function metaOf(out: string): Record<string, string> {
  const db = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  try {
    return Object.fromEntries((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
  } finally {
    db.close();
  }
}

async function csvRows(path: string): Promise<string[][]> {
  return (await readFile(path, 'utf8')).trim().split('\n').map((l) => l.split(','));
}

test('a finding of a --lexicons folder and a set file go into the labels table, Data_Entry.csv, CheXpert.csv and the shards', async (t) => {
  const pacs = await pacsFor(t);
  const { lexicons, set } = await siteFiles(pacs.root);
  const reports = await scoliosisReports(pacs.root);
  const out = join(pacs.root, 'out');
  const r = await run(['--dicom', pacs.dicom, '--reports', reports, '--out', out, '--labels', set, '--lexicons', lexicons, '--shard-size', '8', '--json', ...FAST]);
  t.is(r.code, 1, r.stderr); // the export's two deliberately broken files
  const summary = JSON.parse(r.stdout) as { labelSet: { name: string; findings: string[]; previous?: unknown } };
  t.deepEqual(summary.labelSet.findings, ['Cardiomegaly', 'Scoliosis']);
  t.is(summary.labelSet.previous, undefined);

  // labels: the set's findings and No Finding only; Scoliosis where the report says so.
  const labels = labelsOf(out);
  t.true(labels.size >= 3);
  const findings = new Set([...labels.values()].flatMap((l) => Object.keys(l)));
  t.deepEqual([...findings].filter((f) => !['Cardiomegaly', 'Scoliosis', NO_FINDING].includes(f)), [], 'no finding outside the set');
  const both = [...labels.values()].filter((l) => l.Scoliosis === 1 && l.Cardiomegaly === 1);
  const alone = [...labels.values()].filter((l) => l.Scoliosis === 1 && l.Cardiomegaly === undefined);
  t.is(both.length, 1);
  t.is(alone.length, 1);
  t.is(alone[0]?.[NO_FINDING], 0, 'a scoliosis is an abnormality: No Finding 0');
  // The effusion of ACC1002 is outside the set: no column, but it still makes No Finding 0.
  t.false(findings.has('Effusion'));

  // Data_Entry.csv: the labeler's nih rule with the set's columns (alphabetical), on every row.
  const entry = new Map((await csvRows(join(out, 'Data_Entry.csv'))).slice(1).map((c) => [c[0] as string, c[1] as string]));
  for (const [name, l] of labels) t.is(entry.get(name), nihFindingLabels({ id: name, labels: l, evidence: [] }, ['Cardiomegaly', 'Scoliosis']), name);
  t.true([...entry.values()].includes('Cardiomegaly|Scoliosis'));
  t.true([...entry.values()].includes('Scoliosis'));

  // CheXpert.csv: No Finding and the set's columns.
  const chexpert = await csvRows(join(out, 'CheXpert.csv'));
  t.deepEqual(chexpert[0], ['Path', 'Sex', 'Age', 'Frontal/Lateral', 'AP/PA', NO_FINDING, 'Cardiomegaly', 'Scoliosis', 'Split']);
  t.true(chexpert.slice(1).some((c) => c[7] === '1.0'));

  // Shards: manifest and every header list the set's findings; each record's labels follow them.
  const manifest = await readShardManifest(out);
  t.deepEqual(manifest.findings, ['Cardiomegaly', 'Scoliosis']);
  t.true(manifest.shards.length > 0);
  for (const s of manifest.shards) t.deepEqual((await readShardHeader(join(out, 'shards', s.file))).findings, ['Cardiomegaly', 'Scoliosis']);
  let records = 0;
  for (const split of ['train', 'val', 'test'] as const) {
    for await (const rec of readSplit(out, split)) {
      records++;
      t.is(rec.labels.length, 2);
      const l = labels.get(rec.id) ?? {};
      t.deepEqual(Array.from(rec.labels), [l.Cardiomegaly ?? -128, l.Scoliosis ?? -128], rec.id);
    }
  }
  t.is(records, labels.size);

  // meta: the set's name, columns and digest (the digest of the set over the bundled and the site lexicons).
  const meta = metaOf(out);
  t.is(meta.label_set, 'site');
  t.deepEqual(JSON.parse(meta.label_findings ?? '[]'), ['Cardiomegaly', 'Scoliosis']);
  t.regex(meta.label_set_digest ?? '', /^[0-9a-f]{64}$/);

  // A rebuild without --labels cannot find a set of the user's own again: a usage error asking for the flags.
  const again = await run(['--dicom', pacs.dicom, '--reports', reports, '--out', out, ...FAST]);
  t.is(again.code, 2);
  t.regex(again.stderr, /labeled with the set "site" \(2 findings: Cardiomegaly, Scoliosis\), which is not built in; give --labels and --lexicons/);
  // With them, nothing is labeled again.
  const same = await run(['--dicom', pacs.dicom, '--reports', reports, '--out', out, '--labels', set, '--lexicons', lexicons, '--shard-size', '8', '--json', ...FAST]);
  t.is((JSON.parse(same.stdout) as { labeledThisRun: number }).labeledThisRun, 0);
  t.notRegex(same.stderr, /note: this dataset was labeled/);
});

test('--labels chexpert stores and exports CheXpert\'s observations under its names; a rebuild with nih14 relabels in place', async (t) => {
  const pacs = await pacsFor(t);
  const out = join(pacs.root, 'out');
  const r = await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', out, '--labels', 'chexpert', '--shard-size', '8', ...FAST]);
  t.is(r.code, 1, r.stderr);
  const chexpert = await csvRows(join(out, 'CheXpert.csv'));
  t.deepEqual(chexpert[0], ['Path', 'Sex', 'Age', 'Frontal/Lateral', 'AP/PA', ...CHEXPERT_COLUMNS, 'Split']);
  const labels = labelsOf(out);
  const names = new Set([...labels.values()].flatMap((l) => Object.keys(l)));
  t.true(names.has('Pleural Effusion'), 'the effusion of ACC1002 under CheXpert\'s name');
  t.false(names.has('Effusion'));
  t.true(names.has('Cardiomegaly'));
  t.deepEqual((await readShardManifest(out)).findings, CHEXPERT_COLUMNS.slice(1));
  t.is(metaOf(out).label_set, 'chexpert');
  // Cardiomegaly is a child of Enlarged Cardiomediastinum in the chexpert set: the parent follows it.
  t.true([...labels.values()].some((l) => l.Cardiomegaly === 1 && l['Enlarged Cardiomediastinum'] === 1));

  // Rebuilt with nih14: every study relabeled, old rows gone, the exports and shards follow, a note says so.
  const back = await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', out, '--labels', '14', '--shard-size', '8', '--json', ...FAST]);
  t.is(back.code, 1, back.stderr);
  t.regex(back.stderr, /note: this dataset was labeled with the set "chexpert" \(digest [0-9a-f]{12}, 13 findings\), this run with "nih14" \(digest [0-9a-f]{12}, 14 findings\); every study was labeled again/);
  const summary = JSON.parse(back.stdout) as { labeledThisRun: number; labelSet: { name: string; previous?: { name: string } } };
  t.true(summary.labeledThisRun > 0);
  t.is(summary.labelSet.previous?.name, 'chexpert');
  const relabeled = new Set([...labelsOf(out).values()].flatMap((l) => Object.keys(l)));
  t.true(relabeled.has('Effusion'));
  t.false(relabeled.has('Pleural Effusion'));
  t.false(relabeled.has('Enlarged Cardiomediastinum'));
  t.deepEqual((await csvRows(join(out, 'CheXpert.csv')))[0], ['Path', 'Sex', 'Age', 'Frontal/Lateral', 'AP/PA', NO_FINDING, ...FINDINGS_14, 'Split']);
  t.deepEqual((await readShardManifest(out)).findings, [...FINDINGS_14]);
  t.is(metaOf(out).label_set, 'nih14');
  // Without --labels a rebuild keeps the recorded built-in set: nothing is labeled again.
  const kept = await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', out, '--shard-size', '8', '--json', ...FAST]);
  t.is((JSON.parse(kept.stdout) as { labeledThisRun: number; labelSet: { name: string } }).labelSet.name, 'nih14');
  t.is((JSON.parse(kept.stdout) as { labeledThisRun: number }).labeledThisRun, 0);
});

test('a bad set file, a bad --lexicons folder and an unknown set name are refused before anything is written', async (t) => {
  const pacs = await pacsFor(t);
  const out = join(pacs.root, 'out');
  const badSet = join(pacs.root, 'bad-set.json');
  await writeFile(badSet, JSON.stringify({ name: 'bad', findings: ['Cardiomegaly'], colour: 'red' }));
  const a = await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', out, '--labels', badSet, ...FAST]);
  t.is(a.code, 3);
  t.true(a.stderr.includes(badSet), a.stderr);
  t.regex(a.stderr, /colour/);
  t.false(existsSync(join(out, 'dataset.sqlite')));

  // A set naming a finding no lexicon defines: the set and the finding are named.
  const undefinedFinding = join(pacs.root, 'undefined-finding.json');
  await writeFile(undefinedFinding, JSON.stringify({ name: 'spine', findings: ['Scoliosis'] }));
  const b = await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', out, '--labels', undefinedFinding, ...FAST]);
  t.is(b.code, 3);
  t.regex(b.stderr, /label set "spine".*found "Scoliosis"/);

  // A lexicon file with an empty synonym list.
  const lexicons = join(pacs.root, 'bad-lexicons');
  await mkdir(join(lexicons, 'findings'), { recursive: true });
  const badLexicon = join(lexicons, 'findings', 'kyphosis.json');
  await writeFile(badLexicon, JSON.stringify({ finding: 'Kyphosis', description: 'd', concepts: [{ cui: 'C0022821', name: 'Kyphosis', synonyms: [] }], exclusions: [], example: 'Kyphosis.' }));
  const c = await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', out, '--lexicons', lexicons, ...FAST]);
  t.is(c.code, 3);
  t.true(c.stderr.includes(badLexicon), c.stderr);
  t.false(existsSync(join(out, 'dataset.sqlite')));

  const d = await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', out, '--labels', 'chexpret', ...FAST]);
  t.is(d.code, 2);
  t.regex(d.stderr, /--labels: expected one of .*chexpert.* found "chexpret"/);
  t.false(existsSync(join(out, 'dataset.sqlite')));
});

test('import-nih takes no --labels or --lexicons (a usage error saying why); help lists both flags with defaults', async (t) => {
  const a = await run(['import-nih', '--data-entry', 'x.csv', '--out', 'y', '--labels', 'chexpert']);
  t.is(a.code, 2);
  t.regex(a.stderr, /import-nih: --labels: an NIH import keeps the release's own labels, the 14 ChestX-ray14 findings \(nih14\)/);
  t.is((await run(['import-nih', '--data-entry', 'x.csv', '--out', 'y', '--lexicons', 'd'])).code, 2);
  const help = (await run(['--help'])).stdout;
  t.regex(help, /--labels NAME\|FILE[\s\S]*default: the dataset's recorded set,\s+else nih14/);
  t.regex(help, /--lexicons DIR[\s\S]*\[default: none\]/);
  t.notRegex((await run(['import-nih', '--help'])).stdout, /--labels/);
});

test('labelSetDigest: the same set and lexicons digest alike wherever they lie; a changed term or column changes it', async (t) => {
  const pacs = await pacsFor(t);
  const one = await siteFiles(join(pacs.root, 'a'));
  const two = await siteFiles(join(pacs.root, 'b'));
  const bundled = join(pacs.root, 'a', 'site-lexicons');
  const filesIn = (dir: string): string[] => [join(dir, 'findings', 'scoliosis.json')];
  const set = { name: 'site', findings: ['Cardiomegaly', 'Scoliosis'] };
  const d1 = labelSetDigest(set, [one.lexicons], bundled, filesIn);
  t.is(labelSetDigest({ ...set, file: 'elsewhere.json' } as typeof set, [two.lexicons], bundled, filesIn), d1);
  t.not(labelSetDigest({ ...set, findings: ['Scoliosis', 'Cardiomegaly'] }, [one.lexicons], bundled, filesIn), d1);
  await writeFile(join(two.lexicons, 'findings', 'scoliosis.json'), (await readFile(join(two.lexicons, 'findings', 'scoliosis.json'), 'utf8')).replace('levoscoliosis', 'levoscoliosis", "rotoscoliosis'));
  t.not(labelSetDigest(set, [two.lexicons], bundled, filesIn), d1);
});
