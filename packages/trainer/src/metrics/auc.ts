/**
 * ROC AUC and ROC curves, exact, with ties handled the way scikit-learn's `roc_auc_score` and `roc_curve` handle them.
 *
 * The AUC is computed from midranks (the Mann-Whitney U statistic): sort the scores, give tied scores the mean of the
 * ranks they span, and take `(sum of positive ranks - nP (nP + 1) / 2) / (nP nN)`. This equals the area under the
 * trapezoidal ROC curve in which a run of tied scores is one diagonal step, which is what scikit-learn integrates.
 * Midranks are half-integers, so the rank sum is exact in a double for any realistic test set (up to ~10^7 images)
 * and the only rounding is in the final division: the result matches scikit-learn to ~1e-15.
 */
import { MetricInputError } from '../errors.js';

/** A ROC curve: false- and true-positive rates at each distinct score threshold, from (0, 0) to (1, 1). */
export interface RocCurve {
  /** False-positive rates, non-decreasing, starting at 0. */
  fpr: number[];
  /** True-positive rates, non-decreasing, starting at 0. */
  tpr: number[];
  /** The threshold of each point (a score counts as positive when `>=` it); the first is `Infinity`. */
  thresholds: number[];
}

/** Checks the inputs and returns the labels as 0/1 numbers. */
function checkInputs(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>, what: string): Uint8Array {
  if (scores.length !== labels.length) {
    throw new MetricInputError(`${what}: expected as many labels as scores, found ${scores.length} scores and ${labels.length} labels`);
  }
  const y = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const s = scores[i] as number;
    if (!Number.isFinite(s)) {
      throw new MetricInputError(`${what}: expected finite scores, found ${s} at index ${i}`);
    }
    const l = labels[i];
    if (l === 1 || l === true) y[i] = 1;
    else if (l === 0 || l === false) y[i] = 0;
    else throw new MetricInputError(`${what}: expected labels 0 or 1 (filter uncertain labels out first), found ${String(l)} at index ${i}`);
  }
  return y;
}

/**
 * The area under the ROC curve of `scores` against binary `labels`, equal to scikit-learn's `roc_auc_score`.
 *
 * Returns `NaN` when the labels hold only one value (no positives or no negatives): the AUC is undefined there, and
 * scikit-learn raises. Throws {@link MetricInputError} when the lengths differ, a score is not finite, or a label is not
 * 0/1.
 *
 * @example
 * ```ts
 * rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.75, as roc_auc_score gives
 * rocAuc([0.5, 0.5, 0.2], [1, 0, 0]);          // 0.75 (the tie counts one half)
 * rocAuc([0.3, 0.6], [1, 1]);                  // NaN (no negatives)
 * ```
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): number {
  const y = checkInputs(scores, labels, 'rocAuc');
  const n = y.length;
  const { nPos, nNeg } = countClasses(y);
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  const order = orderByScore(scores, 'ascending');
  let positiveRankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    const s = scores[order[start] as number] as number;
    while (end < n && (scores[order[end] as number] as number) === s) end++;
    // Ranks start..end-1 (0-based) tie; their midrank (1-based) is (start + 1 + end) / 2.
    const midrank = (start + 1 + end) / 2;
    let positives = 0;
    for (let k = start; k < end; k++) positives += y[order[k] as number] as number;
    positiveRankSum += positives * midrank;
    start = end;
  }
  return (positiveRankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * The ROC curve of `scores` against binary `labels`: one point per distinct score, highest first, like scikit-learn's
 * `roc_curve(..., drop_intermediate=False)`, with a leading (0, 0) point at threshold `Infinity`. When a class has no
 * positives (or no negatives) the corresponding rate is `NaN`, as in scikit-learn.
 *
 * @example
 * ```ts
 * rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
 * // { fpr: [0, 0, 0.5, 0.5, 1], tpr: [0, 0.5, 0.5, 1, 1], thresholds: [Infinity, 0.8, 0.4, 0.35, 0.1] }
 * ```
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): RocCurve {
  const y = checkInputs(scores, labels, 'rocCurve');
  const n = y.length;
  const { nPos, nNeg } = countClasses(y);
  const order = orderByScore(scores, 'descending');
  const fpr = [0];
  const tpr = [0];
  const thresholds = [Number.POSITIVE_INFINITY];
  let tp = 0;
  let fp = 0;
  for (let start = 0; start < n; ) {
    const s = scores[order[start] as number] as number;
    let end = start;
    while (end < n && (scores[order[end] as number] as number) === s) {
      if (y[order[end] as number] === 1) tp++;
      else fp++;
      end++;
    }
    fpr.push(nNeg === 0 ? Number.NaN : fp / nNeg);
    tpr.push(nPos === 0 ? Number.NaN : tp / nPos);
    thresholds.push(s);
    start = end;
  }
  return { fpr, tpr, thresholds };
}

/** The number of positive (1) and negative (0) labels of a checked 0/1 label array. */
function countClasses(y: ArrayLike<number>): { nPos: number; nNeg: number } {
  let nPos = 0;
  for (let i = 0; i < y.length; i++) nPos += y[i] as number;
  return { nPos, nNeg: y.length - nPos };
}

/** Indices of `scores` sorted by score (a stable sort: ties keep their input order). */
function orderByScore(scores: ArrayLike<number>, direction: 'ascending' | 'descending'): number[] {
  const sign = direction === 'ascending' ? 1 : -1;
  const order = Array.from({ length: scores.length }, (_, i) => i);
  return order.sort((a, b) => sign * ((scores[a] as number) - (scores[b] as number)));
}
