/**
 * `buildDataset`: a PACS export (DICOM tree + reports) to a de-identified, labeled, patient-split dataset.
 *
 * The stages, in order (each in its own file; this module chains them and owns the database):
 *
 * 1. index (discover.ts, tasks.ts `header`, select.ts): find DICOM files by content, parse their headers in the
 *    worker pool, classify each (image, SR report, excluded with a reason, failed) into the private `sources` table.
 *    A file already indexed with the same size and mtime is skipped: this is what makes re-runs cheap.
 * 2. reports (reports.ts): read every `--reports` source and the SR documents into the private `reports` table.
 * 3. assign (deidentify.ts, splits.ts): one transaction that derives patients (pseudonyms), studies (study-date
 *    order), images (`{patient:08d}_{followup:03d}.png`), duplicates, excluded objects and unmatched reports.
 * 4. label (reports.ts + @cxr8/labeler): label each study's report once; its labels go to each of its images.
 * 5. split: hash-based by default (already set in assign); `--stratify` re-deals patients by label.
 * 6. render (tasks.ts `render` in the pool): DICOM to 8-bit PNG at `--size`, temp name + rename.
 * 7. exports (exports/nih.ts, exports/chexpert.ts) and shards (exports/shards.ts).
 *
 * Resume: every stage only does the work the database says is not done, and writes its results in batched
 * transactions whose content depends only on the input, so a run killed at any moment and run again ends with the
 * same database as an uninterrupted run (the `runs` table aside).
 */
import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { createHmac } from 'node:crypto';
import type { Database as Db, Statement } from 'better-sqlite3';
import { discoverDicom, emptyDiscoverCounts } from './discover.js';
import type { DiscoveredFile } from './discover.js';
import { selectImage } from './select.js';
import { ageInYears, assertOutsideDataset, defaultKeyFile, hmacId, imageIndexName, newKey, normalizeSex, scrubText } from './deidentify.js';
import { DEFAULT_REPORT_COLUMNS, labelReport, loadDefaultLabeler, readReports } from './reports.js';
import type { ReportColumns, ReportLabeler, ReportProblem } from './reports.js';
import { DEFAULT_SPLIT, assignSplit, stratifiedSplits, stratumOf } from './splits.js';
import type { SplitFractions } from './splits.js';
import { finishRun, openStore, recordFailure, setMeta, startRun } from './store.js';
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
  /** Split seed (`--seed`, default "cxr8"). */
  seed?: string;
  /** Split fractions (`--split`, default 70/10/20). */
  split?: SplitFractions;
  /** Stratify the split by label (`--stratify`). */
  stratify?: boolean;
  /** Worker threads (`--workers`, default: cores - 1, at least 1; 0 = inline). */
  workers?: number;
  /** Store report text (scrubbed of known identifiers and dates) in `studies.report_text` (`--keep-report-text`). */
  keepReportText?: boolean;
  /** The labeler; default `createLabeler()` of @cxr8/labeler. */
  labeler?: ReportLabeler;
  /** Where progress lines go; null for none. Default stderr. */
  progress?: NodeJS.WriteStream | null;
}

/** What a build did and what the dataset now holds. */
export interface BuildSummary {
  out: string;
  keyFile: string;
  files: { seen: number; dicom: number; nonDicom: number; dicomDir: number; unreadable: number; indexedThisRun: number; skippedAsDone: number };
  /**
   * `selected` frontal chest images; `rendered` of them have a PNG (images without a report are rendered too, ready
   * for a later report); `inDataset` are rendered and labeled: those are exported and sharded.
   */
  images: { selected: number; excluded: number; duplicates: number; withoutReport: number; rendered: number; inDataset: number; renderedThisRun: number };
  reports: { read: number; problems: number; srDocuments: number; withoutImage: number };
  labeledThisRun: number;
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

function indexRow(key: Buffer, file: DiscoveredFile, header: HeaderInfo, keepScrub: boolean): Record<string, unknown> {
  const selection = selectImage(header);
  const spacing = header.pixelSpacing ?? header.imagerPixelSpacing;
  const base = {
    path: file.relPath,
    ref: fileRef(key, file.relPath),
    size: file.size,
    mtime_ms: file.mtimeMs,
    sop_key: hmacId(key, header.sopInstanceUid),
    patient_key: hmacId(key, header.patientId) || hmacId(key, `name:${header.patientName}`),
    study_key: hmacId(key, header.studyInstanceUid),
    accession_key: hmacId(key, header.accessionNumber),
    study_date: header.studyDate,
    age_years: ageInYears(header.patientAge, header.patientBirthDate, header.studyDate) ?? null,
    sex: normalizeSex(header.patientSex),
    view: null as string | null,
    rows: header.rows || null,
    columns: header.columns || null,
    // Pixel Spacing is [row, column] = [y, x] (PS3.3 10.7.1.3).
    spacing_x: spacing ? spacing[1] : null,
    spacing_y: spacing ? spacing[0] : null,
    sr_text: null as string | null,
    scrub: keepScrub ? JSON.stringify([header.patientName, header.patientId, header.accessionNumber].filter((s) => s.trim() !== '')) : null,
    status: 'image',
    reason: null as string | null,
  };
  if (selection.kind === 'report') return { ...base, status: 'report', sr_text: header.srText ?? '' };
  if (selection.kind === 'excluded') return { ...base, status: 'excluded', reason: selection.reason };
  if (!header.hasPixelData) return { ...base, status: 'failed', reason: 'no Pixel Data (7FE0,0010) in an image object' };
  if (header.sopInstanceUid.trim() === '') return { ...base, status: 'failed', reason: 'no SOP Instance UID (0008,0018)' };
  return { ...base, view: selection.view };
}

async function indexStage(store: Store, key: Buffer, dicomDir: string, pool: TaskRunner, counts: ReturnType<typeof emptyDiscoverCounts>, keepScrub: boolean, progressStream: NodeJS.WriteStream | null): Promise<IndexCounts> {
  const { db } = store;
  const known = db.prepare('SELECT size, mtime_ms FROM private.sources WHERE path = ?');
  const upsert = db.prepare(`INSERT INTO private.sources
    (path, ref, size, mtime_ms, status, reason, sop_key, patient_key, study_key, accession_key, study_date, age_years, sex, view, rows, columns, spacing_x, spacing_y, sr_text, scrub)
    VALUES (@path, @ref, @size, @mtime_ms, @status, @reason, @sop_key, @patient_key, @study_key, @accession_key, @study_date, @age_years, @sex, @view, @rows, @columns, @spacing_x, @spacing_y, @sr_text, @scrub)
    ON CONFLICT(path) DO UPDATE SET ref = excluded.ref, size = excluded.size, mtime_ms = excluded.mtime_ms, status = excluded.status, reason = excluded.reason,
      sop_key = excluded.sop_key, patient_key = excluded.patient_key, study_key = excluded.study_key, accession_key = excluded.accession_key,
      study_date = excluded.study_date, age_years = excluded.age_years, sex = excluded.sex, view = excluded.view, rows = excluded.rows,
      columns = excluded.columns, spacing_x = excluded.spacing_x, spacing_y = excluded.spacing_y, sr_text = excluded.sr_text, scrub = excluded.scrub`);
  const clearFailure = db.prepare("DELETE FROM failures WHERE file = ? AND stage IN ('parse', 'render')");
  // A file that changed on disk is rendered again (its old PNG, or its old failure, no longer holds).
  const rerender = db.prepare("UPDATE images SET png_status = 'pending' WHERE source_key = ? AND png_status IN ('done', 'failed')");
  const result: IndexCounts = { indexed: 0, skipped: 0 };
  const progress = createProgress({ label: 'index', stream: progressStream });
  async function* todo(): AsyncGenerator<DiscoveredFile> {
    for await (const file of discoverDicom(dicomDir, { counts })) {
      const row = known.get(file.relPath) as { size: number; mtime_ms: number } | undefined;
      if (row && row.size === file.size && row.mtime_ms === file.mtimeMs) {
        result.skipped++;
        progress.tick();
        continue;
      }
      yield file;
    }
  }
  const batch = batcher(db, 200);
  // Workers name the file by its reference, so that no error message carries the path.
  for await (const [file, r] of mapOrdered(todo(), pool.capacity, (f) => pool.run({ kind: 'header', path: f.path, file: fileRef(key, f.relPath) }))) {
    result.indexed++;
    progress.tick();
    const ref = fileRef(key, file.relPath);
    if (r.ok && r.kind === 'header') {
      const row = indexRow(key, file, r.header, keepScrub);
      batch.add(() => {
        clearFailure.run(ref);
        upsert.run(row);
        if (row.sop_key) rerender.run(row.sop_key);
        if (row.status === 'failed') recordFailure(db, ref, 'parse', String(row.reason));
      });
    } else {
      const reason = r.ok ? 'unexpected task result' : r.reason;
      batch.add(() => {
        clearFailure.run(ref);
        upsert.run({
          path: file.relPath, ref, size: file.size, mtime_ms: file.mtimeMs, status: 'failed', reason, sop_key: null, patient_key: null, study_key: null,
          accession_key: null, study_date: null, age_years: null, sex: null, view: null, rows: null, columns: null, spacing_x: null, spacing_y: null,
          sr_text: null, scrub: null,
        });
        recordFailure(db, ref, 'parse', reason);
      });
    }
  }
  batch.flush();
  progress.done();
  return result;
}

/* ---------------------------------------------------------------- stage 2: reports */

interface ReportCounts {
  read: number;
  problems: number;
  sr: number;
}

async function reportsStage(store: Store, key: Buffer, sources: readonly string[], columns: ReportColumns): Promise<ReportCounts> {
  const { db } = store;
  const problems: ReportProblem[] = [];
  const counts: ReportCounts = { read: 0, problems: 0, sr: 0 };
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
      batch.add(() => insert.run(...row));
      read++;
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
    if (!sr.sr_text || sr.sr_text.trim() === '') {
      problems.push({ source: 'dicom-sr', position, reason: `SR document ${sr.ref} has no text` });
      continue;
    }
    const row = ['dicom-sr', position, sr.accession_key, sr.study_key, sr.sr_text] as const;
    batch.add(() => insert.run(...row));
    read++;
    counts.sr++;
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

async function assignStage(store: Store, key: Buffer, options: { seed: string; split: SplitFractions; keepReportText: boolean; out: string }): Promise<AssignCounts> {
  const { db } = store;
  const counts: AssignCounts = { selected: 0, excluded: 0, duplicates: 0, withoutReport: 0, reportsWithoutImage: 0 };
  const sources = db.prepare("SELECT * FROM private.sources WHERE status = 'image' ORDER BY path").all() as SourceImage[];
  const canonical = new Map<string, SourceImage>();
  const duplicates: { ref: string; reason: string }[] = [];
  for (const s of sources) {
    const first = canonical.get(s.sop_key);
    if (first) duplicates.push({ ref: s.ref, reason: `duplicate: same SOP Instance UID as ${first.ref}` });
    else canonical.set(s.sop_key, s);
  }
  // Group by patient, then by study.
  const byPatient = new Map<string, SourceImage[]>();
  for (const s of canonical.values()) {
    const list = byPatient.get(s.patient_key);
    if (list) list.push(s);
    else byPatient.set(s.patient_key, [s]);
  }
  const studyKeyOf = (s: SourceImage): string => s.study_key || `sop:${s.sop_key}`;
  const firstDate = (list: SourceImage[]): string => list.reduce((m, s) => ((s.study_date ?? '') < m ? (s.study_date ?? '') : m), '99999999');
  // Pseudonyms: existing ones are kept; new patients are numbered after them in the order of their first study.
  const existing = new Map<string, number>();
  for (const r of db.prepare('SELECT patient_key, pseudonym FROM private.patients').iterate() as Iterable<{ patient_key: string; pseudonym: number }>) {
    existing.set(r.patient_key, r.pseudonym);
  }
  let next = (db.prepare('SELECT max(pseudonym) AS m FROM private.patients').get() as { m: number | null }).m ?? 0;
  const fresh = [...byPatient.entries()]
    .filter(([k]) => !existing.has(k))
    .map(([k, list]) => ({ k, date: firstDate(list) }))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const insertPseudonym = db.prepare('INSERT INTO private.patients (patient_key, pseudonym) VALUES (?, ?)');
  const upsertPatient = db.prepare('INSERT INTO patients (id, sex, split) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET sex = excluded.sex, split = excluded.split');
  const upsertStudy = db.prepare(`INSERT INTO studies (patient_id, seq, source_key, age_years, has_report, report_digest, report_text)
    VALUES (@patient_id, @seq, @source_key, @age_years, @has_report, @report_digest, @report_text)
    ON CONFLICT(source_key) DO UPDATE SET patient_id = excluded.patient_id, seq = excluded.seq, age_years = excluded.age_years,
      has_report = excluded.has_report, report_digest = excluded.report_digest, report_text = excluded.report_text`);
  const studyId = db.prepare('SELECT id FROM studies WHERE source_key = ?').pluck();
  const link = db.prepare('INSERT INTO private.study_links (study_key, accession_key, scrub) VALUES (?, ?, ?) ON CONFLICT(study_key) DO UPDATE SET accession_key = excluded.accession_key, scrub = excluded.scrub');
  const existingImage = db.prepare('SELECT id, image_index FROM images WHERE source_key = ?');
  const deleteImage = db.prepare('DELETE FROM images WHERE id = ?');
  const insertImage = db.prepare(`INSERT INTO images (image_index, patient_id, study_id, followup, view, age_years, split, original_width, original_height,
      pixel_spacing_x, pixel_spacing_y, png_status, source_key)
    VALUES (@image_index, @patient_id, @study_id, @followup, @view, @age_years, @split, @original_width, @original_height,
      @pixel_spacing_x, @pixel_spacing_y, 'pending', @source_key)`);
  const updateImage = db.prepare(`UPDATE images SET patient_id = @patient_id, study_id = @study_id, followup = @followup, view = @view,
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
    const patients = [...byPatient.entries()].sort((a, b) => (existing.get(a[0]) ?? 0) - (existing.get(b[0]) ?? 0));
    const planned: { row: Record<string, unknown>; oldId: number | undefined }[] = [];
    for (const [patientKey, list] of patients) {
      const pseudonym = existing.get(patientKey) as number;
      const split = assignSplit(pseudonym, options.seed, options.split);
      const sex = list.map((s) => s.sex ?? '').find((s) => s !== '') ?? '';
      upsertPatient.run(pseudonym, sex, split);
      const studies = new Map<string, SourceImage[]>();
      for (const s of list) {
        const k = studyKeyOf(s);
        const l = studies.get(k);
        if (l) l.push(s);
        else studies.set(k, [s]);
      }
      const orderedStudies = [...studies.entries()]
        .map(([k, l]) => ({ k, l, date: firstDate(l) }))
        .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
      let followup = 0;
      orderedStudies.forEach((study, seq) => {
        const first = study.l[0] as SourceImage;
        const report = reportTextFor(db, first.accession_key, first.study_key);
        if (report) for (const id of report.ids) matchedReports.add(`${id.source}\u0000${id.position}`);
        let reportText: string | null = null;
        if (report && options.keepReportText) reportText = scrubText(report.text, first.scrub ? (JSON.parse(first.scrub) as string[]) : []);
        upsertStudy.run({
          patient_id: pseudonym,
          seq,
          source_key: study.k,
          age_years: first.age_years,
          has_report: report ? 1 : 0,
          report_digest: report ? keyDigest(key, report.text) : null,
          report_text: reportText,
        });
        link.run(study.k, first.accession_key, first.scrub);
        const sid = studyId.get(study.k) as number;
        const images = [...study.l].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
        for (const img of images) {
          counts.selected++;
          if (!report) counts.withoutReport++;
          const imageIndex = imageIndexName(pseudonym, followup++);
          const old = existingImage.get(img.sop_key) as { id: number; image_index: string } | undefined;
          const row = {
            image_index: imageIndex,
            patient_id: pseudonym,
            study_id: sid,
            followup: followup - 1,
            view: img.view,
            age_years: img.age_years,
            split,
            original_width: img.columns,
            original_height: img.rows,
            pixel_spacing_x: img.spacing_x,
            pixel_spacing_y: img.spacing_y,
            source_key: img.sop_key,
          };
          if (old && old.image_index === imageIndex) updateImage.run({ ...row, id: old.id });
          else planned.push({ row, oldId: old?.id });
        }
      });
    }
    // Renamed images (an earlier study arrived) are re-created under their new name; their PNG is rendered again.
    for (const p of planned) {
      if (p.oldId !== undefined) {
        const old = db.prepare('SELECT image_index FROM images WHERE id = ?').pluck().get(p.oldId) as string | undefined;
        if (old) stalePngs.push(old);
        deleteImage.run(p.oldId);
      }
    }
    for (const p of planned) insertImage.run(p.row);
    for (const d of duplicates) upsertExcluded.run(d.ref, d.reason);
    const excluded = db.prepare("SELECT ref, reason FROM private.sources WHERE status = 'excluded' ORDER BY path").all() as { ref: string; reason: string }[];
    for (const e of excluded) upsertExcluded.run(e.ref, e.reason);
    // Files that are no longer excluded (changed on disk) leave the table.
    db.exec(`DELETE FROM excluded WHERE file IN (SELECT ref FROM private.sources WHERE status NOT IN ('excluded', 'image'))`);
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

function labelStage(store: Store, labeler: ReportLabeler, keepText: boolean, progressStream: NodeJS.WriteStream | null): number {
  const { db } = store;
  const todo = db
    .prepare(
      `SELECT DISTINCT s.id, s.source_key, s.report_digest, l.accession_key FROM studies s
       JOIN images i ON i.study_id = s.id
       LEFT JOIN private.study_links l ON l.study_key = s.source_key
       WHERE s.has_report = 1 AND (i.label_digest IS NULL OR i.label_digest <> s.report_digest)
       ORDER BY s.id`,
    )
    .all() as { id: number; source_key: string; report_digest: string; accession_key: string | null }[];
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
    const result = labelReport(labeler, `study-${study.id}`, report.text, keepText);
    const imageIds = imagesOf.all(study.id) as number[];
    batch.add(() => {
      for (const imageId of imageIds) {
        clear.run(imageId);
        for (const l of result.labels) insert.run(imageId, l.finding, l.value, JSON.stringify(l.evidence));
        done.run(study.report_digest, imageId);
      }
    });
    progress.tick();
  }
  batch.flush();
  progress.done();
  return todo.length;
}

/* ---------------------------------------------------------------- stage 5: stratified split */

function stratifyStage(db: Db, seed: string, fractions: SplitFractions): void {
  const frequency = new Map<string, number>();
  for (const r of db.prepare("SELECT finding, count(*) AS n FROM labels WHERE value = 1 AND finding <> 'No Finding' GROUP BY finding").iterate() as Iterable<{ finding: string; n: number }>) {
    frequency.set(r.finding, r.n);
  }
  const positives = new Map<number, string[]>();
  for (const p of db.prepare('SELECT id FROM patients').pluck().iterate() as Iterable<number>) positives.set(p, []);
  for (const r of db
    .prepare("SELECT DISTINCT i.patient_id, l.finding FROM labels l JOIN images i ON i.id = l.image_id WHERE l.value = 1 AND l.finding <> 'No Finding'")
    .iterate() as Iterable<{ patient_id: number; finding: string }>) {
    positives.get(r.patient_id)?.push(r.finding);
  }
  const splits = stratifiedSplits([...positives.entries()].map(([patient, f]) => ({ patient, stratum: stratumOf(f, frequency) })), seed, fractions);
  const setPatient = db.prepare('UPDATE patients SET split = ? WHERE id = ? AND split <> ?');
  const setImages = db.prepare('UPDATE images SET split = ? WHERE patient_id = ? AND split <> ?');
  db.transaction(() => {
    for (const [patient, split] of splits) {
      setPatient.run(split, patient, split);
      setImages.run(split, patient, split);
    }
  })();
}

/* ---------------------------------------------------------------- stage 6: render */

async function renderStage(store: Store, dicomDir: string, out: string, size: number, pool: TaskRunner, progressStream: NodeJS.WriteStream | null): Promise<number> {
  const { db } = store;
  const todo = db
    .prepare(
      `SELECT i.id, i.image_index, (SELECT min(s.path) FROM private.sources s WHERE s.sop_key = i.source_key AND s.status = 'image') AS path,
              (SELECT s.ref FROM private.sources s WHERE s.sop_key = i.source_key AND s.status = 'image' ORDER BY s.path LIMIT 1) AS ref
       FROM images i
       WHERE i.png_status = 'pending' ORDER BY i.image_index`,
    )
    .all() as { id: number; image_index: string; path: string | null; ref: string | null }[];
  const ok = db.prepare("UPDATE images SET png_status = 'done', file = ?, width = ?, height = ?, original_width = ?, original_height = ? WHERE id = ?");
  const failed = db.prepare("UPDATE images SET png_status = 'failed' WHERE id = ?");
  const batch = batcher(db, 50);
  const progress = createProgress({ label: 'render', total: todo.length, stream: progressStream });
  let rendered = 0;
  const run = (t: (typeof todo)[number]): Promise<TaskResult> =>
    t.path === null
      ? Promise.resolve({ ok: false, reason: 'source file no longer indexed' })
      : pool.run({ kind: 'render', path: join(dicomDir, t.path), file: t.ref ?? t.image_index, outPath: join(out, 'images', t.image_index), size });
  for await (const [t, r] of mapOrdered(todo, pool.capacity, run)) {
    progress.tick();
    if (r.ok && r.kind === 'render') {
      rendered++;
      batch.add(() => ok.run(t.image_index, r.width, r.height, r.originalWidth, r.originalHeight, t.id));
    } else {
      const reason = r.ok ? 'unexpected task result' : r.reason;
      batch.add(() => {
        failed.run(t.id);
        recordFailure(db, t.ref ?? t.image_index, 'render', reason);
      });
    }
  }
  batch.flush();
  progress.done();
  return rendered;
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
  const size = options.size ?? 1024;
  const shardSize = options.shardSize ?? 224;
  const seed = options.seed ?? 'cxr8';
  const split = options.split ?? DEFAULT_SPLIT;
  const keepReportText = options.keepReportText ?? false;
  const progressStream = options.progress === undefined ? process.stderr : options.progress;
  if (!Number.isInteger(size) || size < 8 || size > 8192) throw new UsageError(`--size: expected an integer from 8 to 8192, found ${size}`);
  if (!Number.isInteger(shardSize) || shardSize < 0 || shardSize > 4096) throw new UsageError(`--shard-size: expected an integer from 0 to 4096, found ${shardSize}`);
  await mkdir(join(out, 'images'), { recursive: true });
  const store = openStore(join(out, 'dataset.sqlite'), keyFile);
  const { db } = store;
  const labeler = options.labeler ?? (await loadDefaultLabeler());
  const workers = options.workers ?? defaultWorkers();
  const pool = createPool(workers);
  const runOptions = { dicomDir, reports: options.reports ?? [], out, size, shardSize, seed, split, stratify: options.stratify ?? false, workers, keepReportText };
  const runId = startRun(db, 'build', { '@cxr8/dataset-builder': VERSION, node: process.version }, { ...runOptions, keyFile });
  try {
    setMeta(db, 'kind', 'pacs');
    setMeta(db, 'labels_absent', 'not-mentioned');
    setMeta(db, 'images_dir', 'images');
    setMeta(db, 'seed', seed);
    setMeta(db, 'split', `${split.train},${split.val},${split.test}`);
    const key = resolveKey(db);
    const discovered = emptyDiscoverCounts();
    const index = await indexStage(store, key, dicomDir, pool, discovered, keepReportText, progressStream);
    const reports = await reportsStage(store, key, options.reports ?? [], options.reportColumns ?? DEFAULT_REPORT_COLUMNS);
    const assigned = await assignStage(store, key, { seed, split, keepReportText, out });
    const labeled = labelStage(store, labeler, keepReportText, progressStream);
    if (options.stratify) stratifyStage(db, seed, split);
    const renderedThisRun = await renderStage(store, dicomDir, out, size, pool, progressStream);
    await writeNihExports(db, out);
    await writeChexpertCsv(db, out, '');
    const shards = shardSize > 0 ? await writeDatasetShards(db, out, { size: shardSize, records: options.shardRecords ?? 1000, pool, progress: progressStream }) : undefined;
    const failed = (db.prepare('SELECT count(*) FROM failures').pluck().get() as number) ?? 0;
    const summary: BuildSummary = {
      out,
      keyFile,
      files: { seen: discovered.files, dicom: discovered.dicom, nonDicom: discovered.nonDicom, dicomDir: discovered.dicomDir, unreadable: discovered.unreadable, indexedThisRun: index.indexed, skippedAsDone: index.skipped },
      images: {
        selected: assigned.selected,
        excluded: assigned.excluded,
        duplicates: assigned.duplicates,
        withoutReport: assigned.withoutReport,
        rendered: db.prepare("SELECT count(*) FROM images WHERE png_status = 'done'").pluck().get() as number,
        inDataset: db.prepare(`SELECT count(*) FROM images i WHERE ${EXPORTED_IMAGES}`).pluck().get() as number,
        renderedThisRun,
      },
      reports: { read: reports.read, problems: reports.problems, srDocuments: reports.sr, withoutImage: assigned.reportsWithoutImage },
      labeledThisRun: labeled,
      patients: db.prepare(`SELECT count(DISTINCT patient_id) FROM images i WHERE ${EXPORTED_IMAGES}`).pluck().get() as number,
      splits: countSplits(db),
      shards,
      failed,
      failures: (db
        .prepare('SELECT f.file, (SELECT path FROM private.sources s WHERE s.ref = f.file) AS path, f.stage, f.reason FROM failures f ORDER BY f.stage, f.file LIMIT 50')
        .all() as { file: string; path: string | null; stage: string; reason: string }[]).map((f) => ({ ...f, path: f.path ?? undefined })),
      seconds: (Date.now() - started) / 1000,
    };
    const { failures: _paths, ...stored } = summary;
    finishRun(db, runId, failed > 0 ? 'failures' : 'ok', stored);
    return summary;
  } catch (error) {
    finishRun(db, runId, 'error', { error: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    await pool.close();
    store.close();
  }
}
