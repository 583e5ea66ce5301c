/**
 * Shared helpers of the DICOM tests: where the shared data is, and small synthetic images.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DecodedFrame } from '../../src/dicom/decode.js';
import type { PixelModule } from '../../src/dicom/parse.js';
import type { DicomItem } from '../../src/dicom/write.js';
import { SopClass } from '../../src/dicom/dictionary.js';

/** The repository root (test/dicom -> test -> dataset-builder -> packages -> root). */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** `../shared/data` relative to the repository root, or CXR8_SHARED_DATA. */
export const sharedData = process.env['CXR8_SHARED_DATA'] ?? resolve(repoRoot, '../shared/data');

/** The NEMA WG04 folder, or undefined (tests then skip with a message). */
export const codecsDir = existsSync(resolve(sharedData, 'dicom-codecs/WG04_RG2_UNC.dcm'))
  ? resolve(sharedData, 'dicom-codecs')
  : undefined;

/** Minimal identifying elements of a CR image. */
export function crElements(extra: DicomItem = {}): DicomItem {
  return {
    SOPClassUID: SopClass.ComputedRadiography,
    SOPInstanceUID: '2.25.1001',
    StudyInstanceUID: '2.25.2001',
    SeriesInstanceUID: '2.25.3001',
    PatientName: 'DOE^JANE',
    PatientID: 'MRN-0042',
    AccessionNumber: 'ACC42',
    Modality: 'CR',
    ...extra,
  };
}

/** A gradient test image: 12-bit values that vary along rows and columns. */
export function gradient(rows: number, columns: number, bits = 12): Uint16Array {
  const max = 2 ** bits - 1;
  return Uint16Array.from({ length: rows * columns }, (_, i) => {
    const r = Math.floor(i / columns);
    const c = i % columns;
    return (r * 97 + c * 31 + ((r * c) % 13)) % (max + 1);
  });
}

/** A one-sample frame of stored values. */
export function frameOf(values: number[], bits: { bitsAllocated?: number; bitsStored?: number; highBit?: number; signed?: boolean; photometric?: string } = {}): DecodedFrame {
  const bitsAllocated = bits.bitsAllocated ?? 16;
  const bitsStored = bits.bitsStored ?? 12;
  return {
    pixels: bits.signed ? Int16Array.from(values) : Uint16Array.from(values),
    rows: 1,
    columns: values.length,
    samplesPerPixel: 1,
    bitsAllocated,
    bitsStored,
    highBit: bits.highBit ?? bitsStored - 1,
    pixelRepresentation: bits.signed ? 1 : 0,
    photometricInterpretation: bits.photometric ?? 'MONOCHROME2',
  };
}

/** A Pixel module with no LUTs, to be overridden. */
export function pixelModule(overrides: Partial<PixelModule> = {}): PixelModule {
  return {
    rows: 1,
    columns: 1,
    bitsAllocated: 16,
    bitsStored: 12,
    highBit: 11,
    pixelRepresentation: 0,
    samplesPerPixel: 1,
    planarConfiguration: 0,
    photometricInterpretation: 'MONOCHROME2',
    numberOfFrames: 1,
    rescaleSlope: 1,
    rescaleIntercept: 0,
    windows: [],
    voiLutFunction: 'LINEAR',
    voiLuts: [],
    presentationLutShape: '',
    ...overrides,
  };
}
