/**
 * Stage 5: read the radiology reports and label them.
 *
 * Sources (any number, `--reports` repeated):
 * - a CSV file (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes, CRLF or LF; `.csv.gz` too; read
 *   by the labeler's one CSV reader, `readCsvRecordChunks`) with
 *   columns `accession_number`, `report_text`, optional `study_instance_uid`, `patient_id`, `study_date`; the names
 *   are configurable ({@link ReportColumns});
 * - a JSONL file (`.jsonl` / `.ndjson`), one object per line with the same keys;
 * - a folder of `.txt` files, each named by its accession number (`A1234.txt`);
 * - DICOM Basic / Enhanced / Comprehensive SR documents found in the DICOM tree (the pipeline passes their text).
 *
 * Reports are joined to studies on AccessionNumber, falling back to StudyInstanceUID. A row that cannot be used (no
 * text field, no key, bad JSON, bytes that are not UTF-8) is returned as a problem with its position, never dropped
 * silently; an empty or headings-only report is a report like any other ({@link isBlankReport}). A source with no
 * report at all (a header and no rows, an empty file, a folder without .txt) is an error: nothing to do. A second
 * row with the accession (or study UID) of an earlier row of the same source is an addendum, which the reports stage (stages/reports.ts) joins
 * to it; one from a later source is a duplicate, not used (pipeline.ts, reportsStage).
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { FINDINGS_14, NO_FINDING, ReportParseError, otherSeparatorHint, readCsvRecordChunks, readJsonLines, readTextReport, reasonOf } from '@cxr8/labeler';
import type { InvalidByte, LabelSetDefinition } from '@cxr8/labeler';
import { BuilderError, NothingToDoError, ReportSourceError } from './errors.js';

/**
 * One report row as read from a source, keyed by its accession number and/or study UID (the join to the DICOM
 * studies); not the labeler's `ReportRecord` (`{ id, text, source }`). Identifiers are raw here; the pipeline hashes
 * them at once.
 */
export interface KeyedReportRow {
  accession: string;
  studyUid: string;
  text: string;
  /** Source label (file name) and 1-based position in it (data row, line, or file), for listings. */
  source: string;
  position: number;
}

/** A row of a source that could not be used. */
export interface ReportProblem {
  source: string;
  position: number;
  reason: string;
}

/** Column (or JSON key) names of a CSV / JSONL report source. */
export interface ReportColumns {
  accession: string;
  text: string;
  studyUid: string;
}

/** The default column names. */
export const DEFAULT_REPORT_COLUMNS: ReportColumns = {
  accession: 'accession_number',
  text: 'report_text',
  studyUid: 'study_instance_uid',
};

/**
 * Parses `--report-columns accession=ACC,text=REPORT,study_uid=SUID` over the defaults.
 *
 * @example
 * ```ts
 * parseReportColumns('accession=acc_no,text=body'); // { accession: 'acc_no', text: 'body', studyUid: 'study_instance_uid' }
 * ```
 */
export function parseReportColumns(spec: string | undefined): ReportColumns {
  const out = { ...DEFAULT_REPORT_COLUMNS };
  if (!spec) return out;
  for (const part of spec.split(',')) {
    const [k, v] = part.split('=').map((s) => s.trim());
    if (!k || !v) throw new ReportSourceError(`--report-columns: expected key=column pairs like "accession=acc_no", found "${part}"`);
    if (k === 'accession') out.accession = v;
    else if (k === 'text') out.text = v;
    else if (k === 'study_uid' || k === 'studyUid') out.studyUid = v;
    else throw new ReportSourceError(`--report-columns: unknown key "${k}", expected accession, text or study_uid`);
  }
  return out;
}

/**
 * The reason a row with bytes that are not UTF-8 (or a NUL byte) fails: what was expected, what was found where
 * (the byte offset in the file, after gunzip), and how to convert the file. The builder words its rows this way
 * (`row 7` counts data rows, which a line number would not for reports with line breaks); the bytes are found by the
 * labeler's decoder (`readUtf8Pieces` of @cxr8/labeler, one rule for both CLIs).
 *
 * @example
 * ```ts
 * invalidByteReason('reports.csv', 'row 7', { line: 9, offset: 1234, byte: 0xe9 });
 * // 'expected UTF-8 text, found byte 0xE9 at byte offset 1234 of reports.csv (row 7), which is not valid UTF-8; ...'
 * ```
 */
export function invalidByteReason(file: string, where: string, at: InvalidByte): string {
  if (at.byte === 0) {
    return `expected UTF-8 text, found a NUL byte (0x00) at byte offset ${at.offset} of ${file} (${where}): UTF-16 text without a byte order mark (convert it with iconv -f utf-16 -t utf-8), or not a text file`;
  }
  const hex = at.byte.toString(16).toUpperCase().padStart(2, '0');
  return `expected UTF-8 text, found byte 0x${hex} at byte offset ${at.offset} of ${file} (${where}), which is not valid UTF-8; if the file is Windows-1252 or Latin-1, convert it first: iconv -f windows-1252 -t utf-8 ${file} > utf8-${file}`;
}

/**
 * The items of a labeler reader, with a file it refuses whole (UTF-16) as the builder's {@link ReportSourceError}.
 *
 * @example
 * ```ts
 * for await (const records of refusedAsSourceError(path, readCsvRecordChunks(path))) console.log(records.length);
 * ```
 */
export async function* refusedAsSourceError<T>(path: string, items: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* items;
  } catch (cause) {
    if (cause instanceof ReportParseError) throw new ReportSourceError(reasonOf(cause, basename(path)), { file: path, cause });
    throw cause;
  }
}

/**
 * The error for a file read whole or not at all (the NIH release's CSVs and split lists, import-nih.ts) at its first
 * byte that is not UTF-8: it names the file, the line and the byte offset ({@link invalidByteReason}), never a silent
 * U+FFFD.
 *
 * @example
 * ```ts
 * notUtf8Error('Data_Entry_2017.csv', { line: 3, offset: 98, byte: 0xa0 }).message;
 * // 'Data_Entry_2017.csv: expected UTF-8 text, found byte 0xA0 at byte offset 98 of Data_Entry_2017.csv (line 3), ...'
 * ```
 */
export function notUtf8Error(path: string, bad: InvalidByte): BuilderError {
  return new BuilderError(invalidByteReason(basename(path), `line ${bad.line}`, bad), { file: path });
}

function columnIndex(header: string[], name: string): number {
  return header.findIndex((h) => h.trim() === name);
}

/** The column positions of a reports CSV header, or the error that says which are missing. */
function csvColumns(header: string[], columns: ReportColumns, path: string): { accession: number; text: number; studyUid: number } {
  const at = { accession: columnIndex(header, columns.accession), text: columnIndex(header, columns.text), studyUid: columnIndex(header, columns.studyUid) };
  if (at.text >= 0 && (at.accession >= 0 || at.studyUid >= 0)) return at;
  const hint =
    otherSeparatorHint(header, [columns.text, columns.accession], 'build-dataset') || otherSeparatorHint(header, [columns.text, columns.studyUid], 'build-dataset');
  throw new ReportSourceError(
    `expected a CSV with a "${columns.text}" column and a "${columns.accession}" or "${columns.studyUid}" column (set names with --report-columns), found columns ${JSON.stringify(header)}${hint}`,
    { file: path },
  );
}

/**
 * The reports of a CSV source: rows of the labeler's CSV reader (`readCsvRecordChunks`, the one RFC 4180 parser),
 * keyed by the builder's columns. Rows are numbered by position, blank lines included.
 */
async function* csvSourceReports(path: string, columns: ReportColumns, problems: ReportProblem[]): AsyncGenerator<KeyedReportRow> {
  const source = basename(path);
  let header: string[] | undefined;
  let at = { accession: -1, text: -1, studyUid: -1 };
  let position = 0;
  for await (const records of refusedAsSourceError(path, readCsvRecordChunks(path, { keepBlankLines: true }))) {
    for (const { fields: row, invalid: bad } of records) {
      if (!header) {
        if (bad) throw new ReportSourceError(invalidByteReason(source, 'the header row', bad), { file: path });
        at = csvColumns(row, columns, path);
        header = row;
        continue;
      }
      position++;
      if (row.length === 1 && row[0] === '') continue; // blank line
      const accession = at.accession >= 0 ? (row[at.accession] ?? '').trim() : '';
      const studyUid = at.studyUid >= 0 ? (row[at.studyUid] ?? '').trim() : '';
      if (bad) problems.push({ source, position, reason: invalidByteReason(source, `row ${position}`, bad) });
      else if (row.length <= at.text) problems.push({ source, position, reason: `expected a "${columns.text}" field (column ${at.text + 1} of the header), found a row of ${row.length} fields` });
      else if (accession === '' && studyUid === '') problems.push({ source, position, reason: 'no accession number and no study UID' });
      // An empty report is a report: the labeler gives it No Finding 1 (nothing abnormal is stated); the summary counts them.
      else yield { accession, studyUid, text: row[at.text] as string, source, position };
    }
  }
  if (!header) throw new NothingToDoError('expected a reports CSV with a header row and rows, found an empty file', { file: path });
  if (position === 0) throw new NothingToDoError(`expected reports in this CSV, found its header row and no rows (columns ${JSON.stringify(header)})`, { file: path });
}

/** One line of a JSONL source as a report, or the problem that keeps it from being one (pushed to `problems`). */
function jsonlLineReport(line: string, position: number, invalid: InvalidByte | undefined, columns: ReportColumns, source: string, problems: ReportProblem[]): KeyedReportRow | undefined {
  const problem = (reason: string): undefined => {
    problems.push({ source, position, reason });
    return undefined;
  };
  if (invalid) return problem(invalidByteReason(source, `line ${position}`, invalid));
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch (cause) {
    // JSON.parse quotes the start of the line ('Unexpected token 'D', "{"text": Dr Smith ..." is not valid JSON'):
    // report words never reach a failure reason, so the quote is cut.
    return problem(`expected a JSON object on the line, found text that is not JSON (${(cause as Error).message.replace(/,\s*".*$/s, '')})`);
  }
  if (typeof obj !== 'object' || obj === null) return problem('expected a JSON object');
  const o = obj as Record<string, unknown>;
  const str = (k: string): string => (typeof o[k] === 'string' || typeof o[k] === 'number' ? String(o[k]).trim() : '');
  const accession = str(columns.accession);
  const studyUid = str(columns.studyUid);
  const text = o[columns.text];
  if (text === undefined) return problem(`no "${columns.text}" key (set names with --report-columns)`);
  if (typeof text !== 'string') return problem(`expected "${columns.text}" to be a string, found ${text === null ? 'null' : typeof text}`);
  if (accession === '' && studyUid === '') return problem('no accession number and no study UID');
  // An empty report is a report (see csvSourceReports).
  return { accession, studyUid, text, source, position };
}

/** The reports of a JSONL source: the non-blank lines of the labeler's `readJsonLines`, keyed by the builder's columns. */
async function* jsonlSourceReports(path: string, columns: ReportColumns, problems: ReportProblem[]): AsyncGenerator<KeyedReportRow> {
  const source = basename(path);
  let pieces = 0;
  let lines = 0;
  const take = (text: string, line: number, _error: string | undefined, invalid: InvalidByte | undefined): KeyedReportRow | undefined =>
    jsonlLineReport(text, line, invalid, columns, source, problems);
  for await (const chunk of refusedAsSourceError(path, readJsonLines(path, take))) {
    pieces++;
    lines += chunk.length;
    for (const r of chunk) if (r) yield r;
  }
  if (lines === 0) throw new NothingToDoError(`expected one JSON object a line with "${columns.text}" and "${columns.accession}", found ${pieces === 0 ? 'an empty file' : 'only blank lines'}`, { file: path });
}

async function* txtFolderReports(dir: string, problems: ReportProblem[]): AsyncGenerator<KeyedReportRow> {
  const all = await readdir(dir);
  const names = all.filter((n) => extname(n).toLowerCase() === '.txt').sort();
  if (names.length === 0) {
    throw new NothingToDoError(`expected report files named <accession>.txt in this --reports folder, found none among ${all.length} ${all.length === 1 ? 'entry' : 'entries'}`, { file: dir });
  }
  let position = 0;
  for (const name of names) {
    position++;
    // A whole file, read by the labeler's own .txt reader (one rule for both CLIs: BOM, UTF-16, NUL, offset; a file
    // that cannot be read is a problem of its row, not the end of the source).
    const read = readTextReport(join(dir, name), name);
    const accession = basename(name, extname(name)).trim();
    if (read.failure !== undefined) {
      problems.push({ source: basename(dir), position, reason: `${name}: ${read.failure.reason}` });
    } else {
      // An empty report file is a report (see csvSourceReports).
      yield { accession, studyUid: '', text: read.report.text, source: basename(dir), position };
    }
  }
}

/**
 * Whether a report states nothing: empty, or section headings only ("FINDINGS:\nIMPRESSION:"). Such reports are
 * labeled like any other (No Finding 1: nothing abnormal is stated, as the OpenI gold standard reads them); the
 * build summary counts them.
 *
 * @example
 * ```ts
 * isBlankReport('FINDINGS:\nIMPRESSION:'); // true
 * isBlankReport('IMPRESSION: Normal.'); // false
 * ```
 */
export function isBlankReport(text: string): boolean {
  return text.replace(/[A-Za-z][A-Za-z /&()-]*:/g, '').replace(/[\s.:;,_-]+/g, '') === '';
}

/**
 * Streams the reports of one source, picking the reader by what the path is: a folder (of .txt), `.jsonl` /
 * `.ndjson`, or CSV (anything else, gzipped or not). Unusable rows are pushed to `problems`.
 *
 * @example
 * ```ts
 * const problems = [];
 * for await (const r of readReportSource('fixtures/pacs/reports.csv', DEFAULT_REPORT_COLUMNS, problems)) console.log(r.accession);
 * ```
 */
export async function* readReportSource(path: string, columns: ReportColumns, problems: ReportProblem[]): AsyncGenerator<KeyedReportRow> {
  let info;
  try {
    info = await stat(path);
  } catch (cause) {
    throw new ReportSourceError('expected a reports CSV, JSONL file or folder of .txt files (--reports), found nothing at this path', { file: path, cause });
  }
  if (info.isDirectory()) yield* txtFolderReports(path, problems);
  else if (/\.(jsonl|ndjson)(\.gz)?$/i.test(path)) yield* jsonlSourceReports(path, columns, problems);
  else yield* csvSourceReports(path, columns, problems);
}

/**
 * Checks every `--reports` source before the DICOM walk, so that a walk of a large export is not spent on a wrong
 * file: each must exist, be UTF-8, have the columns `--report-columns` names (a `;`- or tab-separated file is named
 * as such) and hold at least one row. Reads each source up to its first usable report (the first read chunk, as a
 * rule). Throws the {@link ReportSourceError} or {@link NothingToDoError} the build would stop with (exit 3); rows
 * that are unusable are left to the build, which records them.
 *
 * @example
 * ```ts
 * await checkReportSources(['fixtures/pacs/reports.csv'], DEFAULT_REPORT_COLUMNS); // resolves
 * await checkReportSources(['reports-semicolon.csv'], DEFAULT_REPORT_COLUMNS);
 * // throws ReportSourceError: ... found columns ["accession_number;report_text"]; the header is separated by semicolons ...
 * ```
 */
export async function checkReportSources(paths: readonly string[], columns: ReportColumns): Promise<void> {
  for (const path of paths) {
    const reports = readReportSource(path, columns, []);
    try {
      await reports.next();
    } finally {
      await reports.return(undefined);
    }
  }
}

/** A label value as the labeler gives it. */
export type LabelValue = 1 | 0 | -1;

/** The part of an evidence record the dataset keeps (no sentence text unless report text is kept). */
export interface StoredEvidence {
  value: LabelValue;
  start: number;
  end: number;
  text: string;
  section: string;
  sentence?: string;
  concept?: string;
  rule?: string;
}

/**
 * What the pipeline needs of a labeler: `createLabeler()` of @cxr8/labeler fits. `findings` are the label set's
 * columns (No Finding comes after them); a labeler without them stores the NIH 14 ({@link DATASET_LABELS}).
 */
export interface ReportLabeler {
  readonly findings?: readonly string[];
  readonly labelSet?: LabelSetDefinition;
  label(input: { id: string; text: string }): {
    labels: Partial<Record<string, LabelValue>>;
    evidence: readonly { label: string; value: LabelValue; start: number; end: number; text: string; sentence: string; section: string; concept?: string; rule?: string }[];
  };
}

/** The labels of one report, ready to store: one entry per mentioned label, with its evidence. */
export interface ReportLabels {
  labels: { finding: string; value: LabelValue; evidence: StoredEvidence[] }[];
}

/**
 * The labels of the default set (`nih14`): the 14 findings and No Finding, in this order. A build stores
 * {@link datasetLabels} of its labeler instead.
 */
export const DATASET_LABELS: readonly string[] = [...FINDINGS_14, NO_FINDING];

/**
 * The labels a dataset stores for a labeler: its label set's findings, in column order, then No Finding
 * ({@link DATASET_LABELS} for a labeler without `findings`).
 *
 * @example
 * ```ts
 * datasetLabels(createLabeler({ labelSet: 'chexpert' })); // ['Enlarged Cardiomediastinum', ..., 'Support Devices', 'No Finding']
 * ```
 */
export function datasetLabels(labeler: ReportLabeler): readonly string[] {
  return labeler.findings ? [...labeler.findings, NO_FINDING] : DATASET_LABELS;
}

/**
 * Labels one report and shapes the result for the `labels` table: the labels of the labeler's set only
 * ({@link datasetLabels}), evidence without the sentence text unless `keepText` (sentences can carry dates and names).
 *
 * @example
 * ```ts
 * storedReportLabels(createLabeler(), 'r1', 'IMPRESSION: Small left pleural effusion.', false);
 * // { labels: [{ finding: 'Effusion', value: 1, evidence: [{ value: 1, start: 26, end: 42, text: 'pleural effusion', ... }] }] }
 * storedReportLabels(createLabeler({ labelSet: 'chexpert' }), 'r1', 'IMPRESSION: Small left pleural effusion.', false).labels[0]?.finding;
 * // 'Pleural Effusion'
 * ```
 */
export function storedReportLabels(labeler: ReportLabeler, id: string, text: string, keepText: boolean): ReportLabels {
  const result = labeler.label({ id, text });
  const out: ReportLabels = { labels: [] };
  for (const finding of datasetLabels(labeler)) {
    const value = result.labels[finding];
    if (value === undefined) continue;
    const evidence: StoredEvidence[] = result.evidence
      .filter((e) => e.label === finding)
      .map((e) => {
        const s: StoredEvidence = { value: e.value, start: e.start, end: e.end, text: e.text, section: e.section };
        if (keepText) s.sentence = e.sentence;
        if (e.concept !== undefined) s.concept = e.concept;
        if (e.rule !== undefined) s.rule = e.rule;
        return s;
      });
    out.labels.push({ finding, value, evidence });
  }
  return out;
}

/**
 * Loads the default labeler of @cxr8/labeler (`createLabeler()`), loaded lazily so that metadata-only commands do
 * not compile lexicons.
 *
 * @example
 * ```ts
 * const labeler = await loadDefaultLabeler();
 * ```
 */
export async function loadDefaultLabeler(): Promise<ReportLabeler> {
  const { createLabeler } = await import('@cxr8/labeler');
  return createLabeler();
}
