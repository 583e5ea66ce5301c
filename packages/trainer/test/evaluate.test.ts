import test from 'ava';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ShardWriter, importNih, writeShardManifest } from '@cxr8/dataset-builder';
import type { ShardHeader } from '@cxr8/dataset-builder';
import { initBackend } from '../src/backend.js';
import { evaluate } from '../src/evaluate.js';
import { createModel, defaultModelConfig } from '../src/model.js';
import { makePhantoms, PHANTOM_FINDINGS } from '../src/phantoms.js';
import { EvaluationError } from '../src/errors.js';
import { main } from '../src/cli.js';

const SIZE = 32;

/** Phantoms written straight into the shard format (what import-nih produces), all in the test split. */
async function phantomShards(dir: string, n: number): Promise<void> {
  const ds = await makePhantoms({ out: join(dir, 'nih'), n, seed: 21, testFraction: 1 });
  const findings = [...PHANTOM_FINDINGS];
  const header: ShardHeader = { version: 1, split: 'test', size: SIZE, findings };
  await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'data', 'shards'), { recursive: true }));
  const writer = await ShardWriter.create(join(dir, 'data', 'shards', 'test-00000.cxs'), header);
  const entries = (await readFile(ds.dataEntry, 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
  const boxes = (await readFile(ds.bboxList, 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
  for (const [id, labels] of entries as [string, string][]) {
    const pixels = await sharp(join(ds.imagesDir, id)).resize(SIZE, SIZE).toColourspace('b-w').raw().toBuffer();
    const names = labels.split('|');
    await writer.write({
      id,
      labels: Int8Array.from(findings.map((f) => (names.includes(f) ? 1 : 0))),
      boxes: boxes
        .filter((b) => b[0] === id)
        .map(([, f, x, y, w, h]) => ({ finding: findings.indexOf(f as (typeof findings)[number]), x: Number(x), y: Number(y), w: Number(w), h: Number(h) })),
      pixels: new Uint8Array(pixels),
    });
  }
  const count = await writer.close();
  await writeShardManifest(join(dir, 'data'), { version: 1, size: SIZE, findings, shards: [{ file: 'test-00000.cxs', split: 'test', count }] });
}

test('evaluate writes metrics.json, predictions.csv, boxes.csv and the report for a split', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-evaluate-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await initBackend('cpu');
  await phantomShards(dir, 10);
  const model = createModel(defaultModelConfig([...PHANTOM_FINDINGS], { imageSize: SIZE, transitionDepth: 8 }));
  t.teardown(() => model.dispose());
  const out = join(dir, 'eval');
  const result = await evaluate({ data: join(dir, 'data'), run: 'untrained', split: 'test', out, model, batchSize: 4, mapSize: 64, overlays: 2 });
  t.is(result.images, 10);

  const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
  t.deepEqual(Object.keys(metrics), ['auc', 'meanAuc', 'localization', 'boxProtocol', 'localizationByProtocol']);
  // The default box protocol (strong) and the paper's are both scored; `localization` is the default's.
  t.is(metrics.boxProtocol, 'strong');
  t.deepEqual(Object.keys(metrics.localizationByProtocol), ['strong', 'paper']);
  t.deepEqual(metrics.localizationByProtocol.strong, metrics.localization);
  t.deepEqual(Object.keys(metrics.auc), [...PHANTOM_FINDINGS]);
  for (const v of Object.values(metrics.auc)) t.true(v === null || (typeof v === 'number' && v >= 0 && v <= 1));
  t.deepEqual(Object.keys(metrics.localization), ['iobb', 'iou']);
  t.deepEqual(Object.keys(metrics.localization.iobb), ['0.1', '0.25', '0.5', '0.75', '0.9']);
  t.deepEqual(Object.keys(metrics.localization.iou), ['0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7']);
  const someScore = Object.values(metrics.localization.iobb['0.1'])[0] as { acc: number; afp: number };
  t.true(someScore.acc >= 0 && someScore.acc <= 1 && someScore.afp >= 0);

  const predictions = (await readFile(join(out, 'predictions.csv'), 'utf8')).trim().split('\n');
  t.is(predictions[0], `Image Index,${PHANTOM_FINDINGS.join(',')}`);
  t.is(predictions.length, 11);
  for (const row of predictions.slice(1)) {
    const cells = row.split(',');
    t.regex(cells[0] as string, /^\d{8}_\d{3}\.png$/);
    t.true(cells.slice(1).every((c) => Number(c) >= 0 && Number(c) <= 1));
  }
  const boxes = (await readFile(join(out, 'boxes.csv'), 'utf8')).trim().split('\n');
  t.is(boxes[0], 'Image Index,Finding Label,x,y,w,h,score');
  t.true(boxes.length > 10);
  for (const row of boxes.slice(1)) {
    const [, finding, x, y, w, h, score] = row.split(',');
    t.true((PHANTOM_FINDINGS as readonly string[]).includes(finding as string));
    const [bx, by, bw, bh] = [x, y, w, h].map(Number) as [number, number, number, number];
    t.true(bx >= 0 && by >= 0 && bw > 0 && bh > 0 && bx + bw <= 1024 + 1e-6 && by + bh <= 1024 + 1e-6, row);
    t.true(Number(score) >= 0 && Number(score) <= 1);
  }
  const report = await readFile(join(out, 'report.md'), 'utf8');
  t.regex(report, /\| Finding \| positives \| AUC \(ours\) \| paper, ResNet-50, ChestX-ray8/);
  t.regex(report, /\| Mass \| \d+ \| [0-9.—]+ \| 0\.5609 \| 0\.6933 \|/);
  t.regex(report, /T\(IoBB\), strong protocol/);
  t.regex(report, /### The paper's protocol \(`--boxes paper`\)/);
  t.is(result.files.filter((f) => f.startsWith('overlays/')).length, 2);
  for (const f of result.files.filter((f) => f.endsWith('.png'))) {
    const meta = await sharp(join(out, f)).metadata();
    t.is(meta.channels, 3, f);
  }
  t.true((await stat(join(out, 'report.md'))).size > 500);
});

test('an empty split is a typed error that names the dataset', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-evaluate-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeShardManifest(dir, { version: 1, size: SIZE, findings: ['Mass'], shards: [] });
  await t.throwsAsync(evaluate({ data: dir, run: 'none', split: 'test', out: join(dir, 'eval') }), {
    instanceOf: EvaluationError,
    message: /the test split has no images/,
  });
});

test('bad options are typed errors before any work: map size, heatmap scaling, box protocol', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-evaluate-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const base = { data: dir, run: 'none', split: 'test' as const, out: join(dir, 'eval') };
  await t.throwsAsync(evaluate({ ...base, mapSize: 4 }), { instanceOf: EvaluationError, message: /map size in 8\.\.4096, found 4/ });
  await t.throwsAsync(evaluate({ ...base, scaling: 'max' as 'minmax' }), { instanceOf: EvaluationError, message: /scaling of positive or minmax, found "max"/ });
  await t.throwsAsync(evaluate({ ...base, boxes: 'all' as 'paper' }), { instanceOf: EvaluationError, message: /box protocol of paper, peak, strong, found "all"/ });
});

test('end to end in seconds: phantoms -> import-nih -> cxr8-train train -> cxr8-train evaluate', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-e2e-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const quiet = { out: () => undefined, err: (l: string) => t.log(l) };
  t.is(await main(['phantoms', '--out', join(dir, 'nih'), '--n', '14', '--seed', '3'], quiet), 0);
  const nih = join(dir, 'nih');
  const summary = await importNih({
    dataEntry: join(nih, 'Data_Entry.csv'),
    bbox: join(nih, 'BBox_List.csv'),
    trainValList: join(nih, 'train_val_list.txt'),
    testList: join(nih, 'test_list.txt'),
    images: join(nih, 'images'),
    out: join(dir, 'dataset'),
    shardSize: SIZE,
    progress: null,
  });
  t.is(summary.failed, 0);
  t.true(summary.splits.test > 0);
  const data = join(dir, 'dataset');
  const run = join(dir, 'run');
  const out: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => t.log(l) };
  t.is(await main(['train', '--data', data, '--out', run, '--epochs', '1', '--batch-size', '4', '--image-size', `${SIZE}`, '--backend', 'cpu'], io), 0);
  t.regex(out.join('\n'), /backend cpu/);
  t.is(await main(['evaluate', '--data', data, '--run', run, '--split', 'test', '--out', join(dir, 'eval'), '--map-size', '64', '--backend', 'cpu'], io), 0);
  const metrics = JSON.parse(await readFile(join(dir, 'eval', 'metrics.json'), 'utf8'));
  // The builder's shards carry the 14 NIH findings; those never planted have one label value only: null AUC.
  t.is(Object.keys(metrics.auc).length, 14);
  t.is(metrics.auc.Hernia, null);
  const predictions = (await readFile(join(dir, 'eval', 'predictions.csv'), 'utf8')).trim().split('\n');
  t.is(predictions.length, summary.splits.test + 1);
  t.true(predictions[0]?.startsWith('Image Index,Atelectasis,Cardiomegaly,Effusion,Infiltration,Mass,Nodule,Pneumonia,Pneumothorax'));
});
