import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { main } from '../src/cli.js';
import { labelFiles } from '../src/label-files.js';
import { parseCsvRecords } from '../src/readers/csv.js';

class Capture extends Writable {
  chunks: string[] = [];
  isTTY = false;
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(chunk.toString());
    callback();
  }
  get text(): string {
    return this.chunks.join('');
  }
}

const HEADER_14 =
  'id,Atelectasis,Cardiomegaly,Effusion,Infiltration,Mass,Nodule,Pneumonia,Pneumothorax,Consolidation,Edema,Emphysema,Fibrosis,Pleural_Thickening,Hernia,No Finding';

const openI = (uid: string, findings: string, impression: string): string => `<?xml version="1.0" encoding="utf-8"?>
<eCitation>
   <uId id="${uid}"/>
   <MedlineCitation><Article><Abstract>
      <AbstractText Label="INDICATION">Cough.</AbstractText>
      <AbstractText Label="FINDINGS">${findings}</AbstractText>
      <AbstractText Label="IMPRESSION">${impression}</AbstractText>
   </Abstract></Article></MedlineCitation>
</eCitation>`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], cwd: string, stdin?: string): Promise<Run> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(argv, { stdout, stderr, cwd, ...(stdin !== undefined ? { stdin: Readable.from([Buffer.from(stdin)]) } : {}) });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** One report in each input format, in a folder. */
async function writeInputs(dir: string): Promise<void> {
  await mkdir(join(dir, 'in', 'xml'), { recursive: true });
  await writeFile(join(dir, 'in', 'xml', '1.xml'), openI('CXR1', 'Large right pleural effusion.', 'Right pleural effusion.'));
  await writeFile(join(dir, 'in', 'CXR2.txt'), 'FINDINGS: The heart is normal in size. The lungs are clear.\nIMPRESSION: Normal chest.');
  await writeFile(join(dir, 'in', 'more.csv'), 'accession,report\nA3,"FINDINGS: Pneumothorax on the left,\nlarge."\n');
  await writeFile(join(dir, 'in', 'more.jsonl'), '{"accession":"J4","report":"IMPRESSION: No pneumothorax."}\n');
}

const rowsOf = (csv: string): string[][] => parseCsvRecords(csv).map((r) => r.fields);

test('--help prints the usage with every flag and exits 0', async (t) => {
  const r = await run(['--help'], process.cwd());
  t.is(r.code, 0);
  for (const flag of ['--out', '--resume', '--stdin-format', '--format', '--labels', '--sections', '--uncertain', '--lexicons', '--workers', '--id-column', '--text-column', '--progress', 'evaluate']) {
    t.true(r.stdout.includes(flag), flag);
  }
});

test('usage errors exit 2 and say what was expected', async (t) => {
  const cwd = process.cwd();
  const cases: Array<[string[], RegExp]> = [
    [[], /expected at least one input/],
    [['x.txt', '--bogus'], /unknown option --bogus/],
    [['x.txt', '--format', 'xlsx'], /--format: expected one of csv, jsonl, chexpert, nih, found "xlsx"/],
    [["x.txt", "--labels", "9"], /--labels: expected one of chexpert, nih14, nih8, 14, 8 or a set file \(NAME.json\), found "9"/],
    [['x.txt', '--workers', '0'], /--workers: expected a whole number/],
    [['x.txt', '--uncertain', 'maybe'], /--uncertain: expected one of keep, uncertain, positive, negative/],
    [['evaluate', '--gold', 'g.csv'], /evaluate: expected --gold GOLD.csv and --pred PRED.csv, found no --pred/],
    [['x.txt', '--resume'], /--resume: expected --out FILE/],
    [['-', '--stdin-format', 'xml'], /--stdin-format: expected one of jsonl, csv, txt, found "xml"/],
    [['-', '-'], /expected the input "-" \(standard input\) once/],
  ];
  for (const [argv, message] of cases) {
    const r = await run(argv, cwd);
    t.is(r.code, 2, argv.join(' '));
    t.regex(r.stderr, message);
  }
});

test('every input format is labeled into one csv, in input order', async (t) => {
  const dir = await tempDir(t);
  await writeInputs(dir);
  const r = await run(['in/xml', 'in/CXR2.txt', 'in/*.csv', 'in/more.jsonl', '--id-column', 'accession', '--text-column', 'report', '--out', 'labels.csv'], dir);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, '');
  t.regex(r.stderr, /4 reports labeled/);
  const rows = rowsOf(await readFile(join(dir, 'labels.csv'), 'utf8'));
  t.is(rows[0]?.join(','), HEADER_14);
  t.deepEqual(rows.slice(1).map((row) => row[0]), ['CXR1', 'CXR2', 'A3', 'J4']);
  t.true(rows.slice(1).every((row) => row.length === 16 && row.slice(1).every((v) => ['1', '0', '-1', ''].includes(v))));
  t.false(existsSync(join(dir, 'labels.csv.partial')));
  const threads = await run(['in/xml', 'in/CXR2.txt', 'in/*.csv', 'in/more.jsonl', '--id-column', 'accession', '--text-column', 'report', '-o', 'labels2.csv', '-j', '2'], dir);
  t.is(threads.code, 0, threads.stderr);
  t.regex(threads.stderr, /2 threads/);
  t.is(await readFile(join(dir, 'labels2.csv'), 'utf8'), await readFile(join(dir, 'labels.csv'), 'utf8'));
});

test('an interrupted run rejects and keeps its whole rows in the partial output file, for --resume', async (t) => {
  const dir = await tempDir(t);
  await writeInputs(dir);
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  await t.throwsAsync(labelFiles({ inputs: ['in'], cwd: dir, out: 'out.csv', signal: controller.signal, textColumn: 'report', idColumn: 'accession' }), { message: 'stop' });
  t.deepEqual((await readdir(dir)).sort(), ['in', 'out.csv.partial', 'out.csv.partial.json']);
});

test('the labels are the labeler\'s: an effusion is positive, a negated pneumothorax negative', async (t) => {
  const dir = await tempDir(t);
  await writeInputs(dir);
  const r = await run(['in/xml/1.xml', 'in/more.jsonl', '--id-column', 'accession', '--text-column', 'report'], dir);
  t.is(r.code, 0, r.stderr);
  const rows = rowsOf(r.stdout);
  t.is(rows[1]?.[3], '1'); // CXR1, Effusion
  t.is(rows[2]?.[8], '0'); // J4, Pneumothorax
});

test('every output format: csv, jsonl, chexpert, nih, and the 8-class option', async (t) => {
  const dir = await tempDir(t);
  await writeInputs(dir);
  const inputs = ['in/xml', 'in/CXR2.txt'];
  const jsonl = await run([...inputs, '--format', 'jsonl'], dir);
  const objects = jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; labels: Record<string, number>; evidence: unknown[] });
  t.deepEqual(objects.map((o) => o.id), ['CXR1', 'CXR2']);
  t.true(Array.isArray(objects[0]?.evidence) && typeof objects[0]?.labels === 'object');

  const chexpert = rowsOf((await run([...inputs, '-f', 'chexpert'], dir)).stdout);
  t.is(chexpert[0]?.[0], 'Reports');
  t.is(chexpert[0]?.length, 15);
  t.true(chexpert[1]?.[0]?.includes('Large right pleural effusion.'));

  const nih = rowsOf((await run([...inputs, '-f', 'nih'], dir)).stdout);
  t.deepEqual(nih[0], ['Image Index', 'Finding Labels']);
  t.deepEqual(nih.slice(1).map((row) => row[0]), ['CXR1', 'CXR2']);

  const eight = rowsOf((await run([...inputs, '--labels', '8', '--sections', 'all', '--uncertain', 'positive'], dir)).stdout);
  t.is(eight[0]?.join(','), 'id,Atelectasis,Cardiomegaly,Effusion,Infiltration,Mass,Nodule,Pneumonia,Pneumothorax,No Finding');
  t.is(eight[1]?.length, 10);
});

test('bad inputs are named with their reason, the rest is labeled, and the exit code is 1', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'empty.txt'), '');
  await writeFile(join(dir, 'latin1.txt'), Buffer.from('Cardiomegalie, \xe9panchement pleural.', 'latin1'));
  await writeFile(join(dir, 'rows.csv'), 'id,text\nr1,No effusion.\nr2,"bad "quote" here"\nr3,Mild edema.\n');
  const sentence = 'There is a small left pleural effusion, unchanged from the prior study. ';
  await writeFile(join(dir, 'big.txt'), `FINDINGS: ${sentence.repeat(Math.ceil((1 << 20) / sentence.length))}`);
  await writeFile(join(dir, 'good.txt'), 'IMPRESSION: No acute disease.');
  const r = await run(['empty.txt', 'latin1.txt', 'rows.csv', 'big.txt', 'good.txt', 'nothere.xml', '--out', 'out.csv'], dir);
  t.is(r.code, 1);
  t.notRegex(r.stderr, /empty\.txt/); // an empty report is labeled, as in every format
  t.regex(r.stderr, /latin1\.txt: expected UTF-8 text, found invalid UTF-8 at line 1, byte 15 \(0xE9\)/);
  t.regex(r.stderr, /rows\.csv:3: expected a comma or a line break after a closing quote/);
  t.regex(r.stderr, /nothere\.xml: no such file or directory/);
  t.regex(r.stderr, /5 reports labeled .*; 1 empty or headings only; 3 failed/);
  const rows = rowsOf(await readFile(join(dir, 'out.csv'), 'utf8'));
  t.deepEqual(rows.slice(1).map((row) => row[0]), ['empty', 'r1', 'r3', 'big', 'good']);
});

test('an output that cannot be written exits 3 and leaves no partial file', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.txt'), 'No effusion.');
  const r = await run(['a.txt', '--out', 'missing-folder/out.csv'], dir);
  t.is(r.code, 3);
  t.regex(r.stderr, /missing-folder\/out\.csv: expected the folder .*missing-folder to exist, found no such folder/);
  t.false(existsSync(join(dir, 'missing-folder')));
});

test('a lexicon folder that does not exist exits 3 with the lexicon error', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.txt'), 'No effusion.');
  const r = await run(['a.txt', '--lexicons', 'no-such-dir'], dir);
  t.is(r.code, 3);
  t.regex(r.stderr, /expected a lexicon folder/);
});

test('--progress draws count, rate and time left on stderr', async (t) => {
  const dir = await tempDir(t);
  await writeInputs(dir);
  const r = await run(['in/xml', 'in/CXR2.txt', '--progress', '--quiet'], dir);
  t.is(r.code, 0);
  t.regex(r.stderr, /label-reports: 2 reports, [\d,]+\/s, 100%, 0s left/);
  t.notRegex(r.stderr, /reports labeled in/);
});

const GOLD = `filename,Atelectasis,Cardiomegaly,Effusion,Infiltration,Mass,Nodule,Pneumonia,Pneumothorax,Consolidation,Edema,Emphysema,Fibrosis,Pleural_Thickening,Hernia,normal
CXR1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0
CXR2,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0
CXR3,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1
CXR4,1,0,1,0,0,0,0,0,0,0,0,0,0,0,0
`;
const PRED = `${HEADER_14}
CXR1,1,,,,,,,,,,,,,,0
CXR2,,,1,,,,,,,,,,,,
CXR3,-1,,0,,,,,,,,,,,,1
CXR4,,,1,,,,,,,,,,,,
`;

test('evaluate prints per-class precision, recall and F1 with micro and macro totals', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'gold.csv'), GOLD);
  await writeFile(join(dir, 'pred.csv'), PRED);
  const r = await run(['evaluate', '--gold', 'gold.csv', '--pred', 'pred.csv'], dir);
  t.is(r.code, 0, r.stderr);
  // Atelectasis: tp 1 (CXR1), fn 1 (CXR4), fp 0 -> P 1, R .5, F1 .667; Effusion: tp 2, P 1, R 1.
  t.regex(r.stdout, /^Atelectasis\s+1\.000\s+0\.500\s+0\.667\s+2\s+1\s+0\s+1$/m);
  t.regex(r.stdout, /^Effusion\s+1\.000\s+1\.000\s+1\.000\s+2\s+2\s+0\s+0$/m);
  t.regex(r.stdout, /^micro \(14 findings\)\s+1\.000\s+0\.750\s+0\.857/m);
  t.regex(r.stdout, /^macro \(14 findings\)/m);
  t.regex(r.stdout, /^No Finding\s+1\.000\s+1\.000\s+1\.000/m);
  // Counting uncertain as positive adds a false positive Atelectasis (CXR3).
  const u = await run(['evaluate', '--gold', 'gold.csv', '--pred', 'pred.csv', '--uncertain', 'positive', '--json'], dir);
  const json = JSON.parse(u.stdout) as { classes: Array<{ label: string; fp: number }> };
  t.is(json.classes.find((c) => c.label === 'Atelectasis')?.fp, 1);
});

test('evaluate with an unreadable or malformed file exits 3 (unusable input) and names it', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'gold.csv'), GOLD);
  await writeFile(join(dir, 'bad.csv'), 'id,Opacity\nCXR1,1\n');
  const missing = await run(['evaluate', '--gold', 'gold.csv', '--pred', 'none.csv'], dir);
  t.is(missing.code, 3);
  t.regex(missing.stderr, /none\.csv: expected a readable csv file, found: no such file or directory/);
  const bad = await run(['evaluate', '--gold', 'gold.csv', '--pred', 'bad.csv'], dir);
  t.is(bad.code, 3);
  // "Opacity" may be a finding of a user's set (findings are data): it is refused for sharing no label with the gold.
  t.regex(bad.stderr, /bad\.csv: expected the predictions to have a column for at least one gold label \(Atelectasis, .*\), found none \(the predictions have Opacity\)/);
});

test('evaluate scores a --labels 8 prediction file on its 8 findings and No Finding, and says so', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'gold.csv'), GOLD);
  await writeFile(join(dir, 'in.jsonl'), ['CXR1 Bibasilar atelectasis.', 'CXR2 Small left effusion.', 'CXR3 Normal chest.', 'CXR4 Atelectasis and effusion.']
    .map((s) => JSON.stringify({ id: s.split(' ')[0], text: s.slice(5) })).join('\n'));
  t.is((await run(['in.jsonl', '--labels', '8', '-o', 'pred8.csv'], dir)).code, 0);
  const r = await run(['evaluate', '--gold', 'gold.csv', '--pred', 'pred8.csv'], dir);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^micro \(8 findings\)\s+1\.000\s+1\.000\s+1\.000/m);
  t.regex(r.stdout, /not scored \(no column\): Consolidation, Edema, Emphysema, Fibrosis, Pleural_Thickening, Hernia/);
});

test('"-" labels the reports on standard input, in --stdin-format csv', async (t) => {
  const r = await run(['-', '--stdin-format', 'csv', '--quiet'], process.cwd(), 'id,text\nq1,Large left pneumothorax.\n');
  t.deepEqual(rowsOf(r.stdout)[1]?.slice(0, 1).concat(rowsOf(r.stdout)[1]?.[8] ?? ''), ['q1', '1']);
});
