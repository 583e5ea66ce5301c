/**
 * The evaluation report: `report.md` with the paper's tables (Wang et al., CVPR 2017, Tables 2-3 and the ChestX-ray14
 * appendix) and the paper's numbers beside ours, ROC curves as PNG, and heatmap overlays as PNG (image, class
 * activation map, predicted boxes, ground-truth boxes).
 *
 * Pictures are drawn here into raw RGB buffers (a few line and rectangle primitives, a jet colour map) and encoded with
 * sharp; no plotting library. Their text (titles, tick labels, legends) is kept beside the pixels as `Canvas.labels`
 * and drawn by `writeCanvasPng` as an SVG layer that sharp composites (librsvg renders it with the system's fonts:
 * DejaVu Sans or any sans-serif fontconfig finds; `canRenderText()` says whether one was found). Each picture stands
 * alone: a ROC curve has its finding as title, labelled axes with ticks, the chance diagonal and a legend with our AUC
 * and the paper's; an overlay has a legend band (finding, predicted probability, the box colours, the heatmap scale).
 * Markdown is built by pure functions, so it can be tested without files.
 */
import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';
import type { RocCurve } from './metrics/auc.js';
import type { Box, LocalizationTable } from './metrics/localization.js';
import { upsampleBilinear } from './heatmap.js';
import type { Map2D } from './heatmap.js';
import { makeDirectory } from '@cxr8/labeler';

/** The paper the reference numbers come from. */
export const PAPER_CITATION =
  'X. Wang, Y. Peng, L. Lu, Z. Lu, M. Bagheri, R. M. Summers, "ChestX-ray8: Hospital-scale Chest X-ray Database and ' +
  'Benchmarks on Weakly-Supervised Classification and Localization of Common Thorax Diseases", CVPR 2017 ' +
  '(arXiv:1705.02315)';

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

/** The paper's localization accuracy at T(IoBB) = 0.1 and 0.5 (Wang et al., CVPR 2017, Table 3). */
export const PAPER_IOBB_ACC: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  '0.1': { Atelectasis: 0.7277, Cardiomegaly: 0.9931, Effusion: 0.7124, Infiltration: 0.7886, Mass: 0.4352, Nodule: 0.1645, Pneumonia: 0.75, Pneumothorax: 0.4591 },
  '0.5': { Atelectasis: 0.2833, Cardiomegaly: 0.8767, Effusion: 0.3333, Infiltration: 0.4227, Mass: 0.1411, Nodule: 0.0126, Pneumonia: 0.3833, Pneumothorax: 0.1836 },
};

/** metrics.json, as issue 4 specifies it. `null` stands for an undefined AUC (a class with one label value). */
export interface Metrics {
  auc: Record<string, number | null>;
  meanAuc: number | null;
  localization: { iobb: LocalizationTable; iou: LocalizationTable };
  /** The box protocol of `localization` (heatmap.ts `BOX_PROTOCOLS`); absent in files written before it existed. */
  boxProtocol?: string;
  /** The localization scored with each protocol evaluated (the chosen one and the paper's). */
  localizationByProtocol?: Record<string, { iobb: LocalizationTable; iou: LocalizationTable }>;
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
 * The AUC table: one row per finding, ours beside the paper's ResNet-50 on ChestX-ray8 and ChestX-ray14 (a dash
 * for a finding the paper does not have: a label set's own, or CheXpert's). With findings the paper lacks, a second
 * mean row gives ours over the paper's findings only.
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
    // A label set with findings the paper lacks (docs/label-sets.md): our mean over the paper's findings only too,
    // so that the row beside the paper's mean compares like with like. The paper's tables are keyed by NIH names.
    const shared = Object.keys(auc).filter((f) => auc[f] !== null && PAPER_AUC_CXR14[f] !== undefined);
    const withAuc = Object.keys(auc).filter((f) => auc[f] !== null);
    if (shared.length > 0 && shared.length < withAuc.length) {
      const ours = shared.reduce((a, f) => a + (auc[f] as number), 0) / shared.length;
      rows.push(`| mean over the ${shared.length} findings the paper has | | ${fmt(ours)} | ${fmt(mean(PAPER_AUC_CXR8))} | ${fmt(mean(PAPER_AUC_CXR14))} |`);
    }
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
 * How a box protocol (heatmap.ts `BOX_PROTOCOLS`) draws boxes, in words for report.md.
 *
 * @example
 * ```ts
 * describeBoxProtocol('paper'); // 'thresholds 60 and 180, one box per 8-connected region at each (the paper's protocol)'
 * ```
 */
export function describeBoxProtocol(name: string): string {
  if (name === 'paper') return "thresholds 60 and 180, one box per 8-connected region at each (the paper's protocol)";
  if (name === 'peak') return 'one box per image and finding: the region above 180 that holds the map\'s peak (`--boxes peak`)';
  if (name === 'strong') return 'threshold 180, one box per 8-connected region whose own peak reaches 230, 90% of the map\'s maximum (`--boxes strong`, the default)';
  return `the \`${name}\` protocol`;
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
  out.push(`- paper numbers: ${PAPER_CITATION} (ResNet-50; Table 2 for ChestX-ray8, the ChestX-ray14 appendix, Table 3 for localization)`);
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
    `), then ${describeBoxProtocol(metrics.boxProtocol ?? 'paper')}.`);
  out.push('');
  out.push(`### T(IoBB), ${metrics.boxProtocol ?? 'paper'} protocol (the paper's accuracy in brackets)`);
  out.push('');
  out.push(localizationTable(metrics.localization.iobb, 'T(IoBB)', PAPER_IOBB_ACC));
  out.push('');
  out.push(`### T(IoU), ${metrics.boxProtocol ?? 'paper'} protocol`);
  out.push('');
  out.push(localizationTable(metrics.localization.iou, 'T(IoU)'));
  out.push('');
  const paper = metrics.localizationByProtocol?.['paper'];
  if ((metrics.boxProtocol ?? 'paper') !== 'paper' && paper !== undefined) {
    out.push('### The paper\'s protocol (`--boxes paper`)');
    out.push('');
    out.push(`The same heatmaps, ${describeBoxProtocol('paper')}.`);
    out.push('');
    out.push(localizationTable(paper.iobb, 'T(IoBB)', PAPER_IOBB_ACC));
    out.push('');
    out.push(localizationTable(paper.iou, 'T(IoU)'));
    out.push('');
  }
  const rocs = Object.entries(context.rocImages);
  if (rocs.length > 0) {
    out.push('## ROC curves');
    out.push('');
    out.push('False-positive rate on x, true-positive rate on y, grid every 0.1, the dashed diagonal is chance; the legend gives our AUC and the paper\'s.');
    out.push('');
    for (const [finding, file] of rocs) out.push(`![ROC ${finding} (AUC ${fmt(metrics.auc[finding] ?? null)})](${file})`);
    out.push('');
  }
  if (context.overlays.length > 0) {
    out.push('## Heatmaps');
    out.push('');
    out.push('Class activation map of the finding (jet colours, red = high), predicted boxes in yellow (threshold 180) and orange (threshold 60), ground-truth boxes in green; each picture carries this legend with the finding and the predicted probability.');
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

/** A line of text to draw on a canvas (`writeCanvasPng` renders it). `y` is the baseline. */
export interface TextLabel {
  x: number;
  y: number;
  text: string;
  /** Font size in pixels. */
  size: number;
  colour?: Rgb;
  anchor?: 'start' | 'middle' | 'end';
  bold?: boolean;
  /** Rotated by -90 degrees about (x, y) (a y-axis label). */
  vertical?: boolean;
}

/** A raw RGB picture, row-major, 3 bytes a pixel, with the text to draw over it. */
export interface Canvas {
  width: number;
  height: number;
  data: Uint8Array;
  labels?: TextLabel[];
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

/**
 * Fills a rectangle (canvas pixels, clipped).
 *
 * @example
 * ```ts
 * fillRect(canvas, { x: 10, y: 10, w: 20, h: 8 }, [255, 255, 255]);
 * ```
 */
export function fillRect(c: Canvas, box: Box, colour: Rgb): void {
  const x0 = Math.max(0, Math.round(box.x));
  const y0 = Math.max(0, Math.round(box.y));
  const x1 = Math.min(c.width, Math.round(box.x + box.w));
  const y1 = Math.min(c.height, Math.round(box.y + box.h));
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) c.data.set(colour, (y * c.width + x) * 3);
}

/** Draws a dashed line: `dash` pixels on, `dash` off. */
function drawDashedLine(c: Canvas, x0: number, y0: number, x1: number, y1: number, colour: Rgb, dash = 6, thickness = 1): void {
  const length = Math.hypot(x1 - x0, y1 - y0);
  for (let t = 0; t < length; t += 2 * dash) {
    const a = t / length;
    const b = Math.min(1, (t + dash) / length);
    drawLine(c, x0 + (x1 - x0) * a, y0 + (y1 - y0) * a, x0 + (x1 - x0) * b, y0 + (y1 - y0) * b, colour, thickness);
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

/** A curve of {@link drawRoc}: the points, its colour and its legend entry. */
export interface RocSeries {
  curve: RocCurve;
  colour: Rgb;
  /** Legend text, e.g. `ours: AUC 0.9123`. */
  label?: string;
}

/** What {@link drawRoc} writes besides the curves. */
export interface RocDecoration {
  /** Title above the plot (the finding). */
  title?: string;
  /** A second, smaller title line (split, counts). */
  subtitle?: string;
  /** Legend lines without a curve (e.g. the paper's AUC), in grey. */
  notes?: string[];
}

/**
 * Draws ROC curves on a plot that stands alone: title, x axis "False-positive rate" and y axis "True-positive rate"
 * with ticks and tick labels every 0.2, a grid every 0.1, the dashed chance diagonal, one polyline per curve and a
 * legend (each curve's label, the notes, "chance").
 *
 * @example
 * ```ts
 * const canvas = drawRoc([{ curve: rocCurve(scores, labels), colour: [214, 39, 40], label: 'ours: AUC 0.9123' }], 480,
 *   { title: 'Mass', notes: ['paper (ResNet-50, ChestX-ray8): AUC 0.5609'] });
 * await writeCanvasPng(canvas, 'eval/roc/Mass.png');
 * ```
 */
export function drawRoc(curves: RocSeries[], size = 480, decoration: RocDecoration = {}): Canvas {
  const c = createCanvas(size, size);
  const labels: TextLabel[] = [];
  const font = Math.max(9, Math.round(size / 40));
  const left = Math.round(font * 5);
  const right = Math.round(font * 1.5);
  const top = Math.round(font * (decoration.subtitle === undefined ? 3.2 : 4.6));
  const bottom = Math.round(font * 4.2);
  const spanX = size - left - right;
  const spanY = size - top - bottom;
  const px = (fpr: number): number => left + fpr * spanX;
  const py = (tpr: number): number => top + (1 - tpr) * spanY;
  const black: Rgb = [0, 0, 0];
  for (let k = 1; k < 10; k++) {
    drawLine(c, px(k / 10), py(0), px(k / 10), py(1), [228, 228, 228]);
    drawLine(c, px(0), py(k / 10), px(1), py(k / 10), [228, 228, 228]);
  }
  drawDashedLine(c, px(0), py(0), px(1), py(1), [150, 150, 150], 5);
  for (const { curve, colour } of curves) {
    for (let i = 1; i < curve.fpr.length; i++) {
      const [a, b, d, e] = [curve.fpr[i - 1], curve.tpr[i - 1], curve.fpr[i], curve.tpr[i]] as number[];
      if ([a, b, d, e].some((v) => v === undefined || Number.isNaN(v))) continue;
      drawLine(c, px(a as number), py(b as number), px(d as number), py(e as number), colour, 2);
    }
  }
  // axes box, ticks and tick labels
  drawRect(c, { x: px(0), y: py(1), w: spanX + 1, h: spanY + 1 }, black, 1);
  for (let k = 0; k <= 10; k += 2) {
    const v = k / 10;
    drawLine(c, px(v), py(0), px(v), py(0) + 5, black);
    drawLine(c, px(0) - 5, py(v), px(0), py(v), black);
    labels.push({ x: px(v), y: py(0) + 6 + font, text: v.toFixed(1), size: font, anchor: 'middle' });
    labels.push({ x: px(0) - 8, y: py(v) + font * 0.35, text: v.toFixed(1), size: font, anchor: 'end' });
  }
  labels.push({ x: px(0.5), y: size - Math.round(font * 0.9), text: 'False-positive rate (1 - specificity)', size: font + 1, anchor: 'middle' });
  labels.push({ x: Math.round(font * 1.4), y: py(0.5), text: 'True-positive rate (sensitivity)', size: font + 1, anchor: 'middle', vertical: true });
  if (decoration.title !== undefined) {
    labels.push({ x: size / 2, y: Math.round(font * 1.9), text: decoration.title, size: Math.round(font * 1.5), anchor: 'middle', bold: true });
  }
  if (decoration.subtitle !== undefined) {
    labels.push({ x: size / 2, y: Math.round(font * 3.4), text: decoration.subtitle, size: font, anchor: 'middle', colour: [80, 80, 80] });
  }
  // legend, lower right inside the plot (ROC curves run along the top left)
  const entries: { text: string; colour: Rgb; kind: 'line' | 'dash' | 'none' }[] = [
    ...curves.filter((k) => k.label !== undefined).map((k) => ({ text: k.label as string, colour: k.colour, kind: 'line' as const })),
    ...(decoration.notes ?? []).map((text) => ({ text, colour: [90, 90, 90] as Rgb, kind: 'none' as const })),
    { text: 'chance (AUC 0.5)', colour: [150, 150, 150], kind: 'dash' },
  ];
  const line = Math.round(font * 1.5);
  const longest = Math.max(...entries.map((e) => e.text.length));
  const boxW = Math.min(spanX - 8, Math.round(font * (3.2 + longest * 0.58)));
  const boxH = entries.length * line + Math.round(font * 0.8);
  const bx = px(1) - boxW - 6;
  const by = py(0) - boxH - 6;
  fillRect(c, { x: bx, y: by, w: boxW, h: boxH }, [255, 255, 255]);
  drawRect(c, { x: bx, y: by, w: boxW, h: boxH }, [120, 120, 120], 1);
  entries.forEach((e, i) => {
    const y = by + Math.round(font * 0.4) + i * line + Math.round(line * 0.5);
    const x0 = bx + Math.round(font * 0.6);
    const x1 = x0 + Math.round(font * 1.8);
    if (e.kind === 'line') drawLine(c, x0, y, x1, y, e.colour, 2);
    if (e.kind === 'dash') drawDashedLine(c, x0, y, x1, y, e.colour, 4);
    labels.push({ x: x1 + Math.round(font * 0.6), y: y + Math.round(font * 0.35), text: e.text, size: font, colour: e.kind === 'none' ? e.colour : [0, 0, 0] });
  });
  c.labels = labels;
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
  /** The finding (legend). */
  finding?: string;
  /** The model's probability of the finding on this image (legend). */
  probability?: number;
  /** The image's name (legend). */
  id?: string;
}

/** Colours of the overlay's boxes. */
export const OVERLAY_COLOURS = { truth: [0, 220, 0] as Rgb, strict: [255, 230, 0] as Rgb, loose: [255, 140, 0] as Rgb };

/**
 * Draws an overlay: the grayscale image, the heatmap in jet colours blended by its own strength (cold areas stay
 * gray), predicted boxes (yellow for the strict threshold, orange for the loose one), ground-truth boxes in green,
 * and below the image a legend band: the finding and the predicted probability, the three box colours with their
 * meaning, and the heatmap's colour scale.
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
  const font = Math.max(9, Math.round(size / 40));
  const band = Math.round(font * 6.2);
  const c = createCanvas(size, size + band, [255, 255, 255]);
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
  const thresholds = [...new Set(input.predicted.map((b) => b.threshold))].sort((a, b) => a - b);
  const strict = thresholds.length > 0 ? (thresholds[thresholds.length - 1] as number) : 180;
  const loose = thresholds.length > 1 ? (thresholds[0] as number) : 60;
  const inImage = (b: Box): Box => {
    const x = Math.max(0, Math.min(b.x, size - 1));
    const y = Math.max(0, Math.min(b.y, size - 1));
    return { x, y, w: Math.min(b.w - (x - b.x), size - x), h: Math.min(b.h - (y - b.y), size - y) };
  };
  for (const b of input.predicted) drawRect(c, inImage(scale(b)), b.threshold === strict ? OVERLAY_COLOURS.strict : OVERLAY_COLOURS.loose, 2);
  for (const b of input.truth) drawRect(c, inImage(scale(b)), OVERLAY_COLOURS.truth, 3);

  // legend band
  const labels: TextLabel[] = [];
  const pad = Math.round(font * 0.7);
  const row1 = size + Math.round(font * 1.6);
  const title = [input.finding ?? 'heatmap', input.probability === undefined ? undefined : `predicted probability ${input.probability.toFixed(3)}`]
    .filter((v) => v !== undefined)
    .join(', ');
  labels.push({ x: pad, y: row1, text: title, size: Math.round(font * 1.15), bold: true });
  if (input.id !== undefined) labels.push({ x: size - pad, y: row1, text: input.id, size: font, anchor: 'end', colour: [90, 90, 90] });
  const row2 = size + Math.round(font * 3.5);
  const swatch = Math.round(font * 1.6);
  const items: [Rgb, string, number][] = [
    [OVERLAY_COLOURS.truth, 'ground truth', 3],
    [OVERLAY_COLOURS.strict, `heatmap > ${strict}`, 2],
    [OVERLAY_COLOURS.loose, `heatmap > ${loose}`, 2],
  ];
  let x = pad;
  for (const [colour, text, thickness] of items) {
    fillRect(c, { x, y: row2 - swatch + 3, w: swatch, h: swatch - 2 }, [70, 70, 70]);
    drawRect(c, { x, y: row2 - swatch + 3, w: swatch, h: swatch - 2 }, colour, thickness);
    labels.push({ x: x + swatch + Math.round(font * 0.4), y: row2, text, size: font });
    x += swatch + Math.round(font * (1.2 + text.length * 0.58));
  }
  const row3 = size + Math.round(font * 5.4);
  labels.push({ x: pad, y: row3, text: 'heatmap 0', size: font });
  const barX = pad + Math.round(font * 5.6);
  const barW = Math.max(10, Math.round(size * 0.3));
  for (let i = 0; i < barW; i++) fillRect(c, { x: barX + i, y: row3 - font + 1, w: 1, h: font }, jet(i / (barW - 1)));
  labels.push({ x: barX + barW + Math.round(font * 0.5), y: row3, text: '255 (class activation map, 0..255)', size: font });
  c.labels = labels;
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
  await makeDirectory(dirname(path));
  let image = sharp(c.data, { raw: { width: c.width, height: c.height, channels: 3 } });
  if (c.labels !== undefined && c.labels.length > 0) {
    const layer = await sharp(Buffer.from(labelsSvg(c.width, c.height, c.labels))).png().toBuffer();
    image = sharp(await image.composite([{ input: layer, top: 0, left: 0 }]).removeAlpha().raw().toBuffer(), {
      raw: { width: c.width, height: c.height, channels: 3 },
    });
  }
  await image.png().toFile(path);
}

/** The font families asked for, in order; fontconfig picks the first installed (any sans-serif at last). */
export const LABEL_FONTS = "'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif";

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The text of a canvas as an SVG document of its size (transparent background), for sharp to composite.
 *
 * @example
 * ```ts
 * labelsSvg(100, 40, [{ x: 50, y: 20, text: 'Mass', size: 12, anchor: 'middle' }]);
 * // '<svg xmlns=... width="100" height="40"><text x="50" y="20" ... text-anchor="middle">Mass</text></svg>'
 * ```
 */
export function labelsSvg(width: number, height: number, labels: readonly TextLabel[]): string {
  const texts = labels.map((l) => {
    const [r, g, b] = l.colour ?? [0, 0, 0];
    const transform = l.vertical === true ? ` transform="rotate(-90 ${l.x} ${l.y})"` : '';
    return (
      `<text x="${l.x}" y="${l.y}" font-size="${l.size}" fill="rgb(${r},${g},${b})" text-anchor="${l.anchor ?? 'start'}"` +
      `${l.bold === true ? ' font-weight="bold"' : ''}${transform}>${escapeXml(l.text)}</text>`
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="${LABEL_FONTS}">${texts.join('')}</svg>`;
}

let textCheck: Promise<boolean> | undefined;

/**
 * Whether text can be drawn here: renders a probe word through the same path as `writeCanvasPng` and checks that it
 * left ink (librsvg draws nothing where fontconfig finds no font at all). Computed once.
 *
 * @example
 * ```ts
 * if (!(await canRenderText())) console.warn('no fonts: install fonts-dejavu-core for labelled pictures');
 * ```
 */
export function canRenderText(): Promise<boolean> {
  textCheck ??= (async () => {
    try {
      const svg = labelsSvg(80, 30, [{ x: 4, y: 22, text: 'AUC 0.9', size: 18 }]);
      const { data } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      let ink = 0;
      for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 128) ink++;
      return ink > 20;
    } catch {
      return false;
    }
  })();
  return textCheck;
}

/** Writes report.md. */
export async function writeReport(path: string, metrics: Metrics, context: ReportContext): Promise<void> {
  await makeDirectory(dirname(path));
  await writeFile(path, renderReport(metrics, context));
}
