/**
 * Training: the model of `model.ts` on the builder's shards, with Adam, a warm-up + cosine learning-rate schedule,
 * validation AUC every epoch, an atomic checkpoint every epoch, resume, early stopping, progress on stderr and
 * metrics as JSONL.
 *
 * Public API (stable): `train(options: TrainOptions): Promise<TrainResult>`, `TrainOptions`, `TrainResult`,
 * `EpochMetrics`, `DEFAULT_TRAIN_OPTIONS`, `learningRateAt(step, totalSteps, lr, schedule, warmupSteps)`,
 * `resolveBackbone(name)`, `Adam` (the optimiser, with its state as named tensors for checkpoints).
 *
 * Run folder (`options.out`):
 * - `config.json`, `weights.json`, `weights.bin`: the best model so far (highest mean validation AUC; the last epoch
 *   when there is no validation split); `loadModel(out)` reads it.
 * - `checkpoint/`: the last finished epoch (model, optimiser state, `state.json`); written as `checkpoint.partial/`
 *   and renamed, so a killed run keeps the previous one. `resume: true` continues from it.
 * - `metrics.jsonl`: one `EpochMetrics` object a line; on resume, lines of epochs after the checkpoint are dropped.
 * - `train.json`: the one record of the run's options (`RecordedOptions`: every option that changes the result, and
 *   `epochs`) and of the dataset it was trained on (shard size, findings, record counts). `resume: true` keeps them:
 *   an option given again with another value is refused (`RefusedError`, both values named), an option not given is
 *   taken from the record, and only `epochs` may change (raised to train longer; the learning-rate schedule then
 *   spans the new total).
 * - `cache/`: backbone features of a frozen pretrained backbone, computed once (see `model.ts`).
 *
 * A folder that already holds a run is never overwritten by accident: without `resume` it is refused unless `force`,
 * and with `force` the old run is set aside (`.replaced-run/`) until the new run has finished its first epoch, then
 * removed; a run that fails or is interrupted before that puts the old one back. A non-empty folder that holds no run
 * is refused unless `force`. A folder that holds only what a run writes before its first epoch is saved (`train.json`,
 * `metrics.jsonl`: a run stopped in epoch 1) holds nothing learned: a new run starts over it, and `resume` starts it at
 * epoch 1 with its recorded options. The dataset is checked first (`preflight.ts`). An `imageSize` above the shards'
 * size (an upsample, no new detail) is refused unless `allowUpsample`. `signal` stops the run between two steps with
 * `InterruptedError`; the checkpoint of the last finished epoch stays for `resume`.
 */
import * as tf from '@tensorflow/tfjs';
import { appendFile, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { writeAtomic, makeDirectory } from '@cxr8/labeler';
import { join } from 'node:path';
import { inspectFolder, unwritableReason } from './safe-output.js';
import { checkDatasetFolder } from './preflight.js';
import type { Split } from '@cxr8/dataset-builder';
import { batches, countRecords, createRng, datasetFindings, disposeBatch } from './data.js';
import { InterruptedError, RefusedError, TrainError } from './errors.js';
import { lossFor } from './loss.js';
import type { LossKind } from './loss.js';
import { DEFAULT_LSE_R } from './lse-pooling.js';
import { BUILTIN_BACKBONES, createModelAsync, loadModel } from './model.js';
import type { BuiltinBackbone, CxrModel, InputNorm, ModelConfig, OutputStride, PretrainedBackbone } from './model.js';
import { rocAuc } from './metrics/auc.js';
import { createGradientPool, defaultWorkerCount } from './train-workers.js';
import { nativeAdamStep, nativeKernelInfo } from './native.js';
import type { GradientPool } from './train-workers.js';

/** Options of `train`. Only `data` and `out` are required. */
export interface TrainOptions {
  /** Dataset folder written by `build-dataset` (holds `shards/manifest.json`). */
  data: string;
  /** Run folder. */
  out: string;
  epochs?: number;
  batchSize?: number;
  /** Default: the shard size, at most 224. */
  imageSize?: number;
  /** Peak learning rate of Adam. */
  lr?: number;
  /** A built-in name (`resnet-tiny`, `resnet-small`), a path to a pretrained TF.js model (frozen), or the object form. */
  backbone?: string | BuiltinBackbone | PretrainedBackbone;
  seed?: number;
  loss?: LossKind;
  /** Early stopping: stop after this many epochs without a better mean validation AUC (default 4; 0 turns it off). */
  patience?: number;
  /** Continue from `out/checkpoint`, with the options recorded in `out/train.json`. */
  resume?: boolean;
  /** Replace a run (or write into a non-empty folder) that `out` already holds. */
  force?: boolean;
  /** Allow an `imageSize` larger than the shards' (the images are upsampled). */
  allowUpsample?: boolean;
  /** Stops the run between two steps (InterruptedError); the last finished epoch's checkpoint stays. */
  signal?: AbortSignal;
  transitionDepth?: number;
  lseR?: number;
  transitionActivation?: 'relu' | 'linear';
  outputStride?: OutputStride;
  /** Input scaling of built-in backbones: `'image'` (each image by its own mean and deviation, default) or `'fixed'`. */
  inputNorm?: InputNorm;
  schedule?: 'cosine' | 'step' | 'constant';
  /** Steps of linear warm-up at the start (default: 3% of all steps, at most 200). */
  warmupSteps?: number;
  augment?: boolean;
  shuffleBuffer?: number;
  /** Clip the global gradient norm to this (default 5; 0 disables). */
  clipNorm?: number;
  /**
   * Worker threads computing gradients in parallel (data parallel; wasm backend and built-in backbones only).
   * Default: 1 (in-process, the native convolutions using every core); one per core (at most 4) on wasm without the
   * native kernels.
   */
  workers?: number;
  /** Cap on batches per epoch (quick runs, tests). */
  maxBatchesPerEpoch?: number;
  /** Progress lines; default: a bar on stderr (carriage returns on a terminal, a line every 10 s otherwise). */
  log?: (line: string, final: boolean) => void;
  /** Called after every epoch. */
  onEpoch?: (metrics: EpochMetrics) => void;
}

/** Defaults of `TrainOptions`. */
export const DEFAULT_TRAIN_OPTIONS = {
  epochs: 10,
  batchSize: 16,
  lr: 1e-3,
  backbone: 'resnet-tiny' as BuiltinBackbone,
  seed: 1,
  loss: 'weighted' as LossKind,
  patience: 4,
  transitionDepth: 128,
  lseR: DEFAULT_LSE_R,
  outputStride: 8 as const,
  inputNorm: 'image' as InputNorm,
  schedule: 'cosine' as const,
  augment: true,
  shuffleBuffer: 512,
  clipNorm: 5,
};

/** One line of `metrics.jsonl`. */
export interface EpochMetrics {
  epoch: number;
  /** Learning rate at the end of the epoch. */
  lr: number;
  trainLoss: number;
  trainImages: number;
  imagesPerSecond: number;
  seconds: number;
  valLoss: number | null;
  /** Per finding; null where the validation split lacks positives or negatives. */
  valAuc: Record<string, number | null>;
  meanValAuc: number | null;
  /** Whether this epoch became the saved best model. */
  best: boolean;
}

/** What `train` returns. */
export interface TrainResult {
  out: string;
  backend: string;
  /** Gradient worker threads used (1: in-process). */
  workers: number;
  epochsRun: number;
  bestEpoch: number;
  bestMeanValAuc: number | null;
  stoppedEarly: boolean;
  /** The options the run used (on resume: the recorded ones, `epochs` possibly raised). */
  options: RecordedOptions;
  /** The epoch a resumed run started after (0 for a new run). */
  resumedFrom: number;
  history: EpochMetrics[];
}

/**
 * The options of a run that change its result, and `epochs`, as `train.json` records them (`null`: not set, the
 * default computed at run time). On resume, each of them given again must equal the recorded value.
 */
export interface RecordedOptions {
  epochs: number;
  imageSize: number;
  backbone: BuiltinBackbone | PretrainedBackbone;
  batchSize: number;
  lr: number;
  seed: number;
  loss: LossKind;
  patience: number;
  transitionDepth: number;
  lseR: number;
  transitionActivation: 'relu' | 'linear';
  outputStride: OutputStride;
  inputNorm: InputNorm;
  schedule: 'cosine' | 'step' | 'constant';
  warmupSteps: number | null;
  augment: boolean;
  shuffleBuffer: number;
  clipNorm: number;
  maxBatchesPerEpoch: number | null;
}

/** The dataset a run was trained on, as `train.json` records it (the path may change; the rest must not). */
export interface RecordedDataset {
  path: string;
  size: number;
  findings: string[];
  train: number;
  val: number;
}

/** `train.json`, version 2. */
export interface RunRecord {
  version: 2;
  options: RecordedOptions;
  dataset: RecordedDataset;
}

/** How each recorded option is named on the command line (for messages). */
const OPTION_FLAGS: Record<keyof RecordedOptions, string> = {
  epochs: '--epochs',
  imageSize: '--image-size',
  backbone: '--backbone',
  batchSize: '--batch-size',
  lr: '--lr',
  seed: '--seed',
  loss: 'loss',
  patience: '--patience',
  transitionDepth: 'transitionDepth',
  lseR: 'lseR',
  transitionActivation: 'transitionActivation',
  outputStride: 'outputStride',
  inputNorm: '--input-norm',
  schedule: 'schedule',
  warmupSteps: 'warmupSteps',
  augment: 'augment',
  shuffleBuffer: 'shuffleBuffer',
  clipNorm: 'clipNorm',
  maxBatchesPerEpoch: 'maxBatchesPerEpoch',
};

/** Entries of a run folder that belong to the run (set aside together by `force`). */
const RUN_ENTRIES = [
  'config.json', 'weights.json', 'weights.bin', 'checkpoint', 'checkpoint.partial', 'checkpoint.old', 'metrics.jsonl',
  'train.json', 'cache', 'config.json.partial', 'weights.json.partial', 'weights.bin.partial', 'metrics.jsonl.partial',
  'train.json.partial',
] as const;
const REPLACED = '.replaced-run';

interface CheckpointState {
  version: 1;
  epoch: number;
  step: number;
  bestEpoch: number;
  bestScore: number | null;
  epochsWithoutImprovement: number;
}

/**
 * Learning rate at `step` (0-based) of `totalSteps`: linear warm-up, then cosine decay to 1% of `lr`, steps of x0.1
 * at 50% and 75%, or constant.
 *
 * @example
 * ```ts
 * learningRateAt(0, 1000, 1e-3, 'cosine', 0); // 1e-3
 * learningRateAt(999, 1000, 1e-3, 'cosine', 0); // ~1e-5
 * ```
 */
export function learningRateAt(step: number, totalSteps: number, lr: number, schedule: 'cosine' | 'step' | 'constant', warmupSteps: number): number {
  if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
  const t = totalSteps <= warmupSteps ? 1 : Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps - 1));
  if (schedule === 'constant') return lr;
  if (schedule === 'step') return t < 0.5 ? lr : t < 0.75 ? lr * 0.1 : lr * 0.01;
  return lr * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * t)));
}

/**
 * A backbone option as given on the command line: a built-in name, or a path to a pretrained model (frozen).
 *
 * @example
 * ```ts
 * resolveBackbone('resnet-tiny');          // 'resnet-tiny'
 * resolveBackbone('models/mobilenet');     // { path: 'models/mobilenet', frozen: true }
 * ```
 */
export function resolveBackbone(name: string | BuiltinBackbone | PretrainedBackbone | undefined): BuiltinBackbone | PretrainedBackbone {
  if (name === undefined) return DEFAULT_TRAIN_OPTIONS.backbone;
  if (typeof name !== 'string') return name;
  if ((BUILTIN_BACKBONES as readonly string[]).includes(name)) return name as BuiltinBackbone;
  if (name.includes('/') || name.endsWith('.json')) return { path: name, frozen: true };
  throw new TrainError(`unknown backbone "${name}": expected one of ${BUILTIN_BACKBONES.join(', ')} or a path to a TF.js model.json`);
}

/** Adam (Kingma & Ba 2015) over a fixed list of variables, with its moments exposed for checkpoints. */
export class Adam {
  readonly m: tf.Variable[];
  readonly v: tf.Variable[];
  step = 0;
  constructor(
    readonly variables: tf.Variable[],
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-7,
  ) {
    this.m = tf.tidy(() => variables.map((x) => tf.variable(tf.zerosLike(x), false)));
    this.v = tf.tidy(() => variables.map((x) => tf.variable(tf.zerosLike(x), false)));
  }

  /** Applies one update with learning rate `lr`; `grads[i]` belongs to `variables[i]`. */
  apply(grads: tf.Tensor[], lr: number): void {
    this.step++;
    const c1 = 1 - this.beta1 ** this.step;
    const c2 = 1 - this.beta2 ** this.step;
    const rate = (lr * Math.sqrt(c2)) / c1;
    // One native call for every variable where the wasm backend has it (tfjs: 12 kernels per variable).
    const slots = this.variables.map((x, i) => ({ x, m: this.m[i] as tf.Variable, v: this.v[i] as tf.Variable, g: grads[i] as tf.Tensor }));
    if (nativeAdamStep(slots, { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, rate })) return;
    tf.tidy(() => {
      this.variables.forEach((x, i) => {
        const g = grads[i] as tf.Tensor;
        const m = this.m[i] as tf.Variable;
        const v = this.v[i] as tf.Variable;
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        x.assign(tf.sub(x, tf.mul(tf.div(m, tf.add(tf.sqrt(v), this.epsilon)), rate)));
      });
    });
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function saveOptimizer(dir: string, adam: Adam): Promise<void> {
  const parts = [...adam.m, ...adam.v];
  const total = parts.reduce((a, t) => a + t.size, 0);
  const all = new Float32Array(total);
  let o = 0;
  for (const t of parts) {
    all.set((await t.data()) as Float32Array, o);
    o += t.size;
  }
  await writeFile(join(dir, 'optimizer.bin'), new Uint8Array(all.buffer));
  await writeFile(join(dir, 'optimizer.json'), JSON.stringify({ version: 1, step: adam.step, sizes: parts.map((t) => t.size) }));
}

async function loadOptimizer(dir: string, adam: Adam): Promise<void> {
  const meta = JSON.parse(await readFile(join(dir, 'optimizer.json'), 'utf8')) as { step: number; sizes: number[] };
  const parts = [...adam.m, ...adam.v];
  if (meta.sizes.length !== parts.length || meta.sizes.some((s, i) => s !== parts[i]?.size)) {
    throw new TrainError(`${dir}/optimizer.json: the optimiser state does not match this model (different backbone or findings?)`);
  }
  const bytes = await readFile(join(dir, 'optimizer.bin'));
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  let o = 0;
  for (const t of parts) {
    tf.tidy(() => t.assign(tf.tensor(all.subarray(o, o + t.size), t.shape, 'float32')));
    o += t.size;
  }
  adam.step = meta.step;
}

/** Writes checkpoint/ atomically: checkpoint.partial/ is filled, then swapped in. */
async function saveCheckpoint(out: string, model: CxrModel, adam: Adam, state: CheckpointState): Promise<void> {
  const partial = join(out, 'checkpoint.partial');
  const final = join(out, 'checkpoint');
  const old = join(out, 'checkpoint.old');
  await rm(partial, { recursive: true, force: true });
  await makeDirectory(partial);
  await model.save(partial);
  await saveOptimizer(partial, adam);
  await writeFile(join(partial, 'state.json'), JSON.stringify(state, null, 2));
  await rm(old, { recursive: true, force: true });
  if (await exists(final)) await rename(final, old);
  await rename(partial, final);
  await rm(old, { recursive: true, force: true });
}

function defaultLog(): (line: string, final: boolean) => void {
  let last = 0;
  return (line, final) => {
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${line}\u001b[K${final ? '\n' : ''}`);
    } else if (final || Date.now() - last > 10_000) {
      last = Date.now();
      process.stderr.write(`${line}\n`);
    }
  };
}

function formatTime(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

function progressLine(epoch: number, epochs: number, done: number, total: number, rate: number, loss: number): string {
  const width = 24;
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  const eta = rate > 0 ? (total - done) / rate : 0;
  return `epoch ${epoch}/${epochs} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} images, ${rate.toFixed(1)} images/s, ETA ${formatTime(eta)}, loss ${loss.toFixed(4)}`;
}

/** A source of [features or images, labels] batches for one epoch. */
type BatchSource = (epoch: number, shuffle: boolean) => AsyncGenerator<{ inputs: tf.Tensor4D; labels: tf.Tensor2D; n: number }>;

function imageSource(options: Required<Pick<TrainOptions, 'data' | 'batchSize' | 'seed' | 'shuffleBuffer'>> & { imageSize: number; augment: boolean; maxBatches?: number }, split: Split): BatchSource {
  return async function* (epoch, shuffle) {
    for await (const batch of batches(options.data, split, {
      batchSize: options.batchSize,
      imageSize: options.imageSize,
      augment: shuffle && options.augment,
      shuffleBuffer: shuffle ? options.shuffleBuffer : 0,
      seed: options.seed,
      epoch,
      ...(shuffle && options.maxBatches !== undefined ? { maxBatches: options.maxBatches } : {}),
    })) {
      yield { inputs: batch.images, labels: batch.labels, n: batch.ids.length };
    }
  };
}

/**
 * Backbone features of a whole split, computed once into `cacheDir/{split}.f32` (fixed-size records of features then
 * labels); returns a source reading them back in shuffled batches with positional reads (memory bounded by a batch).
 */
async function featureCacheSource(
  model: CxrModel,
  options: { data: string; batchSize: number; imageSize: number; seed: number; maxBatches?: number },
  split: Split,
  cacheDir: string,
): Promise<{ source: BatchSource; count: number }> {
  await makeDirectory(cacheDir);
  const file = join(cacheDir, `${split}.f32`);
  const metaFile = join(cacheDir, `${split}.json`);
  let meta: { count: number; shape: number[]; classes: number } | undefined;
  if (await exists(metaFile)) meta = JSON.parse(await readFile(metaFile, 'utf8')) as typeof meta;
  if (meta === undefined) {
    const handle = await open(`${file}.partial`, 'w');
    let count = 0;
    let shape: number[] = [];
    let classes = 0;
    try {
      for await (const batch of batches(options.data, split, { batchSize: options.batchSize, imageSize: options.imageSize })) {
        const feats = model.backboneFeatures(batch.images, false);
        shape = feats.shape.slice(1);
        classes = batch.labels.shape[1];
        const f = (await feats.data()) as Float32Array;
        const l = (await batch.labels.data()) as Float32Array;
        const per = f.length / batch.ids.length;
        const rec = new Float32Array(per + classes);
        for (let i = 0; i < batch.ids.length; i++) {
          rec.set(f.subarray(i * per, (i + 1) * per), 0);
          rec.set(l.subarray(i * classes, (i + 1) * classes), per);
          await handle.write(new Uint8Array(rec.buffer.slice(0)));
        }
        count += batch.ids.length;
        feats.dispose();
        disposeBatch(batch);
      }
    } finally {
      await handle.close();
    }
    await rename(`${file}.partial`, file);
    meta = { count, shape, classes };
    await writeAtomic(metaFile, JSON.stringify(meta));
  }
  const { count, shape, classes } = meta;
  const per = shape.reduce((a, b) => a * b, 1);
  const recordFloats = per + classes;
  const source: BatchSource = async function* (epoch, shuffle) {
    const order = Array.from({ length: count }, (_, i) => i);
    if (shuffle) {
      const rng = createRng(options.seed * 7919 + epoch * 104729);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
    }
    const handle = await open(file, 'r');
    try {
      let made = 0;
      for (let start = 0; start < count; start += options.batchSize) {
        if (shuffle && options.maxBatches !== undefined && made >= options.maxBatches) break;
        const idx = order.slice(start, start + options.batchSize);
        const feats = new Float32Array(idx.length * per);
        const labels = new Float32Array(idx.length * classes);
        const rec = new Float32Array(recordFloats);
        for (let i = 0; i < idx.length; i++) {
          await handle.read(new Uint8Array(rec.buffer), 0, recordFloats * 4, (idx[i] as number) * recordFloats * 4);
          feats.set(rec.subarray(0, per), i * per);
          labels.set(rec.subarray(per), i * classes);
        }
        made++;
        yield {
          inputs: tf.tensor4d(feats, [idx.length, ...(shape as [number, number, number])]),
          labels: tf.tensor2d(labels, [idx.length, classes]),
          n: idx.length,
        };
      }
    } finally {
      await handle.close();
    }
  };
  return { source, count };
}

/** Validation: loss and per-finding ROC AUC over a whole split. */
async function validate(
  model: CxrModel,
  source: BatchSource,
  findings: string[],
  loss: (logits: tf.Tensor2D, labels: tf.Tensor2D) => tf.Scalar,
  headOnly: boolean,
): Promise<{ loss: number | null; auc: Record<string, number | null>; mean: number | null }> {
  const c = findings.length;
  const scores: number[][] = findings.map(() => []);
  const labels: number[][] = findings.map(() => []);
  let lossSum = 0;
  let n = 0;
  for await (const batch of source(0, false)) {
    const out = headOnly ? model.head(batch.inputs, false) : model.forward(batch.inputs, false);
    const l = loss(out.logits, batch.labels);
    lossSum += (await l.data())[0]! * batch.n;
    n += batch.n;
    const p = await out.probs.data();
    const y = await batch.labels.data();
    for (let i = 0; i < batch.n; i++) {
      for (let f = 0; f < c; f++) {
        scores[f]!.push(p[i * c + f]!);
        labels[f]!.push(y[i * c + f]!);
      }
    }
    tf.dispose([out.logits, out.probs, out.features, l, batch.inputs, batch.labels]);
  }
  const auc: Record<string, number | null> = {};
  const defined: number[] = [];
  findings.forEach((name, f) => {
    const value = n > 0 ? rocAuc(scores[f]!, labels[f]!) : Number.NaN;
    auc[name] = Number.isFinite(value) ? value : null;
    if (Number.isFinite(value)) defined.push(value);
  });
  return {
    loss: n > 0 ? lossSum / n : null,
    auc,
    mean: defined.length > 0 ? defined.reduce((a, b) => a + b, 0) / defined.length : null,
  };
}

/** The recorded options of a run from its effective options. */
function recordOf(o: typeof DEFAULT_TRAIN_OPTIONS & TrainOptions, imageSize: number): RecordedOptions {
  return {
    epochs: o.epochs,
    imageSize,
    backbone: resolveBackbone(o.backbone),
    batchSize: o.batchSize,
    lr: o.lr,
    seed: o.seed,
    loss: o.loss,
    patience: o.patience,
    transitionDepth: o.transitionDepth,
    lseR: o.lseR,
    transitionActivation: o.transitionActivation ?? 'relu',
    outputStride: o.outputStride,
    inputNorm: o.inputNorm,
    schedule: o.schedule,
    warmupSteps: o.warmupSteps ?? null,
    augment: o.augment,
    shuffleBuffer: o.shuffleBuffer,
    clipNorm: o.clipNorm,
    maxBatchesPerEpoch: o.maxBatchesPerEpoch ?? null,
  };
}

const showValue = (v: unknown): string =>
  v === null || v === undefined ? 'not set (default)' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/**
 * The options a resumed run goes on with: the recorded ones, `epochs` as given (or recorded). Every other option given
 * with a value that differs from the record is a mismatch; all of them are refused together, each with both values.
 *
 * @example
 * ```ts
 * mergeResumeOptions(record, { imageSize: 32 }, 'runs/x');
 * // RefusedError: ... image size: recorded 64, given 32 (--image-size) ...
 * ```
 */
export function mergeResumeOptions(recorded: Partial<RecordedOptions>, given: Partial<TrainOptions>, out: string): Partial<RecordedOptions> {
  const mismatches: string[] = [];
  const merged: Partial<RecordedOptions> = { ...recorded };
  for (const key of Object.keys(OPTION_FLAGS) as (keyof RecordedOptions)[]) {
    const value = key === 'backbone' && given.backbone !== undefined ? resolveBackbone(given.backbone) : given[key as keyof TrainOptions];
    if (value === undefined) continue;
    if (key === 'epochs') {
      merged.epochs = value as number;
      continue;
    }
    const before = recorded[key];
    if (before === undefined) {
      (merged as Record<string, unknown>)[key] = value;
      continue;
    }
    if (JSON.stringify(before) !== JSON.stringify(value)) {
      mismatches.push(`${OPTION_FLAGS[key]}: recorded ${showValue(before)}, given ${showValue(value)}`);
    }
  }
  if (mismatches.length > 0) {
    throw new RefusedError(
      `--resume: ${out} was trained with other options (${join(out, 'train.json')}): ${mismatches.join('; ')}. ` +
        'A resumed run keeps the options it was started with (only --epochs may change): resume without these flags, ' +
        'or start a new run with another --out.',
    );
  }
  return merged;
}

/** Reads train.json: version 2, or the flat options object written before it (legacy). */
async function readRunRecord(out: string): Promise<{ options: Partial<RecordedOptions>; dataset?: RecordedDataset } | undefined> {
  const path = join(out, 'train.json');
  if (!(await exists(path))) return undefined;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new TrainError(`${path}: cannot read the run's recorded options (expected the JSON train writes)`, { cause });
  }
  if (json['version'] === 2) return json as unknown as RunRecord;
  const options: Partial<RecordedOptions> = {};
  for (const key of Object.keys(OPTION_FLAGS)) {
    if (json[key] !== undefined) (options as Record<string, unknown>)[key] = key === 'backbone' ? resolveBackbone(json[key] as string) : json[key];
  }
  return { options };
}

/** The recorded options a checkpoint's `config.json` fixes (the model's structure and seed). */
async function checkpointModelOptions(dir: string): Promise<Partial<RecordedOptions>> {
  let config: Partial<ModelConfig>;
  try {
    config = (JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { model: ModelConfig }).model;
  } catch {
    return {}; // loadModel below reports an unreadable checkpoint with its reason
  }
  const out: Partial<RecordedOptions> = {};
  if (config.imageSize !== undefined) out.imageSize = config.imageSize;
  if (config.backbone !== undefined) out.backbone = config.backbone;
  if (config.transitionDepth !== undefined) out.transitionDepth = config.transitionDepth;
  if (config.lseR !== undefined) out.lseR = config.lseR;
  out.transitionActivation = config.transitionActivation ?? 'linear'; // saved models without the field are linear (model.ts)
  if (config.outputStride !== undefined) out.outputStride = config.outputStride;
  if (typeof config.backbone === 'string') out.inputNorm = config.inputNorm ?? 'fixed'; // saved models without the field scale (x - 0.5) * 4
  if (config.seed !== undefined) out.seed = config.seed;
  return out;
}

/** A line that says what a run folder holds, for refusals: `12 epochs (best epoch 9, mean validation AUC 0.8123)`. */
async function describeRun(out: string): Promise<string> {
  try {
    const state = JSON.parse(await readFile(join(out, 'checkpoint', 'state.json'), 'utf8')) as CheckpointState;
    const score = state.bestScore === null ? '' : `, mean validation AUC ${state.bestScore.toFixed(4)}`;
    return `a trained run: ${state.epoch} epoch${state.epoch === 1 ? '' : 's'} (best epoch ${state.bestEpoch}${score})`;
  } catch {
    return 'a trained model or an unfinished run';
  }
}

/**
 * Settles a folder left by a `force` run that was killed: when the new run finished no epoch (no checkpoint), the old
 * run is put back; otherwise the set-aside copy is removed.
 */
async function settleReplacedRun(out: string): Promise<void> {
  const aside = join(out, REPLACED);
  if (!(await exists(aside))) return;
  if (await exists(join(out, 'checkpoint', 'state.json'))) {
    await rm(aside, { recursive: true, force: true });
    return;
  }
  for (const entry of RUN_ENTRIES) await rm(join(out, entry), { recursive: true, force: true });
  for (const entry of await readdir(aside)) await rename(join(aside, entry), join(out, entry));
  await rm(aside, { recursive: true, force: true });
}

async function setAsideRun(out: string): Promise<void> {
  const aside = join(out, REPLACED);
  await makeDirectory(aside);
  for (const entry of RUN_ENTRIES) {
    if (await exists(join(out, entry))) await rename(join(out, entry), join(aside, entry));
  }
}

/**
 * Whether a run folder holds only what a run writes before its first epoch is saved (train.json, metrics.jsonl,
 * partial files, the feature cache): no checkpoint, no model, nothing of anyone else's.
 */
async function finishedNoEpoch(out: string, entries: readonly string[]): Promise<boolean> {
  const visible = entries.filter((e) => !(e.startsWith('.') && e.endsWith('.partial')));
  if (!visible.includes('train.json') || !visible.every((e) => (RUN_ENTRIES as readonly string[]).includes(e))) return false;
  if (visible.includes('config.json') || visible.includes('weights.json')) return false;
  return !(await exists(join(out, 'checkpoint', 'state.json'))) && !(await exists(join(out, 'checkpoint.old', 'state.json')));
}

/**
 * Checks the run folder before anything is written: refuses to replace a run without `resume` or `force`, to write
 * into a non-empty folder that holds no run without `force`, and an `out` that is a file. With `force` over a run,
 * sets the run aside (see the module comment). Returns whether the folder holds a run.
 */
async function claimRunFolder(out: string, resume: boolean, force: boolean): Promise<void> {
  await settleReplacedRun(out);
  const folder = await inspectFolder(out);
  if (folder.kind === 'file') throw new RefusedError(`--out ${out} is a file; expected a run folder (absent, empty, or a run to --resume)`);
  const unwritable = await unwritableReason(out);
  if (unwritable !== undefined) throw new RefusedError(`--out ${out} cannot be written: ${unwritable}; nothing was trained. Choose another --out`);
  if (folder.kind === 'absent' || folder.entries.length === 0 || resume) return;
  if (await finishedNoEpoch(out, folder.entries)) {
    // A run stopped (Ctrl-C, kill -9, a bad shard) before its first epoch was saved holds no learned weights: starting
    // again over it loses nothing, as the interruption message promises ("run the command again").
    for (const entry of RUN_ENTRIES) await rm(join(out, entry), { recursive: true, force: true });
    return;
  }
  const isRun =
    folder.entries.includes('train.json') ||
    (await exists(join(out, 'checkpoint', 'state.json'))) ||
    (folder.entries.includes('config.json') && folder.entries.includes('weights.json'));
  if (isRun && !force) {
    throw new RefusedError(
      `--out ${out} already holds ${await describeRun(out)}; nothing was changed. ` +
        'Pass --resume to continue it, choose another --out for a new run, or pass --force to replace it.',
    );
  }
  if (!isRun && !force) {
    const shown = folder.entries.slice(0, 5).join(', ') + (folder.entries.length > 5 ? `, ... (${folder.entries.length} entries)` : '');
    throw new RefusedError(
      `--out ${out} is not empty and holds no cxr8 run (found ${shown}); nothing was written. ` +
        'Choose another --out (an absent or empty folder), or pass --force to write the run into it.',
    );
  }
  if (isRun) await setAsideRun(out);
}

function checkPositive(name: string, value: number, integer: boolean): void {
  if (!(value > 0) || (integer && !Number.isInteger(value))) {
    throw new TrainError(`invalid option ${name}: expected a positive ${integer ? 'integer' : 'number'}, found ${value}`);
  }
}

/**
 * Trains the paper's model on a dataset's train split, validating on its val split every epoch.
 *
 * @example
 * ```ts
 * await initBackend();
 * const result = await train({ data: 'out/dataset', out: 'runs/r1', epochs: 8, imageSize: 128 });
 * console.log(result.bestMeanValAuc); // the best model is in runs/r1 (loadModel('runs/r1'))
 * ```
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  if (typeof options.data !== 'string' || typeof options.out !== 'string') {
    throw new TrainError('train: expected options.data (dataset folder) and options.out (run folder)');
  }
  // A --data that is not a dataset, or lacks a shard, is named before the run folder is touched (preflight.ts).
  await checkDatasetFolder(options.data, ['train', 'val']);
  await claimRunFolder(options.out, options.resume === true, options.force === true);
  try {
    return await trainInFolder(options);
  } catch (error) {
    await settleReplacedRun(options.out); // a forced replacement that finished no epoch puts the old run back
    throw error;
  }
}

async function trainInFolder(options: TrainOptions): Promise<TrainResult> {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<TrainOptions>;
  const resume = options.resume === true;
  const checkpointDir = join(options.out, 'checkpoint');
  const resuming = resume && (await exists(join(checkpointDir, 'state.json')));
  const hasOldCheckpoint = resume && !resuming && (await exists(join(options.out, 'checkpoint.old', 'state.json')));
  // --resume of a run that was stopped before its first epoch was saved: it starts at epoch 1 with the recorded options.
  const folder = resume && !resuming && !hasOldCheckpoint ? await inspectFolder(options.out) : undefined;
  const unstarted = folder?.kind === 'folder' && (await finishedNoEpoch(options.out, folder.entries));
  if (resume && !resuming && !hasOldCheckpoint && !unstarted) {
    const found = folder === undefined || folder.kind === 'absent' ? 'no such folder' : folder.kind === 'file' ? 'a file' : folder.entries.length === 0 ? 'an empty folder' : `no checkpoint/state.json (found ${folder.entries.slice(0, 6).join(', ')})`;
    throw new TrainError(`${options.out}: --resume expected a run folder to continue (checkpoint/state.json), found ${found}; start a new run without --resume`);
  }
  const fromCheckpoint = resume && !unstarted;
  const resumeDir = resuming ? checkpointDir : join(options.out, 'checkpoint.old');
  const record = resume ? await readRunRecord(options.out) : undefined;
  // The checkpoint's model is what it is: its structure overrides a record that says otherwise (train.json of runs
  // before version 2 could record another image size than the model's) and fills a record that lacks it.
  const model0 = fromCheckpoint ? await checkpointModelOptions(resumeDir) : {};
  const recorded = resume ? mergeResumeOptions({ ...(record?.options ?? {}), ...model0 }, given, options.out) : {};
  const o = { ...DEFAULT_TRAIN_OPTIONS, ...recorded, ...given, ...(recorded.epochs === undefined ? {} : { epochs: recorded.epochs }) } as typeof DEFAULT_TRAIN_OPTIONS &
    TrainOptions;
  if (resume) {
    // the recorded values win over the given ones (equal by now) and over the defaults; warmupSteps etc. stay unset
    for (const [key, value] of Object.entries(recorded)) (o as unknown as Record<string, unknown>)[key] = value === null ? undefined : value;
  }
  checkPositive('epochs', o.epochs, true);
  checkPositive('batchSize', o.batchSize, true);
  checkPositive('lr', o.lr, false);
  if (!Number.isInteger(o.patience) || o.patience < 0) {
    throw new TrainError(`invalid option patience: expected an integer >= 0 (0 turns early stopping off), found ${o.patience}`);
  }
  const manifestPath = join(o.data, 'shards', 'manifest.json');
  const { findings, size } = await datasetFindings(o.data);
  const imageSize = o.imageSize ?? Math.min(size, 224);
  if (imageSize > size && o.allowUpsample !== true) {
    throw new RefusedError(
      `image size ${imageSize} is larger than the ${size} px images of the shards (${manifestPath}): they would be upsampled, ` +
        `which adds no detail. Rebuild the shards at that size (build-dataset ... --shard-size ${imageSize}), train at ` +
        `--image-size ${size} or less, or pass --allow-upsample.`,
    );
  }
  const trainCount = await countRecords(o.data, 'train');
  const valCount = await countRecords(o.data, 'val');
  if (trainCount === 0) throw new TrainError(`${o.data}: the train split has no records (shards/manifest.json)`);
  const dataset: RecordedDataset = { path: o.data, size, findings, train: trainCount, val: valCount };
  if (record?.dataset !== undefined) {
    const was = record.dataset;
    const differs = (['size', 'findings', 'train', 'val'] as const).filter((k) => JSON.stringify(was[k]) !== JSON.stringify(dataset[k]));
    if (differs.length > 0) {
      throw new RefusedError(
        `--resume: ${o.out} was trained on another dataset (${join(o.out, 'train.json')}): ` +
          differs.map((k) => `${k === 'size' ? 'shard size' : k === 'findings' ? 'findings' : `${k} records`}: recorded ${showValue(was[k])}, given ${showValue(dataset[k])}`).join('; ') +
          ` (recorded --data ${was.path}, given ${o.data}). Resume with the dataset the run was started on, or start a new run with another --out.`,
      );
    }
  }
  const runOptions = recordOf(o, imageSize);
  await makeDirectory(o.out);

  let model: CxrModel;
  let state: CheckpointState = { version: 1, epoch: 0, step: 0, bestEpoch: 0, bestScore: null, epochsWithoutImprovement: 0 };
  if (fromCheckpoint) {
    model = await loadModel(resumeDir);
    state = JSON.parse(await readFile(join(resumeDir, 'state.json'), 'utf8')) as CheckpointState;
    if (model.config.imageSize !== imageSize) {
      model.dispose();
      throw new RefusedError(`--resume: the checkpoint in ${resumeDir} is a ${model.config.imageSize} px model, train.json records ${imageSize} px`);
    }
  } else {
    const config: ModelConfig = {
      backbone: runOptions.backbone,
      imageSize,
      findings,
      transitionDepth: o.transitionDepth,
      lseR: o.lseR,
      transitionActivation: runOptions.transitionActivation,
      outputStride: o.outputStride,
      inputNorm: runOptions.inputNorm,
      seed: o.seed,
    };
    model = await createModelAsync(config);
  }
  const adam = new Adam(model.trainableVariables);
  if (fromCheckpoint) await loadOptimizer(resumeDir, adam);
  if (fromCheckpoint && o.epochs < state.epoch) {
    // --epochs below the epochs already trained: nothing to do, and the record keeps what the run has
    o.epochs = Math.max(record?.options.epochs ?? state.epoch, state.epoch);
    runOptions.epochs = o.epochs;
  }
  const runRecord: RunRecord = { version: 2, options: runOptions, dataset };
  await writeAtomic(join(o.out, 'train.json'), `${JSON.stringify(runRecord, null, 2)}\n`);

  // metrics.jsonl: on resume keep only the epochs the checkpoint has seen.
  const metricsFile = join(o.out, 'metrics.jsonl');
  const history: EpochMetrics[] = [];
  if (await exists(metricsFile)) {
    const kept = (await readFile(metricsFile, 'utf8'))
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as EpochMetrics)
      .filter((m) => resume && m.epoch <= state.epoch);
    history.push(...kept);
    await writeAtomic(metricsFile, kept.map((m) => `${JSON.stringify(m)}\n`).join(''));
  }
  const resumedFrom = state.epoch;

  const lossFn = lossFor(o.loss);
  const log = o.log ?? defaultLog();
  const headOnly = model.backboneFrozen;
  const maxBatches = o.maxBatchesPerEpoch;
  let trainSource: BatchSource;
  let valSource: BatchSource | undefined;
  if (headOnly) {
    log(`caching frozen backbone features of ${trainCount + valCount} images`, true);
    const common = { data: o.data, batchSize: o.batchSize, imageSize: model.config.imageSize, seed: o.seed, ...(maxBatches !== undefined ? { maxBatches } : {}) };
    trainSource = (await featureCacheSource(model, common, 'train', join(o.out, 'cache'))).source;
    if (valCount > 0) valSource = (await featureCacheSource(model, common, 'val', join(o.out, 'cache'))).source;
  } else {
    const common = {
      data: o.data,
      batchSize: o.batchSize,
      imageSize: model.config.imageSize,
      seed: o.seed,
      shuffleBuffer: o.shuffleBuffer,
      augment: o.augment,
      ...(maxBatches !== undefined ? { maxBatches } : {}),
    };
    trainSource = imageSource(common, 'train');
    if (valCount > 0) valSource = imageSource(common, 'val');
  }

  const stepsPerEpoch = Math.min(Math.ceil(trainCount / o.batchSize), maxBatches ?? Number.POSITIVE_INFINITY);
  const imagesPerEpoch = Math.min(trainCount, stepsPerEpoch * o.batchSize);
  const totalSteps = stepsPerEpoch * o.epochs;
  const warmup = o.warmupSteps ?? Math.min(200, Math.floor(totalSteps * 0.03));
  let stoppedEarly = false;
  const forwardLogits = (inputs: tf.Tensor4D): tf.Tensor2D => {
    const out = headOnly ? model.head(inputs, true) : model.forward(inputs, true);
    out.probs.dispose();
    out.features.dispose();
    return out.logits;
  };

  const backendName = tf.getBackend();
  // With the native convolutions the model trains in-process on every core (as fast as workers here, and no weight
  // copies); plain wasm runs on one core, so it splits batches across worker threads.
  const nativeConvolutions = backendName === 'wasm' && nativeKernelInfo().native;
  const workers =
    o.workers ?? (backendName === 'wasm' && !nativeConvolutions && !headOnly && typeof model.config.backbone === 'string' ? defaultWorkerCount() : 1);
  let pool: GradientPool | undefined;
  if (workers > 1) {
    if (headOnly || typeof model.config.backbone !== 'string') {
      throw new TrainError(`workers: ${workers} needs a built-in backbone; a pretrained backbone trains in-process (workers: 1)`);
    }
    pool = await createGradientPool(model.config, workers, o.loss);
  }
  const clip = (list: tf.Tensor[]): tf.Tensor[] => {
    if (!(o.clipNorm > 0)) return list;
    const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g)))));
    const scale = tf.minimum(1, tf.div(o.clipNorm, tf.add(norm, 1e-6)));
    return list.map((g) => tf.mul(g, scale));
  };
  const step = async (batch: { inputs: tf.Tensor4D; labels: tf.Tensor2D; n: number }, lr: number): Promise<number> => {
    if (pool !== undefined) {
      const images = (await batch.inputs.data()) as Float32Array;
      const labels = (await batch.labels.data()) as Float32Array;
      const weights = (await Promise.all(model.trainableVariables.map((v) => v.data()))) as Float32Array[];
      const result = await pool.gradients(weights, images, labels, batch.n);
      tf.tidy(() => adam.apply(clip(result.grads.map((g, i) => tf.tensor(g, model.trainableVariables[i]!.shape, 'float32'))), lr));
      return result.loss;
    }
    const lossValue = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => lossFn(forwardLogits(batch.inputs), batch.labels), model.trainableVariables);
      adam.apply(clip(model.trainableVariables.map((v) => grads[v.name] as tf.Tensor)), lr);
      return value;
    });
    const l = (await lossValue.data())[0] as number;
    lossValue.dispose();
    return l;
  };

  const interrupted = (epoch: number): InterruptedError =>
    new InterruptedError(
      `training interrupted in epoch ${epoch} of ${o.epochs}; ` +
        (state.epoch > 0
          ? `${join(o.out, 'checkpoint')} keeps epoch ${state.epoch} (best epoch ${state.bestEpoch}): continue with --resume`
          : 'no epoch had finished, so there is nothing to resume: run the command again'),
      { resumable: state.epoch > 0 },
    );
  const aborted = (): boolean => o.signal?.aborted === true;
  const patienceOn = o.patience > 0;
  if (resume && patienceOn && state.epochsWithoutImprovement >= o.patience && state.epoch < o.epochs) {
    stoppedEarly = true;
    log(
      `nothing to train: the run stopped early at epoch ${state.epoch} (no better validation AUC for ${o.patience} epoch${o.patience === 1 ? '' : 's'}, ` +
        `--patience ${o.patience}; best epoch ${state.bestEpoch})`,
      true,
    );
  }
  if (resume && !stoppedEarly && state.epoch >= o.epochs) {
    log(`nothing to train: the run has ${state.epoch} epoch${state.epoch === 1 ? '' : 's'} (--epochs ${o.epochs}); raise --epochs to train longer`, true);
  }
  try {
    for (let epoch = state.epoch + 1; epoch <= o.epochs && !stoppedEarly; epoch++) {
      if (aborted()) throw interrupted(epoch);
      const started = performance.now();
      let seen = 0;
      let lossSum = 0;
      let lr = o.lr;
      const iterator = trainSource(epoch, true);
      let next = iterator.next();
      for (;;) {
        const item = await next;
        if (item.done === true) break;
        const batch = item.value;
        if (aborted()) {
          tf.dispose([batch.inputs, batch.labels]);
          throw interrupted(epoch);
        }
        next = iterator.next(); // read and prepare the next batch while this one trains
        lr = learningRateAt(state.step, totalSteps, o.lr, o.schedule, warmup);
        let l: number;
        try {
          l = await step(batch, lr);
        } finally {
          tf.dispose([batch.inputs, batch.labels]);
        }
        if (!Number.isFinite(l)) throw new TrainError(`epoch ${epoch}, step ${state.step}: the loss is ${l} (try a lower --lr)`);
        state.step++;
        seen += batch.n;
        lossSum += l * batch.n;
        const rate = seen / ((performance.now() - started) / 1000);
        log(progressLine(epoch, o.epochs, seen, imagesPerEpoch, rate, lossSum / seen), false);
      }
      const seconds = (performance.now() - started) / 1000;
      const val = valSource ? await validate(model, valSource, findings, lossFn, headOnly) : { loss: null, auc: {}, mean: null };
      const score = val.mean ?? (val.loss !== null ? -val.loss : null);
      const improved = score === null || state.bestScore === null || score > state.bestScore;
      if (improved) {
        state.bestScore = score;
        state.bestEpoch = epoch;
        state.epochsWithoutImprovement = 0;
        await model.save(o.out);
      } else {
        state.epochsWithoutImprovement++;
      }
      state.epoch = epoch;
      const metrics: EpochMetrics = {
        epoch,
        lr,
        trainLoss: seen > 0 ? lossSum / seen : Number.NaN,
        trainImages: seen,
        imagesPerSecond: seen / seconds,
        seconds,
        valLoss: val.loss,
        valAuc: val.auc,
        meanValAuc: val.mean,
        best: improved,
      };
      history.push(metrics);
      await appendFile(metricsFile, `${JSON.stringify(metrics)}\n`);
      await saveCheckpoint(o.out, model, adam, state);
      await rm(join(o.out, REPLACED), { recursive: true, force: true }); // a replaced run (force) goes once this one has an epoch
      log(
        `epoch ${epoch}/${o.epochs}: loss ${metrics.trainLoss.toFixed(4)}, ${metrics.imagesPerSecond.toFixed(1)} images/s, ` +
          `val loss ${val.loss === null ? '-' : val.loss.toFixed(4)}, val mean AUC ${val.mean === null ? '-' : val.mean.toFixed(4)}${improved ? ' (best)' : ''}`,
        true,
      );
      o.onEpoch?.(metrics);
      if (patienceOn && state.epochsWithoutImprovement >= o.patience && epoch < o.epochs) {
        stoppedEarly = true;
        log(
          `early stop after epoch ${epoch} of ${o.epochs}: no better mean validation AUC for ${o.patience} epoch${o.patience === 1 ? '' : 's'} ` +
            `(--patience ${o.patience}; best epoch ${state.bestEpoch}); --patience 0 turns early stopping off`,
          true,
        );
      }
    }
  } finally {
    await pool?.close();
    adam.dispose();
    model.dispose();
  }

  return {
    out: o.out,
    backend: backendName,
    workers,
    epochsRun: state.epoch,
    bestEpoch: state.bestEpoch,
    bestMeanValAuc: state.bestScore === null || history.every((m) => m.meanValAuc === null) ? null : state.bestScore,
    stoppedEarly,
    options: runOptions,
    resumedFrom,
    history,
  };
}
