import test from 'ava';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CsvParser, parseCsvRecords } from '../src/readers/csv.js';
import { discoverInputs, inputFormatOf } from '../src/readers/discover.js';
import { readReports, type ReadItem } from '../src/readers/index.js';
import { parseJsonlReport } from '../src/readers/jsonl.js';
import { decodeUtf8 } from '../src/readers/text.js';

const openI = (uid: string, findings: string, impression = 'No acute disease.'): string => `<?xml version="1.0" encoding="utf-8"?>
<eCitation>
   <uId id="${uid}"/>
   <MedlineCitation><Article><Abstract>
      <AbstractText Label="COMPARISON">None.</AbstractText>
      <AbstractText Label="INDICATION"/>
      <AbstractText Label="FINDINGS">${findings}</AbstractText>
      <AbstractText Label="IMPRESSION">${impression}</AbstractText>
   </Abstract></Article></MedlineCitation>
   <MeSH><major>normal</major></MeSH>
</eCitation>`;

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-readers-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function collect(inputs: string[], options: Parameters<typeof readReports>[1] = {}): Promise<ReadItem[]> {
  const items: ReadItem[] = [];
  for await (const item of readReports(inputs, options)) items.push(item);
  return items;
}

// --- CSV parsing (RFC 4180) ---

test('csv: a quoted field keeps its commas, doubled quotes and line breaks', (t) => {
  const records = parseCsvRecords('id,text\r\n1,"Heart normal, ""stable"".\r\nLungs clear."\r\n');
  t.deepEqual(records.map((r) => r.fields), [['id', 'text'], ['1', 'Heart normal, "stable".\r\nLungs clear.']]);
});

test('csv: records report the line they start on', (t) => {
  const records = parseCsvRecords('a,b\n1,"x\ny"\n2,z\n');
  t.deepEqual(records.map((r) => r.line), [1, 2, 4]);
});

test('csv: fed one character at a time, the parser gives the same records as in one piece', (t) => {
  const text = 'id,text\n1,"a ""q"", b\nc"\n2,plain\r\n3,""\n"4","end"';
  const whole = parseCsvRecords(text);
  const parser = new CsvParser();
  const pieces = [...text].flatMap((c) => parser.push(c));
  t.deepEqual([...pieces, ...parser.end()], whole);
  t.is(whole.length, 5);
});

test('csv: a quote inside an unquoted field marks only that row malformed', (t) => {
  const records = parseCsvRecords('id,text\n1,he said "no"\n2,fine\n');
  t.regex(records[1]?.error ?? '', /no quote inside an unquoted field/);
  t.deepEqual(records[2], { fields: ['2', 'fine'], line: 3 });
});

test('csv: text after a closing quote marks the row malformed', (t) => {
  t.regex(parseCsvRecords('"a"b,c\n')[0]?.error ?? '', /after a closing quote, found "b"/);
});

test('csv: an unterminated quote is reported with the line it opened on', (t) => {
  t.regex(parseCsvRecords('id,text\n1,"never closed\n2,x\n')[1]?.error ?? '', /opened on line 2 never closes/);
});

// --- other pure helpers ---

test('formats come from the extension, case-insensitively', (t) => {
  t.deepEqual(['a.XML', 'b.txt', 'c.csv', 'd.jsonl', 'e.ndjson', 'f.md'].map(inputFormatOf), ['xml', 'txt', 'csv', 'jsonl', 'jsonl', undefined]);
});

test('utf-8: an invalid byte is reported with its line', (t) => {
  t.is(decodeUtf8(Buffer.from([0x61, 0x0a, 0x62, 0xff])).error, 'expected UTF-8 text, found invalid UTF-8 at line 2, byte 3 (0xFF); a Windows-1252 (Latin-1) file can be converted with iconv -f windows-1252 -t utf-8');
  t.is(decodeUtf8(Buffer.from([0xef, 0xbb, 0xbf, 0x61])).text, 'a');
});

test('jsonl: a line without text says which key is missing', (t) => {
  t.is(parseJsonlReport('{"id":"CXR1"}', 'a.jsonl:2').failure?.reason, 'expected a string "text", found none');
  t.is(parseJsonlReport('{"id":7,"text":"No effusion."}', 'a.jsonl:3').report?.id, '7');
});

// --- files, folders, globs ---

test('every input format is read, folders recursively and in sorted order', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'reports', 'b'), { recursive: true });
  await writeFile(join(dir, 'reports', 'b', '2.xml'), openI('CXR2', 'Small left pleural effusion.'));
  await writeFile(join(dir, 'reports', '1.xml'), openI('CXR1', 'The lungs are clear.'));
  await writeFile(join(dir, 'reports', 'notes.md'), 'skipped in folders');
  await writeFile(join(dir, 'CXR9.txt'), 'FINDINGS: Cardiomegaly.');
  await writeFile(join(dir, 'more.csv'), 'id,text\nc1,"No pneumothorax,\nno effusion."\nc2,Mild edema.\n');
  await writeFile(join(dir, 'more.jsonl'), '{"id":"j1","text":"Right lower lobe pneumonia."}\n\n{"id":"j2","text":"Normal."}\n');
  const items = await collect(['reports', 'CXR9.txt', 'more.csv', 'more.jsonl'], { cwd: dir });
  t.deepEqual(items.map((i) => i.report?.id), ['CXR1', 'CXR2', 'CXR9', 'c1', 'c2', 'j1', 'j2']);
  t.is(items[0]?.report?.text, 'COMPARISON: None.\nFINDINGS: The lungs are clear.\nIMPRESSION: No acute disease.');
  t.is(items[3]?.report?.text, 'No pneumothorax,\nno effusion.');
  t.deepEqual(items.map((i) => i.report?.source), ['reports/1.xml', 'reports/b/2.xml', 'CXR9.txt', 'more.csv:2', 'more.csv:4', 'more.jsonl:1', 'more.jsonl:3']);
});

test('globs match below their folder; a glob that matches nothing is a failure', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'r', 'x'), { recursive: true });
  await writeFile(join(dir, 'r', 'x', 'a.txt'), 'Edema.');
  await writeFile(join(dir, 'r', 'b.txt'), 'Mass.');
  await writeFile(join(dir, 'r', 'c.xml'), openI('CXR3', 'Nodule.'));
  const items = await collect(['r/**/*.txt', 'r/*.jsonl'], { cwd: dir });
  t.deepEqual(items.map((i) => i.report?.id ?? i.failure?.source), ['b', 'a', 'r/*.jsonl']);
  t.is(items[2]?.failure?.reason, 'no file matches the pattern');
});

/** What discovery yields for `inputs` in `cwd`: file names, and failures as "source: reason". */
async function discovered(inputs: string[], cwd: string): Promise<string[]> {
  const names: string[] = [];
  for await (const d of discoverInputs(inputs, { cwd })) names.push(d.file ? d.file.name : `${d.failure.source}: ${d.failure.reason}`);
  return names;
}

/** r/a/z.txt, r/a.txt, r/b.txt, r/x/{a,c}.txt, r/CXR1.txt ... CXR12.txt, and hidden .h.txt, .cache/c.txt. */
async function globTree(dir: string): Promise<void> {
  await mkdir(join(dir, 'r', 'a'), { recursive: true });
  await mkdir(join(dir, 'r', 'x', '.cache'), { recursive: true });
  await mkdir(join(dir, 'r', '.cache'), { recursive: true });
  for (const file of ['a/z.txt', 'a.txt', 'b.txt', 'x/a.txt', 'x/c.xml', 'CXR1.txt', 'CXR12.txt', 'CXRa.txt', '.h.txt', '.cache/c.txt', 'x/.cache/d.txt']) {
    await writeFile(join(dir, 'r', file), 'Edema.');
  }
}

test('glob: ** spans folders, * stays within one, braces give alternatives, [...] and [!...] classes', async (t) => {
  const dir = await tempDir(t);
  await globTree(dir);
  t.deepEqual(await discovered(['r/**/*.{xml,txt}'], dir), ['r/CXR1.txt', 'r/CXR12.txt', 'r/CXRa.txt', 'r/a/z.txt', 'r/a.txt', 'r/b.txt', 'r/x/a.txt', 'r/x/c.xml']);
  t.deepEqual(await discovered(['r/x/**/*.xml'], dir), ['r/x/c.xml'], '** matches no folder too');
  t.deepEqual(await discovered(['r/*.xml'], dir), ['r/*.xml: no file matches the pattern'], '* stays within one folder');
  t.deepEqual(await discovered(['r/CXR[0-9]?.txt'], dir), ['r/CXR12.txt']);
  t.deepEqual(await discovered(['r/CXR[!0-9]*.txt'], dir), ['r/CXRa.txt']);
  t.deepEqual(await discovered(['r/{a,x}/*.txt'], dir), ['r/a/z.txt', 'r/x/a.txt'], 'the base of brace alternatives is their common folder');
  t.deepEqual(await discovered(['./r/a/*'], dir), ['./r/a/z.txt'], 'a name keeps the pattern as written');
  t.deepEqual(await discovered([join(dir, 'r', 'a', '*.txt')], '/'), [join(dir, 'r', 'a', 'z.txt')], 'an absolute pattern');
  t.deepEqual(await discovered(['nope/*.txt'], dir), ['nope/*.txt: no file matches the pattern (nope: no such file or directory)']);
});

test('glob matches come in the order of a folder walk: names sorted, depth first (a/z.txt before a.txt)', async (t) => {
  const dir = await tempDir(t);
  await globTree(dir);
  const walk = ['r/CXR1.txt', 'r/CXR12.txt', 'r/CXRa.txt', 'r/a/z.txt', 'r/a.txt', 'r/b.txt', 'r/x/a.txt'];
  t.deepEqual(await discovered(['r/**/*.txt'], dir), walk);
  t.deepEqual(await discovered(['r'], dir), [...walk.slice(0, 6), 'r/x/a.txt', 'r/x/c.xml'], 'a folder input: the same order');
});

test('hidden entries are skipped by globs as in folders, even where the pattern names one; a hidden base is read', async (t) => {
  const dir = await tempDir(t);
  await globTree(dir);
  t.false((await discovered(['r/**/*.txt'], dir)).some((name) => name.includes('/.')));
  t.false((await discovered(['r'], dir)).some((name) => name.includes('/.')));
  t.deepEqual(await discovered(['r/*/.cache/*.txt'], dir), ['r/*/.cache/*.txt: no file matches the pattern']);
  t.deepEqual(await discovered(['r/.*.txt'], dir), ['r/.*.txt: no file matches the pattern']);
  t.deepEqual(await discovered(['r/.cache/*.txt'], dir), ['r/.cache/c.txt'], 'the folder a glob starts at may be hidden');
});

test('a glob follows a linked folder once: a link back to a folder above is cut, a second path to a folder is not read again', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'r', 'x'), { recursive: true });
  await writeFile(join(dir, 'r', 'x', 'a.txt'), 'Edema.');
  await symlink('..', join(dir, 'r', 'x', 'loop'));
  await symlink('x', join(dir, 'r', 'y'));
  await symlink(join(dir, 'gone.txt'), join(dir, 'r', 'g.txt'));
  const expected = ['r/g.txt: a symbolic link to a file that cannot be read (no such file or directory)', 'r/x/a.txt'];
  t.deepEqual(await discovered(['r/**/*.txt'], dir), expected);
  t.deepEqual(await discovered(['r'], dir), expected, 'as a folder input');
  t.deepEqual(await discovered(['r/y/*.txt'], dir), ['r/y/a.txt'], 'a link named in the pattern is read');
});

test('duplicate inputs are read once', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.txt'), 'Edema.');
  const found = [];
  for await (const d of discoverInputs(['a.txt', '*.txt', '.'], { cwd: dir })) found.push(d.file?.name);
  t.deepEqual(found, ['a.txt']);
});

// --- bad input: reported with the name and the reason, the rest is read ---

test('bad inputs are failures naming the file and the reason, and the rest is read; empty reports are reports', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'empty.txt'), '');
  await writeFile(join(dir, 'empty.csv'), '');
  await writeFile(join(dir, 'blank.txt'), ' \n\t\n');
  await writeFile(join(dir, 'latin1.txt'), Buffer.from('Heart size normal. No \xe9panchement.', 'latin1'));
  await writeFile(join(dir, 'broken.xml'), '<?xml version="1.0"?><eCitation><uId id="CXR5"/><AbstractText Label="FINDINGS">Edema');
  await writeFile(join(dir, 'notes.md'), 'x');
  await writeFile(join(dir, 'good.txt'), 'No pneumothorax.');
  const inputs = ['empty.txt', 'empty.csv', 'blank.txt', 'latin1.txt', 'broken.xml', 'notes.md', 'missing.txt', 'good.txt'];
  const items = await collect(inputs, { cwd: dir });
  t.deepEqual(
    items.map((i) => (i.failure ? `${i.failure.source}: ${i.failure.reason}` : `ok ${i.report.id}`)),
    [
      'ok empty',
      'empty.csv: expected a CSV header and rows, found an empty file (0 bytes)',
      'ok blank',
      'latin1.txt: expected UTF-8 text, found invalid UTF-8 at line 1, byte 22 (0xE9); a Windows-1252 (Latin-1) file can be converted with iconv -f windows-1252 -t utf-8',
      'broken.xml: expected the document to end with </eCitation>, found it truncated',
      'notes.md: expected a report file (.xml, .txt, .csv, .jsonl (or .ndjson)), found a ".md" file',
      'missing.txt: no such file or directory',
      'ok good',
    ],
  );
});

test('csv: malformed rows and an invalid UTF-8 line fail alone; the other rows are read', async (t) => {
  const dir = await tempDir(t);
  const rows = Buffer.concat([
    Buffer.from('id,text,site\n1,No effusion.,A\n2,he said "no",A\n3,too few fields\n'),
    Buffer.from([0x34, 0x2c, 0xff, 0xfe, 0x2c, 0x41, 0x0a]),
    Buffer.from('5,"Multi-line,\nreport.",B\n'),
  ]);
  await writeFile(join(dir, 'r.csv'), rows);
  const items = await collect(['r.csv'], { cwd: dir });
  t.deepEqual(
    items.map((i) => (i.failure ? `${i.failure.source}: ${i.failure.reason}` : `ok ${i.report.id}`)),
    [
      'ok 1',
      'r.csv:3: expected no quote inside an unquoted field (quote the field and double the quote: "a ""b"" c")',
      'r.csv:4: expected 3 fields as in the header, found 2',
      'r.csv:5: expected UTF-8 text, found invalid UTF-8 at line 5, byte 66 (0xFF); a Windows-1252 (Latin-1) file can be converted with iconv -f windows-1252 -t utf-8',
      'ok 5',
    ],
  );
});

test('csv: --id-column and --text-column pick the columns; a missing column fails the file', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'r.csv'), 'Accession,Report\nA1,Mild cardiomegaly.\n');
  const good = await collect(['r.csv'], { cwd: dir, idColumn: 'accession', textColumn: 'Report' });
  t.deepEqual(good.map((i) => i.report), [{ id: 'A1', text: 'Mild cardiomegaly.', source: 'r.csv:2' }]);
  const bad = await collect(['r.csv'], { cwd: dir });
  t.is(bad[0]?.failure?.reason, 'expected a header with the column "id" (--id-column) and "text" (--text-column), found "Accession", "Report"');
});

test('jsonl: a bad line fails alone and says why', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'r.jsonl'), '{"id":"a","text":"Edema."}\nnot json\n[1]\n{"id":"","text":"x"}\n{"id":"b","text":"Mass."}');
  const items = await collect(['r.jsonl'], { cwd: dir });
  t.deepEqual(items.map((i) => i.report?.id ?? i.failure?.source), ['a', 'r.jsonl:2', 'r.jsonl:3', 'r.jsonl:4', 'b']);
  t.regex(items[1]?.failure?.reason ?? '', /^expected a JSON object, found invalid JSON/);
  t.is(items[2]?.failure?.reason, 'expected a JSON object {"id": ..., "text": ...}, found an array');
});

test('a 1 MB report is read whole from txt, csv and jsonl', async (t) => {
  const dir = await tempDir(t);
  const sentence = 'There is a small left pleural effusion, unchanged. ';
  const big = sentence.repeat(Math.ceil((1 << 20) / sentence.length));
  await writeFile(join(dir, 'big.txt'), big);
  await writeFile(join(dir, 'big.csv'), `id,text\nbig,"${big}"\nsmall,Edema.\n`);
  await writeFile(join(dir, 'big.jsonl'), `${JSON.stringify({ id: 'big', text: big })}\n{"id":"small","text":"Edema."}\n`);
  const items = await collect(['big.txt', 'big.csv', 'big.jsonl'], { cwd: dir });
  t.deepEqual(items.map((i) => i.report?.text.length), [big.length, big.length, 6, big.length, 6]);
  t.true(big.length >= 1 << 20);
});

// Standard input: the input "-".
const stdinItems = (text: string, stdinFormat?: 'jsonl' | 'csv' | 'txt') =>
  collect(['-'], { stdin: Readable.from([Buffer.from(text)]), ...(stdinFormat ? { stdinFormat } : {}) });

test('stdin: "-" reads JSONL by default', async (t) => {
  const items = await stdinItems('{"id":"s1","text":"No effusion."}\n{"id":"s2","text":"Mild edema."}\n');
  t.deepEqual(items.map((i) => i.report?.id), ['s1', 's2']);
});

test('stdin: a bad JSONL line is named stdin:LINE', async (t) => {
  const items = await stdinItems('{"id":"s1","text":"No effusion."}\nnot json\n');
  t.is(items[1]?.failure?.source, 'stdin:2');
});

test('stdin: --stdin-format csv reads a CSV with a header', async (t) => {
  const items = await stdinItems('id,text\nc1,"Small effusion,\nleft."\nc2,Clear lungs.\n', 'csv');
  t.deepEqual(items.map((i) => i.report?.id), ['c1', 'c2']);
});

test('stdin: --stdin-format txt reads all of it as one report with id "stdin"', async (t) => {
  const items = await stdinItems('FINDINGS: Small effusion.\nIMPRESSION: Effusion.\n', 'txt');
  t.deepEqual(items.map((i) => [i.report?.id, i.report?.text]), [['stdin', 'FINDINGS: Small effusion.\nIMPRESSION: Effusion.\n']]);
});

test('stdin: an empty standard input in txt format is an empty report, as an empty .txt file is', async (t) => {
  const items = await stdinItems('', 'txt');
  t.deepEqual(items.map((i) => i.report), [{ id: 'stdin', text: '', source: 'stdin' }]);
});

test('stdin: invalid UTF-8 in txt format fails with the line, byte and hint', async (t) => {
  const items = await collect(['-'], { stdin: Readable.from([Buffer.from('Normal.\nPetit \xe9panchement.', 'latin1')]), stdinFormat: 'txt' });
  t.is(items[0]?.failure?.reason, 'expected UTF-8 text, found invalid UTF-8 at line 2, byte 14 (0xE9); a Windows-1252 (Latin-1) file can be converted with iconv -f windows-1252 -t utf-8');
});

test('stdin: "-" is read in input order between files', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.txt'), 'No effusion.');
  await writeFile(join(dir, 'b.txt'), 'Mild edema.');
  const items = await collect(['a.txt', '-', 'b.txt'], { cwd: dir, stdin: Readable.from([Buffer.from('{"id":"s","text":"Clear."}\n')]) });
  t.deepEqual(items.map((i) => i.report?.id), ['a', 's', 'b']);
});
