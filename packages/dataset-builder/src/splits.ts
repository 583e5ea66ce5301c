/**
 * Stage 6: patient-level train / validation / test splits (the paper: 70 / 10 / 20, no patient in two splits).
 *
 * The default assignment hashes each patient's identity with the seed into [0, 1) and cuts that interval at the
 * split fractions. The identity is {@link patientDigest}, a SHA-256 of the export's Patient ID (kept in the private
 * key file's index, never in the dataset), not the pseudonym: pseudonyms are numbered in study order with ties broken
 * by the random key, so two fresh builds of one export would split differently. A patient's split then depends on
 * nothing but the export and the seed: two builds of one export with one seed split every image alike, whatever
 * their key files; rebuilding with more patients never moves an existing patient to another split (no test image
 * ever leaks into training), and a recorded split is never changed (datasets made before the digest keep theirs).
 *
 * `--stratify` instead balances label frequencies: patients are grouped by their rarest positive finding (or No
 * Finding) and dealt out so that each group is split by the fractions ({@link stratifiedSplits}). Patients whose split
 * is already recorded keep it (whatever the mode that gave it); only new patients are dealt, towards what each group
 * lacks, so a growing dataset never moves a patient between splits either.
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
 * The identity of a patient for splitting: SHA-256 of "cxr8-patient", a NUL and the Patient ID (0010,0020), or of
 * the Patient's Name when the ID is empty; '' when both are. Deterministic from the export alone (no key), so it is
 * stored only in the private key file's index, never in the dataset.
 *
 * @example
 * ```ts
 * patientDigest('HOSP-0001', 'DOE^JANE'); // 'c0a3...' (64 hex digits, the same in every build)
 * ```
 */
export function patientDigest(patientId: string, patientName: string): string {
  const id = patientId.trim() !== '' ? patientId.trim() : patientName.trim() !== '' ? `name:${patientName.trim()}` : '';
  return id === '' ? '' : createHash('sha256').update(`cxr8-patient\u0000${id}`, 'utf8').digest('hex');
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
 * A patient's split from its identity ({@link patientDigest} in a PACS build, the Patient ID of an NIH import) and
 * the seed (stable when patients are added).
 *
 * @example
 * ```ts
 * assignSplit(patientDigest('HOSP-0001', ''), 'cxr8', DEFAULT_SPLIT); // 'train', in every build of that export
 * ```
 */
export function assignSplit(patient: number | string, seed: string, fractions: SplitFractions = DEFAULT_SPLIT): Split {
  return splitOfPosition(patientHash(patient, seed), fractions);
}

/** A patient for {@link stratifiedSplits}: its stratum, and its split when one is already recorded. */
export interface StratifiedPatient {
  patient: number;
  /** What is hashed to order the dealing ({@link patientDigest}); default the patient number. */
  key?: string;
  stratum: string;
  /** The recorded split: kept as it is, and counted when the others are balanced. */
  split?: Split;
}

const SPLITS: readonly Split[] = ['train', 'val', 'test'];

/**
 * Stratified patient split that is stable when data is added: patients with a recorded `split` keep it; the others
 * are dealt out stratum by stratum, in hash order, each to the split that the stratum owes the most (its fraction of
 * the stratum's patients so far, recorded ones included, minus what it holds). When no split is owed a whole patient
 * the owed shares are weighed by a second hash of the patient, so small strata do not all land in train. Counts per
 * stratum then stay within one patient of the fractions (exact when the fractions of the stratum size are whole).
 *
 * @example
 * ```ts
 * stratifiedSplits([{ patient: 1, stratum: 'Hernia', split: 'test' }, { patient: 2, stratum: 'Hernia' }], 'cxr8', DEFAULT_SPLIT);
 * // Map { 1 => 'test', 2 => 'train' }
 * ```
 */
export function stratifiedSplits(patients: readonly StratifiedPatient[], seed: string, fractions: SplitFractions = DEFAULT_SPLIT): Map<number, Split> {
  const out = new Map<number, Split>();
  const groups = new Map<string, { counts: Record<Split, number>; fresh: { patient: number; key: string; h: number }[] }>();
  for (const p of patients) {
    const g = groups.get(p.stratum) ?? { counts: { train: 0, val: 0, test: 0 }, fresh: [] };
    groups.set(p.stratum, g);
    if (p.split) {
      out.set(p.patient, p.split);
      g.counts[p.split]++;
    } else {
      const key = p.key !== undefined && p.key !== '' ? p.key : String(p.patient);
      g.fresh.push({ patient: p.patient, key, h: patientHash(key, seed) });
    }
  }
  for (const g of groups.values()) {
    g.fresh.sort((a, b) => a.h - b.h || (a.key < b.key ? -1 : a.key > b.key ? 1 : a.patient - b.patient));
    let n = g.counts.train + g.counts.val + g.counts.test;
    for (const p of g.fresh) {
      n++;
      const owed = SPLITS.map((s) => fractions[s] * n - g.counts[s]);
      let best = 0;
      for (let i = 1; i < 3; i++) if ((owed[i] as number) > (owed[best] as number)) best = i;
      let split = SPLITS[best] as Split;
      if ((owed[best] as number) < 1 - 1e-9) {
        // No whole patient owed: draw among the positive shares with a second hash of the patient.
        const shares = owed.map((o) => (o > 1e-9 ? o : 0));
        let u = patientHash(p.key, `${seed}:deal`) * shares.reduce((a, b) => a + b, 0);
        for (let i = 0; i < 3; i++) {
          u -= shares[i] as number;
          if (u < 0) {
            split = SPLITS[i] as Split;
            break;
          }
        }
      }
      g.counts[split]++;
      out.set(p.patient, split);
    }
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
