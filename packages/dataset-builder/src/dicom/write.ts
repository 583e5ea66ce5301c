/**
 * A small DICOM writer, for the fixture PACS export, the benchmark and tests: elements by keyword, pixels, and a
 * transfer syntax; out come the bytes of a Part 10 file (128-byte preamble, "DICM", File Meta group) or a bare data
 * set.
 *
 * Public API (stable):
 * - `writeDicom(input)`: async, every syntax it can encode: Implicit VR LE, Explicit VR LE, Explicit VR BE,
 *   Deflated Explicit VR LE, RLE Lossless (own encoder, PS3.5 Annex G), JPEG Baseline 8-bit (sharp/libjpeg),
 *   JPEG-LS lossless and near-lossless (CharLS), JPEG 2000 lossless (OpenJPEG, for .4.90 and .4.91).
 * - `writeDicomSync(input)`: the same for the syntaxes that need no async codec (native, deflated, RLE).
 *
 * Elements are named by dictionary keyword (`PatientName`), or by `"ggggeeee:VR"` for any other tag
 * (`"00091001:LO"` for a private element). Values: strings (multi-values as arrays), numbers, typed arrays for
 * OB/OW, arrays of items (records of the same shape) for SQ. The Image Pixel attributes (Rows, Columns, Bits...)
 * are filled in from `pixels` unless given.
 *
 * @example
 * ```ts
 * const bytes = await writeDicom({
 *   transferSyntax: TransferSyntax.ExplicitVRLittleEndian,
 *   elements: { SOPClassUID: SopClass.ComputedRadiography, SOPInstanceUID: '2.25.1', PatientName: 'DOE^JANE',
 *               Modality: 'CR', ViewPosition: 'PA', WindowCenter: 2048, WindowWidth: 4096 },
 *   pixels: { data: new Uint16Array(256 * 320), rows: 320, columns: 256, bitsStored: 12 },
 * });
 * ```
 */
import { deflateRawSync } from 'node:zlib';
import sharp from 'sharp';
import { DicomWriteError } from '../errors.js';
import { encodeJpeg2000 } from './codecs/jpeg2000.js';
import { encodeJpegLs } from './codecs/jpeg-ls.js';
import { bytesOfSamples, frameContext, swapBytes } from './codecs/frame.js';
import type { FrameContext, PixelArray } from './codecs/frame.js';
import { encodeRle } from './codecs/rle.js';
import { ITEM, ITEM_DELIMITATION, LONG_VRS, SEQUENCE_DELIMITATION, Tag, TransferSyntax, lookupKeyword } from './dictionary.js';

/** A value to write; its meaning depends on the element's VR. */
export type DicomValue =
  | string
  | number
  | bigint
  | readonly string[]
  | readonly number[]
  | Uint8Array
  | Uint16Array
  | Int16Array
  | readonly DicomItem[];

/** One data set or sequence item: values by keyword or `"ggggeeee:VR"`. */
export interface DicomItem {
  [keyOrTag: string]: DicomValue | undefined;
}

/** The pixels to write: all frames back to back, samples interleaved. */
export interface WriteDicomPixels {
  data: PixelArray;
  rows: number;
  columns: number;
  /** Default: 8 for Uint8Array/Int8Array, 16 for 16-bit arrays, 32 for 32-bit arrays. */
  bitsAllocated?: number;
  /** Default: bitsAllocated. */
  bitsStored?: number;
  /** Default: bitsStored - 1. */
  highBit?: number;
  /** Default: 1 for Int arrays, else 0. */
  pixelRepresentation?: number;
  samplesPerPixel?: number;
  /** Default: MONOCHROME2 (1 sample), RGB (3 samples). */
  photometricInterpretation?: string;
  /** Default: 1; above 1, NumberOfFrames is written. */
  numberOfFrames?: number;
}

/** What to write. */
export interface WriteDicomInput {
  transferSyntax: string;
  elements?: DicomItem;
  pixels?: WriteDicomPixels;
  /** Default true: 128-byte preamble, "DICM" and the File Meta group. False: a bare data set (native syntaxes). */
  preamble?: boolean;
  /** Write sequences and items with undefined lengths and delimiters (PS3.5 7.5.2) instead of defined lengths. */
  undefinedLengthSequences?: boolean;
  /** JPEG Baseline quality 1..100 (default 90). */
  jpegQuality?: number;
  /** JPEG-LS NEAR parameter for 1.2.840.10008.1.2.4.81 (default 2). */
  nearLossless?: number;
}

/** The implementation identity written in the File Meta group (PS3.7 D.3.3.2: a 2.25 UUID-derived UID). */
export const IMPLEMENTATION_CLASS_UID = '2.25.231385340853318119408711312866785553457';
export const IMPLEMENTATION_VERSION_NAME = 'CXR8_0.1.0';

const TEXT_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);
const NATIVE = new Set<string>([
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.DeflatedExplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
]);

interface Encoding {
  explicit: boolean;
  le: boolean;
  utf8: boolean;
  undefinedLengths: boolean;
}

class ByteSink {
  private chunks: Uint8Array[] = [];
  length = 0;
  push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }
  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

function resolveKey(key: string): { tag: number; vr: string } {
  const m = /^([0-9a-fA-F]{8}):([A-Z]{2})$/.exec(key);
  if (m) return { tag: Number.parseInt(m[1]!, 16) >>> 0, vr: m[2]! };
  const entry = lookupKeyword(key);
  if (!entry) {
    throw new DicomWriteError(`expected a dictionary keyword (e.g. "PatientName") or "ggggeeee:VR"; found "${key}"`);
  }
  return { tag: entry[0], vr: entry[1] };
}

function u16(v: number, le: boolean): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v, le);
  return b;
}

function u32(v: number, le: boolean): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, le);
  return b;
}

function tagBytes(tag: number, le: boolean): Uint8Array {
  const b = new Uint8Array(4);
  const view = new DataView(b.buffer);
  view.setUint16(0, tag >>> 16, le);
  view.setUint16(2, tag & 0xffff, le);
  return b;
}

function encodeText(value: DicomValue, vr: string, utf8: boolean): Uint8Array {
  const s = Array.isArray(value) ? (value as readonly (string | number)[]).map(String).join('\\') : String(value);
  const bytes = Buffer.from(s, utf8 && vr !== 'UI' && vr !== 'CS' ? 'utf8' : 'latin1');
  if (bytes.length % 2 === 0) return bytes;
  const padded = new Uint8Array(bytes.length + 1);
  padded.set(bytes);
  padded[bytes.length] = vr === 'UI' ? 0 : 0x20; // PS3.5 6.2: UI pads with NUL, text with space
  return padded;
}

function encodeBinary(value: DicomValue, vr: string, le: boolean, key: string): Uint8Array {
  if (value instanceof Uint8Array) {
    if (vr === 'OW' && !le) return swapBytes(padEven(value), 2);
    return padEven(value);
  }
  if (value instanceof Uint16Array || value instanceof Int16Array) {
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    return le ? bytes.slice() : swapBytes(bytes, 2);
  }
  const numbers = (Array.isArray(value) ? value : [value]) as readonly (number | string)[];
  const size = vr === 'US' || vr === 'SS' || vr === 'OW' ? 2 : vr === 'FD' || vr === 'OD' ? 8 : 4;
  const out = new Uint8Array(numbers.length * size);
  const view = new DataView(out.buffer);
  numbers.forEach((raw, i) => {
    const v = Number(raw);
    if (!Number.isFinite(v)) throw new DicomWriteError(`${key}: expected numbers for VR ${vr}; found ${String(raw)}`);
    const o = i * size;
    switch (vr) {
      case 'US':
      case 'OW':
        view.setUint16(o, v, le);
        break;
      case 'SS':
        view.setInt16(o, v, le);
        break;
      case 'UL':
      case 'OL':
        view.setUint32(o, v, le);
        break;
      case 'SL':
        view.setInt32(o, v, le);
        break;
      case 'AT':
        view.setUint16(o, v >>> 16, le);
        view.setUint16(o + 2, v & 0xffff, le);
        break;
      case 'FL':
      case 'OF':
        view.setFloat32(o, v, le);
        break;
      case 'FD':
      case 'OD':
        view.setFloat64(o, v, le);
        break;
      default:
        throw new DicomWriteError(`${key}: cannot write a number as VR ${vr}`);
    }
  });
  return out;
}

function padEven(b: Uint8Array): Uint8Array {
  if (b.length % 2 === 0) return b;
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

function elementHeader(tag: number, vr: string, length: number, enc: Encoding): Uint8Array {
  const sink = new ByteSink();
  sink.push(tagBytes(tag, enc.le));
  if (!enc.explicit) {
    sink.push(u32(length, enc.le));
  } else if (LONG_VRS.has(vr)) {
    sink.push(Buffer.from(vr, 'latin1'));
    sink.push(new Uint8Array(2));
    sink.push(u32(length, enc.le));
  } else {
    if (length > 0xffff) throw new DicomWriteError(`${vr} value of ${length} bytes exceeds the 16-bit length of its VR`);
    sink.push(Buffer.from(vr, 'latin1'));
    sink.push(u16(length, enc.le));
  }
  return sink.concat();
}

function encodeItems(items: readonly DicomItem[], enc: Encoding): Uint8Array {
  const sink = new ByteSink();
  for (const item of items) {
    const body = encodeDataSet(item, enc);
    sink.push(tagBytes(ITEM, enc.le));
    sink.push(u32(enc.undefinedLengths ? 0xffffffff : body.length, enc.le));
    sink.push(body);
    if (enc.undefinedLengths) {
      sink.push(tagBytes(ITEM_DELIMITATION, enc.le));
      sink.push(u32(0, enc.le));
    }
  }
  return sink.concat();
}

function encodeDataSet(item: DicomItem, enc: Encoding): Uint8Array {
  const entries = Object.entries(item)
    .filter((e): e is [string, DicomValue] => e[1] !== undefined)
    .map(([key, value]) => ({ key, value, ...resolveKey(key) }))
    .sort((a, b) => a.tag - b.tag);
  const sink = new ByteSink();
  for (const { key, value, tag, vr } of entries) {
    if (vr === 'SQ') {
      if (!Array.isArray(value)) throw new DicomWriteError(`${key}: expected an array of items for a sequence`);
      const body = encodeItems(value as readonly DicomItem[], enc);
      if (enc.undefinedLengths) {
        sink.push(elementHeader(tag, vr, 0xffffffff, enc));
        sink.push(body);
        sink.push(tagBytes(SEQUENCE_DELIMITATION, enc.le));
        sink.push(u32(0, enc.le));
      } else {
        sink.push(elementHeader(tag, vr, body.length, enc));
        sink.push(body);
      }
      continue;
    }
    const bytes = TEXT_VRS.has(vr) ? encodeText(value, vr, enc.utf8) : encodeBinary(value, vr, enc.le, key);
    sink.push(elementHeader(tag, vr, bytes.length, enc));
    sink.push(bytes);
  }
  return sink.concat();
}

function pixelDefaults(p: WriteDicomPixels): Required<WriteDicomPixels> {
  const size = p.data.BYTES_PER_ELEMENT;
  const bitsAllocated = p.bitsAllocated ?? size * 8;
  const bitsStored = p.bitsStored ?? bitsAllocated;
  const samplesPerPixel = p.samplesPerPixel ?? 1;
  const signed = p.data instanceof Int8Array || p.data instanceof Int16Array || p.data instanceof Int32Array;
  return {
    data: p.data,
    rows: p.rows,
    columns: p.columns,
    bitsAllocated,
    bitsStored,
    highBit: p.highBit ?? bitsStored - 1,
    pixelRepresentation: p.pixelRepresentation ?? (signed ? 1 : 0),
    samplesPerPixel,
    photometricInterpretation: p.photometricInterpretation ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2'),
    numberOfFrames: p.numberOfFrames ?? 1,
  };
}

function frameOf(p: Required<WriteDicomPixels>, i: number): PixelArray {
  const n = p.rows * p.columns * p.samplesPerPixel;
  return p.data.subarray(i * n, (i + 1) * n);
}

/** Encapsulated Pixel Data (PS3.5 A.4): Basic Offset Table with one offset per frame, one fragment per frame. */
function encapsulate(frames: Uint8Array[]): Uint8Array {
  const sink = new ByteSink();
  sink.push(tagBytes(Tag.PixelData, true));
  sink.push(Buffer.from('OB', 'latin1'));
  sink.push(new Uint8Array(2));
  sink.push(u32(0xffffffff, true));
  sink.push(tagBytes(ITEM, true));
  sink.push(u32(frames.length * 4, true));
  let offset = 0;
  const padded = frames.map(padEven);
  for (const f of padded) {
    sink.push(u32(offset, true));
    offset += 8 + f.length;
  }
  for (const f of padded) {
    sink.push(tagBytes(ITEM, true));
    sink.push(u32(f.length, true));
    sink.push(f);
  }
  sink.push(tagBytes(SEQUENCE_DELIMITATION, true));
  sink.push(u32(0, true));
  return sink.concat();
}

async function encodeFrames(input: WriteDicomInput, p: Required<WriteDicomPixels>): Promise<Uint8Array[] | undefined> {
  const ts = input.transferSyntax;
  const ctx = frameContext('(writeDicom)', p);
  const frames = Array.from({ length: p.numberOfFrames }, (_, i) => frameOf(p, i));
  switch (ts) {
    case TransferSyntax.RLELossless:
      return frames.map((f) => encodeRle(f, ctx));
    case TransferSyntax.JPEGBaseline8Bit: {
      if (p.bitsAllocated !== 8) throw new DicomWriteError(`JPEG Baseline needs 8-bit pixels; found ${p.bitsAllocated}-bit`);
      const quality = input.jpegQuality ?? 90;
      return Promise.all(
        frames.map(async (f) => {
          const channels = p.samplesPerPixel as 1 | 3;
          let image = sharp(bytesOfSamples(f), { raw: { width: p.columns, height: p.rows, channels } });
          if (channels === 1) image = image.toColourspace('b-w');
          const jpeg = await image.jpeg({ quality, chromaSubsampling: '4:4:4' }).toBuffer();
          return new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
        }),
      );
    }
    case TransferSyntax.JPEGLSLossless:
      return Promise.all(frames.map((f) => encodeJpegLs(f, ctx, 0)));
    case TransferSyntax.JPEGLSNearLossless:
      return Promise.all(frames.map((f) => encodeJpegLs(f, ctx, input.nearLossless ?? 2)));
    case TransferSyntax.JPEG2000Lossless:
    case TransferSyntax.JPEG2000:
      return Promise.all(frames.map((f) => encodeJpeg2000(f, ctx)));
    default:
      if (NATIVE.has(ts)) return undefined;
      throw new DicomWriteError(
        `cannot encode transfer syntax ${ts}: expected native (.1.2, .1.2.1, .1.2.1.99, .1.2.2), RLE (.1.2.5), ` +
          `JPEG Baseline (.4.50), JPEG-LS (.4.80, .4.81) or JPEG 2000 (.4.90, .4.91)`,
      );
  }
}

function assemble(input: WriteDicomInput, encapsulatedFrames: Uint8Array[] | undefined): Uint8Array {
  const ts = input.transferSyntax;
  const elements: DicomItem = { ...(input.elements ?? {}) };
  const specific = elements['SpecificCharacterSet'];
  const enc: Encoding = {
    explicit: ts !== TransferSyntax.ImplicitVRLittleEndian,
    le: ts !== TransferSyntax.ExplicitVRBigEndian,
    utf8: typeof specific === 'string' && specific.includes('192'),
    undefinedLengths: input.undefinedLengthSequences ?? false,
  };
  let pixelBytes: Uint8Array | undefined;
  if (input.pixels) {
    const p = pixelDefaults(input.pixels);
    const expected = p.rows * p.columns * p.samplesPerPixel * p.numberOfFrames;
    if (p.data.length !== expected) {
      throw new DicomWriteError(
        `expected ${expected} samples (${p.rows}x${p.columns}x${p.samplesPerPixel} x ${p.numberOfFrames} frames); found ${p.data.length}`,
      );
    }
    const defaults: DicomItem = {
      SamplesPerPixel: p.samplesPerPixel,
      PhotometricInterpretation: p.photometricInterpretation,
      Rows: p.rows,
      Columns: p.columns,
      BitsAllocated: p.bitsAllocated,
      BitsStored: p.bitsStored,
      HighBit: p.highBit,
      PixelRepresentation: p.pixelRepresentation,
      ...(p.samplesPerPixel > 1 ? { PlanarConfiguration: 0 } : {}),
      ...(p.numberOfFrames > 1 ? { NumberOfFrames: p.numberOfFrames } : {}),
    };
    for (const [k, v] of Object.entries(defaults)) if (elements[k] === undefined) elements[k] = v;
    if (encapsulatedFrames) {
      pixelBytes = encapsulate(encapsulatedFrames);
    } else {
      const raw = bytesOfSamples(p.data);
      const vr = p.bitsAllocated > 8 ? 'OW' : 'OB';
      const value = enc.le || vr === 'OB' ? padEven(raw) : p.bitsAllocated === 32 ? swapBytes(raw, 4) : swapBytes(padEven(raw), 2);
      pixelBytes = new Uint8Array(0);
      const header = elementHeader(Tag.PixelData, vr, value.length, enc);
      pixelBytes = new Uint8Array(header.length + value.length);
      pixelBytes.set(header);
      pixelBytes.set(value, header.length);
    }
  }
  delete elements['PixelData'];
  const body = encodeDataSet(elements, enc);
  let dataSet = pixelBytes ? concat([body, pixelBytes]) : body;
  if (ts === TransferSyntax.DeflatedExplicitVRLittleEndian) dataSet = deflateRawSync(dataSet, { level: 6 });
  if (input.preamble === false) return dataSet;

  const sopClass = elements['SOPClassUID'];
  const sopInstance = elements['SOPInstanceUID'];
  const metaEnc: Encoding = { explicit: true, le: true, utf8: false, undefinedLengths: false };
  const metaBody = encodeDataSet(
    {
      FileMetaInformationVersion: Uint8Array.of(0, 1),
      MediaStorageSOPClassUID: typeof sopClass === 'string' ? sopClass : '',
      MediaStorageSOPInstanceUID: typeof sopInstance === 'string' ? sopInstance : '',
      TransferSyntaxUID: ts,
      ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
      ImplementationVersionName: IMPLEMENTATION_VERSION_NAME,
    },
    metaEnc,
  );
  const groupLength = encodeDataSet({ FileMetaInformationGroupLength: metaBody.length }, metaEnc);
  const preamble = new Uint8Array(132);
  preamble.set(Buffer.from('DICM', 'latin1'), 128);
  return concat([preamble, groupLength, metaBody, dataSet]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Writes a DICOM file in any transfer syntax this module encodes (see the file comment).
 *
 * @example
 * ```ts
 * const bytes = await writeDicom({ transferSyntax: TransferSyntax.JPEGLSLossless, elements, pixels });
 * await writeFile('IM0001', bytes);
 * ```
 */
export async function writeDicom(input: WriteDicomInput): Promise<Uint8Array> {
  const frames = input.pixels ? await encodeFrames(input, pixelDefaults(input.pixels)) : undefined;
  return assemble(input, frames);
}

/**
 * Writes a DICOM file synchronously: native syntaxes, Deflated and RLE only.
 *
 * @example
 * ```ts
 * const bytes = writeDicomSync({ transferSyntax: TransferSyntax.ImplicitVRLittleEndian, elements, pixels });
 * ```
 */
export function writeDicomSync(input: WriteDicomInput): Uint8Array {
  const ts = input.transferSyntax;
  if (!NATIVE.has(ts) && ts !== TransferSyntax.RLELossless) {
    throw new DicomWriteError(`writeDicomSync writes native and RLE syntaxes only; use writeDicom for ${ts}`);
  }
  let frames: Uint8Array[] | undefined;
  if (input.pixels && ts === TransferSyntax.RLELossless) {
    const p = pixelDefaults(input.pixels);
    const ctx: FrameContext = { file: '(writeDicom)', ...p };
    frames = Array.from({ length: p.numberOfFrames }, (_, i) => encodeRle(frameOf(p, i), ctx));
  }
  return assemble(input, frames);
}
