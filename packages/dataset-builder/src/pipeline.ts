/**
 * `buildDataset`: a PACS export (DICOM tree + reports) to a de-identified, labeled, patient-split dataset.
 *
 * The stages, in order (each in its own file; this module chains them and owns the database):
 *
 * 1. index (discover.ts, tasks.ts `header`, select.ts): find DICOM files by content, parse their headers in the
 *    worker pool, classify each (image, SR report, excluded with a reason, failed) into the private `sources` table.
 *    A file already indexed with the same size and mtime is skipped: this is what makes re-runs cheap.
 * 2. reports (reports.ts): read every `--reports` source and the SR documents into the private `reports` table.
 * 3. assign (deidentify.ts, splits.ts): one transaction that derives patients (pseudonyms, recorded splits kept),
 *    studies (Study Date then Study Time order), unnamed image rows, duplicates, excluded objects, unmatched reports.
 * 4. label (reports.ts + @cxr8/labeler, label-set.ts): label each study's report once with the build's label set
 *    (`--labels`, `--lexicons`); its labels go to each of its images. Another set relabels every study in place.
 * 5. split: hash-based by default (set in assign for new patients); `--stratify` deals out the new patients by label.
 * 6. render (tasks.ts `render` in the pool): DICOM to 8-bit PNG at `--size`, temp name + rename; an unnamed image
 *    goes to `images/.pending/`.
 * 7. name: images that entered the dataset (rendered, with a report) get `{patient:08d}_{followup:03d}.png`, the
 *    patient's next follow-up numbers in date order; a name never changes once given.
 * 8. exports (exports/nih.ts, exports/chexpert.ts) and shards (exports/shards.ts).
 *
 * Resume: every stage only does the work the database says is not done, and writes its results in batched
 * transactions whose content depends only on the input, so a run killed at any moment and run again ends with the
 * same database as an uninterrupted run (the `runs` table aside).
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { createHash, createHmac } from 'node:crypto';
import type { Database as Db, Statement } from 'better-sqlite3';
import type { LabelSet } from '@cxr8/labeler';
import { discoverDicom, emptyDiscoverCounts, ownOutputPaths } from './discover.js';
import type { DiscoveredFile } from './discover.js';
import { selectImage } from './select.js';
import type { SelectionOptions } from './select.js';
import { RENDERED, dropExcludedImages, excludedByReason, keptCopy, renderOrder, settleCopies } from './copies.js';
import type { CopyRow } from './copies.js';
import { ageInYears, assertOutsideDataset, defaultKeyFile, hmacId, imageIndexName, newKey, normalizeSex } from './deidentify.js';
import { SCRUBBER_VERSION, headerIdentifiersOf, mergeHeaderIdentifiers, parseHeaderIdentifiers, scrubEvidence, scrubReportText } from './scrub.js';
import { DEFAULT_REPORT_COLUMNS, checkReportSources, isBlankReport, labelReport, readReports } from './reports.js';
import { loadBuildLabelSet, readRecordedLabelSet, recordLabelSet } from './label-set.js';
import type { ReportColumns, ReportLabeler, ReportProblem } from './reports.js';
import { DEFAULT_SPLIT, assignSplit, patientDigest, stratifiedSplits, stratumOf } from './splits.js';
import type { SplitFractions } from './splits.js';
import type { Split } from './shards.js';
import { finishRun, getMeta, openStore, recordFailure, setMeta, startRun } from './store.js';
import type { Store } from './store.js';
import { createPool, mapOrdered } from './pool.js';
import type { TaskRunner } from './pool.js';
import type { HeaderInfo, TaskResult } from './tasks.js';
import { createProgress } from './progress.js';
import { EXPORTED_IMAGES, writeNihExports } from './exports/nih.js';
import { writeChexpertCsv } from './exports/chexpert.js';
import { writeDatasetShards } from './exports/shards.js';
import type { ShardsSummary } from './exports/shards.js';
import { UsageError } from './errors.js';
import { assertDicomPresent, checkKeyFile, checkKeyMatchesDataset, checkOutFolder, keyId, recordOptions, resolveRecordedOptions, storableError } from './run-setup.js';
import type { RecordedOptions } from './run-setup.js';

/** Options of {@link buildDataset}. Paths are resolved against the current directory. */
export interface BuildOptions {
  /** Root of the DICOM export (`--dicom`). */
  dicomDir: string;
  /** Report sources (`--reports`, repeatable): CSV, JSONL, or a folder of .txt. SR documents need none. */
  reports?: readonly string[];
  /** Column names of CSV / JSONL reports. */
  reportColumns?: ReportColumns;
  /** Dataset folder (`--out`). */
  out: string;
  /** The private key file (`--key-file`); default `<out>.cxr8-private.sqlite` beside the dataset folder. */
  keyFile?: string;
  /** PNG width and height (`--size`, default 1024). */
  size?: number;
  /** Shard image size (`--shard-size`, default 224; 0 = no shards). */
  shardSize?: number;
  /** Records per shard file (`--shard-records`, default 1000). */
  shardRecords?: number;
  /** Split seed (`--seed`; default: the dataset's recorded seed, else "cxr8"). A different one is refused. */
  seed?: string;
  /** Split fractions (`--split`; default: the dataset's recorded fractions, else 70/10/20). A different one is refused. */
  split?: SplitFractions;
  /** Stratify the split by label (`--stratify`). */
  stratify?: boolean;
  /** Worker threads (`--workers`, default: cores - 1, at least 1; 0 = inline). */
  workers?: number;
  /**
   * Store report text in `studies.report_text` and evidence sentences, de-identified to HIPAA Safe Harbor by
   * `scrubReportText` (src/scrub.ts) (`--keep-report-text`).
   */
  keepReportText?: boolean;
  /**
   * The label set (`--labels`): a set's name (`nih14` default, `nih8`, `chexpert`, an alias, a set in a
   * `lexiconDirs` folder), a set file's path, or a parsed set. A rebuild without it uses the recorded set; another set
   * than the recorded one relabels every study in place (label-set.ts).
   */
  labelSet?: LabelSet;
  /** The labeler's extra lexicon folders (`--lexicons`, repeatable). */
  lexiconDirs?: readonly string[];
  /** The labeler; default `createLabeler({ labelSet, lexiconDirs })` of @cxr8/labeler. */
  labeler?: ReportLabeler;
  /** Where progress lines go; null for none. Default stderr. */
  progress?: NodeJS.WriteStream | null;
  /**
   * Keep images whose pixels may carry identifiers (`--allow-burned-in`): Burned In Annotation YES, secondary
   * captures, derived images without a radiograph origin. Default: excluded with their reason (select.ts).
   */
  allowBurnedIn?: boolean;
  /** Select CR/DX images without any body-part evidence as chest images (`--assume-chest`; select.ts). */
  assumeChest?: boolean;
  /** The longest one file may take in a worker thread before it fails (default 120 s; pool.ts). */
  taskTimeoutMs?: number;
  /** Write into an `--out` folder that holds something other than a cxr8 dataset (`--force`; see run-setup.ts). */
  force?: boolean;
}

/** What a build did and what the dataset now holds. */
export interface BuildSummary {
  out: string;
  keyFile: string;
  /** `removed`: files indexed by an earlier run and no longer in the export (they leave the index). */
  files: { seen: number; dicom: number; nonDicom: number; dicomDir: number; unreadable: number; indexedThisRun: number; skippedAsDone: number; removed: number };
  /**
   * `selected` frontal chest images; `rendered` of them have a PNG (images without a report are rendered too, ready
   * for a later report); `inDataset` are rendered and labeled: those are exported and sharded.
   */
  images: {
    selected: number;
    excluded: number;
    duplicates: number;
    withoutReport: number;
    rendered: number;
    inDataset: number;
    renderedThisRun: number;
    /** The `excluded` table (excluded objects and duplicate copies) by kind of reason, most frequent first. */
    excludedByReason: { reason: string; count: number }[];
  };
  /**
   * `empty`: empty or headings-only reports, labeled (No Finding 1). `addenda`: later rows of one source with the
   * accession (else study UID) of an earlier row of that source, joined to it in file order (an addendum);
   * `duplicates`: reports not used, because an earlier source (or SR document) has their accession, or their text
   * repeats one already joined. `repeatedRows`: where those later rows are, as `reports.csv:<row>` (the first 20).
   */
  reports: { read: number; problems: number; srDocuments: number; withoutImage: number; empty: number; addenda: number; duplicates: number; repeatedRows: string[] };
  labeledThisRun: number;
  /**
   * The label set the dataset is labeled with (recorded in `meta`): its name, digest (set and lexicons) and columns;
   * `previous` when the dataset was labeled with another set (or other lexicons) before this run, which relabeled it.
   */
  labelSet: { name: string; digest: string; findings: string[]; previous?: { name: string; digest: string; findings: string[] } };
  patients: number;
  splits: { train: number; val: number; test: number };
  shards: ShardsSummary | undefined;
  /** Rows in `failures` (all runs: a file that failed stays failed until it changes). */
  failed: number;
  /**
   * The first 50 failures with the source path (from the private file) for the operator. Printed by the CLI, never
   * stored in the dataset.
   */
  failures: { file: string; path: string | undefined; stage: string; reason: string }[];
  seconds: number;
}

const VERSION = '0.1.0';

function keyDigest(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('hex').slice(0, 32);
}

function resolveKey(db: Db): Buffer {
  const row = db.prepare("SELECT value FROM private.meta WHERE key = 'hmac_key'").get() as { value: string } | undefined;
  if (row) return Buffer.from(row.value, 'hex');
  const key = newKey();
  db.prepare("INSERT INTO private.meta (key, value) VALUES ('hmac_key', ?)").run(key.toString('hex'));
  return key;
}

/** Runs `fn` over items in transactions of `size`. */
function batcher(db: Db, size: number): { add(fn: () => void): void; flush(): void } {
  let pending: (() => void)[] = [];
  const commit = db.transaction((fns: (() => void)[]) => {
    for (const f of fns) f();
  });
  return {
    add(fn) {
      pending.push(fn);
      if (pending.length >= size) this.flush();
    },
    flush() {
      if (pending.length === 0) return;
      const fns = pending;
      pending = [];
      commit(fns);
    },
  };
}

/* ---------------------------------------------------------------- stage 1: index */

interface IndexCounts {
  indexed: number;
  skipped: number;
  /** Files of an earlier run no longer in the export. */
  removed: number;
}

/**
 * The de-identified reference of a source file, used in `failures` and `excluded` instead of its path (folder names
 * of exports often carry patient names): "dicom:" and 12 hex digits of a keyed hash of the path.
 *
 * @example
 * ```ts
 * fileRef(key, 'DOE^JANE/IM0001'); // 'dicom:5c1e0a9b3f2d'
 * ```
 */
export function fileRef(key: Buffer, relPath: string): string {
  return `dicom:${hmacId(key, `path:${relPath}`).slice(0, 12)}`;
}

function indexRow(key: Buffer, file: DiscoveredFile, header: HeaderInfo, keepScrub: boolean, selectionOptions: SelectionOptions = {}): Record<string, unknown> {
  const selection = selectImage(header, selectionOptions);
  const spacing = header.pixelSpacing ?? header.imagerPixelSpacing;
  const base = {
    path: file.relPath,
    ref: fileRef(key, file.relPath),
    size: file.size,
    mtime_ms: file.mtimeMs,
    sop_key: hmacId(key, header.sopInstanceUid),
    patient_key: hmacId(key, header.patientId) || hmacId(key, `name:${header.patientName}`),
    // What the split hashes (splits.ts): from the export alone, so that two fresh builds split alike.
    patient_digest: patientDigest(header.patientId, header.patientName),
    study_key: hmacId(key, header.studyInstanceUid),
    accession_key: hmacId(key, header.accessionNumber),
    study_date: header.studyDate,
    study_time: header.studyTime,
    series_number: header.seriesNumber ?? null,
    instance_number: header.instanceNumber ?? null,
    acquired: header.acquisitionDateTime || null,
    age_years: ageInYears(header.patientAge, header.patientBirthDate, header.studyDate) ?? null,
    sex: normalizeSex(header.patientSex),
    view: null as string | null,
    rows: header.rows || null,
    columns: header.columns || null,
    // Pixel Spacing is [row, column] = [y, x] (PS3.3 10.7.1.3).
    spacing_x: spacing ? spacing[1] : null,
    spacing_y: spacing ? spacing[0] : null,
    sr_text: null as string | null,
    scrub: keepScrub ? JSON.stringify(headerIdentifiersOf(header)) : null,
    status: 'image',
    reason: null as string | null,
  };
  if (selection.kind === 'report') return { ...base, status: 'report', sr_text: header.srText ?? '' };
  if (selection.kind === 'excluded') return { ...base, status: 'excluded', reason: selection.reason };
  if (!header.hasPixelData) return { ...base, status: 'failed', reason: 'no Pixel Data (7FE0,0010) in an image object' };
  if (header.sopInstanceUid.trim() === '') return { ...base, status: 'failed', reason: 'no SOP Instance UID (0008,0018)' };
  return { ...base, view: selection.view };
}

async function indexStage(store: Store, key: Buffer, dicomDir: string, pool: TaskRunner, counts: ReturnType<typeof emptyDiscoverCounts>, keepScrub: boolean, progressStream: NodeJS.WriteStream | null, selectionOptions: SelectionOptions = {}, exclude: readonly string[] = []): Promise<IndexCounts> {
  const { db } = store;
  // Selection options (--allow-burned-in, --assume-chest) other than the index was classified with: every file's
  // header is read again (once) to classify it anew; an unchanged file keeps its PNG and its copy outcome.
  const selectionText = JSON.stringify({ allowBurnedIn: selectionOptions.allowBurnedIn ?? false, assumeChest: selectionOptions.assumeChest ?? false });
  const reselect = (db.prepare("SELECT value FROM private.meta WHERE key = 'selection'").pluck().get() as string | undefined) !== selectionText;
  const reread = new Set<string>();
  const known = db.prepare('SELECT size, mtime_ms, scrub, status FROM private.sources WHERE path = ?');
  const upsert = db.prepare(`INSERT INTO private.sources
    (path, ref, size, mtime_ms, status, reason, sop_key, patient_key, study_key, accession_key, study_date, study_time, series_number, instance_number, acquired,
     age_years, sex, view, rows, columns, spacing_x, spacing_y, sr_text, scrub, patient_digest)
    VALUES (@path, @ref, @size, @mtime_ms, @status, @reason, @sop_key, @patient_key, @study_key, @accession_key, @study_date, @study_time, @series_number,
     @instance_number, @acquired, @age_years, @sex, @view, @rows, @columns, @spacing_x, @spacing_y, @sr_text, @scrub, @patient_digest)
    ON CONFLICT(path) DO UPDATE SET ref = excluded.ref, size = excluded.size, mtime_ms = excluded.mtime_ms, status = excluded.status,
      reason = CASE WHEN status = 'image' AND excluded.status = 'image' AND size = excluded.size AND mtime_ms = excluded.mtime_ms THEN reason ELSE excluded.reason END,
      sop_key = excluded.sop_key, patient_key = excluded.patient_key, study_key = excluded.study_key, accession_key = excluded.accession_key,
      study_date = excluded.study_date, study_time = excluded.study_time, series_number = excluded.series_number,
      instance_number = excluded.instance_number, acquired = excluded.acquired, age_years = excluded.age_years, sex = excluded.sex, view = excluded.view, rows = excluded.rows,
      columns = excluded.columns, spacing_x = excluded.spacing_x, spacing_y = excluded.spacing_y, sr_text = excluded.sr_text, scrub = excluded.scrub,
      patient_digest = excluded.patient_digest`);
  const clearFailure = db.prepare("DELETE FROM failures WHERE file = ? AND stage IN ('parse', 'render')");
  // A file that changed on disk is rendered again (its old PNG, or its old failure, no longer holds).
  const rerender = db.prepare("UPDATE images SET png_status = 'pending' WHERE source_key = ? AND png_status IN ('done', 'failed')");
  const result: IndexCounts = { indexed: 0, skipped: 0, removed: 0 };
  const progress = createProgress({ label: 'index', stream: progressStream });
  // Every path seen by this walk: after a complete walk, files gone from the export leave the index.
  const seen = new Set<string>();
  let unreadableFolder = false;
  const failedRow = (relPath: string, size: number, mtimeMs: number, reason: string): Record<string, unknown> => ({
    path: relPath, ref: fileRef(key, relPath), size, mtime_ms: mtimeMs, status: 'failed', reason, sop_key: null, patient_key: null, study_key: null,
    accession_key: null, study_date: null, study_time: null, series_number: null, instance_number: null, acquired: null, age_years: null, sex: null, view: null,
    rows: null, columns: null, spacing_x: null, spacing_y: null, sr_text: null, scrub: null, patient_digest: null,
  });
  const batch = batcher(db, 200);
  // An unreadable file or folder is a failed row of the index (so a failure with its reason, re-derived each run);
  // it is tried again on every run, and leaves the index once readable.
  const onUnreadable = (relPath: string, reason: string, isFolder: boolean): void => {
    if (isFolder) unreadableFolder = true;
    const path = relPath || '.';
    seen.add(path);
    const row = failedRow(path, -1, -1, `cannot read the ${isFolder ? 'folder' : 'file'} (${reason})`);
    batch.add(() => {
      upsert.run(row);
      recordFailure(db, String(row.ref), 'parse', String(row.reason));
    });
  };
  async function* todo(): AsyncGenerator<DiscoveredFile> {
    for await (const file of discoverDicom(dicomDir, { counts, onUnreadable, exclude })) {
      seen.add(file.relPath);
      const row = known.get(file.relPath) as { size: number; mtime_ms: number; scrub: string | null; status: string } | undefined;
      if (row && row.size === file.size && row.mtime_ms === file.mtimeMs) {
        // Indexed by a run without --keep-report-text, or by a version that kept fewer header identifiers (a plain
        // list): read once more for the identifiers the scrubber needs.
        const needsScrub = keepScrub && (row.scrub === null || row.scrub.startsWith('[')) && row.status !== 'failed';
        if (!reselect && !needsScrub) {
          result.skipped++;
          progress.tick();
          continue;
        }
        reread.add(file.relPath);
      }
      yield file;
    }
  }
  // Workers name the file by its reference, so that no error message carries the path.
  for await (const [file, r] of mapOrdered(todo(), pool.capacity, (f) => pool.run({ kind: 'header', path: f.path, file: fileRef(key, f.relPath) }))) {
    result.indexed++;
    progress.tick();
    const ref = fileRef(key, file.relPath);
    if (r.ok && r.kind === 'header') {
      const row = indexRow(key, file, r.header, keepScrub, selectionOptions);
      // A file read again only to reclassify it keeps its render outcome while it stays an image.
      const unchanged = reread.has(file.relPath);
      batch.add(() => {
        if (!unchanged || row.status !== 'image') clearFailure.run(ref);
        upsert.run(row);
        if (row.sop_key && !unchanged) rerender.run(row.sop_key);
        if (row.status === 'failed') recordFailure(db, ref, 'parse', String(row.reason));
      });
    } else {
      const reason = r.ok ? 'expected a DICOM header from the reader; found another kind of task result' : r.reason;
      // The instance a broken file names in its File Meta group, if any: a copy of an image another file renders
      // is a duplicate, not a failure (copies.ts, settleCopies).
      const sop = !r.ok && r.sopInstanceUid ? hmacId(key, r.sopInstanceUid) : null;
      batch.add(() => {
        clearFailure.run(ref);
        upsert.run({ ...failedRow(file.relPath, file.size, file.mtimeMs, reason), sop_key: sop });
        recordFailure(db, ref, 'parse', reason);
      });
    }
  }
  batch.flush();
  // Files deleted from the export (or moved: a move is a deletion and a new file) leave the private index, with
  // their failures; not after a walk that could not read a folder (its files were not seen, not deleted).
  if (!unreadableFolder) {
    const gone = (db.prepare('SELECT path, ref FROM private.sources').all() as { path: string; ref: string }[]).filter((r) => !seen.has(r.path));
    const forget = db.prepare('DELETE FROM private.sources WHERE path = ?');
    const forgetFailures = db.prepare('DELETE FROM failures WHERE file = ?');
    const forgetExcluded = db.prepare('DELETE FROM excluded WHERE file = ?');
    for (const r of gone) {
      batch.add(() => {
        forget.run(r.path);
        forgetFailures.run(r.ref);
        forgetExcluded.run(r.ref);
      });
    }
    batch.flush();
    result.removed = gone.length;
    db.prepare("INSERT INTO private.meta (key, value) VALUES ('selection', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(selectionText);
  }
  progress.done();
  return result;
}

/* ---------------------------------------------------------------- stage 2: reports */

interface ReportCounts {
  read: number;
  problems: number;
  sr: number;
  /** Empty or headings-only reports (labeled like any other: No Finding 1). */
  empty: number;
  /** Later rows of a source with the accession (else study UID) of an earlier row of it: joined to that row. */
  addenda: number;
  /** Reports with the accession number (else study UID) of an earlier source's, or repeating a joined text: not used. */
  duplicates: number;
  /** `source:position` of the later rows (addenda and duplicates), the first {@link REPEATED_ROWS_SHOWN}. */
  repeatedRows: string[];
}

/** How many later rows of an accession the summary names. */
const REPEATED_ROWS_SHOWN = 20;
/** What joins a report and its addendum: a blank line. */
const ADDENDUM_JOIN = '\n\n';

async function reportsStage(store: Store, key: Buffer, sources: readonly string[], columns: ReportColumns): Promise<ReportCounts> {
  const { db } = store;
  const problems: ReportProblem[] = [];
  const counts: ReportCounts = { read: 0, problems: 0, sr: 0, empty: 0, addenda: 0, duplicates: 0, repeatedRows: [] };
  // One report per accession number (else study UID). Rows of one source with the same accession are one report
  // and its addenda, as RIS exports write them: joined in file order with a blank line between (a text that repeats
  // one already joined is not added again). A later source's (or SR document's) report of that accession is not used.
  const seenIds = new Map<string, { label: string; position: number; texts: Set<string> }>();
  const textKey = (text: string): string => createHash('sha256').update(text.trim()).digest('hex').slice(0, 16);
  const join = db.prepare('UPDATE private.reports SET text = text || ? || ? WHERE source = ? AND position = ?');
  /** 'first', 'addendum' (joined to the first row) or 'duplicate' (not used). */
  const place = (label: string, position: number, accessionKey: string, studyKey: string, text: string): 'first' | 'addendum' | 'duplicate' => {
    const id = accessionKey !== '' ? `a:${accessionKey}` : `s:${studyKey}`;
    const first = seenIds.get(id);
    if (!first) {
      seenIds.set(id, { label, position, texts: new Set([textKey(text)]) });
      return 'first';
    }
    if (counts.repeatedRows.length < REPEATED_ROWS_SHOWN) counts.repeatedRows.push(`${label}:${position}`);
    const key = textKey(text);
    if (first.label !== label || first.texts.has(key)) {
      counts.duplicates++;
      return 'duplicate';
    }
    first.texts.add(key);
    counts.addenda++;
    batch.add(() => join.run(ADDENDUM_JOIN, text, first.label, first.position));
    return 'addendum';
  };
  // Reports are re-read on every run (they are small next to the images, and may have been corrected); they are
  // inserted in batches as they stream in, so memory does not grow with the number of reports.
  const insert = db.prepare('INSERT INTO private.reports (source, position, accession_key, study_key, text) VALUES (?, ?, ?, ?, ?)');
  db.exec("DELETE FROM private.reports; DELETE FROM failures WHERE stage = 'reports'");
  const batch = batcher(db, 1000);
  let read = 0;
  const labels = new Set<string>();
  for (const source of sources) {
    // Listings name a source by its file name; a second source with the same name gets "#2", "#3", ...
    let label = basename(source);
    for (let i = 2; labels.has(label); i++) label = `${basename(source)}#${i}`;
    labels.add(label);
    const before = problems.length;
    for await (const r of readReports(resolve(source), columns, problems)) {
      const row = [label, r.position, hmacId(key, r.accession), hmacId(key, r.studyUid), r.text] as const;
      if (place(label, r.position, row[2], row[3], r.text) !== 'first') continue;
      batch.add(() => insert.run(...row));
      read++;
      if (isBlankReport(r.text)) counts.empty++;
    }
    for (const p of problems.slice(before)) p.source = label;
  }
  const srs = db.prepare("SELECT ref, accession_key, study_key, sr_text FROM private.sources WHERE status = 'report' ORDER BY path").all() as {
    ref: string;
    accession_key: string;
    study_key: string;
    sr_text: string | null;
  }[];
  let position = 0;
  for (const sr of srs) {
    position++;
    // An SR document without text is an empty report, labeled like any other (reports.ts, isBlankReport).
    const row = ['dicom-sr', position, sr.accession_key, sr.study_key, sr.sr_text ?? ''] as const;
    // SR documents are a source of their own: a second SR of an accession is an addendum too.
    if (place('dicom-sr', position, row[2], row[3], row[4]) !== 'first') continue;
    batch.add(() => insert.run(...row));
    read++;
    counts.sr++;
    if (isBlankReport(row[4])) counts.empty++;
  }
  for (const p of problems) batch.add(() => recordFailure(db, `${p.source}:${p.position}`, 'reports', p.reason));
  batch.flush();
  counts.read = read;
  counts.problems = problems.length;
  return counts;
}

/* ---------------------------------------------------------------- stage 3: assign */

interface SourceImage {
  path: string;
  study_time: string | null;
  series_number: number | null;
  instance_number: number | null;
  acquired: string | null;
  ref: string;
  sop_key: string;
  patient_key: string;
  study_key: string;
  accession_key: string;
  study_date: string | null;
  age_years: number | null;
  sex: string | null;
  view: string;
  rows: number | null;
  columns: number | null;
  spacing_x: number | null;
  spacing_y: number | null;
  scrub: string | null;
  /** splits.ts `patientDigest`; NULL in an index made before it (re-read once, see store.ts). */
  patient_digest: string | null;
  /** What this copy did in the render stage (copies.ts): NULL, 'rendered', or why it does not render. */
  reason: string | null;
}

interface AssignCounts {
  selected: number;
  excluded: number;
  duplicates: number;
  withoutReport: number;
  reportsWithoutImage: number;
}

const reportQueries = new WeakMap<Db, { byAccession: Statement; byStudy: Statement }>();

/** The report text of a study: reports with its accession number, else with its study UID, in source order. */
function reportTextFor(db: Db, accessionKey: string, studyKey: string): { text: string; ids: { source: string; position: number }[] } | undefined {
  let q = reportQueries.get(db);
  if (!q) {
    q = {
      byAccession: db.prepare('SELECT source, position, text FROM private.reports WHERE accession_key = ? ORDER BY source, position'),
      byStudy: db.prepare('SELECT source, position, text FROM private.reports WHERE study_key = ? ORDER BY source, position'),
    };
    reportQueries.set(db, q);
  }
  type Row = { source: string; position: number; text: string };
  let rows = accessionKey ? (q.byAccession.all(accessionKey) as Row[]) : [];
  if (rows.length === 0 && studyKey) rows = q.byStudy.all(studyKey) as Row[];
  if (rows.length === 0) return undefined;
  return { text: rows.map((r) => r.text).join('\n\n'), ids: rows.map((r) => ({ source: r.source, position: r.position })) };
}

/** A DICOM time (TM, PS3.5 6.2: "HHMMSS.FFFFFF", or the old "HH:MM:SS") as comparable digits; '' when absent. */
function timeKey(value: string | null): string {
  return (value ?? '').replaceAll(':', '').trim();
}

/** When a study was made, as a sortable string: its earliest Study Date, then Study Time, of its images. */
function whenOf(list: readonly SourceImage[]): string {
  return list.reduce((m, s) => {
    const w = `${s.study_date ?? ''} ${timeKey(s.study_time)}`;
    return w < m ? w : m;
  }, '\uffff');
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Images of one study in acquisition order: Series Number, Instance Number, Acquisition DateTime, then path. */
function compareInStudy(a: SourceImage, b: SourceImage): number {
  const num = (x: number | null, y: number | null): number => (x === y ? 0 : x === null ? 1 : y === null ? -1 : x - y);
  return num(a.series_number, b.series_number) || num(a.instance_number, b.instance_number) || compareText(a.acquired ?? '', b.acquired ?? '') || compareText(a.path, b.path);
}

async function assignStage(store: Store, key: Buffer, options: { seed: string; split: SplitFractions; stratify: boolean; keepReportText: boolean; out: string }): Promise<AssignCounts> {
  const { db } = store;
  const counts: AssignCounts = { selected: 0, excluded: 0, duplicates: 0, withoutReport: 0, reportsWithoutImage: 0 };
  const sources = db.prepare("SELECT * FROM private.sources WHERE status = 'image' ORDER BY path").all() as SourceImage[];
  // Copies: the one that rendered, else the first in path order not known to fail (copies.ts); the render stage
  // tries the others when it does not render, and settleCopies records the duplicates once that is known.
  const copiesOf = new Map<string, SourceImage[]>();
  for (const s of sources) {
    const list = copiesOf.get(s.sop_key);
    if (list) list.push(s);
    else copiesOf.set(s.sop_key, [s]);
  }
  const canonical = new Map<string, SourceImage>();
  const duplicates: { ref: string; reason: string }[] = [];
  for (const [sop, list] of copiesOf) {
    const kept = keptCopy(list) ?? (list[0] as SourceImage);
    canonical.set(sop, kept);
    for (const s of list) if (s !== kept) duplicates.push({ ref: s.ref, reason: `duplicate: same SOP Instance UID as ${kept.ref}` });
  }
  // Group by patient, then by study.
  const byPatient = new Map<string, SourceImage[]>();
  for (const s of canonical.values()) {
    const list = byPatient.get(s.patient_key);
    if (list) list.push(s);
    else byPatient.set(s.patient_key, [s]);
  }
  const studyKeyOf = (s: SourceImage): string => s.study_key || `sop:${s.sop_key}`;
  // Pseudonyms: existing ones are kept; new patients are numbered after them in the order of their first study.
  const existing = new Map<string, number>();
  for (const r of db.prepare('SELECT patient_key, pseudonym FROM private.patients').iterate() as Iterable<{ patient_key: string; pseudonym: number }>) {
    existing.set(r.patient_key, r.pseudonym);
  }
  let next = (db.prepare('SELECT max(pseudonym) AS m FROM private.patients').get() as { m: number | null }).m ?? 0;
  const fresh = [...byPatient.entries()]
    .filter(([k]) => !existing.has(k))
    .map(([k, list]) => ({ k, when: whenOf(list), digest: list[0]?.patient_digest ?? '' }))
    // Ties of study time are broken by the export's patient digest, not the keyed hash: the same names in every build.
    .sort((a, b) => compareText(a.when, b.when) || compareText(a.digest, b.digest) || compareText(a.k, b.k));
  const insertPseudonym = db.prepare('INSERT INTO private.patients (patient_key, pseudonym) VALUES (?, ?)');
  // A patient's split, once recorded, is kept (splits.ts): a new patient gets its hash split, provisional
  // ('pending') when --stratify will deal it out after labeling.
  const upsertPatient = db.prepare('INSERT INTO patients (id, sex, split, split_method) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET sex = excluded.sex');
  const splitOf = db.prepare('SELECT split FROM patients WHERE id = ?').pluck();
  const upsertStudy = db.prepare(`INSERT INTO studies (patient_id, seq, source_key, age_years, has_report, report_digest, report_text)
    VALUES (@patient_id, @seq, @source_key, @age_years, @has_report, @report_digest, @report_text)
    ON CONFLICT(source_key) DO UPDATE SET patient_id = excluded.patient_id, seq = excluded.seq, age_years = excluded.age_years,
      has_report = excluded.has_report, report_digest = excluded.report_digest, report_text = excluded.report_text`);
  const studyId = db.prepare('SELECT id FROM studies WHERE source_key = ?').pluck();
  const link = db.prepare('INSERT INTO private.study_links (study_key, accession_key, scrub) VALUES (?, ?, ?) ON CONFLICT(study_key) DO UPDATE SET accession_key = excluded.accession_key, scrub = excluded.scrub');
  const existingImage = db.prepare('SELECT id, patient_id, file FROM images WHERE source_key = ?');
  const deleteImage = db.prepare('DELETE FROM images WHERE id = ?');
  // Images are inserted unnamed: nameStage names them once they are in the dataset (rendered, with a report).
  const insertImage = db.prepare(`INSERT INTO images (patient_id, study_id, view, age_years, split, original_width, original_height,
      pixel_spacing_x, pixel_spacing_y, png_status, source_key)
    VALUES (@patient_id, @study_id, @view, @age_years, @split, @original_width, @original_height,
      @pixel_spacing_x, @pixel_spacing_y, 'pending', @source_key)`);
  const updateImage = db.prepare(`UPDATE images SET study_id = @study_id, view = @view,
      age_years = @age_years, split = @split, pixel_spacing_x = @pixel_spacing_x, pixel_spacing_y = @pixel_spacing_y,
      original_width = coalesce(original_width, @original_width), original_height = coalesce(original_height, @original_height)
    WHERE id = @id`);
  const upsertExcluded = db.prepare('INSERT INTO excluded (file, reason) VALUES (?, ?) ON CONFLICT(file) DO UPDATE SET reason = excluded.reason');
  const matchedReports = new Set<string>();
  const stalePngs: string[] = [];

  db.transaction(() => {
    for (const f of fresh) {
      next++;
      insertPseudonym.run(f.k, next);
      existing.set(f.k, next);
    }
    if (!options.stratify) db.exec("UPDATE patients SET split_method = 'hash' WHERE split_method = 'pending'");
    const patients = [...byPatient.entries()].sort((a, b) => (existing.get(a[0]) ?? 0) - (existing.get(b[0]) ?? 0));
    for (const [patientKey, list] of patients) {
      const pseudonym = existing.get(patientKey) as number;
      const sex = list.map((s) => s.sex ?? '').find((s) => s !== '') ?? '';
      // The split hashes the export's patient identity (splits.ts); the pseudonym only where no digest is indexed.
      const digest = list.map((s) => s.patient_digest ?? '').find((d) => d !== '') ?? '';
      upsertPatient.run(pseudonym, sex, assignSplit(digest !== '' ? digest : pseudonym, options.seed, options.split), options.stratify ? 'pending' : 'hash');
      const split = splitOf.get(pseudonym) as string;
      const studies = new Map<string, SourceImage[]>();
      for (const s of list) {
        const k = studyKeyOf(s);
        const l = studies.get(k);
        if (l) l.push(s);
        else studies.set(k, [s]);
      }
      // Study Date, then Study Time; the keyed hash of the UID only breaks exact ties.
      const orderedStudies = [...studies.entries()].map(([k, l]) => ({ k, l, when: whenOf(l) })).sort((a, b) => compareText(a.when, b.when) || compareText(a.k, b.k));
      orderedStudies.forEach((study, seq) => {
        const first = study.l[0] as SourceImage;
        const report = reportTextFor(db, first.accession_key, first.study_key);
        if (report) for (const id of report.ids) matchedReports.add(`${id.source}\u0000${id.position}`);
        let reportText: string | null = null;
        // Every image's header of the study (their physicians, operators, stations differ) goes to the scrubber.
        const scrub = options.keepReportText ? JSON.stringify(mergeHeaderIdentifiers(study.l.map((s) => parseHeaderIdentifiers(s.scrub)))) : first.scrub;
        if (report && options.keepReportText) reportText = scrubReportText(report.text, parseHeaderIdentifiers(scrub));
        upsertStudy.run({
          patient_id: pseudonym,
          seq,
          source_key: study.k,
          age_years: first.age_years,
          has_report: report ? 1 : 0,
          report_digest: report ? keyDigest(key, report.text) : null,
          report_text: reportText,
        });
        link.run(study.k, first.accession_key, scrub);
        const sid = studyId.get(study.k) as number;
        for (const img of [...study.l].sort(compareInStudy)) {
          counts.selected++;
          if (!report) counts.withoutReport++;
          const row = {
            patient_id: pseudonym,
            study_id: sid,
            view: img.view,
            age_years: img.age_years,
            split,
            original_width: img.columns,
            original_height: img.rows,
            pixel_spacing_x: img.spacing_x,
            pixel_spacing_y: img.spacing_y,
            source_key: img.sop_key,
          };
          const old = existingImage.get(img.sop_key) as { id: number; patient_id: number; file: string | null } | undefined;
          if (old && old.patient_id === pseudonym) {
            updateImage.run({ ...row, id: old.id });
            continue;
          }
          // A new image, or one whose file now names another patient: (re)inserted unnamed, rendered again.
          if (old) {
            if (old.file) stalePngs.push(old.file);
            deleteImage.run(old.id);
          }
          insertImage.run(row);
        }
      });
    }
    for (const d of duplicates) upsertExcluded.run(d.ref, d.reason);
    const excluded = db.prepare("SELECT ref, reason FROM private.sources WHERE status = 'excluded' ORDER BY path").all() as { ref: string; reason: string }[];
    for (const e of excluded) upsertExcluded.run(e.ref, e.reason);
    // Files that are no longer excluded (changed on disk) or no longer in the export leave the table, and so do the
    // render failures of files gone (re-derived here: the index stage's pruning commits per database file).
    db.exec(`DELETE FROM excluded WHERE file IN (SELECT ref FROM private.sources WHERE status NOT IN ('excluded', 'image'))
               OR file NOT IN (SELECT ref FROM private.sources);
             DELETE FROM failures WHERE stage = 'render' AND file LIKE 'dicom:%' AND file NOT IN (SELECT ref FROM private.sources);`);
    const canonicalRefs = new Set([...canonical.values()].map((c) => c.ref));
    const drop = db.prepare('DELETE FROM excluded WHERE file = ?');
    for (const ref of canonicalRefs) drop.run(ref);
    counts.excluded = excluded.length;
    // An image marked failed whose failure row is gone (its file changed; the two databases committed apart) is
    // rendered again rather than left failed without a reason.
    db.exec(`UPDATE images SET png_status = 'pending' WHERE png_status = 'failed' AND NOT EXISTS (
               SELECT 1 FROM failures f JOIN private.sources s ON s.ref = f.file
               WHERE f.stage = 'render' AND s.sop_key = images.source_key)`);
    // Parse failures are re-derived from the private index: with two WAL databases a commit is atomic per file, so a
    // kill between the two could otherwise lose (or keep a stale) failure row.
    db.exec(`INSERT INTO failures (file, stage, reason) SELECT ref, 'parse', reason FROM private.sources WHERE status = 'failed'
               ON CONFLICT(file, stage) DO UPDATE SET reason = excluded.reason;
             DELETE FROM failures WHERE stage = 'parse' AND file NOT IN (SELECT ref FROM private.sources WHERE status = 'failed');`);
    counts.duplicates = duplicates.length;
    db.exec('DELETE FROM unmatched_reports');
    const insertUnmatched = db.prepare('INSERT INTO unmatched_reports (source, position) VALUES (?, ?)');
    // A report is "without an image" when no DICOM object of the export (selected, excluded or failed) has its
    // accession number or study UID; reports of excluded studies (a hand, a CT) are simply not used.
    const knownAccessions = new Set(db.prepare("SELECT DISTINCT accession_key FROM private.sources WHERE accession_key <> '' AND status <> 'report'").pluck().all() as string[]);
    const knownStudies = new Set(db.prepare("SELECT DISTINCT study_key FROM private.sources WHERE study_key <> '' AND status <> 'report'").pluck().all() as string[]);
    for (const r of db.prepare('SELECT source, position, accession_key, study_key FROM private.reports ORDER BY source, position').all() as {
      source: string;
      position: number;
      accession_key: string;
      study_key: string;
    }[]) {
      const known = (r.accession_key !== '' && knownAccessions.has(r.accession_key)) || (r.study_key !== '' && knownStudies.has(r.study_key));
      if (!matchedReports.has(`${r.source}\u0000${r.position}`) && !known) {
        insertUnmatched.run(r.source, r.position);
        counts.reportsWithoutImage++;
      }
    }
  })();
  for (const name of stalePngs) await rm(join(options.out, 'images', name), { force: true });
  return counts;
}

/* ---------------------------------------------------------------- stage 4: label */

function labelStage(store: Store, labeler: ReportLabeler, keepText: boolean, progressStream: NodeJS.WriteStream | null, labelSetDigest: string): number {
  const { db } = store;
  // Evidence with sentences is keyed by the scrubber's version too: a new scrubber, or the flag turned on or off,
  // labels the studies again (sentences scrubbed anew, or dropped). So is the label set (its findings, rules and
  // lexicons, label-set.ts): another set relabels every study in place, old rows replaced.
  const digestSuffix = `${keepText ? `:text-${SCRUBBER_VERSION}` : ''}:labels-${labelSetDigest.slice(0, 16)}`;
  const todo = db
    .prepare(
      `SELECT DISTINCT s.id, s.source_key, s.report_digest, l.accession_key, l.scrub FROM studies s
       JOIN images i ON i.study_id = s.id
       LEFT JOIN private.study_links l ON l.study_key = s.source_key
       WHERE s.has_report = 1 AND (i.label_digest IS NULL OR i.label_digest <> s.report_digest || ?)
       ORDER BY s.id`,
    )
    .all(digestSuffix) as { id: number; source_key: string; report_digest: string; accession_key: string | null; scrub: string | null }[];
  if (todo.length === 0) return 0;
  const imagesOf = db.prepare('SELECT id FROM images WHERE study_id = ?').pluck();
  const clear = db.prepare('DELETE FROM labels WHERE image_id = ?');
  const insert = db.prepare('INSERT INTO labels (image_id, finding, value, evidence) VALUES (?, ?, ?, ?)');
  const done = db.prepare('UPDATE images SET label_digest = ? WHERE id = ?');
  const batch = batcher(db, 100);
  const progress = createProgress({ label: 'label', total: todo.length, stream: progressStream });
  for (const study of todo) {
    const report = reportTextFor(db, study.accession_key ?? '', study.source_key);
    if (!report) continue;
    const labeled = labelReport(labeler, `study-${study.id}`, report.text, keepText);
    // Sentences and mentions are stored as they read in the scrubbed report (scrub.ts), never as written.
    const header = keepText ? parseHeaderIdentifiers(study.scrub) : {};
    const result = keepText ? { labels: labeled.labels.map((l) => ({ ...l, evidence: scrubEvidence(report.text, header, l.evidence) })) } : labeled;
    const imageIds = imagesOf.all(study.id) as number[];
    batch.add(() => {
      for (const imageId of imageIds) {
        clear.run(imageId);
        for (const l of result.labels) insert.run(imageId, l.finding, l.value, JSON.stringify(l.evidence));
        done.run(study.report_digest + digestSuffix, imageId);
      }
    });
    progress.tick();
  }
  batch.flush();
  progress.done();
  return todo.length;
}

/* ---------------------------------------------------------------- stage 5: stratified split */

/**
 * `--stratify`: deals out the patients whose split is still provisional ('pending') and who have a labeled image,
 * balancing each stratum (rarest positive finding) against the patients whose split is recorded, which never move.
 */
function stratifyStage(db: Db, seed: string, fractions: SplitFractions): void {
  const pending = db
    .prepare("SELECT id FROM patients p WHERE split_method = 'pending' AND EXISTS (SELECT 1 FROM images i WHERE i.patient_id = p.id AND i.label_digest IS NOT NULL)")
    .pluck()
    .all() as number[];
  if (pending.length === 0) return;
  const frequency = new Map<string, number>();
  for (const r of db.prepare("SELECT finding, count(*) AS n FROM labels WHERE value = 1 AND finding <> 'No Finding' GROUP BY finding").iterate() as Iterable<{ finding: string; n: number }>) {
    frequency.set(r.finding, r.n);
  }
  const positives = new Map<number, string[]>();
  for (const r of db
    .prepare("SELECT DISTINCT i.patient_id, l.finding FROM labels l JOIN images i ON i.id = l.image_id WHERE l.value = 1 AND l.finding <> 'No Finding'")
    .iterate() as Iterable<{ patient_id: number; finding: string }>) {
    const list = positives.get(r.patient_id);
    if (list) list.push(r.finding);
    else positives.set(r.patient_id, [r.finding]);
  }
  const recorded = db.prepare("SELECT id, split FROM patients WHERE split_method <> 'pending'").all() as { id: number; split: Split }[];
  // Dealt in the order of the export's patient digests (splits.ts), so that two fresh builds deal alike.
  const digestOf = db.prepare(
    "SELECT min(s.patient_digest) FROM private.patients p JOIN private.sources s ON s.patient_key = p.patient_key WHERE p.pseudonym = ? AND s.patient_digest <> ''",
  ).pluck();
  const splits = stratifiedSplits(
    [
      ...recorded.map((p) => ({ patient: p.id, stratum: stratumOf(positives.get(p.id) ?? [], frequency), split: p.split })),
      ...pending.map((id) => ({ patient: id, key: (digestOf.get(id) as string | null) ?? String(id), stratum: stratumOf(positives.get(id) ?? [], frequency) })),
    ],
    seed,
    fractions,
  );
  const setPatient = db.prepare("UPDATE patients SET split = ?, split_method = 'stratified' WHERE id = ?");
  const setImages = db.prepare('UPDATE images SET split = ? WHERE patient_id = ? AND split <> ?');
  db.transaction(() => {
    for (const patient of pending) {
      const split = splits.get(patient) as Split;
      setPatient.run(split, patient);
      setImages.run(split, patient, split);
    }
  })();
}

/* ---------------------------------------------------------------- stage 6: render */

/**
 * Where an image's PNG goes under `images/`: its NIH name once it has one, else a provisional name (an image without
 * a report yet, or not yet named) in `images/.pending/`, which nameStage moves to the final name.
 */
function pngPath(image: { image_index: string | null; source_key: string }): string {
  return image.image_index ?? `.pending/${image.source_key.slice(0, 24)}.png`;
}

async function renderStage(store: Store, dicomDir: string, out: string, size: number, pool: TaskRunner, progressStream: NodeJS.WriteStream | null): Promise<number> {
  const { db } = store;
  const todo = db
    .prepare("SELECT i.id, i.image_index, i.source_key FROM images i WHERE i.png_status = 'pending' ORDER BY i.id")
    .all() as { id: number; image_index: string | null; source_key: string }[];
  if (todo.some((t) => t.image_index === null)) await mkdir(join(out, 'images', '.pending'), { recursive: true });
  const copiesOf = db.prepare("SELECT path, ref, reason FROM private.sources WHERE sop_key = ? AND status = 'image' ORDER BY path");
  const ok = db.prepare("UPDATE images SET png_status = 'done', file = ?, width = ?, height = ?, original_width = ?, original_height = ? WHERE id = ?");
  const failed = db.prepare("UPDATE images SET png_status = 'failed' WHERE id = ?");
  const setOutcome = db.prepare('UPDATE private.sources SET reason = ? WHERE ref = ?');
  const clearKept = db.prepare("UPDATE private.sources SET reason = NULL WHERE sop_key = ? AND status = 'image' AND reason = ?");
  const clearRenderFailure = db.prepare("DELETE FROM failures WHERE file = ? AND stage = 'render'");
  const batch = batcher(db, 50);
  const progress = createProgress({ label: 'render', total: todo.length, stream: progressStream });
  let rendered = 0;
  type Attempt = { copy: CopyRow; result: TaskResult };
  // Copies one task at a time, until one renders (copies.ts): a copy that fails, kills its thread or times out
  // costs only itself.
  const run = async (t: (typeof todo)[number]): Promise<{ copies: CopyRow[]; attempts: Attempt[] }> => {
    const copies = copiesOf.all(t.source_key) as CopyRow[];
    const attempts: Attempt[] = [];
    for (const copy of renderOrder(copies)) {
      const result = await pool.run({ kind: 'render', path: join(dicomDir, copy.path), file: copy.ref, outPath: join(out, 'images', pngPath(t)), size });
      attempts.push({ copy, result });
      if (result.ok) break;
    }
    return { copies, attempts };
  };
  for await (const [t, { copies, attempts }] of mapOrdered(todo, pool.capacity, run)) {
    progress.tick();
    const last = attempts[attempts.length - 1];
    if (last && last.result.ok && last.result.kind === 'render') {
      rendered++;
      const r = last.result;
      batch.add(() => {
        ok.run(pngPath(t), r.width, r.height, r.originalWidth, r.originalHeight, t.id);
        clearKept.run(t.source_key, RENDERED);
        setOutcome.run(RENDERED, last.copy.ref);
        for (const a of attempts) if (!a.result.ok) setOutcome.run(a.result.reason, a.copy.ref);
        for (const c of copies) clearRenderFailure.run(c.ref);
      });
    } else if (attempts.length === 0) {
      batch.add(() => {
        failed.run(t.id);
        recordFailure(db, `image ${t.id}`, 'render', 'expected a DICOM file of this image in the export index; found none (the file was removed or changed)');
      });
    } else {
      // No copy renders: each copy is a failure with its own reason.
      const also = attempts.length > 1 ? ` (none of the ${attempts.length} copies with this SOP Instance UID renders)` : '';
      batch.add(() => {
        failed.run(t.id);
        for (const a of attempts) {
          const reason = a.result.ok ? 'expected a rendered PNG; found another task result' : a.result.reason;
          setOutcome.run(reason, a.copy.ref);
          recordFailure(db, a.copy.ref, 'render', `${reason}${also}`);
        }
      });
    }
  }
  batch.flush();
  progress.done();
  return rendered;
}

/* ---------------------------------------------------------------- stage 7: name */

/**
 * Names the images that have just entered the dataset (rendered, and their study has a report): per patient, the
 * next follow-up numbers after the highest it has, in study order (Study Date, Study Time), then Series Number,
 * Instance Number, Acquisition DateTime and path. A name, once given, never changes, so follow-up numbers are
 * contiguous over the dataset's images, and in date order within each build; an earlier study that arrives in a
 * later build gets the next numbers. The names are committed in one transaction, then the PNGs are moved from
 * their provisional names; a run killed in between finishes the moves on the next run.
 */
async function nameStage(store: Store, out: string): Promise<number> {
  const { db } = store;
  const todo = db
    .prepare(
      `SELECT i.id, i.patient_id FROM images i JOIN studies st ON st.id = i.study_id
       LEFT JOIN private.sources src ON src.path = (SELECT min(s.path) FROM private.sources s WHERE s.sop_key = i.source_key AND s.status = 'image')
       WHERE i.image_index IS NULL AND i.png_status = 'done' AND st.has_report = 1
       ORDER BY i.patient_id, st.seq, src.series_number IS NULL, src.series_number, src.instance_number IS NULL, src.instance_number,
                coalesce(src.acquired, ''), src.path, i.id`,
    )
    .all() as { id: number; patient_id: number }[];
  const nextOf = db.prepare('SELECT coalesce(max(followup), -1) + 1 FROM images WHERE patient_id = ?').pluck();
  const setName = db.prepare('UPDATE images SET image_index = ?, followup = ? WHERE id = ?');
  db.transaction(() => {
    let patient = -1;
    let followup = 0;
    for (const t of todo) {
      if (t.patient_id !== patient) {
        patient = t.patient_id;
        followup = nextOf.get(patient) as number;
      }
      setName.run(imageIndexName(patient, followup), followup, t.id);
      followup++;
    }
  })();
  const moves = db
    .prepare("SELECT id, file, image_index FROM images WHERE image_index IS NOT NULL AND png_status = 'done' AND file IS NOT image_index")
    .all() as { id: number; file: string | null; image_index: string }[];
  const setFile = db.prepare('UPDATE images SET file = ? WHERE id = ?');
  const batch = batcher(db, 200);
  for (const m of moves) {
    const target = join(out, 'images', m.image_index);
    try {
      if (m.file !== null) await rename(join(out, 'images', m.file), target);
    } catch (error) {
      // Moved by a run killed before it recorded the move; anything else (the PNG deleted by hand) renders again.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (!(await stat(target).catch(() => undefined))) {
        batch.add(() => db.prepare("UPDATE images SET png_status = 'pending' WHERE id = ?").run(m.id));
        continue;
      }
    }
    batch.add(() => setFile.run(m.image_index, m.id));
  }
  batch.flush();
  // The provisional folder goes when empty, so that images/ holds only the dataset's PNGs.
  await rmdir(join(out, 'images', '.pending')).catch(() => undefined);
  return todo.length;
}

/* ---------------------------------------------------------------- the pipeline */

function countSplits(db: Db): { train: number; val: number; test: number } {
  const out = { train: 0, val: 0, test: 0 };
  for (const r of db.prepare(`SELECT split, count(*) AS n FROM images i WHERE ${EXPORTED_IMAGES} GROUP BY split`).iterate() as Iterable<{
    split: 'train' | 'val' | 'test';
    n: number;
  }>) {
    out[r.split] = r.n;
  }
  return out;
}

/**
 * The default worker count: all cores but one (the main thread owns SQLite and labels reports), at least one.
 *
 * @example
 * ```ts
 * defaultWorkers(); // 7 on an 8-core machine
 * ```
 */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * Builds (or resumes building) a dataset from a PACS export.
 *
 * @example
 * ```ts
 * const summary = await buildDataset({ dicomDir: 'fixtures/pacs/dicom', reports: ['fixtures/pacs/reports.csv'], out: 'out/demo' });
 * console.log(summary.images.rendered, 'images;', summary.failed, 'failed');
 * ```
 */
export async function buildDataset(options: BuildOptions): Promise<BuildSummary> {
  const started = Date.now();
  if (!options.dicomDir) throw new UsageError('--dicom: expected the folder of a DICOM export, found nothing');
  if (!options.out) throw new UsageError('--out: expected the dataset folder to write, found nothing');
  const out = resolve(options.out);
  const dicomDir = resolve(options.dicomDir);
  const keyFile = resolve(options.keyFile ?? defaultKeyFile(out));
  assertOutsideDataset(keyFile, out);
  const progressStream = options.progress === undefined ? process.stderr : options.progress;
  const givenSize = options.size ?? 1024;
  const givenShardSize = options.shardSize ?? 224;
  if (!Number.isInteger(givenSize) || givenSize < 8 || givenSize > 8192) throw new UsageError(`--size: expected an integer from 8 to 8192, found ${givenSize}`);
  if (!Number.isInteger(givenShardSize) || givenShardSize < 0 || givenShardSize > 4096) throw new UsageError(`--shard-size: expected an integer from 0 to 4096, found ${givenShardSize}`);
  // Nothing is written before --out is known to be ours (or new) and --dicom to hold DICOM (run-setup.ts).
  await checkOutFolder(out, 'pacs', options.force ?? false);
  checkKeyFile(keyFile);
  checkKeyMatchesDataset(out, keyFile, options.keyFile === undefined);
  // --reports are checked before the walk: a wrong CSV must not cost a walk of the whole export.
  await checkReportSources(options.reports ?? [], options.reportColumns ?? DEFAULT_REPORT_COLUMNS);
  // The build's own output inside --dicom (--out, the key file) is never walked (discover.ts).
  const ownOutput = ownOutputPaths(out, keyFile);
  await assertDicomPresent(dicomDir, ownOutput);
  // The label set and its lexicons are read and validated before anything is written (label-set.ts).
  const labelSet = await loadBuildLabelSet({
    ...(options.labelSet !== undefined ? { labelSet: options.labelSet } : {}),
    ...(options.lexiconDirs !== undefined ? { lexiconDirs: options.lexiconDirs } : {}),
    ...(options.labeler !== undefined ? { labeler: options.labeler } : {}),
    // A dataset made before label sets records none: it holds the NIH 14, the default.
    ...(existsSync(join(out, 'dataset.sqlite')) ? { recorded: readRecordedLabelSet(out) } : {}),
  });
  await mkdir(join(out, 'images'), { recursive: true });
  const store = openStore(join(out, 'dataset.sqlite'), keyFile);
  const { db } = store;
  // The options that change the output: recorded ones are the defaults, and a different --size is refused.
  let recordedOptions: RecordedOptions;
  try {
    recordedOptions = resolveRecordedOptions(db, { size: options.size, keepReportText: options.keepReportText, shardSize: options.shardSize, shardRecords: options.shardRecords });
  } catch (error) {
    store.close();
    throw error;
  }
  const { size, shardSize, keepReportText, shardRecords } = recordedOptions;
  // Without --seed / --split, a dataset keeps the ones it was split with (recorded in meta).
  const recordedSplit = getMeta(db, 'split')?.split(',').map(Number);
  const seed = options.seed ?? getMeta(db, 'seed') ?? 'cxr8';
  const split = options.split ?? (recordedSplit?.length === 3 ? { train: recordedSplit[0] as number, val: recordedSplit[1] as number, test: recordedSplit[2] as number } : DEFAULT_SPLIT);
  const labeler = labelSet.labeler;
  const workers = options.workers ?? defaultWorkers();
  const pool = createPool(workers, options.taskTimeoutMs !== undefined ? { taskTimeoutMs: options.taskTimeoutMs } : {});
  // No paths in `runs`: export folders (and the dataset's own place) may name patients, sites or dates.
  const runOptions = { reportSources: (options.reports ?? []).length, labelSet: labelSet.name, lexiconFolders: (options.lexiconDirs ?? []).length, size, shardSize, shardRecords, seed, split, stratify: options.stratify ?? false, workers, keepReportText, assumeChest: options.assumeChest ?? false, allowBurnedIn: options.allowBurnedIn ?? false };
  const runId = startRun(db, 'build', { '@cxr8/dataset-builder': VERSION, node: process.version }, runOptions);
  try {
    // Recorded splits are kept (splits.ts): a different seed or split would mix two splits in one dataset.
    const splitText = `${split.train},${split.val},${split.test}`;
    const hasPatients = db.prepare('SELECT 1 FROM patients LIMIT 1').get() !== undefined;
    for (const [name, flag, value] of [['seed', '--seed', seed], ['split', '--split', splitText]] as const) {
      const recorded = getMeta(db, name);
      if (hasPatients && recorded !== undefined && recorded !== value) {
        throw new UsageError(`${flag}: this dataset was split with ${name} "${recorded}", found "${value}"; patients keep their recorded split, so build into a new --out (with the same --key-file to keep the pseudonyms)`);
      }
    }
    setMeta(db, 'kind', 'pacs');
    setMeta(db, 'labels_absent', 'not-mentioned');
    setMeta(db, 'images_dir', 'images');
    setMeta(db, 'seed', seed);
    setMeta(db, 'split', splitText);
    recordOptions(db, recordedOptions);
    recordLabelSet(db, labelSet);
    const key = resolveKey(db);
    setMeta(db, 'key_id', keyId(key));
    const discovered = emptyDiscoverCounts();
    const index = await indexStage(store, key, dicomDir, pool, discovered, keepReportText, progressStream, { allowBurnedIn: options.allowBurnedIn ?? false, assumeChest: options.assumeChest ?? false }, ownOutput);
    const reports = await reportsStage(store, key, options.reports ?? [], options.reportColumns ?? DEFAULT_REPORT_COLUMNS);
    const assigned = await assignStage(store, key, { seed, split, stratify: options.stratify ?? false, keepReportText, out });
    // Images now excluded (selection options changed, a file changed) leave the dataset with their PNGs.
    for (const file of dropExcludedImages(db)) await rm(join(out, 'images', file), { force: true });
    const labeled = labelStage(store, labeler, keepReportText, progressStream, labelSet.digest);
    if (options.stratify) stratifyStage(db, seed, split);
    const renderedThisRun = await renderStage(store, dicomDir, out, size, pool, progressStream);
    const copies = settleCopies(db);
    await nameStage(store, out);
    await writeNihExports(db, out);
    await writeChexpertCsv(db, out, '', 'images', labelSet.findings);
    const shards = shardSize > 0 ? await writeDatasetShards(db, out, { size: shardSize, records: shardRecords, pool, progress: progressStream, findings: labelSet.findings }) : undefined;
    const failed = (db.prepare('SELECT count(*) FROM failures').pluck().get() as number) ?? 0;
    const summary: BuildSummary = {
      out,
      keyFile,
      files: { seen: discovered.files, dicom: discovered.dicom, nonDicom: discovered.nonDicom, dicomDir: discovered.dicomDir, unreadable: discovered.unreadable, indexedThisRun: index.indexed, skippedAsDone: index.skipped, removed: index.removed },
      images: {
        selected: assigned.selected,
        excluded: assigned.excluded,
        duplicates: copies.duplicates,
        withoutReport: assigned.withoutReport,
        rendered: db.prepare("SELECT count(*) FROM images WHERE png_status = 'done'").pluck().get() as number,
        inDataset: db.prepare(`SELECT count(*) FROM images i WHERE ${EXPORTED_IMAGES}`).pluck().get() as number,
        renderedThisRun,
        excludedByReason: excludedByReason(db),
      },
      reports: { read: reports.read, problems: reports.problems, srDocuments: reports.sr, withoutImage: assigned.reportsWithoutImage, empty: reports.empty, addenda: reports.addenda, duplicates: reports.duplicates, repeatedRows: reports.repeatedRows },
      labeledThisRun: labeled,
      labelSet: { name: labelSet.name, digest: labelSet.digest, findings: labelSet.findings, ...(labelSet.previous ? { previous: labelSet.previous } : {}) },
      patients: db.prepare(`SELECT count(DISTINCT patient_id) FROM images i WHERE ${EXPORTED_IMAGES}`).pluck().get() as number,
      splits: countSplits(db),
      shards,
      failed,
      failures: (db
        .prepare('SELECT f.file, (SELECT path FROM private.sources s WHERE s.ref = f.file) AS path, f.stage, f.reason FROM failures f ORDER BY f.stage, f.file LIMIT 50')
        .all() as { file: string; path: string | null; stage: string; reason: string }[]).map((f) => ({ ...f, path: f.path ?? undefined })),
      seconds: (Date.now() - started) / 1000,
    };
    const { failures: _paths, out: _out, keyFile: _keyFile, ...stored } = summary;
    finishRun(db, runId, failed > 0 ? 'failures' : 'ok', stored);
    return summary;
  } catch (error) {
    finishRun(db, runId, 'error', { error: storableError(error, { '--dicom': dicomDir, '--out': out, '--key-file': keyFile }) });
    throw error;
  } finally {
    await pool.close();
    store.close();
  }
}
