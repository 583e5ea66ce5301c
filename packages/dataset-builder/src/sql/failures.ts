/**
 * Named SQL of `failures` (one row per failed item and stage) and `excluded` (excluded objects and duplicate copies).
 * Prepared once per connection by store.ts `statements`; `recordFailure` (store.ts) records one failure.
 */

/** Statements over `failures`. */
export const FAILURES_SQL = {
  /** A file's parse and render failures (it is read again). */
  clearParseAndRender: "DELETE FROM failures WHERE file = ? AND stage IN ('parse', 'render')",
  clearRender: "DELETE FROM failures WHERE file = ? AND stage = 'render'",
  deleteOfFile: 'DELETE FROM failures WHERE file = ?',
  deleteReports: "DELETE FROM failures WHERE stage = 'reports'",
  /** Render failures of files no longer in the export. */
  deleteRenderOfGone: "DELETE FROM failures WHERE stage = 'render' AND file LIKE 'dicom:%' AND file NOT IN (SELECT ref FROM private.sources)",
  /** Parse failures re-derived from the private index (both databases commit apart). */
  syncParse: `INSERT INTO failures (file, stage, reason) SELECT ref, 'parse', reason FROM private.sources WHERE status = 'failed'
               ON CONFLICT(file, stage) DO UPDATE SET reason = excluded.reason`,
  deleteStaleParse: "DELETE FROM failures WHERE stage = 'parse' AND file NOT IN (SELECT ref FROM private.sources WHERE status = 'failed')",
} as const;

/** Statements over `excluded`. */
export const EXCLUDED_SQL = {
  upsert: 'INSERT INTO excluded (file, reason) VALUES (?, ?) ON CONFLICT(file) DO UPDATE SET reason = excluded.reason',
  deleteOfFile: 'DELETE FROM excluded WHERE file = ?',
  /** Files no longer excluded (changed on disk) or no longer in the export. */
  deleteStale: `DELETE FROM excluded WHERE file IN (SELECT ref FROM private.sources WHERE status NOT IN ('excluded', 'image'))
               OR file NOT IN (SELECT ref FROM private.sources)`,
} as const;
