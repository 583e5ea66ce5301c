import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputError } from '../src/errors.js';
import { labelFiles } from '../src/label-files.js';
import { readResumePoint, resumeKey } from '../src/resume.js';
import { createWriter } from '../src/writers/index.js';

const TEXTS = [
  'FINDINGS: Large right pleural effusion. No pneumothorax.',
  'IMPRESSION: No acute cardiopulmonary disease.',
  'FINDINGS: Mild cardiomegaly. Bibasilar atelectasis.\nIMPRESSION: Possible early pneumonia.',
  'FINDINGS: The lungs are clear. Heart size normal.',
  'IMPRESSION: 1. Left upper lobe mass. 2. No effusion, "stable" nodule.',
];

const jsonl = (ids: readonly string[]): string => ids.map((id, i) => `${JSON.stringify({ id, text: TEXTS[i % TEXTS.length] })}\n`).join('');
const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `r${i}`);

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-resume-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** An uninterrupted run's output, and a partial file holding its first `rows` rows plus `torn` characters of the next. */
async function interrupted(dir: string, format: 'csv' | 'jsonl' | 'chexpert' | 'nih', rows: number, torn: number, input = 'in.jsonl'): Promise<string> {
  await labelFiles({ inputs: [input], cwd: dir, out: `full.${format}`, format });
  const full = await readFile(join(dir, `full.${format}`), 'utf8');
  const header = createWriter(format).header;
  let end = header.length;
  for (let i = 0; i < rows; i++) end = nextRowEnd(full, end, format);
  await writeFile(join(dir, `out.${format}.partial`), full.slice(0, end + torn));
  return full;
}

/** Where the row starting at `from` ends (a chexpert row's quoted text may hold line breaks). */
function nextRowEnd(text: string, from: number, format: string): number {
  if (format !== 'chexpert' || text[from] !== '"') return text.indexOf('\n', from) + 1;
  let i = from + 1;
  for (;;) {
    const q = text.indexOf('"', i);
    if (text[q + 1] === '"') i = q + 2;
    else return text.indexOf('\n', q) + 1;
  }
}

test('readResumePoint keeps the whole rows of a csv partial file and leaves out a torn last row', async (t) => {
  const dir = await tempDir(t);
  const whole = `${createWriter('csv').header}r0,,,1,,,,,,,,,,,,\nr1,,,0,,,,,,,,,,,,1\n`;
  await writeFile(join(dir, 'p.csv'), `${whole}r2,,1,`);
  t.deepEqual(await readResumePoint(join(dir, 'p.csv'), 'csv', createWriter('csv').header), {
    bytes: whole.length,
    header: true,
    keys: ['r0', 'r1'],
  });
});

test('readResumePoint leaves out a chexpert row torn inside its quoted, multi-line report text', async (t) => {
  const dir = await tempDir(t);
  const header = createWriter('chexpert').header;
  const whole = `"No effusion.\nNo pneumothorax.",1.0,,,,,,,,,,0.0,,,\n`;
  await writeFile(join(dir, 'p.csv'), `${header}${whole}"Mild cardiomegaly.\nBibasilar`);
  const point = await readResumePoint(join(dir, 'p.csv'), 'chexpert', header);
  t.deepEqual(point.keys, [resumeKey('chexpert', { id: 'any', text: 'No effusion.\nNo pneumothorax.' })]);
});

test('readResumePoint reads a jsonl partial file up to its last whole line', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'p.jsonl'), '{"id":"a","labels":{},"evidence":[]}\n{"id":"b","labels":{},"evidence":[]}\n{"id":"c","lab');
  t.deepEqual((await readResumePoint(join(dir, 'p.jsonl'), 'jsonl', '')).keys, ['a', 'b']);
});

test('readResumePoint says a partial file written with other options is not this run\'s, and leaves it alone', async (t) => {
  const dir = await tempDir(t);
  const eight = `${createWriter('csv', { labelSet: '8' }).header}r0,,,1,,,,,,\n`;
  await writeFile(join(dir, 'out.csv.partial'), eight);
  await t.throwsAsync(labelFiles({ inputs: [], cwd: dir, out: 'out.csv', resume: true }), {
    instanceOf: OutputError,
    message: /out\.csv\.partial: expected the header "id,Atelectasis,.*,Hernia,No Finding", found .*: it was written by a run with other options/,
  });
  t.is(await readFile(join(dir, 'out.csv.partial'), 'utf8'), eight);
});

for (const format of ['csv', 'jsonl', 'chexpert', 'nih'] as const) {
  test(`--resume (${format}): a partial file with a torn last row is finished into the uninterrupted run's output`, async (t) => {
    const dir = await tempDir(t);
    await writeFile(join(dir, 'in.jsonl'), jsonl(ids(40)));
    const full = await interrupted(dir, format, 17, 5);
    await labelFiles({ inputs: ['in.jsonl'], cwd: dir, out: `out.${format}`, format, resume: true });
    t.is(await readFile(join(dir, `out.${format}`), 'utf8'), full);
  });
}

test('--resume labels only the reports the partial file does not hold', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'in.jsonl'), jsonl(ids(40)));
  await interrupted(dir, 'csv', 17, 5);
  const summary = await labelFiles({ inputs: ['in.jsonl'], cwd: dir, out: 'out.csv', resume: true });
  t.deepEqual([summary.resumed, summary.labeled], [17, 23]);
});

test('--resume with repeated ids: the first report of an id is kept, in the interrupted run and in the resumed one', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'in.jsonl'), jsonl(['a', 'b', 'a', 'c', 'a', 'd']));
  const full = await interrupted(dir, 'csv', 2, 0);
  t.deepEqual(full.trim().split('\n').slice(1).map((row) => row.split(',')[0]), ['a', 'b', 'c', 'd']);
  const summary = await labelFiles({ inputs: ['in.jsonl'], cwd: dir, out: 'out.csv', resume: true });
  t.is(await readFile(join(dir, 'out.csv'), 'utf8'), full);
  t.deepEqual([summary.resumed, summary.labeled, summary.duplicates], [2, 2, 2]);
});

test('--resume with a partial file whose header is torn starts over', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'in.jsonl'), jsonl(ids(5)));
  const full = await interrupted(dir, 'csv', 0, 0);
  await writeFile(join(dir, 'out.csv.partial'), 'id,Atelec');
  await labelFiles({ inputs: ['in.jsonl'], cwd: dir, out: 'out.csv', resume: true });
  t.is(await readFile(join(dir, 'out.csv'), 'utf8'), full);
});

test('--resume without a partial file is an ordinary run', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'in.jsonl'), jsonl(ids(5)));
  const summary = await labelFiles({ inputs: ['in.jsonl'], cwd: dir, out: 'out.csv', resume: true });
  t.deepEqual([summary.resumed, summary.labeled], [0, 5]);
});

test('--resume reports rows of the partial file that match no input report (changed inputs)', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'in.jsonl'), jsonl(ids(5)));
  await interrupted(dir, 'csv', 2, 0);
  await writeFile(join(dir, 'in.jsonl'), jsonl(['x', 'y']));
  const summary = await labelFiles({ inputs: ['in.jsonl'], cwd: dir, out: 'out.csv', resume: true });
  t.regex(summary.failures[0]?.reason ?? '', /found 2 that match none \(were the inputs changed\?\)/);
});

test('--resume needs an output file', async (t) => {
  await t.throwsAsync(labelFiles({ inputs: [], out: process.stdout, resume: true }), { instanceOf: OutputError, message: /expected an output file \(--out FILE\) to resume/ });
});

const CLI = new URL('../src/cli.ts', import.meta.url).href;

/** Runs `label-reports` in a child process (from the sources, as the tests do). */
function spawnCli(args: readonly string[], cwd: string) {
  const code = `const { main } = await import(${JSON.stringify(CLI)}); process.exitCode = await main(JSON.parse(process.env.CXR8_CLI_ARGS));`;
  return spawn(process.execPath, [`--import=${import.meta.resolve('tsx')}`, '--conditions=source', '--input-type=module', '-e', code], {
    cwd,
    env: { ...process.env, CXR8_CLI_ARGS: JSON.stringify(args) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

test('a run killed with SIGKILL mid-run, then resumed with --resume, writes the uninterrupted output', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'in.jsonl'), jsonl(ids(60_000)));
  await labelFiles({ inputs: ['in.jsonl'], cwd: dir, out: 'full.csv' });

  const stopped = await interruptCli(dir, 'SIGKILL');
  t.is(stopped.signal, 'SIGKILL');
  t.false(existsSync(join(dir, 'out.csv')));
  const kept = (await readFile(join(dir, 'out.csv.partial'), 'utf8')).split('\n').length - 2;
  t.log(`killed after ${kept} rows`);

  const second = spawnCli(['in.jsonl', '--out', 'out.csv', '--resume'], dir);
  let stderr = '';
  second.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => second.on('exit', (c) => resolve(c)));
  t.is(code, 0, stderr);
  t.regex(stderr, / kept from out\.csv\.partial/);
  t.is(await readFile(join(dir, 'out.csv'), 'utf8'), await readFile(join(dir, 'full.csv'), 'utf8'));
});

/** Starts `label-reports in.jsonl --out out.csv` and sends `signal` once some rows are on disk. */
async function interruptCli(dir: string, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const header = createWriter('csv').header.length;
  const child = spawnCli(['in.jsonl', '--out', 'out.csv', '--quiet'], dir);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig })));
  // Interrupt as soon as some rows are on disk: the run is then mid-way (the tests give it
  // 60,000 reports or more: seconds of work).
  for (;;) {
    const size = (await stat(join(dir, 'out.csv.partial')).catch(() => undefined))?.size ?? 0;
    if (size > header + 1000 || child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  child.kill(signal);
  return { ...(await exited), stderr };
}

test('Ctrl-C (SIGINT) exits 130, keeps the whole rows in FILE.partial and says to run again with --resume', async (t) => {
  const dir = await tempDir(t);
  // Enough reports that the run is still going when the signal arrives, even on a busy machine (the run is stopped
  // after its first rows, so their number costs only the input file).
  await writeFile(join(dir, 'in.jsonl'), jsonl(ids(300_000)));
  const stopped = await interruptCli(dir, 'SIGINT');
  t.is(stopped.code, 130);
  t.regex(stopped.stderr, /interrupted\nlabel-reports: the rows written so far are in out\.csv\.partial; run the same command with --resume to finish/);
  const point = await readResumePoint(join(dir, 'out.csv.partial'), 'csv', createWriter('csv').header);
  t.is(point.bytes, (await stat(join(dir, 'out.csv.partial'))).size); // whole rows only
});

test('a CLI run reads JSONL piped to its standard input as "-"', async (t) => {
  const dir = await tempDir(t);
  const child = spawnCli(['-', '--quiet'], dir);
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stdin.end(jsonl(['s1', 's2']));
  await new Promise((resolve) => child.on('exit', resolve));
  t.deepEqual(stdout.trim().split('\n').slice(1).map((row) => row.split(',')[0]), ['s1', 's2']);
});
