import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../src/backend.js';
import { createModel, createModelAsync, defaultModelConfig, loadModel, normalizeImages, saveLayersModelToDir } from '../src/model.js';
import { readFile, writeFile } from 'node:fs/promises';
import { lsePool } from '../src/lse-pooling.js';
import { ModelError } from '../src/errors.js';

const findings = ['Atelectasis', 'Cardiomegaly', 'Effusion'];
let dir = '';
test.before(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'cxr8-model-'));
});
test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const images = (n: number, size: number) => tf.randomUniform([n, size, size, 1], 0, 1, 'float32', 3) as tf.Tensor4D;

test.serial('resnet-tiny: logits, probs and an S x S x D transition map with S = imageSize / 8', (t) => {
  const model = createModel(defaultModelConfig(findings, { imageSize: 64, transitionDepth: 16 }));
  const out = model.forward(images(2, 64));
  t.deepEqual(out.logits.shape, [2, 3]);
  t.deepEqual(out.probs.shape, [2, 3]);
  t.deepEqual(out.features.shape, [2, 8, 8, 16]);
  t.is(model.featureSize, 8);
  const { kernel, bias } = model.predictionWeights();
  t.deepEqual(kernel.shape, [16, 3]);
  t.deepEqual(bias.shape, [3]);
  model.dispose();
});

test.serial('outputStride 4: a map twice as fine (S = imageSize / 4), other strides refused with the allowed ones', (t) => {
  const a = createModel(defaultModelConfig(findings, { imageSize: 64, outputStride: 4, transitionDepth: 8 }));
  t.is(a.featureSize, 16);
  t.deepEqual(a.forward(images(1, 64)).features.shape, [1, 16, 16, 8]);
  a.dispose();
  t.throws(() => createModel(defaultModelConfig(findings, { imageSize: 64, outputStride: 2 as 4 })), { instanceOf: ModelError, message: /outputStride to be 4, 8 or 16, found 2/ });
  t.throws(() => createModel(defaultModelConfig(findings, { imageSize: 34, outputStride: 4 })), { instanceOf: ModelError, message: /imageSize.*multiple of the output stride 4, found 34/ });
});

test.serial('outputStride 16 and resnet-small', (t) => {
  const a = createModel(defaultModelConfig(findings, { imageSize: 64, outputStride: 16, transitionDepth: 8 }));
  t.deepEqual(a.forward(images(1, 64)).features.shape, [1, 4, 4, 8]);
  const b = createModel(defaultModelConfig(findings, { imageSize: 64, backbone: 'resnet-small', transitionDepth: 8 }));
  t.deepEqual(b.forward(images(1, 64)).features.shape, [1, 8, 8, 8]);
  t.true(b.trainableVariables.length > a.trainableVariables.length);
  a.dispose();
  b.dispose();
});

test.serial('logits = LSE(features) x kernel + bias, and probs = sigmoid(logits) (what CAMs rely on)', async (t) => {
  const model = createModel(defaultModelConfig(findings, { imageSize: 32, transitionDepth: 8, lseR: 10 }));
  const out = model.forward(images(2, 32));
  const { kernel, bias } = model.predictionWeights();
  const again = tf.add(tf.matMul(lsePool(out.features, 10), kernel), bias);
  const diff = tf.max(tf.abs(tf.sub(again, out.logits)));
  t.true((await diff.data())[0]! < 1e-5);
  const p = tf.max(tf.abs(tf.sub(tf.sigmoid(out.logits), out.probs)));
  t.true((await p.data())[0]! < 1e-6);
  model.dispose();
});

test.serial('the same seed gives the same weights; save then loadModel restores the outputs exactly', async (t) => {
  const config = defaultModelConfig(findings, { imageSize: 32, transitionDepth: 8, seed: 5 });
  const a = createModel(config);
  const b = createModel(config);
  const x = images(2, 32);
  t.deepEqual(Array.from(await a.forward(x).logits.data()), Array.from(await b.forward(x).logits.data()));
  const run = join(dir, 'run');
  await a.save(run);
  const c = await loadModel(run);
  t.deepEqual(c.config, config);
  t.deepEqual(Array.from(await c.forward(x).logits.data()), Array.from(await a.forward(x).logits.data()));
  for (const m of [a, b, c]) m.dispose();
  await t.throwsAsync(() => loadModel(join(dir, 'missing')), { instanceOf: ModelError, message: /config\.json/ });
});

test.serial('a pretrained layers model as backbone: frozen (not trained) or fine-tuned', async (t) => {
  const net = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
    ],
  });
  const path = join(dir, 'pretrained');
  await saveLayersModelToDir(net, path);
  const frozen = await createModelAsync(defaultModelConfig(findings, { imageSize: 32, transitionDepth: 8, backbone: { path, frozen: true } }));
  t.true(frozen.backboneFrozen);
  t.is(frozen.trainableVariables.length, 4); // transition and prediction kernels and biases
  const out = frozen.forward(images(2, 32));
  t.deepEqual(out.features.shape, [2, 8, 8, 8]);
  const feats = frozen.backboneFeatures(images(2, 32));
  t.deepEqual(feats.shape, [2, 8, 8, 6]);
  const viaHead = frozen.head(feats);
  t.true((await tf.max(tf.abs(tf.sub(viaHead.logits, out.logits))).data())[0]! < 1e-5);
  const tuned = await createModelAsync(defaultModelConfig(findings, { imageSize: 32, transitionDepth: 8, backbone: { path, frozen: false } }));
  t.false(tuned.backboneFrozen);
  t.is(tuned.trainableVariables.length, 8);
  await tuned.save(join(dir, 'tuned'));
  const reloaded = await loadModel(join(dir, 'tuned'));
  t.true((await tf.max(tf.abs(tf.sub(reloaded.forward(images(1, 32)).logits, tuned.forward(images(1, 32)).logits))).data())[0]! < 1e-6);
  net.dispose();
});

for (const [stride, k] of [[8, 8], [4, 13]] as const) {
test.serial(`transition cells are centred (output stride ${stride}): cell k of the S x S map is centred at image pixel (k + 0.5) * imageSize / S`, async (t) => {
  // the geometry of the backbone; 'fixed' scaling, because a flat image standardised by itself is all zeros
  const model = createModel(defaultModelConfig(findings, { imageSize: 128, transitionDepth: 4, inputNorm: 'fixed', outputStride: stride }));
  t.is(model.featureSize, 128 / stride);
  // uniform positive weights and input: every ReLU is active and the response is symmetric about the cell's centre
  for (const [name, v] of model.namedVariables) v.assign(name.endsWith('/bias') ? tf.zerosLike(v) : tf.fill(v.shape, 0.05));
  const image = tf.fill([1, 128, 128, 1], 0.75) as tf.Tensor4D;
  const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.slice(model.forward(x as tf.Tensor4D).features, [0, k, k, 0], [1, 1, 1, 4])))(image);
  const g = await grad.data();
  let sum = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < 128; y++) {
    for (let x = 0; x < 128; x++) {
      const w = Math.abs(g[y * 128 + x]!);
      sum += w;
      cx += w * x;
      cy += w * y;
    }
  }
  t.true(sum > 0);
  const centre = (k + 0.5) * stride - 0.5; // pixel index of the cell centre: 67.5 at stride 8, 53.5 at stride 4
  t.true(Math.abs(cx / sum - centre) < 0.01, `x centroid ${cx / sum}, expected ${centre}`);
  t.true(Math.abs(cy / sum - centre) < 0.01, `y centroid ${cy / sum}, expected ${centre}`);
  model.dispose();
});
}

test.serial("inputNorm 'image' (the default): each image to mean 0 and deviation 1, so a brighter or flatter film gives the same outputs", async (t) => {
  const x = images(3, 32);
  const scaled = normalizeImages(x, 'image');
  const { mean, variance } = tf.moments(scaled, [1, 2, 3]);
  for (const m of await mean.data()) t.true(Math.abs(m) < 1e-5, `mean ${m}`);
  for (const v of await variance.data()) t.true(Math.abs(Math.sqrt(v) - 1) < 1e-2, `deviation ${Math.sqrt(v)}`);
  t.is(defaultModelConfig(findings).inputNorm, 'image');
  const model = createModel(defaultModelConfig(findings, { imageSize: 32, transitionDepth: 8 }));
  const film = tf.add(tf.mul(x, 0.4), 0.5) as tf.Tensor4D; // the same picture at another exposure and latitude
  const a = await model.forward(x).logits.data();
  const b = await model.forward(film).logits.data();
  a.forEach((v, i) => t.true(Math.abs(v - (b[i] as number)) < 1e-3, `logit ${i}: ${v} vs ${b[i]}`));
  const fixed = createModel(defaultModelConfig(findings, { imageSize: 32, transitionDepth: 8, inputNorm: 'fixed' }));
  const c = await fixed.forward(x).logits.data();
  const d = await fixed.forward(film).logits.data();
  t.true(c.some((v, i) => Math.abs(v - (d[i] as number)) > 1e-3), "'fixed' sees the exposure change");
  // A model saved before inputNorm existed (no field) keeps (x - 0.5) * 4.
  const run = join(dir, 'run-fixed');
  await fixed.save(run);
  const configPath = join(run, 'config.json');
  const json = JSON.parse(await readFile(configPath, 'utf8')) as { model: Record<string, unknown> };
  delete json.model['inputNorm'];
  await writeFile(configPath, JSON.stringify(json));
  const old = await loadModel(run);
  t.is(old.config.inputNorm, undefined);
  t.deepEqual(Array.from(await old.forward(film).logits.data()), Array.from(d));
  t.throws(() => createModel(defaultModelConfig(findings, { inputNorm: 'zscore' as 'image' })), { instanceOf: ModelError, message: /inputNorm.*'image' or 'fixed'.*zscore/ });
  for (const m of [model, fixed, old]) m.dispose();
});

test.serial('invalid configs and inputs are rejected with the field named', (t) => {
  t.throws(() => createModel(defaultModelConfig(findings, { imageSize: 60 })), { instanceOf: ModelError, message: /multiple of the output stride 8/ });
  t.throws(() => createModel(defaultModelConfig([], {})), { instanceOf: ModelError, message: /findings/ });
  t.throws(() => createModel(defaultModelConfig(findings, { backbone: 'vgg' as 'resnet-tiny' })), { instanceOf: ModelError, message: /unknown backbone "vgg"/ });
  const model = createModel(defaultModelConfig(findings, { imageSize: 32, transitionDepth: 4 }));
  t.throws(() => model.forward(images(1, 64)), { instanceOf: ModelError, message: /expected images of shape \[N, 32, 32, 1\]/ });
  model.dispose();
});
