/**
 * Stage 6 of `buildDataset`, split: `--stratify` deals out new patients by label (splits.ts); the default hash split
 * is set for new patients in the assign stage.
 */
import type { Split } from '../shards.js';
import { stratifiedSplits, stratumOf } from '../splits.js';
import type { SplitFractions } from '../splits.js';
import { statements } from '../store.js';
import { PATIENTS_SQL } from '../sql/patients.js';
import { IMAGES_SQL } from '../sql/images.js';
import { LABELS_SQL } from '../sql/labels.js';
import type { StageContext } from './context.js';

/** Options of {@link splitStage}. */
export interface SplitOptions {
  /** The split seed (`--seed`). */
  seed: string;
  /** The split fractions (`--split`). */
  split: SplitFractions;
}

/**
 * Stage 6, split with `--stratify`: deals out the patients whose split is still provisional ('pending') and who have
 * a labeled image, balancing each stratum (rarest positive finding) against the patients whose split is recorded,
 * which never move. (Without `--stratify` the hash split is set in the assign stage.)
 *
 * @example
 * ```ts
 * if (options.stratify) splitStage(ctx, { seed: 'cxr8', split: DEFAULT_SPLIT });
 * ```
 */
export function splitStage(ctx: StageContext, options: SplitOptions): void {
  const { db } = ctx;
  const { seed } = options;
  const fractions = options.split;
  const patients = statements(db, PATIENTS_SQL);
  const labels = statements(db, LABELS_SQL);
  const pending = patients.pendingLabeled.pluck().all() as number[];
  if (pending.length === 0) return;
  const frequency = new Map<string, number>();
  for (const r of labels.positiveCounts.iterate() as Iterable<{ finding: string; n: number }>) {
    frequency.set(r.finding, r.n);
  }
  const positives = new Map<number, string[]>();
  for (const r of labels.positivesByPatient.iterate() as Iterable<{ patient_id: number; finding: string }>) {
    const list = positives.get(r.patient_id);
    if (list) list.push(r.finding);
    else positives.set(r.patient_id, [r.finding]);
  }
  const recorded = patients.recorded.all() as { id: number; split: Split }[];
  // Dealt in the order of the export's patient digests (splits.ts), so that two fresh builds deal alike.
  const digestOf = patients.digestOf.pluck();
  const splits = stratifiedSplits(
    [
      ...recorded.map((p) => ({ patient: p.id, stratum: stratumOf(positives.get(p.id) ?? [], frequency), split: p.split })),
      ...pending.map((id) => ({ patient: id, key: (digestOf.get(id) as string | null) ?? String(id), stratum: stratumOf(positives.get(id) ?? [], frequency) })),
    ],
    seed,
    fractions,
  );
  const setPatient = patients.setStratified;
  const setImages = statements(db, IMAGES_SQL).setSplitOfPatient;
  db.transaction(() => {
    for (const patient of pending) {
      const split = splits.get(patient) as Split;
      setPatient.run(split, patient);
      setImages.run(split, patient, split);
    }
  })();
}

