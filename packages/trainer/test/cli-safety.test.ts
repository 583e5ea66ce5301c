/**
 * Issue 13, cxr8-train: no silent surprises. Each case as the CLI shows it to a user: a run is never replaced without
 * --force, a resumed run keeps its options, an upsample is refused, early stopping is said, each subcommand's help has
 * its defaults, Ctrl-C exits 130 with how to resume, evaluate and phantoms never leave a mix of old and new files.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, readFile, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { main, COMMAND_HELP } from '../src/cli.js';
import { DEFAULT_TRAIN_OPTIONS } from '../src/train.js';
import { canRenderText } from '../src/report.js';
import { makeTinyDataset } from './helpers/tiny-dataset.js';

const here = dirname(fileURLToPath(import.meta.url));
let data = '';
let work = '';
test.before(async () => {
  data = await makeTinyDataset({ size: 32, train: 16, val: 8 });
  work = await mkdtemp(join(tmpdir(), 'cxr8-safety-'));
});
test.after.always(async () => {
  for (const d of [data, work]) if (d) await rm(d, { recursive: true, force: true });
});

interface Run {
  code: number;
  out: string;
  err: string;
}

async function cli(args: string[], signal?: AbortSignal): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), ...(signal ? { signal } : {}) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const trainArgs = (out: string, ...more: string[]): string[] => [
  'train', '--data', data, '--out', out, '--epochs', '1', '--batch-size', '8', '--image-size', '32', '--backend', 'wasm', ...more,
];

test.serial('train --out over a trained run is refused (exit 3) with the ways on, and the run is left as it was', async (t) => {
  const run = join(work, 'kept');
  t.is((await cli(trainArgs(run, '--epochs', '2'))).code, 0);
  const before = await readFile(join(run, 'metrics.jsonl'), 'utf8');
  const weights = await readFile(join(run, 'weights.bin'));
  const again = await cli(trainArgs(run));
  t.is(again.code, 3, again.err);
  t.regex(again.err, /already holds a trained run: 2 epochs \(best epoch \d/);
  t.regex(again.err, /--resume to continue it, choose another --out for a new run, or pass --force to replace it/);
  t.is(await readFile(join(run, 'metrics.jsonl'), 'utf8'), before);
  t.deepEqual(await readFile(join(run, 'weights.bin')), weights);
  t.is(before.trim().split('\n').length, 2);
});

test.serial('--force replaces a run: the old one is kept aside until the new one has an epoch, then gone', async (t) => {
  const run = join(work, 'forced');
  t.is((await cli(trainArgs(run, '--epochs', '2'))).code, 0);
  await mkdir(join(run, 'eval'));
  await writeFile(join(run, 'eval', 'mine.txt'), 'keep');
  // a replacement that fails before its first epoch (a pretrained backbone that is not there) puts the old run back
  // (a value out of range, such as --lr -1, is a usage error now, refused before the run folder is looked at)
  const failed = await cli(trainArgs(run, '--force', '--backbone', join(work, 'no-such-model', 'model.json')));
  t.is(failed.code, 3, failed.err); // issue 11: an unreadable input is exit 3 (was 1)
  t.regex(failed.err, /no-such-model/);
  t.is((await readFile(join(run, 'metrics.jsonl'), 'utf8')).trim().split('\n').length, 2);
  t.false((await readdir(run)).includes('.replaced-run'));
  const forced = await cli(trainArgs(run, '--force'));
  t.is(forced.code, 0, forced.err);
  t.is((await readFile(join(run, 'metrics.jsonl'), 'utf8')).trim().split('\n').length, 1);
  const entries = await readdir(run);
  t.false(entries.includes('.replaced-run'));
  t.is(await readFile(join(run, 'eval', 'mine.txt'), 'utf8'), 'keep', 'files that are not the run are left alone');
});

test.serial('a --force run killed before its first epoch: the next start puts the old run back', async (t) => {
  const run = join(work, 'killed');
  t.is((await cli(trainArgs(run))).code, 0);
  const metrics = await readFile(join(run, 'metrics.jsonl'), 'utf8');
  // what --force leaves when killed (kill -9) before its first epoch: the old run set aside, nothing new yet
  await mkdir(join(run, '.replaced-run'));
  for (const entry of await readdir(run)) if (entry !== '.replaced-run') await rename(join(run, entry), join(run, '.replaced-run', entry));
  await writeFile(join(run, 'train.json'), '{"version": 2, "half": "written"}');
  const again = await cli(trainArgs(run));
  t.is(again.code, 3, again.err);
  t.regex(again.err, /already holds a trained run: 1 epoch/);
  t.is(await readFile(join(run, 'metrics.jsonl'), 'utf8'), metrics);
  t.false((await readdir(run)).includes('.replaced-run'));
});

test.serial('a non-empty folder that holds no run is refused unless --force, which leaves its files alone', async (t) => {
  const dir = join(work, 'mine');
  await mkdir(dir);
  await writeFile(join(dir, 'notes.txt'), 'my notes');
  const refused = await cli(trainArgs(dir));
  t.is(refused.code, 3);
  t.regex(refused.err, /is not empty and holds no cxr8 run \(found notes\.txt\); nothing was written/);
  t.deepEqual(await readdir(dir), ['notes.txt']);
  t.is((await cli(trainArgs(dir, '--force'))).code, 0);
  t.is(await readFile(join(dir, 'notes.txt'), 'utf8'), 'my notes');
  const file = join(work, 'a-file');
  await writeFile(file, 'x');
  const onFile = await cli(trainArgs(file));
  t.is(onFile.code, 3);
  t.regex(onFile.err, /is a file; expected a run folder/);
});

test.serial('--resume keeps the recorded options: another value is refused naming both, a missing flag keeps the record', async (t) => {
  const run = join(work, 'resume');
  t.is((await cli(trainArgs(run, '--patience', '1', '--lr', '0.002'))).code, 0);
  const recorded = await readFile(join(run, 'train.json'), 'utf8');
  const mismatch = await cli(['train', '--data', data, '--out', run, '--resume', '--image-size', '16', '--lr', '0.002', '--backend', 'wasm']);
  t.is(mismatch.code, 3, mismatch.err);
  t.regex(mismatch.err, /--image-size: recorded 32, given 16/);
  t.notRegex(mismatch.err, /--lr:/);
  t.is(await readFile(join(run, 'train.json'), 'utf8'), recorded, 'train.json unchanged by a refused resume');
  // no flags: the recorded patience, lr and image size are kept; --epochs may be raised
  const resumed = await cli(['train', '--data', data, '--out', run, '--resume', '--epochs', '2', '--backend', 'wasm']);
  t.is(resumed.code, 0, resumed.err);
  t.regex(resumed.out, /resumed after epoch 1/);
  const record = JSON.parse(await readFile(join(run, 'train.json'), 'utf8'));
  t.is(record.version, 2);
  t.like(record.options, { patience: 1, lr: 0.002, imageSize: 32, epochs: 2, batchSize: 8 });
  t.like(record.dataset, { size: 32, train: 16, val: 8 });
  const config = JSON.parse(await readFile(join(run, 'config.json'), 'utf8'));
  t.is(config.model.imageSize, record.options.imageSize);
});

test.serial('an image size above the shards is refused with the --shard-size hint, unless --allow-upsample', async (t) => {
  const run = join(work, 'upsample');
  const refused = await cli(['train', '--data', data, '--out', run, '--epochs', '1', '--batch-size', '8', '--image-size', '64', '--backend', 'wasm']);
  t.is(refused.code, 3);
  t.regex(refused.err, /image size 64 is larger than the 32 px images of the shards .*manifest\.json.*--shard-size 64.*--allow-upsample/);
  t.is((await cli(trainArgs(run, '--image-size', '40', '--allow-upsample'))).code, 0);
});

test.serial('early stopping is said: when, why, and how to turn it off', async (t) => {
  const run = join(work, 'early');
  const r = await cli(trainArgs(run, '--epochs', '4', '--patience', '1', '--lr', '1e-12'));
  t.is(r.code, 0, r.err);
  t.regex(r.out, /stopped early after epoch 2 of 4: no better mean validation AUC for 1 epoch \(--patience 1; --patience 0 turns early stopping off\)/);
  // resuming a run that stopped early trains nothing more and says so
  const again = await cli(['train', '--data', data, '--out', run, '--resume', '--backend', 'wasm']);
  t.is(again.code, 0);
  t.regex(again.out, /stopped early after epoch 2 of 4/);
});

test('each subcommand --help lists its own flags with the defaults the code uses', async (t) => {
  const train = await cli(['train', '--help']);
  t.is(train.code, 0);
  t.notRegex(train.out, /cxr8-train evaluate/);
  for (const flag of ['--data', '--out', '--epochs', '--batch-size', '--image-size', '--lr', '--backbone', '--seed', '--patience', '--resume', '--force', '--allow-upsample', '--backend']) {
    t.regex(train.out, new RegExp(`\\n +${flag} `), flag);
  }
  // yargs's layout (issue 11): a flag's lines end with "[default: VALUE]", on its last line or one of its own.
  const defaultOf = (help: string, flag: string): string | undefined =>
    new RegExp(`\\n +${flag} [^\\n]*(?:\\n {20,}[^\\n]*)*?\\[default: ([^\\]]+)\\]`).exec(help)?.[1];
  t.is(defaultOf(train.out, '--epochs'), String(DEFAULT_TRAIN_OPTIONS.epochs));
  t.is(defaultOf(train.out, '--batch-size'), String(DEFAULT_TRAIN_OPTIONS.batchSize));
  t.is(defaultOf(train.out, '--lr'), String(DEFAULT_TRAIN_OPTIONS.lr));
  t.is(defaultOf(train.out, '--seed'), String(DEFAULT_TRAIN_OPTIONS.seed));
  t.is(defaultOf(train.out, '--patience'), String(DEFAULT_TRAIN_OPTIONS.patience));
  t.is(defaultOf(train.out, '--backbone'), DEFAULT_TRAIN_OPTIONS.backbone);
  t.is(defaultOf(train.out, '--input-norm'), DEFAULT_TRAIN_OPTIONS.inputNorm);
  t.is(defaultOf(train.out, '--output-stride'), String(DEFAULT_TRAIN_OPTIONS.outputStride));
  t.regex(train.out, /early stopping: stop after N epochs without a better mean validation/);
  const evaluate = await cli(['evaluate', '--help']);
  t.is(defaultOf(evaluate.out, '--map-size'), '256');
  t.is(defaultOf(evaluate.out, '--split'), 'test');
  t.is(defaultOf(evaluate.out, '--overlays'), '12');
  t.is(defaultOf(evaluate.out, '--scaling'), 'positive');
  t.is(defaultOf(evaluate.out, '--boxes'), 'strong');
  const phantoms = await cli(['phantoms', '--help']);
  t.is(defaultOf(phantoms.out, '-n'), '100', 'yargs shows a one-letter flag as -n; --n is the same flag');
  t.is(phantoms.out, `${COMMAND_HELP['phantoms']}`);
});

test.serial('phantoms: a used folder is refused unless --force; a phantom set is replaced whole, no stale images', async (t) => {
  const dir = join(work, 'phantoms');
  t.is((await cli(['phantoms', '--out', dir, '--n', '4', '--seed', '2'])).code, 0);
  t.is((await readdir(join(dir, 'images'))).length, 4);
  await writeFile(join(dir, 'bench-note.txt'), 'mine');
  t.is((await cli(['phantoms', '--out', dir, '--n', '2', '--seed', '3'])).code, 0);
  const images = await readdir(join(dir, 'images'));
  const listed = (await readFile(join(dir, 'Data_Entry.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(',')[0]);
  t.deepEqual(images.sort(), listed.sort(), 'the images are exactly those of the new Data_Entry.csv');
  t.is(images.length, 2);
  t.is(await readFile(join(dir, 'bench-note.txt'), 'utf8'), 'mine');
  t.false((await readdir(work)).some((e) => e.includes('.partial')));

  const used = join(work, 'used');
  await mkdir(join(used, 'images'), { recursive: true });
  await writeFile(join(used, 'images', 'x-ray.png'), 'not ours');
  const refused = await cli(['phantoms', '--out', used, '--n', '2']);
  t.is(refused.code, 3);
  t.regex(refused.err, /not empty and does not hold a phantom set \(phantoms\.json\) \(found images\)/);
  t.deepEqual(await readdir(join(used, 'images')), ['x-ray.png']);
  t.is((await cli(['phantoms', '--out', used, '--n', '2', '--force'])).code, 0);
  t.is((await readdir(join(used, 'images'))).length, 2);
});

test.serial('evaluate: writes nothing until complete, replaces an earlier evaluation whole, refuses other folders', async (t) => {
  const run = join(work, 'for-eval');
  t.is((await cli(trainArgs(run))).code, 0);
  const evalDir = join(run, 'eval');
  const args = (...more: string[]): string[] => ['evaluate', '--data', data, '--run', run, '--split', 'val', '--out', evalDir, '--map-size', '32', '--backend', 'wasm', ...more];
  const first = await cli(args('--overlays', '3'));
  t.is(first.code, 0, first.err);
  t.is((await readdir(join(evalDir, 'overlays'))).length, 3);
  const report = await readFile(join(evalDir, 'report.md'), 'utf8');
  t.notRegex(report, /PAPER\.md/);
  t.regex(report, /Wang, .*"ChestX-ray8: Hospital-scale Chest X-ray Database and Benchmarks on Weakly-Supervised Classification and Localization of Common Thorax Diseases", CVPR 2017/);

  // an interrupted evaluation leaves the earlier one as it was
  const controller = new AbortController();
  controller.abort();
  const stopped = await cli(args('--overlays', '0'), controller.signal);
  t.is(stopped.code, 130);
  t.regex(stopped.err, /evaluation interrupted after 0 of 8 images; .* was left as it was/);
  t.is((await readdir(join(evalDir, 'overlays'))).length, 3);
  t.is(await readFile(join(evalDir, 'report.md'), 'utf8'), report);

  const second = await cli(args('--overlays', '1'));
  t.is(second.code, 0);
  t.is((await readdir(join(evalDir, 'overlays'))).length, 1, 'no stale overlays of the earlier evaluation');
  t.false((await readdir(run)).some((e) => e.includes('.partial')));

  const refused = await cli(['evaluate', '--data', data, '--run', run, '--split', 'val', '--out', run, '--backend', 'wasm']);
  t.is(refused.code, 3, 'the run folder is not an evaluation folder');
  t.regex(refused.err, /does not hold an evaluation/);
});

test.serial('ROC curves and overlays stand alone: title, axes, tick labels and legends are drawn', async (t) => {
  if (!(await canRenderText())) {
    t.log('no font found by fontconfig: text cannot be drawn here (install fonts-dejavu-core); skipped');
    t.pass();
    return;
  }
  const run = join(work, 'for-eval');
  const evalDir = join(work, 'pictures');
  const r = await cli(['evaluate', '--data', data, '--run', run, '--split', 'val', '--out', evalDir, '--map-size', '32', '--overlays', '1', '--backend', 'wasm']);
  t.is(r.code, 0, r.err);
  t.notRegex(r.err, /warning/);
  /** Dark pixels (text, lines) in a region of a PNG. */
  const ink = async (file: string, region: { left: number; top: number; width: number; height: number }): Promise<number> => {
    const { data: px, info } = await sharp(file).extract(region).raw().toBuffer({ resolveWithObject: true });
    let n = 0;
    for (let i = 0; i < px.length; i += info.channels) if ((px[i] as number) < 100 && (px[i + 1] as number) < 100 && (px[i + 2] as number) < 100) n++;
    return n;
  };
  const roc = join(evalDir, 'roc', 'Square.png');
  const meta = await sharp(roc).metadata();
  t.is(meta.width, 480);
  t.true((await ink(roc, { left: 100, top: 5, width: 280, height: 30 })) > 100, 'a title');
  t.true((await ink(roc, { left: 0, top: 100, width: 22, height: 280 })) > 50, 'a y-axis label');
  t.true((await ink(roc, { left: 60, top: 455, width: 360, height: 25 })) > 100, 'an x-axis label');
  t.true((await ink(roc, { left: 30, top: 50, width: 28, height: 380 })) > 60, 'y tick labels');
  const overlays = await readdir(join(evalDir, 'overlays'));
  const overlay = join(evalDir, 'overlays', overlays[0] as string);
  const o = await sharp(overlay).metadata();
  t.is(o.width, 512);
  t.true((o.height as number) > 512, 'a legend band below the image');
  t.true((await ink(overlay, { left: 0, top: 512, width: 512, height: (o.height as number) - 512 })) > 300, 'legend text');
});

test.serial('Ctrl-C (SIGINT) in cxr8-train train exits 130 and says how to resume; --resume then finishes the run', async (t) => {
  const run = join(work, 'sigint');
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', join(here, 'helpers', 'run-cli.ts'), ...trainArgs(run, '--epochs', '200', '--patience', '0')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!sent && /epoch 1\/200: loss/.test(stderr)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  t.true(sent, stderr);
  t.is(code, 130, stderr);
  t.regex(stderr, /training interrupted in epoch \d+ of 200; .*checkpoint keeps epoch \d+/);
  t.regex(stderr, /to continue: cxr8-train train --data \S+ --out \S+ --resume/);
  const state = JSON.parse(await readFile(join(run, 'checkpoint', 'state.json'), 'utf8'));
  t.true(state.epoch >= 1);
  t.true((await stat(join(run, 'train.json'))).size > 0);
  const resumed = await cli(['train', '--data', data, '--out', run, '--resume', '--epochs', String(state.epoch + 1), '--backend', 'wasm']);
  t.is(resumed.code, 0, resumed.err);
  t.regex(resumed.out, new RegExp(`resumed after epoch ${state.epoch}, ${state.epoch + 1} of ${state.epoch + 1} epochs`));
});

// --- Off the path, as a new user (issue 13 follow-up): each case reproduced through main first ---

test.serial('train --data that is not a dataset is named with what it is instead, before the backend starts or --out is made', async (t) => {
  const root = join(work, 'not-datasets');
  await mkdir(join(root, 'phantoms', 'images'), { recursive: true });
  await writeFile(join(root, 'phantoms', 'Data_Entry.csv'), 'Image Index,Finding Labels\n');
  await mkdir(join(root, 'no-shards'), { recursive: true });
  await writeFile(join(root, 'no-shards', 'dataset.sqlite'), '');
  await mkdir(join(root, 'bad-manifest', 'shards'), { recursive: true });
  await writeFile(join(root, 'bad-manifest', 'shards', 'manifest.json'), '{bad');
  await mkdir(join(root, 'reports'), { recursive: true });
  await writeFile(join(root, 'reports', 'a.txt'), 'x');
  await writeFile(join(root, 'a-file'), 'x');
  const cases: Array<[string, RegExp]> = [
    ['nope', /nope: expected a dataset folder written by build-dataset, found no such folder/],
    ['a-file', /a-file: expected a dataset folder written by build-dataset, found a file/],
    ['phantoms', /phantoms: expected a dataset folder .*found an image set in the NIH layout .*build-dataset import-nih --data-entry .*phantoms\/Data_Entry\.csv/],
    ['no-shards', /no-shards: expected a dataset with training shards .*found a dataset built without them .*--shard-size/],
    ['bad-manifest', /bad-manifest\/shards\/manifest\.json: expected the JSON shard manifest build-dataset writes, found a file that is not JSON/],
    ['reports', /reports: expected a dataset folder written by build-dataset \(dataset\.sqlite, shards\/manifest\.json\), found a\.txt/],
  ];
  for (const [name, expected] of cases) {
    const out = join(root, `run-${name}`);
    const r = await cli(['train', '--data', join(root, name), '--out', out, '--epochs', '1', '--image-size', '32', '--backend', 'wasm']);
    t.is(r.code, 3, `${name}: ${r.err}`); // issue 11: a folder that is not a dataset is exit 3 (was 1)
    // Before: "cannot read the shard manifest (build the dataset with shards first)" for all of them, after the backend line.
    t.regex(r.err, expected, name);
    t.notRegex(r.out, /backend/, name);
    t.false((await readdir(root)).includes(`run-${name}`), `${name}: no --out folder`);
  }
  const runAsData = await cli(['train', '--data', join(work, 'kept'), '--out', join(root, 'x'), '--backend', 'wasm']);
  t.regex(runAsData.err, /kept: expected a dataset folder written by build-dataset, found a run folder of cxr8-train .*give the run as --run/);
});

test.serial('a shard missing or cut short is named before training; nothing is trained and --out is not made', async (t) => {
  const copy = join(work, 'broken-shards');
  await mkdir(join(copy, 'shards'), { recursive: true });
  for (const entry of await readdir(join(data, 'shards'))) await writeFile(join(copy, 'shards', entry), await readFile(join(data, 'shards', entry)));
  await rm(join(copy, 'shards', 'val-00000.cxs'));
  const shard = await readFile(join(copy, 'shards', 'train-00000.cxs'));
  await writeFile(join(copy, 'shards', 'train-00000.cxs'), shard.subarray(0, 3000));
  const out = join(work, 'run-broken-shards');
  const r = await cli(['train', '--data', copy, '--out', out, '--epochs', '1', '--image-size', '32', '--backend', 'wasm']);
  t.is(r.code, 3, r.err); // issue 11: exit 3, unusable input (was 1)
  // Before: the first epoch trained, then "cannot read the shard (ENOENT ...)", and --out kept a train.json that
  // made the next start a refusal.
  t.regex(r.err, /broken-shards\/shards: expected every shard that manifest\.json lists for train and val, found 2 not usable: /);
  t.regex(r.err, /train-00000\.cxs: expected at least [\d,]+ bytes for 16 images of 32 px, found 3,000 \(cut short\?\)/);
  t.regex(r.err, /val-00000\.cxs \(val, 8 images\): missing/);
  t.notRegex(r.out, /backend/);
  await t.throwsAsync(stat(out));
  const evaluate = await cli(['evaluate', '--data', copy, '--run', join(work, 'kept'), '--split', 'val', '--out', join(work, 'eval-broken'), '--backend', 'wasm']);
  t.is(evaluate.code, 3);
  t.regex(evaluate.err, /lists for val, found 1 not usable: val-00000\.cxs \(val, 8 images\): missing/);
  await t.throwsAsync(stat(join(work, 'eval-broken')));
});

test.serial('a run stopped before its first epoch was saved does not block the same command, and --resume starts it', async (t) => {
  const run = join(work, 'stopped-early');
  const controller = new AbortController();
  controller.abort();
  const stopped = await cli(trainArgs(run, '--batch-size', '4'), controller.signal);
  t.is(stopped.code, 130, stopped.err);
  t.regex(stopped.err, /no epoch had finished, so there is nothing to resume: run the command again/);
  t.deepEqual(await readdir(run), ['train.json']);
  // Before: "already holds a trained model or an unfinished run ... Pass --resume" (exit 3), and --resume then
  // failed with "there is no checkpoint/state.json to resume from" (exit 1).
  const again = await cli(trainArgs(run, '--batch-size', '4'));
  t.is(again.code, 0, again.err);
  t.is((await readFile(join(run, 'metrics.jsonl'), 'utf8')).trim().split('\n').length, 1);

  const other = join(work, 'stopped-early-resume');
  t.is((await cli(trainArgs(other, '--batch-size', '4'), controller.signal)).code, 130);
  const resumed = await cli(['train', '--data', data, '--out', other, '--resume', '--backend', 'wasm']);
  t.is(resumed.code, 0, resumed.err);
  const record = JSON.parse(await readFile(join(other, 'train.json'), 'utf8')) as { options: { batchSize: number; epochs: number } };
  t.is(record.options.batchSize, 4, 'the recorded options of the stopped run are kept');
  t.is(record.options.epochs, 1);

  const nothing = await cli(['train', '--data', data, '--out', join(work, 'never-ran'), '--resume', '--backend', 'wasm']);
  t.is(nothing.code, 3); // issue 11: nothing to resume is an unusable --out, exit 3 (was 1)
  t.regex(nothing.err, /never-ran: --resume expected a run folder to continue \(checkpoint\/state\.json\), found no such folder; start a new run without --resume/);
});

test.serial('evaluate --run on a folder that holds no model says what it holds; --split without images names the others', async (t) => {
  const root = join(work, 'not-runs');
  await mkdir(join(root, 'empty'), { recursive: true });
  await mkdir(join(root, 'started'), { recursive: true });
  await writeFile(join(root, 'started', 'train.json'), '{}');
  const cases: Array<[string, RegExp]> = [
    [join(root, 'nope'), /nope: expected a run folder written by cxr8-train train \(config\.json, weights\.json, weights\.bin\), found no such folder/],
    [join(root, 'empty'), /empty: expected a run folder .*, found an empty folder/],
    [join(root, 'started'), /started: expected a run folder .*, found a run that has not finished its first epoch yet/],
    [data, /expected a run folder .*, found a dataset folder: give it as --data, and the run trained on it as --run/],
  ];
  for (const [run, expected] of cases) {
    const out = join(root, 'eval');
    const r = await cli(['evaluate', '--data', data, '--run', run, '--split', 'val', '--out', out, '--backend', 'wasm']);
    t.is(r.code, 3, r.err); // issue 11: a --run without a model is exit 3 (was 1)
    // Before: "cannot read config.json (found no files)" with an ENOENT cause, also for a folder that does not exist.
    t.regex(r.err, expected);
    t.notRegex(r.out, /backend/);
    await t.throwsAsync(stat(out));
  }
  const noTest = await cli(['evaluate', '--data', data, '--run', join(work, 'kept'), '--split', 'test', '--out', join(root, 'eval'), '--backend', 'wasm']);
  t.is(noTest.code, 3);
  t.regex(noTest.err, /the test split has no images \(shards: .*\); splits with images: val, train \(--split val\)/);
});

test('a mistyped flag is answered with the nearest one; an empty or out-of-range value is a usage error (exit 2)', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['train', '--data', 'd', '--out', 'o', '--epoch', '2'], /train: unknown flag --epoch; did you mean --epochs\?/],
    [['train', '--data', 'd', '--out', 'o', '--image_size', '32'], /unknown flag --image_size; did you mean --image-size\?/],
    [['evaluate', '--data', 'd', '--runs', 'r', '--out', 'o'], /evaluate: unknown flag --runs; did you mean --run\?/],
    [['phantoms', '--out', 'o', '--seeds', '2'], /unknown flag --seeds; did you mean --seed\?/],
    [['train', '--data', '', '--out', 'o'], /train: --data expects a value, found an empty string/],
    [['evaluate', '--data', 'd', '--run', 'r', '--out='], /evaluate: --out expects a value, found an empty string/],
    // Before: exit 1 after the backend started ("invalid option epochs ..."), against the help's "2 usage error".
    [['train', '--data', 'd', '--out', 'o', '--epochs', '0'], /train: --epochs expects an integer >= 1, found 0/],
    [['train', '--data', 'd', '--out', 'o', '--lr', '-1'], /train: --lr expects a number > 0, found -1/],
    [['train', '--data', 'd', '--out', 'o', '--image-size', '20'], /--image-size expects an integer >= 16 and a multiple of 8, found 20/],
    [['train', '--data', 'd', '--out', 'o', '--backend', 'gpu'], /--backend expects one of tensorflow, wasm, cpu, found "gpu"/],
    [['train', '--data', 'd', '--out', 'o', '--output-stride', '2'], /--output-stride expects one of 4, 8, 16, found "?2"?/],
    [['evaluate', '--data', 'd', '--run', 'r', '--out', 'o', '--map-size', '3'], /--map-size expects an integer from 8 to 4096, found 3/],
    [['evaluate', '--data', 'd', '--run', 'r', '--out', 'o', '--split', 'Test'], /--split expects one of train, val, test, found "Test"/],
    [['phantoms', '--out', 'o', '--n', '0'], /phantoms: --n expects an integer >= 1, found 0/],
  ];
  for (const [args, expected] of cases) {
    const r = await cli(args);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.err, expected, args.join(' '));
  }
});

/** A folder this process cannot write into: a chmod 555 one, or, for root (who writes anywhere), /proc/sys. */
async function readOnlyFolder(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) {
    const ro = join(work, 'read-only');
    await mkdir(ro, { recursive: true });
    await chmod(ro, 0o555);
    return ro;
  }
  try {
    await access('/proc/sys', constants.W_OK);
    return undefined;
  } catch {
    return '/proc/sys';
  }
}

test.serial('an --out that cannot be written is refused (exit 3) before any work, for train, evaluate and phantoms', async (t) => {
  const ro = await readOnlyFolder();
  if (ro === undefined) {
    t.pass('skipped: no folder here that this process cannot write');
    return;
  }
  t.teardown(() => (ro.startsWith(work) ? chmod(ro, 0o755) : Promise.resolve()));
  const runs: Array<[string[], RegExp]> = [
    // Before: exit 70, "internal error (please report it): Error: ENOENT: no such file or directory, mkdir ..." and a stack.
    [trainArgs(join(ro, 'cxr8-run', 'deeper')), /--out .*cxr8-run\/deeper cannot be written: .* is not writable \((permission denied|read-only file system)\); nothing was trained/],
    // Before: exit 1, "cannot create the output folder ..." with an ENOENT cause.
    [['evaluate', '--data', data, '--run', join(work, 'kept'), '--split', 'val', '--out', join(ro, 'cxr8-eval'), '--backend', 'wasm'], /evaluate: --out .*cxr8-eval cannot be written: .* is not writable/],
    [['phantoms', '--out', join(ro, 'cxr8-phantoms'), '--n', '2'], /phantoms: --out .*cxr8-phantoms cannot be written: .* is not writable/],
  ];
  for (const [args, expected] of runs) {
    const r = await cli(args);
    t.is(r.code, 3, `${args[0]}: ${r.err}`);
    t.regex(r.err, expected);
    t.notRegex(r.err, /internal error|    at /);
  }
});

test('an --out whose parent exists but takes no folder (/proc, a dangling link) is exit 3 at once, not a hang', async (t) => {
  await symlink(join(work, 'no-such-disk'), join(work, 'dangling'));
  const parents = [join(work, 'dangling'), ...(existsSync('/proc/self') ? ['/proc/cxr8-no-such'] : [])];
  for (const parent of parents) {
    const phantoms = await cli(['phantoms', '--out', join(parent, 'p'), '--n', '4']);
    t.is(phantoms.code, 3, phantoms.err);
    const trained = await cli(trainArgs(join(parent, 'run')));
    t.is(trained.code, 3, trained.err);
    t.regex(trained.err, /no such file or directory|does not exist|ENOENT/);
  }
});
