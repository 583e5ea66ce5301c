/**
 * Writes the synthetic PACS export in `fixtures/pacs/` that the README's first command (`npm run demo`) and the
 * tests build a dataset from: `dicom/` (a nested tree of DICOM files, some without extension, plus the things a real
 * export holds that are not images to keep), `reports.csv`, and `MANIFEST.json` (every file with its sha256 and what
 * the builder is expected to do with it).
 *
 * Everything here is invented: names, ids, dates, report texts. The images are smooth synthetic radiographs (dark
 * lungs, bright mediastinum, spine, heart and diaphragm, faint ribs) made from formulas and a seeded noise, small
 * (256 x 320) so that the folder stays far under 1.5 MB. The script is deterministic: the same bytes every run on the
 * same library versions (no clock, no randomness but a fixed-seed PRNG).
 *
 * Run: `npm run fixtures` (= `node --import=tsx scripts/make-fixtures.ts`). It imports the builder's DICOM writer
 * from source, so it needs no build.
 *
 * @example
 * ```sh
 * npm run fixtures && git status fixtures/pacs   # nothing changes when the fixtures are current
 * ```
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDicom } from '../packages/dataset-builder/src/dicom/write.js';
import type { DicomItem } from '../packages/dataset-builder/src/dicom/write.js';
import { SopClass, TransferSyntax } from '../packages/dataset-builder/src/dicom/dictionary.js';
import { parseDicom } from '../packages/dataset-builder/src/dicom/parse.js';
import { renderToGray8 } from '../packages/dataset-builder/src/dicom/render.js';

const root = fileURLToPath(new URL('../fixtures/pacs/', import.meta.url));

// ---------------------------------------------------------------------------------------------------------------------
// Synthetic radiographs

/**
 * mulberry32: a small deterministic PRNG. The same function as `@cxr8/trainer`'s `mulberry32`, kept here so that the
 * fixtures depend on the builder only (the trainer pulls in TensorFlow.js).
 */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 1 inside, 0 outside, a smooth edge of `soft` (in normalised units) across the ellipse boundary. */
function ellipse(u: number, v: number, cu: number, cv: number, ru: number, rv: number, soft = 0.04): number {
  const d = Math.sqrt(((u - cu) / ru) ** 2 + ((v - cv) / rv) ** 2) - 1;
  return 1 / (1 + Math.exp(d / soft));
}

function band(x: number, center: number, half: number, soft = 0.02): number {
  return 1 / (1 + Math.exp((Math.abs(x - center) - half) / soft));
}

type Anatomy = 'frontal' | 'lateral' | 'hand' | 'axial';

/**
 * Attenuation 0..1 at (u, v) in [0, 1]^2: 0 = air (black on a MONOCHROME2 display), 1 = bone (white).
 * `shift` moves the patient a little between studies, `cardio` enlarges the heart.
 */
function attenuation(anatomy: Anatomy, u: number, v: number, shift: number, cardio: number): number {
  if (anatomy === 'hand') {
    const palm = ellipse(u, v, 0.5, 0.68, 0.22, 0.2);
    let fingers = 0;
    for (let f = 0; f < 4; f++) fingers = Math.max(fingers, ellipse(u, v, 0.33 + f * 0.11, 0.33, 0.04, 0.2));
    const thumb = ellipse(u, v, 0.8, 0.55, 0.05, 0.14);
    const tissue = Math.max(palm, fingers, thumb) * 0.45;
    let bones = 0;
    for (let f = 0; f < 4; f++) bones = Math.max(bones, ellipse(u, v, 0.33 + f * 0.11, 0.4, 0.015, 0.25, 0.01));
    return Math.min(1, tissue + bones * 0.4);
  }
  if (anatomy === 'axial') {
    // A CT slice through the chest: 0 = air (-1000 HU), 0.12 = lung, 0.62 = soft tissue, 1 = bone.
    const body = ellipse(u, v, 0.5, 0.52, 0.44, 0.33, 0.01);
    const lungs = Math.max(ellipse(u, v, 0.31, 0.48, 0.14, 0.22, 0.015), ellipse(u, v, 0.69, 0.48, 0.14, 0.22, 0.015));
    const heart = ellipse(u, v, 0.55, 0.52, 0.12, 0.1, 0.015);
    const spine = ellipse(u, v, 0.5, 0.77, 0.05, 0.05, 0.01);
    return Math.min(1, body * 0.62 - lungs * (1 - heart) * 0.5 + spine * 0.38);
  }
  if (anatomy === 'lateral') {
    const body = ellipse(u, v, 0.5 + shift, 0.55, 0.4, 0.5);
    const lung = ellipse(u, v, 0.48 + shift, 0.45, 0.26, 0.3, 0.05);
    const spine = band(u, 0.8 + shift, 0.05) * ellipse(u, v, 0.8, 0.5, 0.2, 0.6);
    const heart = ellipse(u, v, 0.38 + shift, 0.6, 0.16 * cardio, 0.14 * cardio, 0.05);
    const diaphragm = v > 0.72 ? 1 / (1 + Math.exp(-(v - 0.74) / 0.02)) : 0;
    return Math.min(1, body * 0.55 - lung * 0.35 + spine * 0.35 + heart * 0.3 + diaphragm * lung * 0.3);
  }
  const body = ellipse(u, v, 0.5 + shift, 0.58, 0.46, 0.55, 0.03);
  const leftLung = ellipse(u, v, 0.31 + shift, 0.46, 0.14, 0.3, 0.04);
  const rightLung = ellipse(u, v, 0.69 + shift, 0.46, 0.14, 0.3, 0.04);
  const lungs = Math.max(leftLung, rightLung);
  const spine = band(u, 0.5 + shift, 0.045) * (v > 0.1 ? 1 : 0);
  const heart = ellipse(u, v, 0.56 + shift, 0.62, 0.13 * cardio, 0.12 * cardio, 0.04);
  const mediastinum = band(u, 0.5 + shift, 0.09, 0.03) * ellipse(u, v, 0.5, 0.4, 0.2, 0.35);
  const diaphragm = (1 / (1 + Math.exp(-(v - 0.74 - 0.03 * Math.cos((u - 0.5) * 9)) / 0.015))) * body;
  // Ribs: faint arcs across the lungs.
  const ribs = Math.max(0, Math.sin((v + 0.25 * (u - 0.5 - shift) ** 2) * 55)) ** 8 * lungs * 0.12;
  const clavicles = band(v + 0.25 * Math.abs(u - 0.5 - shift), 0.27, 0.012, 0.008) * body * 0.25;
  const soft = body * 0.55;
  const value = soft - lungs * 0.38 + mediastinum * 0.25 + spine * 0.2 + heart * 0.3 + diaphragm * 0.25 + ribs + clavicles;
  return Math.max(0, Math.min(1, value));
}

interface ImageSpec {
  rows: number;
  columns: number;
  anatomy: Anatomy;
  seed: number;
  bitsStored: number;
  /** Store inverted values (MONOCHROME1: high = dark). */
  monochrome1?: boolean;
  shift?: number;
  cardio?: number;
  /** Stored = round(offset + gain * attenuation + noise). */
  offset?: number;
  gain?: number;
  signed?: boolean;
}

function makeImage(spec: ImageSpec): Uint16Array | Int16Array | Uint8Array {
  const random = prng(spec.seed);
  const max = 2 ** spec.bitsStored - 1;
  const gain = spec.gain ?? max * 0.78;
  const offset = spec.offset ?? max * 0.1;
  const n = spec.rows * spec.columns;
  const out = spec.bitsStored <= 8 ? new Uint8Array(n) : spec.signed ? new Int16Array(n) : new Uint16Array(n);
  for (let r = 0; r < spec.rows; r++) {
    for (let c = 0; c < spec.columns; c++) {
      const a = attenuation(spec.anatomy, c / (spec.columns - 1), r / (spec.rows - 1), spec.shift ?? 0, spec.cardio ?? 1);
      const noise = (random() + random() - 1) * max * 0.0012;
      let v = Math.round(offset + gain * a + noise);
      if (spec.monochrome1) v = max - v;
      out[r * spec.columns + c] = spec.signed ? v : Math.max(0, Math.min(max, v));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// The export: patients, studies, images

interface Patient {
  name: string;
  id: string;
  birthDate: string;
  sex: 'F' | 'M';
  spoken: string;
}

const patients = {
  hartley: { name: 'HARTLEY^MARGARET^A', id: 'MRN-100234', birthDate: '19570312', sex: 'F', spoken: 'Margaret Hartley' },
  okafor: { name: 'OKAFOR^CHINEDU', id: 'MRN-200517', birthDate: '19800922', sex: 'M', spoken: 'Chinedu Okafor' },
  nakamura: { name: 'NAKAMURA^YUKI', id: 'MRN-300981', birthDate: '19921105', sex: 'F', spoken: 'Yuki Nakamura' },
  lindqvist: { name: 'LINDQVIST^ERIK', id: 'MRN-401122', birthDate: '19450630', sex: 'M', spoken: 'Erik Lindqvist' },
  garcia: { name: 'GARCIA^ROSA^M', id: 'MRN-502201', birthDate: '19700214', sex: 'F', spoken: 'Rosa Garcia' },
  brown: { name: 'BROWN^THOMAS', id: 'MRN-600077', birthDate: '19881230', sex: 'M', spoken: 'Thomas Brown' },
} satisfies Record<string, Patient>;

/** The identifiers a real export carries besides the patient's; the builder must not store any of them. */
const SITE: DicomItem = {
  InstitutionName: 'St. Elsewhere General Hospital',
  InstitutionAddress: '159 Westbourne St, Boston MA',
  InstitutionalDepartmentName: 'Radiology',
  ReferringPhysicianName: 'WESTPHALL^DONALD',
  PerformingPhysicianName: 'CRAIG^VICTOR',
  OperatorsName: 'FISCUS^WENDY',
  StationName: 'XR-ROOM-3',
  Manufacturer: 'CXR8 Synthetic Imaging',
  ManufacturerModelName: 'Phantom 1',
  DeviceSerialNumber: 'SN-778899',
  '00090010:LO': 'CXR8 FAKE PRIVATE',
  '00091001:LO': 'ORIGINAL NAME KEPT BY VENDOR',
};

const UID_ROOT = '2.25.1234567890';
const uid = (...parts: (string | number)[]) => `${UID_ROOT}.${parts.join('.')}`;

function age(birth: string, date: string): string {
  let years = Number(date.slice(0, 4)) - Number(birth.slice(0, 4));
  if (date.slice(4) < birth.slice(4)) years--;
  return `${String(years).padStart(3, '0')}Y`;
}

type Expected =
  | { outcome: 'included' }
  | { outcome: 'excluded'; reason: string }
  | { outcome: 'failed'; reason: string }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'report'; reason: string };

interface ManifestEntry {
  path: string;
  sha256: string;
  bytes: number;
  kind: 'dicom-image' | 'dicom-sr' | 'dicomdir' | 'not-dicom' | 'reports-csv';
  description: string;
  transferSyntax?: string;
  sopInstanceUid?: string;
  patientId?: string;
  accessionNumber?: string;
  studyDate?: string;
  modality?: string;
  view?: string;
  photometricInterpretation?: string;
  rows?: number;
  columns?: number;
  /** sha256 of the full-size 8-bit rendering (renderToGray8 without resize): a regression check of render.ts. */
  renderedSha256?: string;
  expected: Expected;
}

const manifest: ManifestEntry[] = [];

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function put(path: string, bytes: Uint8Array, entry: Omit<ManifestEntry, 'path' | 'sha256' | 'bytes'>): Promise<Uint8Array> {
  const full = join(root, path);
  await mkdir(dirname(full), { recursive: true });
  await writeFile(full, bytes);
  let rendered: string | undefined;
  if (entry.kind === 'dicom-image' && entry.expected.outcome !== 'failed') {
    rendered = sha256((await renderToGray8(parseDicom(bytes, path))).pixels);
  }
  manifest.push({ path, sha256: sha256(bytes), bytes: bytes.length, ...entry, ...(rendered ? { renderedSha256: rendered } : {}) });
  return bytes;
}

interface StudySpec {
  patient: Patient;
  date: string;
  time: string;
  accession: string;
  studyIndex: number;
  description: string;
}

interface ImageFile {
  path: string;
  study: StudySpec;
  seriesIndex: number;
  instance: number;
  modality: 'CR' | 'DX' | 'CT';
  transferSyntax: string;
  image: ImageSpec;
  elements: DicomItem;
  view: string;
  expected: Expected;
  description: string;
  photometric?: string;
  nearLossless?: number;
}

const study = (patient: Patient, studyIndex: number, date: string, accession: string, description = 'XR CHEST PA AND LATERAL'): StudySpec => ({
  patient,
  date,
  time: `0${8 + studyIndex}1530`.slice(-6),
  accession,
  studyIndex,
  description,
});

const S = {
  hartley1: study(patients.hartley, 1, '20190314', 'A19031401'),
  hartley2: study(patients.hartley, 2, '20210702', 'A21070207', 'XR CHEST 1V'),
  okafor1: study(patients.okafor, 3, '20200110', 'A20011003', 'XR CHEST PORTABLE'),
  okafor2: study(patients.okafor, 4, '20200111', 'A20011105', 'XR CHEST PORTABLE'),
  okafor3: study(patients.okafor, 5, '20220530', 'A22053011', 'XR CHEST 1V'),
  okafor4: study(patients.okafor, 6, '20230303', 'A23030302', 'XR CHEST 1V'),
  nakamura1: study(patients.nakamura, 7, '20211120', 'A21112009', 'XR CHEST PA'),
  nakamura2: study(patients.nakamura, 8, '20230214', 'A23021404', 'XR CHEST PA'),
  lindqvist1: study(patients.lindqvist, 9, '20180808', 'A18080801', 'XR CHEST PA'),
  lindqvist2: study(patients.lindqvist, 10, '20180808', 'A18080802', 'XR HAND LEFT'),
  garcia1: study(patients.garcia, 11, '20200606', 'A20060606', 'CT CHEST WITHOUT CONTRAST'),
  garcia2: study(patients.garcia, 12, '20200607', 'A20060711', 'XR CHEST PA'),
  brown1: study(patients.brown, 13, '20220909', 'A22090908', 'XR CHEST PA'),
  brown2: study(patients.brown, 14, '20231012', 'A23101203', 'XR CHEST PA'),
};

const pa = { ViewPosition: 'PA', ViewCodeSequence: [{ CodeValue: 'R-10214', CodingSchemeDesignator: 'SRT', CodeMeaning: 'postero-anterior' }] };
const ap = { ViewPosition: 'AP', ViewCodeSequence: [{ CodeValue: 'R-10206', CodingSchemeDesignator: 'SRT', CodeMeaning: 'antero-posterior' }] };
const lateral = { ViewPosition: 'LL', ViewCodeSequence: [{ CodeValue: 'R-10236', CodingSchemeDesignator: 'SRT', CodeMeaning: 'left lateral' }] };
const chest = { BodyPartExamined: 'CHEST' };
const base = { rows: 320, columns: 256, anatomy: 'frontal' as Anatomy, bitsStored: 12 };
const small = { rows: 200, columns: 160, anatomy: 'frontal' as Anatomy, bitsStored: 12 };

const images: ImageFile[] = [
  {
    path: 'dicom/PAT0001/ST20190314/SE001/IM000001',
    description: 'CR chest PA, Explicit VR LE, MONOCHROME2, one window (no extension)',
    study: S.hartley1, seriesIndex: 1, instance: 1, modality: 'CR', transferSyntax: TransferSyntax.ExplicitVRLittleEndian,
    image: { ...small, seed: 11 }, view: 'PA',
    elements: { ...chest, ...pa, WindowCenter: 1800, WindowWidth: 3200, ImagerPixelSpacing: [2.08, 2.08] },
    expected: { outcome: 'included' },
  },
  {
    path: 'dicom/PAT0001/ST20190314/SE002/IM000002.dcm',
    description: 'CR chest lateral, RLE Lossless',
    study: S.hartley1, seriesIndex: 2, instance: 1, modality: 'CR', transferSyntax: TransferSyntax.RLELossless,
    image: { ...small, anatomy: 'lateral', seed: 12 }, view: 'LL',
    elements: { ...chest, ...lateral, WindowCenter: 1800, WindowWidth: 3200, ImagerPixelSpacing: [1.3, 1.3] },
    expected: { outcome: 'excluded', reason: 'not-frontal' },
  },
  {
    path: 'dicom/PAT0001/ST20210702/1.2.3.4.5/IM000003',
    description: 'DX chest PA, JPEG-LS lossless, MONOCHROME1 with Presentation LUT Shape INVERSE, rescale',
    study: S.hartley2, seriesIndex: 1, instance: 1, modality: 'DX', transferSyntax: TransferSyntax.JPEGLSLossless,
    image: { ...base, seed: 13, monochrome1: true, shift: 0.02, cardio: 1.15 }, view: 'PA', photometric: 'MONOCHROME1',
    elements: { ...chest, ...pa, RescaleSlope: 1, RescaleIntercept: 0, RescaleType: 'US', WindowCenter: 2100, WindowWidth: 3400, PresentationLUTShape: 'INVERSE', ImagerPixelSpacing: [1.3, 1.3], SOPClassUID: SopClass.DigitalXRayPresentation },
    expected: { outcome: 'included' },
  },
  {
    path: 'dicom/PAT0002/20200110/CR.1.DCM',
    description: 'CR chest AP, RLE Lossless, VOI LUT Sequence (no window)',
    study: S.okafor1, seriesIndex: 1, instance: 1, modality: 'CR', transferSyntax: TransferSyntax.RLELossless,
    image: { ...small, seed: 21, shift: -0.02 }, view: 'AP',
    elements: { ...chest, ...ap, VOILUTSequence: [{ LUTDescriptor: [4096, 0, 12], LUTData: sCurve(4096, 12), LUTExplanation: 'S-CURVE' }], ImagerPixelSpacing: [1.3, 1.3] },
    expected: { outcome: 'included' },
  },
  {
    path: 'dicom/PAT0002/20200111/CR.1',
    description: 'CR chest AP, JPEG 2000 lossless, rescale slope/intercept and a SIGMOID window, signed 16-bit',
    study: S.okafor2, seriesIndex: 1, instance: 1, modality: 'CR', transferSyntax: TransferSyntax.JPEG2000Lossless,
    image: { ...base, bitsStored: 16, seed: 22, signed: true, offset: -8000, gain: 14000, shift: 0.01 }, view: 'AP',
    elements: { ...chest, ...ap, RescaleSlope: 0.25, RescaleIntercept: 2000, WindowCenter: 2600, WindowWidth: 2800, VOILUTFunction: 'SIGMOID', ImagerPixelSpacing: [1.3, 1.3] },
    expected: { outcome: 'included' },
  },
  {
    path: 'dicom/PAT0002/20220530/X1/X2/IMG',
    description: 'DX chest, Implicit VR LE, no View Position: the View Code Sequence says postero-anterior',
    study: S.okafor3, seriesIndex: 1, instance: 1, modality: 'DX', transferSyntax: TransferSyntax.ImplicitVRLittleEndian,
    image: { ...small, seed: 23 }, view: 'PA',
    elements: { ...chest, ViewCodeSequence: pa.ViewCodeSequence, WindowCenter: 1800, WindowWidth: 3200, ImagerPixelSpacing: [2.08, 2.08], SOPClassUID: SopClass.DigitalXRayPresentation },
    expected: { outcome: 'included' },
  },
  {
    path: 'dicom/PAT0002/20230303/IM0001',
    description: 'DX chest PA in JPEG 2000 Part 2 (1.2.840.10008.1.2.4.92): an unsupported transfer syntax',
    study: S.okafor4, seriesIndex: 1, instance: 1, modality: 'DX', transferSyntax: TransferSyntax.JPEG2000Lossless,
    image: { ...base, rows: 64, columns: 64, seed: 24 }, view: 'PA',
    elements: { ...chest, ...pa, WindowCenter: 1800, WindowWidth: 3200, SOPClassUID: SopClass.DigitalXRayPresentation },
    expected: { outcome: 'failed', reason: 'unsupported-transfer-syntax' },
  },
  {
    path: 'dicom/PAT0003/A/B/C/00000001',
    description: 'DX chest PA, Explicit VR Big Endian, LINEAR_EXACT window',
    study: S.nakamura1, seriesIndex: 1, instance: 1, modality: 'DX', transferSyntax: TransferSyntax.ExplicitVRBigEndian,
    image: { ...small, seed: 31, cardio: 0.95 }, view: 'PA',
    elements: { ...chest, ...pa, WindowCenter: 1750, WindowWidth: 3000, VOILUTFunction: 'LINEAR_EXACT', ImagerPixelSpacing: [2.08, 2.08], SOPClassUID: SopClass.DigitalXRayPresentation },
    expected: { outcome: 'included' },
  },
  {
    path: 'dicom/PAT0003/A/B/D/00000002.dcm',
    description: 'CR chest, Deflated Explicit VR LE, several windows, no View Position or view codes: PA only in the protocol name',
    study: S.nakamura2, seriesIndex: 1, instance: 1, modality: 'CR', transferSyntax: TransferSyntax.DeflatedExplicitVRLittleEndian,
    image: { ...small, seed: 32, shift: -0.01 }, view: 'PA',
    elements: { ...chest, ProtocolName: 'CHEST PA', SeriesDescription: 'CHEST PA', WindowCenter: [1700, 1000, 2500], WindowWidth: [3300, 800, 1200], WindowCenterWidthExplanation: ['NORMAL', 'SOFT', 'BONE'], ImagerPixelSpacing: [1.3, 1.3] },
    expected: { outcome: 'included' },
  },
  {
    path: 'dicom/PAT0004/S1/I1',
    description: 'CR chest PA, JPEG Baseline 8-bit, no window (min-max)',
    study: S.lindqvist1, seriesIndex: 1, instance: 1, modality: 'CR', transferSyntax: TransferSyntax.JPEGBaseline8Bit,
    image: { ...base, bitsStored: 8, seed: 41, cardio: 1.25 }, view: 'PA',
    elements: { ...chest, ...pa, ImagerPixelSpacing: [1.3, 1.3], LossyImageCompression: '01' },
    expected: { outcome: 'included' },
  },
  {
    path: 'dicom/PAT0004/S2/I1',
    description: 'CR of a hand (Body Part HAND), JPEG-LS lossless: not a chest radiograph',
    study: S.lindqvist2, seriesIndex: 1, instance: 1, modality: 'CR', transferSyntax: TransferSyntax.JPEGLSLossless,
    image: { ...base, rows: 160, columns: 128, anatomy: 'hand', seed: 42 }, view: 'PA',
    elements: { BodyPartExamined: 'HAND', ...pa, WindowCenter: 1800, WindowWidth: 3200, ImagerPixelSpacing: [1.0, 1.0] },
    expected: { outcome: 'excluded', reason: 'not-chest' },
  },
  {
    path: 'dicom/PAT0005/CT/SLICE0001.dcm',
    description: 'CT chest slice (signed, rescale intercept -1024), RLE: not a radiograph',
    study: S.garcia1, seriesIndex: 1, instance: 1, modality: 'CT', transferSyntax: TransferSyntax.RLELossless,
    image: { rows: 128, columns: 128, anatomy: 'axial', bitsStored: 16, seed: 51, signed: true, offset: 24, gain: 1700 }, view: '',
    elements: { ...chest, RescaleIntercept: -1024, RescaleSlope: 1, WindowCenter: -600, WindowWidth: 1500, SOPClassUID: SopClass.CT, PixelSpacing: [2.7, 2.7] },
    expected: { outcome: 'excluded', reason: 'modality' },
  },
  {
    path: 'dicom/PAT0005/XR/IM1',
    description: 'DX chest PA, JPEG-LS near-lossless (NEAR 2); its report comes as a text SR only',
    study: S.garcia2, seriesIndex: 1, instance: 1, modality: 'DX', transferSyntax: TransferSyntax.JPEGLSNearLossless, nearLossless: 2,
    image: { ...base, seed: 52 }, view: 'PA',
    elements: { ...chest, ...pa, WindowCenter: 1800, WindowWidth: 3200, ImagerPixelSpacing: [1.3, 1.3], SOPClassUID: SopClass.DigitalXRayPresentation },
    expected: { outcome: 'included' },
  },
  {
    path: 'dicom/PAT0006/2022/IM1',
    description: 'DX chest PA, JPEG 2000 (.4.91, reversible); no report anywhere',
    study: S.brown1, seriesIndex: 1, instance: 1, modality: 'DX', transferSyntax: TransferSyntax.JPEG2000,
    image: { ...base, seed: 61, shift: 0.015 }, view: 'PA',
    elements: { ...chest, ...pa, WindowCenter: 1800, WindowWidth: 3200, ImagerPixelSpacing: [1.3, 1.3], SOPClassUID: SopClass.DigitalXRayPresentation },
    expected: { outcome: 'included' },
  },
  {
    path: 'dicom/PAT0006/2023/IM1',
    description: 'CR chest PA, Explicit VR LE, cut in the middle of its pixel data (truncated)',
    study: S.brown2, seriesIndex: 1, instance: 1, modality: 'CR', transferSyntax: TransferSyntax.ExplicitVRLittleEndian,
    image: { ...small, rows: 96, columns: 80, seed: 62 }, view: 'PA',
    elements: { ...chest, ...pa, WindowCenter: 1800, WindowWidth: 3200 },
    expected: { outcome: 'failed', reason: 'truncated' },
  },
];

/** A smooth S-shaped VOI LUT over `entries` inputs, with `bits`-bit outputs. */
function sCurve(entries: number, bits: number): Uint16Array {
  const top = 2 ** bits - 1;
  return Uint16Array.from({ length: entries }, (_, i) => Math.round(top / (1 + Math.exp(-(i - entries * 0.45) / (entries * 0.12)))));
}

function elementsOf(f: ImageFile): DicomItem {
  const { study: s, patient: p } = { study: f.study, patient: f.study.patient };
  return {
    SpecificCharacterSet: 'ISO_IR 100',
    ImageType: ['ORIGINAL', 'PRIMARY'],
    SOPClassUID: SopClass.ComputedRadiography,
    SOPInstanceUID: uid(s.studyIndex, f.seriesIndex, f.instance),
    StudyDate: s.date,
    SeriesDate: s.date,
    ContentDate: s.date,
    StudyTime: s.time,
    ContentTime: s.time,
    AccessionNumber: s.accession,
    Modality: f.modality,
    StudyDescription: s.description,
    PatientName: p.name,
    PatientID: p.id,
    IssuerOfPatientID: 'STELSEWHERE',
    PatientBirthDate: p.birthDate,
    PatientSex: p.sex,
    PatientAge: age(p.birthDate, s.date),
    OtherPatientIDs: `OLD-${p.id.slice(4)}`,
    PatientAddress: '12 Example Road, Springfield',
    StudyInstanceUID: uid(s.studyIndex),
    SeriesInstanceUID: uid(s.studyIndex, f.seriesIndex),
    StudyID: String(s.studyIndex),
    SeriesNumber: f.seriesIndex,
    InstanceNumber: f.instance,
    ...SITE,
    ...f.elements,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Reports

interface ReportRow {
  accession: string;
  text: string;
  patientId: string;
  studyDate: string;
}

const usDate = (d: string) => `${d.slice(4, 6)}/${d.slice(6, 8)}/${d.slice(0, 4)}`;

const reports: ReportRow[] = [
  {
    accession: S.hartley1.accession,
    patientId: patients.hartley.id,
    studyDate: S.hartley1.date,
    text:
      `EXAM: XR CHEST PA AND LATERAL\nPATIENT: Margaret Hartley  MRN: MRN-100234  DOB: 03/12/1957\n` +
      `INDICATION: Cough for 3 weeks.\nFINDINGS: The heart size is normal. There is a 2.1 cm rounded nodule in the right ` +
      `upper lobe. No pleural effusion. No pneumothorax.\nIMPRESSION: Right upper lobe nodule; CT recommended.\n` +
      `Dictated by Dr. Victor Craig on ${usDate(S.hartley1.date)}.`,
  },
  {
    accession: S.hartley2.accession,
    patientId: patients.hartley.id,
    studyDate: S.hartley2.date,
    text:
      `XR CHEST 1V. Comparison: ${usDate(S.hartley1.date)}. Ms. Hartley (MRN-100234) returns for follow-up.\n` +
      `FINDINGS: The cardiac silhouette is enlarged. Small bilateral pleural effusions with bibasilar atelectasis. ` +
      `Interstitial edema.\nIMPRESSION: Cardiomegaly with mild pulmonary edema and small effusions.`,
  },
  {
    accession: S.okafor1.accession,
    patientId: patients.okafor.id,
    studyDate: S.okafor1.date,
    text:
      `PORTABLE CHEST, ${usDate(S.okafor1.date)}, patient Chinedu Okafor, MRN-200517, St. Elsewhere General Hospital.\n` +
      `FINDINGS: Dense consolidation in the left lower lobe, consistent with pneumonia. No pneumothorax. Heart size normal.\n` +
      `IMPRESSION: Left lower lobe pneumonia.`,
  },
  {
    accession: S.okafor2.accession,
    patientId: patients.okafor.id,
    studyDate: S.okafor2.date,
    text:
      `PORTABLE CHEST. Compared with yesterday's film.\nFINDINGS: Persistent left basilar consolidation, slightly ` +
      `improved. New right apical pneumothorax, approximately 15%. Patient's wife (Ada Okafor, phone 617-555-0142) informed.\n` +
      `IMPRESSION: Small right pneumothorax. Improving left lower lobe pneumonia.`,
  },
  {
    accession: S.okafor3.accession,
    patientId: patients.okafor.id,
    studyDate: S.okafor3.date,
    text: `CHEST 1 VIEW.\nFINDINGS: The lungs are clear. Heart and mediastinum are normal. No effusion or pneumothorax.\nIMPRESSION: No acute cardiopulmonary disease.`,
  },
  {
    accession: S.okafor4.accession,
    patientId: patients.okafor.id,
    studyDate: S.okafor4.date,
    text: `CHEST 1 VIEW (Okafor, Chinedu; MRN-200517).\nFINDINGS: Hyperinflated lungs with flattened diaphragms, consistent with emphysema. No focal consolidation.\nIMPRESSION: Emphysema.`,
  },
  {
    accession: S.nakamura1.accession,
    patientId: patients.nakamura.id,
    studyDate: S.nakamura1.date,
    text:
      `CHEST PA, ${usDate(S.nakamura1.date)}. Yuki Nakamura, DOB 11/05/1992.\nFINDINGS: Patchy bilateral infiltrates in the ` +
      `mid and lower zones. No pleural effusion.\nIMPRESSION: Bilateral infiltrates, may represent atypical infection.`,
  },
  {
    accession: S.nakamura2.accession,
    patientId: patients.nakamura.id,
    studyDate: S.nakamura2.date,
    text: `CHEST PA.\nFINDINGS: Normal heart size. Clear lungs. No pleural effusion or pneumothorax.\nIMPRESSION: Normal chest.`,
  },
  {
    accession: S.lindqvist1.accession,
    patientId: patients.lindqvist.id,
    studyDate: S.lindqvist1.date,
    text:
      `CHEST PA for Erik Lindqvist (MRN-401122), age 73.\nFINDINGS: Marked cardiomegaly. Reticular opacities at both bases in ` +
      `keeping with pulmonary fibrosis. Right apical pleural thickening. A 5 cm mass projects over the left hilum. ` +
      `Retrocardiac air-fluid level, likely a hiatal hernia.\nIMPRESSION: Left hilar mass; fibrosis; cardiomegaly; hiatal hernia.`,
  },
  {
    accession: S.lindqvist2.accession,
    patientId: patients.lindqvist.id,
    studyDate: S.lindqvist2.date,
    text: `LEFT HAND, 3 VIEWS.\nFINDINGS: No fracture or dislocation. Mild degenerative change of the first carpometacarpal joint.`,
  },
  {
    accession: S.garcia1.accession,
    patientId: patients.garcia.id,
    studyDate: S.garcia1.date,
    text: `CT CHEST WITHOUT CONTRAST (Rosa Garcia).\nFINDINGS: Centrilobular emphysema. No pulmonary nodule. No effusion.`,
  },
  {
    accession: 'A19990101',
    patientId: 'MRN-999001',
    studyDate: '19990101',
    text: `CHEST PA for Walter Whitman, MRN-999001. FINDINGS: No acute disease. (A report whose images were not exported.)`,
  },
];

/** The report of S.garcia2, delivered only as a Basic Text SR in the DICOM tree. */
const srReport = {
  findings: `Heart size is normal. There is a small left pleural effusion. No pneumothorax. Patient Rosa Garcia, MRN-502201.`,
  impression: `Small left pleural effusion.`,
};

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

// ---------------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });

  for (const f of images) {
    const spec = f.image;
    const data = makeImage(spec);
    let bytes = await writeDicom({
      transferSyntax: f.transferSyntax,
      elements: elementsOf(f),
      pixels: {
        data,
        rows: spec.rows,
        columns: spec.columns,
        bitsStored: spec.bitsStored,
        ...(f.photometric ? { photometricInterpretation: f.photometric } : {}),
      },
      ...(f.nearLossless !== undefined ? { nearLossless: f.nearLossless } : {}),
      jpegQuality: 92,
      // Some files use undefined-length sequences, as many modalities write them.
      undefinedLengthSequences: f.transferSyntax === TransferSyntax.ImplicitVRLittleEndian,
    });
    let transferSyntax = f.transferSyntax;
    if (f.expected.outcome === 'failed' && f.expected.reason === 'unsupported-transfer-syntax') {
      // Same length UID, so the File Meta group stays valid: JPEG 2000 Part 2 multi-component lossless.
      const patched = Buffer.from(bytes);
      const at = patched.indexOf(TransferSyntax.JPEG2000Lossless, 132, 'latin1');
      patched.write('1.2.840.10008.1.2.4.92', at, 'latin1');
      bytes = patched;
      transferSyntax = '1.2.840.10008.1.2.4.92';
    }
    if (f.expected.outcome === 'failed' && f.expected.reason === 'truncated') {
      bytes = bytes.subarray(0, bytes.length - Math.floor((spec.rows * spec.columns * 2) / 2));
    }
    // What the manifest says of this image and of its re-exported copy alike (key order = MANIFEST.json's).
    const image = {
      transferSyntax,
      sopInstanceUid: uid(f.study.studyIndex, f.seriesIndex, f.instance),
      patientId: f.study.patient.id,
      accessionNumber: f.study.accession,
      studyDate: f.study.date,
      modality: f.modality,
      view: f.view,
      photometricInterpretation: f.photometric ?? 'MONOCHROME2',
      rows: spec.rows,
      columns: spec.columns,
    };
    await put(f.path, bytes, { kind: 'dicom-image', description: f.description, ...image, expected: f.expected });
    if (f.path === 'dicom/PAT0001/ST20190314/SE001/IM000001') {
      // The same SOP Instance exported a second time, under another folder that sorts after the first (the builder
      // keeps the copy first in path order): one image, one duplicate.
      await put('dicom/REEXPORT/PAT0001/IM000001_copy', bytes, {
        kind: 'dicom-image',
        description: 'A second copy of dicom/PAT0001/ST20190314/SE001/IM000001 (same SOP Instance UID)',
        ...image,
        expected: { outcome: 'excluded', reason: 'duplicate' },
      });
    }
  }

  // A Basic Text SR carrying the report of S.garcia2 (its accession has no row in reports.csv).
  const sr = await writeDicom({
    transferSyntax: TransferSyntax.ExplicitVRLittleEndian,
    undefinedLengthSequences: true,
    elements: {
      SpecificCharacterSet: 'ISO_IR 100',
      SOPClassUID: SopClass.BasicTextSR,
      SOPInstanceUID: uid(S.garcia2.studyIndex, 99, 1),
      StudyDate: S.garcia2.date,
      ContentDate: S.garcia2.date,
      StudyTime: S.garcia2.time,
      ContentTime: S.garcia2.time,
      AccessionNumber: S.garcia2.accession,
      Modality: 'SR',
      PatientName: patients.garcia.name,
      PatientID: patients.garcia.id,
      PatientBirthDate: patients.garcia.birthDate,
      PatientSex: patients.garcia.sex,
      StudyInstanceUID: uid(S.garcia2.studyIndex),
      SeriesInstanceUID: uid(S.garcia2.studyIndex, 99),
      SeriesNumber: 99,
      InstanceNumber: 1,
      ...SITE,
      ValueType: 'CONTAINER',
      ConceptNameCodeSequence: [{ CodeValue: '18748-4', CodingSchemeDesignator: 'LN', CodeMeaning: 'Diagnostic Imaging Report' }],
      CompletionFlag: 'COMPLETE',
      VerificationFlag: 'VERIFIED',
      ContentSequence: [
        {
          RelationshipType: 'CONTAINS',
          ValueType: 'TEXT',
          ConceptNameCodeSequence: [{ CodeValue: '121071', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Finding' }],
          TextValue: srReport.findings,
        },
        {
          RelationshipType: 'CONTAINS',
          ValueType: 'TEXT',
          ConceptNameCodeSequence: [{ CodeValue: '121073', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Impression' }],
          TextValue: srReport.impression,
        },
      ],
    },
  });
  await put('dicom/PAT0005/XR/SR0001', sr, {
    kind: 'dicom-sr',
    description: `Basic Text SR: the report of accession ${S.garcia2.accession} (not in reports.csv)`,
    transferSyntax: TransferSyntax.ExplicitVRLittleEndian,
    sopInstanceUid: uid(S.garcia2.studyIndex, 99, 1),
    patientId: patients.garcia.id,
    accessionNumber: S.garcia2.accession,
    studyDate: S.garcia2.date,
    modality: 'SR',
    expected: { outcome: 'report', reason: 'sr-report' },
  });

  // A DICOMDIR (Media Storage Directory), as on a CD export.
  const dicomdir = await writeDicom({
    transferSyntax: TransferSyntax.ExplicitVRLittleEndian,
    elements: {
      SOPClassUID: SopClass.MediaStorageDirectory,
      SOPInstanceUID: uid(0, 0, 1),
      FileSetID: 'CXR8FIXTURE',
      DirectoryRecordSequence: [],
    },
  });
  await put('dicom/DICOMDIR', dicomdir, { kind: 'dicomdir', description: 'A Media Storage Directory', expected: { outcome: 'skipped', reason: 'dicomdir' } });

  // Files a real export has next to the images.
  const log = Buffer.from('PACS export job 4471\nstarted 2024-01-05 10:15\n18 objects written\n', 'latin1');
  await put('dicom/export.log', log, { kind: 'not-dicom', description: 'A text log of the export job', expected: { outcome: 'skipped', reason: 'not-dicom' } });
  const thumbs = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array.from({ length: 40 }, (_, i) => i)]);
  await put('dicom/PAT0003/A/thumb.png', thumbs, { kind: 'not-dicom', description: 'A stray non-DICOM binary (PNG signature)', expected: { outcome: 'skipped', reason: 'not-dicom' } });

  const csv = ['accession_number,report_text,patient_id,study_date']
    .concat(reports.map((r) => [r.accession, r.text, r.patientId, r.studyDate].map(csvField).join(',')))
    .join('\n');
  await put('reports.csv', Buffer.from(`${csv}\n`, 'utf8'), {
    kind: 'reports-csv',
    description: `${reports.length} reports; A19990101 has no images; ${S.brown1.accession} (an image) and ${S.brown2.accession} (the truncated file) have no report; ${S.garcia2.accession} is reported by the SR`,
    expected: { outcome: 'report', reason: 'csv' },
  });

  manifest.sort((a, b) => (a.path < b.path ? -1 : 1));
  const doc = {
    version: 1,
    generator: 'scripts/make-fixtures.ts (npm run fixtures)',
    note: 'Synthetic, invented data. expected.outcome: included (a frontal chest radiograph that becomes a dataset image), excluded (found and read, not selected: reason), failed (recorded in failures: reason), skipped (not an image: reason), report (a report source).',
    summary: {
      patients: Object.keys(patients).length,
      images: manifest.filter((m) => m.kind === 'dicom-image').length,
      included: manifest.filter((m) => m.expected.outcome === 'included').length,
      reportsWithoutImage: ['A19990101'],
      includedImagesWithoutReport: [S.brown1.accession],
      srReports: [S.garcia2.accession],
      identifiers: Object.values(patients).flatMap((p) => [p.name, p.id, p.birthDate, p.spoken]),
    },
    files: manifest,
  };
  await writeFile(join(root, 'MANIFEST.json'), `${JSON.stringify(doc, null, 2)}\n`);

  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else total += (await stat(p)).size;
    }
  };
  await walk(root);
  console.log(`fixtures/pacs: ${manifest.length} files + MANIFEST.json, ${(total / 1024).toFixed(0)} KiB`);
  for (const m of manifest) console.log(`  ${relative(root, join(root, m.path)).split(sep).join('/')}  ${m.bytes} B  ${m.expected.outcome}${'reason' in m.expected ? ` (${m.expected.reason})` : ''}`);
}

await main();
