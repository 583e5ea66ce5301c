/**
 * Named SQL of the private `sources` table (the export's index: one row per file, see store.ts) and of the private
 * `meta` values the build keeps there. Prepared once per connection by store.ts `statements`.
 */

/** Statements over `private.sources`. */
export const SOURCES_SQL = {
  /** What the index knows of a path: is it unchanged? */
  byPath: 'SELECT size, mtime_ms, scrub, status FROM private.sources WHERE path = ?',
  /** Index (or re-index) a file; a copy's render outcome (`reason`) is kept while it stays an unchanged image. */
  upsert: `INSERT INTO private.sources
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
      patient_digest = excluded.patient_digest`,
  /** Every indexed path and its reference (files gone from the export are found against the walk). */
  pathsAndRefs: 'SELECT path, ref FROM private.sources',
  deleteByPath: 'DELETE FROM private.sources WHERE path = ?',
  /** The selected images' rows, in path order (the assign stage). */
  images: "SELECT * FROM private.sources WHERE status = 'image' ORDER BY path",
  /** Excluded objects and their reasons, in path order. */
  excluded: "SELECT ref, reason FROM private.sources WHERE status = 'excluded' ORDER BY path",
  /** Accession keys of the export's DICOM objects other than SR documents (pluck). */
  accessionKeys: "SELECT DISTINCT accession_key FROM private.sources WHERE accession_key <> '' AND status <> 'report'",
  /** Study keys of the export's DICOM objects other than SR documents (pluck). */
  studyKeys: "SELECT DISTINCT study_key FROM private.sources WHERE study_key <> '' AND status <> 'report'",
  /** SR documents and their text, in path order (the reports stage). */
  srDocuments: "SELECT ref, accession_key, study_key, sr_text FROM private.sources WHERE status = 'report' ORDER BY path",
  /** The copies of an instance, in path order (copies.ts `CopyRow`). */
  copiesOf: "SELECT path, ref, reason FROM private.sources WHERE sop_key = ? AND status = 'image' ORDER BY path",
  /** What a copy did in the render stage: 'rendered' or why it does not render. */
  setOutcome: 'UPDATE private.sources SET reason = ? WHERE ref = ?',
  /** Clears an instance's copies' outcome `reason` (the copy that rendered before, when another renders now). */
  clearOutcome: "UPDATE private.sources SET reason = NULL WHERE sop_key = ? AND status = 'image' AND reason = ?",
} as const;

/** Statements over the private `meta` values of the build. */
export const PRIVATE_META_SQL = {
  /** The selection options the index was classified with (pluck). */
  selection: "SELECT value FROM private.meta WHERE key = 'selection'",
  setSelection: "INSERT INTO private.meta (key, value) VALUES ('selection', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
  /** The HMAC key, hex. */
  hmacKey: "SELECT value FROM private.meta WHERE key = 'hmac_key'",
  insertHmacKey: "INSERT INTO private.meta (key, value) VALUES ('hmac_key', ?)",
} as const;
