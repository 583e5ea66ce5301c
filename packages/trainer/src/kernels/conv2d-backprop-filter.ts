/**
 * Conv2DBackpropFilter for the wasm backend, which does not ship it (tfjs 4.22): the gradient of a 2-D convolution
 * with respect to its filter, needed to train any convolutional network on wasm.
 *
 * Public API (stable): `conv2dBackpropFilterAsConv(x, dy, filterShape, strides, pad, dimRoundingMode?)` and the
 * kernel config `conv2dBackpropFilterConfig` (registered by `registerWasmGradientKernels`).
 *
 * Method: dW[i, j, ci, co] = sum over (n, y, x) of xpad[n, y*sh + i, x*sw + j, ci] * dy[n, y, x, co], which is itself
 * a forward convolution: take Ci as the batch and N as the channels of the padded input ([Ci, Hp, Wp, N]), dy as the
 * filter ([Ho, Wo, N, Co]) with dilation = the forward stride, and keep the first kh x kw outputs. It then runs on the
 * backend's fastest kernel (XNNPACK's convolution on wasm), without the strided slices that are slow there.
 * A 1x1, stride-1 convolution is one matrix product: x^T as [Ci, N*H*W] times dy as [N*H*W, Co] (untransposed
 * operands: wasm's transposed matmul is about ten times slower).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { TrainerError } from '../errors.js';

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/** Wraps a kernel input as a tensor usable by tf ops (engine inputs already are tensors). */
export function asTensor<R extends tf.Rank>(info: TensorInfo | undefined, name: string): tf.Tensor<R> {
  if (info === undefined) throw new TrainerError(`kernel input "${name}" is missing`);
  if (info instanceof tf.Tensor) return info as tf.Tensor<R>;
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor<R>;
}

/**
 * The filter gradient of `conv2d(x, filter, strides, pad)` given the output gradient `dy`, computed as a forward
 * convolution (see the file comment), so that it runs fast on any backend.
 *
 * @example
 * ```ts
 * const dw = conv2dBackpropFilterAsConv(x, dy, [3, 3, 16, 32], 2, 'same'); // [3, 3, 16, 32]
 * ```
 */
export function conv2dBackpropFilterAsConv(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: [number, number] | number,
  pad: Pad,
  dimRoundingMode?: Rounding,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const [kh, kw, ci, co] = filterShape;
    const [n] = x.shape;
    const { outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw } = info;
    const { top, bottom, left, right } = info.padInfo;
    const rows = n * ho * wo;

    if (kh === 1 && kw === 1 && sh === 1 && sw === 1 && top === 0 && left === 0) {
      const xt = tf.reshape(tf.transpose(x, [3, 0, 1, 2]), [ci, rows]);
      return tf.reshape(tf.matMul(xt, tf.reshape(dy, [rows, co])), filterShape);
    }
    // dW as a convolution: batch <- Ci, channels <- N, filter <- dy [Ho, Wo, N, Co], dilation <- stride.
    const padded = top + bottom + left + right > 0 ? tf.pad(x, [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]]) : x;
    const input = tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D; // [Ci, Hp, Wp, N]
    const filter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [Ho, Wo, N, Co]
    const out = tf.conv2d(input, filter, 1, 'valid', 'NHWC', [sh, sw]); // [Ci, >= kh, >= kw, Co]
    const cropped = out.shape[1] === kh && out.shape[2] === kw ? out : tf.slice(out, [0, 0, 0, 0], [ci, kh, kw, co]);
    return tf.transpose(cropped, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/** Kernel config of Conv2DBackpropFilter for a backend (default wasm). */
export function conv2dBackpropFilterConfig(backendName = 'wasm'): KernelConfig {
  return {
    kernelName: tf.Conv2DBackpropFilter,
    backendName,
    kernelFunc: ({ inputs, attrs }: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap }) => {
      const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      if (a.dataFormat === 'NCHW') {
        throw new TrainerError('Conv2DBackpropFilter (wasm): expected dataFormat NHWC, found NCHW');
      }
      return conv2dBackpropFilterAsConv(
        asTensor<tf.Rank.R4>(inputs.x, 'x'),
        asTensor<tf.Rank.R4>(inputs.dy, 'dy'),
        a.filterShape,
        a.strides,
        a.pad as Pad,
        a.dimRoundingMode,
      );
    },
  };
}
