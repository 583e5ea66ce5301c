/**
 * Heatmaps and boxes (PAPER.md section 3): the class activation map (CAM) of a class is the transition layer's
 * activations weighted by that class's column of the prediction layer, `M_c(i, j) = sum_d f(i, j, d) w(d, c)`. It is
 * up-sampled bilinearly to the image frame, scaled to 0..255 (min-max over the map), thresholded (at 60 and 180 by
 * default: `value > t`, as OpenCV's THRESH_BINARY), and each connected region of a thresholded map gives one box.
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
  const { width, height, data } = map;
  const out = new Float32Array(outWidth * outHeight);
  const x0s = new Int32Array(outWidth);
  const x1s = new Int32Array(outWidth);
  const fxs = new Float32Array(outWidth);
  for (let x = 0; x < outWidth; x++) {
    const sx = Math.min(Math.max(((x + 0.5) * width) / outWidth - 0.5 - offset.x, 0), width - 1);
    const x0 = Math.floor(sx);
    x0s[x] = x0;
    x1s[x] = Math.min(x0 + 1, width - 1);
    fxs[x] = sx - x0;
  }
  for (let y = 0; y < outHeight; y++) {
    const sy = Math.min(Math.max(((y + 0.5) * height) / outHeight - 0.5 - offset.y, 0), height - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, height - 1);
    const fy = sy - y0;
    const r0 = y0 * width;
    const r1 = y1 * width;
    const o = y * outWidth;
    for (let x = 0; x < outWidth; x++) {
      const a = x0s[x] as number;
      const b = x1s[x] as number;
      const fx = fxs[x] as number;
      const top = (data[r0 + a] as number) * (1 - fx) + (data[r0 + b] as number) * fx;
      const bottom = (data[r1 + a] as number) * (1 - fx) + (data[r1 + b] as number) * fx;
      out[o + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return { width: outWidth, height: outHeight, data: out };
}

/**
 * Min-max scaling to 0..255 (in place on a copy). A flat map (max = min) becomes all zeros: it has no peak to box.
 *
 * @example
 * ```ts
 * scaleTo255({ width: 3, height: 1, data: new Float32Array([-1, 0, 1]) }).data; // [0, 127.5, 255]
 * ```
 */
export function scaleTo255(map: Map2D): Map2D {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of map.data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const out = new Float32Array(map.data.length);
  const range = max - min;
  if (range > 0 && Number.isFinite(range)) {
    const k = 255 / range;
    for (let i = 0; i < out.length; i++) out[i] = ((map.data[i] as number) - min) * k;
  }
  return { width: map.width, height: map.height, data: out };
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
  const thresholds = options.thresholds ?? PAPER_THRESHOLDS;
  const frame = options.frame ?? 1024;
  const probability = options.probability ?? 1;
  const minArea = options.minArea ?? 1;
  const { width, height, data } = map255;
  const sx = frame / width;
  const sy = frame / height;
  const mask = new Uint8Array(width * height);
  const boxes: HeatmapBox[] = [];
  for (const t of thresholds) {
    for (let i = 0; i < mask.length; i++) mask[i] = (data[i] as number) > t ? 1 : 0;
    const { labels, count } = labelComponents(mask, width, height);
    for (const r of regionsOf(labels, count, width, data)) {
      if (r.area < minArea) continue;
      boxes.push({ x: r.x * sx, y: r.y * sy, w: r.w * sx, h: r.h * sy, threshold: t, score: (r.peak / 255) * probability });
    }
  }
  return boxes;
}

/** Options of {@link heatmapOf}. */
export interface HeatmapOptions {
  /** Side of the square grid the CAM is up-sampled to. Default 1024 (the NIH frame). */
  size?: number;
  /** Receptive-field offset of the transition grid, in cells (default none). */
  offset?: CellOffset;
}

/**
 * The 0..255 heatmap of one class: CAM, bilinear up-sampling to `size x size`, min-max scaling.
 *
 * @example
 * ```ts
 * const heat = heatmapOf(features, weights, 2, { size: 256 });
 * const boxes = heatmapBoxes(heat, { probability: 0.93 });
 * ```
 */
export function heatmapOf(features: FeatureMap, weights: PredictionLayer, classIndex: number, options: HeatmapOptions = {}): Map2D {
  const size = options.size ?? 1024;
  return scaleTo255(upsampleBilinear(classActivationMap(features, weights, classIndex), size, size, options.offset));
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
  const out: (FindingBox & HeatmapBox)[] = [];
  const which = classes ?? findings.map((_, i) => i);
  for (const c of which) {
    const heat = heatmapOf(features, weights, c, options);
    for (const b of heatmapBoxes(heat, { ...options, probability: probabilities[c] as number })) {
      out.push({ finding: findings[c] as string, ...b });
    }
  }
  return out;
}
