/**
 * Localization scores of the paper (PAPER.md section 3): IoBB and IoU between a predicted and a ground-truth box, and
 * per-class accuracy and average false positives (AFP) at a set of thresholds.
 *
 * The protocol, per class c and threshold T:
 * - only the images that have a ground-truth box of class c take part (the paper's 880 boxed test images);
 * - a ground-truth box is found when at least one predicted box of class c on the same image scores more than T
 *   (`IoBB > T`, as the paper writes it; likewise for IoU);
 * - accuracy = found ground-truth boxes / ground-truth boxes of class c;
 * - every predicted box of class c on those images that passes T against no ground-truth box of class c is a false
 *   positive; AFP = false positives / images that take part.
 */
import { MetricInputError } from '../errors.js';

/** An axis-aligned box: top-left corner and size, in the 1024-pixel frame of the NIH layout. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A box that belongs to a finding (by name, as NIH spells it). */
export interface FindingBox extends Box {
  finding: string;
}

/** The ground truth and the predictions of one image. */
export interface LocalizationItem {
  id: string;
  truth: FindingBox[];
  predicted: FindingBox[];
}

/** Accuracy and average false positives per image of one class at one threshold. */
export interface LocalizationScore {
  acc: number;
  afp: number;
}

/** `threshold (as written in metrics.json, e.g. "0.5") -> finding -> score`. */
export type LocalizationTable = Record<string, Record<string, LocalizationScore>>;

/** Localization results for both overlap measures. */
export interface LocalizationResult {
  iobb: LocalizationTable;
  iou: LocalizationTable;
  /** Number of images that take part per finding (images with at least one ground-truth box of it). */
  images: Record<string, number>;
  /** Number of ground-truth boxes per finding. */
  boxes: Record<string, number>;
}

/** The paper's T(IoBB) thresholds. */
export const IOBB_THRESHOLDS = [0.1, 0.25, 0.5, 0.75, 0.9] as const;
/** T(IoU) thresholds, 0.1 to 0.7 (the ChestX-ray14 appendix). */
export const IOU_THRESHOLDS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7] as const;

function checkBox(b: Box, what: string): void {
  if (![b.x, b.y, b.w, b.h].every(Number.isFinite) || b.w < 0 || b.h < 0) {
    throw new MetricInputError(`${what}: expected a box with finite x, y and w, h >= 0, found ${JSON.stringify(b)}`);
  }
}

/** Area of the intersection of two boxes (0 when they do not overlap). */
export function intersectionArea(a: Box, b: Box): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Intersection over the predicted box's area (the paper's IoBB). 0 for an empty predicted box.
 *
 * @example
 * ```ts
 * iobb({ x: 0, y: 0, w: 10, h: 10 }, { x: 5, y: 0, w: 100, h: 100 }); // 0.5: half the prediction lies in the truth
 * ```
 */
export function iobb(predicted: Box, truth: Box): number {
  checkBox(predicted, 'iobb (predicted)');
  checkBox(truth, 'iobb (truth)');
  const area = predicted.w * predicted.h;
  return area > 0 ? intersectionArea(predicted, truth) / area : 0;
}

/**
 * Intersection over union. 0 when both boxes are empty.
 *
 * @example
 * ```ts
 * iou({ x: 0, y: 0, w: 10, h: 10 }, { x: 5, y: 0, w: 10, h: 10 }); // 50 / 150 = 1/3
 * ```
 */
export function iou(a: Box, b: Box): number {
  checkBox(a, 'iou');
  checkBox(b, 'iou');
  const inter = intersectionArea(a, b);
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}

/** Writes a threshold as a metrics.json key: `0.1`, `0.25`, `0.5`. */
export function thresholdKey(t: number): string {
  return String(t);
}

/**
 * Accuracy and AFP per finding at each threshold, for one overlap measure, following the paper's protocol (see the
 * module comment). Findings with no ground-truth box get no entry.
 *
 * @example
 * ```ts
 * const items = [{ id: 'a.png', truth: [{ finding: 'Mass', x: 0, y: 0, w: 100, h: 100 }],
 *                  predicted: [{ finding: 'Mass', x: 10, y: 10, w: 20, h: 20 }, { finding: 'Mass', x: 500, y: 500, w: 9, h: 9 }] }];
 * scoreLocalization(items, ['Mass'], [0.5], iobb)['0.5']?.['Mass']; // { acc: 1, afp: 1 }
 * ```
 */
export function scoreLocalization(
  items: readonly LocalizationItem[],
  findings: readonly string[],
  thresholds: readonly number[],
  overlap: (predicted: Box, truth: Box) => number,
): LocalizationTable {
  const table: LocalizationTable = {};
  for (const t of thresholds) table[thresholdKey(t)] = {};
  for (const finding of findings) {
    let images = 0;
    let truths = 0;
    const found = new Map<number, number>();
    const falsePositives = new Map<number, number>();
    for (const t of thresholds) {
      found.set(t, 0);
      falsePositives.set(t, 0);
    }
    for (const item of items) {
      const truth = item.truth.filter((b) => b.finding === finding);
      if (truth.length === 0) continue;
      images++;
      truths += truth.length;
      const predicted = item.predicted.filter((b) => b.finding === finding);
      // overlaps[p][g]: overlap of predicted box p with truth box g, computed once for all thresholds.
      const overlaps = predicted.map((p) => truth.map((g) => overlap(p, g)));
      for (const t of thresholds) {
        let f = 0;
        for (let g = 0; g < truth.length; g++) if (overlaps.some((row) => (row[g] as number) > t)) f++;
        let fp = 0;
        for (const row of overlaps) if (!row.some((v) => v > t)) fp++;
        found.set(t, (found.get(t) as number) + f);
        falsePositives.set(t, (falsePositives.get(t) as number) + fp);
      }
    }
    if (images === 0) continue;
    for (const t of thresholds) {
      (table[thresholdKey(t)] as Record<string, LocalizationScore>)[finding] = {
        acc: (found.get(t) as number) / truths,
        afp: (falsePositives.get(t) as number) / images,
      };
    }
  }
  return table;
}

/**
 * Both tables of the paper: IoBB at 0.1, 0.25, 0.5, 0.75, 0.9 and IoU at 0.1 to 0.7, with the image and box counts.
 *
 * @example
 * ```ts
 * const result = localize(items, ['Mass', 'Nodule']);
 * result.iobb['0.5']?.['Mass']?.acc;
 * ```
 */
export function localize(items: readonly LocalizationItem[], findings: readonly string[]): LocalizationResult {
  const images: Record<string, number> = {};
  const boxes: Record<string, number> = {};
  for (const finding of findings) {
    let i = 0;
    let b = 0;
    for (const item of items) {
      const n = item.truth.filter((t) => t.finding === finding).length;
      if (n > 0) i++;
      b += n;
    }
    if (i > 0) {
      images[finding] = i;
      boxes[finding] = b;
    }
  }
  return {
    iobb: scoreLocalization(items, findings, IOBB_THRESHOLDS, iobb),
    iou: scoreLocalization(items, findings, IOU_THRESHOLDS, iou),
    images,
    boxes,
  };
}
