/**
 * The dataset database, `dataset.sqlite`, and the private database beside it.
 *
 * `dataset.sqlite` is the de-identified dataset, readable by any SQLite tool. It never holds a name, a birth date, a
 * hospital id, an accession number, a UID or a date: links back to the source objects are keyed hashes
 * (`source_key`, see deidentify.ts). Not even source file paths are stored (exports often name folders after the
 * patient): a DICOM file is named by a keyed reference `dicom:<12 hex>`, which the private database maps back to its
 * path (`SELECT path FROM sources WHERE ref = ?`) and which the CLI summary prints beside the path. Its schema ({@link DATASET_SCHEMA}, version {@link SCHEMA_VERSION}):
 *
 * | table | one row per | columns |
 * |---|---|---|
 * | meta | setting | key, value (schema_version, kind = pacs or nih, labels_absent = not-mentioned or 0, images_dir, seed, split, shards_digest, key_id = HMAC(key, "cxr8-key-id"), never the key) |
 * | patients | patient | id (the pseudonym, NIH "Patient ID"), sex, split, split_method (hash, stratified, official, or pending: a provisional hash split awaiting `--stratify`) |
 * | studies | study | id, patient_id, seq (0-based, in study-date order), source_key, age_years, has_report, report_digest, report_text (only with --keep-report-text) |
 * | images | frontal image | id, image_index ("00000001_000.png"; NULL until the image is in the dataset), patient_id, study_id, followup (NULL likewise), view (PA/AP), age_years, split, file (path under images_dir), width, height (the PNG), original_width, original_height, pixel_spacing_x, pixel_spacing_y, png_status (pending, done, failed, missing, metadata), label_digest, source_key |
 * | labels | (image, label) | image_id, finding (a finding of the label set, `meta.label_set`, or "No Finding"), value (1, 0, -1), evidence (JSON array) |
 * | boxes | box | id, image_id, finding (NIH spelling, "Infiltration"), x, y, w, h (in the 1024-pixel frame) |
 * | excluded | excluded or duplicate object | file (a file reference `dicom:<12 hex>`), reason |
 * | failures | failed item | file (`dicom:<12 hex>` for a DICOM file, `<reports file>:<row>` for a report, the Image Index for a shard record), stage (parse, reports, render, shards, import), reason |
 * | unmatched_reports | report without an image | source (file name), position (row / line / file number) |
 * | runs | run of the builder | id, command, started_at, finished_at, status, versions, options, counts (JSON) |
 *
 * Foreign keys are on; `labels` and `boxes` go with their image. WAL journal, `synchronous=NORMAL`, and the pipeline
 * batches writes into transactions of hundreds of rows.
 *
 * The private database (`--key-file`, by default `<out>.cxr8-private.sqlite` beside the dataset folder) holds what
 * must never be shared: the HMAC key, the pseudonym table, the per-file index of the export (paths, hashed
 * identifiers, study dates, for resuming and ordering) and the reports. It is ATTACHed as schema `private`.
 */
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { dirname } from 'node:path';
import { StoreError } from './errors.js';
import { makeDirectorySync } from '@cxr8/labeler';

/** Version of the dataset schema, stored in `meta.schema_version`. */
export const SCHEMA_VERSION = 2;

/**
 * The columns of `images` (schema version 2: `image_index` and `followup` stay NULL until the image enters the
 * dataset, see stages/name.ts `nameStage`).
 */
const IMAGES_COLUMNS = `
  id INTEGER PRIMARY KEY,
  image_index TEXT UNIQUE,
  patient_id INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
  study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  followup INTEGER,
  view TEXT NOT NULL CHECK (view IN ('PA', 'AP')),
  age_years INTEGER,
  split TEXT NOT NULL CHECK (split IN ('train', 'val', 'test')),
  file TEXT,
  width INTEGER,
  height INTEGER,
  original_width INTEGER,
  original_height INTEGER,
  pixel_spacing_x REAL,
  pixel_spacing_y REAL,
  png_status TEXT NOT NULL DEFAULT 'pending' CHECK (png_status IN ('pending', 'done', 'failed', 'missing', 'metadata')),
  label_digest TEXT,
  source_key TEXT NOT NULL UNIQUE`;

/** The DDL of `dataset.sqlite`. */
export const DATASET_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS patients (
  id INTEGER PRIMARY KEY,
  sex TEXT NOT NULL DEFAULT '' CHECK (sex IN ('M', 'F', 'O', '')),
  split TEXT NOT NULL CHECK (split IN ('train', 'val', 'test')),
  split_method TEXT NOT NULL DEFAULT 'hash' CHECK (split_method IN ('hash', 'stratified', 'official', 'pending'))
);
CREATE TABLE IF NOT EXISTS studies (
  id INTEGER PRIMARY KEY,
  patient_id INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  source_key TEXT NOT NULL UNIQUE,
  age_years INTEGER,
  has_report INTEGER NOT NULL DEFAULT 0,
  report_digest TEXT,
  report_text TEXT
);
CREATE INDEX IF NOT EXISTS studies_patient ON studies(patient_id, seq);
CREATE TABLE IF NOT EXISTS images (${IMAGES_COLUMNS}
);
CREATE INDEX IF NOT EXISTS images_patient ON images(patient_id, followup);
CREATE INDEX IF NOT EXISTS images_study ON images(study_id);
CREATE INDEX IF NOT EXISTS images_split ON images(split, image_index);
CREATE INDEX IF NOT EXISTS images_status ON images(png_status);
CREATE TABLE IF NOT EXISTS labels (
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  finding TEXT NOT NULL,
  value INTEGER NOT NULL CHECK (value IN (1, 0, -1)),
  evidence TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (image_id, finding)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS labels_finding ON labels(finding, value);
CREATE TABLE IF NOT EXISTS boxes (
  id INTEGER PRIMARY KEY,
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  finding TEXT NOT NULL,
  x REAL NOT NULL,
  y REAL NOT NULL,
  w REAL NOT NULL,
  h REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS boxes_image ON boxes(image_id);
CREATE TABLE IF NOT EXISTS excluded (
  file TEXT PRIMARY KEY,
  reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS failures (
  file TEXT NOT NULL,
  stage TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (file, stage)
);
CREATE TABLE IF NOT EXISTS unmatched_reports (
  source TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (source, position)
);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  command TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL DEFAULT 'running',
  versions TEXT NOT NULL,
  options TEXT NOT NULL,
  counts TEXT
);
`;

/** The DDL of the private database (attached as `private`). */
export const PRIVATE_SCHEMA = `
CREATE TABLE IF NOT EXISTS private.meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS private.patients (
  patient_key TEXT PRIMARY KEY,
  pseudonym INTEGER NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS private.sources (
  path TEXT PRIMARY KEY,
  ref TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ms INTEGER NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  sop_key TEXT,
  patient_key TEXT,
  study_key TEXT,
  accession_key TEXT,
  study_date TEXT,
  age_years INTEGER,
  sex TEXT,
  view TEXT,
  rows INTEGER,
  columns INTEGER,
  spacing_x REAL,
  spacing_y REAL,
  sr_text TEXT,
  scrub TEXT,
  study_time TEXT,
  series_number INTEGER,
  instance_number INTEGER,
  acquired TEXT,
  patient_digest TEXT
);
CREATE INDEX IF NOT EXISTS private.sources_status ON sources(status, sop_key);
CREATE INDEX IF NOT EXISTS private.sources_ref ON sources(ref);
CREATE TABLE IF NOT EXISTS private.reports (
  source TEXT NOT NULL,
  position INTEGER NOT NULL,
  accession_key TEXT NOT NULL,
  study_key TEXT NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (source, position)
);
CREATE INDEX IF NOT EXISTS private.reports_accession ON reports(accession_key);
CREATE INDEX IF NOT EXISTS private.reports_study ON reports(study_key);
CREATE TABLE IF NOT EXISTS private.study_links (
  study_key TEXT PRIMARY KEY,
  accession_key TEXT NOT NULL,
  scrub TEXT
);
`;

/** An open dataset: the better-sqlite3 connection (with `private` attached when a key file was given). */
export interface Store {
  db: Db;
  path: string;
  privatePath: string | undefined;
  close(): void;
}

/**
 * Opens (creating when needed) `dataset.sqlite` at `path`, applies the schema, and attaches the private database when
 * `privatePath` is given.
 *
 * @example
 * ```ts
 * const store = openStore('out/demo/dataset.sqlite', 'out/demo.cxr8-private.sqlite');
 * store.db.prepare('SELECT count(*) AS n FROM images').get();
 * store.close();
 * ```
 */
export function openStore(path: string, privatePath?: string): Store {
  let db: Db;
  try {
    makeDirectorySync(dirname(path));
    db = new Database(path);
  } catch (cause) {
    throw new StoreError('cannot open the dataset database', { file: path, cause });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('cache_size = -65536');
    db.exec(DATASET_SCHEMA);
    const version = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
    if (version && Number(version.value) === 1) migrateFromVersion1(db);
    else if (version && Number(version.value) !== SCHEMA_VERSION) {
      throw new StoreError(`expected schema version ${SCHEMA_VERSION}, found ${version.value} (build into a new --out folder)`, { file: path });
    }
    if (!version) setMeta(db, 'schema_version', String(SCHEMA_VERSION));
    if (privatePath) {
      makeDirectorySync(dirname(privatePath));
      db.prepare('ATTACH DATABASE ? AS private').run(privatePath);
      db.pragma('private.journal_mode = WAL');
      db.pragma('private.synchronous = NORMAL');
      db.exec(PRIVATE_SCHEMA);
      addOrderingColumns(db);
      addPatientDigest(db);
    }
  } catch (cause) {
    db.close();
    if (cause instanceof StoreError) throw cause;
    throw new StoreError(`cannot set up the dataset schema (${(cause as Error).message})`, { file: path, cause });
  }
  return {
    db,
    path,
    privatePath,
    close() {
      if (privatePath) {
        db.pragma('private.wal_checkpoint(TRUNCATE)');
        db.exec('DETACH DATABASE private');
      }
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

/**
 * Version 1 to 2: `images.image_index` and `images.followup` become nullable (an image is named when it enters the
 * dataset) and `patients.split_method` records how each patient's split was made. Names and splits already given
 * are kept. The SQLite table-rebuild procedure (foreign keys off while `images` is rebuilt).
 */
function migrateFromVersion1(db: Db): void {
  db.pragma('foreign_keys = OFF');
  db.transaction(() => {
    db.exec(`ALTER TABLE patients ADD COLUMN split_method TEXT NOT NULL DEFAULT 'hash' CHECK (split_method IN ('hash', 'stratified', 'official', 'pending'));
      CREATE TABLE images_v2 (${IMAGES_COLUMNS});
      INSERT INTO images_v2 SELECT * FROM images;
      DROP TABLE images;
      ALTER TABLE images_v2 RENAME TO images;`);
    db.exec(DATASET_SCHEMA);
    setMeta(db, 'schema_version', String(SCHEMA_VERSION));
  })();
  db.pragma('foreign_keys = ON');
}

/**
 * Private files written before study time, series and instance numbers were indexed get the columns, and every file
 * is marked for a new header read (the next run re-indexes; PNGs are not rendered again).
 */
function addOrderingColumns(db: Db): void {
  const columns = new Set(db.prepare("SELECT name FROM pragma_table_info('sources', 'private')").pluck().all() as string[]);
  if (columns.has('study_time')) return;
  db.exec(`ALTER TABLE private.sources ADD COLUMN study_time TEXT;
    ALTER TABLE private.sources ADD COLUMN series_number INTEGER;
    ALTER TABLE private.sources ADD COLUMN instance_number INTEGER;
    ALTER TABLE private.sources ADD COLUMN acquired TEXT;
    UPDATE private.sources SET mtime_ms = -1;`);
}

/**
 * Private files written before splits followed the export's patient identity (splits.ts `patientDigest`) get the
 * `patient_digest` column, and every file is marked for a new header read. Recorded splits do not change; only
 * patients new to the dataset are split by the digest.
 */
function addPatientDigest(db: Db): void {
  const columns = new Set(db.prepare("SELECT name FROM pragma_table_info('sources', 'private')").pluck().all() as string[]);
  if (columns.has('patient_digest')) return;
  db.exec(`ALTER TABLE private.sources ADD COLUMN patient_digest TEXT;
    UPDATE private.sources SET mtime_ms = -1;`);
}

/**
 * Sets one `meta` value.
 *
 * @example
 * ```ts
 * setMeta(db, 'seed', 'cxr8');
 * ```
 */
export function setMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}

/**
 * Reads one `meta` value.
 *
 * @example
 * ```ts
 * getMeta(db, 'kind'); // 'pacs' or 'nih'
 * ```
 */
export function getMeta(db: Db, key: string): string | undefined {
  return (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
}

/** The statement of {@link recordFailure}. */
const RECORD_FAILURE_SQL = {
  record: 'INSERT INTO failures (file, stage, reason) VALUES (?, ?, ?) ON CONFLICT(file, stage) DO UPDATE SET reason = excluded.reason',
} as const;

/**
 * Records a failed item (one row per file and stage; a re-run replaces the reason instead of adding a row).
 *
 * @example
 * ```ts
 * recordFailure(db, 'CR/corrupt.dcm', 'render', 'truncated pixel data');
 * ```
 */
export function recordFailure(db: Db, file: string, stage: string, reason: string): void {
  statements(db, RECORD_FAILURE_SQL).record.run(file, stage, reason);
}

/**
 * Starts a `runs` row and returns its id.
 *
 * @example
 * ```ts
 * const id = startRun(db, 'build', { node: process.version }, { size: 1024 });
 * ```
 */
export function startRun(db: Db, command: string, versions: object, options: object): number {
  const info = db
    .prepare('INSERT INTO runs (command, started_at, versions, options) VALUES (?, ?, ?, ?)')
    .run(command, new Date().toISOString(), JSON.stringify(versions), JSON.stringify(options));
  return Number(info.lastInsertRowid);
}

/**
 * Finishes a `runs` row with its status and counts.
 *
 * @example
 * ```ts
 * finishRun(db, id, 'ok', { images: 9 });
 * ```
 */
export function finishRun(db: Db, id: number, status: 'ok' | 'failures' | 'error', counts: object): void {
  db.prepare('UPDATE runs SET finished_at = ?, status = ?, counts = ? WHERE id = ?').run(new Date().toISOString(), status, JSON.stringify(counts), id);
}

/** What {@link batcher} returns: queue a write, and commit what is queued. */
export interface Batcher {
  /** Queues `fn`; commits the queue in one transaction once it holds `size` writes. */
  add(fn: () => void): void;
  /** Commits what is queued. */
  flush(): void;
}

/**
 * Runs queued writes in transactions of `size`: the stages' batched commits (200 index rows, 100 studies, 50
 * renders), whose content depends only on the input, so that a killed run resumes to the same database.
 *
 * @example
 * ```ts
 * const batch = batcher(db, 200);
 * for (const row of rows) batch.add(() => insert.run(row));
 * batch.flush();
 * ```
 */
export function batcher(db: Db, size: number): Batcher {
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

/** SQL texts by name, as a stage or table module declares them. */
export type SqlTexts = Readonly<Record<string, string>>;

/** The prepared statements of a {@link SqlTexts}, by the same names. */
export type Statements<T extends SqlTexts> = { readonly [K in keyof T]: Statement };

const preparedByDb = new WeakMap<Db, Map<SqlTexts, Statements<SqlTexts>>>();

/**
 * Named prepared statements: each SQL text of `sql` prepared once per connection, under its name. A statement keeps
 * its mode, so one used with `.pluck()` is always used so.
 *
 * @example
 * ```ts
 * const SQL = { countImages: 'SELECT count(*) FROM images' } as const;
 * statements(db, SQL).countImages.pluck().get(); // 12
 * ```
 */
export function statements<T extends SqlTexts>(db: Db, sql: T): Statements<T> {
  let cache = preparedByDb.get(db);
  if (!cache) {
    cache = new Map();
    preparedByDb.set(db, cache);
  }
  const found = cache.get(sql);
  if (found) return found as Statements<T>;
  const prepared = Object.fromEntries(Object.entries(sql).map(([name, text]) => [name, db.prepare(text)])) as Statements<T>;
  cache.set(sql, prepared);
  return prepared;
}

