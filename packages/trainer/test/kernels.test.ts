import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { registerWasmGradientKernels, WASM_GRADIENT_KERNELS } from '../src/kernels/index.js';
import { maxError, values } from './helpers/numeric.js';
import type { ConvCase } from './helpers/numeric.js';

interface Case extends ConvCase {
  dilations?: number;
  depthwise?: boolean;
}

const cases: Case[] = [
  { name: '3x3 stride 1 same', x: [2, 9, 9, 3], f: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { name: '3x3 stride 2 same, odd size', x: [2, 11, 11, 4], f: [3, 3, 4, 5], strides: 2, pad: 'same' },
  { name: '3x3 stride 2 valid', x: [1, 12, 10, 2], f: [3, 3, 2, 3], strides: 2, pad: 'valid' },
  { name: '1x1 stride 1', x: [2, 6, 6, 5], f: [1, 1, 5, 7], strides: 1, pad: 'same' },
  { name: '1x1 stride 2', x: [2, 7, 7, 5], f: [1, 1, 5, 7], strides: 2, pad: 'same' },
  { name: '4x4 stride 2 same (strided block)', x: [2, 16, 16, 3], f: [4, 4, 3, 5], strides: 2, pad: 'same' },
  { name: '2x2 stride 2 same (strided shortcut)', x: [2, 12, 12, 4], f: [2, 2, 4, 6], strides: 2, pad: 'same' },
  { name: '7x7 stride 2 same', x: [1, 16, 16, 1], f: [7, 7, 1, 4], strides: 2, pad: 'same' },
  { name: 'depthwise 3x3 stride 1 same', x: [2, 8, 8, 4], f: [3, 3, 4, 1], strides: 1, pad: 'same', depthwise: true },
  { name: 'depthwise 3x3 stride 2 same, multiplier 2', x: [2, 9, 9, 3], f: [3, 3, 3, 2], strides: 2, pad: 'same', depthwise: true },
  { name: 'depthwise 5x5 stride 2 valid', x: [1, 11, 10, 2], f: [5, 5, 2, 1], strides: 2, pad: 'valid', depthwise: true },
];

/** Gradients of sum(conv(x, f) * weights) with respect to x and f, on the current backend. */
async function gradients(c: Case): Promise<{ dx: Float32Array; df: Float32Array }> {
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const x = tf.tensor4d(values(size(c.x), 1), c.x);
  const f = tf.tensor4d(values(size(c.f), 2), c.f);
  const conv = (a: tf.Tensor4D, b: tf.Tensor4D) =>
    c.depthwise
      ? tf.depthwiseConv2d(a, b, c.strides, c.pad, 'NHWC', c.dilations ?? 1)
      : tf.conv2d(a, b, c.strides, c.pad);
  const outShape = conv(x, f).shape;
  const weights = tf.tensor(values(size(outShape), 3), outShape);
  const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), weights)))([x, f]);
  return { dx: (await dx!.data()) as Float32Array, df: (await df!.data()) as Float32Array };
}

test.serial('wasm lacks the kernels we register, and registering is idempotent', async (t) => {
  await initBackend('wasm');
  t.is(tf.getBackend(), 'wasm');
  for (const name of WASM_GRADIENT_KERNELS) t.truthy(tf.getKernel(name, 'wasm'), name);
  t.deepEqual(registerWasmGradientKernels(), []);
});

for (const c of cases) {
  test.serial(`gradients on wasm equal the cpu backend to 1e-4: ${c.name}`, async (t) => {
    await initBackend('cpu');
    const expected = await gradients(c);
    await initBackend('wasm');
    const actual = await gradients(c);
    t.true(expected.df.some((v) => v !== 0));
    t.true(maxError(actual.df, expected.df) < 1e-4, `filter gradient error ${maxError(actual.df, expected.df)}`);
    t.true(maxError(actual.dx, expected.dx) < 1e-4, `input gradient error ${maxError(actual.dx, expected.dx)}`);
  });
}
