/**
 * DepthwiseConv2dNativeBackpropFilter and DepthwiseConv2dNativeBackpropInput for the wasm backend, which does not ship
 * them (tfjs 4.22): the gradients of a depthwise convolution (MobileNet-style backbones) with respect to its filter
 * and its input.
 *
 * Public API (stable): `depthwiseBackpropFilterByOffsets`, `depthwiseBackpropInputByOffsets`, and the kernel configs
 * `depthwiseBackpropFilterConfig`, `depthwiseBackpropInputConfig` (registered by `registerWasmGradientKernels`).
 *
 * Method: both are sums over the kh*kw filter offsets of element-wise products, built from pad, (strided) slice,
 * reshape, multiply and sum, so they run on any backend. For the input gradient, dy is first spread onto the
 * stride grid (zeros between rows and columns), shifted to each offset by padding, and the sum is cropped to the input.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap } from '@tensorflow/tfjs';
import { asTensor } from './conv2d-backprop-filter.js';

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
type Rounding = 'floor' | 'round' | 'ceil' | undefined;
type Pair = [number, number] | number;

/**
 * The filter gradient of `depthwiseConv2d(x, filter, strides, pad, 'NHWC', dilations)`.
 *
 * @example
 * ```ts
 * const dw = depthwiseBackpropFilterByOffsets(x, dy, [3, 3, 8, 1], 1, 'same', 1); // [3, 3, 8, 1]
 * ```
 */
export function depthwiseBackpropFilterByOffsets(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: Pair,
  pad: Pad,
  dilations: Pair,
  dimRoundingMode?: Rounding,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, dilations, pad, dimRoundingMode, true, 'channelsLast');
    const [kh, kw, c, m] = filterShape;
    const [n] = x.shape;
    const { outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    const { top, bottom, left, right } = info.padInfo;
    const padded = tf.pad(x, [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]]);
    const dy5 = tf.reshape(dy, [n, ho, wo, c, m]);
    const parts: tf.Tensor2D[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const window = tf.stridedSlice(
          padded,
          [0, i * dh, j * dw, 0],
          [n, i * dh + (ho - 1) * sh + 1, j * dw + (wo - 1) * sw + 1, c],
          [1, sh, sw, 1],
        ) as tf.Tensor4D;
        parts.push(tf.sum(tf.mul(tf.expandDims(window, 4), dy5), [0, 1, 2]) as tf.Tensor2D);
      }
    }
    return tf.reshape(tf.stack(parts), filterShape);
  });
}

/**
 * The input gradient of `depthwiseConv2d(x, filter, strides, pad, 'NHWC', dilations)` for an input of `inputShape`.
 *
 * @example
 * ```ts
 * const dx = depthwiseBackpropInputByOffsets(dy, filter, [2, 16, 16, 8], 2, 'same', 1); // [2, 16, 16, 8]
 * ```
 */
export function depthwiseBackpropInputByOffsets(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  strides: Pair,
  pad: Pad,
  dilations: Pair,
  dimRoundingMode?: Rounding,
): tf.Tensor4D {
  return tf.tidy(() => {
    const filterShape = filter.shape;
    const info = tf.backend_util.computeConv2DInfo(inputShape, filterShape, strides, dilations, pad, dimRoundingMode, true, 'channelsLast');
    const [kh, kw, c, m] = filterShape;
    const [n, h, w] = inputShape;
    const { outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    const { top, left } = info.padInfo;
    const hp = Math.max(h + top + Math.max(info.padInfo.bottom, 0), (ho - 1) * sh + (kh - 1) * dh + 1);
    const wp = Math.max(w + left + Math.max(info.padInfo.right, 0), (wo - 1) * sw + (kw - 1) * dw + 1);
    // dy spread onto the stride grid: row y of dy lands on row y * sh.
    let spread: tf.Tensor4D = dy;
    if (sh > 1 || sw > 1) {
      const six = tf.reshape(dy, [n, ho, 1, wo, 1, c * m]);
      const grid = tf.pad(six, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
      spread = tf.reshape(grid, [n, ho * sh, wo * sw, c * m]);
    }
    const gh = spread.shape[1];
    const gw = spread.shape[2];
    const spread5 = tf.reshape(spread, [n, gh, gw, c, m]);
    let total: tf.Tensor4D | undefined;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const taps = tf.reshape(tf.slice(filter, [i, j, 0, 0], [1, 1, c, m]), [c, m]);
        let part = tf.sum(tf.mul(spread5, taps), 4) as tf.Tensor4D; // [n, gh, gw, c]
        const rowsFit = Math.min(gh, hp - i * dh);
        const colsFit = Math.min(gw, wp - j * dw);
        if (rowsFit < gh || colsFit < gw) part = tf.slice(part, [0, 0, 0, 0], [n, rowsFit, colsFit, c]);
        const shifted = tf.pad(part, [[0, 0], [i * dh, hp - i * dh - rowsFit], [j * dw, wp - j * dw - colsFit], [0, 0]]);
        total = total === undefined ? shifted : tf.add<tf.Tensor4D>(total, shifted);
      }
    }
    return tf.slice(total as tf.Tensor4D, [0, top, left, 0], [n, h, w, c]);
  });
}

/** Kernel config of DepthwiseConv2dNativeBackpropFilter for a backend (default wasm). */
export function depthwiseBackpropFilterConfig(backendName = 'wasm'): KernelConfig {
  return {
    kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
    backendName,
    kernelFunc: ({ inputs, attrs }: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap }) => {
      const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
      return depthwiseBackpropFilterByOffsets(
        asTensor<tf.Rank.R4>(inputs.x, 'x'),
        asTensor<tf.Rank.R4>(inputs.dy, 'dy'),
        a.filterShape,
        a.strides,
        a.pad as Pad,
        a.dilations,
        a.dimRoundingMode,
      );
    },
  };
}

/** Kernel config of DepthwiseConv2dNativeBackpropInput for a backend (default wasm). */
export function depthwiseBackpropInputConfig(backendName = 'wasm'): KernelConfig {
  return {
    kernelName: tf.DepthwiseConv2dNativeBackpropInput,
    backendName,
    kernelFunc: ({ inputs, attrs }: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap }) => {
      const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
      return depthwiseBackpropInputByOffsets(
        asTensor<tf.Rank.R4>(inputs.dy, 'dy'),
        asTensor<tf.Rank.R4>(inputs.filter, 'filter'),
        a.inputShape,
        a.strides,
        a.pad as Pad,
        a.dilations,
        a.dimRoundingMode,
      );
    },
  };
}
