/**
 * Evaluation (issue 4): runs a trained model over one split of a dataset's shards, batch by batch, and writes
 *
 * - `metrics.json`: `{ auc: { <Finding>: number | null }, meanAuc, localization: { iobb: { <T>: { <Finding>: { acc, afp } } },
 *   iou: { ... } } }` — AUC as scikit-learn's roc_auc_score (null where the split has one label value only), meanAuc
 *   over the findings that have one; localization in the paper's protocol (see metrics/localization.ts);
 * - `predictions.csv`: `Image Index,<one probability column per finding, named as NIH spells it>`;
 * - `boxes.csv`: `Image Index,Finding Label,x,y,w,h,score`, every heatmap box of every finding, 1024 frame;
 * - `report.md`, `roc/<Finding>.png`, `overlays/<image>-<Finding>.png` (see report.ts).
 *
 * Memory is bounded by the batch: records stream from the shards through `batches` (data.ts: the same resizing as
 * training, no augmentation, shard order), each batch's tensors are freed before the next,
 * and only per-image probabilities (N x C numbers) and the ground-truth images' boxes are kept for the metrics.
 *
 * Nothing is written into `out` until the evaluation is complete: the files go to a staging folder beside it
 * (`.<name>.partial`) and are moved into place at the end, replacing an earlier evaluation's (stale ROC curves and
 * overlays included); a failed or interrupted evaluation leaves `out` as it was. An `out` that holds something other
 * than an evaluation is refused (`RefusedError`) unless `force`; a model whose image size is above the shards' (an
 * upsample) unless `allowUpsample`.
 *
 * Labels: a shard label of 1 is positive; 0 and "not mentioned" (-128) are negative, as in the NIH release where a
 * finding that is not listed is absent; uncertain (-1) images are left out of that finding's AUC.
 */
import * as tf from '@tensorflow/tfjs';
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readShardManifest } from '@cxr8/dataset-builder';
import type { Split } from '@cxr8/dataset-builder';
import { batches, disposeBatch } from './data.js';
import type { Batch } from './data.js';
import { EvaluationError, InterruptedError, RefusedError } from './errors.js';
import { claimOutputFolder, replaceEntries, stagingFolderFor } from './safe-output.js';
import type { OutputKind } from './safe-output.js';
import { BOX_PROTOCOLS, classActivationMaps, createHeatmapBoxer, DEFAULT_BOX_PROTOCOL, DEFAULT_SCALING } from './heatmap.js';
import type { BoxProtocolName, HeatmapScaling } from './heatmap.js';
import type { CellOffset, HeatmapBox, PredictionLayer } from './heatmap.js';
import { rocAuc, rocCurve } from './metrics/auc.js';
import { localize } from './metrics/localization.js';
import type { FindingBox, LocalizationItem } from './metrics/localization.js';
import { loadModel } from './model.js';
import { checkDatasetFolder, checkRunFolder } from './preflight.js';
import type { CxrModel } from './model.js';
import { canRenderText, CURVE_COLOURS, drawOverlay, drawRoc, PAPER_AUC_CXR14, PAPER_AUC_CXR8, writeCanvasPng, writeReport } from './report.js';
import type { Metrics, ReportContext } from './report.js';
import { makeDirectory } from '@cxr8/labeler';

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** The dataset folder (with `shards/manifest.json`). */
  data: string;
  /** The run folder written by `train` (config.json and weights). */
  run: string;
  split: Split;
  /** Output folder (created). */
  out: string;
  /** Images per forward pass. Default 16. */
  batchSize?: number;
  /** Side of the grid the class activation maps are up-sampled to before thresholding; boxes are always written in
   * the 1024 frame. Default 256 (4 px steps in the 1024 frame); 1024 is the paper's exact setting, ~10x slower. */
  mapSize?: number;
  /** How CAMs become 0..255 maps before thresholding: `'positive'` (default) or `'minmax'` (see heatmap.ts). */
  scaling?: HeatmapScaling;
  /** How boxes are drawn from the heatmaps (heatmap.ts `BOX_PROTOCOLS`): `'strong'` (default: threshold 180, a box per
   * region whose peak reaches 90% of the map's maximum), `'paper'` (thresholds 60 and 180, a box per region) or
   * `'peak'` (one box per image and class, around the peak). boxes.csv and the overlays use
   * it; the localization is also scored with the paper's protocol (`metrics.localizationByProtocol.paper`). */
  boxes?: BoxProtocolName;
  /** Heatmap overlays to draw (images with ground-truth boxes first). Default 12. */
  overlays?: number;
  /** Correct the CAM for a receptive-field offset of the model's grid, measured by {@link measureCellOffset}. Default
   * false: the built-in backbones have centred cells (even kernels on strided convolutions, see model.ts); use it for
   * a pretrained backbone whose grid is not centred. */
  alignCells?: boolean;
  /** Backend name, for the report. */
  backend?: string;
  /** An already loaded model (tests, the benchmark); otherwise loaded from `run`. */
  model?: CxrModel;
  /** Called after each batch. */
  onProgress?: (done: number, total: number, imagesPerSecond: number) => void;
  /** Write into an `out` that holds something other than an evaluation (only our own entries are replaced). */
  force?: boolean;
  /** Allow a model whose image size is larger than the shards' (the images are upsampled). */
  allowUpsample?: boolean;
  /** Stops between two batches with InterruptedError; `out` is left as it was. */
  signal?: AbortSignal;
}

/** What an evaluation folder holds (see {@link OutputKind}). */
export const EVALUATION_OUTPUT: OutputKind = {
  name: 'an evaluation (metrics.json and report.md)',
  recognise: (entries) => entries.includes('metrics.json') && entries.includes('report.md'),
  own: ['metrics.json', 'predictions.csv', 'boxes.csv', 'report.md', 'roc', 'overlays'],
};

/** What {@link evaluate} returns. */
export interface EvaluateResult {
  metrics: Metrics;
  images: number;
  seconds: number;
  /** Paths written, relative to `out`. */
  files: string[];
  /** Things the user should know (e.g. the pictures have no text: no font found). */
  warnings: string[];
}

/**
 * Measures where the transition grid's receptive fields sit (see {@link CellOffset}): the centroid of
 * |d features(centre cell) / d image| over a few random images, compared with the ideal half-pixel centre. Works for
 * any backbone whose forward pass is differentiable; returns `{ x: 0, y: 0 }` when the gradient cannot be taken
 * (e.g. a graph-model backbone) or vanishes.
 *
 * @example
 * ```ts
 * await measureCellOffset(model); // near { x: 0, y: 0 } for the built-in backbones (centred grids)
 * ```
 */
export async function measureCellOffset(model: CxrModel, samples = 2): Promise<CellOffset> {
  const size = model.config.imageSize;
  const S = model.featureSize;
  const stride = size / S;
  const centre = Math.floor(S / 2);
  let sx = 0;
  let sy = 0;
  let total = 0;
  try {
    for (let k = 0; k < samples; k++) {
      const g = tf.tidy(() => {
        const x = tf.randomUniform([1, size, size, 1], 0, 1, 'float32', 1234 + k) as tf.Tensor4D;
        const f = (image: tf.Tensor): tf.Scalar => model.forward(image as tf.Tensor4D, false).features.slice([0, centre, centre, 0], [1, 1, 1, -1]).sum();
        return tf.grad(f)(x).abs();
      });
      const data = await g.data();
      g.dispose();
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const w = data[y * size + x] as number;
          sx += w * (x + 0.5);
          sy += w * (y + 0.5);
          total += w;
        }
      }
    }
  } catch {
    return { x: 0, y: 0 };
  }
  if (!(total > 0)) return { x: 0, y: 0 };
  const clamp = (v: number): number => Math.max(-1, Math.min(1, v));
  return { x: clamp(sx / total / stride - (centre + 0.5)), y: clamp(sy / total / stride - (centre + 0.5)) };
}

/** Writes lines to a stream, waiting on back-pressure so memory stays bounded. */
async function writeLine(stream: WriteStream, line: string): Promise<void> {
  if (!stream.write(`${line}\n`)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
}

async function closeStream(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** `1.5` -> `1.5`, `0.123456789` -> `0.123457`: six decimals at most. */
const num6 = (v: number): string => String(Math.round(v * 1e6) / 1e6);
/** Box coordinates: two decimals at most. */
const num2 = (v: number): string => String(Math.round(v * 100) / 100);

/** Quotes a CSV field when it needs it. */
const csv = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * Evaluates a run on one split and writes metrics.json, predictions.csv, boxes.csv and the report.
 *
 * @example
 * ```ts
 * await initBackend();
 * const { metrics } = await evaluate({ data: 'out/dataset', run: 'runs/r1', split: 'test', out: 'runs/r1/eval' });
 * metrics.meanAuc; // e.g. 0.97 on phantoms
 * ```
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  const batchSize = options.batchSize ?? 16;
  const mapSize = options.mapSize ?? 256;
  const overlayCount = options.overlays ?? 12;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new EvaluationError(`expected a batch size >= 1, found ${batchSize}`);
  if (!Number.isInteger(mapSize) || mapSize < 8 || mapSize > 4096) throw new EvaluationError(`expected a map size in 8..4096, found ${mapSize}`);
  const scaling = options.scaling ?? DEFAULT_SCALING;
  if (scaling !== 'positive' && scaling !== 'minmax') throw new EvaluationError(`expected a heatmap scaling of positive or minmax, found "${String(scaling)}"`);
  const protocolName = options.boxes ?? DEFAULT_BOX_PROTOCOL;
  if (!Object.hasOwn(BOX_PROTOCOLS, protocolName)) {
    throw new EvaluationError(`expected a box protocol of ${Object.keys(BOX_PROTOCOLS).join(', ')}, found "${String(protocolName)}"`);
  }

  // A --data that is no dataset, missing shards and a --run without a model are named before any work (preflight.ts).
  await checkDatasetFolder(options.data, [options.split]);
  const manifest = await readShardManifest(options.data);
  const total = manifest.shards.filter((s) => s.split === options.split).reduce((a, s) => a + s.count, 0);
  if (total === 0) {
    const others = (['val', 'test', 'train'] as const).filter((split) => manifest.shards.some((s) => s.split === split && s.count > 0));
    throw new EvaluationError(
      `${options.data}: the ${options.split} split has no images (shards: ${manifest.shards.map((s) => `${s.file} ${s.split} ${s.count}`).join(', ') || 'none'})` +
        (others.length > 0 ? `; splits with images: ${others.join(', ')} (--split ${others[0] as string})` : ''),
    );
  }
  if (options.model === undefined) await checkRunFolder(options.run);
  await claimOutputFolder(options.out, EVALUATION_OUTPUT, options.force === true, 'evaluate');
  const model = options.model ?? (await loadModel(options.run));
  const ownModel = options.model === undefined;
  if (model.config.imageSize > manifest.size && options.allowUpsample !== true) {
    if (ownModel) model.dispose();
    throw new RefusedError(
      `evaluate: the model in ${options.run} takes ${model.config.imageSize} px images, the shards of ${options.data} are ` +
        `${manifest.size} px: they would be upsampled, which adds no detail. Rebuild the shards at ${model.config.imageSize} px ` +
        '(build-dataset ... --shard-size), or pass --allow-upsample.',
    );
  }
  const out = stagingFolderFor(options.out);
  try {
    const result = await evaluateInto(options, out, manifest, total, model, ownModel);
    await replaceEntries(out, options.out, EVALUATION_OUTPUT.own);
    return result;
  } catch (error) {
    await rm(out, { recursive: true, force: true });
    throw error;
  }
}

async function evaluateInto(
  options: EvaluateOptions,
  out: string,
  manifest: Awaited<ReturnType<typeof readShardManifest>>,
  total: number,
  model: CxrModel,
  ownModel: boolean,
): Promise<EvaluateResult> {
  const batchSize = options.batchSize ?? 16;
  const mapSize = options.mapSize ?? 256;
  const overlayCount = options.overlays ?? 12;
  const scaling = options.scaling ?? DEFAULT_SCALING;
  const findings = model.config.findings;
  const C = findings.length;
  // Where each model finding sits in the shards' labels (-1: the shards do not have it).
  const labelIndex = findings.map((f) => manifest.findings.indexOf(f));
  const kernel = await model.predictionWeights().kernel.data();
  const S = model.featureSize;
  const D = kernel.length / C;
  const weights: PredictionLayer = { depth: D, classes: C, kernel };
  const size = model.config.imageSize;
  const offset = options.alignCells === true ? await measureCellOffset(model) : { x: 0, y: 0 };
  // Heatmaps and boxes: the CAMs of a whole batch in one pass over its features (read back once), then one reused
  // up-sampler / 0..255 map / region buffers for every image and finding (heatmap.ts); same numbers as boxesOfImage.
  const protocolName = options.boxes ?? DEFAULT_BOX_PROTOCOL;
  const boxer = createHeatmapBoxer(S, S, { size: mapSize, offset, scaling, ...BOX_PROTOCOLS[protocolName] });
  // The paper's protocol is scored too (report.md shows both), on the boxed images' ground-truth findings only.
  const paperBoxer = protocolName === 'paper' ? undefined : createHeatmapBoxer(S, S, { size: mapSize, offset, scaling, ...BOX_PROTOCOLS.paper });
  const paperItems: LocalizationItem[] = [];
  const pixels = S * S;
  let cams = new Float32Array(0);
  const planeBoxes: HeatmapBox[] = [];

  try {
    await rm(out, { recursive: true, force: true });
    await makeDirectory(join(out, 'roc'));
    await makeDirectory(join(out, 'overlays'));
  } catch (cause) {
    throw new EvaluationError(`cannot create the output folder ${options.out} (staging in ${out})`, { cause });
  }
  const predictions = createWriteStream(join(out, 'predictions.csv'));
  const boxesCsv = createWriteStream(join(out, 'boxes.csv'));
  await writeLine(predictions, ['Image Index', ...findings].map(csv).join(','));
  await writeLine(boxesCsv, 'Image Index,Finding Label,x,y,w,h,score');

  const scores: number[][] = findings.map(() => []);
  const labels: number[][] = findings.map(() => []);
  const positives: Record<string, number> = Object.fromEntries(findings.map((f) => [f, 0]));
  const items: LocalizationItem[] = [];
  const overlays: ReportContext['overlays'] = [];
  const started = performance.now();
  let done = 0;

  const runBatch = async (batch: Batch): Promise<void> => {
    const n = batch.ids.length;
    const { probs, features } = tf.tidy(() => {
      const out = model.forward(batch.images, false);
      return { probs: out.probs, features: out.features };
    });
    const [p, f] = await Promise.all([probs.data(), features.data()]);
    const sampledImages = overlays.length < overlayCount ? await batch.images.data() : undefined;
    tf.dispose([probs, features]);
    disposeBatch(batch);
    if (cams.length < n * C * pixels) cams = new Float32Array(n * C * pixels);
    classActivationMaps(f, n, pixels, weights, cams);
    const predictionLines: string[] = [];
    const boxLines: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = { id: batch.ids[i] as string, labels: batch.rawLabels[i] as Int8Array, boxes: batch.boxes[i] ?? [] };
      const row = p.subarray(i * C, (i + 1) * C);
      const idField = csv(r.id);
      predictionLines.push([idField, ...Array.from(row, num6)].join(','));
      for (let c = 0; c < C; c++) {
        const li = labelIndex[c] as number;
        const l = li < 0 ? -1 : (r.labels[li] as number);
        if (l === -1) continue; // uncertain (or unknown to the shards): out of this finding's AUC
        scores[c]?.push(row[c] as number);
        labels[c]?.push(l === 1 ? 1 : 0);
        if (l === 1) positives[findings[c] as string] = (positives[findings[c] as string] ?? 0) + 1;
      }
      const plane = (c: number): Float32Array => cams.subarray((i * C + c) * pixels, (i * C + c + 1) * pixels);
      const boxes: (FindingBox & HeatmapBox)[] = [];
      for (let c = 0; c < C; c++) {
        const finding = findings[c] as string;
        planeBoxes.length = 0;
        boxer.boxes(plane(c), row[c] as number, planeBoxes);
        for (const b of planeBoxes) {
          boxes.push({ finding, ...b });
          boxLines.push(`${idField},${csv(finding)},${num2(b.x)},${num2(b.y)},${num2(b.w)},${num2(b.h)},${num6(b.score)}`);
        }
      }
      const truth: FindingBox[] = r.boxes
        .map((b) => ({ finding: manifest.findings[b.finding] ?? `#${b.finding}`, x: b.x, y: b.y, w: b.w, h: b.h }))
        .filter((b) => findings.includes(b.finding));
      if (truth.length > 0) {
        items.push({ id: r.id, truth, predicted: boxes.map(({ finding, x, y, w, h }) => ({ finding, x, y, w, h })) });
        if (paperBoxer) {
          const predicted: FindingBox[] = [];
          for (const finding of new Set(truth.map((b) => b.finding))) {
            const c = findings.indexOf(finding);
            planeBoxes.length = 0;
            for (const { x, y, w, h } of paperBoxer.boxes(plane(c), row[c] as number, planeBoxes)) predicted.push({ finding, x, y, w, h });
          }
          paperItems.push({ id: r.id, truth, predicted });
        }
        if (sampledImages && overlays.length < overlayCount) {
          const image = { width: size, height: size, data: Float32Array.from(sampledImages.subarray(i * size * size, (i + 1) * size * size)) };
          for (const finding of [...new Set(truth.map((b) => b.finding))]) {
            if (overlays.length >= overlayCount) break;
            const c = findings.indexOf(finding);
            const canvas = drawOverlay({
              image,
              heat: boxer.heatmap(plane(c)),
              predicted: boxes.filter((b) => b.finding === finding),
              truth: truth.filter((b) => b.finding === finding),
              finding,
              probability: row[c] as number,
              id: r.id,
            });
            const file = `overlays/${r.id.replace(/\.png$/i, '')}-${finding}.png`;
            await writeCanvasPng(canvas, join(out, file));
            overlays.push({ file, id: r.id, finding, probability: row[c] as number });
          }
        }
      }
    }
    if (predictionLines.length > 0) await writeLine(predictions, predictionLines.join('\n'));
    if (boxLines.length > 0) await writeLine(boxesCsv, boxLines.join('\n'));
    done += n;
    const seconds = (performance.now() - started) / 1000;
    options.onProgress?.(done, total, done / Math.max(seconds, 1e-9));
  };

  try {
    for await (const batch of batches(options.data, options.split, { batchSize, imageSize: size })) {
      if (options.signal?.aborted === true) {
        disposeBatch(batch);
        throw new InterruptedError(`evaluation interrupted after ${done} of ${total} images; ${options.out} was left as it was: run the command again`);
      }
      await runBatch(batch);
    }
  } finally {
    await closeStream(predictions);
    await closeStream(boxesCsv);
    if (ownModel) model.dispose();
  }
  const seconds = (performance.now() - started) / 1000;

  const auc: Record<string, number | null> = {};
  const rocImages: Record<string, string> = {};
  for (let c = 0; c < C; c++) {
    const finding = findings[c] as string;
    const a = rocAuc(scores[c] as number[], labels[c] as number[]);
    auc[finding] = Number.isNaN(a) ? null : a;
    if (!Number.isNaN(a)) {
      const file = `roc/${finding}.png`;
      const positive = (labels[c] as number[]).filter((l) => l === 1).length;
      const paper = [
        PAPER_AUC_CXR8[finding] === undefined ? undefined : `paper, ResNet-50, ChestX-ray8: AUC ${(PAPER_AUC_CXR8[finding] as number).toFixed(4)}`,
        PAPER_AUC_CXR14[finding] === undefined ? undefined : `paper, ResNet-50, ChestX-ray14: AUC ${(PAPER_AUC_CXR14[finding] as number).toFixed(4)}`,
      ].filter((v): v is string => v !== undefined);
      const canvas = drawRoc(
        [{ curve: rocCurve(scores[c] as number[], labels[c] as number[]), colour: CURVE_COLOURS[c % CURVE_COLOURS.length] as [number, number, number], label: `ours: AUC ${a.toFixed(4)}` }],
        480,
        {
          title: `${finding}: ROC curve`,
          subtitle: `${options.split} split, ${positive} positive and ${(labels[c] as number[]).length - positive} negative images`,
          notes: paper.length > 0 ? paper : ['paper: no AUC for this finding'],
        },
      );
      await writeCanvasPng(canvas, join(out, file));
      rocImages[finding] = file;
    }
  }
  const defined = Object.values(auc).filter((v): v is number => v !== null);
  const localization = localize(items, findings);
  const paperLocalization = paperBoxer ? localize(paperItems, findings) : localization;
  const metrics: Metrics = {
    auc,
    meanAuc: defined.length > 0 ? defined.reduce((a, b) => a + b, 0) / defined.length : null,
    localization: { iobb: localization.iobb, iou: localization.iou },
    boxProtocol: protocolName,
    localizationByProtocol: {
      [protocolName]: { iobb: localization.iobb, iou: localization.iou },
      paper: { iobb: paperLocalization.iobb, iou: paperLocalization.iou },
    },
  };
  await writeFile(join(out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  await writeReport(join(out, 'report.md'), metrics, {
    split: options.split,
    images: done,
    run: options.run,
    data: options.data,
    positives,
    boxedImages: localization.images,
    rocImages,
    overlays,
    seconds,
    ...(options.alignCells === true ? { cellOffset: offset } : {}),
    scaling,
    ...(options.backend === undefined ? {} : { backend: options.backend }),
  });
  return {
    metrics,
    images: done,
    seconds,
    files: ['metrics.json', 'predictions.csv', 'boxes.csv', 'report.md', ...Object.values(rocImages), ...overlays.map((o) => o.file)],
    warnings:
      (await canRenderText()) || Object.keys(rocImages).length + overlays.length === 0
        ? []
        : ['no font found: the ROC and overlay PNGs were drawn without their titles, tick labels and legends (install a font, e.g. Debian fonts-dejavu-core)'],
  };
}
