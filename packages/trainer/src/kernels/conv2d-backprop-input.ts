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
 * For stride 2 the zero rows make it 4x the work of the forward pass; a stride-1 convolution costs the same as forward.
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
    const [kh, kw] = filter.shape;
    const [, h, w] = inputShape;
    const spread = spreadOnGrid(dy, info.strideHeight, info.strideWidth);
    const before = kh - 1 - info.padInfo.top;
    const beforeW = kw - 1 - info.padInfo.left;
    const after = h + kh - 1 - before - spread.shape[1];
    const afterW = w + kw - 1 - beforeW - spread.shape[2];
    const padded = padOrCrop(spread, before, after, beforeW, afterW);
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [kh, kw, Co, Ci]
    return tf.conv2d(padded, flipped, 1, 'valid');
  });
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
