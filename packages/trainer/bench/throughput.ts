/**
 * Throughput benchmark: training and evaluation (forward) images per second of the default built-in model
 * (`resnet-tiny`, output stride 8, D = 128, 8 findings) at 224 x 224 on this CPU, against the same architecture in
 * PyTorch on CPU (bench/peer_torch.py, Debian's python3-torch; skipped with a message when absent), in one run.
 *
 *   node --import=tsx --conditions=source packages/trainer/bench/throughput.ts [--image-size 224] [--batch-size 16]
 *        [--steps 4] [--warmup 1] [--workers 2] [--python /usr/bin/python3]
 *
 * Rows: ours in-process on wasm (one thread), ours with N gradient worker threads (train.ts's default on wasm), and
 * PyTorch with 1 thread and with every core. `measureThroughput(options)` returns the numbers for bench/run.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../src/backend.js';
import { lossFor } from '../src/loss.js';
import { createModel, defaultModelConfig } from '../src/model.js';
import { Adam } from '../src/train.js';
import { createGradientPool } from '../src/train-workers.js';

export interface ThroughputOptions {
  imageSize: number;
  batchSize: number;
  steps: number;
  warmup: number;
  workers: number;
  python: string;
}

export interface ThroughputRow {
  name: string;
  trainImagesPerSecond: number | null;
  evalImagesPerSecond: number | null;
  note?: string;
}

const FINDINGS = ['Atelectasis', 'Cardiomegaly', 'Effusion', 'Infiltration', 'Mass', 'Nodule', 'Pneumonia', 'Pneumothorax'];

async function timed(steps: number, warmup: number, images: number, fn: () => Promise<void>): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const start = performance.now();
  for (let i = 0; i < steps; i++) await fn();
  return (steps * images) / ((performance.now() - start) / 1000);
}

function peer(options: ThroughputOptions, threads: number): ThroughputRow {
  const name = `PyTorch CPU, ${threads} thread${threads > 1 ? 's' : ''}`;
  const script = fileURLToPath(new URL('./peer_torch.py', import.meta.url));
  if (!existsSync(options.python)) return { name, trainImagesPerSecond: null, evalImagesPerSecond: null, note: `${options.python} not found` };
  const run = spawnSync(
    options.python,
    [script, '--image-size', String(options.imageSize), '--batch-size', String(options.batchSize), '--steps', String(options.steps), '--warmup', String(options.warmup), '--threads', String(threads)],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) {
    const why = /No module named 'torch'/.test(run.stderr) ? 'python3-torch is not installed (apt-get install python3-torch)' : run.stderr.trim().split('\n').pop();
    return { name, trainImagesPerSecond: null, evalImagesPerSecond: null, note: `skipped: ${why}` };
  }
  const result = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { torch: string; train_images_per_s: number; eval_images_per_s: number };
  return { name: `${name} (torch ${result.torch})`, trainImagesPerSecond: result.train_images_per_s, evalImagesPerSecond: result.eval_images_per_s };
}

/**
 * Measures every row; ours and PyTorch alternate on the same machine in one call.
 *
 * @example
 * ```ts
 * const rows = await measureThroughput({ imageSize: 224, batchSize: 16, steps: 4, warmup: 1, workers: 2, python: '/usr/bin/python3' });
 * ```
 */
export async function measureThroughput(options: ThroughputOptions): Promise<ThroughputRow[]> {
  const backend = await initBackend();
  const config = defaultModelConfig(FINDINGS, { imageSize: options.imageSize });
  const model = createModel(config);
  const n = options.batchSize;
  const images = tf.randomUniform([n, options.imageSize, options.imageSize, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const labels = tf.cast(tf.greater(tf.randomUniform([n, FINDINGS.length], 0, 1, 'float32', 2), 0.7), 'float32') as tf.Tensor2D;
  const loss = lossFor('weighted');
  const adam = new Adam(model.trainableVariables);
  const rows: ThroughputRow[] = [];

  const trainInProcess = await timed(options.steps, options.warmup, n, async () => {
    const value = tf.tidy(() => {
      const { value: v, grads } = tf.variableGrads(() => loss(model.forward(images, true).logits, labels), model.trainableVariables);
      adam.apply(model.trainableVariables.map((x) => grads[x.name] as tf.Tensor), 1e-4);
      return v;
    });
    await value.data();
    value.dispose();
  });
  const evalInProcess = await timed(options.steps, options.warmup, n, async () => {
    const out = model.forward(images, false);
    await out.probs.data();
    tf.dispose([out.logits, out.probs, out.features]);
  });
  rows.push({ name: `ours, tfjs ${backend}, 1 thread`, trainImagesPerSecond: trainInProcess, evalImagesPerSecond: evalInProcess });

  if (options.workers > 1 && backend === 'wasm') {
    const pool = await createGradientPool(config, options.workers, 'weighted');
    const pixels = (await images.data()) as Float32Array;
    const y = (await labels.data()) as Float32Array;
    try {
      const trainWorkers = await timed(options.steps, options.warmup, n, async () => {
        const weights = (await Promise.all(model.trainableVariables.map((v) => v.data()))) as Float32Array[];
        const { grads } = await pool.gradients(weights, pixels, y, n);
        tf.tidy(() => adam.apply(grads.map((g, i) => tf.tensor(g, model.trainableVariables[i]!.shape)), 1e-4));
      });
      rows.push({ name: `ours, tfjs wasm, ${options.workers} gradient workers`, trainImagesPerSecond: trainWorkers, evalImagesPerSecond: null, note: 'train.ts default on wasm' });
    } finally {
      await pool.close();
    }
  }
  adam.dispose();
  model.dispose();
  rows.push(peer(options, 1));
  const cores = availableParallelism();
  if (cores > 1) rows.push(peer(options, cores));
  return rows;
}

function formatTable(rows: ThroughputRow[], options: ThroughputOptions): string {
  const torch1 = rows.find((r) => r.name.startsWith('PyTorch CPU, 1 thread') && r.trainImagesPerSecond !== null);
  const torchN = rows.find((r) => r.name.startsWith('PyTorch CPU,') && !r.name.startsWith('PyTorch CPU, 1 thread') && r.trainImagesPerSecond !== null);
  const f = (v: number | null) => (v === null ? '-' : v.toFixed(1));
  const ratio = (v: number | null, ref: number | null | undefined) => (v === null || ref === null || ref === undefined ? '-' : `${(v / ref).toFixed(2)}x`);
  const lines = [
    `Throughput, resnet-tiny (output stride 8, D = 128, 8 findings), ${options.imageSize}x${options.imageSize}, batch ${options.batchSize}, ${options.steps} timed steps after ${options.warmup} warm-up, ${availableParallelism()} cores`,
    '',
    '| run | train images/s | eval (forward) images/s | train vs PyTorch 1 thread | train vs PyTorch all cores | eval vs PyTorch 1 thread | eval vs PyTorch all cores |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.name}${r.note ? ` (${r.note})` : ''} | ${f(r.trainImagesPerSecond)} | ${f(r.evalImagesPerSecond)} | ${ratio(r.trainImagesPerSecond, torch1?.trainImagesPerSecond)} | ${ratio(r.trainImagesPerSecond, torchN?.trainImagesPerSecond)} | ${ratio(r.evalImagesPerSecond, torch1?.evalImagesPerSecond)} | ${ratio(r.evalImagesPerSecond, torchN?.evalImagesPerSecond)} |`,
    );
  }
  return lines.join('\n');
}

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const options: ThroughputOptions = {
    imageSize: Number(flag('image-size', '224')),
    batchSize: Number(flag('batch-size', '16')),
    steps: Number(flag('steps', '4')),
    warmup: Number(flag('warmup', '1')),
    workers: Number(flag('workers', String(Math.min(4, availableParallelism())))),
    python: flag('python', '/usr/bin/python3'),
  };
  const rows = await measureThroughput(options);
  console.log(formatTable(rows, options));
}

export { formatTable };
