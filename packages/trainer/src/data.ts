/**
 * Data path: streams batches from the dataset builder's shards (`@cxr8/dataset-builder` shards.ts) as tensors.
 *
 * Public API (stable):
 * - `batches(datasetDir, split, options): AsyncGenerator<Batch>` — `{ ids, images [N,S,S,1] float 0..1, labels [N,C]
 *   (1 for positive, else 0), boxes (per image, 1024-pixel frame), rawLabels (per image, the shard's int8 values) }`.
 *   Images are resized from the shard size to `imageSize` (bilinear, half-pixel centres); optional augmentation;
 *   shuffling through a bounded buffer. Memory is bounded by `batchSize + shuffleBuffer` records, never the dataset.
 *   Each yielded batch's tensors belong to the caller: dispose them (`disposeBatch`).
 * - `BatchOptions`, `Batch`, `AugmentOptions`, `DEFAULT_AUGMENT`, `countRecords(datasetDir, split)`,
 *   `datasetFindings(datasetDir)`, `createRng(seed)`, `augmentImages(images, rng, options)`, `disposeBatch(batch)`.
 *
 * Augmentation respects chest anatomy: small shifts and scales about the centre, brightness and contrast; never a
 * left-right flip (the heart is on the left, and situs inversus is a finding, not noise) and no large rotations. Boxes
 * are not moved with the image: augment only for training.
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { readShard, readShardManifest } from '@cxr8/dataset-builder';
import type { ShardBox, ShardRecord, Split } from '@cxr8/dataset-builder';
import { DataError } from './errors.js';
import { mulberry32 } from './phantoms.js';

/** Ranges of the random augmentation; each image draws its own values uniformly. */
export interface AugmentOptions {
  /** Largest shift, as a fraction of the image side (default 0.06). */
  shift: number;
  /** Largest relative zoom in or out (default 0.08: scales in [0.92, 1.08]). */
  scale: number;
  /** Largest brightness offset, in 0..1 intensity units (default 0.08). */
  brightness: number;
  /** Largest relative contrast change (default 0.15: factors in [0.85, 1.15]). */
  contrast: number;
  /**
   * Probability of a left-right mirror (default 0: none). Every finding here keeps its label in a mirrored film, and a
   * mirror doubles the looks a small finding is seen in; the heart moves to the other side.
   */
  flip?: number;
}

/** The default augmentation. */
export const DEFAULT_AUGMENT: AugmentOptions = { shift: 0.06, scale: 0.08, brightness: 0.08, contrast: 0.15 };

/** Options of `batches`. */
export interface BatchOptions {
  batchSize: number;
  /** Side of the images fed to the model; shards of another size are resized. Default: the shard size. */
  imageSize?: number;
  /** `true` for DEFAULT_AUGMENT, or explicit ranges; default no augmentation. */
  augment?: boolean | AugmentOptions;
  /** Records held for shuffling; 0 (default) keeps the shard order. Shard order is shuffled too when > 0. */
  shuffleBuffer?: number;
  /** Seed of shuffling and augmentation (default 1). */
  seed?: number;
  /** Mixed into the seed, so that every epoch has its own order (default 0). */
  epoch?: number;
  /** Drop a last batch smaller than batchSize (default false). */
  dropRemainder?: boolean;
  /** Stop after this many batches. */
  maxBatches?: number;
}

/** One batch. */
export interface Batch {
  /** NIH Image Index of each image. */
  ids: string[];
  /** [N, imageSize, imageSize, 1], float32 in 0..1. */
  images: tf.Tensor4D;
  /** [N, C], 1 where the shard says positive (1), else 0 (negative, uncertain or not mentioned). */
  labels: tf.Tensor2D;
  /** Ground-truth boxes of each image, in the 1024-pixel frame of the NIH layout. */
  boxes: ShardBox[][];
  /** The shard's label values per image: 1, 0, -1 (uncertain) or -128 (not mentioned). */
  rawLabels: Int8Array[];
}

/**
 * A small, fast, seedable pseudo-random generator returning numbers in [0, 1): {@link mulberry32} with the seed mixed
 * with 0x9e3779b9 (so it draws another sequence than the phantoms for the same seed).
 *
 * @example
 * ```ts
 * const rng = createRng(42);
 * rng(); // always the same first value for seed 42
 * ```
 */
export function createRng(seed: number): () => number {
  return mulberry32((seed >>> 0) ^ 0x9e3779b9);
}

/**
 * The findings (in label order) and the shard image size of a dataset.
 *
 * @example
 * ```ts
 * const { findings, size } = await datasetFindings('out/dataset'); // ['Atelectasis', ...], 256
 * ```
 */
export async function datasetFindings(datasetDir: string): Promise<{ findings: string[]; size: number }> {
  const manifest = await readShardManifest(datasetDir);
  return { findings: [...manifest.findings], size: manifest.size };
}

/**
 * Number of records of a split, from the shard manifest.
 *
 * @example
 * ```ts
 * await countRecords('out/dataset', 'val'); // 1200
 * ```
 */
export async function countRecords(datasetDir: string, split: Split): Promise<number> {
  const manifest = await readShardManifest(datasetDir);
  return manifest.shards.filter((s) => s.split === split).reduce((a, s) => a + s.count, 0);
}

/** Fisher-Yates shuffle in place with the given generator. */
function shuffleInPlace<T>(items: T[], rng: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}

/** Records of a split, shard after shard; through a bounded shuffle buffer when `bufferSize` > 0. */
async function* records(datasetDir: string, split: Split, bufferSize: number, rng: () => number): AsyncGenerator<ShardRecord> {
  const manifest = await readShardManifest(datasetDir);
  const shards = manifest.shards.filter((s) => s.split === split);
  if (bufferSize > 0) shuffleInPlace(shards, rng);
  const buffer: ShardRecord[] = [];
  for (const shard of shards) {
    const path = join(datasetDir, 'shards', shard.file);
    try {
      for await (const record of readShard(path)) {
        if (record.pixels.length !== manifest.size * manifest.size) {
          throw new DataError(`${path}: record ${record.id} has ${record.pixels.length} pixels, expected ${manifest.size}x${manifest.size}`);
        }
        if (bufferSize <= 0) {
          yield record;
          continue;
        }
        if (buffer.length < bufferSize) {
          buffer.push(record);
          continue;
        }
        const k = Math.floor(rng() * buffer.length);
        const out = buffer[k] as ShardRecord;
        buffer[k] = record;
        yield out;
      }
    } catch (cause) {
      if (cause instanceof DataError) throw cause;
      throw new DataError(`${path}: cannot read the shard (${(cause as Error).message})`, { cause });
    }
  }
  shuffleInPlace(buffer, rng);
  yield* buffer;
}

/**
 * Random anatomy-respecting augmentation of a batch [N, H, W, 1] in 0..1: per image a shift, a zoom about the centre,
 * brightness and contrast; edges are extended (nearest fill), values clipped to 0..1.
 *
 * @example
 * ```ts
 * const augmented = augmentImages(images, createRng(1), DEFAULT_AUGMENT);
 * ```
 */
export function augmentImages(images: tf.Tensor4D, rng: () => number, options: AugmentOptions = DEFAULT_AUGMENT): tf.Tensor4D {
  const [n, h, w] = images.shape;
  const transforms = new Float32Array(n * 8);
  const gains = new Float32Array(n);
  const offsets = new Float32Array(n);
  const u = () => rng() * 2 - 1;
  for (let i = 0; i < n; i++) {
    const s = 1 + u() * options.scale;
    const tx = u() * options.shift * w;
    const ty = u() * options.shift * h;
    const cx = (w - 1) / 2;
    const cy = (h - 1) / 2;
    gains[i] = 1 + u() * options.contrast;
    offsets[i] = u() * options.brightness;
    // drawn last, and only when asked for: runs without a flip keep their random sequence
    const mirror = (options.flip ?? 0) > 0 && rng() < (options.flip as number);
    // output (x, y) samples input ((x - cx) / s + cx - tx, (y - cy) / s + cy - ty), x mirrored to w - 1 - x if flipped
    const ax = mirror ? [-1 / s, cx + cx / s + tx] : [1 / s, cx - cx / s - tx];
    transforms.set([ax[0] as number, 0, ax[1] as number, 0, 1 / s, cy - cy / s - ty, 0, 0], i * 8);
  }
  return tf.tidy(() => {
    const moved = tf.image.transform(images, tf.tensor2d(transforms, [n, 8]), 'bilinear', 'nearest');
    const mean = tf.mean(moved, [1, 2, 3], true);
    const gain = tf.tensor4d(gains, [n, 1, 1, 1]);
    const offset = tf.tensor4d(offsets, [n, 1, 1, 1]);
    return tf.clipByValue(tf.add(tf.add(tf.mul(tf.sub(moved, mean), gain), mean), offset), 0, 1) as tf.Tensor4D;
  });
}

/** Disposes a batch's tensors. */
export function disposeBatch(batch: Batch): void {
  batch.images.dispose();
  batch.labels.dispose();
}

function toBatch(items: ShardRecord[], size: number, findings: number): Omit<Batch, 'images'> & { pixels: Float32Array } {
  const n = items.length;
  const pixels = new Float32Array(n * size * size);
  const labels = new Float32Array(n * findings);
  items.forEach((r, i) => {
    const o = i * size * size;
    for (let k = 0; k < r.pixels.length; k++) pixels[o + k] = (r.pixels[k] as number) / 255;
    for (let f = 0; f < findings; f++) labels[i * findings + f] = r.labels[f] === 1 ? 1 : 0;
  });
  return {
    ids: items.map((r) => r.id),
    pixels,
    labels: tf.tensor2d(labels, [n, findings]),
    boxes: items.map((r) => r.boxes),
    rawLabels: items.map((r) => r.labels),
  };
}

/**
 * Streams batches of one split of a dataset built by `@cxr8/dataset-builder`.
 *
 * @example
 * ```ts
 * for await (const batch of batches('out/dataset', 'train', { batchSize: 16, imageSize: 224, augment: true, shuffleBuffer: 512, seed: 1 })) {
 *   // batch.images [16, 224, 224, 1], batch.labels [16, C]
 *   disposeBatch(batch);
 * }
 * ```
 */
export async function* batches(datasetDir: string, split: Split, options: BatchOptions): AsyncGenerator<Batch, void, undefined> {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new DataError(`batches: expected batchSize to be a positive integer, found ${options.batchSize}`);
  }
  const manifest = await readShardManifest(datasetDir);
  const size = manifest.size;
  const imageSize = options.imageSize ?? size;
  if (!Number.isInteger(imageSize) || imageSize < 8) {
    throw new DataError(`batches: expected imageSize to be an integer >= 8, found ${imageSize}`);
  }
  const augment = options.augment === true ? DEFAULT_AUGMENT : options.augment === false || options.augment === undefined ? undefined : options.augment;
  const rng = createRng((options.seed ?? 1) * 7919 + (options.epoch ?? 0) * 104729);
  const findings = manifest.findings.length;
  let pending: ShardRecord[] = [];
  let count = 0;
  const emit = (items: ShardRecord[]): Batch => {
    const { pixels, ...rest } = toBatch(items, size, findings);
    const images = tf.tidy(() => {
      let x = tf.tensor4d(pixels, [items.length, size, size, 1]);
      if (imageSize !== size) x = tf.image.resizeBilinear(x, [imageSize, imageSize], false, true);
      return augment === undefined ? x : augmentImages(x, rng, augment);
    });
    return { ...rest, images };
  };
  for await (const record of records(datasetDir, split, options.shuffleBuffer ?? 0, rng)) {
    pending.push(record);
    if (pending.length === options.batchSize) {
      yield emit(pending);
      pending = [];
      count++;
      if (options.maxBatches !== undefined && count >= options.maxBatches) return;
    }
  }
  if (pending.length > 0 && !options.dropRemainder) yield emit(pending);
}
