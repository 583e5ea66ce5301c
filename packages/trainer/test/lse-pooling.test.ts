import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { lsePool } from '../src/lse-pooling.js';
import { ModelError } from '../src/errors.js';

test.before(async () => {
  await initBackend('wasm');
});

/** LSE written directly from the paper's formula, in float64, without the max shift. */
function direct(values: number[], r: number): number {
  const mean = values.reduce((a, v) => a + Math.exp(r * v), 0) / values.length;
  return Math.log(mean) / r;
}

const map = [0.3, -1.2, 2.5, 0.7, 1.1, -0.4, 0.0, 1.9, -2.2]; // one 3x3 channel

test('equals the direct formula for r = 1, 10 and 5', async (t) => {
  for (const r of [1, 10, 5]) {
    const x = tf.tensor4d(map, [1, 3, 3, 1]);
    const y = (await lsePool(x, r).data())[0]!;
    t.true(Math.abs(y - direct(map, r)) < 1e-5, `r=${r}: ${y} vs ${direct(map, r)}`);
  }
});

test('pools each channel and image separately', async (t) => {
  const a = map;
  const b = map.map((v) => -v * 2);
  const data: number[] = [];
  for (let i = 0; i < 9; i++) data.push(a[i]!, b[i]!); // channels interleaved: [1, 3, 3, 2]
  const y = await lsePool(tf.tensor4d([...data, ...data.map((v) => v + 1)], [2, 3, 3, 2]), 10).data();
  t.true(Math.abs(y[0]! - direct(a, 10)) < 1e-5);
  t.true(Math.abs(y[1]! - direct(b, 10)) < 1e-5);
  t.true(Math.abs(y[2]! - (direct(a, 10) + 1)) < 1e-5);
});

test('r -> 0 gives the mean, r large gives the max', async (t) => {
  const x = tf.tensor4d(map, [1, 3, 3, 1]);
  const mean = map.reduce((a, v) => a + v, 0) / map.length;
  const small = (await lsePool(x, 1e-3).data())[0]!;
  t.true(Math.abs(small - mean) < 5e-3, `r=1e-3: ${small} vs mean ${mean}`);
  const large = (await lsePool(x, 1e4).data())[0]!;
  t.true(Math.abs(large - 2.5) < 1e-3, `r=1e4: ${large} vs max 2.5`);
});

test('is numerically stable where the direct formula overflows', async (t) => {
  const big = map.map((v) => v * 100); // exp(10 * 250) overflows float64
  t.is(direct(big, 10), Number.POSITIVE_INFINITY);
  const y = (await lsePool(tf.tensor4d(big, [1, 3, 3, 1]), 10).data())[0]!;
  t.true(Number.isFinite(y));
  t.true(Math.abs(y - (250 + Math.log(1 / 9) / 10)) < 1e-3); // the max dominates: 250 + ln(1/9)/10
});

test('its gradient is the softmax of r x over the positions, as autodiff of the plain formula gives', async (t) => {
  const x = tf.tensor4d(map, [1, 3, 3, 1]);
  const g = await tf.grad((v: tf.Tensor) => tf.sum(lsePool(v as tf.Tensor4D, 10)))(x).data();
  const plain = await tf.grad((v: tf.Tensor) => tf.div(tf.log(tf.mean(tf.exp(tf.mul(v, 10)))), 10))(x).data();
  for (let i = 0; i < 9; i++) t.true(Math.abs(g[i]! - plain[i]!) < 1e-5);
  t.true(Math.abs(Array.from(g).reduce((a, v) => a + v, 0) - 1) < 1e-5);
});

test('rejects r <= 0', (t) => {
  t.throws(() => lsePool(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D, 0), { instanceOf: ModelError, message: /expected r > 0/ });
});

// 37 channels (not a multiple of any vector width: the scalar loop) and 48 (16-lane vectors, values spread so that
// some exponents fall below the -87 cut-off), on each micro-kernel's instruction set this CPU runs.
const lseCases = [
  { depth: 37, spread: 1 },
  { depth: 48, spread: 3 },
];
for (const c of lseCases) {
  test.serial(`the native LSE kernel (wasm) equals the tfjs ops on the cpu backend, value and gradient, to 1e-4: ${c.depth} channels`, async (t) => {
    const { NATIVE_LSE_KERNEL, NATIVE_KERNEL_NAMES, loadNativeConv } = await import('../src/native.js');
    const native = loadNativeConv();
    if (native === null || tf.getKernel(NATIVE_LSE_KERNEL, 'wasm') === undefined) {
      t.log('skipped: the native kernels are not loaded');
      t.pass();
      return;
    }
    const shape: [number, number, number, number] = [3, 7, 9, c.depth];
    const count = shape.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: count }, (_, i) => (Math.sin(i * 12.9898) * 3 + ((i * 7) % 11) / 5) * c.spread);
    const weights = Float32Array.from({ length: shape[0] * shape[3] }, (_, i) => Math.cos(i * 0.37));
    const compute = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(data, shape);
        const w = tf.tensor2d(weights, [shape[0], shape[3]]);
        const gradient = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(lsePool(xi as tf.Tensor4D, 10), w)))(x);
        return [lsePool(x, 10).dataSync().slice(), lsePool(tf.mul(x, 0.1) as tf.Tensor4D, 1).dataSync().slice(), gradient.dataSync().slice()];
      });
    await initBackend('cpu');
    const expected = compute();
    await initBackend('wasm');
    const chosen = native.kernel() as (typeof NATIVE_KERNEL_NAMES)[number];
    try {
      for (const kernel of NATIVE_KERNEL_NAMES.filter((k) => native.setKernel(k))) {
        const actual = compute();
        t.is(actual.length, 3);
        for (let k = 0; k < expected.length; k++) {
          let worst = 0;
          expected[k]!.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - actual[k]![i]!) / Math.max(1, Math.abs(v)))));
          t.true(worst < 1e-4, `${kernel}: output ${k}: error ${worst}`);
        }
      }
    } finally {
      native.setKernel(chosen);
    }
  });
}
