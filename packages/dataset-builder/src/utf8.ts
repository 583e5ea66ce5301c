/**
 * Strict UTF-8 for text inputs (reports, the NIH release): bytes that are not valid UTF-8 are never turned into
 * U+FFFD silently. The one rule, shared with `label-reports`: an invalid byte fails the report (or row) it lies in,
 * naming the file, the row or line and the byte offset in the file, with a hint to convert the file.
 *
 * Streaming decoders cannot both go on after an invalid byte and say where it was, so {@link decodeUtf8Chunks}
 * decodes like `TextDecoder('utf-8', { fatal: true })` wherever the bytes are valid and writes each invalid byte as
 * one lone surrogate U+DC00 + byte (the "surrogateescape" of Python). A lone surrogate never comes out of valid
 * UTF-8, so a field that holds one held invalid bytes; the k-th escape in the stream is the k-th offset recorded,
 * which is how a reader maps a bad row back to its byte offset ({@link Utf8Offsets}).
 *
 * The rules are the labeler's (`@cxr8/labeler` readers/text.ts), which whole files use directly (`decodeUtf8`, see
 * reports.ts): a UTF-8 byte order mark is dropped; a UTF-16 byte order mark fails the whole file ("found UTF-16 ...,
 * convert it"; {@link utf16Reason}); a NUL byte is refused like an invalid byte (UTF-16 without a byte order mark,
 * or a binary file), escaped as U+DC00; an invalid byte names its offset. Only the streaming decoder is the
 * builder's own, because the labeler exports none that goes on past a bad row.
 */
import { decodeUtf8 } from '@cxr8/labeler';

const fatal = new TextDecoder('utf-8', { fatal: true });

/** The byte offsets (in the file) of the invalid bytes met so far, in stream order; one per escape character. */
export interface Utf8Offsets {
  offsets: number[];
  /** Escapes already matched to rows by {@link takeInvalid}. */
  taken: number;
}

/**
 * A fresh offset list, one per file read.
 *
 * @example
 * ```ts
 * const invalid = newUtf8Offsets(); // { offsets: [], taken: 0 }
 * ```
 */
export function newUtf8Offsets(): Utf8Offsets {
  return { offsets: [], taken: 0 };
}

/** Length of a UTF-8 sequence from its lead byte (0 for a byte that cannot lead). */
function sequenceLength(b: number): number {
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 0;
}

/** Whether `bytes[i..i+n)` is one well-formed sequence (RFC 3629: no overlongs, no surrogates, at most U+10FFFF). */
function wellFormed(bytes: Uint8Array, i: number, n: number): boolean {
  const b0 = bytes[i] as number;
  for (let k = 1; k < n; k++) {
    const b = bytes[i + k];
    if (b === undefined || (b & 0xc0) !== 0x80) return false;
  }
  const b1 = bytes[i + 1] as number;
  if (n === 3) {
    if (b0 === 0xe0 && b1 < 0xa0) return false;
    if (b0 === 0xed && b1 > 0x9f) return false;
  }
  if (n === 4) {
    if (b0 === 0xf0 && b1 < 0x90) return false;
    if (b0 === 0xf4 && b1 > 0x8f) return false;
  }
  return true;
}

/** Where the last complete sequence of `bytes` ends: a sequence cut by the chunk boundary waits for the next chunk. */
function completeLength(bytes: Uint8Array): number {
  const end = bytes.length;
  for (let back = 1; back <= Math.min(3, end); back++) {
    const b = bytes[end - back] as number;
    if ((b & 0xc0) === 0x80) continue;
    const n = sequenceLength(b);
    return n > back ? end - back : end;
  }
  return end;
}

/** Decodes `bytes` (whose first byte is at file offset `base`), escaping invalid bytes and recording their offsets. */
function decodeEscaping(bytes: Uint8Array, base: number, invalid: Utf8Offsets): string {
  // Valid text (nearly always) is decoded in one pass; only a chunk that holds an invalid or NUL byte is walked.
  try {
    const text = fatal.decode(bytes);
    if (!text.includes('\0')) return text;
  } catch {
    // falls through to the byte-by-byte walk below
  }
  let out = '';
  let run = 0;
  let i = 0;
  while (i < bytes.length) {
    const n = sequenceLength(bytes[i] as number);
    if (n > 0 && i + n <= bytes.length && wellFormed(bytes, i, n) && bytes[i] !== 0) {
      i += n;
      continue;
    }
    out += fatal.decode(bytes.subarray(run, i));
    // Bytes below 0x80 are valid but NUL, so the escape U+DC00 + byte lies in U+DC80..U+DCFF, or is U+DC00 (NUL).
    out += String.fromCharCode(0xdc00 + (bytes[i] as number));
    invalid.offsets.push(base + i);
    i++;
    run = i;
  }
  return out + fatal.decode(bytes.subarray(run));
}

/**
 * Decodes a stream of byte chunks as UTF-8: valid text as it is, each invalid byte as U+DC00 + byte (U+DC80..U+DCFF; a NUL byte as U+DC00) with its
 * file offset pushed to `invalid`. A sequence cut by a chunk boundary is joined with the next chunk; one left at the
 * end is invalid. A leading UTF-8 byte order mark is dropped (offsets still count its three bytes).
 *
 * @example
 * ```ts
 * const invalid = newUtf8Offsets();
 * for await (const s of decodeUtf8Chunks([Buffer.from('caf'), Buffer.from([0xe9, 0x0a])], invalid)) console.log(JSON.stringify(s));
 * // "caf" then "\udce9\n"; invalid.offsets = [3]
 * ```
 */
export async function* decodeUtf8Chunks(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, invalid: Utf8Offsets): AsyncGenerator<string> {
  let carry: Uint8Array = new Uint8Array(0);
  let base = 0;
  let first = true;
  for await (const chunk of chunks) {
    let bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    if (first && bytes.length < 3 && bytes.length > 0 && [0xef, 0xbb].slice(0, bytes.length).every((b, k) => bytes[k] === b)) {
      // Too short to tell a byte order mark yet.
      carry = bytes.slice();
      continue;
    }
    if (first && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      // The UTF-8 byte order mark is dropped (as the labeler does); offsets still count it.
      bytes = bytes.subarray(3);
      base = 3;
    }
    first = false;
    const n = completeLength(bytes);
    const text = decodeEscaping(bytes.subarray(0, n), base, invalid);
    base += n;
    carry = bytes.slice(n);
    if (text !== '') yield text;
  }
  if (carry.length > 0) yield decodeEscaping(carry, base, invalid);
}

/**
 * Matches the escapes of one row (all its fields, in stream order) to their offsets: returns the file offset and
 * value of the row's first invalid byte, or undefined when the row is valid. Every row must pass through here, in
 * order, for the escapes to stay matched.
 *
 * @example
 * ```ts
 * takeInvalid(invalid, ['A1', 'caf\udce9']); // { offset: 3, byte: 0xe9 }
 * ```
 */
export function takeInvalid(invalid: Utf8Offsets, fields: readonly string[]): { offset: number; byte: number } | undefined {
  let first: { offset: number; byte: number } | undefined;
  for (const f of fields) {
    for (let i = 0; i < f.length; i++) {
      const c = f.charCodeAt(i);
      if (c < 0xdc00 || c > 0xdcff || (c > 0xdc00 && c < 0xdc80)) continue;
      const offset = invalid.offsets[invalid.taken++] ?? -1;
      first ??= { offset, byte: c - 0xdc00 };
    }
  }
  return first;
}

/**
 * The reason a row with invalid UTF-8 fails: what was expected, what was found where, and how to convert the file.
 *
 * @example
 * ```ts
 * invalidUtf8Reason('reports.csv', 'row 7', { offset: 1234, byte: 0xe9 });
 * // 'expected UTF-8 text, found byte 0xE9 at byte offset 1234 of reports.csv (row 7), which is not valid UTF-8; ...'
 * ```
 */
export function invalidUtf8Reason(file: string, where: string, at: { offset: number; byte: number }): string {
  if (at.byte === 0) {
    return `expected UTF-8 text, found a NUL byte (0x00) at byte offset ${at.offset} of ${file} (${where}): UTF-16 text without a byte order mark (convert it with iconv -f utf-16 -t utf-8), or not a text file`;
  }
  const hex = at.byte.toString(16).toUpperCase().padStart(2, '0');
  return `expected UTF-8 text, found byte 0x${hex} at byte offset ${at.offset} of ${file} (${where}), which is not valid UTF-8; if the file is Windows-1252 or Latin-1, convert it first: iconv -f windows-1252 -t utf-8 ${file} > utf8-${file}`;
}

/**
 * The reason a text file is refused whole because it starts with a UTF-16 byte order mark (FF FE or FE FF), or
 * undefined: the labeler's rule and words (`decodeUtf8` of `@cxr8/labeler`), for the first bytes of a file.
 *
 * @example
 * ```ts
 * utf16Reason(Buffer.from([0xff, 0xfe, 0x61, 0x00])); // 'expected UTF-8 text, found UTF-16 (byte order mark FF FE); convert it with iconv -f utf-16 -t utf-8'
 * utf16Reason(Buffer.from('abc')); // undefined
 * ```
 */
export function utf16Reason(head: Uint8Array): string | undefined {
  const [a, b] = [head[0], head[1]];
  if (!((a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff))) return undefined;
  return decodeUtf8(head.subarray(0, 2)).error;
}
