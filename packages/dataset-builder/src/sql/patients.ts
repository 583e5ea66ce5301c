/**
 * Named SQL of `patients` (pseudonym, sex, split) and the private `patients` table (patient key to pseudonym).
 * Prepared once per connection by store.ts `statements`.
 */

/** Statements over `patients` and `private.patients`. */
export const PATIENTS_SQL = {
  /** Every known patient key and its pseudonym. */
  pseudonyms: 'SELECT patient_key, pseudonym FROM private.patients',
  maxPseudonym: 'SELECT max(pseudonym) AS m FROM private.patients',
  insertPseudonym: 'INSERT INTO private.patients (patient_key, pseudonym) VALUES (?, ?)',
  /** Without `--stratify`, provisional splits become hash splits. */
  settlePending: "UPDATE patients SET split_method = 'hash' WHERE split_method = 'pending'",
  /** A patient with its split; a recorded split is kept (only the sex is updated). */
  upsert: 'INSERT INTO patients (id, sex, split, split_method) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET sex = excluded.sex',
  /** A patient's split (pluck). */
  splitOf: 'SELECT split FROM patients WHERE id = ?',
  /** Is there a patient at all? */
  any: 'SELECT 1 FROM patients LIMIT 1',
  /** Patients with a provisional split and a labeled image (pluck). */
  pendingLabeled:
    "SELECT id FROM patients p WHERE split_method = 'pending' AND EXISTS (SELECT 1 FROM images i WHERE i.patient_id = p.id AND i.label_digest IS NOT NULL)",
  /** Patients whose split is recorded. */
  recorded: "SELECT id, split FROM patients WHERE split_method <> 'pending'",
  /** The export's patient digest of a pseudonym (splits.ts; pluck). */
  digestOf:
    "SELECT min(s.patient_digest) FROM private.patients p JOIN private.sources s ON s.patient_key = p.patient_key WHERE p.pseudonym = ? AND s.patient_digest <> ''",
  setStratified: "UPDATE patients SET split = ?, split_method = 'stratified' WHERE id = ?",
} as const;
