/**
 * Stage 5: read the radiology reports and label them.
 *
 * Sources (any number, `--reports` repeated):
 * - a CSV file (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes, CRLF or LF; `.csv.gz` too; parsed
 *   by the labeler's one CSV parser, `streamCsvRecords`) with
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
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { FINDINGS_14, NO_FINDING, otherSeparatorHint, readTextReport, streamCsvRecords } from '@cxr8/labeler';
import type { LabelSetDefinition } from '@cxr8/labeler';
import { BuilderError, NothingToDoError, ReportSourceError } from './errors.js';
import { decodeUtf8Chunks, invalidUtf8Reason, newUtf8Offsets, takeInvalid, utf16Reason } from './utf8.js';
import type { Utf8Offsets } from './utf8.js';

/** One report as read from a source. Identifiers are raw here; the pipeline hashes them at once. */
export interface ReportRecord {
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
 * Streams a text file as strings, gunzipping `.gz` files (by name or by their 1f 8b magic), decoded as strict UTF-8
 * (utf8.ts). With `invalid`, each invalid byte comes out as an escape character (U+DC80..U+DCFF) with its byte offset
 * recorded, for the reader to fail the row it lies in; without it, the first invalid byte is an error naming the
 * file, the line and the byte offset (never a silent U+FFFD). Offsets count the bytes after gunzip.
 *
 * @example
 * ```ts
 * for await (const chunk of readTextChunks('Data_Entry_2017.csv.gz')) process.stdout.write(chunk);
 * ```
 */
export async function* readTextChunks(path: string, invalid?: Utf8Offsets): AsyncGenerator<string> {
  const head = await new Promise<Buffer>((resolveHead, reject) => {
    const s = createReadStream(path, { start: 0, end: 1 });
    const parts: Buffer[] = [];
    s.on('data', (d) => parts.push(d as Buffer));
    s.on('end', () => resolveHead(Buffer.concat(parts)));
    s.on('error', reject);
  });
  const gz = path.endsWith('.gz') || (head[0] === 0x1f && head[1] === 0x8b);
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const stream = refuseUtf16(gz ? raw.pipe(createGunzip()) : raw, path, () => raw.destroy());
  const offsets = invalid ?? newUtf8Offsets();
  let lines = 0;
  for await (const chunk of decodeUtf8Chunks(stream, offsets)) {
    if (!invalid && offsets.offsets.length > 0) {
      const at = chunk.search(/[\udc00\udc80-\udcff]/);
      const line = lines + 1 + (chunk.slice(0, Math.max(0, at)).match(/\n/g)?.length ?? 0);
      raw.destroy();
      throw new BuilderError(invalidUtf8Reason(basename(path), `line ${line}`, { offset: offsets.offsets[0] as number, byte: chunk.charCodeAt(at) - 0xdc00 }), { file: path });
    }
    if (!invalid) lines += chunk.match(/\n/g)?.length ?? 0;
    yield chunk;
  }
}

/** The bytes of a stream, refusing a UTF-16 file (byte order mark FF FE / FE FF) at its first chunk, as the labeler does. */
async function* refuseUtf16(stream: AsyncIterable<Buffer> | NodeJS.ReadableStream, path: string, stop: () => void): AsyncGenerator<Buffer> {
  let first = true;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (first) {
      first = false;
      const reason = utf16Reason(chunk);
      if (reason !== undefined) {
        stop();
        throw new ReportSourceError(reason, { file: path });
      }
    }
    yield chunk;
  }
}

function columnIndex(header: string[], name: string): number {
  return header.findIndex((h) => h.trim() === name);
}

async function* readCsvReports(path: string, columns: ReportColumns, problems: ReportProblem[]): AsyncGenerator<ReportRecord> {
  const source = basename(path);
  let header: string[] | undefined;
  let ia = -1;
  let it = -1;
  let iu = -1;
  let position = 0;
  const invalid = newUtf8Offsets();
  // The labeler's CSV parser (one for both CLIs); blank lines are kept, as rows are numbered by position.
  for await (const { fields: row } of streamCsvRecords(readTextChunks(path, invalid), { keepBlankLines: true })) {
    // Every row passes here in order, so that escaped bytes stay matched to their offsets (utf8.ts).
    const bad = takeInvalid(invalid, row);
    if (!header) {
      if (bad) throw new ReportSourceError(invalidUtf8Reason(source, 'the header row', bad), { file: path });
      header = row;
      ia = columnIndex(row, columns.accession);
      it = columnIndex(row, columns.text);
      iu = columnIndex(row, columns.studyUid);
      if (it < 0 || (ia < 0 && iu < 0)) {
        const hint =
          otherSeparatorHint(row, [columns.text, columns.accession], 'build-dataset') || otherSeparatorHint(row, [columns.text, columns.studyUid], 'build-dataset');
        throw new ReportSourceError(
          `expected a CSV with a "${columns.text}" column and a "${columns.accession}" or "${columns.studyUid}" column (set names with --report-columns), found columns ${JSON.stringify(row)}${hint}`,
          { file: path },
        );
      }
      continue;
    }
    position++;
    if (row.length === 1 && row[0] === '') continue; // blank line
    const accession = ia >= 0 ? (row[ia] ?? '').trim() : '';
    const studyUid = iu >= 0 ? (row[iu] ?? '').trim() : '';
    if (bad) problems.push({ source, position, reason: invalidUtf8Reason(source, `row ${position}`, bad) });
    else if (row.length <= it) problems.push({ source, position, reason: `expected a "${columns.text}" field (column ${it + 1} of the header), found a row of ${row.length} fields` });
    else if (accession === '' && studyUid === '') problems.push({ source, position, reason: 'no accession number and no study UID' });
    // An empty report is a report: the labeler gives it No Finding 1 (nothing abnormal is stated); the summary counts them.
    else yield { accession, studyUid, text: row[it] as string, source, position };
  }
  if (!header) throw new NothingToDoError('expected a reports CSV with a header row and rows, found an empty file', { file: path });
  if (position === 0) throw new NothingToDoError(`expected reports in this CSV, found its header row and no rows (columns ${JSON.stringify(header)})`, { file: path });
}

async function* readJsonlReports(path: string, columns: ReportColumns, problems: ReportProblem[]): AsyncGenerator<ReportRecord> {
  const source = basename(path);
  let position = 0;
  let nonBlank = 0;
  let rest = '';
  const invalid = newUtf8Offsets();
  const handle = (line: string): ReportRecord | undefined => {
    position++;
    const bad = takeInvalid(invalid, [line]);
    if (line.trim() === '') return undefined;
    nonBlank++;
    if (bad) {
      problems.push({ source, position, reason: invalidUtf8Reason(source, `line ${position}`, bad) });
      return undefined;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (cause) {
      // JSON.parse quotes the start of the line ('Unexpected token 'D', "{"text": Dr Smith ..." is not valid JSON'):
      // report words never reach a failure reason, so the quote is cut.
      problems.push({ source, position, reason: `expected a JSON object on the line, found text that is not JSON (${(cause as Error).message.replace(/,\s*".*$/s, '')})` });
      return undefined;
    }
    if (typeof obj !== 'object' || obj === null) {
      problems.push({ source, position, reason: 'expected a JSON object' });
      return undefined;
    }
    const o = obj as Record<string, unknown>;
    const str = (k: string): string => (typeof o[k] === 'string' || typeof o[k] === 'number' ? String(o[k]).trim() : '');
    const accession = str(columns.accession);
    const studyUid = str(columns.studyUid);
    const text = o[columns.text];
    if (text === undefined) problems.push({ source, position, reason: `no "${columns.text}" key (set names with --report-columns)` });
    else if (typeof text !== 'string') problems.push({ source, position, reason: `expected "${columns.text}" to be a string, found ${text === null ? 'null' : typeof text}` });
    else if (accession === '' && studyUid === '') problems.push({ source, position, reason: 'no accession number and no study UID' });
    // An empty report is a report (see readCsvReports).
    else return { accession, studyUid, text, source, position };
    return undefined;
  };
  for await (const chunk of readTextChunks(path, invalid)) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const r = handle(line);
      if (r) yield r;
    }
  }
  if (rest !== '') {
    const r = handle(rest);
    if (r) yield r;
  }
  if (nonBlank === 0) throw new NothingToDoError(`expected one JSON object a line with "${columns.text}" and "${columns.accession}", found ${position === 0 ? 'an empty file' : 'only blank lines'}`, { file: path });
}

async function* readTxtFolder(dir: string, problems: ReportProblem[]): AsyncGenerator<ReportRecord> {
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
      // An empty report file is a report (see readCsvReports).
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
export async function* readReportSource(path: string, columns: ReportColumns, problems: ReportProblem[]): AsyncGenerator<ReportRecord> {
  let info;
  try {
    info = await stat(path);
  } catch (cause) {
    throw new ReportSourceError('expected a reports CSV, JSONL file or folder of .txt files (--reports), found nothing at this path', { file: path, cause });
  }
  if (info.isDirectory()) yield* readTxtFolder(path, problems);
  else if (/\.(jsonl|ndjson)(\.gz)?$/i.test(path)) yield* readJsonlReports(path, columns, problems);
  else yield* readCsvReports(path, columns, problems);
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
