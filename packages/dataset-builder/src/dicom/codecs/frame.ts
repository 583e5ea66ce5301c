/**
 * Types shared by the codecs: the typed array a frame decodes to, and what a codec needs to know about the frame.
 *
 * @example
 * ```ts
 * const samples = samplesFromBytes(bytes, { bitsAllocated: 16, pixelRepresentation: 0 }); // Uint16Array
 * ```
 */

/** Stored pixel values of one frame, interleaved by sample (R G B R G B ... for colour). */
export type PixelArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

/** What a codec needs besides the compressed bytes. */
export interface FrameContext {
  file: string;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
}

/**
 * The {@link FrameContext} of a pixel description (the Image Pixel module's fields), picking only what codecs read.
 *
 * @example
 * ```ts
 * frameContext('dicom:ab12', parsed.pixel); // { file: 'dicom:ab12', rows: 2048, columns: 2500, ... }
 * ```
 */
export function frameContext(file: string, p: Omit<FrameContext, 'file'>): FrameContext {
  return {
    file,
    rows: p.rows,
    columns: p.columns,
    samplesPerPixel: p.samplesPerPixel,
    bitsAllocated: p.bitsAllocated,
    bitsStored: p.bitsStored,
    pixelRepresentation: p.pixelRepresentation,
  };
}

/**
 * Reinterprets little-endian bytes as samples of Bits Allocated (8, 16 or 32), signed when Pixel Representation
 * is 1. Copies only when the bytes are not aligned for the typed array.
 *
 * @example
 * ```ts
 * samplesFromBytes(Uint8Array.of(1, 0, 255, 255), { bitsAllocated: 16, pixelRepresentation: 1 }); // Int16Array [1, -1]
 * ```
 */
export function samplesFromBytes(
  bytes: Uint8Array,
  ctx: { bitsAllocated: number; pixelRepresentation: number },
): PixelArray {
  const signed = ctx.pixelRepresentation === 1;
  const size = ctx.bitsAllocated <= 8 ? 1 : ctx.bitsAllocated <= 16 ? 2 : 4;
  let b = bytes;
  if (b.byteOffset % size !== 0) b = b.slice();
  const n = Math.floor(b.byteLength / size);
  if (size === 1) return signed ? new Int8Array(b.buffer, b.byteOffset, n) : new Uint8Array(b.buffer, b.byteOffset, n);
  if (size === 2) return signed ? new Int16Array(b.buffer, b.byteOffset, n) : new Uint16Array(b.buffer, b.byteOffset, n);
  return signed ? new Int32Array(b.buffer, b.byteOffset, n) : new Uint32Array(b.buffer, b.byteOffset, n);
}

/**
 * The little-endian bytes behind a typed array (a view).
 *
 * @example
 * ```ts
 * bytesOfSamples(Uint16Array.of(1, 256)); // Uint8Array [1, 0, 0, 1]
 * ```
 */
export function bytesOfSamples(samples: PixelArray): Uint8Array {
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
}

/**
 * Reverses the byte order of each 2- or 4-byte word into a copy (Explicit VR Big Endian, PS3.5 A.3); a last
 * incomplete word is left zero.
 *
 * @example
 * ```ts
 * swapBytes(Uint8Array.of(1, 2, 3, 4), 2); // Uint8Array [2, 1, 4, 3]
 * ```
 */
export function swapBytes(raw: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(raw.length);
  if (size === 2) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      out[i] = raw[i + 1]!;
      out[i + 1] = raw[i]!;
    }
  } else {
    for (let i = 0; i + 3 < raw.length; i += 4) {
      out[i] = raw[i + 3]!;
      out[i + 1] = raw[i + 2]!;
      out[i + 2] = raw[i + 1]!;
      out[i + 3] = raw[i]!;
    }
  }
  return out;
}
