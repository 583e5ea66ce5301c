/**
 * All readers behind one stream: inputs (files, folders, globs) in, reports and failures out, in input order.
 *
 * | extension          | reader                     | id                                  |
 * |--------------------|----------------------------|-------------------------------------|
 * | `.xml`             | OpenI XML (`parseOpenIXml`) | the `<uId id="CXR1"/>`              |
 * | `.txt`             | whole file                  | the file name without extension     |
 * | `.csv`             | RFC 4180, streamed          | `--id-column` (default "id")        |
 * | `.jsonl`/`.ndjson` | one JSON object a line      | `--id-column` key (default "id")    |
 * | `-` (stdin)        | `--stdin-format` jsonl (default), csv or txt | as above; txt: "stdin" |
 *
 * Whole-file formats are read synchronously, one file at a time (see `readTextFile` for why); CSV and JSONL files are
 * streamed. Memory stays flat in the number of reports.
 */
import { discoverInputs, type DiscoveredFile, type DiscoverOptions } from './discover.js';
import { readCsvChunks } from './csv.js';
import { readJsonlChunks } from './jsonl.js';
import { parseOpenIXml } from './openi-xml.js';
import { failure, reasonOf, type ReadItem, type ReaderOptions } from './records.js';
import { readTextFile, readTextReport, readTextStream } from './text.js';

export { reasonOf } from './records.js';
export type { InputFailure, ReadItem, ReaderOptions, ReportRecord } from './records.js';

/** Options of {@link readReports}. */
export type ReadReportsOptions = ReaderOptions & DiscoverOptions;

/**
 * Reads one OpenI XML report: the id is the `uId`, the text the report's sections as "LABEL: text" lines.
 *
 * @example
 * ```ts
 * const item = readOpenIReport('/data/openi/1.xml', '1.xml');
 * item.report?.id; // "CXR1"
 * ```
 */
export function readOpenIReport(path: string, name: string, options: ReaderOptions = {}): ReadItem {
  const read = readTextFile(path, options.onBytes);
  if (read.error !== undefined) return failure(name, read.error);
  try {
    // A valid report whose sections are all empty (OpenI has a few) is labeled, not failed: nothing is mentioned.
    const report = parseOpenIXml(read.text, name);
    return { report: { id: report.id, text: report.text, source: name } };
  } catch (error) {
    return failure(name, reasonOf(error, name));
  }
}

/**
 * Streams the reports of one discovered file, whatever its format, as arrays (one per file for `.xml` / `.txt`, one
 * per chunk of about 64 KB for `.csv` / `.jsonl`).
 *
 * @example
 * ```ts
 * for await (const items of readInputFile({ name: 'a.csv', path: '/data/a.csv', format: 'csv' })) console.log(items.length);
 * ```
 */
export async function* readInputFile(file: DiscoveredFile, options: ReaderOptions = {}): AsyncGenerator<ReadItem[]> {
  if (file.stdin) {
    yield* readStdin(file, options);
    return;
  }
  switch (file.format) {
    case 'xml':
      yield [readOpenIReport(file.path, file.name, options)];
      return;
    case 'txt':
      yield [readTextReport(file.path, file.name, options)];
      return;
    case 'csv':
      yield* readCsvChunks(file.path, file.name, options);
      return;
    case 'jsonl':
      yield* readJsonlChunks(file.path, file.name, options);
      return;
  }
}

/** Standard input (the input "-") in its `--stdin-format`: jsonl and csv streamed, txt as one report with id "stdin". */
async function* readStdin(file: DiscoveredFile, options: ReaderOptions): AsyncGenerator<ReadItem[]> {
  const stream = options.stdin ?? process.stdin;
  switch (file.format) {
    case 'csv':
      yield* readCsvChunks(stream, file.name, options);
      return;
    case 'jsonl':
      yield* readJsonlChunks(stream, file.name, options);
      return;
    default:
      yield [await readTextStream(stream, file.name, file.name, options)];
  }
}

/**
 * Streams every report of the inputs (files, folders, glob patterns), in input order, with a failure for each input,
 * row or line that could not be read or parsed. Never throws for bad input. One item at a time; see
 * {@link readReportChunks} for the faster form.
 *
 * @example
 * ```ts
 * let n = 0;
 * for await (const item of readReports(['reports/', 'more.csv'], { textColumn: 'report' })) {
 *   if (item.report) n++;
 *   else console.error(`${item.failure.source}: ${item.failure.reason}`);
 * }
 * ```
 */
export async function* readReports(inputs: readonly string[], options: ReadReportsOptions = {}): AsyncGenerator<ReadItem> {
  for await (const items of readReportChunks(inputs, options)) yield* items;
}

/**
 * Streams every report of the inputs as arrays of items, in input order: what {@link readReports} yields one by
 * one. Whole files (`.xml`, `.txt`) are grouped up to 256 a array; CSV and JSONL come a chunk (about 64 KB) at a time.
 * One await per array instead of one per report.
 *
 * @example
 * ```ts
 * for await (const items of readReportChunks(['exports/*.jsonl'])) console.log(items.length);
 * ```
 */
export async function* readReportChunks(inputs: readonly string[], options: ReadReportsOptions = {}): AsyncGenerator<ReadItem[]> {
  let group: ReadItem[] = [];
  for await (const found of discoverInputs(inputs, options)) {
    if (found.failure) {
      group.push({ failure: found.failure });
    } else if (found.file.stdin) {
      if (group.length > 0) yield group;
      group = [];
      yield* readInputFile(found.file, options);
    } else if (found.file.format === 'xml') {
      group.push(readOpenIReport(found.file.path, found.file.name, options));
    } else if (found.file.format === 'txt') {
      group.push(readTextReport(found.file.path, found.file.name, options));
    } else {
      if (group.length > 0) yield group;
      group = [];
      yield* readInputFile(found.file, options);
    }
    if (group.length >= 256) {
      yield group;
      group = [];
    }
  }
  if (group.length > 0) yield group;
}
