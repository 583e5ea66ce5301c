/**
 * JSONL reports: one JSON object per line, `{"id": "CXR1", "text": "..."}` (the keys follow `--id-column` and
 * `--text-column`). Streamed line by line; a bad line (not JSON, not an object, id or text missing, not UTF-8) is a
 * failure named `file:LINE` and the next line is read as usual. Blank lines are skipped; an empty "text" is an empty
 * report, labeled like any other.
 */
import { failure, reasonOf, type ReadItem, type ReaderOptions } from './records.js';
import { readUtf8Pieces, type InvalidByte } from './text.js';

/**
 * Parses one JSONL line into a report, or returns the reason it is not one. A numeric id is accepted and turned into
 * a string when it is a whole number that a double holds exactly (up to 2^53 - 1); any other number would be read
 * with other digits than the file's, so it fails with the hint to quote it.
 *
 * @example
 * ```ts
 * parseJsonlReport('{"id":"CXR1","text":"No effusion."}', 'a.jsonl:1'); // { report: { id: "CXR1", ... } }
 * parseJsonlReport('{"id":"CXR1"}', 'a.jsonl:2').failure?.reason;      // 'expected a string "text", found none'
 * ```
 */
export function parseJsonlReport(line: string, source: string, idKey = 'id', textKey = 'text'): ReadItem {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return failure(source, `expected a JSON object, found invalid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return failure(source, `expected a JSON object {"${idKey}": ..., "${textKey}": ...}, found ${describe(value)}`);
  }
  const record = value as Record<string, unknown>;
  const id = record[idKey];
  const text = record[textKey];
  if (typeof id === 'number') {
    // A JSON number is read as a double: past 2^53, or with a fraction, its digits would not come back as written
    // (12345678901234567890 becomes "12345678901234567000", 1.10 becomes "1.1"), so the row would get another id.
    if (!Number.isSafeInteger(id)) {
      return failure(
        source,
        `expected "${idKey}" to be a string or a whole number up to ${Number.MAX_SAFE_INTEGER}, found the number ${String(id)}, ` +
          'which cannot be kept as written: quote it ("id": "...")',
      );
    }
  } else if (!(typeof id === 'string' && id.trim().length > 0)) {
    return failure(source, `expected a non-empty string "${idKey}", found ${describe(id)}`);
  }
  // An empty or blank text is an empty report, labeled like any other (as in every format).
  if (typeof text !== 'string') return failure(source, `expected a string "${textKey}", found ${describe(text)}`);
  return { report: { id: String(id).trim(), text, source } };
}

function describe(value: unknown): string {
  if (value === undefined) return 'none';
  if (value === null) return 'null';
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : value.trim().length === 0 ? 'a blank string' : `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Streams the reports of a JSONL file, one report or failure per item. See {@link readJsonlChunks} for the
 * faster form that yields each chunk's items as an array.
 *
 * @example
 * ```ts
 * for await (const item of readJsonlReports('/data/reports.jsonl', 'reports.jsonl')) {
 *   if (item.failure) console.error(item.failure.source, item.failure.reason);
 * }
 * ```
 */
export async function* readJsonlReports(path: string | NodeJS.ReadableStream, name: string, options: ReaderOptions = {}): AsyncGenerator<ReadItem> {
  for await (const items of readJsonlChunks(path, name, options)) yield* items;
}

/**
 * Streams the reports of a JSONL file as arrays, one per chunk read (about 64 KB): one await per chunk instead of one
 * per report, which matters at tens of thousands of reports per second.
 *
 * @example
 * ```ts
 * for await (const items of readJsonlChunks('/data/reports.jsonl', 'reports.jsonl')) console.log(items.length);
 * ```
 */
export async function* readJsonlChunks(path: string | NodeJS.ReadableStream, name: string, options: ReaderOptions = {}): AsyncGenerator<ReadItem[]> {
  const idKey = options.idColumn ?? 'id';
  const textKey = options.textColumn ?? 'text';
  let bytes = 0;
  let lines = 0;
  try {
    const counted = (n: number): void => {
      bytes += n;
      options.onBytes?.(n);
    };
    const toItem = (text: string, line: number, error: string | undefined): ReadItem =>
      error !== undefined ? failure(`${name}:${line}`, error) : parseJsonlReport(text, `${name}:${line}`, idKey, textKey);
    for await (const items of readJsonLines(path, toItem, counted)) {
      lines += items.length;
      if (items.length > 0) yield items;
    }
  } catch (error) {
    yield [failure(name, `cannot read the file: ${reasonOf(error, name)}`)];
    return;
  }
  if (bytes === 0) yield [failure(name, 'expected JSON lines, found an empty file (0 bytes)')];
  else if (lines === 0) yield [failure(name, 'expected JSON lines, found only blank lines')];
}

/**
 * What {@link readJsonLines} makes of one non-blank line: its text without the line break (LF or CRLF), its 1-based
 * number and, for a line that is not UTF-8 (or holds a NUL byte), the labeler's reason (`invalidUtf8Reason` of
 * text.ts) and the line's first bad byte.
 */
export type JsonLineReader<T> = (text: string, line: number, error: string | undefined, invalid: InvalidByte | undefined) => T;

/**
 * Streams the non-blank lines of a JSONL file (or stream) as it is read, each made into a `T` by `take`: UTF-8
 * pieces ({@link readUtf8Pieces}: `.gz` gunzipped, a byte order mark dropped, UTF-16 refused), cut at line breaks. A
 * line that is not UTF-8 comes with its reason and first bad byte, and the next lines are read as usual. Yields one
 * array per piece read (about 64 KB; an array may be empty): a file that yields no array held no text. What a line
 * means is the caller's ({@link readJsonlChunks} here, the dataset builder's reports); no object is made per line
 * but the caller's, which keeps the reader at the speed of the line splitting.
 *
 * @example
 * ```ts
 * for await (const lines of readJsonLines('reports.jsonl.gz', (text, line) => [line, text] as const)) console.log(lines.length);
 * ```
 */
export async function* readJsonLines<T>(path: string | NodeJS.ReadableStream, take: JsonLineReader<T>, onBytes?: (bytes: number) => void): AsyncGenerator<T[]> {
  for await (const piece of readUtf8Pieces(path, onBytes)) {
    const out: T[] = [];
    const bad = piece.invalidLines;
    const text = piece.text;
    let start = 0;
    let line = piece.line;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      let content = text.slice(start, end);
      if (content.endsWith('\r')) content = content.slice(0, -1);
      if (content.trim().length > 0) {
        const k = bad.length > 0 ? bad.indexOf(line) : -1;
        out.push(k < 0 ? take(content, line, undefined, undefined) : take(content, line, piece.invalidReasons[k], piece.invalidBytes[k]));
      }
      line++;
      start = end + 1;
    }
    yield out;
  }
}
