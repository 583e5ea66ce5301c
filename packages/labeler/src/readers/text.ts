/**
 * Plain-text reports (`.txt`, one report per file, id = the file name without its extension) and the UTF-8 decoding
 * that every reader shares: whole files for `.txt` / `.xml`, and a streaming decoder for `.csv` / `.jsonl` that keeps
 * going past an invalid line and says which line it was.
 */
import { closeSync, createReadStream, openSync, readFileSync, readSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { createGunzip } from 'node:zlib';
import { LabelerError, ReportParseError } from '../errors.js';
import { describeFsError } from './discover.js';
import { failure, reasonOf, type ReadItem, type ReaderOptions } from './records.js';

const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** True when `bytes` starts with the UTF-8 byte order mark EF BB BF. */
function hasBom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/**
 * The one reason every reader gives for bytes that are not UTF-8: the line and the byte offset (0-based, from the
 * start of the file or stream) of the first bad byte, its value, and how to convert a Windows-1252 file, the usual
 * cause (a report exported from a Windows system). The builder's readers give the same.
 *
 * @example
 * ```ts
 * invalidUtf8Reason(3, 118, 0xe9);
 * // "expected UTF-8 text, found invalid UTF-8 at line 3, byte 118 (0xE9); a Windows-1252 (Latin-1) file can be
 * //  converted with iconv -f windows-1252 -t utf-8"
 * ```
 */
export function invalidUtf8Reason(line: number, byte: number, value: number | undefined): string {
  const shown = value === undefined ? '' : ` (0x${value.toString(16).toUpperCase().padStart(2, '0')})`;
  return `expected UTF-8 text, found invalid UTF-8 at line ${line}, byte ${byte}${shown}; ${ICONV_HINT}`;
}

const ICONV_HINT = 'a Windows-1252 (Latin-1) file can be converted with iconv -f windows-1252 -t utf-8';

const UTF16_HINT = 'convert it with iconv -f utf-16 -t utf-8';

/**
 * The reason for a file that starts with a UTF-16 byte order mark (FF FE or FE FF, what "Unicode" text exports of
 * Windows tools write), or undefined. Such a file is not UTF-8 from its first byte, and the Windows-1252 hint would
 * be wrong for it.
 *
 * @example
 * ```ts
 * utf16Reason(Buffer.from([0xff, 0xfe, 0x69, 0x00])); // "expected UTF-8 text, found UTF-16 (byte order mark FF FE); convert it with ..."
 * ```
 */
export function utf16Reason(bytes: Uint8Array): string | undefined {
  const [a, b] = [bytes[0], bytes[1]];
  if (!((a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff))) return undefined;
  return `expected UTF-8 text, found UTF-16 (byte order mark ${a === 0xff ? 'FF FE' : 'FE FF'}); ${UTF16_HINT}`;
}

/**
 * The reason for text with a NUL byte (valid UTF-8, but never in a report: UTF-16 without a byte order mark, where
 * every other byte of English text is 0, or a binary file), or undefined.
 */
function nulReason(bytes: Uint8Array, line: number, offset: number): string | undefined {
  const at = bytes.indexOf(0);
  if (at < 0) return undefined;
  let n = line;
  for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) n++;
  return `expected UTF-8 text, found a NUL byte (0x00) at line ${n}, byte ${offset + at}: UTF-16 text without a byte order mark (${UTF16_HINT}), or not a text file`;
}

/**
 * Decodes a whole file's bytes as UTF-8 (a leading byte order mark is dropped), or returns the reason it is not
 * valid UTF-8 ({@link invalidUtf8Reason}: the line and byte offset of the first bad byte).
 *
 * @example
 * ```ts
 * decodeUtf8(Buffer.from('Heart normal.')); // { text: "Heart normal." }
 * decodeUtf8(Buffer.from([0x61, 0xff]));    // { error: "expected UTF-8 text, found invalid UTF-8 at line 1, byte 1 (0xFF); ..." }
 * ```
 */
export function decodeUtf8(bytes: Uint8Array): { text: string; error?: undefined } | { error: string; text?: undefined } {
  const utf16 = utf16Reason(bytes);
  if (utf16 !== undefined) return { error: utf16 };
  const body = hasBom(bytes) ? bytes.subarray(3) : bytes;
  try {
    const text = fatalDecoder.decode(body);
    const nul = text.includes('\0') ? nulReason(body, 1, body === bytes ? 0 : 3) : undefined;
    return nul === undefined ? { text } : { error: nul };
  } catch {
    const at = firstInvalidByte(body);
    let line = 1;
    for (let i = 0; i < at; i++) if (body[i] === 0x0a) line++;
    return { error: invalidUtf8Reason(line, at + (body === bytes ? 0 : 3), body[at]) };
  }
}

/** The offset of the first byte that is not part of a valid UTF-8 sequence. */
function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n === 0 || i + n > bytes.length) return i;
    try {
      fatalDecoder.decode(bytes.subarray(i, i + n));
    } catch {
      return i;
    }
    i += n;
  }
  return bytes.length;
}

/**
 * Reads a whole file as UTF-8 text, or returns why it could not be read: missing, unreadable, or not valid UTF-8. An
 * empty file is read as "" (an empty `.txt` report is labeled like any other; an empty `.xml` fails as XML).
 * `onBytes` receives the file size.
 *
 * The read is synchronous on purpose: report files are small, and on Node 20 a synchronous read of one costs about a
 * fifth of the CPU of `fs.promises.readFile` (18 vs 85 microseconds measured on the OpenI dev files), which is what
 * limits a folder of XML reports.
 *
 * @example
 * ```ts
 * const r = readTextFile('reports/CXR1.xml');
 * if (r.error) console.error(r.error); else console.log(r.text.length);
 * ```
 */
export function readTextFile(
  path: string,
  onBytes?: (bytes: number) => void,
): { text: string; error?: undefined } | { error: string; text?: undefined } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    return { error: `cannot read the file: ${describeFsError(error)}` };
  }
  onBytes?.(bytes.length);
  return decodeUtf8(bytes);
}

/**
 * Reads one `.txt` report: the whole file is the report text and its id is the file name without the extension
 * (`reports/CXR12.txt` has id "CXR12"). One that is not UTF-8 is a failure; an empty, blank or headings-only file is
 * a report like any other (the labeler finds nothing abnormal in it: No Finding 1), as in every other format.
 *
 * @example
 * ```ts
 * const item = readTextReport('/data/CXR12.txt', 'CXR12.txt');
 * item.report?.id; // "CXR12"
 * ```
 */
export function readTextReport(path: string, name: string, options: ReaderOptions = {}): ReadItem {
  const read = readTextFile(path, options.onBytes);
  if (read.error !== undefined) return failure(name, read.error);
  return { report: { id: basename(name, extname(name)), text: read.text, source: name } };
}

/**
 * Bytes read at a time from a `.csv` / `.jsonl` file (standard input comes in its own 64 KB chunks). Kept below V8's
 * large-object threshold (128 KB): a chunk, its decoded text and the reports parsed from it then live and die in the
 * young generation, freed by the cheap scavenges. With 1 MB chunks every piece's text went to the large-object space
 * and its buffers to external memory, garbage that only a full collection frees: the heap grew in a saw-tooth up to
 * 60 MB of dead buffers and 30 MB of dead text before V8 collected it, and the peak rose with the length of the run.
 */
const READ_CHUNK_BYTES = 64 * 1024;

/** Where a line of a stream stops being UTF-8: its first invalid (or NUL) byte. */
export interface InvalidByte {
  /** 1-based line number. */
  line: number;
  /** 0-based byte offset in the file (after gunzip for a `.gz` file; a byte order mark counts). */
  offset: number;
  /** The byte's value (0 for a NUL byte). */
  byte: number;
}

/** A piece of a file's text decoded by {@link readUtf8Pieces}. */
export interface TextPiece {
  /** Decoded text; the pieces, concatenated, are the whole file (invalid bytes replaced by U+FFFD). */
  text: string;
  /** The 1-based line number of the first character of `text`. */
  line: number;
  /** 1-based line numbers, inside this piece, that were not valid UTF-8 (their text has U+FFFD replacements). */
  invalidLines: number[];
  /** For each of `invalidLines`, the reason ({@link invalidUtf8Reason}: line, byte offset in the file, byte value). */
  invalidReasons: string[];
  /** For each of `invalidLines`, its first invalid byte, for a reader that words the reason its own way (the builder). */
  invalidBytes: InvalidByte[];
}

/**
 * Whether a file is gzip-compressed: named `.gz`, or starting with the gzip magic bytes 1F 8B (RFC 1952 section
 * 2.3.1), which no UTF-8 text starts with.
 *
 * @example
 * ```ts
 * isGzipFile('Data_Entry_2017.csv.gz'); // true
 * isGzipFile('reports.csv');            // false, unless its first bytes are 1F 8B
 * ```
 */
export function isGzipFile(path: string): boolean {
  if (path.toLowerCase().endsWith('.gz')) return true;
  const head = Buffer.alloc(2);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/**
 * The bytes of a file, gunzipped when it is gzip ({@link isGzipFile}); `onBytes` counts the bytes read from disk
 * (compressed ones for a `.gz`), so that progress can be set against the file's size.
 */
async function* fileBytes(path: string, onBytes?: (bytes: number) => void): AsyncGenerator<Buffer> {
  const raw = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  if (!isGzipFile(path)) {
    for await (const chunk of raw as AsyncIterable<Buffer>) {
      onBytes?.(chunk.length);
      yield chunk;
    }
    return;
  }
  if (onBytes) raw.on('data', (chunk) => onBytes(chunk.length));
  const gunzip = createGunzip({ chunkSize: READ_CHUNK_BYTES });
  raw.on('error', (error) => gunzip.destroy(error));
  try {
    yield* raw.pipe(gunzip) as AsyncIterable<Buffer>;
  } finally {
    raw.destroy();
  }
}

/** The chunks of a stream (standard input) as buffers, each counted by `onBytes`. */
async function* streamBytes(stream: NodeJS.ReadableStream, onBytes?: (bytes: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    onBytes?.(bytes.length);
    yield bytes;
  }
}

/**
 * Streams a file (or a stream, such as standard input) as decoded UTF-8 text pieces, each ending at a line break
 * (except the last), so that memory stays flat however large the file is. A gzip file (`.gz`, or one that starts
 * with the gzip magic bytes) is gunzipped on the way. A line with invalid UTF-8 does not stop the stream: it is
 * decoded with replacement characters and listed in `invalidLines` (with its reason and its first bad byte), so a
 * reader can reject just the record on that line. A file that starts with a UTF-16 byte order mark is refused whole
 * with a {@link ReportParseError} ({@link utf16Reason}).
 *
 * @example
 * ```ts
 * for await (const piece of readUtf8Pieces('reports.jsonl.gz')) console.log(piece.line, piece.text.length);
 * ```
 */
export async function* readUtf8Pieces(path: string | NodeJS.ReadableStream, onBytes?: (bytes: number) => void): AsyncGenerator<TextPiece> {
  let line = 1;
  let first = true;
  let carry: Buffer[] = [];
  /** Bytes of the file before the next piece (a byte order mark included). */
  let offset = 0;
  const chunks = typeof path === 'string' ? fileBytes(path, onBytes) : streamBytes(path, onBytes);
  for await (let bytes of chunks) {
    if (first) {
      // The byte order marks are told from the first 3 bytes, even when a stream cuts them across chunks.
      const head = carry.length > 0 ? Buffer.concat([...carry, bytes]) : bytes;
      if (head.length < 3) {
        carry = [head];
        continue;
      }
      first = false;
      carry = [];
      bytes = head;
      offset = startOfText(bytes);
      bytes = bytes.subarray(offset);
    }
    const cut = bytes.lastIndexOf(0x0a);
    if (cut < 0) {
      carry.push(bytes);
      continue;
    }
    const head = carry.length > 0 ? Buffer.concat([...carry, bytes.subarray(0, cut + 1)]) : bytes.subarray(0, cut + 1);
    carry = cut + 1 < bytes.length ? [bytes.subarray(cut + 1)] : [];
    const piece = decodePiece(head, line, offset);
    offset += head.length;
    line += countLineBreaks(piece.text);
    yield piece;
  }
  if (carry.length > 0) {
    let rest = Buffer.concat(carry);
    if (first) {
      offset = startOfText(rest);
      rest = rest.subarray(offset);
    }
    if (rest.length > 0) yield decodePiece(rest, line, offset);
  }
}

/**
 * Where the text of a file starts (3 after a UTF-8 byte order mark, else 0), from its first bytes; a UTF-16 byte
 * order mark is a {@link ReportParseError}: one failure for the file, not one per line each with the Windows-1252
 * hint (the readers name the file).
 */
function startOfText(head: Uint8Array): number {
  const utf16 = utf16Reason(head);
  if (utf16 !== undefined) throw new ReportParseError(utf16);
  return hasBom(head) ? 3 : 0;
}

function decodePiece(bytes: Uint8Array, line: number, offset: number): TextPiece {
  try {
    const text = fatalDecoder.decode(bytes);
    if (!text.includes('\0')) return { text, line, invalidLines: [], invalidReasons: [], invalidBytes: [] };
    throw new Error('NUL'); // lines with a NUL byte are invalid, as lines with bad UTF-8 are
  } catch {
    const parts: string[] = [];
    const invalidLines: number[] = [];
    const invalidReasons: string[] = [];
    const invalidBytes: InvalidByte[] = [];
    let start = 0;
    let n = line;
    while (start < bytes.length) {
      let end = bytes.indexOf(0x0a, start);
      end = end < 0 ? bytes.length : end + 1;
      const slice = bytes.subarray(start, end);
      try {
        parts.push(fatalDecoder.decode(slice));
        const nul = nulReason(slice, n, offset + start);
        if (nul !== undefined) {
          invalidLines.push(n);
          invalidReasons.push(nul);
          invalidBytes.push({ line: n, offset: offset + start + slice.indexOf(0), byte: 0 });
        }
      } catch {
        parts.push(lenientDecoder.decode(slice));
        const at = firstInvalidByte(slice);
        invalidLines.push(n);
        invalidReasons.push(invalidUtf8Reason(n, offset + start + at, slice[at]));
        invalidBytes.push({ line: n, offset: offset + start + at, byte: slice[at] ?? 0 });
      }
      n++;
      start = end;
    }
    return { text: parts.join(''), line, invalidLines, invalidReasons, invalidBytes };
  }
}

function countLineBreaks(text: string): number {
  let n = 0;
  let i = text.indexOf('\n');
  while (i >= 0) {
    n++;
    i = text.indexOf('\n', i + 1);
  }
  return n;
}

/**
 * Reads a whole stream (standard input for `--stdin-format txt`) as one report with the given id. A stream that is not
 * UTF-8 is a failure; an empty one is an empty report (labeled, as an empty `.txt` file is).
 *
 * @example
 * ```ts
 * const item = await readTextStream(process.stdin, 'stdin', 'stdin');
 * item.report?.text; // everything piped in
 * ```
 */
export async function readTextStream(stream: NodeJS.ReadableStream, name: string, id: string, options: ReaderOptions = {}): Promise<ReadItem> {
  const parts: string[] = [];
  let bad: string | undefined;
  try {
    for await (const piece of readUtf8Pieces(stream, options.onBytes)) {
      bad ??= piece.invalidReasons[0];
      parts.push(piece.text);
    }
  } catch (error) {
    return failure(name, `cannot read the input: ${error instanceof LabelerError ? reasonOf(error, name) : describeFsError(error)}`);
  }
  if (bad !== undefined) return failure(name, bad);
  return { report: { id, text: parts.join(''), source: name } };
}
