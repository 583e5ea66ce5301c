import test from 'ava';
import { join } from 'node:path';
import { buildDataset } from '../src/pipeline.js';
import type { BuildOptions } from '../src/pipeline.js';
import { exitCodeOf, main } from '../src/cli.js';
import { RebuildRefusedError, UsageError } from '../src/errors.js';
import { makePacs } from './helpers/pacs.js';

const quick = { size: 16, shardSize: 0, workers: 0, progress: null } as const;

test('a rebuild with another --size, --keep-report-text, --seed or --split throws a RebuildRefusedError naming the option (exit 3); nothing changes', async (t) => {
  const pacs = await makePacs();
  const options: BuildOptions = { dicomDir: pacs.dicom, reports: [pacs.reports], out: join(pacs.root, 'out'), ...quick };
  const first = await buildDataset(options);
  t.true(first.images.rendered > 0);
  const cases: [Partial<BuildOptions>, string, RegExp][] = [
    [{ size: 32 }, '--size', /^@cxr8\/dataset-builder: --size: this dataset's PNGs were made at 16 px, found --size 32; /],
    [{ keepReportText: true }, '--keep-report-text', /^@cxr8\/dataset-builder: --keep-report-text: this dataset was built without it, found a run with it; /],
    [{ seed: 'other' }, '--seed', /^@cxr8\/dataset-builder: --seed: this dataset was split with seed "cxr8", found "other"; /],
    [{ split: { train: 0.5, val: 0.25, test: 0.25 } }, '--split', /^@cxr8\/dataset-builder: --split: this dataset was split with split "0\.7,0\.1,0\.2", found "0\.5,0\.25,0\.25"; /],
  ];
  for (const [extra, option, message] of cases) {
    const error = await t.throwsAsync(buildDataset({ ...options, ...extra }), { instanceOf: RebuildRefusedError, message });
    t.is(error?.option, option);
    t.false(error instanceof UsageError, `${option}: a refused rebuild is not a usage error`);
    t.is(exitCodeOf(error, 'run'), 3);
  }
  // Nothing was rendered again or moved by the refused runs.
  const again = await buildDataset(options);
  t.is(again.images.renderedThisRun, 0);
  t.deepEqual(again.splits, first.splits);
});

test('the CLI exits 3 on a refused rebuild by the error\'s class; a UsageError that reads like a refusal stays exit 2', async (t) => {
  const pacs = await makePacs();
  const base = ['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', join(pacs.root, 'out'), '--quiet', '--workers', '0', '--size', '16', '--shard-size', '0'];
  const io = () => {
    const text = { stdout: '', stderr: '' };
    return { text, io: { stdout: { write: (s: string) => (text.stdout += s) }, stderr: { write: (s: string) => (text.stderr += s) } } };
  };
  const first = io();
  t.is(await main(base, first.io), 1, first.text.stderr);
  const refused = io();
  t.is(await main([...base, '--seed', 'other'], refused.io), 3);
  t.regex(refused.text.stderr, /--seed: this dataset was split with seed "cxr8", found "other"; .*build into a new --out/);
  // The exit code follows the class, not the words of the message (cli.ts matched message text before).
  t.is(exitCodeOf(new UsageError('--seed: this dataset was split with seed "cxr8", found "other"'), 'run'), 2);
  t.is(exitCodeOf(new RebuildRefusedError('--size', 'this dataset\'s PNGs were made at 16 px, found --size 32'), 'parse'), 3);
});
