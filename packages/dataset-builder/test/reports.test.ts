import test from 'ava';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEFAULT_REPORT_COLUMNS, labelReport, parseCsv, parseReportColumns, readReports } from '../src/reports.js';
import type { ReportLabeler, ReportProblem, ReportRecord } from '../src/reports.js';

async function rows(chunks: string[]): Promise<string[][]> {
  const out: string[][] = [];
  for await (const r of parseCsv(chunks)) out.push(r);
  return out;
}

async function collect(path: string, columns = DEFAULT_REPORT_COLUMNS): Promise<{ reports: ReportRecord[]; problems: ReportProblem[] }> {
  const problems: ReportProblem[] = [];
  const reports: ReportRecord[] = [];
  for await (const r of readReports(path, columns, problems)) reports.push(r);
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

test('a reports CSV gives one record per row; empty rows are problems with their position', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-reports-'));
  const path = join(dir, 'r.csv');
  await writeFile(path, 'accession_number,report_text\nA1,"IMPRESSION: Clear."\nA2,""\n,text without key\n');
  const { reports, problems } = await collect(path);
  t.deepEqual(reports.map((r) => [r.accession, r.text, r.position]), [['A1', 'IMPRESSION: Clear.', 1]]);
  t.deepEqual(problems.map((p) => [p.position, p.reason]), [
    [2, 'empty report text'],
    [3, 'no accession number and no study UID'],
  ]);
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

test('labels keep known labels only, and evidence drops sentences unless report text is kept', (t) => {
  const labeler: ReportLabeler = {
    label: () => ({
      labels: { Effusion: 1, Made_Up: 1 },
      evidence: [{ label: 'Effusion', value: 1, start: 0, end: 8, text: 'effusion', sentence: 'Effusion seen 03/12/2019.', section: 'IMPRESSION' }],
    }),
  };
  const stored = labelReport(labeler, 'r', 'x', false);
  t.deepEqual(stored.labels, [{ finding: 'Effusion', value: 1, evidence: [{ value: 1, start: 0, end: 8, text: 'effusion', section: 'IMPRESSION' }] }]);
  t.is(labelReport(labeler, 'r', 'x', true).labels[0]?.evidence[0]?.sentence, 'Effusion seen 03/12/2019.');
});
