/**
 * The evaluation report: `report.md` with the paper's tables (PAPER.md section 3) and the paper's numbers beside ours,
 * ROC curves as PNG, and heatmap overlays as PNG (image, class activation map, predicted boxes, ground-truth boxes).
 *
 * Pictures are drawn here into raw RGB buffers (a few line and rectangle primitives, a jet colour map) and encoded with
 * sharp; no plotting library. Markdown is built by pure functions, so it can be tested without files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';
import type { RocCurve } from './metrics/auc.js';
import type { Box, LocalizationTable } from './metrics/localization.js';
import { upsampleBilinear } from './heatmap.js';
import type { Map2D } from './heatmap.js';

/** The paper's test AUC, ResNet-50, ChestX-ray8 (8 classes). */
export const PAPER_AUC_CXR8: Readonly<Record<string, number>> = {
  Atelectasis: 0.7069,
  Cardiomegaly: 0.8141,
  Effusion: 0.7362,
  Infiltration: 0.6128,
  Mass: 0.5609,
  Nodule: 0.7164,
  Pneumonia: 0.6333,
  Pneumothorax: 0.7891,
};

/** The paper's test AUC, ResNet-50, ChestX-ray14 (official split). */
export const PAPER_AUC_CXR14: Readonly<Record<string, number>> = {
  Atelectasis: 0.7003,
  Cardiomegaly: 0.81,
  Effusion: 0.7585,
  Infiltration: 0.6614,
  Mass: 0.6933,
  Nodule: 0.6687,
  Pneumonia: 0.658,
  Pneumothorax: 0.7993,
  Consolidation: 0.7032,
  Edema: 0.8052,
  Emphysema: 0.833,
  Fibrosis: 0.7859,
  Pleural_Thickening: 0.6835,
  Hernia: 0.8717,
};

/** The paper's localization accuracy at T(IoBB) = 0.1 and 0.5 (the thresholds PAPER.md quotes). */
export const PAPER_IOBB_ACC: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  '0.1': { Atelectasis: 0.7277, Cardiomegaly: 0.9931, Effusion: 0.7124, Infiltration: 0.7886, Mass: 0.4352, Nodule: 0.1645, Pneumonia: 0.75, Pneumothorax: 0.4591 },
  '0.5': { Atelectasis: 0.2833, Cardiomegaly: 0.8767, Effusion: 0.3333, Infiltration: 0.4227, Mass: 0.1411, Nodule: 0.0126, Pneumonia: 0.3833, Pneumothorax: 0.1836 },
};

/** metrics.json, as issue 4 specifies it. `null` stands for an undefined AUC (a class with one label value). */
export interface Metrics {
  auc: Record<string, number | null>;
  meanAuc: number | null;
  localization: { iobb: LocalizationTable; iou: LocalizationTable };
}

/** What the report says besides the metrics. */
export interface ReportContext {
  split: string;
  images: number;
  run: string;
  data: string;
  /** Positive images per finding in the split. */
  positives: Record<string, number>;
  /** Images with a ground-truth box per finding. */
  boxedImages: Record<string, number>;
  /** ROC curve PNGs, relative to report.md, per finding. */
  rocImages: Record<string, string>;
  /** Overlay PNGs, relative to report.md. */
  overlays: { file: string; id: string; finding: string; probability: number }[];
  /** The receptive-field offset the heatmaps were corrected by, in transition cells. */
  cellOffset?: { x: number; y: number };
  /** The 0..255 scaling of the heatmaps (heatmap.ts). */
  scaling?: 'positive' | 'minmax';
  /** Seconds spent, images per second. */
  seconds?: number;
  backend?: string;
}

const fmt = (v: number | null | undefined, digits = 4): string => (v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(digits));

/**
 * The AUC table: one row per finding, ours beside the paper's ResNet-50 on ChestX-ray8 and ChestX-ray14.
 *
 * @example
 * ```ts
 * aucTable({ Mass: 0.9 }, { Mass: 12 });
 * // | Finding | positives | AUC (ours) | paper CXR8 | paper CXR14 |
 * // ...| Mass | 12 | 0.9000 | 0.5609 | 0.6933 |
 * ```
 */
export function aucTable(auc: Record<string, number | null>, positives: Record<string, number> = {}, meanAuc?: number | null): string {
  const rows = ['| Finding | positives | AUC (ours) | paper, ResNet-50, ChestX-ray8 | paper, ResNet-50, ChestX-ray14 |', '|---|---:|---:|---:|---:|'];
  for (const [finding, v] of Object.entries(auc)) {
    rows.push(`| ${finding} | ${positives[finding] ?? 0} | ${fmt(v)} | ${fmt(PAPER_AUC_CXR8[finding])} | ${fmt(PAPER_AUC_CXR14[finding])} |`);
  }
  if (meanAuc !== undefined) {
    const mean = (table: Readonly<Record<string, number>>): number | null => {
      const vs = Object.keys(auc).filter((f) => auc[f] !== null && table[f] !== undefined).map((f) => table[f] as number);
      return vs.length > 0 ? vs.reduce((a, b) => a + b, 0) / vs.length : null;
    };
    rows.push(`| **mean** (findings with an AUC) | | **${fmt(meanAuc)}** | ${fmt(mean(PAPER_AUC_CXR8))} | ${fmt(mean(PAPER_AUC_CXR14))} |`);
  }
  return rows.join('\n');
}

/**
 * A localization table in the paper's layout (its Table 3): one block of rows per threshold, "Acc." and "AFP", one
 * column per finding that has ground-truth boxes; with `paper`, the paper's accuracy in brackets where it is known.
 *
 * @example
 * ```ts
 * localizationTable(metrics.localization.iobb, 'T(IoBB)', PAPER_IOBB_ACC);
 * ```
 */
export function localizationTable(
  table: LocalizationTable,
  label: string,
  paper: Readonly<Record<string, Readonly<Record<string, number>>>> = {},
): string {
  const findings = [...new Set(Object.values(table).flatMap((row) => Object.keys(row)))];
  if (findings.length === 0) return '_No ground-truth boxes in this split: nothing to localize._';
  const rows = [`| ${label} | | ${findings.join(' | ')} |`, `|---|---|${findings.map(() => '---:').join('|')}|`];
  for (const [t, row] of Object.entries(table)) {
    const acc = findings.map((f) => {
      const ours = fmt(row[f]?.acc);
      const theirs = paper[t]?.[f];
      return theirs === undefined ? ours : `${ours} (${theirs.toFixed(4)})`;
    });
    rows.push(`| ${t} | Acc. | ${acc.join(' | ')} |`);
    rows.push(`| | AFP | ${findings.map((f) => fmt(row[f]?.afp, 3)).join(' | ')} |`);
  }
  return rows.join('\n');
}

/**
 * The whole report.md.
 *
 * @example
 * ```ts
 * await writeFile('eval/report.md', renderReport(metrics, context));
 * ```
 */
export function renderReport(metrics: Metrics, context: ReportContext): string {
  const out: string[] = [];
  out.push(`# Evaluation: ${context.split} split`);
  out.push('');
  out.push(`- run: \`${context.run}\`, dataset: \`${context.data}\`, ${context.images} images`);
  if (context.seconds !== undefined) {
    out.push(`- ${context.seconds.toFixed(1)} s (${(context.images / Math.max(context.seconds, 1e-9)).toFixed(1)} images/s, forward + heatmaps + boxes)${context.backend ? ` on backend \`${context.backend}\`` : ''}`);
  }
  if (context.cellOffset !== undefined) {
    out.push(`- heatmaps aligned to the measured receptive-field centres: offset (${context.cellOffset.x.toFixed(3)}, ${context.cellOffset.y.toFixed(3)}) transition cells`);
  }
  out.push('- paper numbers: Wang et al., CVPR 2017 (ResNet-50), as restated in docs/PAPER.md');
  out.push('');
  out.push('## ROC AUC per finding');
  out.push('');
  out.push('AUC equals scikit-learn\'s `roc_auc_score` (ties count one half). "—": the split has only one label value for that finding.');
  out.push('');
  out.push(aucTable(metrics.auc, context.positives, metrics.meanAuc));
  out.push('');
  out.push('## Localization (heatmap boxes)');
  out.push('');
  out.push('Per finding, over the images with a ground-truth box of it' +
    (Object.keys(context.boxedImages).length > 0 ? ` (${Object.entries(context.boxedImages).map(([f, n]) => `${f} ${n}`).join(', ')})` : '') +
    '. A ground-truth box is found when a predicted box of its finding scores more than T; a predicted box that finds none is a false positive; AFP = false positives per image. Boxes: class activation map scaled to 0..255 (' +
    (context.scaling === 'minmax' ? 'min-max' : 'positive evidence: max(M, 0) * 255 / max M') +
    '), thresholds 60 and 180, one box per 8-connected region.');
  out.push('');
  out.push('### T(IoBB) (the paper\'s accuracy in brackets)');
  out.push('');
  out.push(localizationTable(metrics.localization.iobb, 'T(IoBB)', PAPER_IOBB_ACC));
  out.push('');
  out.push('### T(IoU)');
  out.push('');
  out.push(localizationTable(metrics.localization.iou, 'T(IoU)'));
  out.push('');
  const rocs = Object.entries(context.rocImages);
  if (rocs.length > 0) {
    out.push('## ROC curves');
    out.push('');
    out.push('False-positive rate on x, true-positive rate on y, grid every 0.1, the diagonal is chance.');
    out.push('');
    for (const [finding, file] of rocs) out.push(`![ROC ${finding} (AUC ${fmt(metrics.auc[finding] ?? null)})](${file})`);
    out.push('');
  }
  if (context.overlays.length > 0) {
    out.push('## Heatmaps');
    out.push('');
    out.push('Class activation map of the finding (jet colours, red = high), predicted boxes in yellow (threshold 180) and orange (threshold 60), ground-truth boxes in green.');
    out.push('');
    out.push('| image | finding | probability | overlay |');
    out.push('|---|---|---:|---|');
    for (const o of context.overlays) out.push(`| ${o.id} | ${o.finding} | ${o.probability.toFixed(3)} | ![${o.id} ${o.finding}](${o.file}) |`);
    out.push('');
  }
  return out.join('\n');
}

/** An RGB colour. */
export type Rgb = readonly [number, number, number];

/** A raw RGB picture, row-major, 3 bytes a pixel. */
export interface Canvas {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A blank canvas filled with `colour`. */
export function createCanvas(width: number, height: number, colour: Rgb = [255, 255, 255]): Canvas {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) data.set(colour, p * 3);
  return { width, height, data };
}

function plot(c: Canvas, x: number, y: number, colour: Rgb): void {
  if (x < 0 || y < 0 || x >= c.width || y >= c.height) return;
  c.data.set(colour, (Math.floor(y) * c.width + Math.floor(x)) * 3);
}

/**
 * Draws a line (Bresenham) of `thickness` pixels.
 *
 * @example
 * ```ts
 * drawLine(canvas, 0, 0, 99, 99, [255, 0, 0], 2);
 * ```
 */
export function drawLine(c: Canvas, x0: number, y0: number, x1: number, y1: number, colour: Rgb, thickness = 1): void {
  let x = Math.round(x0);
  let y = Math.round(y0);
  const xe = Math.round(x1);
  const ye = Math.round(y1);
  const dx = Math.abs(xe - x);
  const dy = -Math.abs(ye - y);
  const sx = x < xe ? 1 : -1;
  const sy = y < ye ? 1 : -1;
  let err = dx + dy;
  const r0 = -Math.floor((thickness - 1) / 2);
  const r1 = Math.ceil((thickness - 1) / 2);
  for (;;) {
    for (let oy = r0; oy <= r1; oy++) for (let ox = r0; ox <= r1; ox++) plot(c, x + ox, y + oy, colour);
    if (x === xe && y === ye) break;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y += sy;
    }
  }
}

/** Draws the outline of a box (canvas pixels). */
export function drawRect(c: Canvas, box: Box, colour: Rgb, thickness = 2): void {
  const x1 = box.x + box.w - 1;
  const y1 = box.y + box.h - 1;
  drawLine(c, box.x, box.y, x1, box.y, colour, thickness);
  drawLine(c, x1, box.y, x1, y1, colour, thickness);
  drawLine(c, x1, y1, box.x, y1, colour, thickness);
  drawLine(c, box.x, y1, box.x, box.y, colour, thickness);
}

/**
 * The jet colour map (blue -> cyan -> yellow -> red) of a value in 0..1, as used for heatmaps in the paper's figures.
 *
 * @example
 * ```ts
 * jet(0); // [0, 0, 128]
 * jet(1); // [128, 0, 0]
 * ```
 */
export function jet(v: number): Rgb {
  const t = Math.min(Math.max(v, 0), 1) * 4;
  const ch = (offset: number): number => Math.round(255 * Math.min(Math.max(Math.min(t - offset + 1.5, -t + offset + 1.5), 0), 1));
  return [ch(3), ch(2), ch(1)];
}

/** Distinct colours for ROC curves. */
export const CURVE_COLOURS: readonly Rgb[] = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75], [227, 119, 194],
  [127, 127, 127], [188, 189, 34], [23, 190, 207], [0, 0, 0], [255, 215, 0], [0, 128, 128], [128, 0, 0],
];

/**
 * Draws ROC curves on a square plot: white background, a grid every 0.1, the chance diagonal, one polyline per curve.
 *
 * @example
 * ```ts
 * const canvas = drawRoc([{ curve: rocCurve(scores, labels), colour: [214, 39, 40] }], 320);
 * await writeCanvasPng(canvas, 'eval/roc/Mass.png');
 * ```
 */
export function drawRoc(curves: { curve: RocCurve; colour: Rgb }[], size = 320): Canvas {
  const c = createCanvas(size, size);
  const margin = Math.round(size * 0.06);
  const span = size - 2 * margin;
  const px = (fpr: number): number => margin + fpr * span;
  const py = (tpr: number): number => size - margin - tpr * span;
  for (let k = 0; k <= 10; k++) {
    const g: Rgb = k === 0 || k === 10 ? [0, 0, 0] : [225, 225, 225];
    drawLine(c, px(k / 10), py(0), px(k / 10), py(1), g);
    drawLine(c, px(0), py(k / 10), px(1), py(k / 10), g);
    // ticks outside the axes
    drawLine(c, px(k / 10), py(0), px(k / 10), py(0) + 4, [0, 0, 0]);
    drawLine(c, px(0) - 4, py(k / 10), px(0), py(k / 10), [0, 0, 0]);
  }
  drawLine(c, px(0), py(0), px(1), py(1), [160, 160, 160]);
  for (const { curve, colour } of curves) {
    for (let i = 1; i < curve.fpr.length; i++) {
      const [a, b, d, e] = [curve.fpr[i - 1], curve.tpr[i - 1], curve.fpr[i], curve.tpr[i]] as number[];
      if ([a, b, d, e].some((v) => v === undefined || Number.isNaN(v))) continue;
      drawLine(c, px(a as number), py(b as number), px(d as number), py(e as number), colour, 2);
    }
  }
  return c;
}

/** The inputs of one overlay. */
export interface OverlayInput {
  /** The image as the model saw it: `size x size` values in 0..1. */
  image: Map2D;
  /** The 0..255 heatmap of the finding, any size (it is resampled to the canvas). */
  heat: Map2D;
  /** Predicted boxes in the 1024 frame, with the threshold that produced them. */
  predicted: (Box & { threshold: number })[];
  /** Ground-truth boxes in the 1024 frame. */
  truth: Box[];
}

/**
 * Draws an overlay: the grayscale image, the heatmap in jet colours blended by its own strength (cold areas stay
 * gray), predicted boxes (yellow for the strict threshold, orange for the loose one), ground-truth boxes in green.
 *
 * @example
 * ```ts
 * const canvas = drawOverlay({ image, heat, predicted, truth }, 512);
 * await writeCanvasPng(canvas, 'eval/overlays/00000001_000-Mass.png');
 * ```
 */
export function drawOverlay(input: OverlayInput, size = 512): Canvas {
  const image = upsampleBilinear(input.image, size, size);
  const heat = input.heat.width === size && input.heat.height === size ? input.heat : upsampleBilinear(input.heat, size, size);
  const c = createCanvas(size, size, [0, 0, 0]);
  for (let p = 0; p < size * size; p++) {
    const g = Math.min(Math.max((image.data[p] as number) * 255, 0), 255);
    const h = Math.min(Math.max((heat.data[p] as number) / 255, 0), 1);
    const [r, gg, b] = jet(h);
    const alpha = 0.55 * h;
    c.data[p * 3] = Math.round(g * (1 - alpha) + r * alpha);
    c.data[p * 3 + 1] = Math.round(g * (1 - alpha) + gg * alpha);
    c.data[p * 3 + 2] = Math.round(g * (1 - alpha) + b * alpha);
  }
  const k = size / 1024;
  const scale = (b: Box): Box => ({ x: b.x * k, y: b.y * k, w: b.w * k, h: b.h * k });
  const maxThreshold = Math.max(...input.predicted.map((b) => b.threshold));
  for (const b of input.predicted) drawRect(c, scale(b), b.threshold === maxThreshold ? [255, 230, 0] : [255, 140, 0], 2);
  for (const b of input.truth) drawRect(c, scale(b), [0, 220, 0], 3);
  return c;
}

/**
 * Writes a canvas as an 8-bit RGB PNG (creating the folder).
 *
 * @example
 * ```ts
 * await writeCanvasPng(createCanvas(10, 10), '/tmp/white.png');
 * ```
 */
export async function writeCanvasPng(c: Canvas, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await sharp(c.data, { raw: { width: c.width, height: c.height, channels: 3 } }).png().toFile(path);
}

/** Writes report.md. */
export async function writeReport(path: string, metrics: Metrics, context: ReportContext): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderReport(metrics, context));
}
