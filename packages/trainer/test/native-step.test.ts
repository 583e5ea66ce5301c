/**
 * The native parts of a training step beyond the convolutions themselves: the ReLU gradient with its bias sums made in
 * the same pass, Adam for every variable in one call, and the thread pool's results not depending on the thread count
 * or on which thread ran which unit, the per-image input standardisation and its gradient. Each is checked against the
 * tfjs cpu backend.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { convBiasActivation, normalizeImages } from '../src/model.js';
import { loadNativeConv, NATIVE_ADAM_KERNEL, nativeAdamStep, nativeConvThreads, nativeKernelInfo, setNativeConvThreads } from '../src/native.js';
import { Adam } from '../src/train.js';
import { maxError, values } from './helpers/numeric.js';

const native = loadNativeConv();
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Runs `fn` with the native kernels on `threads` threads, then restores the count. */
async function withThreads<T>(threads: number, fn: () => T | Promise<T>): Promise<T> {
  const before = nativeConvThreads();
  setNativeConvThreads(threads);
  try {
    return await fn();
  } finally {
    setNativeConvThreads(before);
  }
}

/** convBiasActivation's output and its gradients (x, filter, bias) for sum(y * w), on the current backend. */
function fusedGradients(xShape: [number, number, number, number], fShape: [number, number, number, number], stride: number): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(values(size(xShape), 11), xShape);
    const f = tf.tensor4d(values(size(fShape), 12), fShape);
    const b = tf.tensor1d(values(fShape[3], 13));
    const y = convBiasActivation(x, f, b, stride, 'relu');
    const w = tf.tensor(values(size(y.shape), 14), y.shape);
    const grads = tf.grads((xi: tf.Tensor, fi: tf.Tensor, bi: tf.Tensor) =>
      tf.sum(tf.mul(convBiasActivation(xi as tf.Tensor4D, fi as tf.Tensor4D, bi as tf.Tensor1D, stride, 'relu'), w)),
    )([x, f, b]);
    return [y, ...grads].map((g) => g.dataSync().slice() as Float32Array);
  });
}

// Rows (N * Ho * Wo) past one sum unit (1024) and not a multiple of it; Co past one 256-column pass, and not a
// multiple of 16; Co = 70 across a 64-column block.
const fusedCases: { name: string; x: [number, number, number, number]; f: [number, number, number, number]; stride: number }[] = [
  { name: '3x3, Co 70, 1,250 rows', x: [2, 25, 25, 5], f: [3, 3, 5, 70], stride: 1 },
  { name: '2x2 stride 2, Co 300, 1,058 rows', x: [2, 46, 46, 3], f: [2, 2, 3, 300], stride: 2 },
];

for (const c of fusedCases) {
  test.serial(`convBiasActivation on the native kernels (bias gradient summed in the ReLU gradient's pass) equals the cpu backend: ${c.name}`, async (t) => {
    if (native === null) {
      t.log(`skipped: ${nativeKernelInfo().detail}`);
      t.pass();
      return;
    }
    await initBackend('cpu');
    const expected = fusedGradients(c.x, c.f, c.stride);
    await initBackend('wasm');
    const runs: Float32Array[][] = [];
    for (const threads of [1, 2, 3]) runs.push(await withThreads(threads, () => fusedGradients(c.x, c.f, c.stride)));
    for (const [r, actual] of runs.entries()) {
      ['output', 'input gradient', 'filter gradient', 'bias gradient'].forEach((what, i) => {
        t.true(expected[i]!.some((v) => v !== 0), `${what} is all zeros`);
        t.true(maxError(actual[i]!, expected[i]!) < 1e-4, `${what}, ${r + 1} thread(s): error ${maxError(actual[i]!, expected[i]!)}`);
      });
    }
    // the bias sums' order of addition is fixed by the shape: the same bits on 1, 2 and 3 threads
    t.deepEqual(Array.from(runs[1]![3]!), Array.from(runs[0]![3]!));
    t.deepEqual(Array.from(runs[2]![3]!), Array.from(runs[0]![3]!));
  });
}

test.serial('the native filter gradient gives the same bits on every run for a thread count (units are taken in any order)', async (t) => {
  if (native === null) {
    t.pass();
    return;
  }
  await initBackend('wasm');
  const grad = () =>
    tf.tidy(() => {
      const x = tf.tensor4d(values(4 * 30 * 30 * 8, 21), [4, 30, 30, 8]); // 3,600 rows: 15 depth blocks in 4 chunks
      const dy = tf.tensor4d(values(4 * 30 * 30 * 24, 22), [4, 30, 30, 24]);
      return (tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 8, 24] }) as tf.Tensor)
        .dataSync()
        .slice();
    });
  const first = await withThreads(2, grad);
  for (let i = 0; i < 5; i++) t.deepEqual(Array.from(await withThreads(2, grad)), Array.from(first), `run ${i + 2}`);
});

/** Variables of these shapes (one past a 64 Ki-value unit, one tiny), their gradients for `steps` steps of Adam. */
const adamShapes = [[3, 3, 4, 5], [70001], [2], [130, 1100]];

/** x, m and v of every variable after three Adam steps on the current backend (native where registered). */
function adamRun(): { x: Float32Array[]; m: Float32Array[]; v: Float32Array[] } {
  const vars = tf.tidy(() => adamShapes.map((s, i) => tf.variable(tf.tensor(values(size(s), 30 + i), s), true, `adam-test-${i}-${Math.random()}`)));
  const adam = new Adam(vars);
  for (let step = 0; step < 3; step++) {
    tf.tidy(() => adam.apply(adamShapes.map((s, i) => tf.tensor(values(size(s), 40 + 10 * step + i), s)), 1e-2 * (step + 1)));
  }
  const out = { x: vars.map((v) => v.dataSync().slice()), m: adam.m.map((v) => v.dataSync().slice()), v: adam.v.map((v) => v.dataSync().slice()) };
  adam.dispose();
  tf.dispose(vars);
  return out as { x: Float32Array[]; m: Float32Array[]; v: Float32Array[] };
}

test.serial('native Adam (one call for every variable) equals tfjs Adam on the cpu backend to 1e-4, on 1 and 3 threads', async (t) => {
  if (native === null) {
    t.pass();
    return;
  }
  await initBackend('cpu');
  t.false(nativeAdamStep([], { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, rate: 1 }), 'nothing to do');
  const expected = adamRun();
  await initBackend('wasm');
  t.not(tf.getKernel(NATIVE_ADAM_KERNEL, 'wasm'), undefined);
  for (const threads of [1, 3]) {
    const tensorsBefore = tf.memory().numTensors;
    const actual = await withThreads(threads, adamRun);
    t.is(tf.memory().numTensors, tensorsBefore, 'no tensor leaks');
    for (const part of ['x', 'm', 'v'] as const) {
      expected[part].forEach((e, i) => {
        t.true(e.some((v) => v !== 0), `${part}${i} is all zeros`);
        t.true(maxError(actual[part][i]!, e) < 1e-4, `${part}${i}, ${threads} thread(s): error ${maxError(actual[part][i]!, e)}`);
      });
    }
  }
});

test.serial('Adam falls back to tfjs ops for a gradient of another dtype or shape, and the addon rejects bad Adam params', async (t) => {
  if (native === null) {
    t.pass();
    return;
  }
  await initBackend('wasm');
  const x = tf.variable(tf.zeros([4]), true, `adam-fallback-${Math.random()}`);
  const m = tf.variable(tf.zeros([4]));
  const v = tf.variable(tf.zeros([4]));
  t.false(nativeAdamStep([{ x, m, v, g: tf.zeros([2, 2]) }], { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, rate: 1 }));
  t.false(nativeAdamStep([{ x, m, v, g: tf.zeros([4], 'int32') }], { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, rate: 1 }));
  t.true(nativeAdamStep([{ x, m, v, g: tf.ones([4]) }], { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, rate: 0.5 }));
  // m = 0.1, v = 0.001: x = -0.1 / (sqrt(0.001) + 1e-7) * 0.5
  t.true(maxError(x.dataSync(), new Float32Array(4).fill(-0.1 / (Math.sqrt(0.001) + 1e-7) * 0.5)) < 1e-6);
  tf.dispose([x, m, v]);
  const heap = new ArrayBuffer(1024);
  t.throws(() => native.adam(heap, new Float64Array(3)), { instanceOf: TypeError, message: /adam: params must be/ });
  t.throws(() => native.adam(heap, new Float64Array([2, 0.9, 0.999, 1e-7, 1, 1, 4, 0, 16, 32, 48, 64, 80, 96])), { instanceOf: TypeError, message: /adam: params must be/ });
  t.throws(() => native.adam(heap, new Float64Array([1, 0.9, 0.999, 1e-7, 1, 1, 4, 0, 16, 32, 4096, 64, 80, 96])), { instanceOf: TypeError, message: /outside the heap/ });
  t.throws(() => native.conv(5, heap, new Float64Array(21).fill(4), new Float32Array(3)), { instanceOf: TypeError, message: /sums must be/ });
});

test.serial('a Sum of a native ReLU gradient uses its pass sums only over the same columns; reshaped, it sums afresh', async (t) => {
  const { NATIVE_RELU_GRADIENT_KERNEL } = await import('../src/native.js');
  if (native === null) {
    t.pass();
    return;
  }
  const shape = [3, 25, 31, 12]; // 2,325 rows: three sum units, the last short
  const dy = values(size(shape), 51);
  const y = values(size(shape), 52);
  const compute = (masked: (d: tf.Tensor4D, m: tf.Tensor4D) => tf.Tensor) =>
    tf.tidy(() => {
      const g = masked(tf.tensor4d(dy, shape as [number, number, number, number]), tf.tensor4d(y, shape as [number, number, number, number]));
      return [tf.sum(g, [0, 1, 2]), tf.sum(g, [0, 1, 2], true), tf.sum(tf.reshape(g, [3 * 25 * 31 * 2, 6]), 0), tf.sum(tf.reshape(g, [3 * 25, 31 * 12]), 0)].map(
        (r) => r.dataSync().slice(),
      );
    });
  await initBackend('cpu');
  const expected = compute((d, m) => tf.mul(d, tf.step(m)));
  await initBackend('wasm');
  const actual = compute((d, m) => tf.engine().runKernel(NATIVE_RELU_GRADIENT_KERNEL, { dy: d, y: m }) as tf.Tensor);
  expected.forEach((e, i) => {
    t.is(actual[i]!.length, e.length, `sum ${i}: length`);
    t.true(maxError(actual[i]!, e) < 1e-4, `sum ${i}: error ${maxError(actual[i]!, e)}`);
  });
});

test.serial("normalizeImages('image') on the native kernel (one pass per image, gradient written out) equals the cpu backend, a flat image included", async (t) => {
  const { NATIVE_STANDARDIZE_KERNEL } = await import('../src/native.js');
  if (native === null) {
    t.pass();
    return;
  }
  const shape: [number, number, number, number] = [3, 37, 29, 1]; // 1,073 values an image: one 1,024 run and a short one
  const compute = () =>
    tf.tidy(() => {
      const pixels = values(size(shape), 61).map((v) => 0.5 + 0.4 * v);
      pixels.fill(0.25, 2 * 37 * 29); // the third image is flat
      const x = tf.tensor4d(pixels, shape);
      const w = tf.tensor4d(values(size(shape), 62), shape);
      const y = normalizeImages(x, 'image');
      const dx = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(normalizeImages(xi as tf.Tensor4D, 'image'), w)))(x);
      return [y, dx].map((r) => r.dataSync().slice());
    });
  await initBackend('cpu');
  const expected = compute();
  await initBackend('wasm');
  t.not(tf.getKernel(NATIVE_STANDARDIZE_KERNEL, 'wasm'), undefined);
  for (const threads of [1, 3]) {
    const actual = await withThreads(threads, compute);
    // tfjs's gradient of a flat image is NaN (sqrt at 0): the written-out one is finite; the others are compared
    const flat = 2 * 37 * 29;
    ['output', 'input gradient'].forEach((what, i) => {
      const [a, e] = i === 0 ? [actual[i]!, expected[i]!] : [actual[i]!.subarray(0, flat), expected[i]!.subarray(0, flat)];
      t.true(e.some((v) => v !== 0), `${what} is all zeros`);
      t.true(maxError(a, e) < 1e-4, `${what}, ${threads} thread(s): error ${maxError(a, e)}`);
    });
    t.true(Array.from(actual[0]!.subarray(flat)).every((v) => v === 0), 'a flat image gives zeros');
    t.true(Array.from(actual[1]!.subarray(flat)).every(Number.isFinite), 'a flat image has a finite gradient');
  }
});

/** Two layers, relu then linear with inputIsRelu: output and gradients of sum(y2 * w) for x, f1, b1, f2, b2. */
function chainGradients(xShape: [number, number, number, number], f1Shape: [number, number, number, number], f2Shape: [number, number, number, number], stride: number): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(values(size(xShape), 71), xShape);
    const f1 = tf.tensor4d(values(size(f1Shape), 72), f1Shape);
    const b1 = tf.tensor1d(values(f1Shape[3], 73));
    const f2 = tf.tensor4d(values(size(f2Shape), 74), f2Shape);
    const b2 = tf.tensor1d(values(f2Shape[3], 75));
    const net = (xi: tf.Tensor, f1i: tf.Tensor, b1i: tf.Tensor, f2i: tf.Tensor, b2i: tf.Tensor) =>
      convBiasActivation(convBiasActivation(xi as tf.Tensor4D, f1i as tf.Tensor4D, b1i as tf.Tensor1D, 1, 'relu'), f2i as tf.Tensor4D, b2i as tf.Tensor1D, stride, 'linear', true);
    const y = net(x, f1, b1, f2, b2);
    const w = tf.tensor(values(size(y.shape), 76), y.shape);
    const grads = tf.grads((xi: tf.Tensor, f1i: tf.Tensor, b1i: tf.Tensor, f2i: tf.Tensor, b2i: tf.Tensor) => tf.sum(tf.mul(net(xi, f1i, b1i, f2i, b2i), w)))([x, f1, b1, f2, b2]);
    return [y, ...grads].map((g) => g.dataSync().slice() as Float32Array);
  });
}

// The ReLU gradient fused into the next convolution's input gradient: strided (col2im by phases of rows), 1x1 (dx
// written in place), Ci past one 256-column sum pass.
const chainCases: { name: string; x: [number, number, number, number]; f1: [number, number, number, number]; f2: [number, number, number, number]; stride: number }[] = [
  { name: '3x3 then 4x4 stride 2', x: [3, 14, 13, 4], f1: [3, 3, 4, 24], f2: [4, 4, 24, 16], stride: 2 },
  { name: '3x3 then 1x1', x: [2, 9, 9, 3], f1: [3, 3, 3, 20], f2: [1, 1, 20, 7], stride: 1 },
  { name: '1x1, Ci 300, then 3x3', x: [2, 6, 5, 8], f1: [1, 1, 8, 300], f2: [3, 3, 300, 5], stride: 1 },
  // both through Winograd F(2x2, 3x3): the mask and its sums applied per band of tile rows, odd sizes
  { name: '3x3 then 3x3 (Winograd), 11 x 9, Ci 24', x: [3, 11, 9, 16], f1: [3, 3, 16, 24], f2: [3, 3, 24, 16], stride: 1 },
  { name: '3x3 then 3x3 (Winograd), 30 x 30, several bands', x: [2, 30, 30, 16], f1: [3, 3, 16, 32], f2: [3, 3, 32, 16], stride: 1 },
];

for (const c of chainCases) {
  test.serial(`a ReLU gradient fused into the next input gradient (inputIsRelu) equals the cpu backend, the same bits on 1 to 3 threads: ${c.name}`, async (t) => {
    const { NATIVE_CONV_INPUT_GRADIENT_RELU_KERNEL } = await import('../src/native.js');
    if (native === null) {
      t.pass();
      return;
    }
    await initBackend('cpu');
    const expected = chainGradients(c.x, c.f1, c.f2, c.stride);
    await initBackend('wasm');
    const kernel = tf.getKernel(NATIVE_CONV_INPUT_GRADIENT_RELU_KERNEL, 'wasm');
    t.not(kernel, undefined);
    let calls = 0;
    tf.unregisterKernel(NATIVE_CONV_INPUT_GRADIENT_RELU_KERNEL, 'wasm');
    tf.registerKernel({ ...kernel!, kernelFunc: (args) => (calls++, kernel!.kernelFunc(args)) });
    try {
      const runs: Float32Array[][] = [];
      for (const threads of [1, 2, 3]) runs.push(await withThreads(threads, () => chainGradients(c.x, c.f1, c.f2, c.stride)));
      t.is(calls, 3, 'the fused kernel ran once per run');
      for (const [r, actual] of runs.entries()) {
        ['output', 'x gradient', 'f1 gradient', 'b1 gradient', 'f2 gradient', 'b2 gradient'].forEach((what, i) => {
          t.true(expected[i]!.some((v) => v !== 0), `${what} is all zeros`);
          t.true(maxError(actual[i]!, expected[i]!) < 1e-4, `${what}, ${r + 1} thread(s): error ${maxError(actual[i]!, expected[i]!)}`);
          t.deepEqual(Array.from(actual[i]!), Array.from(runs[0]![i]!), `${what}: ${r + 1} thread(s) gives other bits than 1`);
        });
      }
    } finally {
      tf.unregisterKernel(NATIVE_CONV_INPUT_GRADIENT_RELU_KERNEL, 'wasm');
      tf.registerKernel(kernel!);
    }
  });
}
