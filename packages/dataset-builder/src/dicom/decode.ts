/**
 * Pixel decoding: one frame of a parsed DICOM file to its stored values, whatever the transfer syntax.
 *
 * Public API (stable):
 * - `decodeFrame(parsed, frame = 0)`: a `DecodedFrame` with the stored values as a typed array (Uint8Array,
 *   Int8Array, Uint16Array, Int16Array, Uint32Array or Int32Array by Bits Allocated and Pixel Representation),
 *   interleaved when Samples per Pixel is 3; no masking, rescale or windowing (that is `render.ts`).
 * - `checkPixelModule(parsed)`: throws the typed error that `decodeFrame` would throw for a missing or absurd
 *   Image Pixel module, without decoding (for selection stages that want to fail early).
 * - `isSupportedTransferSyntax(uid)`, `SUPPORTED_TRANSFER_SYNTAXES`.
 *
 * Lossless syntaxes decode bit-exactly (tested against the NEMA WG04 uncompressed reference). One file per codec
 * family lives under `codecs/`.
 *
 * @example
 * ```ts
 * const parsed = parseDicom(bytes, file);
 * const frame = await decodeFrame(parsed);
 * frame.pixels; // Uint16Array(rows * columns)
 * ```
 */
import {
  AbsurdDimensionsError,
  DicomError,
  InvalidPixelModuleError,
  NoPixelDataError,
  PixelDecodeError,
  UnsupportedTransferSyntaxError,
  thrownText,
} from '../errors.js';
import { decodeJpegBaseline, decodeJpegExtended, decodeJpegLossless } from './codecs/jpeg.js';
import { decodeJpegLs } from './codecs/jpeg-ls.js';
import { decodeJpeg2000 } from './codecs/jpeg2000.js';
import { frameContext, samplesFromBytes, swapBytes } from './codecs/frame.js';
import type { FrameContext, PixelArray } from './codecs/frame.js';
import { decodeRle } from './codecs/rle.js';
import { TransferSyntax } from './dictionary.js';
import type { Fragment, ParsedDicom } from './parse.js';

export type { PixelArray } from './codecs/frame.js';

/** One decoded frame: stored values and the Image Pixel attributes needed to interpret them. */
export interface DecodedFrame {
  pixels: PixelArray;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  pixelRepresentation: number;
  /** As in the header, except 'RGB' for colour JPEG baseline that the codec converted from YBR. */
  photometricInterpretation: string;
}

/** Largest Rows or Columns accepted; an image beyond it is recorded as absurd rather than decoded. */
export const MAX_DIMENSION = 16384;
/** Largest Rows x Columns accepted (64 Mpixel: a 16-bit frame of 128 MB). */
export const MAX_PIXELS = 64 * 1024 * 1024;

type Codec = (encoded: Uint8Array, ctx: FrameContext) => PixelArray | Promise<PixelArray>;

const NATIVE = new Set<string>([
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.DeflatedExplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
]);

const CODECS = new Map<string, Codec>([
  [TransferSyntax.RLELossless, decodeRle],
  [TransferSyntax.JPEGBaseline8Bit, decodeJpegBaseline],
  [TransferSyntax.JPEGExtended12Bit, decodeJpegExtended],
  [TransferSyntax.JPEGLossless, decodeJpegLossless],
  [TransferSyntax.JPEGLosslessSV1, decodeJpegLossless],
  [TransferSyntax.JPEGLSLossless, decodeJpegLs],
  [TransferSyntax.JPEGLSNearLossless, decodeJpegLs],
  [TransferSyntax.JPEG2000Lossless, decodeJpeg2000],
  [TransferSyntax.JPEG2000, decodeJpeg2000],
]);

/** The codec family of each compressed syntax, for messages. */
const CODEC_NAMES = new Map<string, string>([
  [TransferSyntax.RLELossless, 'RLE'],
  [TransferSyntax.JPEGBaseline8Bit, 'JPEG baseline'],
  [TransferSyntax.JPEGExtended12Bit, 'JPEG extended'],
  [TransferSyntax.JPEGLossless, 'JPEG lossless'],
  [TransferSyntax.JPEGLosslessSV1, 'JPEG lossless'],
  [TransferSyntax.JPEGLSLossless, 'JPEG-LS'],
  [TransferSyntax.JPEGLSNearLossless, 'JPEG-LS'],
  [TransferSyntax.JPEG2000Lossless, 'JPEG 2000'],
  [TransferSyntax.JPEG2000, 'JPEG 2000'],
]);

/** Every Transfer Syntax UID `decodeFrame` reads. */
export const SUPPORTED_TRANSFER_SYNTAXES: readonly string[] = [...NATIVE, ...CODECS.keys()];

/**
 * Whether `decodeFrame` can decode this Transfer Syntax.
 *
 * @example
 * ```ts
 * isSupportedTransferSyntax('1.2.840.10008.1.2.4.80'); // true (JPEG-LS lossless)
 * isSupportedTransferSyntax('1.2.840.10008.1.2.4.201'); // false (HTJ2K)
 * ```
 */
export function isSupportedTransferSyntax(uid: string): boolean {
  return NATIVE.has(uid) || CODECS.has(uid);
}

/**
 * Checks what decoding needs, throwing the typed error a decode would: Pixel Data present, a supported syntax,
 * sane dimensions (PS3.3 C.7.6.3: Rows/Columns > 0, Bits Stored <= Bits Allocated, High Bit < Bits Allocated,
 * Samples per Pixel 1 or 3).
 *
 * @example
 * ```ts
 * try { checkPixelModule(parsed); } catch (e) { if (e instanceof DicomError) record(e.reason); }
 * ```
 */
export function checkPixelModule(parsed: ParsedDicom, frame = 0): void {
  const { file, header, pixel: p } = parsed;
  if (!header.hasPixelData) {
    throw new NoPixelDataError(`expected Pixel Data (7FE0,0010); the data set has none (SOP Class ${header.sopClassUid || 'absent'})`, {
      file,
    });
  }
  if (!isSupportedTransferSyntax(header.transferSyntaxUid)) {
    throw new UnsupportedTransferSyntaxError(header.transferSyntaxUid, { file });
  }
  if (!(p.rows > 0 && p.columns > 0 && p.rows <= MAX_DIMENSION && p.columns <= MAX_DIMENSION && p.rows * p.columns <= MAX_PIXELS)) {
    throw new AbsurdDimensionsError(
      `expected Rows and Columns in 1..${MAX_DIMENSION} and at most ${MAX_PIXELS} pixels; found ${p.rows}x${p.columns}`,
      { file },
    );
  }
  if (frame < 0 || frame >= p.numberOfFrames || p.numberOfFrames > 10000) {
    throw new AbsurdDimensionsError(`expected frame ${frame} of ${p.numberOfFrames} frames (at most 10000)`, { file });
  }
  if (![1, 8, 16, 32].includes(p.bitsAllocated)) {
    throw new InvalidPixelModuleError(`expected Bits Allocated 1, 8, 16 or 32; found ${p.bitsAllocated}`, { file });
  }
  if (!(p.bitsStored >= 1 && p.bitsStored <= p.bitsAllocated && p.highBit >= p.bitsStored - 1 && p.highBit < p.bitsAllocated)) {
    throw new InvalidPixelModuleError(
      `expected 1 <= Bits Stored <= Bits Allocated and Bits Stored - 1 <= High Bit < Bits Allocated; found ` +
        `allocated ${p.bitsAllocated}, stored ${p.bitsStored}, high bit ${p.highBit}`,
      { file },
    );
  }
  if (p.samplesPerPixel !== 1 && p.samplesPerPixel !== 3) {
    throw new InvalidPixelModuleError(`expected Samples per Pixel 1 or 3; found ${p.samplesPerPixel}`, { file });
  }
  if (!parsed.pixelData) {
    throw new NoPixelDataError('expected the Pixel Data value; parsing stopped before it (stopAtPixelData)', { file });
  }
}

/**
 * Decodes one frame to its stored values. Throws `NoPixelDataError`, `UnsupportedTransferSyntaxError`,
 * `AbsurdDimensionsError`, `InvalidPixelModuleError` or `PixelDecodeError`, each naming the file.
 *
 * @example
 * ```ts
 * const { pixels, rows, columns, bitsStored } = await decodeFrame(parseDicom(bytes, file));
 * ```
 */
export async function decodeFrame(parsed: ParsedDicom, frame = 0): Promise<DecodedFrame> {
  checkPixelModule(parsed, frame);
  try {
    return await decodeCheckedFrame(parsed, frame);
  } catch (cause) {
    if (cause instanceof DicomError) throw cause;
    // Anything else thrown by a codec or by frame extraction (a JavaScript error on data the code did not expect)
    // becomes a reason that says what was expected and what was found, never the exception's own text.
    const { header, pixel: p } = parsed;
    const codec = CODEC_NAMES.get(header.transferSyntaxUid) ?? 'native pixel data';
    const why = thrownText(cause);
    throw new PixelDecodeError(
      `${codec}: expected frame ${frame} of ${p.rows}x${p.columns}x${p.samplesPerPixel} samples at ${p.bitsStored} bits ` +
        `(${header.transferSyntaxUid}); found data the decoder cannot read${why ? ` (${why})` : ''}`,
      { file: parsed.file, cause },
    );
  }
}

async function decodeCheckedFrame(parsed: ParsedDicom, frame: number): Promise<DecodedFrame> {
  const { file, header, pixel: p } = parsed;
  const location = parsed.pixelData!;
  const ctx = frameContext(file, p);
  const count = p.rows * p.columns * p.samplesPerPixel;
  const result = (pixels: PixelArray, photometric = p.photometricInterpretation, highBit = p.highBit): DecodedFrame => ({
    pixels,
    rows: p.rows,
    columns: p.columns,
    samplesPerPixel: p.samplesPerPixel,
    bitsAllocated: p.bitsAllocated,
    bitsStored: p.bitsStored,
    highBit,
    pixelRepresentation: p.pixelRepresentation,
    photometricInterpretation: photometric,
  });

  if (NATIVE.has(header.transferSyntaxUid)) {
    if (location.kind !== 'native') {
      throw new InvalidPixelModuleError(`expected native (defined-length) Pixel Data for ${header.transferSyntaxUid}; found fragments`, { file });
    }
    return result(readNativeFrame(parsed, location, frame, count));
  }
  if (location.kind !== 'encapsulated') {
    throw new InvalidPixelModuleError(
      `expected encapsulated Pixel Data (length FFFFFFFFH, fragments) for ${header.transferSyntaxUid}; found a defined length`,
      { file },
    );
  }
  const codec = CODECS.get(header.transferSyntaxUid)!;
  const encoded = frameBytes(parsed, location.offsetTable, location.fragments, frame);
  let pixels = await codec(encoded, ctx);
  if (pixels.length < count) {
    throw new PixelDecodeError(`expected ${count} samples from the codec; it returned ${pixels.length}`, { file });
  }
  if (pixels.length > count) pixels = pixels.subarray(0, count);
  if (p.bitsAllocated > 8 && pixels.BYTES_PER_ELEMENT === 1) {
    // A codec gave 8-bit samples for a 16-bit allocation (e.g. 8-bit JPEG in a 16-bit header): widen.
    pixels = Uint16Array.from(pixels);
  }
  if (p.pixelRepresentation === 1 && pixels instanceof Uint16Array) pixels = new Int16Array(pixels.buffer, pixels.byteOffset, pixels.length);
  // JPEG baseline colour is converted to RGB by libjpeg-turbo (PS3.5 8.2.1: YBR_FULL_422 is the compressed form).
  const photometric =
    header.transferSyntaxUid === TransferSyntax.JPEGBaseline8Bit && p.samplesPerPixel === 3 ? 'RGB' : p.photometricInterpretation;
  // Compressed syntaxes carry samples right-aligned: High Bit = Bits Stored - 1 (PS3.5 8.2).
  return result(pixels, photometric, p.bitsStored - 1);
}

function readNativeFrame(
  parsed: ParsedDicom,
  location: { offset: number; length: number; vr: string },
  frame: number,
  count: number,
): PixelArray {
  const { file, pixel: p, dataSet } = parsed;
  const bytes = dataSet.bytes;
  if (p.bitsAllocated === 1) {
    // Bit-packed (PS3.5 8.1.1): frames follow each other without byte alignment.
    const startBit = frame * count;
    if (Math.ceil((startBit + count) / 8) > location.length) {
      throw new InvalidPixelModuleError(`expected ${Math.ceil((startBit + count) / 8)} bytes of 1-bit pixel data; found ${location.length}`, { file });
    }
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const bit = startBit + i;
      out[i] = (bytes[location.offset + (bit >> 3)]! >> (bit & 7)) & 1;
    }
    return out;
  }
  const size = p.bitsAllocated / 8;
  const frameLength = count * size;
  const start = location.offset + frame * frameLength;
  if ((frame + 1) * frameLength > location.length) {
    throw new InvalidPixelModuleError(
      `expected ${(frame + 1) * frameLength} bytes of pixel data for frame ${frame} (${p.rows}x${p.columns}x${p.samplesPerPixel} at ` +
        `${p.bitsAllocated} bits); found ${location.length}`,
      { file },
    );
  }
  let raw = bytes.subarray(start, start + frameLength);
  if (!dataSet.littleEndian && (size > 1 || location.vr === 'OW')) {
    // Explicit VR Big Endian: OW words are byte-swapped (PS3.5 A.3); swap into a copy.
    raw = swapBytes(raw, size > 1 ? size : 2);
  }
  let samples = samplesFromBytes(raw, p);
  if (p.samplesPerPixel === 3 && p.planarConfiguration === 1) samples = interleave(samples, p.rows * p.columns);
  return samples;
}

/** Planar Configuration 1 (RRR...GGG...BBB, PS3.3 C.7.6.3.1.3) to interleaved. */
function interleave(samples: PixelArray, pixels: number): PixelArray {
  const out = new (samples.constructor as new (n: number) => PixelArray)(samples.length);
  for (let i = 0; i < pixels; i++) {
    out[i * 3] = samples[i]!;
    out[i * 3 + 1] = samples[pixels + i]!;
    out[i * 3 + 2] = samples[2 * pixels + i]!;
  }
  return out;
}

/**
 * The compressed bytes of one frame (PS3.5 A.4): one frame = all fragments; else the Basic Offset Table; else one
 * fragment per frame; else a new frame at each fragment that starts a codestream (JPEG SOI FFD8, J2K SOC FF4F).
 */
function frameBytes(parsed: ParsedDicom, offsetTable: Fragment, fragments: Fragment[], frame: number): Uint8Array {
  const { file, pixel: p, dataSet } = parsed;
  const bytes = dataSet.bytes;
  if (fragments.length === 0) throw new PixelDecodeError('expected at least one pixel data fragment; found none', { file });
  let selected: Fragment[];
  if (p.numberOfFrames === 1) {
    selected = fragments;
  } else if (offsetTable.length >= 4 * p.numberOfFrames) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offsetTable.offset, offsetTable.length);
    const first = fragments[0]!.offset - 8;
    const start = first + view.getUint32(frame * 4, true);
    const end = frame + 1 < p.numberOfFrames ? first + view.getUint32((frame + 1) * 4, true) : Infinity;
    selected = fragments.filter((f) => f.offset - 8 >= start && f.offset - 8 < end);
  } else if (fragments.length === p.numberOfFrames) {
    selected = [fragments[frame]!];
  } else {
    const starts = fragments
      .map((f, i) => ({ f, i }))
      .filter(({ f }) => bytes[f.offset] === 0xff && (bytes[f.offset + 1] === 0xd8 || bytes[f.offset + 1] === 0x4f));
    const s = starts[frame];
    if (starts.length !== p.numberOfFrames || !s) {
      throw new PixelDecodeError(
        `expected ${p.numberOfFrames} frames in ${fragments.length} fragments without a Basic Offset Table; cannot tell them apart`,
        { file },
      );
    }
    const next = starts[frame + 1]?.i ?? fragments.length;
    selected = fragments.slice(s.i, next);
  }
  if (selected.length === 0) throw new PixelDecodeError(`expected fragments for frame ${frame}; found none`, { file });
  if (selected.length === 1) return bytes.subarray(selected[0]!.offset, selected[0]!.offset + selected[0]!.length);
  const total = selected.reduce((a, f) => a + f.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const f of selected) {
    out.set(bytes.subarray(f.offset, f.offset + f.length), o);
    o += f.length;
  }
  return out;
}
