/**
 * RLE Lossless (1.2.840.10008.1.2.5), PS3.5 Annex G: each frame is a 64-byte header (number of segments, then 15
 * segment offsets, u32 LE) followed by segments; one segment per byte plane of each sample, most significant byte
 * first (G.2), each a PackBits stream (G.3.1: a header byte n; 0..127 copies the next n+1 bytes literally;
 * -1..-127 repeats the next byte -n+1 times; -128 is a no-op).
 *
 * @example
 * ```ts
 * const encoded = encodeRle(samples, ctx);       // one frame
 * const decoded = decodeRle(encoded, ctx);       // same samples back
 * ```
 */
import { PixelDecodeError } from '../../errors.js';
import { samplesFromBytes } from './frame.js';
import type { FrameContext, PixelArray } from './frame.js';

function bytesPerSample(ctx: FrameContext): number {
  return ctx.bitsAllocated <= 8 ? 1 : ctx.bitsAllocated <= 16 ? 2 : 4;
}

/**
 * Decodes one RLE frame to samples (interleaved when Samples per Pixel is 3), per PS3.5 G.3.2.
 *
 * @example
 * ```ts
 * const samples = decodeRle(fragmentBytes, { file, rows: 2, columns: 2, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 0 });
 * ```
 */
export function decodeRle(encoded: Uint8Array, ctx: FrameContext): PixelArray {
  const fail = (why: string): never => {
    throw new PixelDecodeError(`RLE: ${why}`, { file: ctx.file });
  };
  if (encoded.length < 64) fail(`expected a 64-byte RLE header; found ${encoded.length} bytes`);
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const segments = view.getUint32(0, true);
  const bps = bytesPerSample(ctx);
  const spp = ctx.samplesPerPixel;
  if (segments !== bps * spp) fail(`expected ${bps * spp} segments (${spp} samples x ${bps} bytes); found ${segments}`);
  const pixels = ctx.rows * ctx.columns;
  const out = new Uint8Array(pixels * bps * spp);
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + s * 4, true);
    const end = s + 1 < segments ? view.getUint32(8 + s * 4, true) : encoded.length;
    if (start < 64 || start > end || end > encoded.length) fail(`segment ${s} offsets ${start}..${end} out of range`);
    const sample = Math.floor(s / bps);
    const byteInSample = bps - 1 - (s % bps); // segments are most significant byte first; output is little endian
    const stride = bps * spp;
    let o = sample * bps + byteInSample;
    const oEnd = out.length;
    let i = start;
    let written = 0;
    while (i < end && written < pixels) {
      const n = encoded[i++]!;
      if (n < 128) {
        const count = n + 1;
        if (i + count > end) fail(`segment ${s}: literal run past the segment end`);
        for (let k = 0; k < count && written < pixels; k++, written++, o += stride) out[o] = encoded[i + k]!;
        i += count;
      } else if (n > 128) {
        const count = 257 - n;
        const value = encoded[i++]!;
        for (let k = 0; k < count && written < pixels; k++, written++, o += stride) out[o] = value;
      }
    }
    if (written < pixels || o > oEnd + stride) fail(`segment ${s}: expected ${pixels} bytes; decoded ${written}`);
  }
  return samplesFromBytes(out, ctx);
}

function packBits(src: Uint8Array, out: number[]): void {
  let i = 0;
  const n = src.length;
  while (i < n) {
    let run = 1;
    while (i + run < n && run < 128 && src[i + run] === src[i]) run++;
    if (run >= 2) {
      out.push(257 - run, src[i]!);
      i += run;
      continue;
    }
    let lit = 1;
    while (i + lit < n && lit < 128 && !(i + lit + 1 < n && src[i + lit] === src[i + lit + 1])) lit++;
    out.push(lit - 1);
    for (let k = 0; k < lit; k++) out.push(src[i + k]!);
    i += lit;
  }
}

/**
 * Encodes one frame of samples (little-endian byte order in memory, interleaved) as RLE Lossless, each row of each
 * segment encoded separately (PS3.5 G.3.1), segments padded to even length.
 *
 * @example
 * ```ts
 * const fragment = encodeRle(Uint16Array.of(1, 2, 3, 4), { file: 'x', rows: 2, columns: 2, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 16, pixelRepresentation: 0 });
 * ```
 */
export function encodeRle(samples: PixelArray, ctx: FrameContext): Uint8Array {
  const bps = bytesPerSample(ctx);
  const spp = ctx.samplesPerPixel;
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  const segments: Uint8Array[] = [];
  const row = new Uint8Array(ctx.columns);
  for (let sample = 0; sample < spp; sample++) {
    for (let b = bps - 1; b >= 0; b--) {
      const out: number[] = [];
      for (let r = 0; r < ctx.rows; r++) {
        for (let c = 0; c < ctx.columns; c++) row[c] = bytes[((r * ctx.columns + c) * spp + sample) * bps + b]!;
        packBits(row, out);
      }
      if (out.length % 2) out.push(128); // -128: no operation, pads to even length
      segments.push(Uint8Array.from(out));
    }
  }
  const total = 64 + segments.reduce((a, s) => a + s.length, 0);
  const result = new Uint8Array(total);
  const view = new DataView(result.buffer);
  view.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((s, i) => {
    view.setUint32(4 + i * 4, offset, true);
    result.set(s, offset);
    offset += s.length;
  });
  return result;
}
