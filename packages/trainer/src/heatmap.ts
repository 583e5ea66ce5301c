/**
 * Heatmaps and boxes (PAPER.md section 3): the class activation map (CAM) of a class is the transition layer's
 * activations weighted by that class's column of the prediction layer, `M_c(i, j) = sum_d f(i, j, d) w(d, c)`. It is
 * up-sampled bilinearly to the image frame, scaled to 0..255, thresholded (at 60 and 180 by default: `value > t`, as
 * OpenCV's THRESH_BINARY), and each connected region of a thresholded map gives one box.
 *
 * Scaling (`HeatmapScaling`): `'positive'` (default) keeps the positive evidence, `max(M, 0) * 255 / max(M)`;
 * `'minmax'` maps the map's minimum to 0 and its maximum to 255, as the original CAM code does. With min-max, the
 * zero level of a map with strongly negative parts (a class weight < 0 on features active elsewhere) lands above 60,
 * and every small bump of the no-evidence background becomes a box: on the phantom benchmark, 2-7.6 false positives per
 * image at T(IoBB) = 0.5 with min-max against 0-0.94 with positive, at the same accuracy (1.00 for every class).
 *
 * Connectivity: 8-connected (a pixel touches its 8 neighbours, diagonals included), so a region that narrows to a
 * diagonal step stays one region, as in OpenCV's `findContours`/`connectedComponents` default used by the reference
 * implementations.
 */
import type { Box, FindingBox } from './metrics/localization.js';

/** The transition activations of one image: `height x width x depth`, channel last, row-major (like a tfjs slice). */
export interface FeatureMap {
  height: number;
  width: number;
  depth: number;
  data: ArrayLike<number>;
}

/** The prediction layer: `kernel` is `depth x classes`, row-major (tfjs Dense kernel layout). */
export interface PredictionLayer {
  depth: number;
  classes: number;
  kernel: ArrayLike<number>;
}

/** How a CAM becomes a 0..255 map: see the file comment. */
export type HeatmapScaling = 'positive' | 'minmax';

/** The scaling used unless a caller names one. */
export const DEFAULT_SCALING: HeatmapScaling = 'positive';

/** A grayscale map of `width x height` values, row-major. */
export interface Map2D {
  width: number;
  height: number;
  data: Float32Array;
}

/** A box from a heatmap: which threshold produced it, and its score. */
export interface HeatmapBox extends Box {
  /** The threshold (0..255) whose connected region gave this box. */
  threshold: number;
  /** Region peak / 255 (so the map's global peak scores 1), multiplied by the class probability when given. */
  score: number;
}

/** Options of {@link heatmapBoxes}. */
export interface BoxOptions {
  /** Thresholds on the 0..255 map; one set of boxes per threshold. Default [60, 180] (the paper's). */
  thresholds?: readonly number[];
  /** Side of the frame the boxes are expressed in. Default 1024 (the NIH layout). */
  frame?: number;
  /** Multiplies every box score (the class probability). Default 1. */
  probability?: number;
  /** Regions smaller than this many map pixels are dropped. Default 1 (keep all). */
  minArea?: number;
  /**
   * Which regions of a thresholded map give boxes: `'all'` (default, the paper: one box per 8-connected region) or
   * `'peak'` (only the region that holds the map's maximum: one box per threshold, the one around the peak).
   */
  regions?: RegionChoice;
  /** No boxes at all when `probability` is below this (the image is not predicted to have the finding). Default 0. */
  minProbability?: number;
  /**
   * Regions whose peak on the 0..255 map is below this give no box (the map's maximum is 255): 0 (default) keeps every
   * region; 230 keeps the regions that reach 90% of the map's own maximum, the strongest evidence and its near-equals.
   */
  minPeak?: number;
}

/** See {@link BoxOptions.regions}. */
export type RegionChoice = 'all' | 'peak';

/**
 * A named way of drawing boxes from heatmaps (see {@link BOX_PROTOCOLS}): thresholds, region choice, suppression.
 */
export interface BoxProtocol {
  thresholds: readonly number[];
  regions: RegionChoice;
  minProbability: number;
  minPeak: number;
}

/** The names of {@link BOX_PROTOCOLS}. */
export type BoxProtocolName = 'paper' | 'peak' | 'strong';

/**
 * The box protocols `evaluate` knows (`--boxes NAME`):
 * - `paper`: thresholds 60 and 180, one box per 8-connected region at each (PAPER.md section 3), every image;
 * - `peak`: one box per image and class, around the heatmap's peak: the region above 180 that holds the
 *   maximum. A finding is one object, and its evidence peaks once; the other regions (and the loose box at 60 nested
 *   around the same peak) are the same detection drawn again, or background bumps, and each counts as a false
 *   positive when scored;
 * - `strong`: threshold 180, a box per region whose own peak reaches 230 (90% of the map's maximum): the peak's
 *   region and any other region as strong as it (a finding in two places, a second finding of the class), but not the
 *   weaker bumps, nor the loose box at 60 nested around the peak.
 * See docs/architecture/trainer-eval.md for the measurements on both phantom families.
 */
export const BOX_PROTOCOLS: Readonly<Record<BoxProtocolName, BoxProtocol>> = {
  paper: { thresholds: [60, 180], regions: 'all', minProbability: 0, minPeak: 0 },
  peak: { thresholds: [180], regions: 'peak', minProbability: 0, minPeak: 0 },
  strong: { thresholds: [180], regions: 'all', minProbability: 0, minPeak: 230 },
};

/** The protocol `evaluate` uses unless told otherwise. */
export const DEFAULT_BOX_PROTOCOL: BoxProtocolName = 'strong';

/**
 * The regions that give boxes: all of them, or the one with the highest peak (the first in raster order on a tie).
 *
 * @example
 * ```ts
 * chooseRegions([{ x: 0, y: 0, w: 1, h: 1, area: 1, peak: 90 }, { x: 5, y: 5, w: 2, h: 2, area: 4, peak: 200 }], 'peak');
 * // [{ x: 5, y: 5, w: 2, h: 2, area: 4, peak: 200 }]
 * ```
 */
export function chooseRegions(regions: Region[], choice: RegionChoice = 'all'): Region[] {
  if (choice === 'all' || regions.length <= 1) return regions;
  let best = regions[0] as Region;
  for (const r of regions) if (r.peak > best.peak) best = r;
  return [best];
}

/** The paper's thresholds on the 0..255 heatmap. */
export const PAPER_THRESHOLDS = [60, 180] as const;

/**
 * The class activation map of class `classIndex`: `M(i, j) = sum_d f(i, j, d) w(d, c)` over the transition grid.
 *
 * @example
 * ```ts
 * const cam = classActivationMap({ height: 2, width: 2, depth: 1, data: [1, 2, 3, 4] },
 *                                { depth: 1, classes: 2, kernel: [0.5, -1] }, 1);
 * cam.data; // Float32Array [-1, -2, -3, -4]
 * ```
 */
export function classActivationMap(features: FeatureMap, weights: PredictionLayer, classIndex: number): Map2D {
  const { height, width, depth, data } = features;
  if (weights.depth !== depth) {
    throw new RangeError(`@cxr8/trainer: expected prediction weights of depth ${depth}, found ${weights.depth}`);
  }
  if (classIndex < 0 || classIndex >= weights.classes) {
    throw new RangeError(`@cxr8/trainer: expected a class index in 0..${weights.classes - 1}, found ${classIndex}`);
  }
  const out = new Float32Array(height * width);
  for (let p = 0; p < height * width; p++) {
    let s = 0;
    const base = p * depth;
    for (let d = 0; d < depth; d++) s += (data[base + d] as number) * (weights.kernel[d * weights.classes + classIndex] as number);
    out[p] = s;
  }
  return { width, height, data: out };
}

/**
 * Where the receptive fields of the transition grid really sit, relative to the ideal half-pixel grid, in cells: cell
 * (i, j) is centred at image position `((j + 0.5 + x) * stride, (i + 0.5 + y) * stride)`. TensorFlow's `same` padding
 * pads a 3x3 stride-2 convolution on the bottom/right only, so each one moves the centres by half an input pixel; three
 * of them move a 128-pixel model's cells by 3.5 px (28 px in the 1024 frame, most of a nodule). The built-in backbones
 * avoid it with even kernels on strided convolutions; for other backbones `evaluate({ alignCells: true })` measures
 * the offset (`measureCellOffset`) and corrects the up-sampling by it.
 */
export interface CellOffset {
  x: number;
  y: number;
}

/**
 * Bilinear up-sampling with half-pixel centres (OpenCV's `INTER_LINEAR`, tf.image.resizeBilinear with
 * `halfPixelCenters`): output pixel x samples the input at `(x + 0.5) * inW / outW - 0.5 - offset.x`, clamped at the
 * borders; `offset` (default 0) says where the input samples really sit, in input samples (see {@link CellOffset}).
 *
 * @example
 * ```ts
 * upsampleBilinear({ width: 2, height: 1, data: new Float32Array([0, 1]) }, 4, 1).data; // [0, 0.25, 0.75, 1]
 * ```
 */
export function upsampleBilinear(map: Map2D, outWidth: number, outHeight: number, offset: CellOffset = { x: 0, y: 0 }): Map2D {
  const out = new Float32Array(outWidth * outHeight);
  createUpsampler(map.width, map.height, outWidth, outHeight, offset).run(map.data, out);
  return { width: outWidth, height: outHeight, data: out };
}

/** A bilinear up-sampler for one input and output size, with its tables and scratch buffer computed once. */
export interface Upsampler {
  readonly inWidth: number;
  readonly inHeight: number;
  readonly outWidth: number;
  readonly outHeight: number;
  /**
   * Up-samples `input` (`inWidth x inHeight`, row-major) into `out` (`outWidth x outHeight`); allocates nothing. With
   * `range`, also writes the minimum and maximum of the output to `range[0]` and `range[1]`; with `rowMax`, the maximum
   * of each output row (for {@link thresholdRegions} to skip rows that have no pixel above a threshold).
   */
  run(input: ArrayLike<number>, out: Float32Array, range?: Float64Array, rowMax?: Float64Array): void;
}

/**
 * A reusable {@link upsampleBilinear}: the source columns, rows and weights are computed once, and each map is done in
 * two separable passes (each input row interpolated along x into a float64 scratch buffer, then each output row
 * interpolated between two of those rows along y). The arithmetic is the same as the direct per-pixel form (same
 * operands, same order, float64 intermediates), so the output is bit-identical to it.
 *
 * @example
 * ```ts
 * const up = createUpsampler(28, 28, 256, 256);
 * const out = new Float32Array(256 * 256);
 * up.run(cam.data, out); // as upsampleBilinear(cam, 256, 256).data
 * ```
 */
export function createUpsampler(inWidth: number, inHeight: number, outWidth: number, outHeight: number, offset: CellOffset = { x: 0, y: 0 }): Upsampler {
  const x0s = new Int32Array(outWidth);
  const x1s = new Int32Array(outWidth);
  // Float32 as in the direct form: fx is rounded to float32 there too.
  const fxs = new Float32Array(outWidth);
  for (let x = 0; x < outWidth; x++) {
    const sx = Math.min(Math.max(((x + 0.5) * inWidth) / outWidth - 0.5 - offset.x, 0), inWidth - 1);
    const x0 = Math.floor(sx);
    x0s[x] = x0;
    x1s[x] = Math.min(x0 + 1, inWidth - 1);
    fxs[x] = sx - x0;
  }
  const y0s = new Int32Array(outHeight);
  const y1s = new Int32Array(outHeight);
  const fys = new Float64Array(outHeight);
  for (let y = 0; y < outHeight; y++) {
    const sy = Math.min(Math.max(((y + 0.5) * inHeight) / outHeight - 0.5 - offset.y, 0), inHeight - 1);
    const y0 = Math.floor(sy);
    y0s[y] = y0;
    y1s[y] = Math.min(y0 + 1, inHeight - 1);
    fys[y] = sy - y0;
  }
  const rows = new Float64Array(inHeight * outWidth);
  return {
    inWidth,
    inHeight,
    outWidth,
    outHeight,
    run(input: ArrayLike<number>, out: Float32Array, range?: Float64Array, rowMax?: Float64Array): void {
      for (let r = 0; r < inHeight; r++) {
        const src = r * inWidth;
        const dst = r * outWidth;
        for (let x = 0; x < outWidth; x++) {
          const fx = fxs[x] as number;
          rows[dst + x] = (input[src + (x0s[x] as number)] as number) * (1 - fx) + (input[src + (x1s[x] as number)] as number) * fx;
        }
      }
      for (let y = 0; y < outHeight; y++) {
        const fy = fys[y] as number;
        const gy = 1 - fy;
        const r0 = (y0s[y] as number) * outWidth;
        const r1 = (y1s[y] as number) * outWidth;
        const o = y * outWidth;
        for (let x = 0; x < outWidth; x++) out[o + x] = (rows[r0 + x] as number) * gy + (rows[r1 + x] as number) * fy;
      }
      if (range || rowMax) {
        let min = Number.POSITIVE_INFINITY;
        let max = Number.NEGATIVE_INFINITY;
        for (let y = 0; y < outHeight; y++) {
          let rowHigh = Number.NEGATIVE_INFINITY;
          const end = (y + 1) * outWidth;
          for (let i = y * outWidth; i < end; i++) {
            const v = out[i] as number;
            if (v < min) min = v;
            if (v > rowHigh) rowHigh = v;
          }
          if (rowHigh > max) max = rowHigh;
          if (rowMax) rowMax[y] = rowHigh;
        }
        if (range) {
          range[0] = min;
          range[1] = max;
        }
      }
    },
  };
}

/**
 * Scaling to 0..255 (on a copy): `'positive'` (default) `max(v, 0) * 255 / max`, all zeros when the maximum is not
 * positive; `'minmax'` `(v - min) * 255 / (max - min)`, all zeros for a flat map (max = min). A map of zeros has no
 * peak to box.
 *
 * @example
 * ```ts
 * scaleTo255({ width: 3, height: 1, data: new Float32Array([-1, 0, 1]) }).data;           // [0, 0, 255]
 * scaleTo255({ width: 3, height: 1, data: new Float32Array([-1, 0, 1]) }, 'minmax').data; // [0, 127.5, 255]
 * ```
 */
export function scaleTo255(map: Map2D, scaling: HeatmapScaling = DEFAULT_SCALING): Map2D {
  const out = new Float32Array(map.data.length);
  scaleTo255Into(map.data, out, scaling);
  return { width: map.width, height: map.height, data: out };
}

/**
 * {@link scaleTo255} into a caller's buffer (`out` may be `values` itself).
 *
 * @example
 * ```ts
 * const out = new Float32Array(3);
 * scaleTo255Into(new Float32Array([-1, 0, 1]), out, 'minmax'); // out = [0, 127.5, 255]
 * ```
 */
export function scaleTo255Into(values: ArrayLike<number>, out: Float32Array, scaling: HeatmapScaling = DEFAULT_SCALING): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (scaling === 'positive') {
    if (max > 0 && Number.isFinite(max)) {
      const k = 255 / max;
      for (let i = 0; i < n; i++) {
        const v = values[i] as number;
        out[i] = v > 0 ? v * k : 0;
      }
    } else {
      out.fill(0);
    }
    return;
  }
  const range = max - min;
  if (range > 0 && Number.isFinite(range)) {
    const k = 255 / range;
    for (let i = 0; i < n; i++) out[i] = ((values[i] as number) - min) * k;
  } else {
    out.fill(0);
  }
}

/** The connected regions of a binary mask: a label per pixel (0 = background, 1..count) and the count. */
export interface Components {
  labels: Int32Array;
  count: number;
}

/**
 * Labels the 8-connected regions of `mask` (non-zero = foreground) by flood fill with an explicit stack (no recursion,
 * so a 1024 x 1024 region cannot overflow the call stack). Regions are numbered in raster order of their first pixel.
 *
 * @example
 * ```ts
 * // 1 0 0
 * // 0 1 0   the four pixels touch diagonally through the centre: one 8-connected region
 * // 1 0 1   (4-connectivity would give four)
 * labelComponents(new Uint8Array([1, 0, 0, 0, 1, 0, 1, 0, 1]), 3, 3).count; // 1
 * ```
 */
export function labelComponents(mask: ArrayLike<number>, width: number, height: number): Components {
  const labels = new Int32Array(width * height);
  const stack = new Int32Array(width * height);
  let count = 0;
  for (let start = 0; start < width * height; start++) {
    if (!mask[start] || labels[start] !== 0) continue;
    count++;
    labels[start] = count;
    let top = 0;
    stack[top++] = start;
    while (top > 0) {
      const p = stack[--top] as number;
      const px = p % width;
      const py = (p - px) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = py + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = px + dx;
          if (nx < 0 || nx >= width || (dx === 0 && dy === 0)) continue;
          const q = ny * width + nx;
          if (mask[q] && labels[q] === 0) {
            labels[q] = count;
            stack[top++] = q;
          }
        }
      }
    }
  }
  return { labels, count };
}

/** A region's bounding box in map pixels (inclusive extent: w = maxX - minX + 1), its area and its peak value. */
export interface Region extends Box {
  area: number;
  peak: number;
}

/**
 * The bounding box, pixel count and peak value of each labelled region, in label order.
 *
 * @example
 * ```ts
 * const mask = new Uint8Array([1, 1, 0, 0, 0, 1]);
 * const { labels, count } = labelComponents(mask, 3, 2);
 * regionsOf(labels, count, 3, new Float32Array([9, 8, 0, 0, 0, 7]));
 * // [{ x: 0, y: 0, w: 2, h: 1, area: 2, peak: 9 }, { x: 2, y: 1, w: 1, h: 1, area: 1, peak: 7 }]
 * ```
 */
export function regionsOf(labels: Int32Array, count: number, width: number, values?: ArrayLike<number>): Region[] {
  const minX = new Int32Array(count + 1).fill(2 ** 30);
  const minY = new Int32Array(count + 1).fill(2 ** 30);
  const maxX = new Int32Array(count + 1).fill(-1);
  const maxY = new Int32Array(count + 1).fill(-1);
  const area = new Int32Array(count + 1);
  const peak = new Float64Array(count + 1).fill(Number.NEGATIVE_INFINITY);
  for (let p = 0; p < labels.length; p++) {
    const l = labels[p] as number;
    if (l === 0) continue;
    const x = p % width;
    const y = (p - x) / width;
    if (x < (minX[l] as number)) minX[l] = x;
    if (x > (maxX[l] as number)) maxX[l] = x;
    if (y < (minY[l] as number)) minY[l] = y;
    if (y > (maxY[l] as number)) maxY[l] = y;
    area[l] = (area[l] as number) + 1;
    const v = values ? (values[p] as number) : 1;
    if (v > (peak[l] as number)) peak[l] = v;
  }
  const regions: Region[] = [];
  for (let l = 1; l <= count; l++) {
    regions.push({
      x: minX[l] as number,
      y: minY[l] as number,
      w: (maxX[l] as number) - (minX[l] as number) + 1,
      h: (maxY[l] as number) - (minY[l] as number) + 1,
      area: area[l] as number,
      peak: peak[l] as number,
    });
  }
  return regions;
}

/**
 * Boxes from a 0..255 heatmap: for each threshold, one box around each 8-connected region of `value > threshold`,
 * scaled from map pixels to a `frame x frame` image (the NIH 1024 frame by default), scored by the region's peak / 255
 * times `probability`.
 *
 * @example
 * ```ts
 * const map = { width: 4, height: 4, data: new Float32Array(16) };
 * map.data[5] = 255; map.data[6] = 100;      // a peak at (1, 1) with a shoulder at (2, 1)
 * heatmapBoxes(map, { frame: 1024 });
 * // [{ x: 256, y: 256, w: 512, h: 256, threshold: 60, score: 1 }, { x: 256, y: 256, w: 256, h: 256, threshold: 180, score: 1 }]
 * ```
 */
export function heatmapBoxes(map255: Map2D, options: BoxOptions = {}): HeatmapBox[] {
  const out: HeatmapBox[] = [];
  boxesOfMap(map255, options, createRegionScratch(map255.width, map255.height), (b) => out.push(b));
  return out;
}

/** Pushes the boxes of a 0..255 map to `emit`, in {@link heatmapBoxes}'s order, with a caller's scratch buffers. */
function boxesOfMap(map255: Map2D, options: BoxOptions, scratch: RegionScratch, emit: (box: HeatmapBox) => void): void {
  const thresholds = options.thresholds ?? PAPER_THRESHOLDS;
  const frame = options.frame ?? 1024;
  const probability = options.probability ?? 1;
  const minArea = options.minArea ?? 1;
  const minPeak = options.minPeak ?? 0;
  if (probability < (options.minProbability ?? 0)) return;
  const { width, height, data } = map255;
  const sx = frame / width;
  const sy = frame / height;
  for (const t of thresholds) {
    for (const r of chooseRegions(thresholdRegions(data, width, height, t, scratch), options.regions)) {
      if (r.area < minArea || r.peak < minPeak) continue;
      emit({ x: r.x * sx, y: r.y * sy, w: r.w * sx, h: r.h * sy, threshold: t, score: (r.peak / 255) * probability });
    }
  }
}

/** Reusable buffers of {@link thresholdRegions} for maps of up to `width x height` pixels. */
export interface RegionScratch {
  readonly width: number;
  readonly height: number;
  /** Per run: row, first and last column, pixel count, peak value, union-find parent, label. */
  readonly runRow: Int32Array;
  readonly runStart: Int32Array;
  readonly runEnd: Int32Array;
  readonly runPeak: Float64Array;
  readonly parent: Int32Array;
  readonly label: Int32Array;
}

/**
 * Scratch buffers for {@link thresholdRegions} on `width x height` maps (a row holds at most `ceil(width / 2)` runs).
 *
 * @example
 * ```ts
 * const scratch = createRegionScratch(256, 256); // reuse it for every map of that size
 * ```
 */
export function createRegionScratch(width: number, height: number): RegionScratch {
  const runs = height * Math.ceil(width / 2) + 1;
  return {
    width,
    height,
    runRow: new Int32Array(runs),
    runStart: new Int32Array(runs),
    runEnd: new Int32Array(runs),
    runPeak: new Float64Array(runs),
    parent: new Int32Array(runs),
    label: new Int32Array(runs),
  };
}

function findRoot(parent: Int32Array, a: number): number {
  let r = a;
  while ((parent[r] as number) !== r) {
    const up = parent[parent[r] as number] as number;
    parent[r] = up; // path halving
    r = up;
  }
  return r;
}

/**
 * The 8-connected regions of `values > threshold`, with the same boxes, areas, peaks and order (raster order of each
 * region's first pixel) as `regionsOf(labelComponents(mask), values)`, without a per-pixel label image: each row is cut
 * into runs of foreground pixels, runs of consecutive rows that touch (diagonals included) are joined by a union-find
 * over runs whose root is always the earliest run, and each region is summarised from its runs. `scratch` is reused
 * across calls (see {@link createRegionScratch}); nothing else is allocated but the result. `rowMax` (optional, the
 * maximum of each row, see {@link Upsampler.run}) lets rows with no pixel above the threshold be skipped unread.
 *
 * @example
 * ```ts
 * const values = new Float32Array([200, 0, 0, 0, 90, 0]);   // 3 x 2: (0,0) and (1,1) touch diagonally
 * thresholdRegions(values, 3, 2, 60, createRegionScratch(3, 2));
 * // [{ x: 0, y: 0, w: 2, h: 2, area: 2, peak: 200 }]
 * ```
 */
export function thresholdRegions(
  values: ArrayLike<number>,
  width: number,
  height: number,
  threshold: number,
  scratch: RegionScratch,
  rowMax?: ArrayLike<number>,
): Region[] {
  if (scratch.width < width || scratch.height < height) {
    throw new RangeError(`@cxr8/trainer: expected region scratch buffers for at least ${width} x ${height}, found ${scratch.width} x ${scratch.height}`);
  }
  const { runRow, runStart, runEnd, runPeak, parent, label } = scratch;
  let runs = 0;
  let prevFirst = 0; // runs of the previous row: prevFirst .. rowFirst - 1
  for (let y = 0; y < height; y++) {
    const rowFirst = runs;
    if (rowMax && !((rowMax[y] as number) > threshold)) {
      prevFirst = rowFirst; // no pixel of this row passes: no runs, nothing to join
      continue;
    }
    const base = y * width;
    let x = 0;
    while (x < width) {
      let v = values[base + x] as number;
      if (!(v > threshold)) {
        x++;
        continue;
      }
      const start = x;
      let peak = v;
      x++;
      while (x < width) {
        v = values[base + x] as number;
        if (!(v > threshold)) break;
        if (v > peak) peak = v;
        x++;
      }
      runRow[runs] = y;
      runStart[runs] = start;
      runEnd[runs] = x - 1;
      runPeak[runs] = peak;
      parent[runs] = runs;
      runs++;
    }
    // Join this row's runs with the previous row's: 8-connected when [start - 1, end + 1] overlaps.
    let j = prevFirst;
    for (let r = rowFirst; r < runs; r++) {
      const s = runStart[r] as number;
      const e = runEnd[r] as number;
      while (j < rowFirst && (runEnd[j] as number) + 1 < s) j++;
      for (let k = j; k < rowFirst && (runStart[k] as number) <= e + 1; k++) {
        const a = findRoot(parent, k);
        const b = findRoot(parent, r);
        if (a < b) parent[b] = a;
        else if (b < a) parent[a] = b;
      }
    }
    prevFirst = rowFirst;
  }
  const regions: Region[] = [];
  for (let r = 0; r < runs; r++) {
    const root = findRoot(parent, r);
    const y = runRow[r] as number;
    const s = runStart[r] as number;
    const e = runEnd[r] as number;
    const peak = runPeak[r] as number;
    if (root === r) {
      // The earliest run of its region (roots are the smallest run index), so regions come in raster order.
      label[r] = regions.length;
      regions.push({ x: s, y, w: e - s + 1, h: 1, area: e - s + 1, peak });
      continue;
    }
    const region = regions[label[root] as number] as Region;
    const x1 = Math.max(region.x + region.w - 1, e);
    if (s < region.x) region.x = s;
    region.w = x1 - region.x + 1;
    region.h = y - region.y + 1; // runs come in row order, and the root's row is the region's first
    region.area += e - s + 1;
    if (peak > region.peak) region.peak = peak;
  }
  return regions;
}

/** Options of {@link heatmapOf}. */
export interface HeatmapOptions {
  /** Side of the square grid the CAM is up-sampled to. Default 1024 (the NIH frame). */
  size?: number;
  /** Receptive-field offset of the transition grid, in cells (default none). */
  offset?: CellOffset;
  /** 0..255 scaling, default `'positive'` (see the file comment). */
  scaling?: HeatmapScaling;
}

/**
 * The 0..255 heatmap of one class: CAM, bilinear up-sampling to `size x size`, scaling (`options.scaling`).
 *
 * @example
 * ```ts
 * const heat = heatmapOf(features, weights, 2, { size: 256 });
 * const boxes = heatmapBoxes(heat, { probability: 0.93 });
 * ```
 */
export function heatmapOf(features: FeatureMap, weights: PredictionLayer, classIndex: number, options: HeatmapOptions = {}): Map2D {
  const size = options.size ?? 1024;
  return scaleTo255(upsampleBilinear(classActivationMap(features, weights, classIndex), size, size, options.offset), options.scaling);
}

/**
 * The class activation maps of every class of a batch at once: `features` is `count x (pixels x depth)` (a batch of
 * transition activations `[N, S, S, D]` read back in one piece), the result is `[N, C, S, S]` (one contiguous plane
 * per image and class, ready to up-sample). Each value is computed as {@link classActivationMap} computes it (the sum
 * over d in order, in float64, then rounded to float32), so the planes equal the per-image maps exactly.
 *
 * @example
 * ```ts
 * const cams = classActivationMaps(await features.data(), 16, S * S, weights);   // 16 x C x S x S
 * const massOfImage3 = cams.subarray((3 * C + massIndex) * S * S, (3 * C + massIndex + 1) * S * S);
 * ```
 */
export function classActivationMaps(features: ArrayLike<number>, count: number, pixels: number, weights: PredictionLayer, out?: Float32Array): Float32Array {
  const { depth, classes, kernel } = weights;
  if (features.length !== count * pixels * depth) {
    throw new RangeError(`@cxr8/trainer: expected ${count} x ${pixels} x ${depth} = ${count * pixels * depth} feature values, found ${features.length}`);
  }
  const result = out ?? new Float32Array(count * classes * pixels);
  if (result.length < count * classes * pixels) {
    throw new RangeError(`@cxr8/trainer: expected an output of at least ${count * classes * pixels} values, found ${result.length}`);
  }
  const w = Float64Array.from({ length: depth * classes }, (_, i) => kernel[i] as number);
  const acc = new Float64Array(classes);
  for (let n = 0; n < count; n++) {
    const planes = n * classes * pixels;
    for (let p = 0; p < pixels; p++) {
      acc.fill(0);
      const base = (n * pixels + p) * depth;
      for (let d = 0; d < depth; d++) {
        const f = features[base + d] as number;
        if (f === 0) continue; // adding +0 products changes no sum (ReLU maps are mostly zeros)
        const row = d * classes;
        for (let c = 0; c < classes; c++) acc[c] = (acc[c] as number) + f * (w[row + c] as number);
      }
      for (let c = 0; c < classes; c++) result[planes + c * pixels + p] = acc[c] as number;
    }
  }
  return result;
}

/** Turns class activation maps of one grid size into heatmaps and boxes, reusing every buffer between maps. */
export interface HeatmapBoxer {
  /** The 0..255 heatmap of one CAM plane (`gridWidth x gridHeight`), as {@link heatmapOf}; a new map each call. */
  heatmap(cam: ArrayLike<number>): Map2D;
  /** The boxes of one CAM plane, as `heatmapBoxes(heatmapOf(...), { ...options, probability })`, pushed to `out`. */
  boxes(cam: ArrayLike<number>, probability: number, out: HeatmapBox[]): HeatmapBox[];
}

/**
 * A {@link HeatmapBoxer} for CAMs of `gridWidth x gridHeight`: up-sampling tables, the 0..255 map and the region
 * buffers are allocated once. Same results as {@link heatmapOf} followed by {@link heatmapBoxes}.
 *
 * @example
 * ```ts
 * const boxer = createHeatmapBoxer(28, 28, { size: 256 });
 * const boxes = boxer.boxes(cams.subarray(0, 28 * 28), 0.93, []);
 * ```
 */
export function createHeatmapBoxer(gridWidth: number, gridHeight: number, options: HeatmapOptions & BoxOptions = {}): HeatmapBoxer {
  const size = options.size ?? 1024;
  const thresholds = options.thresholds ?? PAPER_THRESHOLDS;
  const frame = options.frame ?? 1024;
  const minArea = options.minArea ?? 1;
  const minPeak = options.minPeak ?? 0;
  const step = frame / size;
  const upsampler = createUpsampler(gridWidth, gridHeight, size, size, options.offset);
  const heat = new Float32Array(size * size);
  const map: Map2D = { width: size, height: size, data: heat };
  const scratch = createRegionScratch(size, size);
  const range = new Float64Array(2);
  const rowMax = new Float64Array(size);
  const cuts = new Float64Array(thresholds.length);
  const scaling = options.scaling ?? DEFAULT_SCALING;
  return {
    heatmap(cam) {
      upsampler.run(cam, heat);
      scaleTo255Into(heat, heat, scaling);
      return { width: size, height: size, data: heat.slice() };
    },
    boxes(cam, probability, out) {
      if (probability < (options.minProbability ?? 0)) return out;
      upsampler.run(cam, heat, range, rowMax);
      // Positive scaling is min-max with the minimum pinned at 0 (negative values fall below every threshold).
      const min = scaling === 'positive' ? 0 : (range[0] as number);
      const span = (range[1] as number) - min;
      const k = 255 / span;
      let exact = span > 0 && Number.isFinite(span);
      for (let i = 0; exact && i < thresholds.length; i++) {
        const cut = rawCut(thresholds[i] as number, min, k);
        if (cut === undefined) exact = false;
        else cuts[i] = cut;
      }
      if (!exact) {
        // A flat map (all zeros after scaling) or an unusual threshold: scale the map and box it as heatmapBoxes does.
        scaleTo255Into(heat, heat, scaling);
        boxesOfMap(map, { ...options, probability }, scratch, (b) => out.push(b));
        return out;
      }
      // The scaled map is never written: `scaled(v) = fround((v - min) * k)` is monotone in v, so `scaled(v) > t` is
      // `v > cut` for the largest float32 `cut` with `scaled(cut) <= t`, and a region's scaled peak is scaled(raw peak).
      for (let i = 0; i < thresholds.length; i++) {
        const t = thresholds[i] as number;
        for (const r of chooseRegions(thresholdRegions(heat, size, size, cuts[i] as number, scratch, rowMax), options.regions)) {
          const peak = Math.fround((r.peak - min) * k);
          if (r.area < minArea || peak < minPeak) continue;
          out.push({ x: r.x * step, y: r.y * step, w: r.w * step, h: r.h * step, threshold: t, score: (peak / 255) * probability });
        }
      }
      return out;
    },
  };
}

const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);

/** The next float32 above `x` (finite x). */
function nextFloat32Up(x: number): number {
  if (x === 0) return 2 ** -149;
  F32[0] = x;
  if (x > 0) I32[0] = (I32[0] as number) + 1;
  else I32[0] = (I32[0] as number) - 1;
  return F32[0] as number;
}

/**
 * The largest float32 `c` with `fround((c - min) * k) <= t`, i.e. `fround((v - min) * k) > t` exactly when `v > c`
 * for float32 `v`; undefined when it is not found within a few steps of `min + t / k` (the caller then scales the map).
 */
function rawCut(t: number, min: number, k: number): number | undefined {
  const scaled = (v: number): number => Math.fround((v - min) * k);
  let c = Math.fround(min + t / k);
  if (!Number.isFinite(c)) return undefined;
  for (let i = 0; i < 64 && scaled(c) > t; i++) c = -nextFloat32Up(-c);
  if (scaled(c) > t) return undefined;
  for (let i = 0; i < 64; i++) {
    const up = nextFloat32Up(c);
    if (scaled(up) > t) return c;
    c = up;
  }
  return undefined;
}

/**
 * Boxes of every class of one image, with the finding's name, in the 1024 frame.
 *
 * @example
 * ```ts
 * const boxes = boxesOfImage(features, weights, ['Mass', 'Nodule'], [0.9, 0.1], { size: 256 });
 * // [{ finding: 'Mass', x, y, w, h, threshold: 60, score }, ...]
 * ```
 */
export function boxesOfImage(
  features: FeatureMap,
  weights: PredictionLayer,
  findings: readonly string[],
  probabilities: ArrayLike<number>,
  options: HeatmapOptions & BoxOptions = {},
  classes?: readonly number[],
): (FindingBox & HeatmapBox)[] {
  if (weights.depth !== features.depth) {
    throw new RangeError(`@cxr8/trainer: expected prediction weights of depth ${features.depth}, found ${weights.depth}`);
  }
  const pixels = features.width * features.height;
  const cams = classActivationMaps(features.data, 1, pixels, weights);
  const boxer = createHeatmapBoxer(features.width, features.height, options);
  const out: (FindingBox & HeatmapBox)[] = [];
  const which = classes ?? findings.map((_, i) => i);
  const boxes: HeatmapBox[] = [];
  for (const c of which) {
    if (c < 0 || c >= weights.classes) {
      throw new RangeError(`@cxr8/trainer: expected a class index in 0..${weights.classes - 1}, found ${c}`);
    }
    boxes.length = 0;
    boxer.boxes(cams.subarray(c * pixels, (c + 1) * pixels), probabilities[c] as number, boxes);
    for (const b of boxes) out.push({ finding: findings[c] as string, ...b });
  }
  return out;
}
