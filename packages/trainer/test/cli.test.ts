import test from 'ava';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, parseFlags } from '../src/cli.js';
import { UsageError } from '../src/errors.js';

function capture(): { io: { out: (l: string) => void; err: (l: string) => void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l) => out.push(l), err: (l) => err.push(l) }, out, err };
}

test('parseFlags reads --flag value, --flag=value and booleans, typed', (t) => {
  const spec = { types: { out: 'string', n: 'integer', lr: 'number', resume: 'boolean' } as const, required: ['out'] };
  t.deepEqual(parseFlags(['--out', 'x', '--n=3', '--lr', '1e-3', '--resume'], spec, 'train'), { out: 'x', n: 3, lr: 0.001, resume: true });
  t.throws(() => parseFlags(['--n', '3'], spec, 'train'), { instanceOf: UsageError, message: /train: missing --out/ });
  t.throws(() => parseFlags(['--out', 'x', '--n', '2.5'], spec, 'train'), { instanceOf: UsageError, message: /--n expects an integer, found "2.5"/ });
  t.throws(() => parseFlags(['--out', 'x', '--lr', 'fast'], spec, 'train'), { instanceOf: UsageError, message: /--lr expects a number, found "fast"/ });
  t.throws(() => parseFlags(['--out'], spec, 'train'), { instanceOf: UsageError, message: /--out expects a value/ });
  t.throws(() => parseFlags(['--out', 'x', '--epoch', '3'], spec, 'train'), { instanceOf: UsageError, message: /unknown flag --epoch \(expected one of --out, --n/ });
  t.throws(() => parseFlags(['out'], spec, 'train'), { instanceOf: UsageError, message: /expected a flag like --out DIR, found "out"/ });
});

test('--help prints the usage and exits 0; no command exits 2', async (t) => {
  const c = capture();
  t.is(await main(['--help'], c.io), 0);
  t.regex(c.out.join('\n'), /cxr8-train train +--data DATASET_DIR --out RUN_DIR/);
  t.regex(c.out.join('\n'), /cxr8-train evaluate +--data DATASET_DIR --run RUN_DIR/);
  t.regex(c.out.join('\n'), /cxr8-train phantoms +--out DIR/);
  t.is(await main(['evaluate', '--help'], capture().io), 0);
  t.is(await main([], capture().io), 2);
});

test('usage errors exit 2 with a message that says what was expected', async (t) => {
  const c = capture();
  t.is(await main(['fit'], c.io), 2);
  t.regex(c.err.join('\n'), /^@cxr8\/trainer: unknown command "fit": expected train, evaluate or phantoms/);
  const d = capture();
  t.is(await main(['phantoms', '--n', 'ten', '--out', 'x'], d.io), 2);
  t.regex(d.err.join('\n'), /--n expects an integer, found "ten"/);
  const e = capture();
  t.is(await main(['evaluate', '--data', 'd', '--run', 'r', '--out', 'o', '--split', 'dev'], e.io), 2);
  t.regex(e.err.join('\n'), /--split expects one of train, val, test, found "dev"/);
});

test('a run on an input that is not usable exits 3 and names the file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const c = capture();
  t.is(await main(['evaluate', '--data', join(dir, 'missing'), '--run', dir, '--out', join(dir, 'eval'), '--backend', 'cpu'], c.io), 3); // issue 11: was 1
  t.notRegex(c.out.join('\n'), /backend/, 'a wrong --data is named before the backend starts');
  t.regex(c.err.join('\n'), /missing: expected a dataset folder written by build-dataset, found no such folder/);
});

test('phantoms writes a small NIH-layout dataset and exits 0', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const c = capture();
  t.is(await main(['phantoms', '--out', dir, '--n', '3', '--seed', '2'], c.io), 0);
  t.regex(c.out.join('\n'), /3 phantom images/);
  t.deepEqual((await readdir(dir)).sort(), ['BBox_List.csv', 'Data_Entry.csv', 'images', 'phantoms.json', 'test_list.txt', 'train_val_list.txt']);
  t.is((await readdir(join(dir, 'images'))).length, 3);
});
