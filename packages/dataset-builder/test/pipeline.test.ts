import test from 'ava';
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { buildDataset } from '../src/pipeline.js';
import type { BuildSummary } from '../src/pipeline.js';
import { readSplit, readShardManifest } from '../src/shards.js';
import { IDENTIFIERS, IMAGES, makeManyPacs, makePacs, writeImage } from './helpers/pacs.js';
import type { ImageSpec } from './helpers/pacs.js';
import { filesUnder } from './helpers/files.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Every dataset table but `runs`, rows sorted: two builds of the same input must give the same dump. */
function dumpDataset(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'runs' ORDER BY name").pluck().all() as string[];
    const out: Record<string, unknown[]> = {};
    for (const t of tables) {
      const n = (db.prepare(`SELECT count(*) FROM pragma_table_info('${t}')`).pluck().get() as number) || 1;
      out[t] = db.prepare(`SELECT * FROM ${t} ORDER BY ${Array.from({ length: n }, (_, i) => i + 1).join(', ')}`).all();
    }
    return out;
  } finally {
    db.close();
  }
}

const quick = { size: 64, shardSize: 16, workers: 0, progress: null } as const;

let built: Promise<{ root: string; out: string; summary: BuildSummary }> | undefined;
function buildOnce(): Promise<{ root: string; out: string; summary: BuildSummary }> {
  built ??= (async () => {
    const pacs = await makePacs();
    const out = join(pacs.root, 'out', 'ds');
    const summary = await buildDataset({ dicomDir: pacs.dicom, reports: [pacs.reports], out, ...quick });
    return { root: pacs.root, out, summary };
  })();
  return built;
}

test('a PACS export becomes a dataset: frontal chest images with reports are rendered, labeled and exported', async (t) => {
  const { out, summary } = await buildOnce();
  t.is(summary.files.nonDicom, 1);
  t.is(summary.files.dicomDir, 1);
  t.is(summary.images.duplicates, 1);
  t.is(summary.images.excluded, 2); // lateral + hand
  t.is(summary.images.inDataset, 4);
  t.is(summary.reports.srDocuments, 1);
  t.is(summary.reports.withoutImage, 1); // ACC9999
  t.is(summary.images.withoutReport, 1); // ACC3002
  t.is(summary.failed, 2); // corrupt header, truncated pixels
  const entry = (await readFile(join(out, 'Data_Entry.csv'), 'utf8')).trim().split('\n');
  t.is(entry[0], 'Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y]');
  // Patient 1 is the one with the earliest study (ROE, 2018): no acute disease, PA from the view code sequence.
  t.is(entry[1], '00000001_000.png,No Finding,0,1,72,M,PA,48,48,0.143,0.143');
  t.true(entry.some((l) => /^00000002_000\.png,Cardiomegaly,0,2,59,F,PA,/.test(l)));
  t.true(entry.some((l) => /^00000002_\d{3}\.png,Effusion,\d,2,59,F,AP,/.test(l)));
  // POE's other chest image (ACC3002) has no report: it is not in the dataset and takes no follow-up number.
  t.true(entry.some((l) => /^00000003_000\.png,Pneumothorax,0,3,38,M,PA,/.test(l)), `the SR document labels its study: ${entry.join(' / ')}`);
  const pngs = (await readdir(join(out, 'images'))).filter((n) => n.endsWith('.png'));
  t.true(pngs.every((n) => /^\d{8}_\d{3}\.png$/.test(n)));
  // Only dataset images carry an NIH name; the one without a report waits, rendered, under a provisional name.
  t.deepEqual(pngs.sort(), entry.slice(1).map((l) => l.split(',')[0]).sort());
  t.is((await readdir(join(out, 'images', '.pending'))).length, 1);
  const db = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  const reasons = db.prepare('SELECT reason FROM excluded ORDER BY reason').pluck().all() as string[];
  t.deepEqual(reasons.map((r) => r.replace(/dicom:\w+/, 'REF')), [
    'duplicate: same SOP Instance UID as REF',
    'not a chest image (BodyPartExamined HAND)',
    'not a frontal view (ViewPosition LL)',
  ]);
  const failures = db.prepare('SELECT stage FROM failures ORDER BY stage').pluck().all();
  t.deepEqual(failures, ['parse', 'render']);
  const evidence = db.prepare("SELECT evidence FROM labels WHERE finding = 'Cardiomegaly' AND value = 1").pluck().get() as string;
  t.regex(evidence, /"concept"|"text"/);
  t.deepEqual(db.pragma('foreign_key_check'), []);
  db.close();
});

test('no identifier of the headers or reports reaches any output file, the SQLite database included', async (t) => {
  const { root, out, summary } = await buildOnce();
  t.false(summary.keyFile.startsWith(`${out}/`), 'the key file is outside the dataset folder');
  const files = await filesUnder(out);
  t.true(files.some((f) => f.endsWith('dataset.sqlite')));
  for (const file of files) {
    const bytes = await readFile(file);
    const text = bytes.toString('latin1');
    // No path either: the export's folder names (here the temporary root) may carry names or dates.
    t.false(text.includes(root), `the export path found in ${file}`);
    for (const id of IDENTIFIERS) {
      t.false(text.includes(id), `${id} found in ${file}`);
      t.false(bytes.includes(Buffer.from(id, 'utf16le')), `${id} (utf16) found in ${file}`);
    }
  }
});

test('a second run over the same export does nothing new and leaves the same database', async (t) => {
  const pacs = await makePacs();
  const out = join(pacs.root, 'out');
  const first = await buildDataset({ dicomDir: pacs.dicom, reports: [pacs.reports], out, ...quick });
  const before = dumpDataset(join(out, 'dataset.sqlite'));
  const second = await buildDataset({ dicomDir: pacs.dicom, reports: [pacs.reports], out, ...quick });
  t.is(second.files.indexedThisRun, 0);
  t.is(second.files.skippedAsDone, first.files.indexedThisRun);
  t.is(second.images.renderedThisRun, 0);
  t.is(second.labeledThisRun, 0);
  t.true(second.shards?.skipped);
  t.deepEqual(dumpDataset(join(out, 'dataset.sqlite')), before);
  t.is(second.failed, 2, 'failures stay recorded, and the exit code keeps saying so');
});

test('patients keep their pseudonym and split when the dataset is rebuilt with more data', async (t) => {
  const pacs = await makePacs({ corrupt: false });
  const out = join(pacs.root, 'out');
  // Remove patient POE's files first, build, then put them back and build again.
  const poe = IMAGES.filter((i) => i.path.startsWith('POE/'));
  await rm(join(pacs.dicom, 'POE'), { recursive: true });
  await buildDataset({ dicomDir: pacs.dicom, reports: [pacs.reports], out, ...quick });
  const db1 = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  const before = db1.prepare('SELECT id, split FROM patients ORDER BY id').all();
  const imagesBefore = db1.prepare('SELECT image_index, split FROM images ORDER BY image_index').all();
  db1.close();
  let seed = 50;
  for (const spec of poe) await writeImage(pacs.dicom, spec, seed++);
  const summary = await buildDataset({ dicomDir: pacs.dicom, reports: [pacs.reports], out, ...quick });
  t.is(summary.files.skippedAsDone, 5);
  const db2 = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  const after = db2.prepare('SELECT id, split FROM patients ORDER BY id').all() as { id: number; split: string }[];
  t.deepEqual(after.slice(0, before.length), before);
  t.is(after.length, before.length + 1);
  const imagesAfter = db2.prepare('SELECT image_index, split FROM images ORDER BY image_index').all();
  for (const img of imagesBefore) t.true(imagesAfter.some((a) => JSON.stringify(a) === JSON.stringify(img)));
  db2.close();
});

test('splits are patient-disjoint, and the same seed gives the same splits', async (t) => {
  const pacs = await makeManyPacs(60, 32);
  const a = join(pacs.root, 'a');
  const b = join(pacs.root, 'b');
  // Seed s2: its hash split of these 30 patients has all three splits (s1 leaves val empty, 0.9^30 = 4% of seeds do).
  await buildDataset({ dicomDir: pacs.dicom, reports: [pacs.reports], out: a, ...quick, shardSize: 0, seed: 's2' });
  await buildDataset({ dicomDir: pacs.dicom, reports: [pacs.reports], out: b, ...quick, shardSize: 0, seed: 's2', stratify: true });
  for (const out of [a, b]) {
    const db = new Database(join(out, 'dataset.sqlite'), { readonly: true });
    const mixed = db.prepare('SELECT patient_id FROM images GROUP BY patient_id HAVING count(DISTINCT split) > 1').all();
    t.deepEqual(mixed, []);
    const splits = db.prepare('SELECT DISTINCT split FROM images ORDER BY split').pluck().all();
    t.deepEqual(splits, ['test', 'train', 'val']);
    db.close();
    const trainVal = (await readFile(join(out, 'train_val_list.txt'), 'utf8')).split('\n');
    const testList = (await readFile(join(out, 'test_list.txt'), 'utf8')).split('\n');
    const patientsOf = (l: string[]): Set<string> => new Set(l.map((n) => n.slice(0, 8)));
    const overlap = [...patientsOf(trainVal)].filter((p) => patientsOf(testList).has(p));
    t.deepEqual(overlap, []);
    t.is(trainVal.length + testList.length, 60);
  }
});

test('shards hold every dataset image with its labels, split by split', async (t) => {
  const { out } = await buildOnce();
  const manifest = await readShardManifest(out);
  t.is(manifest.size, 16);
  t.is(manifest.findings.length, 14);
  let n = 0;
  for (const split of ['train', 'val', 'test'] as const) {
    for await (const r of readSplit(out, split)) {
      n++;
      t.is(r.pixels.length, 256);
      t.true(Array.from(r.labels).every((v) => [1, 0, -1, -128].includes(v)));
    }
  }
  t.is(n, 4);
});

test('a run killed with SIGKILL at any moment and run again ends with the same database as an uninterrupted run', async (t) => {
  const pacs = await makeManyPacs(120, 96);
  const base = await mkdtemp(join(tmpdir(), 'cxr8-kill-'));
  // One key for both builds, so that keyed hashes match: made by a build of a folder holding one excluded object
  // (a folder without DICOM is refused: nothing to do).
  await writeImage(join(base, 'one'), IMAGES.find((s) => s.bodyPart === 'HAND') as ImageSpec, 0);
  await buildDataset({ dicomDir: join(base, 'one'), out: join(base, 'seed-out'), keyFile: join(base, 'key-a.sqlite'), ...quick });
  await copyFile(join(base, 'key-a.sqlite'), join(base, 'key-b.sqlite'));
  const options = (out: string, key: string) => ({ dicomDir: pacs.dicom, reports: [pacs.reports], out, keyFile: key, size: 128, shardSize: 16, shardRecords: 16, workers: 0 });
  await buildDataset({ ...options(join(base, 'clean'), join(base, 'key-b.sqlite')), progress: null });

  const child = join(here, 'helpers', 'build-child.ts');
  const killedOut = join(base, 'killed');
  const dbPath = join(killedOut, 'dataset.sqlite');
  const progressOf = (): { sources: number; done: number } => {
    try {
      const db = new Database(dbPath, { readonly: true, fileMustExist: true });
      db.prepare('ATTACH ? AS private').run(join(base, 'key-a.sqlite'));
      const sources = db.prepare('SELECT count(*) FROM private.sources').pluck().get() as number;
      const done = db.prepare("SELECT count(*) FROM images WHERE png_status = 'done'").pluck().get() as number;
      db.close();
      return { sources, done };
    } catch {
      return { sources: 0, done: 0 };
    }
  };
  // Kill once while indexing, once while rendering.
  const kills: ((p: { sources: number; done: number }) => boolean)[] = [(p) => p.sources >= 30, (p) => p.done >= 20];
  let killedMidRun = 0;
  for (const when of kills) {
    const proc = spawn(process.execPath, ['--import=tsx', '--conditions=source', child, JSON.stringify(options(killedOut, join(base, 'key-a.sqlite')))], {
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
    let finished = false;
    void exited.then(() => (finished = true));
    while (!finished) {
      if (when(progressOf())) {
        proc.kill('SIGKILL');
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    if ((await exited) === 'SIGKILL') killedMidRun++;
  }
  t.log(`${killedMidRun} of ${kills.length} runs killed mid-run`);
  t.true(killedMidRun >= 1, 'at least one run was killed before it finished');
  const resumed = await buildDataset({ ...options(killedOut, join(base, 'key-a.sqlite')), progress: null });
  t.is(resumed.failed, 0);
  t.deepEqual(dumpDataset(dbPath), dumpDataset(join(base, 'clean', 'dataset.sqlite')));
  const names = (await readdir(join(killedOut, 'images'))).filter((n) => n.endsWith('.png')).sort();
  t.deepEqual(names, (await readdir(join(base, 'clean', 'images'))).filter((n) => n.endsWith('.png')).sort());
  t.false(names.some((n) => n.endsWith('.partial')));
  for (const n of names.slice(0, 10)) {
    t.deepEqual(await readFile(join(killedOut, 'images', n)), await readFile(join(base, 'clean', 'images', n)));
  }
  t.deepEqual(await readFile(join(killedOut, 'Data_Entry.csv')), await readFile(join(base, 'clean', 'Data_Entry.csv')));
  t.true((await stat(join(killedOut, 'shards', 'manifest.json'))).isFile());
});

test('reports from CSV, JSONL (joined by study UID) and a folder of .txt are all used', async (t) => {
  const pacs = await makePacs({ corrupt: false });
  const { writeFile: write, mkdir: mk } = await import('node:fs/promises');
  await write(join(pacs.root, 'a.csv'), 'accession_number,report_text\nACC1001,"IMPRESSION: Cardiomegaly."\n');
  await write(join(pacs.root, 'b.jsonl'), `${JSON.stringify({ study_instance_uid: '1.2.826.0.1.3680043.10.1002', report_text: 'Right pleural effusion.' })}\n`);
  await mk(join(pacs.root, 'txt'));
  await write(join(pacs.root, 'txt', 'ACC2001.txt'), 'IMPRESSION: Left upper lobe nodule.');
  const out = join(pacs.root, 'out');
  const s = await buildDataset({ dicomDir: pacs.dicom, reports: [join(pacs.root, 'a.csv'), join(pacs.root, 'b.jsonl'), join(pacs.root, 'txt')], out, ...quick });
  t.is(s.reports.read, 4); // three files + the SR document
  t.is(s.images.inDataset, 4);
  t.is(s.reports.withoutImage, 0);
  const entry = await readFile(join(out, 'Data_Entry.csv'), 'utf8');
  t.regex(entry, /^00000001_000\.png,Nodule,/m);
  t.regex(entry, /,Effusion,\d,2,59,F,AP,/);
});

test('a file that changes on disk is indexed and rendered again, and its old failure goes away once fixed', async (t) => {
  const pacs = await makePacs();
  const out = join(pacs.root, 'out');
  const first = await buildDataset({ dicomDir: pacs.dicom, reports: [pacs.reports], out, ...quick });
  t.is(first.failed, 2);
  // Touch every file (a re-export): all are indexed again, and the failures are still there.
  const { utimes } = await import('node:fs/promises');
  const later = new Date(Date.now() + 60_000);
  for (const f of await filesUnder(pacs.dicom)) await utimes(f, later, later);
  const second = await buildDataset({ dicomDir: pacs.dicom, reports: [pacs.reports], out, ...quick });
  t.is(second.files.indexedThisRun, first.files.indexedThisRun);
  t.is(second.failed, 2);
  // Replace the truncated file by a good one: its render failure is gone and it joins the dataset.
  await writeImage(pacs.dicom, { ...(IMAGES[0] as (typeof IMAGES)[number]), path: 'DOE/study1/IM0078', sop: '1.2.826.0.1.3680043.10.1001.1.78' }, 99);
  const third = await buildDataset({ dicomDir: pacs.dicom, reports: [pacs.reports], out, ...quick });
  t.is(third.failed, 1);
  t.is(third.images.inDataset, 5);
});

test('follow-up numbers are contiguous over the dataset, in study date, time and instance order, and never change', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'cxr8-followup-'));
  const dicom = join(root, 'dicom');
  const patient: ImageSpec['patient'] = ['FOLLOW^UP', 'HOSP-7001', '19700101', 'F'];
  const spec = (path: string, n: number, date: string, time: string, instance = 1): ImageSpec => ({
    path,
    patient,
    study: [`1.2.826.0.1.3680043.77.${n}`, `ACF${n}`, date],
    sop: `1.2.826.0.1.3680043.77.${n}.${instance}`,
    time,
    series: 1,
    instance,
  });
  const specs = [
    spec('a/late-in-the-day', 1, '20200101', '150000'),
    spec('b/early-same-day', 2, '20200101', '080000'),
    spec('c/second-instance', 3, '20210101', '090000', 2),
    spec('d/first-instance', 3, '20210101', '090000', 1),
    spec('e/no-report-yet', 4, '20190101', '090000'),
    spec('f/fails-to-render', 5, '20200601', '090000'),
    spec('g/last', 6, '20220101', '090000'),
  ];
  let seed = 0;
  for (const s of specs) await writeImage(dicom, s, seed++);
  const { truncate } = await import('node:fs/promises');
  await truncate(join(dicom, 'f/fails-to-render'), 2000);
  const csv = (accessions: number[]): string => ['accession_number,report_text', ...accessions.map((n) => `ACF${n},"IMPRESSION: Cardiomegaly."`)].join('\n');
  const { writeFile: write } = await import('node:fs/promises');
  await write(join(root, 'reports.csv'), csv([1, 2, 3, 5, 6]));
  const out = join(root, 'out');
  const options = { dicomDir: dicom, reports: [join(root, 'reports.csv')], out, ...quick, shardSize: 0 };
  const namesBySource = async (): Promise<Record<string, string>> => {
    const db = new Database(join(out, 'dataset.sqlite'), { readonly: true });
    db.prepare('ATTACH ? AS private').run(`${out}.cxr8-private.sqlite`);
    const rows = db
      .prepare("SELECT s.path, i.image_index FROM images i JOIN private.sources s ON s.sop_key = i.source_key WHERE i.image_index IS NOT NULL AND s.status = 'image'")
      .all() as { path: string; image_index: string }[];
    db.close();
    return Object.fromEntries(rows.map((r) => [r.path, r.image_index]).sort());
  };
  const first = await buildDataset(options);
  t.is(first.failed, 1);
  const expected = Object.fromEntries([
    ['b/early-same-day', '00000001_000.png'],
    ['a/late-in-the-day', '00000001_001.png'],
    ['d/first-instance', '00000001_002.png'],
    ['c/second-instance', '00000001_003.png'],
    ['g/last', '00000001_004.png'],
  ].sort());
  t.deepEqual(await namesBySource(), expected);
  const entry = (await readFile(join(out, 'Data_Entry.csv'), 'utf8')).trim().split('\n').slice(1);
  t.deepEqual(entry.map((l) => l.split(',')[2]), ['0', '1', '2', '3', '4']);
  t.deepEqual((await readdir(join(out, 'images'))).filter((n) => n.endsWith('.png')).sort(), Object.values(expected).sort());
  // A rebuild of the same input gives the same names; a report that arrives later (for an earlier study) names its
  // image with the next number and renames nothing.
  await buildDataset(options);
  t.deepEqual(await namesBySource(), expected);
  await write(join(root, 'reports.csv'), csv([1, 2, 3, 4, 5, 6]));
  await buildDataset(options);
  t.deepEqual(await namesBySource(), { ...expected, 'e/no-report-yet': '00000001_005.png' });
  t.true((await stat(join(out, 'images', '00000001_005.png'))).isFile());
});

test('--stratify keeps the recorded split of every patient when data is added, and balances the new ones', async (t) => {
  const pacs = await makeManyPacs(120, 16);
  const held = join(pacs.root, 'held');
  await mkdir(held);
  const { rename: move } = await import('node:fs/promises');
  const later = (await readdir(pacs.dicom)).filter((d) => Number(d.slice(1)) >= 30);
  for (const d of later) await move(join(pacs.dicom, d), join(held, d));
  const out = join(pacs.root, 'out');
  const options = { dicomDir: pacs.dicom, reports: [pacs.reports], out, ...quick, shardSize: 0, stratify: true };
  await buildDataset(options);
  const read = (): { id: number; split: string; split_method: string }[] => {
    const db = new Database(join(out, 'dataset.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT id, split, split_method FROM patients ORDER BY id').all() as { id: number; split: string; split_method: string }[];
    db.close();
    return rows;
  };
  const before = read();
  t.is(before.length, 30);
  t.true(before.every((p) => p.split_method === 'stratified'));
  for (const d of later) await move(join(held, d), join(pacs.dicom, d));
  await buildDataset(options);
  const after = read();
  t.is(after.length, 60);
  t.deepEqual(after.slice(0, 30), before);
  const count = (s: string): number => after.filter((p) => p.split === s).length;
  t.true(Math.abs(count('train') - 42) <= 3 && Math.abs(count('val') - 6) <= 3 && Math.abs(count('test') - 12) <= 3, `${count('train')}/${count('val')}/${count('test')}`);
  // Another seed would mix two splits in one dataset: refused, nothing moves; no --seed means the recorded one.
  await t.throwsAsync(buildDataset({ ...options, seed: 'other' }), { message: /--seed: this dataset was split with seed "cxr8", found "other"/ });
  t.deepEqual(read(), after);
  const other = join(pacs.root, 'other');
  await buildDataset({ ...options, out: other, seed: 'other' });
  const rerun = await buildDataset({ ...options, out: other });
  t.is(rerun.files.indexedThisRun, 0);
  t.is(rerun.patients, 60);
});

test('a file deleted from the export leaves the index with its failure, and the other copy of a duplicate takes over', async (t) => {
  const pacs = await makePacs();
  const out = join(pacs.root, 'out');
  const first = await buildDataset({ dicomDir: pacs.dicom, reports: [pacs.reports], out, ...quick });
  t.is(first.images.duplicates, 1);
  const entry = await readFile(join(out, 'Data_Entry.csv'));
  // The kept copy of ROE's image (first in path order) and the corrupt header go away.
  await rm(join(pacs.dicom, 'ROE'), { recursive: true });
  await rm(join(pacs.dicom, 'DOE/study1/IM0077'));
  const second = await buildDataset({ dicomDir: pacs.dicom, reports: [pacs.reports], out, ...quick });
  t.is(second.files.removed, 2);
  t.is(second.failed, 1);
  t.is(second.images.duplicates, 0);
  t.is(second.images.inDataset, first.images.inDataset);
  t.deepEqual(await readFile(join(out, 'Data_Entry.csv')), entry);
  const db = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  t.deepEqual(db.prepare('SELECT reason FROM excluded WHERE reason LIKE ?').pluck().all('duplicate%'), []);
  db.close();
});

test('a run killed between naming images and moving their PNGs finishes the moves on the next run', async (t) => {
  const pacs = await makePacs({ corrupt: false });
  const out = join(pacs.root, 'out');
  await buildDataset({ dicomDir: pacs.dicom, reports: [pacs.reports], out, ...quick });
  // As left by a kill: names committed, one PNG not moved yet, another moved but the move not recorded.
  const db = new Database(join(out, 'dataset.sqlite'));
  const named = db.prepare('SELECT id, image_index FROM images WHERE image_index IS NOT NULL ORDER BY id LIMIT 2').all() as { id: number; image_index: string }[];
  t.is(named.length, 2);
  const [a, b] = named as [{ id: number; image_index: string }, { id: number; image_index: string }];
  const { rename: move } = await import('node:fs/promises');
  await mkdir(join(out, 'images', '.pending'), { recursive: true });
  await move(join(out, 'images', a.image_index), join(out, 'images', '.pending', 'a.png'));
  db.prepare('UPDATE images SET file = ? WHERE id = ?').run('.pending/a.png', a.id);
  db.prepare('UPDATE images SET file = ? WHERE id = ?').run('.pending/b.png', b.id);
  db.close();
  const again = await buildDataset({ dicomDir: pacs.dicom, reports: [pacs.reports], out, ...quick });
  t.is(again.images.renderedThisRun, 0);
  const check = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  t.deepEqual(check.prepare('SELECT count(*) FROM images WHERE image_index IS NOT NULL AND file IS NOT image_index').pluck().get(), 0);
  check.close();
  for (const n of [a.image_index, b.image_index]) t.true((await stat(join(out, 'images', n))).isFile());
});
