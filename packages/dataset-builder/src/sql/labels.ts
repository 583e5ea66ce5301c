/** Named SQL of `labels` (one row per image and finding). Prepared once per connection by store.ts `statements`. */

/** Statements over `labels`. */
export const LABELS_SQL = {
  deleteOfImage: 'DELETE FROM labels WHERE image_id = ?',
  insert: 'INSERT INTO labels (image_id, finding, value, evidence) VALUES (?, ?, ?, ?)',
  /** How many positive labels each finding has. */
  positiveCounts: "SELECT finding, count(*) AS n FROM labels WHERE value = 1 AND finding <> 'No Finding' GROUP BY finding",
  /** Each patient's positive findings. */
  positivesByPatient: "SELECT DISTINCT i.patient_id, l.finding FROM labels l JOIN images i ON i.id = l.image_id WHERE l.value = 1 AND l.finding <> 'No Finding'",
} as const;
