/**
 * Named SQL of the private `reports` table (one row per report used, addenda joined) and `unmatched_reports`, and
 * the one reader of a study's report text. Prepared once per connection by store.ts `statements`.
 */
import type { Database as Db } from 'better-sqlite3';
import { statements } from '../store.js';

/** Statements over `private.reports`. */
export const REPORTS_SQL = {
  insert: 'INSERT INTO private.reports (source, position, accession_key, study_key, text) VALUES (?, ?, ?, ?, ?)',
  /** Joins an addendum to its report: `text || separator || addendum`. */
  append: 'UPDATE private.reports SET text = text || ? || ? WHERE source = ? AND position = ?',
  deleteAll: 'DELETE FROM private.reports',
  /** Every report's place and keys, in source order. */
  keys: 'SELECT source, position, accession_key, study_key FROM private.reports ORDER BY source, position',
  byAccession: 'SELECT source, position, text FROM private.reports WHERE accession_key = ? ORDER BY source, position',
  byStudy: 'SELECT source, position, text FROM private.reports WHERE study_key = ? ORDER BY source, position',
} as const;

/** Statements over `unmatched_reports`. */
export const UNMATCHED_REPORTS_SQL = {
  deleteAll: 'DELETE FROM unmatched_reports',
  insert: 'INSERT INTO unmatched_reports (source, position) VALUES (?, ?)',
} as const;

/** A study's report as the assign and label stages read it: the joined text and the rows it came from. */
export interface StudyReport {
  text: string;
  ids: { source: string; position: number }[];
}

/**
 * The report text of a study: the private `reports` rows with its accession number (keyed), else with its study
 * UID (keyed), in source order, joined with a blank line; undefined when it has none.
 *
 * @example
 * ```ts
 * reportTextFor(db, hmacId(key, 'ACC1001'), hmacId(key, studyUid))?.text; // 'IMPRESSION: Cardiomegaly.'
 * ```
 */
export function reportTextFor(db: Db, accessionKey: string, studyKey: string): StudyReport | undefined {
  const q = statements(db, REPORTS_SQL);
  type Row = { source: string; position: number; text: string };
  let rows = accessionKey ? (q.byAccession.all(accessionKey) as Row[]) : [];
  if (rows.length === 0 && studyKey) rows = q.byStudy.all(studyKey) as Row[];
  if (rows.length === 0) return undefined;
  return { text: rows.map((r) => r.text).join('\n\n'), ids: rows.map((r) => ({ source: r.source, position: r.position })) };
}
