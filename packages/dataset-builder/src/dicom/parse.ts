/**
 * DICOM Part 10 parsing: bytes in, a typed header and an element index out. No pixel decoding happens here (see
 * `decode.ts`); the pixel data is located (native bytes or encapsulated fragments) but not copied.
 *
 * Public API (stable):
 * - `isDicom(head)`: does this look like DICOM? (128-byte preamble + "DICM", or a bare data set)
 * - `parseDicom(bytes, file, options?)`: a `ParsedDicom` with `header` (what selection, de-identification and the
 *   database need), `pixel` (the Image Pixel, Modality LUT, VOI LUT and Presentation modules that rendering needs),
 *   `dataSet` (every element, read lazily by tag) and `pixelData` (where the pixels are).
 * - `DicomDataSet`: typed accessors (`string`, `number`, `numbers`, `sequence`, `bytes`) over the parsed elements.
 *
 * Encodings (PS3.5 section 7 and Annex A): Implicit VR Little Endian, Explicit VR Little Endian, Explicit VR Big
 * Endian, Deflated Explicit VR Little Endian (the data set after the File Meta group is raw-deflated, A.5), and every
 * encapsulated syntax (Explicit VR Little Endian with an undefined-length Pixel Data of fragments, A.4). A file whose
 * Transfer Syntax is unknown is parsed as Explicit VR Little Endian (as every standard encapsulated syntax is); only
 * `decodeFrame` refuses it with `UnsupportedTransferSyntaxError`.
 *
 * @example
 * ```ts
 * const bytes = await readFile('IM0001');
 * if (isDicom(bytes)) {
 *   const parsed = parseDicom(bytes, 'IM0001');
 *   parsed.header.modality; // 'CR'
 * }
 * ```
 */
import { inflateRawSync } from 'node:zlib';
import { DicomError, MalformedDicomError, NotDicomError, TruncatedDicomError, thrownText } from '../errors.js';
import {
  ALL_VRS,
  ITEM,
  ITEM_DELIMITATION,
  LONG_VRS,
  SEQUENCE_DELIMITATION,
  SopClass,
  Tag,
  TransferSyntax,
  formatTag,
  vrOf,
} from './dictionary.js';

/** One fragment of encapsulated pixel data: its offset and length in `DicomDataSet.bytes`. */
export interface Fragment {
  offset: number;
  length: number;
}

/** One element: its tag, VR, and where its value lies in the data set's bytes. */
export interface DicomElement {
  tag: number;
  vr: string;
  offset: number;
  /** Value length in bytes; for undefined-length sequences and encapsulated pixel data, the bytes up to the delimiter. */
  length: number;
  /** The items of a sequence (SQ, or UN/unknown holding items). */
  items?: DicomDataSet[];
  /** Encapsulated pixel data (PS3.5 A.4): the Basic Offset Table item, then the fragments. */
  offsetTable?: Fragment;
  fragments?: Fragment[];
}

/** Text decoding for string values: Latin-1 by default, UTF-8 when Specific Character Set says ISO_IR 192. */
export type Charset = 'latin1' | 'utf8';

/**
 * A parsed data set (or sequence item): elements by tag over shared bytes, with typed accessors.
 *
 * @example
 * ```ts
 * parsed.dataSet.string(Tag.PatientID); // 'MRN-000123'
 * parsed.dataSet.numbers(Tag.WindowCenter); // [2048, 1024]
 * ```
 */
export class DicomDataSet {
  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
    readonly elements: Map<number, DicomElement>,
    readonly charset: Charset,
  ) {}

  has(tag: number): boolean {
    return this.elements.has(tag);
  }

  /** The raw value bytes of an element (a view, not a copy). */
  bytesOf(tag: number): Uint8Array | undefined {
    const e = this.elements.get(tag);
    return e ? this.bytes.subarray(e.offset, e.offset + e.length) : undefined;
  }

  /** A string value with trailing padding (spaces, NULs) and leading spaces removed; multi-values keep the "\". */
  string(tag: number): string | undefined {
    const e = this.elements.get(tag);
    if (!e || e.items || e.fragments) return undefined;
    return decodeString(this.bytes, e.offset, e.length, e.vr, this.charset);
  }

  /** The values of a multi-valued string element, split on "\" and trimmed. */
  strings(tag: number): string[] {
    const s = this.string(tag);
    return s === undefined || s === '' ? [] : s.split('\\').map((v) => v.trim());
  }

  /** The first numeric value (binary VRs US/SS/UL/SL/FL/FD/OW, or text VRs DS/IS), or undefined. */
  number(tag: number): number | undefined {
    return this.numbers(tag)[0];
  }

  /** Every numeric value of an element; NaN-valued text entries are dropped. */
  numbers(tag: number): number[] {
    const e = this.elements.get(tag);
    if (!e || e.items || e.fragments) return [];
    return readNumbers(this.bytes, e, this.littleEndian, this.charset);
  }

  /** The items of a sequence, or [] when absent. */
  sequence(tag: number): DicomDataSet[] {
    return this.elements.get(tag)?.items ?? [];
  }

  /** Binary 16-bit values as a typed array (for LUT Data, OW); copies, honouring the byte order. */
  uint16s(tag: number): Uint16Array | undefined {
    const e = this.elements.get(tag);
    if (!e || e.items || e.fragments) return undefined;
    const n = e.length >> 1;
    const out = new Uint16Array(n);
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + e.offset, n * 2);
    for (let i = 0; i < n; i++) out[i] = view.getUint16(i * 2, this.littleEndian);
    return out;
  }
}

/** What the rest of the builder needs from a header; strings are '' when absent, numbers 0 unless said. */
export interface DicomHeader {
  sopInstanceUid: string;
  sopClassUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  accessionNumber: string;
  patientId: string;
  patientName: string;
  patientBirthDate: string;
  patientSex: string;
  patientAge: string;
  studyDate: string;
  studyTime: string;
  /** Series Number (0020,0011), when present: orders the images of one study. */
  seriesNumber?: number;
  /** Instance Number (0020,0013), when present. */
  instanceNumber?: number;
  /**
   * When the image was taken: Acquisition DateTime (0008,002A), else Acquisition Date + Time, else Content Date +
   * Time, as one DT-like string ('' when none).
   */
  acquisitionDateTime: string;
  modality: string;
  bodyPartExamined: string;
  viewPosition: string;
  /** Code Meanings of the View Code Sequence (0054,0220) items, e.g. ["postero-anterior"]. */
  viewCodeMeanings: string[];
  imageLaterality: string;
  /** Image Type (0008,0008) values, upper case, e.g. ["ORIGINAL", "PRIMARY"] or ["DERIVED", "SECONDARY"]. */
  imageType: string[];
  /** Burned In Annotation (0028,0301), upper case: "YES", "NO" or '' when absent. */
  burnedInAnnotation: string;
  /** Referenced SOP Class UIDs of the Source Image Sequence (0008,2112): what a derived image was made from. */
  sourceSopClassUids: string[];
  seriesDescription: string;
  studyDescription: string;
  protocolName: string;
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  pixelRepresentation: number;
  samplesPerPixel: number;
  photometricInterpretation: string;
  /** 1 when Number of Frames is absent. */
  numberOfFrames: number;
  /** Pixel Spacing (0028,0030) [row, column] in mm, when present. */
  pixelSpacing?: [number, number];
  /** Imager Pixel Spacing (0018,1164) [row, column] in mm, when present. */
  imagerPixelSpacing?: [number, number];
  transferSyntaxUid: string;
  hasPixelData: boolean;
  /** A Media Storage Directory (DICOMDIR): its SOP Class, or a Directory Record Sequence. */
  isDicomDir: boolean;
  /**
   * For an SR document: every Text Value (0040,A160) of the Content Sequence tree, depth first, joined with blank
   * lines; prefixed by the Concept Name's meaning ("Findings: ...") when the item has one.
   */
  srText?: string;
  /**
   * Identifiers of the header beyond the patient's name and id and the accession number, that report text may quote:
   * names (Other Patient Names, Referring, Performing, Reading, Requesting physicians, Physicians of Record,
   * Operators), ids (Other Patient IDs and their sequence, Study ID), institutions (Institution Name), other
   * (Patient's and Institution Address, Patient's Telephone Numbers). For the report scrubber only (src/scrub.ts).
   */
  textIdentifiers: { names: string[]; ids: string[]; institutions: string[]; other: string[] };
}

/** A LUT (PS3.3 C.11.1.1 Modality LUT, C.11.2.1.1 VOI LUT): first stored value mapped, bits per entry, entries. */
export interface DicomLut {
  firstMapped: number;
  bits: number;
  data: Uint16Array;
  explanation: string;
}

/** A window of the VOI LUT module (PS3.3 C.11.2.1.2). */
export interface DicomWindow {
  center: number;
  width: number;
  explanation: string;
}

/** The attributes of the Image Pixel (C.7.6.3), Modality LUT (C.11.1), VOI LUT (C.11.2) and Presentation modules. */
export interface PixelModule {
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement (PS3.3 C.7.6.3.1). */
  pixelRepresentation: number;
  samplesPerPixel: number;
  planarConfiguration: number;
  photometricInterpretation: string;
  numberOfFrames: number;
  rescaleSlope: number;
  rescaleIntercept: number;
  modalityLut?: DicomLut;
  windows: DicomWindow[];
  /** VOI LUT Function (0028,1056): LINEAR (default), LINEAR_EXACT or SIGMOID. */
  voiLutFunction: string;
  voiLuts: DicomLut[];
  /** Presentation LUT Shape (2050,0020): IDENTITY, INVERSE or ''. */
  presentationLutShape: string;
  pixelPaddingValue?: number;
}

/** Where the pixels are: native bytes (all frames back to back) or encapsulated fragments (PS3.5 A.4). */
export type PixelDataLocation =
  | { kind: 'native'; offset: number; length: number; vr: string }
  | { kind: 'encapsulated'; offsetTable: Fragment; fragments: Fragment[] };

/** The result of `parseDicom`. */
export interface ParsedDicom {
  file: string;
  header: DicomHeader;
  pixel: PixelModule;
  /** The main data set (after the File Meta group). Its bytes are the inflated ones for Deflated syntax. */
  dataSet: DicomDataSet;
  /** The File Meta Information group (0002), when the file has one. */
  meta?: DicomDataSet;
  /** Absent when the data set has no Pixel Data or parsing stopped before it. */
  pixelData?: PixelDataLocation;
}

/** Options of `parseDicom`. */
export interface ParseOptions {
  /**
   * Stop at Pixel Data (7FE0,0010) without reading it: for scanning headers from the first bytes of a file.
   * `header.hasPixelData` still says whether it was there; `pixelData` is left undefined. A head cut before the
   * Pixel Data tag throws `TruncatedDicomError` as a cut file would: read more and parse again.
   */
  stopAtPixelData?: boolean;
}

const DICM = [0x44, 0x49, 0x43, 0x4d];
const MAX_DEPTH = 32;

/**
 * Whether bytes look like DICOM: "DICM" after a 128-byte preamble (PS3.10 7.1), or a bare data set (no preamble)
 * whose first element is a plausible group 0002 or 0008 element in implicit or explicit VR, either byte order.
 * Pass at least the first 132 bytes.
 *
 * @example
 * ```ts
 * isDicom(await readHead('IM0001', 256)); // true
 * isDicom(Buffer.from('PK\x03\x04...')); // false
 * ```
 */
export function isDicom(head: Uint8Array): boolean {
  if (head.length >= 132 && DICM.every((b, i) => head[128 + i] === b)) return true;
  return guessBareEncoding(head) !== undefined;
}

interface Encoding {
  explicit: boolean;
  littleEndian: boolean;
}

/** Recognises a data set without preamble by its first element (group 0002 or 0008, a small element number). */
function guessBareEncoding(head: Uint8Array): Encoding | undefined {
  if (head.length < 8) return undefined;
  const g0 = head[0]! | (head[1]! << 8);
  const e0 = head[2]! | (head[3]! << 8);
  const vr = String.fromCharCode(head[4]!, head[5]!);
  if ((g0 === 0x0008 || g0 === 0x0002) && e0 < 0x2000) {
    if (ALL_VRS.has(vr)) return { explicit: true, littleEndian: true };
    const length = (head[4]! | (head[5]! << 8) | (head[6]! << 16) | (head[7]! << 24)) >>> 0;
    // Implicit VR: a plausible length for an early header element (SpecificCharacterSet, ImageType, group length).
    if (length > 0 && length < 1024 && length % 2 === 0) return { explicit: false, littleEndian: true };
    return undefined;
  }
  const gBE = (head[0]! << 8) | head[1]!;
  const eBE = (head[2]! << 8) | head[3]!;
  if (gBE === 0x0008 && eBE < 0x2000 && ALL_VRS.has(vr)) return { explicit: true, littleEndian: false };
  return undefined;
}

/**
 * The SOP Instance UID of the File Meta group (0002,0003), read without the data set: it names the instance of a
 * file whose data set cannot be parsed (truncated or damaged after the meta group), so that such a file can be told
 * apart as a copy of an instance another file holds whole. Undefined when there is no readable meta group.
 *
 * @example
 * ```ts
 * peekSopInstanceUid(truncatedBytes); // '2.25.1234567890.1.1.1'
 * ```
 */
export function peekSopInstanceUid(bytes: Uint8Array): string | undefined {
  if (!(bytes.length >= 132 && DICM.every((b, i) => bytes[128 + i] === b))) return undefined;
  try {
    const reader = new Reader(bytes, 'meta', true, true, 'latin1', {});
    const meta = reader.readElements(132, bytes.length, 0, (tag) => tag >>> 16 !== 0x0002);
    const uid = new DicomDataSet(bytes, true, meta.elements, 'latin1').string(Tag.MediaStorageSOPInstanceUID) ?? '';
    return /^[0-9.]{1,64}$/.test(uid) ? uid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses a DICOM file (Part 10 with preamble, or a bare data set). Throws `NotDicomError`, `TruncatedDicomError`
 * or `MalformedDicomError` naming `file`. Does not throw for files without pixel data (SR, DICOMDIR): their
 * `header.hasPixelData` is false.
 *
 * @example
 * ```ts
 * const parsed = parseDicom(await readFile(path), path);
 * const { rows, columns, transferSyntaxUid } = parsed.header;
 * ```
 */
export function parseDicom(bytes: Uint8Array, file: string, options: ParseOptions = {}): ParsedDicom {
  try {
    return parseDicomBytes(bytes, file, options);
  } catch (cause) {
    if (cause instanceof DicomError) throw cause;
    // A JavaScript error from data the reader did not foresee (a bug to fix, but never a raw message in a reason).
    const why = thrownText(cause);
    throw new MalformedDicomError(
      `expected a data set encoded as PS3.5 describes; found ${bytes.length} bytes the reader cannot walk${why ? ` (${why})` : ''}`,
      { file, cause },
    );
  }
}

function parseDicomBytes(bytes: Uint8Array, file: string, options: ParseOptions): ParsedDicom {
  let pos = 0;
  let meta: DicomDataSet | undefined;
  let transferSyntaxUid = '';
  let encoding: Encoding;
  const hasPreamble = bytes.length >= 132 && DICM.every((b, i) => bytes[128 + i] === b);
  if (hasPreamble) pos = 132;
  const startsWithMeta = bytes.length >= pos + 8 && bytes[pos] === 0x02 && bytes[pos + 1] === 0x00;
  if (hasPreamble || startsWithMeta) {
    // File Meta Information: always Explicit VR Little Endian (PS3.10 7.1).
    const reader = new Reader(bytes, file, true, true, 'latin1', options);
    const metaElements = reader.readElements(pos, bytes.length, 0, (tag) => tag >>> 16 !== 0x0002);
    meta = new DicomDataSet(bytes, true, metaElements.elements, 'latin1');
    pos = metaElements.end;
    transferSyntaxUid = meta.string(Tag.TransferSyntaxUID) ?? '';
    encoding = encodingOf(transferSyntaxUid);
  } else {
    const guessed = guessBareEncoding(bytes);
    if (!guessed) {
      throw new NotDicomError(
        `expected "DICM" at byte 128 or a bare data set starting with a group 0008 element; found ${describeHead(bytes)}`,
        { file },
      );
    }
    encoding = guessed;
    transferSyntaxUid = !guessed.explicit
      ? TransferSyntax.ImplicitVRLittleEndian
      : guessed.littleEndian
        ? TransferSyntax.ExplicitVRLittleEndian
        : TransferSyntax.ExplicitVRBigEndian;
  }

  let dataBytes = bytes;
  let dataStart = pos;
  if (transferSyntaxUid === TransferSyntax.DeflatedExplicitVRLittleEndian) {
    try {
      dataBytes = inflateRawSync(bytes.subarray(pos));
    } catch (cause) {
      throw new TruncatedDicomError(`expected a raw-deflated data set after the File Meta group; inflating failed`, {
        file,
        cause,
      });
    }
    dataStart = 0;
  }
  // Some writers declare Explicit VR Little Endian and write Implicit VR: when the first element has no valid VR
  // where one must be, read the data set as Implicit VR Little Endian (as dcmtk and pydicom do).
  if (encoding.explicit && encoding.littleEndian && dataBytes.length >= dataStart + 8) {
    const vr = String.fromCharCode(dataBytes[dataStart + 4]!, dataBytes[dataStart + 5]!);
    if (!ALL_VRS.has(vr)) encoding = { explicit: false, littleEndian: true };
  }
  // Specific Character Set is needed before decoding strings; peek at it with a latin1 pass, then re-tag.
  const reader = new Reader(dataBytes, file, encoding.explicit, encoding.littleEndian, 'latin1', options);
  const { elements, stoppedAtPixelData } = reader.readTop(dataStart);
  let dataSet = new DicomDataSet(dataBytes, encoding.littleEndian, elements, 'latin1');
  const charset = charsetOf(dataSet.string(Tag.SpecificCharacterSet) ?? '');
  if (charset !== 'latin1') dataSet = withCharset(dataSet, charset);

  const pixelElement = elements.get(Tag.PixelData);
  let pixelData: PixelDataLocation | undefined;
  if (pixelElement?.fragments && pixelElement.offsetTable) {
    pixelData = { kind: 'encapsulated', offsetTable: pixelElement.offsetTable, fragments: pixelElement.fragments };
  } else if (pixelElement) {
    pixelData = { kind: 'native', offset: pixelElement.offset, length: pixelElement.length, vr: pixelElement.vr };
  }
  const header = headerOfDataSet(dataSet, meta, transferSyntaxUid, pixelElement !== undefined || stoppedAtPixelData);
  return { file, header, pixel: readPixelModule(dataSet), dataSet, ...(meta ? { meta } : {}), ...(pixelData ? { pixelData } : {}) };
}

function describeHead(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'an empty file';
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `${bytes.length} bytes starting ${head}`;
}

function encodingOf(uid: string): Encoding {
  if (uid === TransferSyntax.ImplicitVRLittleEndian) return { explicit: false, littleEndian: true };
  if (uid === TransferSyntax.ExplicitVRBigEndian) return { explicit: true, littleEndian: false };
  return { explicit: true, littleEndian: true };
}

function charsetOf(specific: string): Charset {
  return /ISO_IR 192|ISO 2022 IR 192/i.test(specific) ? 'utf8' : 'latin1';
}

function withCharset(ds: DicomDataSet, charset: Charset): DicomDataSet {
  const elements = new Map<number, DicomElement>();
  for (const [tag, e] of ds.elements) {
    elements.set(tag, e.items ? { ...e, items: e.items.map((item) => withCharset(item, charset)) } : e);
  }
  return new DicomDataSet(ds.bytes, ds.littleEndian, elements, charset);
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

function decodeString(bytes: Uint8Array, offset: number, length: number, vr: string, charset: Charset): string {
  const raw = bytes.subarray(offset, offset + length);
  let s = (charset === 'utf8' && vr !== 'UI' && vr !== 'CS' ? utf8 : latin1).decode(raw);
  // Trailing padding: space for text VRs, NUL for UI (PS3.5 6.2); leading spaces are insignificant except LT/ST/UT.
  s = s.replace(/[\0 ]+$/, '');
  return vr === 'LT' || vr === 'ST' || vr === 'UT' ? s : s.replace(/^ +/, '');
}

function readNumbers(bytes: Uint8Array, e: DicomElement, le: boolean, charset: Charset): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset + e.offset, e.length);
  const out: number[] = [];
  const each = (size: number, get: (o: number) => number) => {
    for (let o = 0; o + size <= e.length; o += size) out.push(get(o));
  };
  switch (e.vr) {
    case 'US':
    case 'OW':
      each(2, (o) => view.getUint16(o, le));
      break;
    case 'SS':
      each(2, (o) => view.getInt16(o, le));
      break;
    case 'UL':
    case 'OL':
      each(4, (o) => view.getUint32(o, le));
      break;
    case 'SL':
      each(4, (o) => view.getInt32(o, le));
      break;
    case 'FL':
    case 'OF':
      each(4, (o) => view.getFloat32(o, le));
      break;
    case 'FD':
    case 'OD':
      each(8, (o) => view.getFloat64(o, le));
      break;
    default: {
      const s = decodeString(bytes, e.offset, e.length, e.vr, charset);
      for (const part of s.split('\\')) {
        const n = Number.parseFloat(part.trim());
        if (Number.isFinite(n)) out.push(n);
      }
    }
  }
  return out;
}

class Reader {
  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
    readonly explicit: boolean,
    readonly le: boolean,
    readonly charset: Charset,
    readonly options: ParseOptions,
  ) {}

  private u16(o: number): number {
    const b = this.bytes;
    return this.le ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!;
  }

  private u32(o: number): number {
    const b = this.bytes;
    return this.le
      ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
      : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  }

  private truncated(what: string, at: number, need: number): never {
    throw new TruncatedDicomError(
      `expected ${need} more bytes for ${what} at byte ${at}; the file has ${this.bytes.length - at} left`,
      { file: this.file },
    );
  }

  readTop(start: number): { elements: Map<number, DicomElement>; stoppedAtPixelData: boolean } {
    let stopped = false;
    const result = this.readElements(start, this.bytes.length, 0, (tag) => {
      if (tag === Tag.PixelData && this.options.stopAtPixelData) {
        stopped = true;
        return true;
      }
      return false;
    });
    return { elements: result.elements, stoppedAtPixelData: stopped };
  }

  /**
   * Reads elements from `start` until `end`, an Item Delimitation (returned past it), or `stopBefore(tag)`.
   */
  readElements(
    start: number,
    end: number,
    depth: number,
    stopBefore?: (tag: number) => boolean,
  ): { elements: Map<number, DicomElement>; end: number } {
    if (depth > MAX_DEPTH) {
      throw new MalformedDicomError(`expected sequences nested at most ${MAX_DEPTH} deep; found deeper`, {
        file: this.file,
      });
    }
    const elements = new Map<number, DicomElement>();
    let pos = start;
    while (pos < end) {
      if (pos + 4 <= end && stopBefore?.(this.u32At(pos))) return { elements, end: pos };
      if (pos + 8 > end) {
        // Some writers pad the end of a file with a few zero bytes; anything else is a cut.
        if (depth === 0 && this.bytes.subarray(pos, end).every((b) => b === 0)) return { elements, end };
        this.truncated('an element header', pos, 8);
      }
      const tag = this.u32At(pos);
      if (tag === ITEM_DELIMITATION) return { elements, end: pos + 8 };
      let vr: string;
      let length: number;
      let valueStart: number;
      if (this.explicit && tag >>> 16 !== 0xfffe) {
        vr = String.fromCharCode(this.bytes[pos + 4]!, this.bytes[pos + 5]!);
        if (!ALL_VRS.has(vr)) {
          throw new MalformedDicomError(
            `expected an explicit VR for ${formatTag(tag)} at byte ${pos + 4}; found bytes ${this.bytes[pos + 4]} ${this.bytes[pos + 5]}`,
            { file: this.file },
          );
        }
        if (LONG_VRS.has(vr)) {
          if (pos + 12 > end) this.truncated(`the header of ${formatTag(tag)}`, pos, 12);
          length = this.u32(pos + 8);
          valueStart = pos + 12;
        } else {
          length = this.u16(pos + 6);
          valueStart = pos + 8;
        }
      } else {
        vr = vrOf(tag);
        length = this.u32(pos + 4);
        valueStart = pos + 8;
      }
      if (length === 0xffffffff) {
        if (tag === Tag.PixelData) {
          const { element, next } = this.readEncapsulated(tag, vr, valueStart, end);
          elements.set(tag, element);
          pos = next;
        } else {
          // Undefined length: a sequence (SQ, or UN holding Implicit VR LE items, PS3.5 6.2.2).
          const sub = vr === 'UN' && this.explicit ? this.withEncoding(false, true) : this;
          const { items, next } = sub.readSequence(valueStart, end, undefined, depth);
          elements.set(tag, { tag, vr: 'SQ', offset: valueStart, length: next - valueStart, items });
          pos = next;
        }
        continue;
      }
      if (valueStart + length > end) this.truncated(`the value of ${formatTag(tag)} (${length} bytes)`, valueStart, length);
      const element: DicomElement = { tag, vr, offset: valueStart, length };
      if (vr === 'SQ' || (vr === 'UN' && !this.explicit && length >= 8 && this.u32At(valueStart) === ITEM)) {
        element.vr = 'SQ';
        element.items = this.readSequence(valueStart, valueStart + length, valueStart + length, depth).items;
      }
      elements.set(tag, element);
      pos = valueStart + length;
    }
    return { elements, end: pos };
  }

  private u32At(o: number): number {
    return ((this.u16(o) << 16) | this.u16(o + 2)) >>> 0;
  }

  private withEncoding(explicit: boolean, le: boolean): Reader {
    return new Reader(this.bytes, this.file, explicit, le, this.charset, this.options);
  }

  /** Items until `definedEnd` or a Sequence Delimitation Item (PS3.5 7.5). */
  private readSequence(
    start: number,
    end: number,
    definedEnd: number | undefined,
    depth: number,
  ): { items: DicomDataSet[]; next: number } {
    const items: DicomDataSet[] = [];
    let pos = start;
    const limit = definedEnd ?? end;
    while (pos < limit) {
      if (pos + 8 > end) this.truncated('a sequence item header', pos, 8);
      const tag = this.u32At(pos);
      const length = this.u32(pos + 4);
      if (tag === SEQUENCE_DELIMITATION) return { items, next: pos + 8 };
      if (tag !== ITEM) {
        throw new MalformedDicomError(`expected an Item (FFFE,E000) at byte ${pos}; found ${formatTag(tag)}`, {
          file: this.file,
        });
      }
      if (length === 0xffffffff) {
        const r = this.readElements(pos + 8, end, depth + 1);
        items.push(new DicomDataSet(this.bytes, this.le, r.elements, this.charset));
        pos = r.end;
      } else {
        if (pos + 8 + length > end) this.truncated('a sequence item', pos + 8, length);
        const r = this.readElements(pos + 8, pos + 8 + length, depth + 1);
        items.push(new DicomDataSet(this.bytes, this.le, r.elements, this.charset));
        pos = pos + 8 + length;
      }
    }
    if (definedEnd === undefined) this.truncated('a Sequence Delimitation Item', pos, 8);
    return { items, next: pos };
  }

  /** Encapsulated Pixel Data (PS3.5 A.4): a Basic Offset Table item, fragment items, a Sequence Delimitation. */
  private readEncapsulated(tag: number, vr: string, start: number, end: number): { element: DicomElement; next: number } {
    const fragments: Fragment[] = [];
    let offsetTable: Fragment | undefined;
    let pos = start;
    for (;;) {
      if (pos + 8 > end) this.truncated('an encapsulated pixel data item', pos, 8);
      const itemTag = this.u32At(pos);
      const length = this.u32(pos + 4);
      if (itemTag === SEQUENCE_DELIMITATION) {
        pos += 8;
        break;
      }
      if (itemTag !== ITEM) {
        throw new MalformedDicomError(
          `expected an Item (FFFE,E000) in encapsulated pixel data at byte ${pos}; found ${formatTag(itemTag)}`,
          { file: this.file },
        );
      }
      if (pos + 8 + length > end) this.truncated('a pixel data fragment', pos + 8, length);
      const fragment = { offset: pos + 8, length };
      if (offsetTable === undefined) offsetTable = fragment;
      else fragments.push(fragment);
      pos += 8 + length;
    }
    if (!offsetTable) {
      throw new MalformedDicomError('expected a Basic Offset Table item in encapsulated pixel data; found none', {
        file: this.file,
      });
    }
    return { element: { tag, vr, offset: start, length: pos - start, offsetTable, fragments }, next: pos };
  }
}

function pair(values: number[]): [number, number] | undefined {
  return values.length >= 2 ? [values[0]!, values[1]!] : values.length === 1 ? [values[0]!, values[0]!] : undefined;
}

function headerOfDataSet(ds: DicomDataSet, meta: DicomDataSet | undefined, transferSyntaxUid: string, hasPixelData: boolean): DicomHeader {
  const s = (tag: number) => ds.string(tag) ?? '';
  const n = (tag: number, fallback: number) => ds.number(tag) ?? fallback;
  const sopClassUid = s(Tag.SOPClassUID) || (meta?.string(Tag.MediaStorageSOPClassUID) ?? '');
  const bitsAllocated = n(Tag.BitsAllocated, 0);
  const bitsStored = n(Tag.BitsStored, bitsAllocated);
  const pixelSpacing = pair(ds.numbers(Tag.PixelSpacing));
  const imagerPixelSpacing = pair(ds.numbers(Tag.ImagerPixelSpacing));
  const srText = readSrText(ds);
  return {
    sopInstanceUid: s(Tag.SOPInstanceUID) || (meta?.string(Tag.MediaStorageSOPInstanceUID) ?? ''),
    sopClassUid,
    studyInstanceUid: s(Tag.StudyInstanceUID),
    seriesInstanceUid: s(Tag.SeriesInstanceUID),
    accessionNumber: s(Tag.AccessionNumber),
    patientId: s(Tag.PatientID),
    patientName: s(Tag.PatientName),
    patientBirthDate: s(Tag.PatientBirthDate),
    patientSex: s(Tag.PatientSex),
    patientAge: s(Tag.PatientAge),
    studyDate: s(Tag.StudyDate),
    studyTime: s(Tag.StudyTime),
    ...(ds.number(Tag.SeriesNumber) !== undefined ? { seriesNumber: ds.number(Tag.SeriesNumber) } : {}),
    ...(ds.number(Tag.InstanceNumber) !== undefined ? { instanceNumber: ds.number(Tag.InstanceNumber) } : {}),
    acquisitionDateTime:
      s(Tag.AcquisitionDateTime) ||
      (s(Tag.AcquisitionDate) ? s(Tag.AcquisitionDate) + s(Tag.AcquisitionTime) : '') ||
      (s(Tag.ContentDate) ? s(Tag.ContentDate) + s(Tag.ContentTime) : ''),
    modality: s(Tag.Modality),
    bodyPartExamined: s(Tag.BodyPartExamined),
    viewPosition: s(Tag.ViewPosition),
    viewCodeMeanings: ds
      .sequence(Tag.ViewCodeSequence)
      .map((item) => item.string(Tag.CodeMeaning) ?? '')
      .filter((m) => m !== ''),
    imageLaterality: s(Tag.ImageLaterality) || s(Tag.Laterality),
    imageType: ds.strings(Tag.ImageType).map((v) => v.trim().toUpperCase()),
    burnedInAnnotation: s(Tag.BurnedInAnnotation).trim().toUpperCase(),
    sourceSopClassUids: ds
      .sequence(Tag.SourceImageSequence)
      .map((item) => item.string(Tag.ReferencedSOPClassUID) ?? '')
      .filter((uid) => uid !== ''),
    seriesDescription: s(Tag.SeriesDescription),
    studyDescription: s(Tag.StudyDescription),
    protocolName: s(Tag.ProtocolName),
    rows: n(Tag.Rows, 0),
    columns: n(Tag.Columns, 0),
    bitsAllocated,
    bitsStored,
    highBit: n(Tag.HighBit, bitsStored - 1),
    pixelRepresentation: n(Tag.PixelRepresentation, 0),
    samplesPerPixel: n(Tag.SamplesPerPixel, 1),
    photometricInterpretation: s(Tag.PhotometricInterpretation).toUpperCase(),
    numberOfFrames: Math.max(1, Math.trunc(n(Tag.NumberOfFrames, 1))),
    ...(pixelSpacing ? { pixelSpacing } : {}),
    ...(imagerPixelSpacing ? { imagerPixelSpacing } : {}),
    transferSyntaxUid,
    hasPixelData,
    isDicomDir: sopClassUid === SopClass.MediaStorageDirectory || ds.has(Tag.DirectoryRecordSequence),
    ...(srText !== undefined ? { srText } : {}),
    textIdentifiers: readTextIdentifiers(ds),
  };
}

/** The header's identifiers that report text may quote (DicomHeader.textIdentifiers). */
function readTextIdentifiers(ds: DicomDataSet): DicomHeader['textIdentifiers'] {
  const values = (tags: number[]): string[] => tags.map((t) => ds.string(t) ?? '').filter((v) => v.trim() !== '');
  return {
    names: values([Tag.OtherPatientNames, Tag.ReferringPhysicianName, Tag.PerformingPhysicianName, Tag.NameOfPhysiciansReadingStudy, Tag.RequestingPhysician, Tag.PhysiciansOfRecord, Tag.OperatorsName]),
    ids: [
      ...values([Tag.OtherPatientIDs, Tag.StudyID]),
      ...ds.sequence(Tag.OtherPatientIDsSequence).map((item) => item.string(Tag.PatientID) ?? '').filter((v) => v.trim() !== ''),
    ],
    institutions: values([Tag.InstitutionName]),
    other: values([Tag.PatientAddress, Tag.InstitutionAddress, Tag.PatientTelephoneNumbers]),
  };
}

/** Text of an SR document (PS3.3 C.17.3): Text Values in the Content Sequence tree, depth first. */
function readSrText(ds: DicomDataSet): string | undefined {
  if (!ds.has(Tag.ContentSequence)) return undefined;
  const parts: string[] = [];
  const walk = (items: DicomDataSet[]) => {
    for (const item of items) {
      const text = item.string(Tag.TextValue);
      if (text) {
        const name = item.sequence(Tag.ConceptNameCodeSequence)[0]?.string(Tag.CodeMeaning);
        parts.push(name ? `${name}: ${text.trim()}` : text.trim());
      }
      walk(item.sequence(Tag.ContentSequence));
    }
  };
  walk(ds.sequence(Tag.ContentSequence));
  return parts.join('\n\n');
}

function readLut(item: DicomDataSet, signedInput: boolean): DicomLut | undefined {
  const descriptor = Array.from(item.uint16s(Tag.LUTDescriptor) ?? []);
  const data = item.uint16s(Tag.LUTData);
  if (descriptor.length < 3 || !data) return undefined;
  // LUT Descriptor (PS3.3 C.11.1.1.1): entries (0 means 65536), first stored value mapped (US or SS), bits.
  let entries = descriptor[0]! === 0 ? 65536 : descriptor[0]!;
  let firstMapped = descriptor[1]!;
  // The first mapped value is SS when the LUT's input is signed; read as US (implicit VR) it must be re-signed.
  if (firstMapped > 32767 && signedInput) firstMapped -= 65536;
  const bits = descriptor[2]!;
  let values = data;
  // 8-bit entries packed two per 16-bit word (seen in the wild when bits = 8 and the data is half the size).
  if (bits <= 8 && data.length * 2 === entries) {
    const bytes = item.bytesOf(Tag.LUTData)!;
    values = Uint16Array.from(bytes.subarray(0, entries));
  }
  entries = Math.min(entries, values.length);
  return {
    firstMapped,
    bits,
    data: values.subarray(0, entries),
    explanation: item.string(Tag.LUTExplanation) ?? '',
  };
}

function readPixelModule(ds: DicomDataSet): PixelModule {
  const n = (tag: number, fallback: number) => ds.number(tag) ?? fallback;
  const bitsAllocated = n(Tag.BitsAllocated, 0);
  const bitsStored = n(Tag.BitsStored, bitsAllocated);
  const centers = ds.numbers(Tag.WindowCenter);
  const widths = ds.numbers(Tag.WindowWidth);
  const explanations = ds.strings(Tag.WindowCenterWidthExplanation);
  const windows: DicomWindow[] = [];
  for (let i = 0; i < Math.min(centers.length, widths.length); i++) {
    windows.push({ center: centers[i]!, width: widths[i]!, explanation: explanations[i] ?? '' });
  }
  const modalityLutItem = ds.sequence(Tag.ModalityLUTSequence)[0];
  const pixelRepresentation = n(Tag.PixelRepresentation, 0);
  const modalityLut = modalityLutItem ? readLut(modalityLutItem, pixelRepresentation === 1) : undefined;
  let pixelPaddingValue = ds.number(Tag.PixelPaddingValue);
  if (pixelPaddingValue !== undefined && pixelRepresentation === 1 && ds.elements.get(Tag.PixelPaddingValue)?.vr === 'US') {
    // In Implicit VR the dictionary VR is US; the value is signed when the pixels are (PS3.3 C.7.5.1.1.2).
    if (pixelPaddingValue > 32767) pixelPaddingValue -= 65536;
  }
  return {
    rows: n(Tag.Rows, 0),
    columns: n(Tag.Columns, 0),
    bitsAllocated,
    bitsStored,
    highBit: n(Tag.HighBit, bitsStored - 1),
    pixelRepresentation,
    samplesPerPixel: n(Tag.SamplesPerPixel, 1),
    planarConfiguration: n(Tag.PlanarConfiguration, 0),
    photometricInterpretation: (ds.string(Tag.PhotometricInterpretation) ?? '').toUpperCase(),
    numberOfFrames: Math.max(1, Math.trunc(n(Tag.NumberOfFrames, 1))),
    // A slope of 0 is kept (not read as 1): it maps every pixel to the intercept, and the renderer says so
    // (BlankImageError) instead of guessing a picture the header does not describe.
    rescaleSlope: n(Tag.RescaleSlope, 1),
    rescaleIntercept: n(Tag.RescaleIntercept, 0),
    ...(modalityLut ? { modalityLut } : {}),
    windows,
    voiLutFunction: (ds.string(Tag.VOILUTFunction) ?? '').toUpperCase() || 'LINEAR',
    voiLuts: ds
      .sequence(Tag.VOILUTSequence)
      .map((item) => readLut(item, pixelRepresentation === 1 && !modalityLut))
      .filter((l): l is DicomLut => l !== undefined),
    presentationLutShape: (ds.string(Tag.PresentationLUTShape) ?? '').toUpperCase(),
    ...(pixelPaddingValue !== undefined ? { pixelPaddingValue } : {}),
  };
}
