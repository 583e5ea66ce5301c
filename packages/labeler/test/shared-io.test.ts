/**
 * The helpers the three packages share (issue 11): the one CSV parser's streaming form and options, the one atomic
 * write and the one worker bootstrap.
 */
import test from 'ava';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvParser, otherSeparatorHint, parseCsvRecords, streamCsvRecords, type CsvRecord } from '../src/readers/csv.js';
import { parseCsv } from '../src/evaluate.js';
import { EvaluationInputError } from '../src/errors.js';
import { startModuleWorker } from '../src/worker-start.js';
import type { WorkerReply, WorkerSetup } from '../src/workers.js';
import { writeAtomic } from '../src/write-atomic.js';

async function records(pieces: string[], keepBlankLines = false): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const r of streamCsvRecords(pieces, { keepBlankLines })) out.push(r);
  return out;
}

test('streamCsvRecords gives the records of CsvParser whatever the cuts, and drops a leading byte order mark', async (t) => {
  const text = 'id,text\r\n"1","a ""q"", b"\r\n\r\n2,"multi\nline"\n3,end';
  const whole = parseCsvRecords(text);
  t.deepEqual(
    whole.map((r) => r.fields),
    [['id', 'text'], ['1', 'a "q", b'], ['2', 'multi\nline'], ['3', 'end']],
  );
  for (let cut = 1; cut < text.length; cut++) t.deepEqual(await records([text.slice(0, cut), text.slice(cut)]), whole);
  t.deepEqual((await records(['\ufeffid,text\n1,x\n'])).map((r) => r.fields), [['id', 'text'], ['1', 'x']]);
});

test('keepBlankLines emits a blank line as one empty field, so that readers can number rows by position', async (t) => {
  const kept = await records(['h\n\na\n'], true);
  t.deepEqual(kept.map((r) => [r.fields, r.line]), [[['h'], 1], [[''], 2], [['a'], 3]]);
  t.deepEqual(new CsvParser().push('h\n\na\n').map((r) => r.fields), [['h'], ['a']]);
});

test("evaluate's parseCsv is the same parser: rows of fields, and an unterminated quote names its file and line", (t) => {
  t.deepEqual(parseCsv('\ufeffa,b\n\n"x, y",2'), [['a', 'b'], ['x, y', '2']]);
  const error = t.throws(() => parseCsv('id,x\n1,"open\n2,3\n', 'gold.csv'), { instanceOf: EvaluationInputError });
  t.regex(error?.message ?? '', /gold\.csv.*expected a closing quote, found the end of the file \(the quoted field opened on line 2/);
});

test('the separator hint names the command that reads the file', (t) => {
  t.regex(otherSeparatorHint(['id;text'], ['id', 'text']), /semicolons \(";"\), but label-reports reads/);
  t.regex(otherSeparatorHint(['accession_number\treport_text'], ['report_text', 'accession_number'], 'build-dataset'), /tabs \("\\t"\), but build-dataset reads/);
  t.is(otherSeparatorHint(['id', 'body'], ['id', 'text']), '');
});

test('writeAtomic writes through FILE.partial and leaves only the final file, text or bytes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-write-atomic-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeAtomic(join(dir, 'a.txt'), 'first\n');
  await writeAtomic(join(dir, 'a.txt'), 'second\n');
  await writeAtomic(join(dir, 'b.bin'), new Uint8Array([1, 2, 255]));
  t.is(await readFile(join(dir, 'a.txt'), 'utf8'), 'second\n');
  t.deepEqual([...(await readFile(join(dir, 'b.bin')))], [1, 2, 255]);
  t.deepEqual((await readdir(dir)).sort(), ['a.txt', 'b.bin']);
  await t.throwsAsync(writeAtomic(join(dir, 'missing', 'c.txt'), 'x'), { code: 'ENOENT' });
});

test('startModuleWorker starts a module of the sources under tsx, with its workerData', async (t) => {
  const setup: WorkerSetup = { format: 'csv', labeler: {} };
  const worker = startModuleWorker('label-worker', new URL('../src/workers.ts', import.meta.url).href, { workerData: setup });
  try {
    const reply = await new Promise<WorkerReply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    t.is(reply.kind, 'ready');
    const done = new Promise<WorkerReply>((resolve) => worker.once('message', resolve));
    worker.postMessage({ id: 7, reports: [{ id: 'r1', text: 'IMPRESSION: Small left pleural effusion.', source: 'r1.txt' }] });
    const answer = await done;
    t.is(answer.kind, 'done');
    if (answer.kind === 'done') {
      t.is(answer.id, 7);
      t.regex(answer.result.output, /^r1,/);
    }
  } finally {
    await worker.terminate();
  }
});
