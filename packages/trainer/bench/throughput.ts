/**
 * Throughput benchmark: training, forward and evaluation images per second of the default built-in model
 * (`resnet-tiny`, output stride 8, D = 128, 8 findings) at 224 x 224 on this CPU, against the same architecture in
 * PyTorch on CPU (bench/peer_torch.py, Debian's python3-torch; skipped with a message when absent), in one run.
 *
 *   node --import=tsx --conditions=source packages/trainer/bench/throughput.ts [--image-size 224] [--batch-size 16]
 *        [--steps 4] [--warmup 1] [--workers 2] [--python /usr/bin/python3] [--map-size 256] [--only train|eval]
 *        [--kernels chosen|all]
 *
 * Rows: ours in-process on wasm with the micro-kernel chosen for this CPU on one thread and on every core, the other
 * micro-kernels it runs (AVX2 where AVX-512 is chosen) on every core, the 3x3 convolutions by im2col instead of
 * Winograd (setWinograd(false)) on every core, ours with N gradient worker threads, and PyTorch
 * with 1 thread and with every core. `measureThroughput(options)` returns the numbers for bench/run.ts.
 *
 * A second table measures evaluation as src/evaluate.ts runs it, with the 14 NIH findings: forward only; forward +
 * class activation maps of every finding + up-sampling to --map-size + 0..255 scaling ("heatmaps"); and forward + CAMs
 * + thresholds 60 and 180 + 8-connected components + boxes for every finding ("full", what boxes.csv needs), against
 * bench/peer_torch.py --eval-full doing the same in PyTorch + numpy (components in Python, see there). Both scale the
 * maps min-max (evaluate.ts defaults to positive scaling, which finds fewer regions: the same work up to the boxes).
 * `measureEvaluation(options)` returns those rows.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describeBackend, initBackend } from '../src/backend.js';
import { classActivationMaps, createHeatmapBoxer, createUpsampler, scaleTo255Into } from '../src/heatmap.js';
import type { HeatmapBox } from '../src/heatmap.js';
import { lossFor } from '../src/loss.js';
import { createModel, defaultModelConfig } from '../src/model.js';
import { Adam } from '../src/train.js';
import { createGradientPool } from '../src/train-workers.js';
import { loadNativeConv, NATIVE_KERNEL_NAMES, nativeKernelInfo, setNativeConvThreads } from '../src/native.js';

export interface ThroughputOptions {
  imageSize: number;
  batchSize: number;
  steps: number;
  warmup: number;
  workers: number;
  python: string;
  /** Side of the heatmaps in the evaluation table (evaluate.ts's default 256). */
  mapSize?: number;
  /** `'chosen'`: only the micro-kernel chosen for this CPU; default: also a row for each other one it runs. */
  kernels?: 'chosen' | 'all';
}

/** One row of the evaluation table: images per second for each stage, and the boxes found per image. */
export interface EvaluationRow {
  name: string;
  forward: number | null;
  heatmaps: number | null;
  full: number | null;
  boxesPerImage: number | null;
  note?: string;
}

export interface ThroughputRow {
  name: string;
  trainImagesPerSecond: number | null;
  evalImagesPerSecond: number | null;
  note?: string;
}

const FINDINGS = ['Atelectasis', 'Cardiomegaly', 'Effusion', 'Infiltration', 'Mass', 'Nodule', 'Pneumonia', 'Pneumothorax'];
/** The 14 NIH findings: evaluation writes heatmap boxes for every one of them. */
const NIH_FINDINGS = [...FINDINGS, 'Consolidation', 'Edema', 'Emphysema', 'Fibrosis', 'Pleural_Thickening', 'Hernia'];

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

  const trainStep = async () => {
    const value = tf.tidy(() => {
      const { value: v, grads } = tf.variableGrads(() => loss(model.forward(images, true).logits, labels), model.trainableVariables);
      adam.apply(model.trainableVariables.map((x) => grads[x.name] as tf.Tensor), 1e-4);
      return v;
    });
    await value.data();
    value.dispose();
  };
  const forwardStep = async () => {
    const out = model.forward(images, false);
    await out.probs.data();
    tf.dispose([out.logits, out.probs, out.features]);
  };
  const native = nativeKernelInfo().native && backend === 'wasm';
  const addon = loadNativeConv();
  const chosen = addon?.kernel() ?? '';
  const cores = availableParallelism();
  const threadCounts = native && cores > 1 ? [1, cores] : [1];
  for (const threads of threadCounts) {
    if (native) setNativeConvThreads(threads);
    const train = await timed(options.steps, options.warmup, n, trainStep);
    const forward = await timed(options.steps, options.warmup, n, forwardStep);
    const what = native ? `tfjs wasm + native convolutions (${chosen}), ${threads} thread${threads > 1 ? 's' : ''}` : `tfjs ${backend}, 1 thread`;
    rows.push({ name: `ours, ${what}`, trainImagesPerSecond: train, evalImagesPerSecond: forward, note: threads > 1 ? 'in-process' : undefined });
  }
  // The other micro-kernels this CPU runs (AVX2 where AVX-512 is chosen), on every core, in the same run.
  if (native && addon !== null && options.kernels !== 'chosen') {
    for (const name of NATIVE_KERNEL_NAMES.filter((k) => k !== chosen && k !== 'generic')) {
      if (!addon.setKernel(name)) continue;
      try {
        const train = await timed(options.steps, options.warmup, n, trainStep);
        const forward = await timed(options.steps, options.warmup, n, forwardStep);
        rows.push({ name: `ours, tfjs wasm + native convolutions (${name}), ${cores} thread${cores > 1 ? 's' : ''}`, trainImagesPerSecond: train, evalImagesPerSecond: forward, note: 'in-process' });
      } finally {
        addon.setKernel(chosen as (typeof NATIVE_KERNEL_NAMES)[number]);
      }
    }
  }
  // The 3x3 stride-1 convolutions through im2col instead of Winograd F(2x2, 3x3), on every core, in the same run.
  if (native && addon !== null && options.kernels !== 'chosen') {
    setNativeConvThreads(cores);
    addon.setWinograd(false);
    try {
      const train = await timed(options.steps, options.warmup, n, trainStep);
      const forward = await timed(options.steps, options.warmup, n, forwardStep);
      rows.push({ name: `ours, native convolutions (${chosen}), 3x3 by im2col (Winograd off), ${cores} thread${cores > 1 ? 's' : ''}`, trainImagesPerSecond: train, evalImagesPerSecond: forward, note: 'in-process' });
    } finally {
      addon.setWinograd(true);
    }
  }
  if (native) setNativeConvThreads(cores);

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
      rows.push({ name: `ours, tfjs wasm${native ? ' + native convolutions' : ''}, ${options.workers} gradient workers`, trainImagesPerSecond: trainWorkers, evalImagesPerSecond: null, note: 'one thread each' });
    } finally {
      await pool.close();
    }
  }
  adam.dispose();
  model.dispose();
  rows.push(peer(options, 1));
  if (cores > 1) rows.push(peer(options, cores));
  return rows;
}

function evaluationPeer(options: ThroughputOptions, threads: number): EvaluationRow {
  const name = `PyTorch CPU + numpy, ${threads} thread${threads > 1 ? 's' : ''}`;
  const script = fileURLToPath(new URL('./peer_torch.py', import.meta.url));
  if (!existsSync(options.python)) return { name, forward: null, heatmaps: null, full: null, boxesPerImage: null, note: `${options.python} not found` };
  const run = spawnSync(
    options.python,
    [
      script, '--eval-full', '--classes', String(NIH_FINDINGS.length), '--map-size', String(options.mapSize ?? 256),
      '--image-size', String(options.imageSize), '--batch-size', String(options.batchSize), '--steps', String(options.steps), '--warmup', String(options.warmup), '--threads', String(threads),
    ],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) {
    const why = /No module named/.test(run.stderr) ? (run.stderr.match(/No module named '[^']+'/)?.[0] ?? 'missing module') : run.stderr.trim().split('\n').pop();
    return { name, forward: null, heatmaps: null, full: null, boxesPerImage: null, note: `skipped: ${why}` };
  }
  const r = JSON.parse(run.stdout.trim().split('\n').pop() as string) as {
    torch: string;
    forward_images_per_s: number;
    heatmaps_images_per_s: number;
    full_images_per_s: number;
    boxes_per_image: number;
  };
  return { name: `${name} (torch ${r.torch})`, forward: r.forward_images_per_s, heatmaps: r.heatmaps_images_per_s, full: r.full_images_per_s, boxesPerImage: r.boxes_per_image };
}

/**
 * Evaluation throughput as src/evaluate.ts computes it (forward, CAMs of every finding read back once per batch,
 * heatmaps, boxes), with the 14 NIH findings, against the PyTorch + numpy peer.
 *
 * @example
 * ```ts
 * const rows = await measureEvaluation({ imageSize: 224, batchSize: 16, steps: 4, warmup: 1, workers: 2, python: '/usr/bin/python3' });
 * ```
 */
export async function measureEvaluation(options: ThroughputOptions): Promise<EvaluationRow[]> {
  const backend = await initBackend();
  const model = createModel(defaultModelConfig(NIH_FINDINGS, { imageSize: options.imageSize }));
  const n = options.batchSize;
  const C = NIH_FINDINGS.length;
  const S = model.featureSize;
  const pixels = S * S;
  const mapSize = options.mapSize ?? 256;
  const images = tf.randomUniform([n, options.imageSize, options.imageSize, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const kernel = await model.predictionWeights().kernel.data();
  const weights = { depth: kernel.length / C, classes: C, kernel };
  const cams = new Float32Array(n * C * pixels);
  const upsampler = createUpsampler(S, S, mapSize, mapSize);
  const heat = new Float32Array(mapSize * mapSize);
  const boxer = createHeatmapBoxer(S, S, { size: mapSize, scaling: 'minmax' }); // min-max, as the PyTorch peer does
  const boxes: HeatmapBox[] = [];
  let boxCount = 0;

  const forwardAndCams = async (): Promise<Float32Array> => {
    const { probs, features } = model.forward(images, false);
    const [p, f] = await Promise.all([probs.data(), features.data()]);
    tf.dispose([probs, features]);
    classActivationMaps(f, n, pixels, weights, cams);
    return p as Float32Array;
  };
  const forward = await timed(options.steps, options.warmup, n, async () => {
    const out = model.forward(images, false);
    await out.probs.data();
    tf.dispose([out.logits, out.probs, out.features]);
  });
  const heatmaps = await timed(options.steps, options.warmup, n, async () => {
    await forwardAndCams();
    for (let p = 0; p < n * C; p++) {
      upsampler.run(cams.subarray(p * pixels, (p + 1) * pixels), heat);
      scaleTo255Into(heat, heat, 'minmax');
    }
  });
  let counted = 0;
  const full = await timed(options.steps, options.warmup, n, async () => {
    const probs = await forwardAndCams();
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < C; c++) {
        boxes.length = 0;
        boxer.boxes(cams.subarray((i * C + c) * pixels, (i * C + c + 1) * pixels), probs[i * C + c] as number, boxes);
        boxCount += boxes.length;
      }
      counted++;
    }
  });
  images.dispose();
  model.dispose();
  const rows: EvaluationRow[] = [
    { name: `ours, tfjs ${describeBackend(backend)}`, forward, heatmaps, full, boxesPerImage: boxCount / Math.max(counted, 1), note: 'evaluate.ts path' },
    evaluationPeer(options, 1),
  ];
  const cores = availableParallelism();
  if (cores > 1) rows.push(evaluationPeer(options, cores));
  return rows;
}

function formatEvaluationTable(rows: EvaluationRow[], options: ThroughputOptions): string {
  const f = (v: number | null) => (v === null ? '-' : v.toFixed(1));
  const torch1 = rows.find((r) => r.name.startsWith('PyTorch') && r.name.includes(', 1 thread') && r.full !== null);
  const torchN = rows.find((r) => r.name.startsWith('PyTorch') && !r.name.includes(', 1 thread') && r.full !== null);
  const ratio = (v: number | null, ref: number | null | undefined) => (v === null || ref === null || ref === undefined ? '-' : `${(v / ref).toFixed(2)}x`);
  const lines = [
    `Evaluation, resnet-tiny, ${NIH_FINDINGS.length} findings, ${options.imageSize}x${options.imageSize}, batch ${options.batchSize}, heatmaps ${options.mapSize ?? 256}x${options.mapSize ?? 256}, thresholds 60 and 180, ${options.steps} timed batches after ${options.warmup} warm-up, images/s`,
    '',
    '| run | forward | + CAMs + heatmaps | + boxes (full) | boxes/image | full vs PyTorch 1 thread | full vs PyTorch all cores |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.name}${r.note ? ` (${r.note})` : ''} | ${f(r.forward)} | ${f(r.heatmaps)} | ${f(r.full)} | ${r.boxesPerImage === null ? '-' : r.boxesPerImage.toFixed(0)} | ${ratio(r.full, torch1?.full)} | ${ratio(r.full, torchN?.full)} |`,
    );
  }
  return lines.join('\n');
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
    mapSize: Number(flag('map-size', '256')),
    kernels: flag('kernels', 'all') === 'chosen' ? 'chosen' : 'all',
  };
  const only = flag('only', 'all');
  if (only !== 'eval') console.log(formatTable(await measureThroughput(options), options));
  if (only === 'all') console.log('');
  if (only !== 'train') console.log(formatEvaluationTable(await measureEvaluation(options), options));
}

/**
 * The issue's speed targets: our fastest training row and our evaluation ("full") against PyTorch on all cores, each at
 * least `ratio`. Without a PyTorch row nothing is compared (pass, with a line saying so).
 *
 * @example
 * ```ts
 * const { pass, lines } = throughputVerdict(trainRows, evalRows, 0.5);
 * ```
 */
export function throughputVerdict(train: ThroughputRow[], evaluation: EvaluationRow[], ratio: number): { pass: boolean; lines: string[] } {
  const lines: string[] = [];
  let pass = true;
  const torchTrain = train.filter((r) => r.name.startsWith('PyTorch') && r.trainImagesPerSecond !== null).at(-1);
  const oursTrain = Math.max(...train.filter((r) => r.name.startsWith('ours')).map((r) => r.trainImagesPerSecond ?? 0));
  if (torchTrain === undefined) {
    lines.push(`training speed: not compared (${train.find((r) => r.name.startsWith('PyTorch'))?.note ?? 'no PyTorch row'})`);
  } else {
    const r = oursTrain / (torchTrain.trainImagesPerSecond as number);
    pass &&= r >= ratio;
    lines.push(`training speed: ${oursTrain.toFixed(1)} images/s = ${r.toFixed(2)}x of ${torchTrain.name} (target >= ${ratio}x): ${r >= ratio ? 'ok' : 'MISSED'}`);
  }
  const torchEval = evaluation.filter((r) => r.name.startsWith('PyTorch') && r.full !== null).at(-1);
  const oursEval = evaluation.find((r) => r.name.startsWith('ours'))?.full ?? 0;
  if (torchEval === undefined) {
    lines.push(`evaluation speed: not compared (${evaluation.find((r) => r.name.startsWith('PyTorch'))?.note ?? 'no PyTorch row'})`);
  } else {
    const r = oursEval / (torchEval.full as number);
    pass &&= r >= ratio;
    lines.push(`evaluation speed (forward + heatmaps + boxes): ${oursEval.toFixed(1)} images/s = ${r.toFixed(2)}x of ${torchEval.name} (target >= ${ratio}x): ${r >= ratio ? 'ok' : 'MISSED'}`);
  }
  return { pass, lines };
}

export { formatTable, formatEvaluationTable };
