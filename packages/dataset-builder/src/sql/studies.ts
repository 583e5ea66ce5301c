/**
 * Named SQL of `studies` and the private `study_links` table (a study's accession key and header identifiers).
 * Prepared once per connection by store.ts `statements`.
 */

/** Statements over `studies` and `private.study_links`. */
export const STUDIES_SQL = {
  upsert: `INSERT INTO studies (patient_id, seq, source_key, age_years, has_report, report_digest, report_text)
    VALUES (@patient_id, @seq, @source_key, @age_years, @has_report, @report_digest, @report_text)
    ON CONFLICT(source_key) DO UPDATE SET patient_id = excluded.patient_id, seq = excluded.seq, age_years = excluded.age_years,
      has_report = excluded.has_report, report_digest = excluded.report_digest, report_text = excluded.report_text`,
  /** A study's id by its source key (pluck). */
  idOf: 'SELECT id FROM studies WHERE source_key = ?',
  upsertLink:
    'INSERT INTO private.study_links (study_key, accession_key, scrub) VALUES (?, ?, ?) ON CONFLICT(study_key) DO UPDATE SET accession_key = excluded.accession_key, scrub = excluded.scrub',
  /** Studies with a report and an image whose label digest is not the study's report digest + the given suffix. */
  toLabel: `SELECT DISTINCT s.id, s.source_key, s.report_digest, l.accession_key, l.scrub FROM studies s
       JOIN images i ON i.study_id = s.id
       LEFT JOIN private.study_links l ON l.study_key = s.source_key
       WHERE s.has_report = 1 AND (i.label_digest IS NULL OR i.label_digest <> s.report_digest || ?)
       ORDER BY s.id`,
} as const;
