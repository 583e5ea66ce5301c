/**
 * What every stage of `buildDataset` is a function of (src/stages/*.ts): the open store, the build's HMAC key, the
 * export and dataset folders, the worker pool and where progress lines go. Each stage takes this context and its own
 * options, does only the work the database says is not done, and returns its counters for the summary.
 */
import type { Database as Db } from 'better-sqlite3';
import type { Store } from '../store.js';
import type { TaskRunner } from '../pool.js';

/** The shared context of the build stages (pipeline.ts makes one per run). */
export interface StageContext {
  /** `dataset.sqlite` with the private file attached as `private`. */
  readonly store: Store;
  /** `store.db`. */
  readonly db: Db;
  /** The build's HMAC key (private `meta.hmac_key`): every link back to the export is a keyed hash. */
  readonly key: Buffer;
  /** The export's root (`--dicom`), resolved. */
  readonly dicomDir: string;
  /** The dataset folder (`--out`), resolved. */
  readonly out: string;
  /** The worker pool: parse, decode, render and resize run there; the main thread owns SQLite. */
  readonly pool: TaskRunner;
  /** Where progress lines go; null for none. */
  readonly progress: NodeJS.WriteStream | null;
}
