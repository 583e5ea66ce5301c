import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { rm } from 'node:fs/promises';
import { initBackend } from '../src/backend.js';
import { augmentImages, batches, countRecords, createRng, DEFAULT_AUGMENT, disposeBatch } from '../src/data.js';
import { DataError } from '../src/errors.js';
import { makeTinyDataset } from './helpers/tiny-dataset.js';

let dir = '';
test.before(async () => {
  await initBackend('wasm');
  dir = await makeTinyDataset({ size: 32, train: 20, val: 6, perShard: 8 });
});
test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test.serial('streams every record once, in batches, with 0/1 labels and boxes', async (t) => {
  const seen: string[] = [];
  const sizes: number[] = [];
  for await (const batch of batches(dir, 'train', { batchSize: 8 })) {
    t.deepEqual(batch.images.shape.slice(1), [32, 32, 1]);
    sizes.push(batch.ids.length);
    seen.push(...batch.ids);
    const labels = await batch.labels.data();
    // record i: Square when i is even, Bar when i % 3 == 0 (its "not mentioned" -128 becomes 0)
    batch.ids.forEach((id, k) => {
      const i = Number(id.slice(0, 8));
      t.is(labels[k * 2], i % 2 === 0 ? 1 : 0);
      t.is(labels[k * 2 + 1], i % 3 === 0 ? 1 : 0);
      t.is(batch.boxes[k]!.length, i % 2 === 0 ? 1 : 0);
      t.is(batch.rawLabels[k]![1], i % 3 === 0 ? 1 : -128);
    });
    const px = await batch.images.data();
    t.true(Math.max(...px) <= 1 && Math.min(...px) >= 0);
    disposeBatch(batch);
  }
  t.deepEqual(sizes, [8, 8, 4]);
  t.is(new Set(seen).size, 20);
  t.is(await countRecords(dir, 'train'), 20);
});

test.serial('resizes to imageSize, shuffles deterministically by seed and epoch, and bounds memory', async (t) => {
  const order = async (seed: number, epoch: number) => {
    const ids: string[] = [];
    for await (const b of batches(dir, 'train', { batchSize: 5, imageSize: 48, shuffleBuffer: 6, seed, epoch })) {
      t.deepEqual(b.images.shape, [b.ids.length, 48, 48, 1]);
      ids.push(...b.ids);
      disposeBatch(b);
    }
    return ids;
  };
  const before = tf.memory().numTensors;
  const a = await order(3, 1);
  t.is(tf.memory().numTensors, before, 'no tensor left behind');
  t.deepEqual(await order(3, 1), a);
  t.notDeepEqual(await order(3, 2), a);
  t.is(new Set(a).size, 20);
  t.notDeepEqual(a, [...a].sort());
});

test.serial('augmentation keeps the shape and range, changes pixels, never flips left-right', async (t) => {
  // a left-right gradient image: a flip would reverse the sign of the horizontal slope
  const size = 32;
  const img = tf.tidy(() => tf.tile(tf.reshape(tf.linspace(0.1, 0.9, size), [1, 1, size, 1]), [4, size, 1, 1])) as tf.Tensor4D;
  const out = augmentImages(img, createRng(5), DEFAULT_AUGMENT);
  t.deepEqual(out.shape, img.shape);
  const v = await out.data();
  t.true(Math.max(...v) <= 1 && Math.min(...v) >= 0);
  t.notDeepEqual(Array.from(v), Array.from(await img.data()));
  for (let n = 0; n < 4; n++) {
    const row = (size / 2) * size + n * size * size;
    t.true(v[row + size - 4]! > v[row + 3]!, `image ${n} keeps left darker than right`);
  }
});

test.serial('flip: a left-right mirror with that probability, the mirror exact where nothing else moves', async (t) => {
  const size = 16;
  const img = tf.randomUniform([6, size, size, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
  const still = { shift: 0, scale: 0, brightness: 0, contrast: 0 };
  const mirrored = await augmentImages(img, createRng(2), { ...still, flip: 1 }).data();
  const expected = await tf.reverse(img, 2).data();
  mirrored.forEach((v, i) => t.true(Math.abs(v - (expected[i] as number)) < 1e-5, `pixel ${i}: ${v} vs ${expected[i]}`));
  const unflipped = await augmentImages(img, createRng(2), { ...still, flip: 0 }).data();
  const source = await img.data();
  t.true(unflipped.every((v, i) => Math.abs(v - (source[i] as number)) < 1e-5), 'flip 0 leaves the image as it is');
  // flip 0.5: some images mirrored, some not, by the seeded draw
  const half = await augmentImages(img, createRng(4), { ...still, flip: 0.5 }).data();
  const original = await img.data();
  const n = size * size;
  const kinds = Array.from({ length: 6 }, (_, k) => (half.subarray(k * n, (k + 1) * n).every((v, i) => Math.abs(v - (original[k * n + i] as number)) < 1e-5) ? 'same' : 'mirrored'));
  t.true(kinds.includes('same') && kinds.includes('mirrored'), kinds.join(','));
});

test.serial('reports a corrupt dataset folder and bad options clearly', async (t) => {
  const gen = batches('/nonexistent/dataset', 'train', { batchSize: 2 });
  await t.throwsAsync(() => gen.next(), { message: /shard manifest/ });
  const bad = batches(dir, 'train', { batchSize: 0 });
  await t.throwsAsync(() => bad.next(), { instanceOf: DataError, message: /batchSize/ });
});
