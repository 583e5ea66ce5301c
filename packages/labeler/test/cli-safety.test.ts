/**
 * `label-reports` never destroys work and never calls a wrong input a success (issue 13): each case is run through
 * the CLI's `main`, on real files in a temporary folder.
 */
import test from 'ava';
import { constants, existsSync } from 'node:fs';
import { access, chmod, mkdtemp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { main, USAGE, EVALUATE_USAGE } from '../src/cli.js';
import { labelFiles } from '../src/label-files.js';
import { parseCsvRecords } from '../src/readers/csv.js';

// Every concurrent `main` listens for SIGINT (Ctrl-C) while it runs.
process.setMaxListeners(64);

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

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], cwd: string, stdin?: string | Buffer | NodeJS.ReadableStream): Promise<Run> {
  const stdout = new Capture();
  const stderr = new Capture();
  const input = stdin === undefined ? undefined : typeof stdin === 'string' || Buffer.isBuffer(stdin) ? Readable.from([Buffer.from(stdin)]) : stdin;
  const code = await main(argv, { stdout, stderr, cwd, ...(input ? { stdin: input } : {}) });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-cli-safety-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const rowsOf = (csv: string): string[][] => parseCsvRecords(csv).map((r) => r.fields);
const HEADER_14 =
  'id,Atelectasis,Cardiomegaly,Effusion,Infiltration,Mass,Nodule,Pneumonia,Pneumothorax,Consolidation,Edema,Emphysema,Fibrosis,Pleural_Thickening,Hernia,No Finding';
const NO_FINDING = 15;

const openI = (uid: string, findings: string, impression: string): string => `<?xml version="1.0" encoding="utf-8"?>
<eCitation>
   <uId id="${uid}"/>
   <MedlineCitation><Article><Abstract>
      <AbstractText Label="FINDINGS">${findings}</AbstractText>
      <AbstractText Label="IMPRESSION">${impression}</AbstractText>
   </Abstract></Article></MedlineCitation>
</eCitation>`;

/** A "keep.csv" of earlier work: 1,540 rows. */
async function keepFile(dir: string): Promise<string> {
  const rows = Array.from({ length: 1540 }, (_, i) => `CXR${i + 1},,,1,,,,,,,,,,,,0\n`).join('');
  const text = `${HEADER_14}\n${rows}`;
  await writeFile(join(dir, 'keep.csv'), text);
  return text;
}

// --- Never destroy ---

test('a mistyped input folder exits 3, names it, and leaves an existing --out file as it was', async (t) => {
  const dir = await tempDir(t);
  const kept = await keepFile(dir);
  const r = await run(['/nonexistent/reports', '--out', 'keep.csv'], dir);
  t.is(r.code, 3, r.stderr);
  t.regex(r.stderr, /\/nonexistent\/reports: no such file or directory/);
  t.regex(r.stderr, /nothing to label: no report found in \/nonexistent\/reports/);
  t.regex(r.stderr, /keep\.csv was left as it was/);
  t.is(await readFile(join(dir, 'keep.csv'), 'utf8'), kept);
  t.deepEqual((await readdir(dir)).sort(), ['keep.csv']);
});

test('a wrong --text-column exits 3, says which column was looked for, and leaves the --out file as it was', async (t) => {
  const dir = await tempDir(t);
  const kept = await keepFile(dir);
  await writeFile(join(dir, 'export.csv'), 'id,report_text\nA1,Large left effusion.\nA2,Normal chest.\n');
  const r = await run(['export.csv', '--text-column', 'report', '--out', 'keep.csv'], dir);
  t.is(r.code, 3, r.stderr);
  t.regex(r.stderr, /export\.csv: expected a header with the column "report" \(--text-column\), found "id", "report_text"/);
  t.regex(r.stderr, /nothing to label/);
  t.is(await readFile(join(dir, 'keep.csv'), 'utf8'), kept);
  t.deepEqual((await readdir(dir)).sort(), ['export.csv', 'keep.csv']);
});

test('a run that labels nothing creates no output file and prints no header on standard output', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'empty-folder'));
  const file = await run(['empty-folder', '--out', 'new.csv'], dir);
  t.is(file.code, 3);
  t.regex(file.stderr, /empty-folder: expected report files \(\.xml, \.txt, \.csv, \.jsonl \(or \.ndjson\)\) in the folder, found none/);
  t.false(existsSync(join(dir, 'new.csv')));
  t.false(existsSync(join(dir, 'new.csv.partial')));
  const stdout = await run(['empty-folder/*.xml'], dir);
  t.is(stdout.code, 3);
  t.is(stdout.stdout, '');
  t.regex(stdout.stderr, /empty-folder\/\*\.xml: no file matches the pattern/);
});

test('a run that labels part of its input replaces the --out file and exits 1', async (t) => {
  const dir = await tempDir(t);
  await keepFile(dir);
  await writeFile(join(dir, 'a.txt'), 'Small left effusion.');
  const r = await run(['a.txt', 'missing.txt', '--out', 'keep.csv'], dir);
  t.is(r.code, 1);
  t.deepEqual(rowsOf(await readFile(join(dir, 'keep.csv'), 'utf8')).map((row) => row[0]), ['id', 'a']);
});

test('a run without --resume does not overwrite the partial output of an interrupted run', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.txt'), 'Small left effusion.');
  const partial = `${HEADER_14}\nr1,,,1,,,,,,,,,,,,0\n`;
  await writeFile(join(dir, 'out.csv.partial'), partial);
  const r = await run(['a.txt', '--out', 'out.csv'], dir);
  t.is(r.code, 3);
  t.regex(r.stderr, /out\.csv\.partial: .*interrupted run.*--resume.*or remove it/);
  t.is(await readFile(join(dir, 'out.csv.partial'), 'utf8'), partial);
  t.false(existsSync(join(dir, 'out.csv')));
});

test('a run whose every report fails exits 3, says so, and leaves the --out file as it was', async (t) => {
  const dir = await tempDir(t);
  const kept = await keepFile(dir);
  await writeFile(join(dir, 'a.txt'), Buffer.from('Petit \xe9panchement.', 'latin1'));
  await writeFile(join(dir, 'b.jsonl'), 'not json\n');
  const r = await run(['a.txt', 'b.jsonl', '--out', 'keep.csv'], dir);
  t.is(r.code, 3);
  t.regex(r.stderr, /a\.txt: expected UTF-8 text/);
  t.regex(r.stderr, /nothing to label: no report found in a\.txt, b\.jsonl .*; 2 inputs failed \(listed above\); keep\.csv was left as it was/);
  t.is(await readFile(join(dir, 'keep.csv'), 'utf8'), kept);
});

test('a partial file with no whole row is not in the way of a new run', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.txt'), 'Small left effusion.');
  await writeFile(join(dir, 'out.csv.partial'), `${HEADER_14}\nr1,,,1,`); // a header and a torn row
  const r = await run(['a.txt', '--out', 'out.csv'], dir);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(rowsOf(await readFile(join(dir, 'out.csv'), 'utf8')).map((row) => row[0]), ['id', 'a']);
  t.deepEqual((await readdir(dir)).sort(), ['a.txt', 'out.csv']);
});

test('--resume of a partial file without a record of its options warns and resumes, checked against its header', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'in.jsonl'), '{"id":"r1","text":"Small left effusion."}\n{"id":"r2","text":"Normal chest."}\n');
  t.is((await run(['in.jsonl', '--out', 'full.csv'], dir)).code, 0);
  const full = await readFile(join(dir, 'full.csv'), 'utf8');
  await writeFile(join(dir, 'out.csv.partial'), full.slice(0, full.indexOf('\nr2') + 1));
  const r = await run(['in.jsonl', '--out', 'out.csv', '--resume'], dir);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /warning: out\.csv\.partial has no record of the options that wrote it/);
  t.regex(r.stderr, /1 kept from out\.csv\.partial/);
  t.is(await readFile(join(dir, 'out.csv'), 'utf8'), full);
});

// --- Wrong input is an error, with its reason ---

test('--lexicons on a folder with no lexicon file exits 3 naming the folder and what was looked for', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.txt'), 'Small left effusion.');
  await mkdir(join(dir, 'site'));
  await writeFile(join(dir, 'site', 'effusion.json'), '{}'); // not in findings/: not a lexicon file
  const r = await run(['a.txt', '--lexicons', 'site'], dir);
  t.is(r.code, 3, r.stderr);
  t.regex(r.stderr, /site: expected lexicon files .*findings\/\*\.json.*rules\/\*\.json.*found none \(the folder holds: effusion\.json\)/);
});

const GOLD_HEADER = 'filename,Atelectasis,Cardiomegaly,Effusion,Infiltration,Mass,Nodule,Pneumonia,Pneumothorax,Consolidation,Edema,Emphysema,Fibrosis,Pleural_Thickening,Hernia,normal';

test('evaluate with predictions missing for gold reports exits 3 with the count and some ids, unless --allow-missing', async (t) => {
  const dir = await tempDir(t);
  const gold = Array.from({ length: 40 }, (_, i) => `CXR${i + 1},0,0,1,0,0,0,0,0,0,0,0,0,0,0,0\n`).join('');
  await writeFile(join(dir, 'gold.csv'), `${GOLD_HEADER}\n${gold}`);
  await writeFile(join(dir, 'pred.csv'), `${HEADER_14}\nCXR1,,,1,,,,,,,,,,,,0\nCXR2,,,1,,,,,,,,,,,,0\n`);
  const r = await run(['evaluate', '--gold', 'gold.csv', '--pred', 'pred.csv'], dir);
  t.is(r.code, 3);
  t.is(r.stdout, '');
  t.regex(r.stderr, /pred\.csv: expected a prediction for each of the 40 gold reports, found none for 38 \(CXR3, CXR4, CXR5, CXR6, CXR7, \.\.\.\)/);
  t.regex(r.stderr, /--allow-missing/);
  const allowed = await run(['evaluate', '--gold', 'gold.csv', '--pred', 'pred.csv', '--allow-missing'], dir);
  t.is(allowed.code, 0, allowed.stderr);
  t.regex(allowed.stdout, /without prediction: 38/);
});

test('duplicate report ids in JSONL, CSV, txt and XML: the first is kept, and a warning gives the count', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.jsonl'), '{"id":"j1","text":"Small left effusion."}\n{"id":"j2","text":"Normal."}\n{"id":"j1","text":"Large pneumothorax."}\n');
  await writeFile(join(dir, 'b.csv'), 'id,text\nc1,Mild edema.\nc1,Normal chest.\nj2,Mass.\n');
  await mkdir(join(dir, 'x'));
  await mkdir(join(dir, 'y'));
  await writeFile(join(dir, 'x', 'T1.txt'), 'Cardiomegaly.');
  await writeFile(join(dir, 'y', 'T1.txt'), 'Normal chest.');
  await writeFile(join(dir, 'x', '1.xml'), openI('CXR1', 'Effusion.', 'Effusion.'));
  await writeFile(join(dir, 'y', '1.xml'), openI('CXR1', 'Clear lungs.', 'Normal.'));
  const r = await run(['a.jsonl', 'b.csv', 'x', 'y', '--out', 'out.csv'], dir);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /warning: 5 reports skipped because their id was seen before \(the first report of an id is kept\): j1 \(a\.jsonl:3\), c1 \(b\.csv:3\), j2 \(b\.csv:4\), CXR1 \(y\/1\.xml\), T1 \(y\/T1\.txt\)/);
  const rows = rowsOf(await readFile(join(dir, 'out.csv'), 'utf8'));
  t.deepEqual(rows.slice(1).map((row) => row[0]), ['j1', 'j2', 'c1', 'CXR1', 'T1']);
  t.is(rows[1]?.[3], '1'); // j1 is the first one: the effusion
  t.regex(r.stderr, /5 reports labeled/);
});

// --- Options are part of the run ---

/** Leaves out.csv.partial as a run with `options` (inputs a.jsonl, b.jsonl) that was stopped after a.jsonl's 3 rows. */
async function interruptedRun(dir: string, options: Partial<Parameters<typeof labelFiles>[0]>): Promise<void> {
  const lines = ['Possible right lower lobe pneumonia.', 'Small left effusion.', 'Normal chest.', 'Mild edema.', 'Possible mass.'];
  const jsonl = (from: number, to: number): string =>
    lines.slice(from, to).map((text, i) => `${JSON.stringify({ id: `r${from + i}`, text })}\n`).join('');
  await writeFile(join(dir, 'a.jsonl'), jsonl(0, 3));
  await writeFile(join(dir, 'b.jsonl'), jsonl(3, 5));
  const stop = new AbortController();
  // The missing file between the two stops the run (as Ctrl-C would) once a.jsonl's rows are written.
  await t_throws(
    labelFiles({
      inputs: ['a.jsonl', 'missing.txt', 'b.jsonl'],
      cwd: dir,
      out: 'out.csv',
      batchSize: 1,
      onFailure: () => stop.abort(new Error('stopped')),
      signal: stop.signal,
      ...options,
    }),
  );
}

async function t_throws(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch {
    return;
  }
  throw new Error('expected the run to stop');
}

for (const [flag, first, second, message] of [
  ['--uncertain', { labeler: { uncertainty: 'positive' } }, ['--uncertain', 'negative'], /--uncertain: the interrupted run used positive, this run negative/],
  ['--uncertain (default)', { labeler: { uncertainty: 'positive' } }, [], /--uncertain: the interrupted run used positive, this run keep/],
  ['--sections', { labeler: { sections: 'all' } }, ['--sections', 'FINDINGS'], /--sections: the interrupted run used all, this run FINDINGS/],
  ['--labels', { labeler: { labelSet: '8' } }, [], /--labels: the interrupted run used 8, this run 14/],
  ['--format', { format: 'nih' }, [], /--format: the interrupted run used nih, this run csv/],
  ['--lexicons', {}, ['--lexicons', 'site'], /--lexicons: the interrupted run used none, this run .*site/],
] as const) {
  test(`--resume with another ${flag} than the interrupted run is refused with both values, and the partial file is kept`, async (t) => {
    const dir = await tempDir(t);
    await mkdir(join(dir, 'site', 'findings'), { recursive: true });
    await writeFile(join(dir, 'site', 'findings', 'none.json'), JSON.stringify({ extends: 'Mass', description: 'site terms', example: 'Left hilar lump.', concepts: [{ cui: null, name: 'Lump', synonyms: ['hilar lump'] }] }));
    await interruptedRun(dir, first as Partial<Parameters<typeof labelFiles>[0]>);
    const before = await readFile(join(dir, 'out.csv.partial'), 'utf8');
    const r = await run(['a.jsonl', 'b.jsonl', '--out', 'out.csv', '--resume', ...second], dir);
    t.is(r.code, 3, r.stderr);
    t.regex(r.stderr, message);
    t.regex(r.stderr, /out\.csv\.partial/);
    t.is(await readFile(join(dir, 'out.csv.partial'), 'utf8'), before);
  });
}

test('--resume with the same options finishes the run and removes the record of its options', async (t) => {
  const dir = await tempDir(t);
  await interruptedRun(dir, { labeler: { uncertainty: 'positive' } });
  t.true(existsSync(join(dir, 'out.csv.partial.json')));
  const r = await run(['a.jsonl', 'b.jsonl', '--out', 'out.csv', '--resume', '--uncertain', 'positive'], dir);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /3 kept from out\.csv\.partial/);
  t.deepEqual((await readdir(dir)).sort(), ['a.jsonl', 'b.jsonl', 'out.csv']);
  t.deepEqual(rowsOf(await readFile(join(dir, 'out.csv'), 'utf8')).map((row) => row[0]), ['id', 'r0', 'r1', 'r2', 'r3', 'r4']);
});

// --- Labels that agree with each other ---

test('--format nih: Finding Labels follow the csv columns; No Finding only where the csv has No Finding 1', async (t) => {
  const dir = await tempDir(t);
  const texts = { mass: 'IMPRESSION: Possible right upper lobe mass.', normal: 'IMPRESSION: Normal chest.', eff: 'FINDINGS: Large left pleural effusion.' };
  await writeFile(join(dir, 'in.jsonl'), Object.entries(texts).map(([id, text]) => `${JSON.stringify({ id, text })}\n`).join(''));
  const csv = rowsOf((await run(['in.jsonl', '--quiet'], dir)).stdout);
  const nih = rowsOf((await run(['in.jsonl', '--quiet', '--format', 'nih'], dir)).stdout);
  // The only abnormality is hedged: No Finding -1 (ANNOTATION.md "No Finding"), and no "No Finding" in the nih format.
  t.is(csv[1]?.[NO_FINDING], '-1');
  t.deepEqual(nih.slice(1), [['mass', ''], ['normal', 'No Finding'], ['eff', 'Effusion']]);
  const positive = rowsOf((await run(['in.jsonl', '--quiet', '--format', 'nih', '--uncertain', 'positive'], dir)).stdout);
  t.deepEqual(positive[1], ['mass', 'Mass']);
});

test('empty and headings-only reports are labeled in every format, No Finding 1, and the summary counts them', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'e1.txt'), '');
  await writeFile(join(dir, 'e2.txt'), 'FINDINGS:\nIMPRESSION:\n');
  await writeFile(join(dir, 'e3.xml'), openI('CXR9', '', ''));
  await writeFile(join(dir, 'e.csv'), 'id,text\nc1,\nc2,"  "\nc3,Small left effusion.\n');
  await writeFile(join(dir, 'e.jsonl'), '{"id":"j1","text":""}\n{"id":"j2","text":"IMPRESSION:"}\n');
  const r = await run(['e1.txt', 'e2.txt', 'e3.xml', 'e.csv', 'e.jsonl', '--out', 'out.csv'], dir);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /8 reports labeled .*; 7 empty or headings only/);
  const rows = rowsOf(await readFile(join(dir, 'out.csv'), 'utf8')).slice(1);
  t.deepEqual(rows.map((row) => row[0]), ['e1', 'e2', 'CXR9', 'c1', 'c2', 'c3', 'j1', 'j2']);
  t.deepEqual(rows.map((row) => row[NO_FINDING]), ['1', '1', '1', '1', '1', '0', '1', '1']);
  const threads = await run(['e1.txt', 'e2.txt', 'e3.xml', 'e.csv', 'e.jsonl', '--out', 'out2.csv', '-j', '2'], dir);
  t.regex(threads.stderr, /8 reports labeled .*2 threads\); 7 empty or headings only/);
  t.is(await readFile(join(dir, 'out2.csv'), 'utf8'), await readFile(join(dir, 'out.csv'), 'utf8'));
  const stdin = await run(['-', '--stdin-format', 'txt'], dir, '');
  t.is(stdin.code, 0, stdin.stderr);
  t.deepEqual(rowsOf(stdin.stdout)[1]?.[0], 'stdin');
  t.regex(stdin.stderr, /1 report labeled .*; 1 empty or headings only/);
});

test('invalid UTF-8 fails that report alone in every format, naming file, line and byte, with the iconv hint', async (t) => {
  const dir = await tempDir(t);
  const latin = (s: string): Buffer => Buffer.from(s, 'latin1');
  await writeFile(join(dir, 'bad.txt'), latin('FINDINGS: Normal.\nIMPRESSION: \xe9panchement.'));
  await writeFile(join(dir, 'bad.xml'), latin(openI('CXR7', 'Petit \xe9panchement.', 'None.')));
  await writeFile(join(dir, 'bad.csv'), latin('id,text\nc1,Small effusion.\nc2,Petit \xe9panchement.\nc3,Normal.\n'));
  await writeFile(join(dir, 'bad.jsonl'), latin('{"id":"j1","text":"Normal."}\n{"id":"j2","text":"\xe9panchement"}\n{"id":"j3","text":"Edema."}\n'));
  const r = await run(['bad.txt', 'bad.xml', 'bad.csv', 'bad.jsonl', '--out', 'out.csv'], dir);
  t.is(r.code, 1);
  const hint = 'iconv -f windows-1252 -t utf-8';
  const lines = r.stderr.split('\n');
  const line = (prefix: string): string => lines.find((l) => l.startsWith(`label-reports: ${prefix}`)) ?? '';
  t.regex(line('bad.txt: '), /expected UTF-8 text, found invalid UTF-8 at line 2, byte 30 \(0xE9\)/);
  t.regex(line('bad.xml: '), /expected UTF-8 text, found invalid UTF-8 at line 5, byte \d+ \(0xE9\)/);
  t.regex(line('bad.csv:3: '), /expected UTF-8 text, found invalid UTF-8 at line 3, byte 36 \(0xE9\)/);
  t.regex(line('bad.jsonl:2: '), /expected UTF-8 text, found invalid UTF-8 at line 2, byte 48 \(0xE9\)/);
  for (const name of ['bad.txt: ', 'bad.xml: ', 'bad.csv:3: ', 'bad.jsonl:2: ']) t.true(line(name).includes(hint), name);
  t.deepEqual(rowsOf(await readFile(join(dir, 'out.csv'), 'utf8')).slice(1).map((row) => row[0]), ['c1', 'c3', 'j1', 'j3']);
  const stdin = await run(['-'], dir, latin('{"id":"s1","text":"Normal."}\n{"id":"s2","text":"\xe9"}\n'));
  t.is(stdin.code, 1);
  t.regex(stdin.stderr, /stdin:2: expected UTF-8 text, found invalid UTF-8 at line 2, byte 48 \(0xE9\).*iconv/);
});

// --- Help and Ctrl-C ---

/** The option lines of a usage text: those that start with a flag. */
const optionLines = (usage: string): string[] => {
  const out: string[] = [];
  for (const line of usage.split('\n')) {
    if (/^\s{2,}(-\w, )?--[a-z]/.test(line)) out.push(line);
    else if (/^\s{20,}\S/.test(line) && out.length > 0) out[out.length - 1] += ` ${line.trim()}`;
  }
  return out;
};

test('--help and evaluate --help show the default of every flag', async (t) => {
  const label = await run(['--help'], process.cwd());
  const evaluate = await run(['evaluate', '--help'], process.cwd());
  t.is(label.stdout, USAGE);
  t.is(evaluate.stdout, EVALUATE_USAGE);
  t.true(evaluate.stdout.includes('--allow-missing'));
  for (const usage of [USAGE, EVALUATE_USAGE]) {
    const lines = optionLines(usage).filter((l) => !l.includes('--help'));
    t.true(lines.length >= 3);
    for (const line of lines) t.regex(line, /\[default: [^\]]+\]|\[required\]/, line);
  }
});

test.serial('Ctrl-C exits 130 and says how to resume, also when writing to standard output', async (t) => {
  const dir = await tempDir(t);
  for (const out of [[], ['--out', 'out.csv']]) {
    const stdin = new PassThrough();
    stdin.write('{"id":"s1","text":"Normal."}\n');
    const pending = run(['-', ...out], dir, stdin);
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.emit('SIGINT');
    const r = await pending;
    stdin.end();
    t.is(r.code, 130);
    t.regex(r.stderr, /interrupted/);
    t.regex(r.stderr, out.length > 0 ? /out\.csv\.partial; run the same command with --resume to finish/ : /--out FILE.*--resume/);
  }
});

// --- Off the path, as a new user (issue 13 follow-up): each case reproduced through main first ---

test('a JSONL number id that a double cannot hold as written fails that line with the hint to quote it', async (t) => {
  const dir = await tempDir(t);
  await writeFile(
    join(dir, 'ids.jsonl'),
    '{"id":12,"text":"Small effusion."}\n\n{"id":12345678901234567890,"text":"No effusion."}\n{"id":1.10,"text":"Edema."}\n' +
      '{"id":{"a":1},"text":"x"}\n"just a string"\n{"id":"s","text":"Normal."}\n',
  );
  const r = await run(['ids.jsonl', '--out', 'out.csv'], dir);
  t.is(r.code, 1, r.stderr);
  // Before: 12345678901234567890 was written as "12345678901234567000" and 1.10 as "1.1", exit 0.
  t.regex(r.stderr, /ids\.jsonl:3: expected "id" to be a string or a whole number up to 9007199254740991, found the number 12345678901234567000, which cannot be kept as written: quote it/);
  t.regex(r.stderr, /ids\.jsonl:4: expected "id" .* found the number 1\.1,/);
  t.regex(r.stderr, /ids\.jsonl:5: expected a non-empty string "id", found an object/);
  t.regex(r.stderr, /ids\.jsonl:6: expected a JSON object \{"id": \.\.\., "text": \.\.\.\}, found the string "just a string"/);
  t.deepEqual(rowsOf(await readFile(join(dir, 'out.csv'), 'utf8')).slice(1).map((row) => row[0]), ['12', 's']);
});

test('--out into a folder that does not exist, onto a folder, under a file, or empty: said plainly, nothing written', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'r.txt'), 'IMPRESSION: Small left effusion.');
  await writeFile(join(dir, 'afile'), 'x');
  await mkdir(join(dir, 'outdir'));
  const missing = await run(['r.txt', '--out', 'nope/labels.csv'], dir);
  t.is(missing.code, 3);
  t.regex(missing.stderr, /^label-reports: nope\/labels\.csv: expected the folder .*nope to exist, found no such folder: create it first \(mkdir -p .*nope\)/);
  t.false(existsSync(join(dir, 'nope')));
  const folder = await run(['r.txt', '--out', 'outdir'], dir);
  t.is(folder.code, 3);
  // Before: "found: EISDIR: illegal operation on a directory, open '...'".
  t.regex(folder.stderr, /outdir: expected a file to write the labels to, found a folder: name a file in it, e\.g\. --out outdir\/labels\.csv/);
  t.deepEqual(await readdir(join(dir, 'outdir')), []);
  const underFile = await run(['r.txt', '--out', 'afile/labels.csv'], dir);
  t.is(underFile.code, 3);
  t.regex(underFile.stderr, /afile\/labels\.csv: expected .*afile to be a folder, found a file/);
  for (const args of [['--out', ''], ['--text-column='], ['--lexicons', '']]) {
    const empty = await run(['r.txt', ...args], dir);
    t.is(empty.code, 2, args.join(' '));
    t.regex(empty.stderr, /^label-reports: --[a-z-]+: expected a value, found an empty string/, args.join(' '));
  }
  t.deepEqual((await readdir(dir)).sort(), ['afile', 'outdir', 'r.txt']);
});

test('a mistyped flag is named with the nearest one; a flag without its value says so; exit 2, nothing written', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'r.txt'), 'IMPRESSION: Small left effusion.');
  const cases: Array<[string[], RegExp]> = [
    [['r.txt', '--ouput', 'x.csv'], /^label-reports: unknown option --ouput; did you mean --out\? \(see label-reports --help\)\n$/],
    [['r.txt', '--worker', '2'], /unknown option --worker; did you mean --workers\?/],
    [['r.txt', '--form', 'jsonl'], /unknown option --form; did you mean --format\?/],
    [['r.txt', '--zzz'], /^label-reports: unknown option --zzz \(see/],
    [['r.txt', '--out'], /--out: expected a value, found none/],
    [['r.txt', '--out', '--format', 'jsonl'], /--out: expected a value, found the next flag/],
    [['r.txt', '--resume=yes', '--out', 'x.csv'], /--resume: expected no value \(it is a switch\), found one/],
    [['evaluate', '--gld', 'g.csv', '--pred', 'p.csv'], /^label-reports: evaluate: unknown option --gld; did you mean --gold\?/],
  ];
  for (const [args, expected] of cases) {
    const r = await run(args, dir);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.stderr, expected, args.join(' '));
    t.notRegex(r.stderr, /positional argument|@cxr8\/labeler/, args.join(' '));
  }
  t.deepEqual(await readdir(dir), ['r.txt']);
});

test('--resume with no partial file says there is nothing to resume, and the summary claims no kept rows', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'r.txt'), 'IMPRESSION: Small left effusion.');
  const r = await run(['r.txt', '--out', 'out.csv', '--resume'], dir);
  t.is(r.code, 0, r.stderr);
  // Before: no word, and "; 0 kept from out.csv.partial" for a file that never existed.
  t.regex(r.stderr, /warning: --resume: found no out\.csv\.partial to resume .*labeling every report/);
  t.notRegex(r.stderr, /kept from/);
  t.is(rowsOf(await readFile(join(dir, 'out.csv'), 'utf8')).length, 2);
});

test('a dangling link named like a report, in a folder or a glob, is a failure naming it, not silently skipped', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'reports', '.cache'), { recursive: true });
  await writeFile(join(dir, 'reports', 'a.txt'), 'IMPRESSION: Small left effusion.');
  await writeFile(join(dir, 'reports', '.hidden.txt'), 'IMPRESSION: Cardiomegaly.');
  await writeFile(join(dir, 'reports', '.cache', 'c.txt'), 'IMPRESSION: Cardiomegaly.');
  await writeFile(join(dir, 'reports', 'notes.md'), 'not a report');
  await symlink(join(dir, 'gone.txt'), join(dir, 'reports', 'b.txt'));
  await symlink(join(dir, 'gone.md'), join(dir, 'reports', 'c.md'));
  for (const input of ['reports', 'reports/*.txt']) {
    const r = await run([input, '--out', 'out.csv'], dir);
    t.is(r.code, 1, r.stderr);
    t.regex(r.stderr, /reports\/b\.txt: a symbolic link to a file that cannot be read \(no such file or directory\)/, input);
    t.notRegex(r.stderr, /c\.md|notes\.md|hidden|cache/, input);
    t.deepEqual(rowsOf(await readFile(join(dir, 'out.csv'), 'utf8')).slice(1).map((row) => row[0]), ['a'], input);
  }
});

test('a subfolder that cannot be read is a failure naming it; the rest is labeled', async (t) => {
  if (process.getuid?.() === 0) {
    t.pass('skipped: running as root, which reads any folder (chmod 000 does not stop it)');
    return;
  }
  const dir = await tempDir(t);
  await mkdir(join(dir, 'reports', 'locked'), { recursive: true });
  await writeFile(join(dir, 'reports', 'a.txt'), 'IMPRESSION: Small left effusion.');
  await writeFile(join(dir, 'reports', 'locked', 'b.txt'), 'IMPRESSION: Edema.');
  await chmod(join(dir, 'reports', 'locked'), 0o000);
  t.teardown(() => chmod(join(dir, 'reports', 'locked'), 0o755));
  for (const input of ['reports', 'reports/**/*.txt']) {
    const r = await run([input, '--out', 'out.csv'], dir);
    t.is(r.code, 1, r.stderr);
    t.regex(r.stderr, /reports\/locked: cannot read the folder: permission denied/, input);
    t.deepEqual(rowsOf(await readFile(join(dir, 'out.csv'), 'utf8')).slice(1).map((row) => row[0]), ['a'], input);
  }
});

test('a semicolon- or tab-separated CSV is named as such, with what to do; a BOM and CRLF line ends are read', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'semi.csv'), 'id;text\n1;Small left effusion.\n');
  await writeFile(join(dir, 'tab.csv'), 'id\ttext\n1\tSmall left effusion.\n');
  await writeFile(join(dir, 'bom.csv'), '\ufeffid,text\r\n1,"FINDINGS: Small left effusion.\r\nIMPRESSION: Effusion."\r\n2,No pneumothorax.\r\n');
  for (const [file, name] of [['semi.csv', 'semicolons \\(";"\\)'], ['tab.csv', 'tabs \\("\\\\t"\\)']] as const) {
    const r = await run([file, '--out', 'out.csv'], dir);
    t.is(r.code, 3, r.stderr);
    t.regex(r.stderr, new RegExp(`${file}: expected a header with the column "id" .* the header is separated by ${name}, but label-reports reads comma-separated CSV`));
  }
  const bom = await run(['bom.csv', '--out', 'out.csv'], dir);
  t.is(bom.code, 0, bom.stderr);
  const rows = rowsOf(await readFile(join(dir, 'out.csv'), 'utf8'));
  t.deepEqual(rows.slice(1).map((row) => [row[0], row[3]]), [['1', '1'], ['2', '']]);
});

test('evaluate names a prediction or gold file in another layout, and refuses gold and predictions swapped', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.txt'), 'IMPRESSION: Small left effusion.');
  await writeFile(join(dir, 'b.txt'), 'IMPRESSION: No acute disease.');
  const gold = 'filename,Atelectasis,Cardiomegaly,Effusion,Infiltration,Mass,Nodule,Pneumonia,Pneumothorax,Consolidation,Edema,Emphysema,Fibrosis,Pleural_Thickening,Hernia,normal\n' +
    'a,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0\nb,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1\n';
  await writeFile(join(dir, 'gold.csv'), gold);
  for (const format of ['csv', 'jsonl', 'chexpert', 'nih']) t.is((await run(['a.txt', 'b.txt', '-f', format, '--out', `pred.${format}.csv`], dir)).code, 0);
  const ok = await run(['evaluate', '--gold', 'gold.csv', '--pred', 'pred.csv.csv'], dir);
  t.is(ok.code, 0, ok.stderr);
  const layouts: Array<[string, RegExp]> = [
    ['jsonl', /pred\.jsonl\.csv: expected a prediction csv in label-reports' csv format .*, found JSON lines \(the --format jsonl output\?\): write the predictions with --format csv/],
    ['chexpert', /pred\.chexpert\.csv: expected a prediction csv .*, found the CheXpert layout .*no report ids: write the predictions with --format csv/],
    ['nih', /pred\.nih\.csv: expected a prediction csv .*, found the NIH layout .*: write the predictions with --format csv/],
  ];
  for (const [format, expected] of layouts) {
    const r = await run(['evaluate', '--gold', 'gold.csv', '--pred', `pred.${format}.csv`], dir);
    t.is(r.code, 3, format);
    t.regex(r.stderr, expected, format);
    t.true(r.stderr.length < 600, `a short message, not the file's first line: ${r.stderr}`);
    t.is(r.stdout, '');
  }
  const nihGold = await run(['evaluate', '--gold', 'pred.nih.csv', '--pred', 'pred.csv.csv'], dir);
  t.is(nihGold.code, 3);
  t.regex(nihGold.stderr, /pred\.nih\.csv: expected a gold-standard csv .*, found the NIH layout/);
  // Before: scored without a word, with precision and recall exchanged.
  const swapped = await run(['evaluate', '--gold', 'pred.csv.csv', '--pred', 'gold.csv'], dir);
  t.is(swapped.code, 3);
  t.regex(swapped.stderr, /pred\.csv\.csv: expected a gold standard for --gold, found label-reports' csv output .* the two look swapped.*run with --gold gold\.csv --pred pred\.csv\.csv/);
  t.is(swapped.stdout, '');
  const same = await run(['evaluate', '--gold', 'pred.csv.csv', '--pred', 'pred.csv.csv'], dir);
  t.is(same.code, 0, 'two label files can still be compared');
});

test('UTF-16 text (with or without a byte order mark) fails with the utf-16 hint, never labeled as an empty report', async (t) => {
  const dir = await tempDir(t);
  const utf16le = (s: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
  const utf16be = (s: string): Buffer => Buffer.from(s, 'utf16le').swap16();
  await writeFile(join(dir, 'bom.csv'), utf16le('id,text\r\n1,Small left pleural effusion.\r\n'));
  await writeFile(join(dir, 'bom.txt'), utf16le('IMPRESSION: Small left pleural effusion.'));
  await writeFile(join(dir, 'nobom.txt'), utf16be('IMPRESSION: Small left pleural effusion.'));
  await writeFile(join(dir, 'nul.jsonl'), '{"id":"a","text":"Edema."}\n{"id":"b","text":"x\u0000y"}\n');
  await writeFile(join(dir, 'ok.txt'), 'IMPRESSION: Cardiomegaly.');
  const r = await run(['bom.csv', 'bom.txt', 'nobom.txt', 'nul.jsonl', 'ok.txt', '--out', 'out.csv'], dir);
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /bom\.csv: .*expected UTF-8 text, found UTF-16 \(byte order mark FF FE\); convert it with iconv -f utf-16 -t utf-8\n/);
  t.regex(r.stderr, /bom\.txt: expected UTF-8 text, found UTF-16 \(byte order mark FF FE\)/);
  // Before: nobom.txt (valid UTF-8 full of NUL bytes) was labeled No Finding 1, exit 0; bom.* had the Windows-1252 hint.
  t.regex(r.stderr, /nobom\.txt: expected UTF-8 text, found a NUL byte \(0x00\) at line 1, byte 0: UTF-16 text without a byte order mark/);
  t.regex(r.stderr, /nul\.jsonl:2: expected UTF-8 text, found a NUL byte \(0x00\) at line 2, byte \d+/);
  t.notRegex(r.stderr, /windows-1252/);
  t.deepEqual(rowsOf(await readFile(join(dir, 'out.csv'), 'utf8')).slice(1).map((row) => row[0]), ['a', 'ok']);
});

/** A folder this process cannot write into: a chmod 555 one, or, for root (who writes anywhere), /proc/sys. */
async function readOnlyFolder(dir: string): Promise<string | undefined> {
  if (process.getuid?.() !== 0) {
    const ro = join(dir, 'read-only');
    await mkdir(ro);
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

test('--out into a folder that cannot be written is exit 3 before any work, naming the folder and why', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'r.txt'), 'IMPRESSION: Small left effusion.');
  const ro = await readOnlyFolder(dir);
  if (ro === undefined) {
    t.pass('skipped: no folder here that this process cannot write');
    return;
  }
  t.teardown(() => (ro.startsWith(dir) ? chmod(ro, 0o755) : Promise.resolve()));
  const r = await run(['r.txt', '--out', join(ro, 'labels.csv')], dir);
  t.is(r.code, 3, r.stderr);
  // Before: "found: EROFS: read-only file system, open '.../labels.csv.partial.json'" (or EACCES), a Node message.
  t.regex(r.stderr, /labels\.csv: expected the folder .* to be writable, found: (permission denied|read-only file system)\n/);
  t.notRegex(r.stderr, /EACCES|EROFS|open '/);
});
