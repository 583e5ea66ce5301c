import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { LexiconError } from '../src/errors.js';
import { labelFiles } from '../src/label-files.js';
import type { ReportRecord } from '../src/readers/records.js';
import { threadCpuSeconds } from '../src/thread-cpu.js';
import { createLabelingEngine } from '../src/workers.js';

const TEXTS = [
  'FINDINGS: Large right pleural effusion. No pneumothorax.',
  'IMPRESSION: No acute cardiopulmonary disease.',
  'FINDINGS: Mild cardiomegaly. Bibasilar atelectasis.\nIMPRESSION: Possible early pneumonia.',
  'FINDINGS: The lungs are clear. Heart size normal.',
  'IMPRESSION: 1. Left upper lobe mass. 2. No effusion.',
];

const reports = (n: number, offset = 0): ReportRecord[] =>
  Array.from({ length: n }, (_, i) => ({ id: `r${offset + i}`, text: TEXTS[(offset + i) % TEXTS.length] as string, source: `r${offset + i}.txt` }));

test('a pool of 2 threads gives the same rows, in the same order, as the calling thread', async (t) => {
  const batches = [reports(50), reports(7, 50), reports(120, 57), reports(1, 177)];
  const inline = await createLabelingEngine({ format: 'jsonl', workers: 1 });
  const pool = await createLabelingEngine({ format: 'jsonl', workers: 2 });
  try {
    t.is(pool.workers, 2);
    const expected = (await Promise.all(batches.map((b) => inline.label(b)))).map((r) => r.output).join('');
    // Submitted all at once: the threads finish in any order, the promises are awaited in submission order.
    const actual = (await Promise.all(batches.map((b) => pool.label(b)))).map((r) => r.output).join('');
    t.is(actual, expected);
    t.deepEqual(actual.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id), reports(178).map((r) => r.id));
  } finally {
    await Promise.all([inline.close(), pool.close()]);
  }
});

test('labelFiles writes byte-identical output with --workers 1 and 3 (small batches, many in flight)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-workers-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const lines = reports(1000).map((r) => JSON.stringify({ id: r.id, text: r.text }));
  lines.splice(500, 0, 'not json');
  await writeFile(join(dir, 'in.jsonl'), `${lines.join('\n')}\n`);
  const one = await labelFiles({ inputs: ['in.jsonl'], cwd: dir, out: 'one.csv', workers: 1, batchSize: 16 });
  const three = await labelFiles({ inputs: ['in.jsonl'], cwd: dir, out: 'three.csv', workers: 3, batchSize: 16 });
  t.is(one.labeled, 1000);
  t.is(three.labeled, 1000);
  t.deepEqual(three.failures, [{ source: 'in.jsonl:501', reason: one.failures[0]?.reason ?? '' }]);
  t.is(three.workers, 3);
  t.is(await readFile(join(dir, 'three.csv'), 'utf8'), await readFile(join(dir, 'one.csv'), 'utf8'));
});

test('labelFiles waits for a slow output to drain before writing more (back-pressure keeps memory flat)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-workers-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'in.jsonl'), reports(300).map((r) => `${JSON.stringify({ id: r.id, text: r.text })}\n`).join(''));
  const written: string[] = [];
  // A disk slower than the labeler: each write completes on a later turn of the event loop, and the buffer is tiny.
  const out = new Writable({
    highWaterMark: 64,
    decodeStrings: false,
    write(chunk: string, _encoding, done) {
      written.push(chunk);
      setImmediate(done);
    },
  });
  let writesWhileFull = 0;
  let writes = 0;
  const write = out.write.bind(out) as (chunk: string) => boolean;
  out.write = ((chunk: string) => {
    writes++;
    if (out.writableNeedDrain) writesWhileFull++;
    return write(chunk);
  }) as typeof out.write;
  const summary = await labelFiles({ inputs: ['in.jsonl'], cwd: dir, out, workers: 1, batchSize: 16 });
  t.is(summary.labeled, 300);
  t.true(writes > 10);
  t.is(writesWhileFull, 0);
  await new Promise((resolve) => setImmediate(resolve));
  t.is(written.join('').trim().split('\n').length, 301); // header + rows
});

test('an invalid lexicon folder fails before any thread starts, with the typed error', async (t) => {
  await t.throwsAsync(createLabelingEngine({ format: 'csv', workers: 2, labeler: { lexiconDirs: ['/no/such/lexicons'] } }), {
    instanceOf: LexiconError,
  });
});

test('threadCpuSeconds grows with work done on the calling thread (Linux)', (t) => {
  const before = threadCpuSeconds();
  if (Number.isNaN(before)) return t.pass('skipped: no /proc/thread-self on this platform');
  let x = 0;
  const end = Date.now() + 200;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  t.true(threadCpuSeconds() - before > 0.01, String(x));
});

test('labelFiles reports the CPU seconds of each of its labeling threads', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-workers-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'in.jsonl'), `${reports(600).map((r) => JSON.stringify({ id: r.id, text: r.text })).join('\n')}\n`);
  const summary = await labelFiles({ inputs: ['in.jsonl'], cwd: dir, out: 'out.csv', workers: 2, batchSize: 50 });
  if (Number.isNaN(summary.mainThreadCpuSeconds)) return t.pass('skipped: no /proc/thread-self on this platform');
  t.is(summary.threadCpuSeconds.filter((s) => s > 0).length, 2);
});
