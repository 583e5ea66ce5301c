/**
 * Worker thread of the data-parallel trainer (`train-workers.ts`): holds its own wasm backend and a copy of the model,
 * and for each message computes the loss and gradients of its part of a batch with the weights it is sent.
 *
 * Messages in: `{ type: 'init', config: ModelConfig, loss: LossKind }`, then `{ type: 'step', weights: Float32Array[],
 * images: Float32Array, n, labels: Float32Array, counts: BatchCounts }`. Out: `{ type: 'ready', backend }`,
 * `{ type: 'grads', loss, grads: Float32Array[] }` or `{ type: 'error', message }`.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './backend.js';
import { lossFor } from './loss.js';
import type { BatchCounts, LossFunction, LossKind } from './loss.js';
import { createModel } from './model.js';
import { setNativeConvThreads } from './native.js';
import type { CxrModel, ModelConfig } from './model.js';

type Message =
  | { type: 'init'; config: ModelConfig; loss: LossKind }
  | { type: 'step'; weights: Float32Array[]; images: Float32Array; n: number; labels: Float32Array; counts: BatchCounts };

let model: CxrModel | undefined;
let loss: LossFunction | undefined;

async function handle(message: Message): Promise<void> {
  if (message.type === 'init') {
    const backend = await initBackend('wasm');
    setNativeConvThreads(1); // one core per worker: the pool already uses the others
    model = createModel(message.config);
    loss = lossFor(message.loss);
    parentPort?.postMessage({ type: 'ready', backend });
    return;
  }
  if (model === undefined || loss === undefined) throw new Error('step before init');
  const m = model;
  const lossFn = loss;
  const size = m.config.imageSize;
  const classes = m.config.findings.length;
  tf.tidy(() => m.trainableVariables.forEach((v, i) => v.assign(tf.tensor(message.weights[i] as Float32Array, v.shape, 'float32'))));
  const images = tf.tensor4d(message.images, [message.n, size, size, 1]);
  const labels = tf.tensor2d(message.labels, [message.n, classes]);
  const { value, grads } = tf.variableGrads(() => {
    const out = m.forward(images, true);
    out.probs.dispose();
    out.features.dispose();
    return lossFn(out.logits, labels, message.counts);
  }, m.trainableVariables);
  const arrays = await Promise.all(m.trainableVariables.map(async (v) => (await (grads[v.name] as tf.Tensor).data()) as Float32Array));
  const lossValue = (await value.data())[0];
  tf.dispose([value, images, labels, ...Object.values(grads)]);
  parentPort?.postMessage({ type: 'grads', loss: lossValue, grads: arrays }, arrays.map((a) => a.buffer as ArrayBuffer));
}

parentPort?.on('message', (message: Message) => {
  handle(message).catch((error: unknown) => parentPort?.postMessage({ type: 'error', message: (error as Error).stack ?? String(error) }));
});
