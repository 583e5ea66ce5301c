/**
 * `npm run bench` (packages/trainer): the end-to-end phantom benchmark (issues 4 and 12), on each phantom family.
 *
 * For each family (`--families a,b`: a = src/phantoms.ts, b = src/phantoms-b.ts, drawn independently of a):
 * 1. the phantoms: a synthetic NIH-layout dataset with planted findings at known boxes;
 * 2. `importNih` (@cxr8/dataset-builder, the code behind `build-dataset import-nih`): shards at the training size;
 * 3. `train` from scratch on CPU (the default backend: wasm here);
 * 4. `evaluate` on the test split: AUC and heatmap localization, with the default box protocol and the paper's;
 * 5. a table of per-class AUC, accuracy and AFP at T(IoBB) = 0.5 against the targets: mean AUC >= 0.95 and, for each
 *    planted class, accuracy >= 0.8 with AFP <= 1.0 per image.
 * Then the same for each family on phantoms of the held-out seed (--held-out-seed, 7): drawn, trained and scored once
 * with the final settings, never used to choose them (work/held-out-SEED/FAMILY).
 * Then 6. throughput (bench/throughput.ts): training and evaluation images/s of the default model at 224 px against the same
 *    network in PyTorch on CPU on this machine, target >= 0.8x of PyTorch on all cores for both (not compared, with a
 *    message, where python3-torch is absent).
 * The exit code is 1 when a target is missed.
 *
 * Flags (all optional): --n IMAGES per family (default 1800), --seed S (1), --held-out-seed S (7; 0: none), --epochs E
 * (36), --image-size PX (128), --batch-size B (16), --lr X (2e-3), --input-norm image|fixed (the train default),
 * --boxes strong|peak|paper (the evaluate default), --output-stride 4|8|16 (4: a 32 x 32 map at 128 px; train's default is 8), --work DIR (out/bench-trainer, one folder per family; phantoms
 * are reused when n, seed and the drawing version match), --families a,b, --backend NAME, --skip-throughput.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { importNih } from '@cxr8/dataset-builder';
import { describeBackend, initBackend } from '../src/backend.js';
import type { BackendName } from '../src/backend.js';
import { evaluate } from '../src/evaluate.js';
import { BOX_PROTOCOLS, DEFAULT_BOX_PROTOCOL } from '../src/heatmap.js';
import type { BoxProtocolName } from '../src/heatmap.js';
import { INPUT_NORMS, OUTPUT_STRIDES } from '../src/model.js';
import type { InputNorm, OutputStride } from '../src/model.js';
import { makePhantoms, PHANTOM_FINDINGS } from '../src/phantoms.js';
import { makePhantomsB, PHANTOM_B_VERSION } from '../src/phantoms-b.js';
import type { Metrics } from '../src/report.js';
import { DEFAULT_TRAIN_OPTIONS, train } from '../src/train.js';
import { availableParallelism } from 'node:os';
import { formatEvaluationTable, formatTable, measureEvaluation, measureThroughput, throughputVerdict } from './throughput.js';

const TARGET_MEAN_AUC = 0.95;
const TARGET_IOBB_05 = 0.8;
const TARGET_AFP_05 = 1.0;

/** A phantom family: a (src/phantoms.ts) or b (src/phantoms-b.ts, drawn independently). */
type PhantomStyle = 'a' | 'b';
const TARGET_SPEED_RATIO = 0.8;

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

const n = Number(flag('n', '1800'));
const seed = Number(flag('seed', '1'));
const epochs = Number(flag('epochs', '36'));
const imageSize = Number(flag('image-size', '128'));
const batchSize = Number(flag('batch-size', '16'));
const lr = Number(flag('lr', '2e-3'));
const work = resolve(flag('work', join(import.meta.dirname, '..', '..', '..', 'out', 'bench-trainer')));
const backendFlag = flag('backend', '');
const inputNorm = flag('input-norm', DEFAULT_TRAIN_OPTIONS.inputNorm) as InputNorm;
const boxes = flag('boxes', DEFAULT_BOX_PROTOCOL) as BoxProtocolName;
/**
 * 4 by default here (train's default is 8): at 128 px a stride-8 map is 16 x 16, 64 px cells in the 1024 frame, larger
 * than family B's nodules (25-75 px); stride 4 gives 32 x 32 (the paper's S), which on B seed 1 lifted Nodule from AUC
 * 0.70 / accuracy 0.37 to 0.91 / 0.67 and changed nothing on A (trainer-eval.md).
 */
const outputStride = Number(flag('output-stride', '4')) as OutputStride;
if (!OUTPUT_STRIDES.includes(outputStride)) {
  console.error(`bench: expected --output-stride ${OUTPUT_STRIDES.join('|')}, found ${flag('output-stride', '')}`);
  process.exit(2);
}
/** Phantoms of another seed, trained and scored once with the same settings: a check nothing was tuned on (0: none). */
const heldOutSeed = Number(flag('held-out-seed', '7'));
if (!INPUT_NORMS.includes(inputNorm) || !(boxes in BOX_PROTOCOLS) || !Number.isInteger(heldOutSeed) || heldOutSeed === seed) {
  console.error(`bench: expected --input-norm ${INPUT_NORMS.join('|')}, --boxes ${Object.keys(BOX_PROTOCOLS).join('|')} and --held-out-seed an integer other than --seed (0: none), found ${inputNorm}, ${boxes}, ${flag('held-out-seed', '7')}`);
  process.exit(2);
}

const families = flag('families', 'a,b').split(',').map((f) => f.trim().toLowerCase()) as PhantomStyle[];
for (const f of families) {
  if (f !== 'a' && f !== 'b') {
    console.error(`bench: --families expects a comma-separated list of a and b, found "${flag('families', 'a,b')}"`);
    process.exit(2);
  }
}
const times: [string, number, string, number | null][] = [];

/** Runs a stage, with its wall time and the process's peak resident memory while it ran (sampled every 50 ms). */
async function timed<T>(stage: string, run: () => Promise<T>, detail: (result: T, seconds: number) => string): Promise<T> {
  const started = performance.now();
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  let result: T;
  try {
    result = await run();
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, process.memoryUsage.rss());
  const seconds = (performance.now() - started) / 1000;
  times.push([stage, seconds, detail(result, seconds), peak / 2 ** 20]);
  process.stderr.write(`bench: ${stage} done in ${seconds.toFixed(1)} s\n`);
  return result;
}

/** One family's pipeline: phantoms (reused when n, seed and the drawing version match) -> import -> train -> evaluate. */
async function runFamily(family: PhantomStyle, phantomSeed: number, dir: string): Promise<{ metrics: Metrics; epochsRun: number }> {
  const phantomsDir = join(dir, 'phantoms');
  const datasetDir = join(dir, 'dataset');
  const runDir = join(dir, 'run');
  const evalDir = join(dir, 'eval');
  const stamp = JSON.stringify({ n, seed: phantomSeed, family, version: family === 'a' ? 7 : PHANTOM_B_VERSION });
  const label = phantomSeed === seed ? family : `${family} held-out seed ${phantomSeed}`;
  const stampFile = join(phantomsDir, 'bench-stamp.json');
  if (existsSync(stampFile) && (await readFile(stampFile, 'utf8')) === stamp) {
    times.push([`${label}: phantoms (reused)`, 0, `${n} images, seed ${phantomSeed}`, null]);
  } else {
    await rm(phantomsDir, { recursive: true, force: true });
    const make = family === 'b' ? makePhantomsB : makePhantoms;
    await timed(`${label}: phantoms`, () => make({ out: phantomsDir, n, seed: phantomSeed }), (d, s) => `${d.images} images (${d.testImages} test), ${d.boxes} boxes, ${(d.images / s).toFixed(1)} images/s`);
    await writeFile(stampFile, stamp);
  }
  await rm(datasetDir, { recursive: true, force: true });
  await timed(
    `${label}: import-nih`,
    () =>
      importNih({
        dataEntry: join(phantomsDir, 'Data_Entry.csv'),
        bbox: join(phantomsDir, 'BBox_List.csv'),
        trainValList: join(phantomsDir, 'train_val_list.txt'),
        testList: join(phantomsDir, 'test_list.txt'),
        images: join(phantomsDir, 'images'),
        out: datasetDir,
        shardSize: imageSize,
        progress: null,
      }),
    (s) => `train ${s.splits.train}, val ${s.splits.val}, test ${s.splits.test}; ${s.boxes} boxes; ${s.failed} failed`,
  );
  await rm(runDir, { recursive: true, force: true });
  const trained = await timed(
    `${label}: train`,
    () => train({ data: datasetDir, out: runDir, epochs, batchSize, imageSize, lr, seed, patience: epochs, inputNorm, outputStride }),
    (r) => {
      const last = r.history[r.history.length - 1];
      const rate = r.history.reduce((a, h) => a + h.imagesPerSecond, 0) / Math.max(1, r.history.length);
      return `${r.epochsRun} epochs, best ${r.bestEpoch} (val mean AUC ${r.bestMeanValAuc?.toFixed(4) ?? '—'}), ${rate.toFixed(1)} train images/s, last loss ${last?.trainLoss.toFixed(4) ?? '—'}`;
    },
  );
  await rm(evalDir, { recursive: true, force: true });
  const evaluated = await timed(
    `${label}: evaluate`,
    () => evaluate({ data: datasetDir, run: runDir, split: 'test', out: evalDir, backend, boxes }),
    (r, s) => `${r.images} images, ${(r.images / s).toFixed(1)} images/s (forward + heatmaps + boxes)`,
  );
  return { metrics: evaluated.metrics, epochsRun: trained.epochsRun };
}

const backend = await initBackend(backendFlag === '' ? undefined : (backendFlag as BackendName));
process.stderr.write(`bench: backend ${describeBackend(backend)}\n`);
const runs: { family: PhantomStyle; phantomSeed: number; dir: string }[] = families.map((family) => ({ family, phantomSeed: seed, dir: join(work, family) }));
if (heldOutSeed !== 0) for (const family of families) runs.push({ family, phantomSeed: heldOutSeed, dir: join(work, `held-out-${heldOutSeed}`, family) });
const results: [string, Metrics, number, string][] = [];
for (const run of runs) {
  const { metrics, epochsRun } = await runFamily(run.family, run.phantomSeed, run.dir);
  const label = run.phantomSeed === seed ? `family ${run.family}` : `family ${run.family}, held-out phantoms (seed ${run.phantomSeed}, never tuned on)`;
  results.push([label, metrics, epochsRun, join(run.dir, 'eval', 'report.md')]);
}

const pad = (s: string, w: number): string => s.padEnd(w);
const f2 = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : v.toFixed(2));
const f4 = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : v.toFixed(4));
let pass = true;
console.log(`\n## @cxr8/trainer phantom benchmark (baseline: the issue-12 targets, on each phantom family)\n`);
console.log(`${n} phantoms per family (seed ${seed}${heldOutSeed !== 0 ? `; held-out seed ${heldOutSeed}` : ''}), input norm ${inputNorm}, output stride ${outputStride}, image size ${imageSize}, ${epochs} epochs, batch ${batchSize}, lr ${lr}, backend ${describeBackend(backend)}\n`);
console.log('| stage | seconds | peak RSS MB | detail |');
console.log('|---|---:|---:|---|');
for (const [stage, s, detail, rss] of times) console.log(`| ${stage} | ${s.toFixed(1)} | ${rss === null ? '-' : rss.toFixed(0)} | ${detail} |`);
for (const [label, metrics, epochsRun] of results) {
  const paper = metrics.localizationByProtocol?.paper;
  console.log(`\n${label} (${epochsRun} epochs run); boxes: ${metrics.boxProtocol ?? 'paper'} protocol (the paper's in the last two columns)\n`);
  console.log(`| ${pad('finding', 13)} | AUC    | acc T(IoBB)=0.1 | acc T(IoBB)=0.5 | AFP at 0.5 | target           | | paper acc 0.5 | paper AFP 0.5 |`);
  console.log('|---------------|--------|-----------------|-----------------|------------|------------------|---|---:|---:|');
  for (const finding of PHANTOM_FINDINGS) {
    const at05 = metrics.localization.iobb['0.5']?.[finding];
    const at01 = metrics.localization.iobb['0.1']?.[finding];
    const ok = at05 !== undefined && at05.acc >= TARGET_IOBB_05 && at05.afp <= TARGET_AFP_05;
    if (!ok) pass = false;
    const p05 = paper?.iobb['0.5']?.[finding];
    console.log(
      `| ${pad(finding, 13)} | ${f4(metrics.auc[finding])} | ${pad(f2(at01?.acc), 15)} | ${pad(f2(at05?.acc), 15)} | ${pad(f2(at05?.afp), 10)} | >= ${TARGET_IOBB_05}, AFP <= ${TARGET_AFP_05.toFixed(1)} | ${ok ? 'ok' : 'MISSED'} | ${f2(p05?.acc)} | ${f2(p05?.afp)} |`,
    );
  }
  const plantedAucs = PHANTOM_FINDINGS.map((f) => metrics.auc[f]).filter((v): v is number => typeof v === 'number');
  const plantedMean = plantedAucs.length === PHANTOM_FINDINGS.length ? plantedAucs.reduce((a, b) => a + b, 0) / plantedAucs.length : null;
  const meanOk = plantedMean !== null && plantedMean >= TARGET_MEAN_AUC;
  if (!meanOk) pass = false;
  console.log(`| ${pad('mean', 13)} | ${f4(plantedMean)} | target mean AUC >= ${TARGET_MEAN_AUC} ${meanOk ? 'ok' : 'MISSED'} | | | | | | |`);
}
console.log(`\n${pass ? 'PASS' : 'FAIL'}: reports in ${results.map((r) => r[3]).join(', ')}`);

let speedPass = true;
if (!process.argv.includes('--skip-throughput')) {
  const options = { imageSize: 224, batchSize: 16, steps: 6, warmup: 1, workers: Math.min(4, availableParallelism()), python: '/usr/bin/python3', mapSize: 256 };
  console.error('bench: throughput against PyTorch (about 3 minutes)');
  const trainRows = await measureThroughput(options);
  const evalRows = await measureEvaluation(options);
  console.log(`\n${formatTable(trainRows, options)}\n\n${formatEvaluationTable(evalRows, options)}\n`);
  const speed = throughputVerdict(trainRows, evalRows, TARGET_SPEED_RATIO);
  for (const line of speed.lines) console.log(line);
  speedPass = speed.pass;
}
process.exitCode = pass && speedPass ? 0 : 1;
