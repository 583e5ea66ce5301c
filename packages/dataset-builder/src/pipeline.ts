/**
 * `buildDataset`: a PACS export (DICOM tree + reports) to a de-identified, labeled, patient-split dataset.
 *
 * This module checks the options, opens the store, chains the stages and writes the summary; each stage is a
 * function of a {@link StageContext} (src/stages/context.ts) in its own file:
 *
 * 1. discover (discover.ts): the streaming walk of `--dicom`, driven by the index stage.
 * 2. index (stages/index.ts): headers parsed in the worker pool, each file classified into the private `sources`
 *    table. A file already indexed with the same size and mtime is skipped: this is what makes re-runs cheap.
 * 3. reports (stages/reports.ts): every `--reports` source and the SR documents into the private `reports` table.
 * 4. assign (stages/assign.ts): one transaction that derives patients (pseudonyms, recorded splits kept), studies
 *    (Study Date then Study Time order), unnamed image rows, duplicates, excluded objects, unmatched reports.
 * 5. label (stages/label.ts): each study's report labeled once with the build's label set; its labels go to each of
 *    its images. Another set relabels every study in place.
 * 6. split (stages/split.ts): `--stratify` deals out the new patients by label (the hash split is set in assign).
 * 7. render (stages/render.ts): DICOM to 8-bit PNG at `--size` in the pool, temp name + rename; an unnamed image
 *    goes to `images/.pending/`. The same pixels at `--shard-size` are spooled to `.shard-pixels/`.
 * 8. name (stages/name.ts): images that entered the dataset (rendered, with a report) get
 *    `{patient:08d}_{followup:03d}.png`, the patient's next follow-up numbers in date order; a name never changes.
 * 9. export (stages/export.ts): the NIH files and CheXpert.csv.
 * 10. shards (stages/shards.ts): training shards, from the spooled pixels (a PNG without them is decoded); the
 *     spool is then deleted.
 *
 * Resume: every stage only does the work the database says is not done, and writes its results in batched
 * transactions whose content depends only on the input, so a run killed at any moment and run again ends with the
 * same database as an uninterrupted run (the `runs` table aside). This module owns what a resumed run must find
 * as it was: the recorded options (refused when they differ), the key, and the `runs` row.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { Database as Db } from 'better-sqlite3';
import type { LabelSet } from '@cxr8/labeler';
import { emptyDiscoverCounts, ownOutputPaths } from './discover.js';
import { excludedByReason } from './copies.js';
import { assertOutsideDataset, defaultKeyFile, newKey } from './deidentify.js';
import { DEFAULT_REPORT_COLUMNS, checkReportSources } from './reports.js';
import { loadBuildLabelSet, readRecordedLabelSet, recordLabelSet } from './label-set.js';
import type { ReportColumns, ReportLabeler } from './reports.js';
import { DEFAULT_SPLIT } from './splits.js';
import type { SplitFractions } from './splits.js';
import { finishRun, getMeta, openStore, setMeta, startRun, statements } from './store.js';
import { PRIVATE_META_SQL } from './sql/sources.js';
import { PATIENTS_SQL } from './sql/patients.js';
import { createPool } from './pool.js';
import type { ShardsSummary } from './exports/shards.js';
import { RebuildRefusedError, UsageError } from './errors.js';
import { assertDicomPresent, checkKeyFile, checkKeyMatchesDataset, checkOutFolder, keyId, recordOptions, resolveRecordedOptions, storableError } from './run-setup.js';
import type { RecordedOptions } from './run-setup.js';
import type { StageContext } from './stages/context.js';
import { indexStage } from './stages/index.js';
import { reportsStage } from './stages/reports.js';
import { assignStage } from './stages/assign.js';
import { labelStage } from './stages/label.js';
import { splitStage } from './stages/split.js';
import { renderStage } from './stages/render.js';
import { nameStage } from './stages/name.js';
import { exportStage } from './stages/export.js';
import { shardsStage } from './stages/shards.js';
import { datasetCounts } from './stages/summary.js';
import { makeDirectory } from '@cxr8/labeler';

export { fileRef } from './stages/index.js';

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

/** The build's HMAC key: the one recorded in the private file, else a new one recorded there. */
function resolveKey(db: Db): Buffer {
  const meta = statements(db, PRIVATE_META_SQL);
  const row = meta.hmacKey.get() as { value: string } | undefined;
  if (row) return Buffer.from(row.value, 'hex');
  const key = newKey();
  meta.insertHmacKey.run(key.toString('hex'));
  return key;
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
  await makeDirectory(join(out, 'images'));
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
    const hasPatients = statements(db, PATIENTS_SQL).any.get() !== undefined;
    for (const [name, flag, value] of [['seed', '--seed', seed], ['split', '--split', splitText]] as const) {
      const recorded = getMeta(db, name);
      if (hasPatients && recorded !== undefined && recorded !== value) {
        throw new RebuildRefusedError(flag, `this dataset was split with ${name} "${recorded}", found "${value}"; patients keep their recorded split, so build into a new --out (with the same --key-file to keep the pseudonyms)`);
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
    const ctx: StageContext = { store, db, key, dicomDir, out, pool, progress: progressStream };
    const discovered = emptyDiscoverCounts();
    const index = await indexStage(ctx, { counts: discovered, keepScrub: keepReportText, selection: { allowBurnedIn: options.allowBurnedIn ?? false, assumeChest: options.assumeChest ?? false }, exclude: ownOutput });
    const reports = await reportsStage(ctx, { sources: options.reports ?? [], columns: options.reportColumns ?? DEFAULT_REPORT_COLUMNS });
    const assigned = await assignStage(ctx, { seed, split, stratify: options.stratify ?? false, keepReportText });
    const labeled = labelStage(ctx, { labeler, keepText: keepReportText, labelSetDigest: labelSet.digest });
    if (options.stratify) splitStage(ctx, { seed, split });
    const render = await renderStage(ctx, { size, shardSize });
    await nameStage(ctx);
    await exportStage(ctx, { findings: labelSet.findings });
    const shards = await shardsStage(ctx, { size: shardSize, records: shardRecords, findings: labelSet.findings });
    const dataset = datasetCounts(db);
    const failed = dataset.failed;
    const summary: BuildSummary = {
      out,
      keyFile,
      files: { seen: discovered.files, dicom: discovered.dicom, nonDicom: discovered.nonDicom, dicomDir: discovered.dicomDir, unreadable: discovered.unreadable, indexedThisRun: index.indexed, skippedAsDone: index.skipped, removed: index.removed },
      images: {
        selected: assigned.selected,
        excluded: assigned.excluded,
        duplicates: render.duplicates,
        withoutReport: assigned.withoutReport,
        rendered: dataset.rendered,
        inDataset: dataset.inDataset,
        renderedThisRun: render.rendered,
        excludedByReason: excludedByReason(db),
      },
      reports: { read: reports.read, problems: reports.problems, srDocuments: reports.sr, withoutImage: assigned.reportsWithoutImage, empty: reports.empty, addenda: reports.addenda, duplicates: reports.duplicates, repeatedRows: reports.repeatedRows },
      labeledThisRun: labeled,
      labelSet: { name: labelSet.name, digest: labelSet.digest, findings: labelSet.findings, ...(labelSet.previous ? { previous: labelSet.previous } : {}) },
      patients: dataset.patients,
      splits: dataset.splits,
      shards,
      failed,
      failures: dataset.failures,
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
