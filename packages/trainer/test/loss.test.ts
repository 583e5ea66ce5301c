import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { batchBetas, lossFor, plainCrossEntropy, weightedCrossEntropy } from '../src/loss.js';
import { TrainError } from '../src/errors.js';

test.before(async () => {
  await initBackend('wasm');
});

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

test('weighted cross-entropy equals the paper formula computed by hand', async (t) => {
  const logits = [[2, -1, 0.5], [-0.3, 1.5, -2]];
  const labels = [[1, 0, 0], [0, 1, 0]];
  // |P| = 2, |N| = 4: bP = 6/2 = 3, bN = 6/4 = 1.5
  let sum = 0;
  logits.flat().forEach((z, i) => {
    const y = labels.flat()[i]!;
    sum += y === 1 ? 3 * -Math.log(sigmoid(z)) : 1.5 * -Math.log(1 - sigmoid(z));
  });
  const expected = sum / 6;
  const actual = (await weightedCrossEntropy(tf.tensor2d(logits), tf.tensor2d(labels)).data())[0]!;
  t.true(Math.abs(actual - expected) < 1e-5, `${actual} vs ${expected}`);
});

test('the docs example: one positive in four, all logits 0, gives 2 ln 2', async (t) => {
  const value = (await weightedCrossEntropy(tf.zeros([1, 4]), tf.tensor2d([[1, 0, 0, 0]])).data())[0]!;
  t.true(Math.abs(value - 2 * Math.LN2) < 1e-6);
});

test('guards a batch without positives or without negatives', async (t) => {
  const allNegative = (await weightedCrossEntropy(tf.tensor2d([[0, 0]]), tf.tensor2d([[0, 0]])).data())[0]!;
  t.true(Math.abs(allNegative - Math.LN2) < 1e-6); // bN = 1
  const allPositive = (await weightedCrossEntropy(tf.tensor2d([[0, 0]]), tf.tensor2d([[1, 1]])).data())[0]!;
  t.true(Math.abs(allPositive - Math.LN2) < 1e-6); // bP = 1
});

test('is finite for extreme logits (computed from logits, never ln 0)', async (t) => {
  const v = (await weightedCrossEntropy(tf.tensor2d([[200, -200]]), tf.tensor2d([[0, 1]])).data())[0]!;
  t.true(Number.isFinite(v));
  t.true(Math.abs(v - 400) < 1e-2); // each term is 200, both betas 2, over 2 labels: (2 * 200 + 2 * 200) / 2
});

test('plain cross-entropy is the mean binary cross-entropy', async (t) => {
  const logits = [[2, -1], [0.5, 0]];
  const labels = [[1, 1], [0, 0]];
  const expected =
    (-Math.log(sigmoid(2)) - Math.log(sigmoid(-1)) - Math.log(1 - sigmoid(0.5)) - Math.log(1 - sigmoid(0))) / 4;
  const actual = (await plainCrossEntropy(tf.tensor2d(logits), tf.tensor2d(labels)).data())[0]!;
  t.true(Math.abs(actual - expected) < 1e-6);
  t.is(lossFor('plain'), plainCrossEntropy);
});

test('batchBetas counts ones and zeros over the whole batch', (t) => {
  t.deepEqual(batchBetas([[1, 0, 0, 0]]), { positive: 4, negative: 4 / 3 });
  t.deepEqual(batchBetas([0, 0]), { positive: 0, negative: 1 });
});

test('rejects mismatched shapes and unknown kinds', (t) => {
  t.throws(() => weightedCrossEntropy(tf.zeros([2, 3]), tf.zeros([2, 2])), { instanceOf: TrainError, message: /same \[batch, classes\] shape/ });
  t.throws(() => lossFor('focal' as 'plain'), { instanceOf: TrainError, message: /expected one of weighted, plain/ });
});
