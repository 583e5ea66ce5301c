/**
 * Log-sum-exp (LSE) global pooling, the paper's pooling between the transition layer and the prediction layer
 * (PAPER.md section 3): for each channel of an S x S map,
 *
 *   x_p = x* + (1/r) * log( (1/S) * sum_ij exp(r * (x_ij - x*)) ),   x* = max_ij x_ij,  S = number of positions.
 *
 * Subtracting x* keeps every exponent <= 0, so nothing overflows for any r. r interpolates between average pooling
 * (r -> 0) and max pooling (r -> infinity); the paper found r = 10 best.
 *
 * Public API (stable): `lsePool(x: Tensor4D [N,H,W,D], r = 10): Tensor2D [N,D]`, `DEFAULT_LSE_R`.
 * The model is written with tf ops and variables, not the layers API, so there is no layer class.
 *
 * The gradient is written out (tf.customGrad): d x_p / d x_ij = softmax(r * x)_ij over the positions, which is what
 * autodiff would give after the x* terms cancel, in one pass instead of three. Where the native kernels are loaded
 * (wasm), one kernel (`NATIVE_LSE_KERNEL`) computes the pooled values and those weights in three passes on every core,
 * in place of nine tfjs ops (max, subtract, multiply, exp, sum, divide, log, add, divide) on one.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelError } from './errors.js';
import { NATIVE_LSE_KERNEL } from './native.js';

/** The paper's best sharpness. */
export const DEFAULT_LSE_R = 10;

/**
 * LSE-pools each channel of `x` ([N, H, W, D]) over its H x W positions, giving [N, D].
 *
 * @example
 * ```ts
 * const pooled = lsePool(tf.tensor4d([0, 0, 0, 1], [1, 2, 2, 1]), 10); // [[0.1 * ln((3 + e^10) / 4)]] = [[0.8614]]
 * ```
 */
export function lsePool(x: tf.Tensor4D, r: number = DEFAULT_LSE_R): tf.Tensor2D {
  if (!(r > 0) || !Number.isFinite(r)) throw new ModelError(`LSE pooling: expected r > 0, found ${r}`);
  if (x.rank !== 4) throw new ModelError(`LSE pooling: expected a [N, H, W, D] map, found shape [${x.shape.join(', ')}]`);
  const [n, h, w, d] = x.shape;
  const positions = h * w;
  const native = isFloat(x) && tf.getKernel(NATIVE_LSE_KERNEL, tf.getBackend()) !== undefined;
  const pool = tf.customGrad(((input: tf.Tensor, save: tf.GradSaveFunc) => {
    const flat = tf.reshape(input, [n, positions, d]);
    if (native) {
      const [value, weights] = tf.engine().runKernel(NATIVE_LSE_KERNEL, { x: flat }, { r }) as unknown as [tf.Tensor2D, tf.Tensor3D];
      save([weights]);
      return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => lseGradient(saved[0] as tf.Tensor3D, dy, [n, h, w, d]) };
    }
    const peak = tf.max(flat, 1, true); // [n, 1, d]
    const e = tf.exp(tf.mul(tf.sub(flat, peak), r));
    const total = tf.sum(e, 1, true); // [n, 1, d]
    const value = tf.add(peak, tf.div(tf.log(tf.div(total, positions)), r));
    save([tf.div(e, total)]);
    return {
      value: tf.reshape(value, [n, d]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => lseGradient(saved[0] as tf.Tensor3D, dy, [n, h, w, d]),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return pool(x) as tf.Tensor2D;
}

/** d pooled / d x: the softmax weights [N, positions, D] times dy [N, D], shaped as the map. */
function lseGradient(weights: tf.Tensor3D, dy: tf.Tensor, shape: [number, number, number, number]): tf.Tensor4D {
  const [n, , , d] = shape;
  return tf.reshape(tf.mul(weights, tf.reshape(dy, [n, 1, d])), shape);
}

function isFloat(x: tf.Tensor): boolean {
  return x.dtype === 'float32';
}
