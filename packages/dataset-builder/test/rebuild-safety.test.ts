/**
 * A rebuild keeps what it claims (issue 10 and 13, the new-user pass): the key file a dataset was built with is
 * required, `--reports` is checked before the DICOM walk, the builder never walks its own output, addenda are joined,
 * `-q` is `--quiet`. Each case runs `main(argv, io)` in process on real files, as cli-safety.test.ts does.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FINDINGS_14, nihFindingLabels } from '@cxr8/labeler';
import { main } from '../src/cli.js';
import { REPORTS_CSV, makePacs } from './helpers/pacs.js';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

const FAST = ['--size', '16', '--shard-size', '0', '--quiet', '--workers', '0'];

function count(out: string, sql: string): number {
  const db = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

/* ------------------------------------------------------------------ the key file */

test('a rebuild without its key file is refused (exit 3) naming the key expected and where it was looked for', async (t) => {
  const pacs = await makePacs();
  const out = join(pacs.root, 'out');
  const first = await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', out, ...FAST]);
  t.is(first.code, 1, first.stderr);
  const patients = count(out, 'SELECT count(*) FROM patients');
  const images = count(out, 'SELECT count(*) FROM images');
  const id = count(out, "SELECT value FROM meta WHERE key = 'key_id'") as unknown as string;
  t.regex(id, /^[0-9a-f]{32}$/);
  // The key id is not the key.
  const priv = new Database(`${out}.cxr8-private.sqlite`, { readonly: true });
  const key = priv.prepare("SELECT value FROM meta WHERE key = 'hmac_key'").pluck().get() as string;
  priv.close();
  t.false(key.includes(id));

  // The key file moved away: refused, nothing written, and no new key file made.
  await rename(`${out}.cxr8-private.sqlite`, join(pacs.root, 'key-backup.sqlite'));
  const missing = await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', out, ...FAST]);
  t.is(missing.code, 3);
  t.regex(missing.stderr, new RegExp(`expected the private key file this dataset was built with \\(key id ${id}\\), found no file at .*out\\.cxr8-private\\.sqlite \\(the default place.*Restore that key file.*or build into a new, empty --out`));
  t.false(existsSync(`${out}.cxr8-private.sqlite`));
  t.is(count(out, 'SELECT count(*) FROM images'), images);

  // Another dataset's key file, named with --key-file: refused too, naming both key ids.
  const other = join(pacs.root, 'other');
  t.is((await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', other, ...FAST])).code, 1);
  const wrong = await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', out, '--key-file', `${other}.cxr8-private.sqlite`, ...FAST]);
  t.is(wrong.code, 3);
  t.regex(wrong.stderr, new RegExp(`key id ${id}\\), found the key file of another dataset at .*other\\.cxr8-private\\.sqlite \\(--key-file\\) \\(key id [0-9a-f]{32}\\)`));
  // --force does not lift it.
  t.is((await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', out, '--key-file', `${other}.cxr8-private.sqlite`, '--force', ...FAST])).code, 3);

  // The key restored: the rebuild is the same dataset, no patient twice.
  await copyFile(join(pacs.root, 'key-backup.sqlite'), `${out}.cxr8-private.sqlite`);
  const again = await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', out, ...FAST]);
  t.is(again.code, 1, again.stderr);
  t.is(count(out, 'SELECT count(*) FROM patients'), patients);
  t.is(count(out, 'SELECT count(*) FROM images'), images);
});

/* ------------------------------------------------------------------ --reports checked before the walk */

test('a ;- or tab-separated --reports file is refused before the DICOM walk (exit 3), named as such, nothing written', async (t) => {
  const pacs = await makePacs();
  for (const [separator, name] of [[';', 'semicolons'], ['\t', 'tabs']] as const) {
    const reports = join(pacs.root, `reports-${name}.csv`);
    await writeFile(reports, 'accession_number' + separator + 'report_text\nACC1001' + separator + 'IMPRESSION: Cardiomegaly.\n');
    // --dicom holds no DICOM at all: the reports are checked first, so the error is theirs.
    const empty = join(pacs.root, `empty-${name}`);
    await mkdir(empty);
    const out = join(pacs.root, `out-${name}`);
    const { code, stderr } = await run(['--dicom', empty, '--reports', reports, '--out', out, ...FAST]);
    t.is(code, 3, stderr);
    t.regex(stderr, new RegExp(`reports-${name}\\.csv: expected a CSV with a "report_text" column .* found columns .*; the header is separated by ${name} .*save the file as CSV with commas, or convert it to JSONL`));
    t.false(existsSync(out));
  }
});

test('--reports with the wrong column names, or missing, is refused before the walk naming --report-columns', async (t) => {
  const pacs = await makePacs();
  const out = join(pacs.root, 'out');
  const wrong = await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--report-columns', 'text=body', '--out', out, ...FAST]);
  t.is(wrong.code, 3);
  t.regex(wrong.stderr, /reports\.csv: expected a CSV with a "body" column and a "accession_number" or "study_instance_uid" column \(set names with --report-columns\), found columns \["accession_number","report_text","patient_id","study_date"\]/);
  const missing = await run(['--dicom', pacs.dicom, '--reports', join(pacs.root, 'nope.csv'), '--out', out, ...FAST]);
  t.is(missing.code, 3);
  t.regex(missing.stderr, /nope\.csv: expected a reports CSV, JSONL file or folder of \.txt files \(--reports\), found nothing at this path/);
  t.false(existsSync(join(out, 'dataset.sqlite')));
});

/* ------------------------------------------------------------------ the build's own output inside --dicom */

test('--out (and its key file) inside --dicom are not walked: two builds count the same files, none of ours', async (t) => {
  const pacs = await makePacs();
  const outside = join(pacs.root, 'outside');
  const base = JSON.parse((await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', outside, '--json', ...FAST])).stdout);
  const inside = join(pacs.dicom, 'out');
  const first = JSON.parse((await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', inside, '--json', ...FAST])).stdout);
  // A SQLite companion of the key file (an empty rollback journal, as SQLite leaves one in some journal modes).
  await writeFile(`${inside}.cxr8-private.sqlite-journal`, '');
  const second = JSON.parse((await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', inside, '--json', ...FAST])).stdout);
  for (const s of [first, second]) {
    t.deepEqual({ seen: s.files.seen, dicom: s.files.dicom, nonDicom: s.files.nonDicom, unreadable: s.files.unreadable }, { seen: base.files.seen, dicom: base.files.dicom, nonDicom: base.files.nonDicom, unreadable: base.files.unreadable });
    t.is(s.images.inDataset, base.images.inDataset);
    t.is(s.failed, base.failed);
  }
  t.is(second.files.skippedAsDone, base.files.dicom);
  t.is(count(inside, 'SELECT count(*) FROM images'), count(outside, 'SELECT count(*) FROM images'));
});

/* ------------------------------------------------------------------ -q */

test('-q is --quiet in both subcommands, and shown so in their help', async (t) => {
  const pacs = await makePacs();
  const FAST_Q = FAST.map((a) => (a === '--quiet' ? '-q' : a));
  const built = await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', join(pacs.root, 'out'), ...FAST_Q]);
  t.is(built.code, 1, built.stderr);
  t.false(/\r|index +\d|render +\d/.test(built.stderr), built.stderr);
  const imported = await run(['import-nih', '-q']);
  t.is(imported.code, 2);
  t.regex(imported.stderr, /--data-entry is required/);
  t.notRegex(imported.stderr, /Unknown option/);
  for (const argv of [['--help'], ['import-nih', '--help']]) t.regex((await run(argv)).stdout, /-q, --quiet +no progress lines on stderr/);
});

/* ------------------------------------------------------------------ Data_Entry.csv "Finding Labels" */

test('Finding Labels follow the labeler\'s nih rule: a hedged finding alone is empty, never "No Finding"', async (t) => {
  const pacs = await makePacs();
  const reports = join(pacs.root, 'hedged.csv');
  // ACC2001: "Possible mass." (Mass -1, No Finding 0).
  await writeFile(reports, REPORTS_CSV.replace('"IMPRESSION: No acute cardiopulmonary process. Lungs are clear."', '"IMPRESSION: Possible mass."'));
  const out = join(pacs.root, 'out');
  t.is((await run(['--dicom', pacs.dicom, '--reports', reports, '--out', out, ...FAST])).code, 1);
  const entry = new Map((await readFile(join(out, 'Data_Entry.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => [l.split(',')[0] as string, l.split(',')[1] as string]));
  const db = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  const rows = db.prepare('SELECT i.image_index AS name, l.finding, l.value FROM images i JOIN labels l ON l.image_id = i.id WHERE i.image_index IS NOT NULL').all() as { name: string; finding: string; value: 1 | 0 | -1 }[];
  db.close();
  const byImage = new Map<string, Record<string, 1 | 0 | -1>>();
  for (const r of rows) byImage.set(r.name, { ...(byImage.get(r.name) ?? {}), [r.finding]: r.value });
  t.true(byImage.size > 0);
  const hedged = [...byImage].filter(([, labels]) => labels.Mass === -1 && labels['No Finding'] !== 1);
  t.true(hedged.length > 0, 'an image of "Possible mass." with No Finding not 1');
  for (const [name] of hedged) t.is(entry.get(name), '', `${name}: a suspected mass is not "No Finding"`);
  // Every row: the labeler's own function gives the same value (findings in alphabetical order).
  const alphabetical = [...FINDINGS_14].sort();
  for (const [name, labels] of byImage) t.is(entry.get(name), nihFindingLabels({ id: name, labels, evidence: [] }, alphabetical), name);
});
