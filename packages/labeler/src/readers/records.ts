/**
 * What the readers produce: a report to label, or a failure naming the input and the reason.
 *
 * Readers never throw for a bad input: one unreadable file or malformed row becomes an {@link InputFailure} and the
 * stream goes on with the next input, so the caller can label the rest and report what failed.
 */
import { LabelerError } from '../errors.js';

/** One report to label, with where it came from. */
export interface ReportRecord {
  /** The report id: the OpenI `uId`, the `.txt` file name without extension, or the id column / key. */
  id: string;
  /** The report text. */
  text: string;
  /** The input it came from: a file name, with `:LINE` for rows of CSV and JSONL files. */
  source: string;
}

/** An input (a file, a row, a line) that could not be read or parsed. */
export interface InputFailure {
  /** The input at fault: a file name, with `:LINE` for rows of CSV and JSONL files, or a pattern that matched nothing. */
  source: string;
  /** Why, e.g. "file is empty (0 bytes)" or "expected 3 fields, found 2". */
  reason: string;
}

/** One item of a reader's stream. */
export type ReadItem = { report: ReportRecord; failure?: undefined } | { failure: InputFailure; report?: undefined };

/** Options shared by the readers. */
export interface ReaderOptions {
  /** CSV column or JSONL key holding the report id. Default "id". */
  idColumn?: string;
  /** CSV column or JSONL key holding the report text. Default "text". */
  textColumn?: string;
  /** Called with the number of bytes consumed, as they are read (for progress). */
  onBytes?: (bytes: number) => void;
  /** What the input "-" reads. Default `process.stdin`. */
  stdin?: NodeJS.ReadableStream;
}

/**
 * Builds a failure item.
 *
 * @example
 * ```ts
 * failure('a.csv:3', 'expected 2 fields as in the header, found 3'); // { failure: { source: 'a.csv:3', reason: ... } }
 * ```
 */
export function failure(source: string, reason: string): ReadItem {
  return { failure: { source, reason } };
}

/**
 * The reason of an error without the package prefix and the file name (the failure names the file already).
 *
 * @example
 * ```ts
 * reasonOf(new ReportParseError('expected <uId>, found none', { file: 'a.xml' }), 'a.xml'); // "expected <uId>, found none"
 * ```
 */
export function reasonOf(error: unknown, name: string): string {
  const message = error instanceof Error ? error.message : String(error);
  let reason = message.replace(/^@cxr8\/labeler: /, '');
  if (error instanceof LabelerError && error.file !== undefined && reason.startsWith(`${error.file}: `)) {
    reason = reason.slice(error.file.length + 2);
  } else if (reason.startsWith(`${name}: `)) {
    reason = reason.slice(name.length + 2);
  }
  return reason;
}
