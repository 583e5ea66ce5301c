import test from 'ava';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { readUtf8Pieces, streamCsvRecords } from '@cxr8/labeler';
import type { InvalidByte } from '@cxr8/labeler';
import { DEFAULT_REPORT_COLUMNS, isBlankReport, loadDefaultLabeler, parseReportColumns, readReportSource, storedReportLabels } from '../src/reports.js';
import { NothingToDoError } from '../src/errors.js';
import type { KeyedReportRow, ReportLabeler, ReportProblem } from '../src/reports.js';

async function rows(chunks: string[]): Promise<string[][]> {
  const out: string[][] = [];
  for await (const r of streamCsvRecords(chunks, { keepBlankLines: true })) out.push(r.fields);
  return out;
}

/** The text and the invalid bytes of a stream cut into the given byte chunks, as the labeler's decoder reads it. */
async function decoded(chunks: Buffer[]): Promise<{ text: string; invalid: InvalidByte[] }> {
  let text = '';
  const invalid: InvalidByte[] = [];
  for await (const piece of readUtf8Pieces(Readable.from(chunks))) {
    text += piece.text;
    invalid.push(...piece.invalidBytes);
  }
  return { text, invalid };
}

async function collect(path: string, columns = DEFAULT_REPORT_COLUMNS): Promise<{ reports: KeyedReportRow[]; problems: ReportProblem[] }> {
  const problems: ReportProblem[] = [];
  const reports: KeyedReportRow[] = [];
  for await (const r of readReportSource(path, columns, problems)) reports.push(r);
  return { reports, problems };
}

test('CSV parsing follows RFC 4180: quotes, doubled quotes, line breaks in quotes, CRLF', async (t) => {
  t.deepEqual(await rows(['a,b\r\n"x, ""y""\nz",2\r\n']), [
    ['a', 'b'],
    ['x, "y"\nz', '2'],
  ]);
});

test('CSV parsing does not depend on where chunks are cut', async (t) => {
  const text = 'h1,h2\r\n"q ""1""",v\r\n"multi\r\nline",w\n';
  const whole = await rows([text]);
  for (let cut = 1; cut < text.length; cut++) t.deepEqual(await rows([text.slice(0, cut), text.slice(cut)]), whole);
});

test('a leading byte order mark and a last line without newline are accepted', async (t) => {
  t.deepEqual(await rows(['\ufeffa,b\n1,2']), [
    ['a', 'b'],
    ['1', '2'],
  ]);
});

test('a reports CSV gives one record per row; an empty report is a report, a row without a key or text field is a problem', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-reports-'));
  const path = join(dir, 'r.csv');
  await writeFile(path, 'accession_number,report_text\nA1,"IMPRESSION: Clear."\nA2,""\n,text without key\nA4\n');
  const { reports, problems } = await collect(path);
  t.deepEqual(reports.map((r) => [r.accession, r.text, r.position]), [['A1', 'IMPRESSION: Clear.', 1], ['A2', '', 2]]);
  t.deepEqual(problems.map((p) => [p.position, p.reason]), [
    [3, 'no accession number and no study UID'],
    [4, 'expected a "report_text" field (column 2 of the header), found a row of 1 fields'],
  ]);
});

test('empty and headings-only reports are recognised, and the labeler reads them as No Finding 1', async (t) => {
  t.true(isBlankReport(''));
  t.true(isBlankReport('  \n'));
  t.true(isBlankReport('FINDINGS:\nIMPRESSION:'));
  t.false(isBlankReport('IMPRESSION: Normal.'));
  t.false(isBlankReport('Effusion'));
  const labeler = await loadDefaultLabeler();
  t.deepEqual(storedReportLabels(labeler, 'e', 'FINDINGS:\nIMPRESSION:', false).labels.map((l) => [l.finding, l.value]), [['No Finding', 1]]);
});

test('bytes that are not UTF-8 fail only their row, naming the file, the row and the byte offset, with a hint', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-reports-'));
  const path = join(dir, 'r.csv');
  // Row 2 holds "caf\xe9" (Windows-1252 for "cafe" with an acute e): byte offset 52 in the file.
  const head = Buffer.from('accession_number,report_text\nA1,"Cl\u00e9ar."\nA2,"caf');
  await writeFile(path, Buffer.concat([head, Buffer.from([0xe9]), Buffer.from('"\nA3,"Ok."\n')]));
  const { reports, problems } = await collect(path);
  t.deepEqual(reports.map((r) => [r.accession, r.text]), [['A1', 'Cl\u00e9ar.'], ['A3', 'Ok.']]);
  t.is(problems.length, 1);
  t.is(problems[0]?.position, 2);
  t.regex(problems[0]?.reason ?? '', new RegExp(`byte 0xE9 at byte offset ${head.length} of r\\.csv \\(row 2\\).*iconv -f windows-1252 -t utf-8`));
  // JSONL and .txt follow the same rule.
  await writeFile(join(dir, 'r.jsonl'), Buffer.concat([Buffer.from('{"accession_number":"A1","report_text":"x"}\n{"accession_number":"A2","report_text":"\xff'), Buffer.from([0xff]), Buffer.from('"}\n')]));
  const jsonl = await collect(join(dir, 'r.jsonl'));
  t.is(jsonl.reports.length, 1);
  t.regex(jsonl.problems[0]?.reason ?? '', /byte 0xFF at byte offset \d+ of r\.jsonl \(line 2\)/);
  await mkdir(join(dir, 'txt'));
  await writeFile(join(dir, 'txt', 'A9.txt'), Buffer.concat([Buffer.from('IMPRESSION:\nNo '), Buffer.from([0x96]), Buffer.from(' change.')]));
  const txt = await collect(join(dir, 'txt'));
  t.is(txt.reports.length, 0);
  // A whole .txt file goes through the labeler's decodeUtf8: its words, after the file's name.
  t.regex(txt.problems[0]?.reason ?? '', /^A9\.txt: expected UTF-8 text, found invalid UTF-8 at line 2, byte 15 \(0x96\); a Windows-1252/);
});

test('the labeler\'s rules: a UTF-8 byte order mark is dropped, UTF-16 is named with what to do, a NUL byte fails its row', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-reports-'));
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);
  // A byte order mark before JSONL (JSON.parse would refuse it) and before CSV, even when a read cuts it.
  await writeFile(join(dir, 'bom.jsonl'), Buffer.concat([bom, Buffer.from('{"accession_number":"A1","report_text":"Clear."}\n')]));
  t.deepEqual((await collect(join(dir, 'bom.jsonl'))).reports.map((r) => r.accession), ['A1']);
  const cutBom = await decoded([bom.subarray(0, 1), bom.subarray(1), Buffer.from([0x61, 0xff])]);
  t.is(cutBom.text, 'a\ufffd');
  t.deepEqual(cutBom.invalid, [{ line: 1, offset: 4, byte: 0xff }]);
  // UTF-16 (what "Unicode" exports of Windows tools write): the whole file is refused, in the labeler's words.
  for (const [name, mark] of [['le.csv', [0xff, 0xfe]], ['be.csv.gz', [0xfe, 0xff]]] as const) {
    const body = Buffer.concat([Buffer.from(mark), Buffer.from('a\0,\0b\0', 'latin1')]);
    await writeFile(join(dir, name), name.endsWith('.gz') ? gzipSync(body) : body);
    await t.throwsAsync(collect(join(dir, name)), { message: new RegExp(`${name.replace('.', '\\.')}: expected UTF-8 text, found UTF-16 \\(byte order mark ${mark[0] === 0xff ? 'FF FE' : 'FE FF'}\\); convert it with iconv -f utf-16 -t utf-8`) });
  }
  // A NUL byte is valid UTF-8 but never in a report: its row fails with the offset; the others are read.
  const head = Buffer.from('accession_number,report_text\nA1,"ok"\nA2,"x');
  await writeFile(join(dir, 'nul.csv'), Buffer.concat([head, Buffer.from([0]), Buffer.from('y"\nA3,"fine"\n')]));
  const nul = await collect(join(dir, 'nul.csv'));
  t.deepEqual(nul.reports.map((r) => r.accession), ['A1', 'A3']);
  t.regex(nul.problems[0]?.reason ?? '', new RegExp(`found a NUL byte \\(0x00\\) at byte offset ${head.length} of nul\\.csv \\(row 2\\): UTF-16 text without a byte order mark`));
  await mkdir(join(dir, 'txt'));
  await writeFile(join(dir, 'txt', 'A5.txt'), Buffer.from('I\0M\0P\0', 'latin1'));
  t.regex((await collect(join(dir, 'txt'))).problems[0]?.reason ?? '', /^A5\.txt: expected UTF-8 text, found a NUL byte \(0x00\) at line 1, byte 1/);
});

test('strict UTF-8 decoding joins a character cut by a chunk boundary and names the first invalid byte of a line with its offset', async (t) => {
  const euro = Buffer.from('\u20ac'); // e2 82 ac
  const { text, invalid } = await decoded([Buffer.from([0x41, euro[0] as number]), Buffer.from([euro[1] as number, euro[2] as number, 0xc0, 0x42, 0xed, 0xa0, 0x80, 0x0a, 0x43, 0xff])]);
  // 0xC0 never starts a sequence; ED A0 80 would be a surrogate: the line's first bad byte is 0xC0, at offset 4.
  t.is(text, 'A\u20ac\ufffdB\ufffd\ufffd\ufffd\nC\ufffd');
  t.deepEqual(invalid, [{ line: 1, offset: 4, byte: 0xc0 }, { line: 2, offset: 11, byte: 0xff }]);
  const cut = await decoded([Buffer.from([0x41, 0xe2, 0x82])]);
  t.deepEqual(cut.invalid, [{ line: 1, offset: 1, byte: 0xe2 }]);
  t.is(cut.text, 'A\ufffd');
});

test('a reports source with no report in it is an error that says what was looked for', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-reports-'));
  await writeFile(join(dir, 'header.csv'), 'accession_number,report_text\n');
  await t.throwsAsync(collect(join(dir, 'header.csv')), { instanceOf: NothingToDoError, message: /header\.csv: expected reports in this CSV, found its header row and no rows/ });
  await writeFile(join(dir, 'empty.jsonl'), '\n\n');
  await t.throwsAsync(collect(join(dir, 'empty.jsonl')), { message: /empty\.jsonl: expected one JSON object a line.*found only blank lines/ });
  await mkdir(join(dir, 'notxt'));
  await writeFile(join(dir, 'notxt', 'a.md'), 'x');
  await t.throwsAsync(collect(join(dir, 'notxt')), { message: /notxt: expected report files named <accession>\.txt in this --reports folder, found none among 1 entry/ });
});

test('column names are configurable, and gzipped CSV is read', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-reports-'));
  const path = join(dir, 'r.csv.gz');
  await writeFile(path, gzipSync('acc,body,suid\nA1,Heart normal.,1.2.3\n'));
  const { reports } = await collect(path, parseReportColumns('accession=acc,text=body,study_uid=suid'));
  t.deepEqual(reports.map((r) => [r.accession, r.studyUid, r.text]), [['A1', '1.2.3', 'Heart normal.']]);
});

test('a CSV without the expected columns is refused, naming the columns found', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-reports-'));
  const path = join(dir, 'r.csv');
  await writeFile(path, 'id,body\n1,x\n');
  await t.throwsAsync(collect(path), { message: /r\.csv: expected a CSV with a "report_text" column.*found columns \["id","body"\]/ });
});

test('JSONL reports: one object a line; a bad line is a problem', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-reports-'));
  const path = join(dir, 'r.jsonl');
  await writeFile(path, '{"accession_number":"A1","report_text":"Effusion."}\n{bad json}\n{"study_instance_uid":"1.2","report_text":"Clear."}\n');
  const { reports, problems } = await collect(path);
  t.deepEqual(reports.map((r) => [r.accession, r.studyUid]), [['A1', ''], ['', '1.2']]);
  t.is(problems.length, 1);
  t.is(problems[0]?.position, 2);
});

test('a folder of .txt reports is keyed by file name', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-reports-'));
  await mkdir(join(dir, 'txt'));
  await writeFile(join(dir, 'txt', 'A77.txt'), 'IMPRESSION: Nodule.');
  await writeFile(join(dir, 'txt', 'notes.md'), 'ignored');
  const { reports } = await collect(join(dir, 'txt'));
  t.deepEqual(reports.map((r) => [r.accession, r.text]), [['A77', 'IMPRESSION: Nodule.']]);
});

test('a .txt report that cannot be read is a problem of its own; the folder is still read', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-reports-'));
  await mkdir(join(dir, 'txt'));
  await writeFile(join(dir, 'txt', 'A1.txt'), 'IMPRESSION: Clear.');
  await symlink(join(dir, 'nowhere.txt'), join(dir, 'txt', 'A2.txt'));
  await writeFile(join(dir, 'txt', 'A3.txt'), 'IMPRESSION: Effusion.');
  const { reports, problems } = await collect(join(dir, 'txt'));
  t.deepEqual(reports.map((r) => [r.accession, r.position]), [['A1', 1], ['A3', 3]]);
  t.deepEqual(problems.map((p) => p.position), [2]);
  t.regex(problems[0]?.reason ?? '', /^A2\.txt: cannot read the file: /);
});

test('labels keep known labels only, and evidence drops sentences unless report text is kept', (t) => {
  const labeler: ReportLabeler = {
    label: () => ({
      labels: { Effusion: 1, Made_Up: 1 },
      evidence: [{ label: 'Effusion', value: 1, start: 0, end: 8, text: 'effusion', sentence: 'Effusion seen 03/12/2019.', section: 'IMPRESSION' }],
    }),
  };
  const stored = storedReportLabels(labeler, 'r', 'x', false);
  t.deepEqual(stored.labels, [{ finding: 'Effusion', value: 1, evidence: [{ value: 1, start: 0, end: 8, text: 'effusion', section: 'IMPRESSION' }] }]);
  t.is(storedReportLabels(labeler, 'r', 'x', true).labels[0]?.evidence[0]?.sentence, 'Effusion seen 03/12/2019.');
});
