/**
 * Stage 6: patient-level train / validation / test splits (the paper: 70 / 10 / 20, no patient in two splits).
 *
 * The default assignment hashes each patient's pseudonym with the seed into [0, 1) and cuts that interval at the
 * split fractions. A patient's split then depends on nothing but its own pseudonym and the seed: rebuilding the dataset
 * with more patients never moves an existing patient to another split (no test image ever leaks into training), and
 * the same seed always gives the same splits.
 *
 * `--stratify` instead balances label frequencies: patients are grouped by their rarest positive finding (or No
 * Finding), ordered by the same hash within each group, and dealt out by rank. That is deterministic for a given
 * dataset, but adding patients can move existing ones: use it for a fixed dataset, not a growing one.
 */
import { createHash } from 'node:crypto';
import type { Split } from './shards.js';
import { UsageError } from './errors.js';

/** The fractions of train, val and test; they sum to 1. */
export interface SplitFractions {
  train: number;
  val: number;
  test: number;
}

/** The paper's 70 / 10 / 20. */
export const DEFAULT_SPLIT: SplitFractions = { train: 0.7, val: 0.1, test: 0.2 };

/**
 * Parses `--split 70,10,20` (percentages or fractions, any positive sum) into fractions.
 *
 * @example
 * ```ts
 * parseSplitSpec('70,10,20'); // { train: 0.7, val: 0.1, test: 0.2 }
 * ```
 */
export function parseSplitSpec(spec: string): SplitFractions {
  const parts = spec.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p < 0) || parts.reduce((a, b) => a + b, 0) <= 0) {
    throw new UsageError(`--split: expected three non-negative numbers train,val,test like "70,10,20", found "${spec}"`);
  }
  const sum = parts.reduce((a, b) => a + b, 0);
  return { train: (parts[0] as number) / sum, val: (parts[1] as number) / sum, test: (parts[2] as number) / sum };
}

/**
 * A patient's position in [0, 1): the first 52 bits of SHA-256("{seed}:{patient}").
 *
 * @example
 * ```ts
 * patientHash(1, 'cxr8'); // 0.37... (always the same)
 * ```
 */
export function patientHash(patient: number | string, seed: string): number {
  const digest = createHash('sha256').update(`${seed}:${patient}`).digest();
  // 52 bits fit a double exactly.
  return (digest.readUInt32BE(0) * 2 ** 20 + (digest.readUInt32BE(4) >>> 12)) / 2 ** 52;
}

/**
 * The split of a position in [0, 1).
 *
 * @example
 * ```ts
 * splitOfPosition(0.75, DEFAULT_SPLIT); // 'val'
 * ```
 */
export function splitOfPosition(position: number, fractions: SplitFractions): Split {
  if (position < fractions.train) return 'train';
  if (position < fractions.train + fractions.val) return 'val';
  return 'test';
}

/**
 * A patient's split from its pseudonym and the seed (stable when patients are added).
 *
 * @example
 * ```ts
 * assignSplit(17, 'cxr8', DEFAULT_SPLIT); // 'train'
 * ```
 */
export function assignSplit(patient: number | string, seed: string, fractions: SplitFractions = DEFAULT_SPLIT): Split {
  return splitOfPosition(patientHash(patient, seed), fractions);
}

/**
 * Stratified patient split: patients are grouped by `stratum` (e.g. their rarest positive finding), ordered by hash
 * inside each group, and dealt out so that each group is split by the fractions.
 *
 * @example
 * ```ts
 * stratifiedSplits([{ patient: 1, stratum: 'Hernia' }, { patient: 2, stratum: 'No Finding' }], 'cxr8', DEFAULT_SPLIT);
 * // Map { 1 => 'train', 2 => 'train' }
 * ```
 */
export function stratifiedSplits(
  patients: readonly { patient: number; stratum: string }[],
  seed: string,
  fractions: SplitFractions = DEFAULT_SPLIT,
): Map<number, Split> {
  const groups = new Map<string, { patient: number; h: number }[]>();
  for (const p of patients) {
    const g = groups.get(p.stratum) ?? [];
    g.push({ patient: p.patient, h: patientHash(p.patient, seed) });
    groups.set(p.stratum, g);
  }
  const out = new Map<number, Split>();
  for (const group of groups.values()) {
    group.sort((a, b) => a.h - b.h || a.patient - b.patient);
    // Rank midpoints, offset by the group's first hash so that single-patient groups do not all land in train.
    const offset = group[0]?.h ?? 0;
    group.forEach((p, i) => out.set(p.patient, splitOfPosition(((i + 0.5) / group.length + offset) % 1, fractions)));
  }
  return out;
}

/**
 * The stratum of a patient for {@link stratifiedSplits}: the rarest of its positive findings by dataset frequency,
 * or "No Finding".
 *
 * @example
 * ```ts
 * stratumOf(['Effusion', 'Hernia'], new Map([['Effusion', 900], ['Hernia', 12]])); // 'Hernia'
 * ```
 */
export function stratumOf(positives: readonly string[], frequency: ReadonlyMap<string, number>): string {
  let best: string | undefined;
  for (const f of positives) {
    if (best === undefined || (frequency.get(f) ?? 0) < (frequency.get(best) ?? 0) || ((frequency.get(f) ?? 0) === (frequency.get(best) ?? 0) && f < best)) {
      best = f;
    }
  }
  return best ?? 'No Finding';
}
