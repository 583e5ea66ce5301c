import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { importNih, normalizeNihFinding, readBboxList, readDataEntry, readImageList } from '../src/import-nih.js';
import { readSplit } from '../src/shards.js';
import { main } from '../src/cli.js';
import { ReportSourceError } from '../src/errors.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = process.env.CXR8_SHARED_DATA ?? resolve(repoRoot, '../shared/data');
const nih = join(shared, 'nih-cxr14');

/** A small release in the 2017 layout: trailing comma, "058Y" ages, gzip, "Infiltrate" boxes. */
async function makeRelease(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-nih-'));
  const rows = [
    'Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y],',
    '00000001_000.png,Cardiomegaly,0,1,058Y,M,PA,2682,2749,0.143,0.143,',
    '00000001_001.png,Effusion|Infiltration,1,1,059Y,M,AP,2500,2048,0.168,0.168,',
    '00000002_000.png,No Finding,0,2,081Y,F,PA,2048,2500,0.171,0.171,',
    '00000003_000.png,Hernia,0,3,074Y,F,PA,2500,2048,0.168,0.168,',
    '00000004_000.png,Mass|Nodule,0,4,033Y,M,PA,2500,2048,0.168,0.168,',
  ];
  for (let p = 5; p <= 40; p++) rows.push(`${String(p).padStart(8, '0')}_000.png,No Finding,0,${p},040Y,F,PA,2500,2048,0.168,0.168,`);
  await writeFile(join(dir, 'Data_Entry_2017.csv.gz'), gzipSync(`${rows.join('\n')}\n`));
  await writeFile(join(dir, 'BBox_List_2017.csv'), 'Image Index,Finding Label,Bbox [x,y,w,h],,,\n00000001_001.png,Infiltrate,10.5,20,300,400\n00000004_000.png,Mass,1,2,3,4\n');
  const test = ['00000002_000.png', '00000003_000.png'];
  const trainVal = rows.slice(1).map((r) => r.split(',')[0] as string).filter((n) => !test.includes(n));
  await writeFile(join(dir, 'test_list.txt'), test.join('\n'));
  await writeFile(join(dir, 'train_val_list.txt'), trainVal.join('\n'));
  await mkdir(join(dir, 'images_001', 'images'), { recursive: true });
  for (const name of [...trainVal, ...test].filter((n) => n !== '00000004_000.png')) {
    await sharp(Buffer.alloc(64 * 64, 128), { raw: { width: 64, height: 64, channels: 1 } })
      .png()
      .toFile(join(dir, 'images_001', 'images', name));
  }
  return dir;
}

test('the 2017 layout quirks are read: ages like 058Y, two-column headers, a trailing comma, gzip', async (t) => {
  const dir = await makeRelease();
  const { entries, problems } = await readDataEntry(join(dir, 'Data_Entry_2017.csv.gz'));
  t.deepEqual(problems, []);
  t.deepEqual(entries[1], {
    imageIndex: '00000001_001.png',
    findings: ['Effusion', 'Infiltration'],
    followup: 1,
    patientId: 1,
    age: 59,
    sex: 'M',
    view: 'AP',
    width: 2500,
    height: 2048,
    spacingX: 0.168,
    spacingY: 0.168,
  });
});

test('BBox_List: the unnamed columns are read and "Infiltrate" becomes Infiltration', async (t) => {
  const dir = await makeRelease();
  const boxes = await readBboxList(join(dir, 'BBox_List_2017.csv'));
  t.deepEqual(boxes[0], { imageIndex: '00000001_001.png', finding: 'Infiltration', x: 10.5, y: 20, w: 300, h: 400 });
  t.is(normalizeNihFinding('Infiltrate'), 'Infiltration');
});

test('an import keeps the official test split, divides train_val by patient, and writes shards from the PNGs', async (t) => {
  const dir = await makeRelease();
  const out = join(dir, 'out');
  const s = await importNih({
    dataEntry: join(dir, 'Data_Entry_2017.csv.gz'),
    bbox: join(dir, 'BBox_List_2017.csv'),
    trainValList: join(dir, 'train_val_list.txt'),
    testList: join(dir, 'test_list.txt'),
    images: dir,
    out,
    shardSize: 8,
    progress: null,
  });
  t.is(s.images, 41);
  t.is(s.patients, 40);
  t.is(s.test, 2);
  t.is(s.trainVal, 39);
  t.true(s.splits.val > 0 && s.splits.train > s.splits.val);
  t.deepEqual(s.pngs, { found: 40, missing: 1 });
  t.is(s.boxes, 2);
  const db = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  t.deepEqual(db.prepare('SELECT patient_id FROM images GROUP BY patient_id HAVING count(DISTINCT split) > 1').all(), []);
  t.deepEqual(db.prepare("SELECT image_index FROM images WHERE split = 'test' ORDER BY 1").pluck().all(), ['00000002_000.png', '00000003_000.png']);
  t.deepEqual(db.prepare('SELECT DISTINCT split_method FROM patients').pluck().all(), ['official']);
  t.is(db.prepare("SELECT age_years FROM images WHERE image_index = '00000001_000.png'").pluck().get(), 58);
  db.close();
  // Official lists come back unchanged.
  t.is(await readFile(join(out, 'test_list.txt'), 'utf8'), '00000002_000.png\n00000003_000.png');
  const bbox = (await readFile(join(out, 'BBox_List.csv'), 'utf8')).split('\n');
  t.is(bbox[0], 'Image Index,Finding Label,Bbox [x,y,w,h],,,');
  t.is(bbox[1], '00000001_001.png,Infiltrate,10.5,20,300,400');
  // Shards: binary labels (unlisted = 0) and boxes in the 1024 frame.
  const records = [];
  for (const split of ['train', 'val'] as const) for await (const r of readSplit(out, split)) records.push(r);
  const first = records.find((r) => r.id === '00000001_001.png');
  t.truthy(first);
  t.deepEqual(Array.from(first?.labels ?? []), [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  t.deepEqual(first?.boxes, [{ finding: 3, x: 10.5, y: 20, w: 300, h: 400 }]);
  t.false(records.some((r) => r.id === '00000004_000.png'), 'an image without its PNG has no shard record');
});

test('import-nih through the CLI prints a summary and exits 0', async (t) => {
  const dir = await makeRelease();
  let stdout = '';
  const code = await main(
    ['import-nih', '--data-entry', join(dir, 'Data_Entry_2017.csv.gz'), '--train-val-list', join(dir, 'train_val_list.txt'), '--test-list', join(dir, 'test_list.txt'), '--out', join(dir, 'cli'), '--quiet'],
    { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true } },
  );
  t.is(code, 0);
  t.regex(stdout, /41 of 40 patients; train_val 39 .*test 2/);
});

test('the public NIH release: 112,120 images of 30,805 patients, 86,524 train_val and 25,596 test, exported back unchanged', async (t) => {
  if (!existsSync(join(nih, 'Data_Entry_2017_v2020.csv.gz'))) {
    t.log(`skipped: ${nih} is absent (set CXR8_SHARED_DATA)`);
    t.pass();
    return;
  }
  const out = await mkdtemp(join(tmpdir(), 'cxr8-nih-real-'));
  const s = await importNih({
    dataEntry: join(nih, 'Data_Entry_2017_v2020.csv.gz'),
    bbox: join(nih, 'BBox_List_2017.csv'),
    trainValList: join(nih, 'train_val_list.txt'),
    testList: join(nih, 'test_list.txt'),
    out,
    progress: null,
  });
  t.log(`imported in ${s.seconds.toFixed(1)} s`);
  t.is(s.images, 112120);
  t.is(s.patients, 30805);
  t.is(s.trainVal, 86524);
  t.is(s.test, 25596);
  t.is(s.boxes, 984);
  t.is(s.failed, 0);
  const original = gunzipSync(await readFile(join(nih, 'Data_Entry_2017_v2020.csv.gz')));
  t.true(original.equals(await readFile(join(out, 'Data_Entry.csv'))), 'Data_Entry.csv is byte-identical to the release');
  for (const name of ['train_val_list.txt', 'test_list.txt']) {
    t.true((await readFile(join(nih, name))).equals(await readFile(join(out, name))), `${name} is byte-identical`);
  }
  t.true((await readFile(join(nih, 'BBox_List_2017.csv'))).equals(await readFile(join(out, 'BBox_List.csv'))), 'BBox_List is byte-identical');
  const db = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  t.deepEqual(db.prepare('SELECT patient_id FROM images GROUP BY patient_id HAVING count(DISTINCT split) > 1').all(), []);
  db.close();
});

test('a Data_Entry with bytes that are not UTF-8 is refused naming the line and byte offset, never read as U+FFFD', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-nih-latin1-'));
  const head = 'Image Index,Finding Labels,Follow-up #,Patient ID\n00000001_000.png,No Finding,0,1\n00000002_000.png,Mass';
  await writeFile(join(dir, 'Data_Entry_2017.csv'), Buffer.concat([Buffer.from(head), Buffer.from([0xa0]), Buffer.from(',0,2\n')]));
  await t.throwsAsync(readDataEntry(join(dir, 'Data_Entry_2017.csv')), {
    message: new RegExp(`Data_Entry_2017\\.csv: expected UTF-8 text, found byte 0xA0 at byte offset ${head.length} of Data_Entry_2017\\.csv \\(line 3\\).*iconv`),
  });
  let stderr = '';
  const code = await main(['import-nih', '--data-entry', join(dir, 'Data_Entry_2017.csv'), '--out', join(dir, 'out'), '--quiet'], {
    stdout: { write: () => true },
    stderr: { write: (s: string) => (stderr += s) },
  });
  t.is(code, 3);
  t.regex(stderr, /byte 0xA0 at byte offset \d+ .*\(line 3\)/);
});

test('a BBox_List saved as UTF-16, or with a byte that is not UTF-8, is refused naming the file and what was found', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-nih-utf16-'));
  const text = 'Image Index,Finding Label,Bbox [x,y,w,h],,,\n00000001_000.png,Mass,1,2,3,4\n';
  await writeFile(join(dir, 'utf16.csv'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
  await t.throwsAsync(readBboxList(join(dir, 'utf16.csv')), { instanceOf: ReportSourceError, message: /utf16\.csv: expected UTF-8 text, found UTF-16 \(byte order mark FF FE\)/ });
  await writeFile(join(dir, 'latin1.csv'), Buffer.concat([Buffer.from(text), Buffer.from('00000002_000.png,Mass'), Buffer.from([0xe9]), Buffer.from(',1,2,3,4\n')]));
  await t.throwsAsync(readBboxList(join(dir, 'latin1.csv')), { message: new RegExp(`latin1\\.csv: expected UTF-8 text, found byte 0xE9 at byte offset ${text.length + 21} of latin1\\.csv \\(line 3\\)`) });
});

test('a split list is read with CRLF, blank lines and no last newline, and refused at a byte that is not UTF-8', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-nih-list-'));
  await writeFile(join(dir, 'list.txt'), '00000001_000.png\r\n\r\n 00000002_000.png \n00000003_000.png');
  t.deepEqual([...(await readImageList(join(dir, 'list.txt')))], ['00000001_000.png', '00000002_000.png', '00000003_000.png']);
  await writeFile(join(dir, 'bad.txt'), Buffer.concat([Buffer.from('00000001_000.png\n0000'), Buffer.from([0xff]), Buffer.from('_000.png\n')]));
  await t.throwsAsync(readImageList(join(dir, 'bad.txt')), { message: /bad\.txt: expected UTF-8 text, found byte 0xFF at byte offset 21 of bad\.txt \(line 2\)/ });
});
