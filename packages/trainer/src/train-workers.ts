/**
 * Data-parallel gradients on worker threads, to use every core with the wasm backend (which runs on one thread in
 * Node, see backend.ts). Each step, the batch is split into one part per worker; each worker computes the gradients of
 * its part with the current weights, using the whole batch's counts in the loss (`BatchCounts`), so the parts' gradients
 * add up exactly to the whole batch's; the main thread sums them and applies the optimiser.
 *
 * Public API (stable): `createGradientPool(config, workers, loss): Promise<GradientPool>`, `GradientPool`,
 * `defaultWorkerCount()`.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { BatchCounts, LossKind } from './loss.js';
import type { ModelConfig } from './model.js';
import { TrainError } from './errors.js';
import { startModuleWorker } from '@cxr8/labeler';

/** Gradients of a batch computed by a pool of workers. */
export interface GradientPool {
  readonly size: number;
  /**
   * Loss and gradients (one array per trainable variable, in `model.trainableVariables` order) of a batch of `n`
   * images [n, S, S, 1] and 0/1 labels [n, C], with the given weights.
   */
  gradients(weights: Float32Array[], images: Float32Array, labels: Float32Array, n: number): Promise<{ loss: number; grads: Float32Array[] }>;
  close(): Promise<void>;
}

/** Worker threads worth starting here: the number of cores, at most 4. */
export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

type Reply = { type: 'ready'; backend: string } | { type: 'grads'; loss: number; grads: Float32Array[] } | { type: 'error'; message: string };

/** Starts a gradient worker (`gradient-worker.ts`). */
function startWorker(): Worker {
  return startModuleWorker('gradient-worker', import.meta.url);
}

function request(worker: Worker, message: unknown, transfer: ArrayBuffer[] = []): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: Reply) => {
      worker.off('error', onError);
      if (reply.type === 'error') reject(new TrainError(`gradient worker failed: ${reply.message}`));
      else resolve(reply);
    };
    const onError = (error: Error) => {
      worker.off('message', onMessage);
      reject(new TrainError(`gradient worker crashed: ${error.message}`, { cause: error }));
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.postMessage(message, transfer);
  });
}

/**
 * Starts `workers` worker threads, each with the wasm backend and a model of `config` (built-in backbones only).
 *
 * @example
 * ```ts
 * const pool = await createGradientPool(model.config, 2, 'weighted');
 * const { loss, grads } = await pool.gradients(weights, images, labels, 16);
 * await pool.close();
 * ```
 */
export async function createGradientPool(config: ModelConfig, workers: number, loss: LossKind): Promise<GradientPool> {
  if (typeof config.backbone !== 'string') {
    throw new TrainError('data-parallel workers support the built-in backbones only; use workers: 1 for a pretrained backbone');
  }
  const pool = Array.from({ length: workers }, () => startWorker());
  try {
    await Promise.all(pool.map((w) => request(w, { type: 'init', config, loss })));
  } catch (error) {
    await Promise.all(pool.map((w) => w.terminate()));
    throw error;
  }
  const size = config.imageSize;
  const classes = config.findings.length;
  return {
    size: workers,
    async gradients(weights, images, labels, n) {
      let positives = 0;
      for (let i = 0; i < n * classes; i++) if (labels[i] === 1) positives++;
      const counts: BatchCounts = { positives, count: n * classes };
      const parts = Math.min(workers, n);
      const per = Math.ceil(n / parts);
      const replies = await Promise.all(
        Array.from({ length: parts }, (_, k) => {
          const start = k * per;
          const end = Math.min(n, start + per);
          const part = {
            type: 'step',
            weights: weights.map((w) => w.slice()),
            images: images.slice(start * size * size, end * size * size),
            labels: labels.slice(start * classes, end * classes),
            n: end - start,
            counts,
          };
          return request(pool[k] as Worker, part, [...part.weights.map((w) => w.buffer as ArrayBuffer), part.images.buffer as ArrayBuffer]);
        }),
      );
      const grads = weights.map((w) => new Float32Array(w.length));
      let total = 0;
      for (const reply of replies) {
        if (reply.type !== 'grads') throw new TrainError(`gradient worker: expected gradients, found "${reply.type}"`);
        total += reply.loss;
        reply.grads.forEach((g, i) => {
          const sum = grads[i] as Float32Array;
          for (let j = 0; j < g.length; j++) sum[j] = (sum[j] as number) + (g[j] as number);
        });
      }
      return { loss: total, grads };
    },
    async close() {
      await Promise.all(pool.map((w) => w.terminate()));
    },
  };
}
