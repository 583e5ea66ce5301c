/**
 * Conv2DBackpropInput for the wasm backend. tfjs-backend-wasm 4.22 ships one, but as a plain loop that is about ten
 * times slower than the forward convolution (it dominated a training step); this one runs on XNNPACK's convolution.
 *
 * Public API (stable): `conv2dBackpropInputAsConv(dy, filter, inputShape, strides, pad, dimRoundingMode?)` and the
 * kernel config `conv2dBackpropInputConfig` (registered by `registerWasmGradientKernels`, replacing the built-in one).
 *
 * Method: the input gradient of a convolution is a "full" correlation of dy, spread onto the stride grid, with the
 * filter rotated by 180 degrees and its in/out channels swapped:
 *   dx[q] = sum_j Dpad[q + j] * Wflip[j],  D = dy with (stride - 1) zeros between rows and columns,
 *   Dpad = D padded by (k - 1 - padTop) before and whatever makes the output H rows after.
 * Spreading dy with zeros would make a stride-2 gradient 4x the forward work, so strided convolutions are split into
 * stride x stride phases (see `backpropInputByPhases`), each a small stride-1 convolution: the same work as forward.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap } from '@tensorflow/tfjs';
import { TrainerError } from '../errors.js';
import { asTensor } from './conv2d-backprop-filter.js';

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/**
 * Spreads a [N, H, W, C] map onto a stride grid: value (y, x) moves to (y * sh, x * sw), zeros elsewhere; the result
 * is [N, (H - 1) * sh + 1, (W - 1) * sw + 1, C].
 *
 * @example
 * ```ts
 * spreadOnGrid(tf.ones([1, 2, 2, 1]), 2, 2); // [1, 3, 3, 1]: ones at the four corners
 * ```
 */
export function spreadOnGrid(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return x;
  return tf.tidy((): tf.Tensor4D => {
    const [n, h, w, c] = x.shape;
    const six = tf.reshape(x, [n, h, 1, w, 1, c]);
    const grid = tf.reshape(tf.pad(six, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]), [n, h * sh, w * sw, c]);
    return tf.slice(grid, [0, 0, 0, 0], [n, (h - 1) * sh + 1, (w - 1) * sw + 1, c]) as tf.Tensor4D;
  });
}

/** Pads (positive amounts) or crops (negative amounts) the two spatial axes of a [N, H, W, C] map. */
function padOrCrop(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  let out = x;
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    out = tf.pad(out, [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]]);
  }
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [n, h, w, c] = out.shape;
    const t = Math.max(-top, 0);
    const l = Math.max(-left, 0);
    out = tf.slice(out, [0, t, l, 0], [n, h - t - Math.max(-bottom, 0), w - l - Math.max(-right, 0), c]);
  }
  return out;
}

/**
 * The input gradient of `conv2d(x, filter, strides, pad)` for an input of `inputShape`, as one forward convolution.
 *
 * @example
 * ```ts
 * const dx = conv2dBackpropInputAsConv(dy, filter, [16, 112, 112, 16], 2, 'same'); // [16, 112, 112, 16]
 * ```
 */
export function conv2dBackpropInputAsConv(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  strides: [number, number] | number,
  pad: Pad,
  dimRoundingMode?: Rounding,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    if (info.strideHeight > 1 || info.strideWidth > 1) return backpropInputByPhases(dy, filter, inputShape, info);
    const [kh, kw] = filter.shape;
    const [, h, w] = inputShape;
    const before = kh - 1 - info.padInfo.top;
    const beforeW = kw - 1 - info.padInfo.left;
    const after = h + kh - 1 - before - dy.shape[1];
    const afterW = w + kw - 1 - beforeW - dy.shape[2];
    const padded = padOrCrop(dy, before, after, beforeW, afterW);
    return tf.conv2d(padded, flipFilter(filter), 1, 'valid');
  });
}

/** The filter rotated by 180 degrees with in/out channels swapped: [kh, kw, Ci, Co] -> [kh, kw, Co, Ci]. */
function flipFilter(filter: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
}

/**
 * Strided case, by phases: padded input row p = u * s + r (phase r) only receives taps i = r + m * s, so each of the
 * s x s phases is a stride-1 full correlation of dy with the sub-filter W[r::s, c::s]; the phases are then
 * interleaved (stack + reshape) and cropped to the input. Same work as the forward convolution, no zero rows.
 */
function backpropInputByPhases(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  info: tf.backend_util.Conv2DInfo,
): tf.Tensor4D {
  const [kh, kw, ci] = filter.shape;
  const [n, h, w] = inputShape;
  const { strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const [, ho, wo] = dy.shape;
  const u = Math.ceil((top + h) / sh);
  const v = Math.ceil((left + w) / sw);
  const rows: tf.Tensor4D[] = [];
  for (let rh = 0; rh < sh; rh++) {
    const cols: tf.Tensor4D[] = [];
    for (let rw = 0; rw < sw; rw++) {
      const th = Math.max(0, Math.ceil((kh - rh) / sh));
      const tw = Math.max(0, Math.ceil((kw - rw) / sw));
      if (th === 0 || tw === 0) {
        cols.push(tf.zeros([n, u, v, ci]));
        continue;
      }
      const sub =
        sh === 1 && sw === 1
          ? filter
          : (tf.stridedSlice(filter, [rh, rw, 0, 0], [kh, kw, filter.shape[2], filter.shape[3]], [sh, sw, 1, 1]) as tf.Tensor4D);
      const padded = padOrCrop(dy, th - 1, u - ho, tw - 1, v - wo);
      cols.push(tf.conv2d(padded, flipFilter(sub), 1, 'valid')); // [n, u, v, ci]
    }
    // interleave columns: [n, u, v, sw, ci] -> [n, u, v * sw, ci]
    rows.push(sw === 1 ? (cols[0] as tf.Tensor4D) : tf.reshape(tf.stack(cols, 3), [n, u, v * sw, ci]));
  }
  const all = sh === 1 ? (rows[0] as tf.Tensor4D) : tf.reshape(tf.stack(rows, 2), [n, u * sh, v * sw, ci]);
  return tf.slice(all, [0, top, left, 0], [n, h, w, ci]) as tf.Tensor4D;
}

/** Kernel config of Conv2DBackpropInput for a backend (default wasm). */
export function conv2dBackpropInputConfig(backendName = 'wasm'): KernelConfig {
  return {
    kernelName: tf.Conv2DBackpropInput,
    backendName,
    kernelFunc: ({ inputs, attrs }: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap }) => {
      const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
      if (a.dataFormat === 'NCHW') {
        throw new TrainerError('Conv2DBackpropInput (wasm): expected dataFormat NHWC, found NCHW');
      }
      return conv2dBackpropInputAsConv(
        asTensor<tf.Rank.R4>(inputs.dy, 'dy'),
        asTensor<tf.Rank.R4>(inputs.filter, 'filter'),
        a.inputShape,
        a.strides,
        a.pad as Pad,
        a.dimRoundingMode,
      );
    },
  };
}
