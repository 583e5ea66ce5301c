/**
 * `importNih`: the public NIH ChestX-ray14 release into the same dataset schema as a PACS build, so that one trainer
 * reads both.
 *
 * Inputs and their quirks:
 * - `Data_Entry_2017.csv` (or `_v2020`, or gzipped `.csv.gz`): the header's `OriginalImage[Width,Height]` and
 *   `OriginalImagePixelSpacing[x,y]` each span two columns; the 2017 file has a trailing comma (an empty 12th column);
 *   older copies write ages as "058Y" (DICOM AS), later ones as "58".
 * - `BBox_List_2017.csv`: header `Image Index,Finding Label,Bbox [x,y,w,h],,,` (three unnamed columns), the class
 *   spelled "Infiltrate"; stored as "Infiltration".
 * - `train_val_list.txt` / `test_list.txt`: the official patient-level split. Test stays test; train_val is divided
 *   into train and val by patient, by the same seeded hash as a PACS build (val share = val / (train + val) of
 *   `--split`, 1/8 by default). Without the lists the 70/10/20 hash split is used.
 *
 * Labels are binary in this release: a listed finding is stored as 1 and an unlisted one is absent, with
 * `meta.labels_absent = 0` telling readers (shards, CheXpert.csv) that absent means 0. "No Finding" is stored as a
 * label too. Everything is written in one transaction, so the 112,120 rows take seconds.
 *
 * With `images` (a folder of the release's PNGs, searched recursively, e.g. `images_001/images/...`), images found
 * there are marked done and shards are written from them; images not found are marked `missing` and counted.
 */
import { readdir } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { existsSync } from 'node:fs';
import { FINDINGS_14, NO_FINDING, readCsvRecordChunks, readUtf8Pieces, type CsvRecord, makeDirectory } from '@cxr8/labeler';
import { notUtf8Error, refusedAsSourceError } from './reports.js';
import { ageInYears, normalizeSex } from './deidentify.js';
import { DEFAULT_SPLIT, assignSplit, patientHash } from './splits.js';
import type { SplitFractions } from './splits.js';
import type { Split } from './shards.js';
import { DATASET_SCHEMA, finishRun, openStore, recordFailure, setMeta, startRun } from './store.js';
import { NihFormatError, NothingToDoError, UsageError } from './errors.js';
import { checkOutFolder, storableError } from './run-setup.js';
import { writeNihExports } from './exports/nih.js';
import { writeChexpertCsv } from './exports/chexpert.js';
import { recordLabelSet } from './label-set.js';
import { writeDatasetShards } from './exports/shards.js';
import type { ShardsSummary } from './exports/shards.js';
import { createPool } from './pool.js';
import { defaultWorkers } from './pipeline.js';

/** Options of {@link importNih}. */
export interface ImportNihOptions {
  dataEntry: string;
  bbox?: string;
  trainValList?: string;
  testList?: string;
  /** Folder holding the release's PNGs (searched recursively). Without it, metadata only. */
  images?: string;
  out: string;
  seed?: string;
  split?: SplitFractions;
  shardSize?: number;
  shardRecords?: number;
  workers?: number;
  progress?: NodeJS.WriteStream | null;
  /** Write into an `--out` folder that holds something other than a cxr8 dataset (`--force`; see run-setup.ts). */
  force?: boolean;
}

/** What an import holds. */
export interface ImportNihSummary {
  out: string;
  images: number;
  patients: number;
  trainVal: number;
  test: number;
  splits: { train: number; val: number; test: number };
  boxes: number;
  pngs: { found: number; missing: number } | undefined;
  shards: ShardsSummary | undefined;
  /** Rows that could not be imported (failures table). */
  failed: number;
  seconds: number;
  /** Seconds per stage: read, insert, exports, shards (the database is closed after). */
  stageSeconds: Record<string, number>;
}

/** One row of Data_Entry. */
export interface NihEntry {
  imageIndex: string;
  findings: string[];
  followup: number;
  patientId: number;
  age: number | undefined;
  sex: string;
  view: string;
  width: number | undefined;
  height: number | undefined;
  spacingX: number | undefined;
  spacingY: number | undefined;
}

const KNOWN_LABELS = new Set<string>([...FINDINGS_14, NO_FINDING]);

/**
 * The NIH spelling of a finding mapped to the dataset's: "Infiltrate" (BBox_List) is "Infiltration".
 *
 * @example
 * ```ts
 * normalizeNihFinding('Infiltrate'); // 'Infiltration'
 * ```
 */
export function normalizeNihFinding(name: string): string {
  const n = name.trim();
  if (n === 'Infiltrate') return 'Infiltration';
  if (n === 'Pleural Thickening') return 'Pleural_Thickening';
  return n;
}

/**
 * The records of a release CSV (Data_Entry, BBox_List) as read: the labeler's one CSV reader, `readCsvRecordChunks`
 * (`.gz` gunzipped; blank lines kept, so that records count rows by position), one array per chunk. The release is
 * read whole or not at all: the first record with a byte that is not UTF-8 is a {@link notUtf8Error} naming the line
 * and byte offset; a UTF-16 file is a `ReportSourceError`.
 */
async function* releaseCsvRecords(path: string): AsyncGenerator<CsvRecord[]> {
  for await (const records of refusedAsSourceError(path, readCsvRecordChunks(path, { keepBlankLines: true }))) {
    for (const r of records) if (r.invalid) throw notUtf8Error(path, r.invalid);
    yield records;
  }
}

function optionalNumber(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Reads Data_Entry (plain or gzipped) into entries; rows that cannot be read are returned as problems.
 *
 * @example
 * ```ts
 * const { entries } = await readDataEntry('../shared/data/nih-cxr14/Data_Entry_2017_v2020.csv.gz');
 * entries[0]; // { imageIndex: '00000001_000.png', findings: ['Cardiomegaly'], followup: 0, patientId: 1, age: 57, ... }
 * ```
 */
export async function readDataEntry(path: string): Promise<{ entries: NihEntry[]; problems: { line: number; reason: string }[] }> {
  const entries: NihEntry[] = [];
  const problems: { line: number; reason: string }[] = [];
  let header: string[] | undefined;
  let col: Record<string, number> = {};
  let line = 0;
  for await (const records of releaseCsvRecords(path)) {
    for (const { fields: row } of records) {
      line++;
      if (!header) {
        header = row.map((h) => h.trim());
        const find = (pred: (h: string) => boolean): number => (header as string[]).findIndex(pred);
        col = {
          index: find((h) => h === 'Image Index'),
          labels: find((h) => h === 'Finding Labels'),
          followup: find((h) => h.startsWith('Follow-up')),
          patient: find((h) => h === 'Patient ID'),
          age: find((h) => h === 'Patient Age'),
          sex: find((h) => h === 'Patient Gender' || h === 'Patient Sex'),
          view: find((h) => h === 'View Position'),
          width: find((h) => h.startsWith('OriginalImage[')),
          spacing: find((h) => h.startsWith('OriginalImagePixelSpacing[')),
        };
        const missing = ['index', 'labels', 'patient'].filter((k) => (col[k] ?? -1) < 0);
        if (missing.length > 0) {
          throw new NihFormatError(
            `expected a Data_Entry header with "Image Index", "Finding Labels", "Patient ID" (as in Data_Entry_2017.csv), found ${JSON.stringify(row.slice(0, 12))}`,
            { file: path },
          );
        }
        continue;
      }
      if (row.length === 1 && (row[0] ?? '').trim() === '') continue;
      const get = (k: string, offset = 0): string | undefined => {
        const i = col[k] ?? -1;
        return i < 0 ? undefined : row[i + offset];
      };
      const imageIndex = (get('index') ?? '').trim();
      const patientId = Number(get('patient'));
      if (!/^\S+\.png$/i.test(imageIndex) || !Number.isInteger(patientId) || patientId < 0) {
        problems.push({ line, reason: `expected an Image Index like 00000001_000.png and an integer Patient ID, found "${imageIndex}", "${get('patient') ?? ''}"` });
        continue;
      }
      const findings = (get('labels') ?? '')
        .split('|')
        .map(normalizeNihFinding)
        .filter((f) => f !== '');
      const unknown = findings.filter((f) => !KNOWN_LABELS.has(f));
      if (unknown.length > 0) problems.push({ line, reason: `${imageIndex}: unknown finding ${JSON.stringify(unknown)} ignored` });
      entries.push({
        imageIndex,
        findings: findings.filter((f) => KNOWN_LABELS.has(f)),
        followup: optionalNumber(get('followup')) ?? Number(/_(\d+)\./.exec(imageIndex)?.[1] ?? 0),
        patientId,
        age: ageInYears(get('age') ?? '', '', ''),
        sex: normalizeSex(get('sex') ?? ''),
        view: (get('view') ?? '').trim().toUpperCase(),
        width: optionalNumber(get('width')),
        height: optionalNumber(get('width', 1)),
        spacingX: optionalNumber(get('spacing')),
        spacingY: optionalNumber(get('spacing', 1)),
      });
    }
  }
  if (!header) throw new NihFormatError('expected a Data_Entry CSV with a header row, found an empty file', { file: path });
  return { entries, problems };
}

/**
 * Reads BBox_List (its header has three unnamed trailing columns; the class is spelled "Infiltrate").
 *
 * @example
 * ```ts
 * (await readBboxList('BBox_List_2017.csv'))[0]; // { imageIndex: '00013118_008.png', finding: 'Atelectasis', x: 225.08, ... }
 * ```
 */
export async function readBboxList(path: string): Promise<{ imageIndex: string; finding: string; x: number; y: number; w: number; h: number }[]> {
  const out: { imageIndex: string; finding: string; x: number; y: number; w: number; h: number }[] = [];
  let first = true;
  let line = 0;
  for await (const records of releaseCsvRecords(path)) {
    for (const { fields: row } of records) {
      line++;
      if (first) {
        first = false;
        if ((row[0] ?? '').trim() !== 'Image Index' || !(row[2] ?? '').startsWith('Bbox')) {
          throw new NihFormatError(`expected a BBox_List header "Image Index,Finding Label,Bbox [x,y,w,h],,,", found "${row.join(',')}"`, { file: path });
        }
        continue;
      }
      if (row.length === 1 && (row[0] ?? '').trim() === '') continue;
      const [x, y, w, h] = row.slice(2, 6).map(Number);
      if (row.length < 6 || [x, y, w, h].some((v) => v === undefined || !Number.isFinite(v))) {
        throw new NihFormatError(`line ${line}: expected Image Index, Finding Label and four numbers x,y,w,h, found "${row.join(',')}"`, { file: path });
      }
      out.push({ imageIndex: (row[0] ?? '').trim(), finding: normalizeNihFinding(row[1] ?? ''), x: x as number, y: y as number, w: w as number, h: h as number });
    }
  }
  return out;
}

/**
 * Reads a split list (one Image Index a line; CRLF and a missing last newline accepted): the labeler's
 * `readUtf8Pieces` (`.gz` gunzipped), read whole or not at all like the CSVs ({@link notUtf8Error}).
 *
 * @example
 * ```ts
 * (await readImageList('test_list.txt')).size; // 25596
 * ```
 */
export async function readImageList(path: string): Promise<Set<string>> {
  const names = new Set<string>();
  // Each piece ends at a line break (the last at the end of the file), so lines are split within pieces.
  for await (const piece of refusedAsSourceError(path, readUtf8Pieces(path))) {
    const bad = piece.invalidBytes[0];
    if (bad !== undefined) throw notUtf8Error(path, bad);
    for (const line of piece.text.split(/\r?\n/)) {
      const name = line.trim();
      if (name !== '') names.add(name);
    }
  }
  return names;
}

/** The PNGs under `root` by file name (the first in walk order wins), and how many files were looked at. */
async function findPngs(root: string): Promise<{ pngs: Map<string, string>; files: number }> {
  const out = new Map<string, string>();
  const stack = [root];
  let files = 0;
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else {
        files++;
        if (e.name.toLowerCase().endsWith('.png') && !out.has(e.name)) out.set(e.name, relative(root, p).split(sep).join('/'));
      }
    }
  }
  return { pngs: out, files };
}

/**
 * Imports the NIH release into `out/dataset.sqlite` (replacing an earlier import there), writes the NIH and CheXpert
 * exports and, with `images`, the shards.
 *
 * @example
 * ```ts
 * const s = await importNih({ dataEntry: 'Data_Entry_2017.csv', bbox: 'BBox_List_2017.csv',
 *   trainValList: 'train_val_list.txt', testList: 'test_list.txt', out: 'out/nih' });
 * s.images; // 112120
 * ```
 */
export async function importNih(options: ImportNihOptions): Promise<ImportNihSummary> {
  const started = Date.now();
  if (!options.dataEntry) throw new UsageError('--data-entry: expected the path of Data_Entry_2017.csv, found nothing');
  if (!options.out) throw new UsageError('--out: expected the dataset folder to write, found nothing');
  if ((options.trainValList === undefined) !== (options.testList === undefined)) {
    throw new UsageError('expected both --train-val-list and --test-list or neither, found only one');
  }
  for (const p of [options.dataEntry, options.bbox, options.trainValList, options.testList, options.images]) {
    if (p !== undefined && !existsSync(p)) throw new UsageError('expected an NIH release file or folder, found nothing at this path', { file: p });
  }
  const out = resolve(options.out);
  // Nothing is written before --out is known to be new, empty or an earlier import (run-setup.ts).
  await checkOutFolder(out, 'nih', options.force ?? false);
  const seed = options.seed ?? 'cxr8';
  const fractions = options.split ?? DEFAULT_SPLIT;
  const timings: Record<string, number> = {};
  let mark = Date.now();
  const lap = (name: string): void => {
    const now = Date.now();
    timings[name] = (now - mark) / 1000;
    mark = now;
  };
  const { entries, problems } = await readDataEntry(options.dataEntry);
  const boxes = options.bbox ? await readBboxList(options.bbox) : [];
  const trainVal = options.trainValList ? await readImageList(options.trainValList) : undefined;
  const test = options.testList ? await readImageList(options.testList) : undefined;
  const imagesDir = options.images ? resolve(options.images) : undefined;
  const scan = imagesDir ? await findPngs(imagesDir) : undefined;
  const pngs = scan?.pngs;
  if (imagesDir && scan && pngs && entries.length > 0 && !entries.some((e) => pngs.has(e.imageIndex))) {
    const example = entries[0]?.imageIndex ?? '00000001_000.png';
    throw new NothingToDoError(
      `expected the release's PNGs named as in Data_Entry (e.g. ${example}) anywhere under the --images folder, found none of the ${entries.length} listed among ${scan.files} ${scan.files === 1 ? 'file' : 'files'} (${pngs.size} PNG); nothing was written. Leave --images out for a metadata-only import`,
      { file: imagesDir },
    );
  }
  lap('read');

  // Patient-level split: a patient with any image in the official test list is test; train_val is split by hash.
  const valShare = fractions.val / Math.max(1e-12, fractions.train + fractions.val);
  const patientSplit = new Map<number, Split>();
  for (const e of entries) {
    const current = patientSplit.get(e.patientId);
    if (current === 'test') continue;
    if (test && trainVal) {
      if (test.has(e.imageIndex)) patientSplit.set(e.patientId, 'test');
      else if (current === undefined) patientSplit.set(e.patientId, patientHash(e.patientId, seed) < valShare ? 'val' : 'train');
    } else if (current === undefined) patientSplit.set(e.patientId, assignSplit(e.patientId, seed, fractions));
  }

  await makeDirectory(out);
  const store = openStore(join(out, 'dataset.sqlite'));
  const { db } = store;
  const runId = startRun(db, 'import-nih', { '@cxr8/dataset-builder': '0.1.0', node: process.version }, { ...options, out, progress: undefined });
  const inTable = new Map<string, number>();
  let found = 0;
  let missing = 0;
  try {
    // split_method 'official': the release's lists decided test against train_val (train_val then divided by hash).
    const insertPatient = db.prepare('INSERT INTO patients (id, sex, split, split_method) VALUES (?, ?, ?, ?)');
    const splitMethod = test && trainVal ? 'official' : 'hash';
    // Rows go in as JSON arrays through json_each: one statement per table, the loop runs inside SQLite.
    const insertStudies = db.prepare(
      "INSERT INTO studies (patient_id, seq, source_key, age_years, has_report) SELECT value->>1, value->>2, 'nih:' || (value->>0), value->>3, 1 FROM json_each(?)",
    );
    const insertImages = db.prepare(`INSERT INTO images (image_index, patient_id, study_id, followup, view, age_years, split, file,
        original_width, original_height, pixel_spacing_x, pixel_spacing_y, png_status, source_key)
      SELECT j.value->>0, j.value->>1, s.id, j.value->>2, j.value->>4, j.value->>3, p.split, j.value->>5,
        j.value->>6, j.value->>7, j.value->>8, j.value->>9, j.value->>10, j.value->>0
      FROM json_each(?) j JOIN studies s ON s.source_key = 'nih:' || (j.value->>0) JOIN patients p ON p.id = j.value->>1
      ORDER BY j.key`);
    // The evidence of a release label is its source and its rank in Finding Labels (the export keeps that order).
    const insertLabels = db.prepare(`INSERT INTO labels (image_id, finding, value, evidence)
      SELECT i.id, j.value->>1, 1, json_array(json_object('source', 'Data_Entry', 'rank', j.value->>2))
      FROM json_each(?) j JOIN images i ON i.image_index = j.value->>0`);
    const imageIdOf = db.prepare('SELECT id FROM images WHERE image_index = ?').pluck();
    const insertBox = db.prepare('INSERT INTO boxes (image_id, finding, x, y, w, h) VALUES (?, ?, ?, ?, ?, ?)');
    db.transaction(() => {
      db.exec('DELETE FROM boxes; DELETE FROM labels; DELETE FROM images; DELETE FROM studies; DELETE FROM patients; DELETE FROM failures; DELETE FROM excluded; DELETE FROM unmatched_reports;');
      setMeta(db, 'kind', 'nih');
      setMeta(db, 'labels_absent', '0');
      setMeta(db, 'images_dir', imagesDir ?? '');
      setMeta(db, 'seed', seed);
      setMeta(db, 'split', `${fractions.train},${fractions.val},${fractions.test}`);
      // The release's own labels: the NIH 14 (label-set.ts); the digest names their source, not a lexicon.
      recordLabelSet(db, { name: 'nih14', digest: 'nih-release', findings: [...FINDINGS_14] });
      const sexes = new Map<number, string>();
      for (const e of entries) if (!sexes.has(e.patientId) || sexes.get(e.patientId) === '') sexes.set(e.patientId, e.sex);
      for (const [id, split] of [...patientSplit.entries()].sort((a, b) => a[0] - b[0])) insertPatient.run(id, sexes.get(id) ?? '', split, splitMethod);
      for (const p of problems) recordFailure(db, `${options.dataEntry}:${p.line}`, 'import', p.reason);
      const studies: unknown[] = [];
      const images: unknown[] = [];
      const labels: unknown[] = [];
      for (const e of entries) {
        if (inTable.has(e.imageIndex)) {
          recordFailure(db, e.imageIndex, 'import', 'duplicate Image Index in Data_Entry (first row kept)');
          continue;
        }
        inTable.set(e.imageIndex, 0);
        const file = pngs?.get(e.imageIndex);
        if (pngs) {
          if (file) found++;
          else missing++;
        }
        studies.push([e.imageIndex, e.patientId, e.followup, e.age ?? null]);
        images.push([
          e.imageIndex,
          e.patientId,
          e.followup,
          e.age ?? null,
          e.view === 'AP' ? 'AP' : 'PA',
          file ?? e.imageIndex,
          e.width ?? null,
          e.height ?? null,
          e.spacingX ?? null,
          e.spacingY ?? null,
          pngs ? (file ? 'done' : 'missing') : 'metadata',
        ]);
        e.findings.forEach((f, rank) => labels.push([e.imageIndex, f, rank]));
      }
      // Secondary indices are rebuilt once after the bulk insert instead of being updated row by row.
      db.exec('DROP INDEX IF EXISTS images_patient; DROP INDEX IF EXISTS images_study; DROP INDEX IF EXISTS images_split; DROP INDEX IF EXISTS images_status; DROP INDEX IF EXISTS studies_patient; DROP INDEX IF EXISTS labels_finding;');
      insertStudies.run(JSON.stringify(studies));
      insertImages.run(JSON.stringify(images));
      insertLabels.run(JSON.stringify(labels));
      db.exec(DATASET_SCHEMA);
      for (const b of boxes) {
        const imageId = inTable.has(b.imageIndex) ? (imageIdOf.get(b.imageIndex) as number) : undefined;
        if (imageId === undefined) recordFailure(db, `${b.imageIndex}:${b.finding}`, 'import', 'box for an image that is not in Data_Entry');
        else insertBox.run(imageId, b.finding, b.x, b.y, b.w, b.h);
      }
    })();
    lap('insert');
    await writeNihExports(db, out);
    await writeChexpertCsv(db, out, '0.0', imagesDir ?? 'images');
    lap('exports');
    const shardSize = options.shardSize ?? 224;
    let shards: ShardsSummary | undefined;
    if (pngs && shardSize > 0) {
      const pool = createPool(options.workers ?? defaultWorkers());
      try {
        shards = await writeDatasetShards(db, out, { size: shardSize, records: options.shardRecords ?? 1000, pool, progress: options.progress === undefined ? process.stderr : options.progress });
      } finally {
        await pool.close();
      }
    }
    lap('shards');
    const splits = { train: 0, val: 0, test: 0 };
    for (const r of db.prepare('SELECT split, count(*) AS n FROM images GROUP BY split').all() as { split: Split; n: number }[]) splits[r.split] = r.n;
    const failed = db.prepare('SELECT count(*) FROM failures').pluck().get() as number;
    const summary: ImportNihSummary = {
      out,
      images: inTable.size,
      patients: patientSplit.size,
      trainVal: splits.train + splits.val,
      test: splits.test,
      splits,
      boxes: db.prepare('SELECT count(*) FROM boxes').pluck().get() as number,
      pngs: pngs ? { found, missing } : undefined,
      shards,
      failed,
      seconds: (Date.now() - started) / 1000,
      stageSeconds: timings,
    };
    finishRun(db, runId, failed > 0 ? 'failures' : 'ok', summary);
    return summary;
  } catch (error) {
    finishRun(db, runId, 'error', { error: storableError(error, { '--out': out }) });
    throw error;
  } finally {
    store.close();
  }
}
