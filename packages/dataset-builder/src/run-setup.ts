/**
 * Run setup: the checks a build or an import makes before it writes anything, so that a slip on the command line
 * never costs work and a wrong input is never called a success.
 *
 * - {@link checkOutFolder}: `--out` must be a new or empty folder, or a cxr8 dataset of the same kind (recognised by
 *   `dataset.sqlite` with `meta.schema_version`); a file, or a folder holding something else (a user's own
 *   `Data_Entry.csv`), is refused unless `--force`.
 * - {@link checkKeyMatchesDataset}: a rebuild must use the key file the dataset was built with (`meta.key_id`,
 *   {@link keyId}); a missing one or another dataset's is refused (exit 3), never replaced by a new random key.
 * - {@link assertDicomPresent}: `--dicom` must hold at least one DICOM file (found by content), the build's own
 *   output inside it not counted.
 * - {@link resolveRecordedOptions}: the options that change the output (`--size`, `--keep-report-text`,
 *   `--shard-size`, `--shard-records`) are recorded in `meta`; without the flag a rebuild uses the recorded value,
 *   and a different `--size` or `--keep-report-text` is refused with both values named, a {@link RebuildRefusedError}
 *   (exit 3; the PNGs and labels already made would otherwise mix two settings). Shard options are applied fully instead: the shards are rewritten.
 */
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { discoverDicom, emptyDiscoverCounts } from './discover.js';
import type { DiscoverCounts } from './discover.js';
import { KeyFileError, NothingToDoError, OutputFolderError, RebuildRefusedError } from './errors.js';
import { getMeta, setMeta } from './store.js';

/** What `dataset.sqlite` says a dataset is: `pacs` (build-dataset) or `nih` (import-nih). */
export type DatasetKind = 'pacs' | 'nih';

/** What {@link checkOutFolder} found. */
export interface OutFolderState {
  /** `new`: absent or empty (or only an empty images/); `dataset`: a cxr8 dataset of the expected kind; `forced`: foreign content accepted by `--force`. */
  state: 'new' | 'dataset' | 'forced';
}

const KIND_NAMES: Record<DatasetKind, string> = { pacs: 'a PACS build (build-dataset)', nih: 'an NIH import (build-dataset import-nih)' };

/** Reads `meta` of an existing `dataset.sqlite` read-only; a reason string when it is not a cxr8 dataset. */
function readDatasetMeta(path: string): { kind: string | undefined } | string {
  let db: Db | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    if (!tables.has('meta') || !tables.has('runs')) return `a SQLite database without the cxr8 tables meta and runs (tables: ${[...tables].slice(0, 6).join(', ') || 'none'})`;
    const version = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get() as string | undefined;
    if (version === undefined) return 'a SQLite database whose meta table has no schema_version';
    return { kind: db.prepare("SELECT value FROM meta WHERE key = 'kind'").pluck().get() as string | undefined };
  } catch (error) {
    return `not a readable SQLite database (${(error as Error).message})`;
  } finally {
    db?.close();
  }
}

/**
 * Decides whether `out` may be written by a run of `kind`, before anything is written: a missing or empty folder is
 * new; a folder with a cxr8 `dataset.sqlite` of the same kind is resumed or rebuilt; anything else is refused with
 * an {@link OutputFolderError} (exit 3) naming what was found: a file, a folder of other files (unless `force`), a
 * `dataset.sqlite` that is not ours (unless `force`), or a dataset of the other kind (always: the two cannot share
 * a database).
 *
 * @example
 * ```ts
 * await checkOutFolder('out/demo', 'pacs', false); // { state: 'new' } the first time, { state: 'dataset' } after
 * await checkOutFolder('Data_Entry.csv', 'pacs', false); // throws OutputFolderError: expected a folder ..., found a file
 * ```
 */
export async function checkOutFolder(out: string, kind: DatasetKind, force: boolean): Promise<OutFolderState> {
  let info;
  try {
    info = await stat(out);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'new' };
    throw new OutputFolderError(`cannot use --out (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { file: out, cause: error });
  }
  if (!info.isDirectory()) {
    throw new OutputFolderError('expected a dataset folder for --out (new, empty, or an earlier dataset), found a file; name a folder, e.g. --out out/demo', { file: out });
  }
  const entries = await readdir(out, { withFileTypes: true });
  if (entries.some((e) => e.name === 'dataset.sqlite')) {
    const meta = readDatasetMeta(join(out, 'dataset.sqlite'));
    if (typeof meta === 'string') {
      if (force) return { state: 'forced' };
      throw new OutputFolderError(`expected a cxr8 dataset folder, found a dataset.sqlite that is ${meta}; nothing was written. Choose another --out, or pass --force to use it anyway`, { file: out });
    }
    if (meta.kind !== undefined && meta.kind !== kind) {
      throw new OutputFolderError(
        `expected ${KIND_NAMES[kind]} or a new folder, found ${KIND_NAMES[meta.kind as DatasetKind] ?? `a dataset of kind "${meta.kind}"`} (meta.kind = ${meta.kind}); the two cannot share one dataset.sqlite, so choose another --out`,
        { file: out },
      );
    }
    return { state: 'dataset' };
  }
  const foreign: string[] = [];
  for (const e of entries) {
    // An empty images/ (a run stopped before its database was made) holds nothing to lose.
    if (e.name === 'images' && e.isDirectory() && (await readdir(join(out, 'images'))).length === 0) continue;
    foreign.push(e.isDirectory() ? `${e.name}/` : e.name);
  }
  if (foreign.length === 0) return { state: 'new' };
  if (force) return { state: 'forced' };
  const shown = foreign.sort().slice(0, 5).join(', ');
  throw new OutputFolderError(
    `expected a new or empty folder or a cxr8 dataset (a folder with dataset.sqlite) for --out, found ${foreign.length} other ${foreign.length === 1 ? 'entry' : 'entries'} (${shown}${foreign.length > 5 ? ', ...' : ''}) and no dataset.sqlite; nothing was written. Choose another --out, or pass --force to write into it (files with the dataset's names, such as Data_Entry.csv, are then replaced)`,
    { file: out },
  );
}

/**
 * How many files a walk looked at, for messages.
 *
 * @example
 * ```ts
 * describeLookedAt({ files: 12, dicom: 0, nonDicom: 10, dicomDir: 1, unreadable: 1 }); // '12 files (10 not DICOM, 1 DICOMDIR, 1 unreadable)'
 * ```
 */
export function describeLookedAt(c: DiscoverCounts): string {
  const parts = [`${c.nonDicom} not DICOM`, `${c.dicomDir} DICOMDIR`, `${c.unreadable} unreadable`];
  return `${c.files} ${c.files === 1 ? 'file' : 'files'} (${parts.join(', ')})`;
}

/**
 * Walks `--dicom` until its first DICOM file; a folder with none is a {@link NothingToDoError} (exit 3) naming what
 * was looked for, where, and how many files were looked at. Most exports answer at their first file.
 *
 * @example
 * ```ts
 * await assertDicomPresent('fixtures/pacs/dicom'); // resolves
 * await assertDicomPresent('/tmp/empty'); // throws: expected DICOM files ..., found none among 0 files
 * ```
 */
export async function assertDicomPresent(dicomDir: string, exclude: readonly string[] = []): Promise<void> {
  const counts = emptyDiscoverCounts();
  for await (const _file of discoverDicom(dicomDir, { counts, exclude })) return;
  throw new NothingToDoError(
    `expected DICOM files in the --dicom folder (recognised by content: "DICM" after a 128-byte preamble, or a bare data set; in any sub-folder, any name), found none among ${describeLookedAt(counts)}; nothing was written`,
    { file: dicomDir },
  );
}

/** The build options that change what a dataset holds, as recorded in `meta`. */
export interface RecordedOptions {
  size: number;
  keepReportText: boolean;
  shardSize: number;
  shardRecords: number;
}

/** Defaults of {@link RecordedOptions} for a new dataset. */
export const DEFAULT_RECORDED_OPTIONS: RecordedOptions = { size: 1024, keepReportText: false, shardSize: 224, shardRecords: 1000 };

const META_KEYS = { size: 'size', keepReportText: 'keep_report_text', shardSize: 'shard_size', shardRecords: 'shard_records' } as const;

/** The recorded value of each option: `meta`, else the options of the last finished build in `runs` (datasets made before meta held them). */
function recordedValues(db: Db): Partial<RecordedOptions> {
  const out: Partial<RecordedOptions> = {};
  const lastRun = db
    .prepare("SELECT options FROM runs WHERE command = 'build' AND status IN ('ok', 'failures') ORDER BY id DESC LIMIT 1")
    .pluck()
    .get() as string | undefined;
  let fromRun: Record<string, unknown> = {};
  try {
    fromRun = lastRun ? (JSON.parse(lastRun) as Record<string, unknown>) : {};
  } catch {
    fromRun = {};
  }
  for (const k of Object.keys(META_KEYS) as (keyof RecordedOptions)[]) {
    const m = getMeta(db, META_KEYS[k]);
    const v: unknown = m !== undefined ? (k === 'keepReportText' ? m === 'true' : Number(m)) : fromRun[k];
    if (k === 'keepReportText' ? typeof v === 'boolean' : typeof v === 'number' && Number.isInteger(v)) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/**
 * The options of this run: each given one, else the dataset's recorded one, else the default. A given `--size` or
 * `--keep-report-text` that differs from the recorded one is a {@link RebuildRefusedError} (exit 3) naming both
 * values, as a different `--seed` is: the PNGs at the old size and the labels made with (or without) report text
 * would stay beside the new ones. `--shard-size` / `--shard-records` may change: the shards are rewritten whole.
 * Only datasets that already hold images are held to their record.
 *
 * @example
 * ```ts
 * resolveRecordedOptions(db, { size: 256 }); // { size: 256, keepReportText: false, shardSize: 224, shardRecords: 1000 } on a new dataset
 * resolveRecordedOptions(db, { size: 512 }); // throws RebuildRefusedError on a dataset built at 256: "--size: this dataset's PNGs were made at 256 px, found --size 512; ..."
 * ```
 */
export function resolveRecordedOptions(db: Db, given: Partial<RecordedOptions>): RecordedOptions {
  const hasImages = db.prepare("SELECT 1 FROM images WHERE png_status = 'done' LIMIT 1").get() !== undefined;
  const recorded = recordedValues(db);
  const pick = <K extends keyof RecordedOptions>(k: K): RecordedOptions[K] => (given[k] ?? recorded[k] ?? DEFAULT_RECORDED_OPTIONS[k]) as RecordedOptions[K];
  const result: RecordedOptions = { size: pick('size'), keepReportText: pick('keepReportText'), shardSize: pick('shardSize'), shardRecords: pick('shardRecords') };
  if (hasImages) {
    if (recorded.size !== undefined && given.size !== undefined && given.size !== recorded.size) {
      throw new RebuildRefusedError(
        '--size',
        `this dataset's PNGs were made at ${recorded.size} px, found --size ${given.size}; a rebuild keeps the PNGs it has, so build into a new --out (with the same --key-file to keep the pseudonyms), or leave --size out to use ${recorded.size}`,
      );
    }
    if (recorded.keepReportText !== undefined && given.keepReportText !== undefined && given.keepReportText !== recorded.keepReportText) {
      throw new RebuildRefusedError(
        '--keep-report-text',
        `this dataset was built ${recorded.keepReportText ? 'with' : 'without'} it, found a run ${given.keepReportText ? 'with' : 'without'} it; labels already made would keep the other setting, so build into a new --out (with the same --key-file)`,
      );
    }
  }
  return result;
}

/**
 * Records the options of a run in `meta` (size, keep_report_text, shard_size, shard_records), next to seed and split.
 *
 * @example
 * ```ts
 * recordOptions(db, { size: 1024, keepReportText: false, shardSize: 224, shardRecords: 1000 });
 * ```
 */
export function recordOptions(db: Db, options: RecordedOptions): void {
  for (const k of Object.keys(META_KEYS) as (keyof RecordedOptions)[]) setMeta(db, META_KEYS[k], String(options[k]));
}

/**
 * The message of an error as a `runs` row may keep it: the run's paths (export folders and file names can carry
 * patient names and dates) replaced by the flag that gave them, and the file an error names by its base name.
 *
 * @example
 * ```ts
 * storableError(new Error('cannot read /data/out/dataset.sqlite'), { '--out': '/data/out' }); // 'cannot read <--out>/dataset.sqlite'
 * storableError(new ReportSourceError('empty', { file: '/home/jd/reports.csv' }), {}); // '@cxr8/dataset-builder: reports.csv: empty'
 * ```
 */
export function storableError(error: unknown, paths: Record<string, string>): string {
  let text = error instanceof Error ? error.message : String(error);
  const file = (error as { file?: unknown } | null)?.file;
  if (typeof file === 'string' && file !== '') text = text.split(file).join(basename(file));
  // Longest first, so that a path inside another is replaced as a whole.
  for (const [flag, path] of Object.entries(paths).sort((a, b) => b[1].length - a[1].length)) {
    if (path !== '') text = text.split(path).join(`<${flag}>`);
  }
  return text;
}

/** The fixed string whose keyed hash identifies a key (never the key itself): `meta.key_id` of a dataset. */
const KEY_ID_TEXT = 'cxr8-key-id';

/**
 * The id of an HMAC key: HMAC-SHA-256(key, "cxr8-key-id"), 32 hex digits. Stored in the dataset's `meta.key_id`, it
 * tells which key file a dataset was built with, and reveals nothing of the key.
 *
 * @example
 * ```ts
 * keyId(Buffer.alloc(32)); // "..." (32 hex digits, the same for the same key)
 * ```
 */
export function keyId(key: Buffer): string {
  return createHmac('sha256', key).update(KEY_ID_TEXT, 'utf8').digest('hex').slice(0, 32);
}

/** The key id a dataset records and whether it holds pseudonyms; undefined when `out` holds no readable dataset. */
function readDatasetKey(out: string): { keyId: string | undefined; patients: number } | undefined {
  const path = join(out, 'dataset.sqlite');
  if (!existsSync(path)) return undefined;
  let db: Db | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const id = db.prepare("SELECT value FROM meta WHERE key = 'key_id'").pluck().get() as string | undefined;
    const hasPatients = (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'patients'").get() as unknown) !== undefined;
    const patients = hasPatients ? (db.prepare('SELECT count(*) FROM patients').pluck().get() as number) : 0;
    return { keyId: id, patients };
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

/** The HMAC key an existing private file holds; undefined when it holds none (a new or empty file). */
function readKey(keyFile: string): Buffer | undefined {
  let db: Db | undefined;
  try {
    db = new Database(keyFile, { readonly: true, fileMustExist: true });
    const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() !== undefined;
    const hex = hasMeta ? (db.prepare("SELECT value FROM meta WHERE key = 'hmac_key'").pluck().get() as string | undefined) : undefined;
    return hex ? Buffer.from(hex, 'hex') : undefined;
  } finally {
    db?.close();
  }
}

/**
 * A rebuild into an existing dataset must use the key file the dataset was built with: without it a new random key
 * gives every study a new pseudonym (the dataset would hold each patient twice, and pseudonyms of two keys can
 * collide). A dataset with pseudonyms whose key file is missing, holds no key, or holds a key whose {@link keyId}
 * differs from `meta.key_id` is refused with a {@link KeyFileError} (exit 3) before anything is written, saying which
 * key was expected, where it was looked for, and what to do. A dataset made before `key_id` was recorded accepts the
 * key file it finds (and records its id). `--force` does not lift this: it only allows writing into a folder of other
 * files, never mixing two keys in one dataset.
 *
 * @example
 * ```ts
 * checkKeyMatchesDataset('out/demo', 'out/demo.cxr8-private.sqlite', true); // passes for a new dataset or its own key
 * // throws KeyFileError: expected the private key file this dataset was built with (key id 3f2a...), found no file at ...
 * ```
 */
export function checkKeyMatchesDataset(out: string, keyFile: string, defaultPlace: boolean): void {
  const dataset = readDatasetKey(out);
  if (!dataset || (dataset.keyId === undefined && dataset.patients === 0)) return;
  const where = defaultPlace ? `${keyFile} (the default place, beside the dataset folder: no --key-file was given)` : `${keyFile} (--key-file)`;
  const expected = `the private key file this dataset was built with${dataset.keyId ? ` (key id ${dataset.keyId})` : ''}`;
  const todo = `without it every study would get a new pseudonym and the dataset would hold each of its ${dataset.patients} patients twice. Restore that key file to ${keyFile}${defaultPlace ? ' or name it with --key-file' : ''}, or build into a new, empty --out to start a fresh dataset (--force does not lift this); nothing was written`;
  const key = existsSync(keyFile) ? readKey(keyFile) : undefined;
  if (!existsSync(keyFile)) throw new KeyFileError(`expected ${expected}, found no file at ${where}; ${todo}`, { file: keyFile });
  if (!key) throw new KeyFileError(`expected ${expected}, found a key file at ${where} that holds no key; ${todo}`, { file: keyFile });
  const found = keyId(key);
  if (dataset.keyId !== undefined && found !== dataset.keyId) {
    throw new KeyFileError(`expected ${expected}, found the key file of another dataset at ${where} (key id ${found}); ${todo}`, { file: keyFile });
  }
}

/**
 * An existing `--key-file` must be a cxr8 private file (tables meta, patients and sources) or an empty database:
 * another application's SQLite file is refused (exit 3) before any table is added to it. A missing file is created.
 *
 * @example
 * ```ts
 * checkKeyFile('out/demo.cxr8-private.sqlite'); // passes for a new or an earlier key file
 * checkKeyFile('crm.sqlite'); // throws KeyFileError: expected a cxr8 private key file ..., found a SQLite database with the tables customers, orders
 * ```
 */
export function checkKeyFile(keyFile: string): void {
  if (!existsSync(keyFile)) return;
  let db: Db | undefined;
  let tables: string[];
  try {
    db = new Database(keyFile, { readonly: true, fileMustExist: true });
    tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  } catch (error) {
    throw new KeyFileError(`expected a cxr8 private key file (a SQLite database), found a file that is not one (${(error as Error).message}); nothing was written`, { file: keyFile, cause: error });
  } finally {
    db?.close();
  }
  if (tables.length > 0 && !['meta', 'patients', 'sources'].every((t) => tables.includes(t))) {
    throw new KeyFileError(
      `expected a cxr8 private key file (tables meta, patients, sources), found a SQLite database with the tables ${tables.slice(0, 6).join(', ')}; nothing was written. Name a new file with --key-file`,
      { file: keyFile },
    );
  }
}
