/**
 * CSV reports: a streaming RFC 4180 parser (quoted fields with `""` escapes, commas and line breaks inside quotes,
 * CRLF or LF line ends) and the reader that takes the id and text columns of each row.
 *
 * The parser is incremental: it is fed text pieces as the file streams in and emits complete records, so a file of
 * a million rows needs no more memory than its longest row. A malformed row (a quote inside an unquoted field,
 * characters after a closing quote, a wrong number of fields, invalid UTF-8) is reported with its line number and
 * the next row is read as usual. Only an unterminated quote takes the rest of the file with it, as RFC 4180 gives no
 * way to tell where such a field ends; the failure says from which line.
 */
import { failure, reasonOf, type ReadItem, type ReaderOptions } from './records.js';
import { readUtf8Pieces, type InvalidByte } from './text.js';

/** One CSV record. */
export interface CsvRecord {
  fields: string[];
  /** 1-based line number of the record's first line. */
  line: number;
  /** Why the record is malformed, when it is; its fields are then a best effort. */
  error?: string;
  /** The first byte of the record that is not UTF-8 (or is NUL), when one of its lines has one; `error` says so too. */
  invalid?: InvalidByte;
}

/** Options of {@link CsvParser}. */
export interface CsvParserOptions {
  /**
   * Emit a blank line as a record of one empty field instead of skipping it (for a reader that numbers rows by
   * position, blank ones included, as the dataset builder does). Default false.
   */
  keepBlankLines?: boolean;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Incremental RFC 4180 parser. Feed it text with {@link CsvParser.push}, finish with {@link CsvParser.end}; each call
 * returns the records completed so far. Blank lines are skipped.
 *
 * @example
 * ```ts
 * const parser = new CsvParser();
 * parser.push('id,text\n1,"Heart normal,\nlungs clear."\n2,No eff');
 * // [{ fields: ['id', 'text'], line: 1 }, { fields: ['1', 'Heart normal,\nlungs clear.'], line: 2 }]
 * parser.end(); // [{ fields: ['2', 'No eff'], line: 4 }]
 * ```
 */
export class CsvParser {
  private fields: string[] = [];
  private field = '';
  /** The current field began with a quote. */
  private quoted = false;
  /** Inside the quotes of a quoted field. */
  private inQuotes = false;
  /** A quote was the last character of the previous piece, inside quotes: an escape or the closing quote. */
  private quotePending = false;
  /** A carriage return was seen after a closing quote. */
  private crAfterQuote = false;
  private line = 1;
  private recordLine = 1;
  private error: string | undefined;
  private invalid: number[] = [];
  private invalidReasons: string[] = [];
  private invalidBytes: (InvalidByte | undefined)[] = [];
  private readonly keepBlankLines: boolean;

  constructor(options: CsvParserOptions = {}) {
    this.keepBlankLines = options.keepBlankLines ?? false;
  }

  /**
   * Marks lines (1-based) whose bytes were not valid UTF-8: a record that spans one of them is reported malformed,
   * with the line's reason when given (`TextPiece.invalidReasons`: line, byte offset, byte value), and with the
   * line's first bad byte as its `invalid` when given (`TextPiece.invalidBytes`).
   */
  markInvalidLines(lines: readonly number[], reasons: readonly string[] = [], bytes: readonly InvalidByte[] = []): void {
    lines.forEach((l, i) => {
      this.invalid.push(l);
      this.invalidReasons.push(reasons[i] ?? `expected UTF-8 text, found invalid UTF-8 on line ${l}`);
      this.invalidBytes.push(bytes[i]);
    });
  }

  /** Parses the next piece of text and returns the records it completed. */
  push(text: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    const n = text.length;
    let i = 0;
    if (this.quotePending) {
      this.quotePending = false;
      if (n > 0 && text.charCodeAt(0) === QUOTE) {
        this.field += '"';
        i = 1;
      } else {
        this.inQuotes = false;
      }
    }
    while (i < n) {
      if (this.inQuotes) {
        const q = text.indexOf('"', i);
        if (q < 0) {
          this.field += text.slice(i);
          this.line += countLf(text, i, n);
          i = n;
          break;
        }
        this.field += text.slice(i, q);
        this.line += countLf(text, i, q);
        if (q + 1 >= n) {
          this.quotePending = true;
          i = n;
          break;
        }
        if (text.charCodeAt(q + 1) === QUOTE) {
          this.field += '"';
          i = q + 2;
        } else {
          this.inQuotes = false;
          i = q + 1;
        }
        continue;
      }
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        this.endField();
        i++;
      } else if (c === LF) {
        this.endField();
        this.endRecord(out, this.line);
        this.line++;
        this.recordLine = this.line;
        i++;
      } else if (this.quoted) {
        // After the closing quote only a comma or a line break may follow (a CR of a CRLF is allowed).
        if (c === CR && !this.crAfterQuote) {
          this.crAfterQuote = true;
        } else {
          this.fail(`expected a comma or a line break after a closing quote, found "${text[i]}"`);
          this.field += text[i];
        }
        i++;
      } else if (c === QUOTE) {
        if (this.field.length === 0) {
          this.quoted = true;
          this.inQuotes = true;
        } else {
          this.fail('expected no quote inside an unquoted field (quote the field and double the quote: "a ""b"" c")');
          this.field += '"';
        }
        i++;
      } else {
        // A run of plain characters up to the next comma, quote or line break.
        let j = i + 1;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === COMMA || d === LF || d === QUOTE) break;
          j++;
        }
        this.field += text.slice(i, j);
        i = j;
      }
    }
    return out;
  }

  /** Finishes the input and returns the last record, if any. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.quotePending) {
      this.quotePending = false;
      this.inQuotes = false;
    }
    if (this.inQuotes) {
      this.fail(`expected a closing quote, found the end of the file (the quoted field opened on line ${this.recordLine} never closes)`);
      this.inQuotes = false;
    }
    if (this.fields.length > 0 || this.field.length > 0 || this.quoted) {
      this.endField();
      this.endRecord(out, this.line);
    }
    return out;
  }

  private fail(reason: string): void {
    this.error ??= reason;
  }

  private endField(): void {
    let value = this.field;
    if (!this.quoted && value.length > 0 && value.charCodeAt(value.length - 1) === CR) value = value.slice(0, -1);
    this.fields.push(value);
    this.field = '';
    this.quoted = false;
    this.crAfterQuote = false;
  }

  private endRecord(out: CsvRecord[], lastLine: number): void {
    const fields = this.fields;
    const startLine = this.recordLine;
    this.fields = [];
    let error = this.error;
    this.error = undefined;
    let invalid: InvalidByte | undefined;
    if (this.invalid.length > 0) {
      const bad = this.invalid.findIndex((l) => l >= startLine && l <= lastLine);
      if (bad >= 0) {
        error ??= this.invalidReasons[bad];
        invalid = this.invalidBytes[bad];
      }
      const keep = this.invalid.map((l) => l > lastLine);
      this.invalid = this.invalid.filter((_, i) => keep[i]);
      this.invalidReasons = this.invalidReasons.filter((_, i) => keep[i]);
      this.invalidBytes = this.invalidBytes.filter((_, i) => keep[i]);
    }
    if (error === undefined && !this.keepBlankLines && fields.length === 1 && fields[0] === '') return; // a blank line
    if (error === undefined) out.push({ fields, line: startLine });
    else out.push(invalid === undefined ? { fields, line: startLine, error } : { fields, line: startLine, error, invalid });
  }
}

function countLf(text: string, from: number, to: number): number {
  let count = 0;
  let i = text.indexOf('\n', from);
  while (i >= 0 && i < to) {
    count++;
    i = text.indexOf('\n', i + 1);
  }
  return count;
}

/**
 * Parses a whole CSV text (RFC 4180) into records. For files, prefer the streaming {@link readCsvReports}.
 *
 * @example
 * ```ts
 * parseCsvRecords('a,b\n"x, y",z\n').map((r) => r.fields); // [['a', 'b'], ['x, y', 'z']]
 * ```
 */
export function parseCsvRecords(text: string): CsvRecord[] {
  const parser = new CsvParser();
  return [...parser.push(text), ...parser.end()];
}

/**
 * Streams the records of CSV text that arrives in pieces (a file decoded chunk by chunk): the one RFC 4180 parser,
 * {@link CsvParser}, behind an async iterator. A leading byte order mark (U+FEFF) is dropped. Where the pieces are
 * cut does not change the records.
 *
 * @example
 * ```ts
 * for await (const r of streamCsvRecords(['a,b\r\n"x, ""y""",2\n'])) console.log(r.fields); // ['a','b'] then ['x, "y"','2']
 * ```
 */
export async function* streamCsvRecords(
  pieces: AsyncIterable<string> | Iterable<string>,
  options: CsvParserOptions = {},
): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser(options);
  let first = true;
  for await (let piece of pieces) {
    if (first && piece.length > 0) {
      if (piece.charCodeAt(0) === 0xfeff) piece = piece.slice(1);
      first = false;
    }
    yield* parser.push(piece);
  }
  yield* parser.end();
}

/** Options of {@link readCsvRecordChunks}. */
export interface CsvFileOptions extends CsvParserOptions {
  /** Called with the number of bytes read from disk (or the stream), as they are read (for progress). */
  onBytes?: (bytes: number) => void;
}

/**
 * Streams the records of a CSV file (or stream) as it is read: UTF-8 pieces ({@link readUtf8Pieces}: `.gz` gunzipped,
 * a byte order mark dropped, UTF-16 refused) through the one {@link CsvParser}. A record that spans a line with
 * invalid UTF-8 (or a NUL byte) has the reason as its `error` and the first bad byte (line, byte offset, value) as
 * its `invalid`; the next records are read as usual. Yields one array per piece read (about 64 KB; an array may be
 * empty), then one with the record that the end of the file completes, if any: a file that yields no array held no
 * text. Rows are records, not reports: what a row means (its id, its text, extra columns) is the caller's
 * ({@link readCsvChunks} here, the dataset builder's reports, the NIH import).
 *
 * @example
 * ```ts
 * for await (const records of readCsvRecordChunks('Data_Entry_2017.csv.gz', { keepBlankLines: true })) {
 *   for (const r of records) if (r.invalid) console.error(`line ${r.line}: byte ${r.invalid.offset}`);
 * }
 * ```
 */
export async function* readCsvRecordChunks(path: string | NodeJS.ReadableStream, options: CsvFileOptions = {}): AsyncGenerator<CsvRecord[]> {
  const parser = new CsvParser(options);
  for await (const piece of readUtf8Pieces(path, options.onBytes)) {
    if (piece.invalidLines.length > 0) parser.markInvalidLines(piece.invalidLines, piece.invalidReasons, piece.invalidBytes);
    yield parser.push(piece.text);
  }
  const last = parser.end();
  if (last.length > 0) yield last;
}

/**
 * Quotes a CSV field when it needs it (comma, quote, CR or LF), doubling inner quotes (RFC 4180 section 2.6-2.7).
 *
 * @example
 * ```ts
 * csvField('a "b", c'); // "\"a \"\"b\"\", c\""
 * csvField('CXR1');     // "CXR1"
 * ```
 */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Finds a column by exact name, then case-insensitively. */
function findColumn(header: readonly string[], name: string): number {
  const exact = header.indexOf(name);
  if (exact >= 0) return exact;
  const lower = name.toLowerCase();
  return header.findIndex((h) => h.trim().toLowerCase() === lower);
}

/**
 * Streams the reports of a CSV file with a header row: the id from column `idColumn` (default "id"), the text from
 * `textColumn` (default "text"; names match exactly, then case-insensitively). Each bad row is a failure named
 * `file:LINE`; a file without those columns is one failure for the whole file. A row with an empty text is an empty
 * report (labeled); one with an empty id is a failure.
 *
 * @example
 * ```ts
 * for await (const item of readCsvReports('/data/reports.csv', 'reports.csv', { textColumn: 'report' })) {
 *   if (item.report) console.log(item.report.id);
 * }
 * ```
 */
export async function* readCsvReports(path: string | NodeJS.ReadableStream, name: string, options: ReaderOptions = {}): AsyncGenerator<ReadItem> {
  for await (const items of readCsvChunks(path, name, options)) yield* items;
}

const OTHER_SEPARATORS = [
  [';', 'semicolon'],
  ['\t', 'tab'],
  ['|', 'pipe'],
] as const;

/**
 * A hint for a header that names the columns but is split by another character than the comma (a semicolon from a
 * spreadsheet in a European locale, a tab): the file is read as one column, so say so and how to convert it.
 * `tool` is the command the hint names (`label-reports`, or `build-dataset` for the builder's reports).
 *
 * @example
 * ```ts
 * otherSeparatorHint(['id;text'], ['id', 'text']); // '; the header is separated by semicolons (";"), but label-reports reads ...'
 * otherSeparatorHint(['id', 'body'], ['id', 'text']); // ''
 * ```
 */
export function otherSeparatorHint(header: readonly string[], wanted: readonly string[], tool = 'label-reports'): string {
  for (const [separator, name] of OTHER_SEPARATORS) {
    const cells = header.flatMap((h) => h.split(separator)).map((c) => c.trim().toLowerCase());
    if (cells.length > header.length && wanted.every((w) => cells.includes(w.toLowerCase()))) {
      return (
        `; the header is separated by ${name}s (${JSON.stringify(separator)}), but ${tool} reads comma-separated CSV ` +
        `(RFC 4180): save the file as CSV with commas, or convert it to JSONL`
      );
    }
  }
  return '';
}

/**
 * Streams the reports of a CSV file as arrays, one per chunk read (about 64 KB); see {@link readCsvReports}.
 *
 * @example
 * ```ts
 * for await (const items of readCsvChunks('/data/reports.csv', 'reports.csv')) console.log(items.length);
 * ```
 */
export async function* readCsvChunks(path: string | NodeJS.ReadableStream, name: string, options: ReaderOptions = {}): AsyncGenerator<ReadItem[]> {
  const idName = options.idColumn ?? 'id';
  const textName = options.textColumn ?? 'text';
  let header: string[] | undefined;
  let idAt = -1;
  let textAt = -1;
  let empty = true;
  let fatal: string | undefined;
  const take = (records: CsvRecord[]): ReadItem[] => {
    const items: ReadItem[] = [];
    for (const record of records) {
      if (fatal !== undefined) return items;
      const where = `${name}:${record.line}`;
      if (!header) {
        if (record.error) {
          fatal = `expected a header row, found a malformed one on line ${record.line}: ${record.error}`;
          return items;
        }
        header = record.fields;
        idAt = findColumn(header, idName);
        textAt = findColumn(header, textName);
        if (idAt < 0 || textAt < 0) {
          const missing = [idAt < 0 ? `"${idName}" (--id-column)` : '', textAt < 0 ? `"${textName}" (--text-column)` : '']
            .filter(Boolean)
            .join(' and ');
          fatal = `expected a header with the column ${missing}, found ${header.map((h) => `"${h}"`).join(', ')}${otherSeparatorHint(header, [idName, textName])}`;
        }
        continue;
      }
      if (record.error) {
        items.push(failure(where, record.error));
      } else if (record.fields.length !== header.length) {
        items.push(failure(where, `expected ${header.length} fields as in the header, found ${record.fields.length}`));
      } else {
        const id = (record.fields[idAt] as string).trim();
        const text = record.fields[textAt] as string;
        // An empty text is an empty report, labeled like any other (as in every format); an empty id is a failure.
        if (id.length === 0) items.push(failure(where, `expected a report id in column "${header[idAt]}", found it empty`));
        else items.push({ report: { id, text, source: where } });
      }
    }
    return items;
  };
  try {
    for await (const records of readCsvRecordChunks(path, { onBytes: options.onBytes })) {
      empty = false;
      const items = take(records);
      if (items.length > 0) yield items;
      if (fatal !== undefined) break;
    }
  } catch (error) {
    yield [failure(name, `cannot read the file: ${reasonOf(error, name)}`)];
    return;
  }
  if (fatal !== undefined) yield [failure(name, fatal)];
  else if (empty) yield [failure(name, 'expected a CSV header and rows, found an empty file (0 bytes)')];
  else if (!header) yield [failure(name, 'expected a CSV header and rows, found only blank lines')];
}
