/**
 * The command line never destroys a user's work, never calls a wrong input a success, and keeps what it claims
 * (issue 13): each case runs `main(argv, io)` in process on real files, as cli.test.ts does.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { main } from '../src/cli.js';
import { REPORTS_CSV, makePacs, writeImage } from './helpers/pacs.js';
import type { ImageSpec } from './helpers/pacs.js';

const here = dirname(fileURLToPath(import.meta.url));

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

const FAST = ['--size', '16', '--shard-size', '0', '--quiet', '--workers', '0'];

/** `n` patients with one chest image each, all on the same day (so study order ties), and a report each. */
async function makeTiedExport(n: number, size = 8): Promise<{ root: string; dicom: string; reports: string }> {
  const root = await mkdtemp(join(tmpdir(), 'cxr8-tied-'));
  const dicom = join(root, 'dicom');
  const lines = ['accession_number,report_text'];
  const texts = ['IMPRESSION: Normal chest.', 'IMPRESSION: Small left pleural effusion.', 'IMPRESSION: Cardiomegaly.', 'IMPRESSION: Right upper lobe nodule.'];
  for (let p = 1; p <= n; p++) {
    const id = String(p).padStart(4, '0');
    const spec: ImageSpec = {
      path: `P${id}/IM1`,
      patient: [`PATIENT^${id}`, `MRN-${id}`, '19700101', p % 2 ? 'F' : 'M'],
      study: [`1.2.826.0.1.3680043.77.${p}`, `ACC${id}`, '20200101'],
      sop: `1.2.826.0.1.3680043.77.${p}.1.1`,
    };
    await writeImage(dicom, spec, p, size);
    lines.push(`ACC${id},"${texts[p % texts.length] as string}"`);
  }
  const reports = join(root, 'reports.csv');
  await writeFile(reports, `${lines.join('\n')}\n`);
  return { root, dicom, reports };
}

/** Each image's split (or name) by its path in the export (the private index links the two; images are keyed per key file). */
function splitsByPath(out: string, column: 'split' | 'image_index' = 'split'): Map<string, string> {
  const db = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  db.prepare('ATTACH ? AS private').run(`${out}.cxr8-private.sqlite`);
  const rows = db.prepare(`SELECT s.path, i.${column} AS v FROM images i JOIN private.sources s ON s.sop_key = i.source_key AND s.status = 'image'`).all() as { path: string; v: string }[];
  db.close();
  return new Map(rows.map((r) => [r.path, r.v]));
}

/* ------------------------------------------------------------------ never destroy */

test('--out on a folder holding a user\'s own files is refused (exit 3) naming them, and nothing is written', async (t) => {
  const pacs = await makePacs();
  const out = join(pacs.root, 'mine');
  await mkdir(out);
  await writeFile(join(out, 'Data_Entry.csv'), 'my,own,work\n1,2,3\n');
  await writeFile(join(out, 'notes.txt'), 'notes');
  const { code, stderr } = await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', out, ...FAST]);
  t.is(code, 3);
  t.regex(stderr, /mine: expected a new or empty folder or a cxr8 dataset .* found 2 other entries \(Data_Entry\.csv, notes\.txt\) and no dataset\.sqlite; nothing was written.*--force/);
  t.is(await readFile(join(out, 'Data_Entry.csv'), 'utf8'), 'my,own,work\n1,2,3\n');
  t.false(existsSync(join(out, 'dataset.sqlite')));
  t.false(existsSync(`${out}.cxr8-private.sqlite`));
  // --force writes into it, as asked.
  const forced = await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', out, '--force', ...FAST]);
  t.is(forced.code, 1, forced.stderr);
  t.regex(await readFile(join(out, 'Data_Entry.csv'), 'utf8'), /^Image Index,Finding Labels/);
  t.true(existsSync(join(out, 'notes.txt')));
});

test('--out naming a file is a clear error (exit 3, no stack trace) and the file is untouched', async (t) => {
  const pacs = await makePacs();
  const file = join(pacs.root, 'Data_Entry.csv');
  await writeFile(file, 'keep me\n');
  const { code, stderr } = await run(['--dicom', pacs.dicom, '--out', file, ...FAST]);
  t.is(code, 3);
  t.regex(stderr, /Data_Entry\.csv: expected a dataset folder for --out .*found a file/);
  t.notRegex(stderr, /internal error|\n\s+at /);
  t.is(await readFile(file, 'utf8'), 'keep me\n');
  const nih = await run(['import-nih', '--data-entry', file, '--out', file, '--quiet']);
  t.is(nih.code, 3);
  t.regex(nih.stderr, /found a file/);
});

test('a dataset.sqlite or key file that is not ours is refused, and so is a dataset of the other kind', async (t) => {
  const pacs = await makePacs();
  const foreign = join(pacs.root, 'foreign');
  await mkdir(foreign);
  const db = new Database(join(foreign, 'dataset.sqlite'));
  db.exec('CREATE TABLE orders (id INTEGER)');
  db.close();
  const a = await run(['--dicom', pacs.dicom, '--out', foreign, ...FAST]);
  t.is(a.code, 3);
  t.regex(a.stderr, /found a dataset\.sqlite that is a SQLite database without the cxr8 tables meta and runs \(tables: orders\)/);
  // Another application's SQLite file as --key-file: refused before a table is added to it.
  const crm = join(pacs.root, 'crm.sqlite');
  const other = new Database(crm);
  other.exec('CREATE TABLE customers (id INTEGER)');
  other.close();
  const k = await run(['--dicom', pacs.dicom, '--out', join(pacs.root, 'k'), '--key-file', crm, ...FAST]);
  t.is(k.code, 3);
  t.regex(k.stderr, /crm\.sqlite: expected a cxr8 private key file \(tables meta, patients, sources\), found a SQLite database with the tables customers/);
  const kept = new Database(crm, { readonly: true });
  t.deepEqual(kept.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all(), ['customers']);
  kept.close();
  t.false(existsSync(join(pacs.root, 'k')));
  // A PACS build, then import-nih into the same folder: refused, the build kept.
  const out = join(pacs.root, 'built');
  t.is((await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', out, ...FAST])).code, 1);
  const release = join(pacs.root, 'Data_Entry_2017.csv');
  await writeFile(release, 'Image Index,Finding Labels,Follow-up #,Patient ID\n00000001_000.png,No Finding,0,1\n');
  const b = await run(['import-nih', '--data-entry', release, '--out', out, '--quiet']);
  t.is(b.code, 3);
  t.regex(b.stderr, /expected an NIH import \(build-dataset import-nih\) or a new folder, found a PACS build \(build-dataset\)/);
  const build = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  t.is(build.prepare("SELECT value FROM meta WHERE key = 'kind'").pluck().get(), 'pacs');
  t.true((build.prepare('SELECT count(*) FROM images').pluck().get() as number) > 0);
  build.close();
});

test('shards are replaced only by a write that produced some: when every record fails the old shards stay whole', async (t) => {
  const pacs = await makePacs();
  const out = join(pacs.root, 'out');
  const base = ['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', out, '--size', '16', '--quiet', '--workers', '0'];
  t.is((await run([...base, '--shard-size', '8'])).code, 1);
  const before = await readFile(join(out, 'shards', 'manifest.json'), 'utf8');
  // The PNGs vanish (a disk cleaned by hand): a new shard size cannot be written from them.
  for (const name of await readdir(join(out, 'images'))) if (name.endsWith('.png')) await rm(join(out, 'images', name));
  const { code, stdout } = await run([...base, '--shard-size', '12']);
  t.is(code, 1);
  t.regex(stdout, /! shards \d{8}_\d{3}\.png/);
  t.is(await readFile(join(out, 'shards', 'manifest.json'), 'utf8'), before);
  const manifest = JSON.parse(before) as { shards: { file: string }[] };
  for (const s of manifest.shards) t.true(existsSync(join(out, 'shards', s.file)), s.file);
  t.false(existsSync(join(out, '.shards-partial')));
});

/* ------------------------------------------------------------------ wrong input is an error */

test('--dicom on a folder with no DICOM is exit 3 naming what was looked for, where, and how many files; nothing is written', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'cxr8-nodicom-'));
  await mkdir(join(root, 'scans', 'sub'), { recursive: true });
  await writeFile(join(root, 'scans', 'README.txt'), 'not an image');
  await writeFile(join(root, 'scans', 'sub', 'chest.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  const out = join(root, 'out');
  const { code, stderr } = await run(['--dicom', join(root, 'scans'), '--out', out, ...FAST]);
  t.is(code, 3);
  t.regex(stderr, /scans: expected DICOM files in the --dicom folder \(recognised by content.*found none among 2 files \(2 not DICOM, 0 DICOMDIR, 0 unreadable\); nothing was written/);
  t.false(existsSync(out));
});

test('import-nih --images on a folder with none of the listed images is exit 3, and nothing is written', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'cxr8-noimages-'));
  const release = join(root, 'Data_Entry_2017.csv');
  await writeFile(release, 'Image Index,Finding Labels,Follow-up #,Patient ID\n00000001_000.png,No Finding,0,1\n00000002_000.png,Hernia,0,2\n00000003_000.png,Mass,0,3\n');
  await mkdir(join(root, 'images'));
  await writeFile(join(root, 'images', 'other.png'), 'x');
  const out = join(root, 'out');
  const { code, stderr } = await run(['import-nih', '--data-entry', release, '--images', join(root, 'images'), '--out', out, '--quiet']);
  t.is(code, 3);
  t.regex(stderr, /images: expected the release's PNGs named as in Data_Entry \(e\.g\. 00000001_000\.png\) anywhere under the --images folder, found none of the 3 listed among 1 file \(1 PNG\); nothing was written/);
  t.false(existsSync(out));
});

test('a --reports source with no report in it is exit 3 saying so, before anything is written', async (t) => {
  const pacs = await makePacs();
  const empty = join(pacs.root, 'reports-dir');
  await mkdir(empty);
  await writeFile(join(empty, 'index.html'), '<html>');
  const { code, stderr } = await run(['--dicom', pacs.dicom, '--reports', empty, '--out', join(pacs.root, 'out'), ...FAST]);
  t.is(code, 3);
  t.regex(stderr, /reports-dir: expected report files named <accession>\.txt in this --reports folder, found none among 1 entry/);
  // --reports are checked before the walk and before anything is written (reports.ts, checkReportSources).
  t.false(existsSync(join(pacs.root, 'out')));
});

test('--reports whose every row is unusable: the build goes on, and says that no report could be used', async (t) => {
  const pacs = await makePacs();
  const reports = join(pacs.root, 'bad.csv');
  await writeFile(reports, Buffer.concat([Buffer.from('accession_number,report_text\nACC1001,"Caf'), Buffer.from([0xe9]), Buffer.from('"\n,"no key"\n')]));
  const { code, stderr, stdout } = await run(['--dicom', pacs.dicom, '--reports', reports, '--out', join(pacs.root, 'out'), ...FAST]);
  t.is(code, 1);
  t.regex(stderr, /warning: no usable report in --reports \(\d+ unusable rows/);
  t.regex(stdout, /! reports bad\.csv:1: expected UTF-8 text, found byte 0xE9/);
});

test('an accession on several rows of one source is a report and its addenda, joined; another source\'s is not used', async (t) => {
  const pacs = await makePacs();
  // ACC1001 three times in dup.csv (rows 1, 2, 3): the original, then two addenda; and once in late.csv.
  const reports = join(pacs.root, 'dup.csv');
  await writeFile(reports, REPORTS_CSV.replace('\r\nACC1002,', '\r\nACC1001,"ADDENDUM: Large right pneumothorax."\r\nACC1001,"ADDENDUM: Large right pneumothorax."\r\nACC1002,'));
  const late = join(pacs.root, 'late.csv');
  await writeFile(late, 'accession_number,report_text\nACC1001,"IMPRESSION: Right upper lobe mass."\n');
  const out = join(pacs.root, 'out');
  const { code, stdout, stderr } = await run(['--dicom', pacs.dicom, '--reports', reports, '--reports', late, '--out', out, '--keep-report-text', ...FAST]);
  t.is(code, 1);
  t.regex(stderr, /note: 1 report row has the accession number \(or study UID\) of an earlier row of the same source \(dup\.csv:2, dup\.csv:3, late\.csv:1\); taken as addenda, each was joined to the first row of its accession, in file order, with a blank line between/);
  t.regex(stderr, /warning: 2 reports repeat the accession number \(or study UID\) of a report from an earlier source, or the text of one already read \(dup\.csv:2, dup\.csv:3, late\.csv:1\); the first was kept, these were not used/);
  t.regex(stdout, /0 unusable, 1 addenda joined, 2 duplicates/);
  const db = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  // The study of ACC1001 (Cardiomegaly) reads its report, then the addendum once, after a blank line; not late.csv's mass.
  const texts = db.prepare("SELECT report_text FROM studies WHERE report_text LIKE '%Cardiomegaly%'").pluck().all() as string[];
  t.deepEqual(texts, ['FINDINGS: The heart is enlarged. No pneumothorax.\nIMPRESSION: Cardiomegaly.\n\nADDENDUM: Large right pneumothorax.']);
  const acc1001 = db.prepare("SELECT image_id FROM labels WHERE finding = 'Cardiomegaly' AND value = 1").pluck().all() as number[];
  t.true(acc1001.length > 0);
  for (const id of acc1001) {
    t.is(db.prepare("SELECT value FROM labels WHERE image_id = ? AND finding = 'Pneumothorax'").pluck().get(id), 1);
    t.not(db.prepare("SELECT value FROM labels WHERE image_id = ? AND finding = 'Mass'").pluck().get(id), 1);
  }
  db.close();
});

test('invalid UTF-8 in a report is a failure naming the file, row and byte offset; an empty report is labeled No Finding and counted', async (t) => {
  const pacs = await makePacs();
  const reports = join(pacs.root, 'reports.csv');
  // ACC2001's report: empty; ACC1002's: Windows-1252 bytes (0x96, an en dash).
  const text = REPORTS_CSV.replace('"IMPRESSION: No acute cardiopulmonary process. Lungs are clear."', '""');
  const at = text.indexOf('Small right');
  const bytes = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0x96]), Buffer.from(text.slice(at))]);
  await writeFile(reports, bytes);
  const out = join(pacs.root, 'out');
  const { code, stdout } = await run(['--dicom', pacs.dicom, '--reports', reports, '--out', out, ...FAST]);
  t.is(code, 1);
  t.regex(stdout, /reports +\d+ read \(1 SR documents, 1 empty or headings only\), 1 unusable/);
  const db = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  const reason = db.prepare("SELECT reason FROM failures WHERE stage = 'reports' AND file = 'reports.csv:2'").pluck().get() as string;
  t.regex(reason, new RegExp(`found byte 0x96 at byte offset ${Buffer.byteLength(text.slice(0, at))} of reports\\.csv \\(row 2\\).*iconv -f windows-1252`));
  t.false((db.prepare('SELECT group_concat(evidence) FROM labels').pluck().get() as string).includes('\ufffd'));
  // ROE (the empty report): No Finding 1.
  const roe = db.prepare("SELECT l.finding, l.value FROM labels l JOIN images i ON i.id = l.image_id JOIN studies s ON s.id = i.study_id WHERE s.has_report = 1 GROUP BY i.id HAVING count(*) = 1 AND l.finding = 'No Finding'").all();
  t.true(roe.length >= 1);
  db.close();
});

/* ------------------------------------------------------------------ options are part of the run */

test('a rebuild with another --size is refused naming both sizes; without --size it keeps the recorded one; shard options are applied', async (t) => {
  const pacs = await makePacs();
  const out = join(pacs.root, 'out');
  const base = ['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', out, '--quiet', '--workers', '0'];
  t.is((await run([...base, '--size', '16', '--shard-size', '8'])).code, 1);
  // A refused rebuild is unusable output (exit 3), not a usage error.
  const other = await run([...base, '--size', '32']);
  t.is(other.code, 3);
  t.regex(other.stderr, /--size: this dataset's PNGs were made at 16 px, found --size 32; .*build into a new --out/);
  const again = await run(base);
  t.is(again.code, 1);
  t.regex(again.stdout, /images at 8px \(up to date\)/);
  const db = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  t.deepEqual(db.prepare("SELECT DISTINCT width FROM images WHERE png_status = 'done'").pluck().all(), [16]);
  t.is(db.prepare("SELECT value FROM meta WHERE key = 'size'").pluck().get(), '16');
  db.close();
  const reshard = await run([...base, '--shard-size', '12']);
  t.is(reshard.code, 1);
  t.is((JSON.parse(await readFile(join(out, 'shards', 'manifest.json'), 'utf8')) as { size: number }).size, 12);
  const text = await run([...base, '--keep-report-text']);
  t.is(text.code, 3);
  t.regex(text.stderr, /--keep-report-text: this dataset was built without it/);
});

/* ------------------------------------------------------------------ claims kept */

test('splits follow the export and --seed alone: two fresh builds (two key files) agree on every image; another seed differs', async (t) => {
  const exp = await makeTiedExport(40);
  const build = async (name: string, extra: string[] = []): Promise<Map<string, string>> => {
    const out = join(exp.root, name);
    const r = await run(['--dicom', exp.dicom, '--reports', exp.reports, '--out', out, ...FAST, ...extra]);
    t.is(r.code, 0, r.stderr);
    return splitsByPath(out);
  };
  const a = await build('a');
  const b = await build('b');
  t.is(a.size, 40);
  t.deepEqual([...b.entries()].sort(), [...a.entries()].sort());
  t.is(new Set(a.values()).size, 3);
  // Pseudonyms, and so image names, do not follow the key file either.
  t.deepEqual([...splitsByPath(join(exp.root, 'b'), 'image_index').entries()].sort(), [...splitsByPath(join(exp.root, 'a'), 'image_index').entries()].sort());
  const c = await build('c', ['--seed', 'another']);
  t.true([...a].some(([path, split]) => c.get(path) !== split));
  const s1 = await build('s1', ['--stratify']);
  const s2 = await build('s2', ['--stratify']);
  t.deepEqual([...s2.entries()].sort(), [...s1.entries()].sort());
  // No patient id reaches the dataset (the digest lives in the private file only).
  const dataset = await readFile(join(exp.root, 'a', 'dataset.sqlite'));
  t.false(dataset.includes('MRN-0001'));
});

test('a dataset made before the patient digest keeps its recorded splits; its index gains the digest', async (t) => {
  const exp = await makeTiedExport(12);
  const out = join(exp.root, 'old');
  const argv = ['--dicom', exp.dicom, '--reports', exp.reports, '--out', out, ...FAST];
  t.is((await run(argv)).code, 0);
  // As an older private file: no patient_digest column, and splits made from pseudonyms (here: all test).
  const db = new Database(join(out, 'dataset.sqlite'));
  db.prepare('ATTACH ? AS private').run(`${out}.cxr8-private.sqlite`);
  db.exec("ALTER TABLE private.sources DROP COLUMN patient_digest; UPDATE patients SET split = 'test'; UPDATE images SET split = 'test';");
  db.close();
  t.is((await run(argv)).code, 0);
  t.deepEqual([...new Set(splitsByPath(out).values())], ['test']);
  const after = new Database(`${out}.cxr8-private.sqlite`, { readonly: true });
  t.is(after.prepare("SELECT count(*) FROM sources WHERE status = 'image' AND length(patient_digest) = 64").pluck().get(), 12);
  after.close();
});

/* ------------------------------------------------------------------ Ctrl-C */

test('Ctrl-C (SIGINT) exits 130 and says to run the same command again, which finishes the build', async (t) => {
  const exp = await makeTiedExport(160, 64);
  const out = join(exp.root, 'out');
  const argv = ['--dicom', exp.dicom, '--reports', exp.reports, '--out', out, '--size', '64', '--shard-size', '0', '--workers', '0', '--quiet'];
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', join(here, 'helpers', 'cli-child.ts'), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let finished = false;
  void exited.then(() => (finished = true));
  // Interrupt once the build has indexed the export (the handler is installed before the database is opened).
  while (!finished) {
    let indexed = 0;
    try {
      const db = new Database(join(out, 'dataset.sqlite'), { readonly: true, fileMustExist: true });
      db.prepare('ATTACH ? AS private').run(`${out}.cxr8-private.sqlite`);
      indexed = db.prepare('SELECT count(*) FROM private.sources').pluck().get() as number;
      db.close();
    } catch {
      indexed = 0;
    }
    if (indexed > 0) {
      child.kill('SIGINT');
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const code = await exited;
  t.is(code, 130, stderr);
  t.regex(stderr, /interrupted \(SIGINT\); the work done so far is kept\. To resume, run the same command again:\n {2}build-dataset --dicom /);
  t.true(stderr.includes(argv.join(' ')));
  const resumed = await run(argv);
  t.is(resumed.code, 0, resumed.stderr);
  t.regex(resumed.stdout, /160 in the dataset/);
});
