/**
 * What the dataset holds after the stages ran, for `buildDataset`'s summary: read from the database (so a resumed
 * run reports the whole dataset, not only this run's work).
 */
import type { Database as Db } from 'better-sqlite3';
import { EXPORTED_IMAGES } from '../exports/nih.js';
import { statements } from '../store.js';

/** Named statements of the summary. */
const SUMMARY_SQL = {
  rendered: "SELECT count(*) FROM images WHERE png_status = 'done'",
  inDataset: `SELECT count(*) FROM images i WHERE ${EXPORTED_IMAGES}`,
  patients: `SELECT count(DISTINCT patient_id) FROM images i WHERE ${EXPORTED_IMAGES}`,
  splits: `SELECT split, count(*) AS n FROM images i WHERE ${EXPORTED_IMAGES} GROUP BY split`,
  failed: 'SELECT count(*) FROM failures',
  firstFailures:
    'SELECT f.file, (SELECT path FROM private.sources s WHERE s.ref = f.file) AS path, f.stage, f.reason FROM failures f ORDER BY f.stage, f.file LIMIT 50',
} as const;

/** The dataset's counts in the build summary. */
export interface DatasetCounts {
  /** Images with a PNG. */
  rendered: number;
  /** Images rendered and labeled: exported and sharded. */
  inDataset: number;
  /** Patients with an image in the dataset. */
  patients: number;
  /** The dataset's images by split. */
  splits: { train: number; val: number; test: number };
  /** Rows in `failures` (all runs). */
  failed: number;
  /** The first 50 failures with the source path from the private file (for the operator; never stored). */
  failures: { file: string; path: string | undefined; stage: string; reason: string }[];
}

/**
 * Counts what the dataset now holds.
 *
 * @example
 * ```ts
 * datasetCounts(store.db).splits; // { train: 6, val: 1, test: 2 }
 * ```
 */
export function datasetCounts(db: Db): DatasetCounts {
  const q = statements(db, SUMMARY_SQL);
  const splits = { train: 0, val: 0, test: 0 };
  for (const r of q.splits.all() as { split: 'train' | 'val' | 'test'; n: number }[]) splits[r.split] = r.n;
  const failures = (q.firstFailures.all() as { file: string; path: string | null; stage: string; reason: string }[]).map((f) => ({ ...f, path: f.path ?? undefined }));
  return {
    rendered: q.rendered.pluck().get() as number,
    inDataset: q.inDataset.pluck().get() as number,
    patients: q.patients.pluck().get() as number,
    splits,
    failed: (q.failed.pluck().get() as number) ?? 0,
    failures,
  };
}
