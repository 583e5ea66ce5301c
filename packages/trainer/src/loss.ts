/**
 * Multi-label classification losses, computed from logits (the prediction layer's output before the sigmoid) for
 * numerical stability: -ln(sigmoid(z)) = softplus(-z) and -ln(1 - sigmoid(z)) = softplus(z), never ln(0).
 *
 * Weighted cross-entropy (PAPER.md section 3):
 *   L = bP * sum_{y=1} -ln f + bN * sum_{y=0} -ln(1 - f),  bP = (|P| + |N|) / |P|,  bN = (|P| + |N|) / |N|,
 * with |P| and |N| the numbers of 1s and 0s in the batch's label matrix. We divide L by the number of labels
 * (batch size x classes) so the learning rate does not depend on the batch size. A batch without positives (or
 * without negatives) has no term for them; its other beta is then (|P|+|N|)/|N| = 1 (or (|P|+|N|)/|P| = 1).
 *
 * Public API (stable): `LossKind`, `LOSS_KINDS`, `weightedCrossEntropy(logits, labels, batch?)`,
 * `plainCrossEntropy(logits, labels, batch?)`, `lossFor(kind)`, `batchBetas(labels)`, `BatchCounts`, `LossFunction`.
 */
import * as tf from '@tensorflow/tfjs';
import { TrainError } from './errors.js';

/** `'weighted'`: the paper's per-batch weighted cross-entropy; `'plain'`: unweighted binary cross-entropy. */
export type LossKind = 'weighted' | 'plain';

/**
 * Counts of the whole batch when a loss is computed on a part of it (data-parallel workers): the betas and the
 * normalisation then use the whole batch, so the parts' losses and gradients add up to the whole batch's.
 */
export interface BatchCounts {
  /** Number of 1s in the whole batch's label matrix. */
  positives: number;
  /** Number of labels (images x classes) in the whole batch. */
  count: number;
}

/** A loss from logits and 0/1 labels, optionally for a part of a batch. */
export type LossFunction = (logits: tf.Tensor2D, labels: tf.Tensor2D, batch?: BatchCounts) => tf.Scalar;

/** Every accepted `LossKind`. */
export const LOSS_KINDS: readonly LossKind[] = ['weighted', 'plain'];

/**
 * The paper's betas for one batch of 0/1 labels: `{ positive: (P+N)/P, negative: (P+N)/N }`, 0 for an empty side.
 *
 * @example
 * ```ts
 * batchBetas([[1, 0, 0, 0]]); // { positive: 4, negative: 1.3333 }
 * ```
 */
export function batchBetas(labels: ArrayLike<number> | number[][]): { positive: number; negative: number } {
  const flat = Array.isArray(labels) && Array.isArray(labels[0]) ? (labels as number[][]).flat() : Array.from(labels as ArrayLike<number>);
  const p = flat.filter((v) => v === 1).length;
  const n = flat.length - p;
  return { positive: p === 0 ? 0 : (p + n) / p, negative: n === 0 ? 0 : (p + n) / n };
}

function checkShapes(logits: tf.Tensor2D, labels: tf.Tensor2D): void {
  if (logits.rank !== 2 || labels.rank !== 2 || logits.shape[0] !== labels.shape[0] || logits.shape[1] !== labels.shape[1]) {
    throw new TrainError(
      `loss: expected logits and labels of the same [batch, classes] shape, found [${logits.shape.join(', ')}] and [${labels.shape.join(', ')}]`,
    );
  }
}

/**
 * The paper's weighted cross-entropy from logits, averaged over the labels of the batch (a scalar). With `batch`, the
 * labels are part of a larger batch whose counts set the betas and the divisor.
 *
 * @example
 * ```ts
 * // one positive (logit 0) and three negatives (logit 0): bP = 4, bN = 4/3, L = (4 ln 2 + 3 * 4/3 ln 2) / 4 = 2 ln 2
 * weightedCrossEntropy(tf.zeros([1, 4]), tf.tensor2d([[1, 0, 0, 0]])); // 1.3863
 * ```
 */
export function weightedCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor2D, batch?: BatchCounts): tf.Scalar {
  checkShapes(logits, labels);
  return tf.tidy(() => {
    const y = tf.cast(labels, 'float32');
    const count = batch?.count ?? y.size;
    const p = batch === undefined ? tf.sum(y) : tf.scalar(batch.positives);
    const n = tf.sub(count, p);
    // (P+N)/P, or 0 when P = 0 (the term it multiplies is then 0 too): count / max(P, 1) * min(P, 1)
    const betaP = tf.mul(tf.div(count, tf.maximum(p, 1)), tf.minimum(p, 1));
    const betaN = tf.mul(tf.div(count, tf.maximum(n, 1)), tf.minimum(n, 1));
    const positive = tf.sum(tf.mul(y, tf.softplus(tf.neg(logits))));
    const negative = tf.sum(tf.mul(tf.sub(1, y), tf.softplus(logits)));
    return tf.div(tf.add(tf.mul(betaP, positive), tf.mul(betaN, negative)), count) as tf.Scalar;
  });
}

/**
 * Unweighted binary cross-entropy from logits, averaged over the labels of the batch (a scalar).
 *
 * @example
 * ```ts
 * plainCrossEntropy(tf.zeros([2, 3]), tf.ones([2, 3])); // ln 2 = 0.6931
 * ```
 */
export function plainCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor2D, batch?: BatchCounts): tf.Scalar {
  checkShapes(logits, labels);
  return tf.tidy(() => {
    const y = tf.cast(labels, 'float32');
    const perLabel = tf.add(tf.mul(y, tf.softplus(tf.neg(logits))), tf.mul(tf.sub(1, y), tf.softplus(logits)));
    return tf.div(tf.sum(perLabel), batch?.count ?? y.size) as tf.Scalar;
  });
}

/**
 * The loss function for a `LossKind`.
 *
 * @example
 * ```ts
 * const loss = lossFor('weighted')(logits, labels);
 * ```
 */
export function lossFor(kind: LossKind): LossFunction {
  if (kind === 'weighted') return weightedCrossEntropy;
  if (kind === 'plain') return plainCrossEntropy;
  throw new TrainError(`unknown loss "${String(kind)}": expected one of ${LOSS_KINDS.join(', ')}`);
}
