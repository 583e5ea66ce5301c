import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../src/backend.js';
import { learningRateAt, mergeResumeOptions, train } from '../src/train.js';
import type { EpochMetrics, TrainOptions } from '../src/train.js';
import { loadModel, saveLayersModelToDir } from '../src/model.js';
import { RefusedError, TrainError } from '../src/errors.js';
import { makeTinyDataset, TINY_FINDINGS } from './helpers/tiny-dataset.js';

let data = '';
let work = '';
test.before(async () => {
  await initBackend('wasm');
  data = await makeTinyDataset({ size: 32, train: 32, val: 16 });
  work = await mkdtemp(join(tmpdir(), 'cxr8-train-'));
});
test.after.always(async () => {
  for (const d of [data, work]) if (d) await rm(d, { recursive: true, force: true });
});

const quiet = () => undefined;
const base = (out: string): TrainOptions => ({
  data,
  out,
  epochs: 4,
  batchSize: 8,
  imageSize: 32,
  lr: 3e-3,
  transitionDepth: 8,
  seed: 3,
  augment: false,
  workers: 1,
  log: quiet,
});

async function metricsOf(out: string): Promise<EpochMetrics[]> {
  return (await readFile(join(out, 'metrics.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as EpochMetrics);
}

test.serial('a tiny run lowers the loss, validates, checkpoints, and leaves a loadable model', async (t) => {
  const out = join(work, 'run');
  const result = await train(base(out));
  t.is(result.backend, 'wasm');
  t.is(result.epochsRun, 4);
  const m = await metricsOf(out);
  t.deepEqual(m.map((x) => x.epoch), [1, 2, 3, 4]);
  t.true(m[3]!.trainLoss < m[0]!.trainLoss * 0.8, `loss ${m[0]!.trainLoss} -> ${m[3]!.trainLoss}`);
  t.deepEqual(Object.keys(m[0]!.valAuc), TINY_FINDINGS);
  t.true(m.every((x) => x.imagesPerSecond > 0 && x.trainImages === 32));
  t.truthy(result.bestMeanValAuc);
  const files = await readdir(out);
  for (const f of ['config.json', 'weights.json', 'weights.bin', 'metrics.jsonl', 'checkpoint', 'train.json']) t.true(files.includes(f), f);
  t.false(files.includes('checkpoint.partial'));
  const model = await loadModel(out);
  t.deepEqual(model.config.findings, TINY_FINDINGS);
  t.deepEqual(model.forward(tf.zeros([1, 32, 32, 1]) as tf.Tensor4D).probs.shape, [1, 2]);
  model.dispose();
});

test.serial('is deterministic for a seed, and resume continues from the checkpoint without duplicate epochs', async (t) => {
  const full = join(work, 'full');
  const a = await train({ ...base(full), epochs: 3 });
  t.is((await metricsOf(full)).length, 3);
  const done = await train({ ...base(full), epochs: 3, resume: true });
  t.is(done.history.length, 3, 'resuming a finished run adds no epoch');
  const b = await train({ ...base(join(work, 'full2')), epochs: 3 });
  t.deepEqual(
    a.history.map((m) => m.trainLoss),
    b.history.map((m) => m.trainLoss),
  );
  // interrupted after epoch 2 of 3: resume runs epoch 3 only and matches the uninterrupted run
  const cut = join(work, 'cut');
  let stopAt = 0;
  await t.throwsAsync(() =>
    train({
      ...base(cut),
      epochs: 3,
      onEpoch: (m) => {
        stopAt = m.epoch;
        if (m.epoch === 2) throw new Error('killed');
      },
    }),
  );
  t.is(stopAt, 2);
  const resumed = await train({ ...base(cut), epochs: 3, resume: true });
  const m = await metricsOf(cut);
  t.deepEqual(m.map((x) => x.epoch), [1, 2, 3]);
  t.is(resumed.epochsRun, 3);
  t.true(Math.abs(m[2]!.trainLoss - a.history[2]!.trainLoss) < 1e-4, `${m[2]!.trainLoss} vs ${a.history[2]!.trainLoss}`);
});

test.serial('a frozen pretrained backbone trains only the head on cached features', async (t) => {
  const net = tf.sequential({
    layers: [tf.layers.conv2d({ inputShape: [32, 32, 1], filters: 6, kernelSize: 3, strides: 4, padding: 'same', activation: 'relu' })],
  });
  const path = join(work, 'pretrained');
  await saveLayersModelToDir(net, path);
  const out = join(work, 'frozen');
  const result = await train({ ...base(out), backbone: { path, frozen: true }, epochs: 3 });
  t.is(result.epochsRun, 3);
  t.true((await readdir(join(out, 'cache'))).includes('train.f32'));
  const model = await loadModel(out);
  t.true(model.backboneFrozen);
  model.dispose();
  net.dispose();
});

test.serial('two gradient worker threads give the same training as one process', async (t) => {
  const one = await train({ ...base(join(work, 'w1')), epochs: 2 });
  const two = await train({ ...base(join(work, 'w2')), epochs: 2, workers: 2 });
  t.is(two.workers, 2);
  two.history.forEach((m, i) => {
    const ref = one.history[i]!;
    t.true(Math.abs(m.trainLoss - ref.trainLoss) < 1e-3 * (1 + ref.trainLoss), `epoch ${i + 1}: ${m.trainLoss} vs ${ref.trainLoss}`);
  });
});

test.serial('stops early when the validation AUC does not improve for `patience` epochs', async (t) => {
  // a learning rate too small to change anything: the AUC of epoch 1 is never beaten
  const result = await train({ ...base(join(work, 'early')), epochs: 5, lr: 1e-12, patience: 2 });
  t.true(result.stoppedEarly);
  t.is(result.epochsRun, 3);
  t.is(result.bestEpoch, 1);
  t.deepEqual(result.history.map((m) => m.best), [true, false, false]);
});

test.serial('rejects bad options and a resume without a checkpoint', async (t) => {
  await t.throwsAsync(() => train({ ...base(join(work, 'bad')), epochs: 0 }), { instanceOf: TrainError, message: /epochs/ });
  await t.throwsAsync(() => train({ ...base(join(work, 'none')), resume: true }), { instanceOf: TrainError, message: /--resume expected a run folder to continue \(checkpoint\/state\.json\), found no such folder/ });
});

test('learning-rate schedule: warm-up, cosine to 1%, steps', (t) => {
  t.is(learningRateAt(0, 100, 1, 'cosine', 10), 0.1);
  t.is(learningRateAt(10, 100, 1, 'cosine', 10), 1);
  t.true(Math.abs(learningRateAt(99, 100, 1, 'cosine', 10) - 0.01) < 1e-9);
  t.is(learningRateAt(80, 100, 1, 'step', 0), 0.01);
  t.is(learningRateAt(50, 100, 1, 'constant', 0), 1);
});

test('mergeResumeOptions: each differing option is refused with both values; the record is kept; epochs may change', (t) => {
  const recorded = { imageSize: 64, patience: 7, lr: 0.002, backbone: 'resnet-tiny' as const, epochs: 10, warmupSteps: null };
  const error = t.throws(() => mergeResumeOptions(recorded, { imageSize: 32, lr: 0.001, patience: 7 }, 'runs/x'), { instanceOf: RefusedError });
  t.regex(error?.message ?? '', /--image-size: recorded 64, given 32; --lr: recorded 0.002, given 0.001\. A resumed run keeps/);
  t.notRegex(error?.message ?? '', /--patience/);
  t.throws(() => mergeResumeOptions(recorded, { warmupSteps: 5 }, 'runs/x'), { message: /warmupSteps: recorded not set \(default\), given 5/ });
  t.throws(() => mergeResumeOptions(recorded, { backbone: 'resnet-small' }, 'runs/x'), { message: /--backbone: recorded resnet-tiny, given resnet-small/ });
  t.deepEqual(mergeResumeOptions(recorded, { epochs: 20, backbone: 'resnet-tiny' }, 'runs/x'), { ...recorded, epochs: 20 });
  t.deepEqual(mergeResumeOptions({}, { lr: 0.5 }, 'runs/x'), { lr: 0.5 }, 'a legacy record without the option takes the given value');
});
