import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { initBackend } from '../src/backend.js';
import { conv2dBackpropFilterAsConv, conv2dBackpropInputAsConv } from '../src/kernels/index.js';
import { convBiasActivation } from '../src/model.js';
import { loadNativeConv, NATIVE_KERNEL_NAMES, nativeKernelInfo, nativeConvThreads, setNativeConvThreads } from '../src/native.js';
import type { NativeKernelName } from '../src/native.js';
import { readFileSync } from 'node:fs';
import { maxError, values } from './helpers/numeric.js';
import type { ConvCase } from './helpers/numeric.js';

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const hasCompiler = process.platform !== 'win32' && spawnSync(process.env.CC ?? 'cc', ['--version']).status === 0;
const native = loadNativeConv();

test('the native kernels are built where a C compiler is present', (t) => {
  if (!hasCompiler || process.env.CXR8_NATIVE === '0') {
    t.log(`no C compiler here (or CXR8_NATIVE=0): ${nativeKernelInfo().detail}`);
    t.pass();
    return;
  }
  t.not(native, null, nativeKernelInfo().detail);
  t.regex(native!.kernel(), /^(avx512|avx2-fma|generic)$/);
  t.true(nativeKernelInfo().native);
});

test('the AVX-512 micro-kernel is chosen at load where the CPU has it', (t) => {
  let flags = '';
  try {
    flags = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // not Linux: nothing to compare with
  }
  if (native === null || process.env.CXR8_KERNEL !== undefined || !/^flags\s*:.*\bavx512f\b/m.test(flags)) {
    t.log(`not checked: ${native === null ? 'no addon' : process.env.CXR8_KERNEL !== undefined ? 'CXR8_KERNEL is set' : 'this CPU has no AVX-512'}`);
    t.pass();
    return;
  }
  t.is(defaultKernel, 'avx512');
});

interface Case extends ConvCase {
  activation: 'relu' | 'linear';
}

// Shapes that cross the kernel's blocks: K > 256 (several depth blocks), Co not a multiple of 16, M not a multiple of
// 6 or 96, Ci = 1 (the stem), strided even kernels (the backbone's).
const cases: Case[] = [
  { name: '3x3 stride 1, relu', x: [2, 9, 9, 3], f: [3, 3, 3, 5], strides: 1, pad: 'same', activation: 'relu' },
  { name: '4x4 stride 2, 16 -> 32', x: [3, 16, 16, 16], f: [4, 4, 16, 32], strides: 2, pad: 'same', activation: 'relu' },
  { name: '2x2 stride 2, odd size, Co 19', x: [2, 15, 15, 7], f: [2, 2, 7, 19], strides: 2, pad: 'same', activation: 'linear' },
  { name: '1x1, Ci 33', x: [2, 14, 14, 33], f: [1, 1, 33, 17], strides: 1, pad: 'same', activation: 'linear' },
  { name: 'stem: 4x4 stride 2, Ci 1', x: [1, 13, 13, 1], f: [4, 4, 1, 16], strides: 2, pad: 'same', activation: 'relu' },
  { name: '3x3 stride 2 valid', x: [2, 11, 11, 5], f: [3, 3, 5, 8], strides: 2, pad: 'valid', activation: 'relu' },
  { name: 'K = 2700 (several depth blocks)', x: [2, 12, 12, 300], f: [3, 3, 300, 7], strides: 1, pad: 'same', activation: 'linear' },
  { name: '3x3, Co 40 (a 16-row tile and an 8-row edge), K = 288', x: [2, 7, 9, 32], f: [3, 3, 32, 40], strides: 1, pad: 'same', activation: 'relu' },
  // direct convolutions (K <= 64, Co a multiple of 16 up to 64): taps cut by every edge, several 16-column blocks
  { name: 'direct: stem 4x4 stride 2, Ci 1, 3 images, Co 32', x: [3, 18, 17, 1], f: [4, 4, 1, 32], strides: 2, pad: 'same', activation: 'relu' },
  { name: 'direct: 3x3 stride 1, Ci 3, Co 48', x: [2, 10, 11, 3], f: [3, 3, 3, 48], strides: 1, pad: 'same', activation: 'linear' },
  // Winograd F(2x2, 3x3) (3x3, stride 1, 'same', Ci and Co >= 16): odd sizes (half tiles at the right and bottom),
  // channels not a multiple of 16, a depth past one block (Ci 272 > 256), and blocks of tiles that span images
  { name: 'winograd: 3x3, 9 x 11, Ci 16, Co 24', x: [3, 9, 11, 16], f: [3, 3, 16, 24], strides: 1, pad: 'same', activation: 'relu' },
  { name: 'winograd: 3x3, 14 x 14, Ci 33, Co 17', x: [2, 14, 14, 33], f: [3, 3, 33, 17], strides: 1, pad: 'same', activation: 'linear' },
  { name: 'winograd: 3x3, 6 x 5, Ci 272, Co 20', x: [2, 6, 5, 272], f: [3, 3, 272, 20], strides: 1, pad: 'same', activation: 'relu' },
  { name: 'winograd: 3x3, 1 x 3, Ci 16, Co 16', x: [5, 1, 3, 16], f: [3, 3, 16, 16], strides: 1, pad: 'same', activation: 'relu' },
  { name: 'direct: 5x5 stride 3 valid, Ci 2, Co 64 (K = 50)', x: [2, 17, 14, 2], f: [5, 5, 2, 64], strides: 3, pad: 'valid', activation: 'relu' },
];

/** Output and gradients of sum(fused conv(x, f) + b, activation) * weights) on the current backend. */
async function run(c: Case): Promise<Float32Array[]> {
  return tf.tidy(() => {
    const x = tf.tensor4d(values(size(c.x), 1), c.x);
    const f = tf.tensor4d(values(size(c.f), 2), c.f);
    const b = tf.tensor1d(values(c.f[3], 3));
    const conv = (xi: tf.Tensor4D, fi: tf.Tensor4D, bi: tf.Tensor1D) =>
      tf.fused.conv2d({ x: xi, filter: fi, bias: bi, strides: c.strides, pad: c.pad, activation: c.activation });
    const y = conv(x, f, b);
    const weights = tf.tensor(values(size(y.shape), 4), y.shape);
    const grads = tf.grads((xi: tf.Tensor, fi: tf.Tensor, bi: tf.Tensor) =>
      tf.sum(tf.mul(conv(xi as tf.Tensor4D, fi as tf.Tensor4D, bi as tf.Tensor1D), weights)),
    )([x, f, b]);
    return [y, ...grads].map((g) => g.dataSync() as Float32Array);
  });
}

// Each case with the micro-kernel chosen for this CPU on 1 and 3 threads, and with every other one it runs (AVX2 and
// the portable one where AVX-512 is chosen) on 2.
const defaultKernel = native?.kernel() as NativeKernelName | undefined;
const otherKernels = native === null ? [] : NATIVE_KERNEL_NAMES.filter((k) => k !== defaultKernel && native.setKernel(k));
if (native !== null && defaultKernel !== undefined) native.setKernel(defaultKernel);
const variants: { threads: number; kernel?: NativeKernelName }[] = [
  { threads: 1 },
  { threads: 3 },
  ...otherKernels.map((kernel) => ({ threads: 2, kernel })),
];

for (const c of cases) {
  // the Winograd shapes through im2col too (setWinograd(false)), so that both paths stay checked on them
  const extra = c.name.startsWith('winograd') ? [{ threads: 2, im2col: true }] : [];
  for (const v of [...variants, ...extra] as { threads: number; kernel?: NativeKernelName; im2col?: boolean }[]) {
    const title = `${c.name}, ${v.threads} thread(s)${v.kernel === undefined ? '' : `, ${v.kernel} micro-kernel`}${v.im2col ? ', im2col (Winograd off)' : ''}`;
    test.serial(`native convolution, input and filter gradients, bias sum equal the cpu backend to 1e-4: ${title}`, async (t) => {
      if (native === null) {
        t.log(`skipped: ${nativeKernelInfo().detail}`);
        t.pass();
        return;
      }
      await initBackend('cpu');
      const expected = await run(c);
      await initBackend('wasm');
      const before = { threads: nativeConvThreads(), kernel: native.kernel() as NativeKernelName };
      setNativeConvThreads(v.threads);
      if (v.kernel !== undefined) t.true(native.setKernel(v.kernel));
      if (v.im2col) native.setWinograd(false);
      try {
        const actual = await run(c);
        ['output', 'input gradient', 'filter gradient', 'bias gradient'].forEach((what, i) => {
          t.true(expected[i]!.some((x) => x !== 0), `${what} is all zeros`);
          t.true(maxError(actual[i]!, expected[i]!) < 1e-4, `${what} error ${maxError(actual[i]!, expected[i]!)}`);
        });
      } finally {
        setNativeConvThreads(before.threads);
        native.setKernel(before.kernel);
        native.setWinograd(true);
      }
    });
  }
}

test.serial('3x3 stride-1 convolutions take the Winograd path: its rounding differs from im2col, within 1e-4, on every output', async (t) => {
  if (native === null) {
    t.log(`skipped: ${nativeKernelInfo().detail}`);
    t.pass();
    return;
  }
  await initBackend('wasm');
  const c = cases.find((k) => k.name.startsWith('winograd: 3x3, 14 x 14'))!;
  t.true(native.setWinograd(true), 'Winograd is on by default');
  const winograd = await run(c);
  t.true(native.setWinograd(false));
  let im2col: Float32Array[];
  try {
    im2col = await run(c);
  } finally {
    t.false(native.setWinograd(true));
  }
  ['output', 'input gradient', 'filter gradient'].forEach((what, i) => {
    t.true(winograd[i]!.some((x, j) => x !== im2col[i]![j]), `${what}: the same bits as im2col (Winograd not taken?)`);
    t.true(maxError(winograd[i]!, im2col[i]!) < 1e-4, `${what}: error ${maxError(winograd[i]!, im2col[i]!)}`);
  });
  t.throws(() => native.setWinograd('yes' as unknown as boolean), { instanceOf: TypeError, message: /expected a boolean/ });
});

test.serial('configurations the native kernels do not cover fall back to wasm: dilations, Sum over other axes', async (t) => {
  const compute = () =>
    tf.tidy(() => {
      const x = tf.tensor4d(values(2 * 10 * 10 * 3, 5), [2, 10, 10, 3]);
      const f = tf.tensor4d(values(3 * 3 * 3 * 4, 6), [3, 3, 3, 4]);
      const dilated = tf.conv2d(x, f, 1, 'same', 'NHWC', 2);
      return [dilated, tf.sum(x, [1, 2]), tf.sum(x, [0, 1, 2], true), tf.sum(x)].map((r) => r.dataSync() as Float32Array);
    });
  await initBackend('cpu');
  const expected = compute();
  await initBackend('wasm');
  const actual = compute();
  expected.forEach((e, i) => t.true(maxError(actual[i]!, e) < 1e-5, `result ${i}: error ${maxError(actual[i]!, e)}`));
});

test.serial('the wasm-only gradient kernels (used where the addon is not built) equal the cpu gradients', async (t) => {
  const c = cases[1]!;
  await initBackend('cpu');
  const [, dx, df] = await run(c);
  const grads = tf.tidy(() => {
    const x = tf.tensor4d(values(size(c.x), 1), c.x);
    const f = tf.tensor4d(values(size(c.f), 2), c.f);
    const b = tf.tensor1d(values(c.f[3], 3));
    const y = tf.fused.conv2d({ x, filter: f, bias: b, strides: c.strides, pad: c.pad });
    const dy = tf.mul(tf.tensor(values(size(y.shape), 4), y.shape), tf.step(y)) as tf.Tensor4D;
    return [dy, f, x].map((a) => a.dataSync() as Float32Array);
  });
  await initBackend('wasm');
  const [dxWasm, dfWasm] = tf.tidy(() => {
    const dy = tf.tensor4d(grads[0]!, [c.x[0], c.x[1] / 2, c.x[2] / 2, c.f[3]]);
    const f = tf.tensor4d(grads[1]!, c.f);
    const x = tf.tensor4d(grads[2]!, c.x);
    return [conv2dBackpropInputAsConv(dy, f, c.x, c.strides, c.pad), conv2dBackpropFilterAsConv(x, dy, c.f, c.strides, c.pad)].map(
      (r) => r.dataSync() as Float32Array,
    );
  });
  t.true(maxError(dxWasm!, dx!) < 1e-4, `input gradient error ${maxError(dxWasm!, dx!)}`);
  t.true(maxError(dfWasm!, df!) < 1e-4, `filter gradient error ${maxError(dfWasm!, df!)}`);
});

test.serial('convBiasActivation (one fused kernel, custom gradient) equals tf.fused.conv2d and its gradients', async (t) => {
  await initBackend('cpu');
  const x = tf.tensor4d(values(2 * 8 * 8 * 4, 7), [2, 8, 8, 4]);
  const f = tf.tensor4d(values(4 * 4 * 4 * 6, 8), [4, 4, 4, 6]);
  const b = tf.tensor1d(values(6, 9));
  const w = tf.tensor4d(values(2 * 4 * 4 * 6, 10), [2, 4, 4, 6]);
  for (const activation of ['relu', 'linear'] as const) {
    const ours = tf.grads((xi: tf.Tensor, fi: tf.Tensor, bi: tf.Tensor) =>
      tf.sum(tf.mul(convBiasActivation(xi as tf.Tensor4D, fi as tf.Tensor4D, bi as tf.Tensor1D, 2, activation), w)),
    )([x, f, b]);
    const reference = tf.grads((xi: tf.Tensor, fi: tf.Tensor, bi: tf.Tensor) =>
      tf.sum(tf.mul(tf.fused.conv2d({ x: xi as tf.Tensor4D, filter: fi as tf.Tensor4D, bias: bi, strides: 2, pad: 'same', activation }), w)),
    )([x, f, b]);
    ours.forEach((g, i) => t.true(maxError(g.dataSync(), reference[i]!.dataSync()) < 1e-5, `${activation} gradient ${i}`));
  }
});

test('setNativeConvThreads rejects a bad count', (t) => {
  t.throws(() => setNativeConvThreads(0), { message: /positive integer/ });
  t.throws(() => setNativeConvThreads(1.5), { message: /positive integer/ });
});

test('the addon rejects offsets outside the heap with a TypeError', (t) => {
  if (native === null) {
    t.pass();
    return;
  }
  const params = new Float64Array(21).fill(-1);
  [1, 4, 4, 1, 3, 3, 1, 4, 4, 1, 1, 1, 1, 0].forEach((v, i) => (params[i] = v));
  params[14] = 0; // x
  params[15] = 1 << 20; // filter: past the end of a 1 KB heap
  params[18] = 0;
  params[19] = 1;
  t.throws(() => native.conv(0, new ArrayBuffer(1024), params), { instanceOf: TypeError, message: /outside the heap/ });
  t.throws(() => native.conv(0, new ArrayBuffer(1024), params.subarray(0, 20)), { instanceOf: TypeError, message: /Float64Array of 21 values/ });
  params[0] = 1 << 20; // ReLU gradient of 2^20 values: past the heap
  t.throws(() => native.conv(5, new ArrayBuffer(1024), params), { instanceOf: TypeError, message: /ReLU gradient: .*outside the heap/ });
  t.throws(() => native.conv(4, new ArrayBuffer(1024), params), { instanceOf: TypeError, message: /LSE pooling: expected .* r > 0/ });
  t.throws(() => native.setKernel('sse9' as 'generic'), { instanceOf: TypeError, message: /expected 'generic', 'avx2-fma' or 'avx512'/ });
});

test.serial('the native ReLU gradient equals step(y) * dy on the cpu backend, zeros and negative zeros included', async (t) => {
  const { NATIVE_RELU_GRADIENT_KERNEL } = await import('../src/native.js');
  if (native === null) {
    t.pass();
    return;
  }
  const count = 3 * 17 * 19 * 5; // not a multiple of any vector width or thread share
  const y = Float32Array.from({ length: count }, (_, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? -0 : Math.sin(i)));
  const dy = Float32Array.from({ length: count }, (_, i) => Math.cos(i * 0.7));
  await initBackend('cpu');
  const expected = tf.tidy(() => tf.mul(tf.tensor(dy), tf.step(tf.tensor(y))).dataSync().slice());
  await initBackend('wasm');
  const actual = tf.tidy(() => (tf.engine().runKernel(NATIVE_RELU_GRADIENT_KERNEL, { dy: tf.tensor(dy, [3, 17, 19, 5]), y: tf.tensor(y, [3, 17, 19, 5]) }) as tf.Tensor).dataSync().slice());
  t.deepEqual(Array.from(actual), Array.from(expected).map((v) => v + 0)); // -0 and 0 compare equal
});

test.serial('native sums (same-shape Add and relu(a + b)) equal the cpu backend; broadcasts and small adds go to wasm', async (t) => {
  const { NATIVE_ADD_RELU_KERNEL } = await import('../src/native.js');
  if (native === null) {
    t.pass();
    return;
  }
  const shape = [2, 33, 35, 31]; // 71,610 values: above the native threshold, not a multiple of any share
  const count = size(shape);
  const a = Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.91));
  const b = Float32Array.from({ length: count }, (_, i) => Math.cos(i * 0.37) * 0.8);
  const small = [1, 3, 3, 2];
  const compute = (addRelu: boolean) =>
    tf.tidy(() => {
      const x = tf.tensor(a, shape);
      const y = tf.tensor(b, shape);
      return [
        tf.add(x, y),
        addRelu ? (tf.engine().runKernel(NATIVE_ADD_RELU_KERNEL, { a: x, b: y }) as tf.Tensor) : tf.relu(tf.add(x, y)),
        tf.add(x, tf.tensor1d(b.subarray(0, 31))), // broadcast
        tf.add(tf.tensor(a.subarray(0, 18), small), tf.tensor(b.subarray(0, 18), small)), // small
      ].map((v) => v.dataSync().slice());
    });
  await initBackend('cpu');
  const expected = compute(false);
  await initBackend('wasm');
  const actual = compute(true);
  expected.forEach((e, i) => t.true(maxError(actual[i]!, e) < 1e-6, `output ${i}: error ${maxError(actual[i]!, e)}`));
});
