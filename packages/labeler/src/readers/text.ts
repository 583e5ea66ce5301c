/**
 * Plain-text reports (`.txt`, one report per file, id = the file name without its extension) and the UTF-8 decoding
 * that every reader shares: whole files for `.txt` / `.xml`, and a streaming decoder for `.csv` / `.jsonl` that keeps
 * going past an invalid line and says which line it was.
 */
import { createReadStream } from 'node:fs';
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { describeFsError } from './discover.js';
import { failure, type ReadItem, type ReaderOptions } from './records.js';

const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** True when `bytes` starts with the UTF-8 byte order mark EF BB BF. */
function hasBom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/**
 * Decodes a whole file's bytes as UTF-8 (a leading byte order mark is dropped), or returns the reason it is not
 * valid UTF-8, with the line and byte offset of the first bad byte.
 *
 * @example
 * ```ts
 * decodeUtf8(Buffer.from('Heart normal.')); // { text: "Heart normal." }
 * decodeUtf8(Buffer.from([0x61, 0xff]));    // { error: "invalid UTF-8 at line 1 (byte 1)" }
 * ```
 */
export function decodeUtf8(bytes: Uint8Array): { text: string; error?: undefined } | { error: string; text?: undefined } {
  const body = hasBom(bytes) ? bytes.subarray(3) : bytes;
  try {
    return { text: fatalDecoder.decode(body) };
  } catch {
    const at = firstInvalidByte(body);
    let line = 1;
    for (let i = 0; i < at; i++) if (body[i] === 0x0a) line++;
    return { error: `expected UTF-8 text, found invalid UTF-8 at line ${line} (byte ${at + (body === bytes ? 0 : 3)})` };
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
 * Reads a whole file as UTF-8 text, or returns why it could not be read: missing, unreadable, empty (0 bytes), or not
 * valid UTF-8. `onBytes` receives the file size.
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
  if (bytes.length === 0) return { error: 'expected a report, found an empty file (0 bytes)' };
  return decodeUtf8(bytes);
}

/**
 * Reads one `.txt` report: the whole file is the report text and its id is the file name without the extension
 * (`reports/CXR12.txt` has id "CXR12"). An empty or blank file, or one that is not UTF-8, is a failure.
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
  if (read.text.trim().length === 0) return failure(name, 'expected report text, found only whitespace');
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

/** A piece of a file's text decoded by {@link readUtf8Pieces}. */
export interface TextPiece {
  /** Decoded text; the pieces, concatenated, are the whole file (invalid bytes replaced by U+FFFD). */
  text: string;
  /** The 1-based line number of the first character of `text`. */
  line: number;
  /** 1-based line numbers, inside this piece, that were not valid UTF-8 (their text has U+FFFD replacements). */
  invalidLines: number[];
}

/**
 * Streams a file (or a stream, such as standard input) as decoded UTF-8 text pieces, each ending at a line break (except the last), so that memory stays
 * flat however large the file is. A line with invalid UTF-8 does not stop the stream: it is decoded with replacement
 * characters and listed in `invalidLines`, so a reader can reject just the record on that line.
 *
 * @example
 * ```ts
 * for await (const piece of readUtf8Pieces('reports.jsonl')) console.log(piece.line, piece.text.length);
 * ```
 */
export async function* readUtf8Pieces(path: string | NodeJS.ReadableStream, onBytes?: (bytes: number) => void): AsyncGenerator<TextPiece> {
  let line = 1;
  let first = true;
  let carry: Buffer[] = [];
  const stream = typeof path === 'string' ? createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }) : path;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    let bytes: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    onBytes?.(bytes.length);
    if (first) {
      first = false;
      if (hasBom(bytes)) bytes = bytes.subarray(3);
    }
    const cut = bytes.lastIndexOf(0x0a);
    if (cut < 0) {
      carry.push(bytes);
      continue;
    }
    const head = carry.length > 0 ? Buffer.concat([...carry, bytes.subarray(0, cut + 1)]) : bytes.subarray(0, cut + 1);
    carry = cut + 1 < bytes.length ? [bytes.subarray(cut + 1)] : [];
    const piece = decodePiece(head, line);
    line += countLineBreaks(piece.text);
    yield piece;
  }
  if (carry.length > 0) {
    const rest = Buffer.concat(carry);
    if (rest.length > 0) yield decodePiece(rest, line);
  }
}

function decodePiece(bytes: Uint8Array, line: number): TextPiece {
  try {
    return { text: fatalDecoder.decode(bytes), line, invalidLines: [] };
  } catch {
    const parts: string[] = [];
    const invalidLines: number[] = [];
    let start = 0;
    let n = line;
    while (start < bytes.length) {
      let end = bytes.indexOf(0x0a, start);
      end = end < 0 ? bytes.length : end + 1;
      const slice = bytes.subarray(start, end);
      try {
        parts.push(fatalDecoder.decode(slice));
      } catch {
        parts.push(lenientDecoder.decode(slice));
        invalidLines.push(n);
      }
      n++;
      start = end;
    }
    return { text: parts.join(''), line, invalidLines };
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
 * Reads a whole stream (standard input for `--stdin-format txt`) as one report with the given id. An empty stream or
 * one that is not UTF-8 is a failure.
 *
 * @example
 * ```ts
 * const item = await readTextStream(process.stdin, 'stdin', 'stdin');
 * item.report?.text; // everything piped in
 * ```
 */
export async function readTextStream(stream: NodeJS.ReadableStream, name: string, id: string, options: ReaderOptions = {}): Promise<ReadItem> {
  const parts: string[] = [];
  let bad: number | undefined;
  try {
    for await (const piece of readUtf8Pieces(stream, options.onBytes)) {
      bad ??= piece.invalidLines[0];
      parts.push(piece.text);
    }
  } catch (error) {
    return failure(name, `cannot read the input: ${describeFsError(error)}`);
  }
  const text = parts.join('');
  if (text.length === 0) return failure(name, 'expected a report, found an empty input (0 bytes)');
  if (bad !== undefined) return failure(name, `expected UTF-8 text, found invalid UTF-8 at line ${bad}`);
  if (text.trim().length === 0) return failure(name, 'expected report text, found only whitespace');
  return { report: { id, text, source: name } };
}
