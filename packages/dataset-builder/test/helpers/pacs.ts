/**
 * A small synthetic PACS export for the pipeline tests, written with the DICOM writer: three patients with names,
 * hospital ids, birth dates, accession numbers and UIDs that must never reach the dataset, plus the awkward cases
 * (lateral view, non-chest image, duplicate copy, corrupt file, DICOMDIR, non-DICOM file, an SR report, a report
 * without an image and an image without a report).
 */
import { mkdir, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDicom, writeDicomSync } from '../../src/dicom/write.js';
import { SopClass, TransferSyntax } from '../../src/dicom/dictionary.js';
import type { DicomItem } from '../../src/dicom/write.js';

/** Every identifier written into the export: none may appear in any output file. */
export const IDENTIFIERS = [
  'DOE^JANE',
  'DOE',
  'JANE',
  'ROE^RICHARD',
  'RICHARD',
  'POE^EDGAR',
  'EDGAR',
  'HOSP-0001',
  'HOSP-0002',
  'HOSP-0003',
  'HOSP-0009',
  'ACC1001',
  'ACC1002',
  'ACC2001',
  'ACC3001',
  'ACC3002',
  'ACC4001',
  'ACC9999',
  '19600215',
  '19451103',
  '19820630',
  '20190312',
  '20200105',
  '20180707',
  '20210420',
  '20210421',
  '2019-03-12',
  '03/12/2019',
  '1.2.826.0.1.3680043.10.1001',
  '1.2.826.0.1.3680043.10.2001',
  '1.2.826.0.1.3680043.10.3001',
  '1.2.826.0.1.3680043.10.1002.',
  'Smithfield',
];

export function pixels(seed: number, size = 48): Uint16Array {
  const data = new Uint16Array(size * size);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 37 + seed * 101) % 4096) & 0xfff;
  return data;
}

export interface ImageSpec {
  path: string;
  patient: [name: string, id: string, birth: string, sex: string];
  study: [uid: string, accession: string, date: string];
  sop: string;
  modality?: string;
  bodyPart?: string;
  view?: string;
  viewCode?: string;
  photometric?: string;
  syntax?: string;
  /** Study Time (TM), Series Number and Instance Number, when the test orders images by them. */
  time?: string;
  series?: number;
  instance?: number;
}

function elementsOf(s: ImageSpec): DicomItem {
  const e: DicomItem = {
    SOPClassUID: s.modality === 'DX' ? SopClass.DigitalXRayPresentation : SopClass.ComputedRadiography,
    SOPInstanceUID: s.sop,
    StudyInstanceUID: s.study[0],
    SeriesInstanceUID: `${s.study[0]}.1`,
    AccessionNumber: s.study[1],
    StudyDate: s.study[2],
    PatientName: s.patient[0],
    PatientID: s.patient[1],
    PatientBirthDate: s.patient[2],
    PatientSex: s.patient[3],
    Modality: s.modality ?? 'CR',
    BodyPartExamined: s.bodyPart ?? 'CHEST',
    ViewPosition: s.view ?? 'PA',
    InstitutionName: 'Smithfield General',
    ImagerPixelSpacing: ['0.143', '0.143'],
    WindowCenter: '2048',
    WindowWidth: '4096',
  };
  if (s.time !== undefined) e.StudyTime = s.time;
  if (s.series !== undefined) e.SeriesNumber = s.series;
  if (s.instance !== undefined) e.InstanceNumber = s.instance;
  if (s.viewCode) e.ViewCodeSequence = [{ CodeValue: 'R-10214', CodingSchemeDesignator: 'SRT', CodeMeaning: s.viewCode }];
  return e;
}

const DOE: ImageSpec['patient'] = ['DOE^JANE', 'HOSP-0001', '19600215', 'F'];
const ROE: ImageSpec['patient'] = ['ROE^RICHARD', 'HOSP-0002', '19451103', 'M'];
const POE: ImageSpec['patient'] = ['POE^EDGAR', 'HOSP-0003', '19820630', 'M'];
const DOE_STUDY1: ImageSpec['study'] = ['1.2.826.0.1.3680043.10.1001', 'ACC1001', '20190312'];

/** ROE's image, also exported a second time under another folder (the duplicate). */
const ROE_IMAGE: Omit<ImageSpec, 'path'> = {
  patient: ROE,
  study: ['1.2.826.0.1.3680043.10.2001', 'ACC2001', '20180707'],
  sop: '1.2.826.0.1.3680043.10.2001.1.1',
  view: '',
  viewCode: 'postero-anterior',
  syntax: TransferSyntax.ImplicitVRLittleEndian,
};

/** The image specs of the export (paths relative to the DICOM root). */
export const IMAGES: ImageSpec[] = [
  { path: 'DOE/study1/IM0001', patient: DOE, study: DOE_STUDY1, sop: '1.2.826.0.1.3680043.10.1001.1.1' },
  { path: 'DOE/study1/IM0002', patient: DOE, study: DOE_STUDY1, sop: '1.2.826.0.1.3680043.10.1001.1.2', view: 'LL' },
  {
    path: 'DOE/study2/IM0001.dcm',
    patient: DOE,
    study: ['1.2.826.0.1.3680043.10.1002', 'ACC1002', '20200105'],
    sop: '1.2.826.0.1.3680043.10.1002.1.1',
    modality: 'DX',
    view: 'AP',
    photometric: 'MONOCHROME1',
    syntax: TransferSyntax.RLELossless,
  },
  { path: 'ROE/a/b/c/0001', ...ROE_IMAGE },
  { path: 'copy/ROE-again.dcm', ...ROE_IMAGE },
  { path: 'POE/hand.dcm', patient: POE, study: ['1.2.826.0.1.3680043.10.3001', 'ACC3001', '20210420'], sop: '1.2.826.0.1.3680043.10.3001.1.1', bodyPart: 'HAND' },
  {
    path: 'POE/chest.dcm',
    patient: POE,
    study: ['1.2.826.0.1.3680043.10.3002', 'ACC3002', '20210421'],
    sop: '1.2.826.0.1.3680043.10.3002.1.1',
    syntax: TransferSyntax.ExplicitVRBigEndian,
  },
];

/** Reports CSV (RFC 4180 quoting, identifiers included). ACC3002 has no report; ACC9999 has no image. */
export const REPORTS_CSV = [
  'accession_number,report_text,patient_id,study_date',
  'ACC1001,"FINDINGS: The heart is enlarged. No pneumothorax.\nIMPRESSION: Cardiomegaly.",HOSP-0001,20190312',
  'ACC1002,"FINDINGS: Small right pleural effusion, ""new"" since 03/12/2019.\nIMPRESSION: Right pleural effusion. Discussed with Dr SMITHFIELD.",HOSP-0001,20200105',
  'ACC2001,"IMPRESSION: No acute cardiopulmonary process. Lungs are clear.",HOSP-0002,20180707',
  'ACC9999,"IMPRESSION: Right upper lobe mass.",HOSP-0009,20170101',
  '',
].join('\r\n');

/** The bytes of one image of the export. */
export function imageBytes(spec: ImageSpec, seed: number, size = 48): Promise<Uint8Array> {
  return writeDicom({
    transferSyntax: spec.syntax ?? TransferSyntax.ExplicitVRLittleEndian,
    elements: elementsOf(spec),
    pixels: { data: pixels(seed, size), rows: size, columns: size, bitsStored: 12, photometricInterpretation: spec.photometric ?? 'MONOCHROME2' },
  });
}

/** Writes one image of the export. */
export async function writeImage(root: string, spec: ImageSpec, seed: number, size = 48): Promise<void> {
  await mkdir(join(root, spec.path, '..'), { recursive: true });
  await writeFile(join(root, spec.path), await imageBytes(spec, seed, size));
}

/** Writes the export under a new temporary folder; returns `{ root, dicom, reports }`. */
export async function makePacs(options: { corrupt?: boolean } = {}): Promise<{ root: string; dicom: string; reports: string }> {
  const root = await mkdtemp(join(tmpdir(), 'cxr8-pacs-'));
  const dicom = join(root, 'dicom');
  await mkdir(dicom, { recursive: true });
  let seed = 0;
  for (const spec of IMAGES) await writeImage(dicom, spec, seed++);
  // An SR document carrying the report of a study whose CSV row is missing: ACC4001 (patient 3, chest DX).
  await writeImage(dicom, {
    path: 'POE/sr-study/IM1',
    patient: POE,
    study: ['1.2.826.0.1.3680043.10.4001', 'ACC4001', '20210421'],
    sop: '1.2.826.0.1.3680043.10.4001.1.1',
    modality: 'DX',
  }, seed++);
  const sr = writeDicomSync({
    transferSyntax: TransferSyntax.ExplicitVRLittleEndian,
    elements: {
      SOPClassUID: SopClass.BasicTextSR,
      SOPInstanceUID: '1.2.826.0.1.3680043.10.4001.9.1',
      StudyInstanceUID: '1.2.826.0.1.3680043.10.4001',
      AccessionNumber: 'ACC4001',
      StudyDate: '20210421',
      PatientName: 'POE^EDGAR',
      PatientID: 'HOSP-0003',
      Modality: 'SR',
      ValueType: 'CONTAINER',
      ContentSequence: [
        { RelationshipType: 'CONTAINS', ValueType: 'TEXT', ConceptNameCodeSequence: [{ CodeValue: '121071', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Finding' }], TextValue: 'Large left pneumothorax.' },
      ],
    },
  });
  await writeFile(join(dicom, 'POE/sr-study/SR1'), sr);
  await writeFile(join(dicom, 'README.txt'), 'Export of 3 patients. Not DICOM.\n');
  await writeFile(
    join(dicom, 'DICOMDIR'),
    writeDicomSync({ transferSyntax: TransferSyntax.ExplicitVRLittleEndian, elements: { SOPClassUID: SopClass.MediaStorageDirectory, SOPInstanceUID: '1.2.3.4' } }),
  );
  if (options.corrupt !== false) {
    // A file that starts as DICOM and is cut off inside its header.
    const good = await imageBytes({ ...(IMAGES[0] as ImageSpec), sop: '1.2.826.0.1.3680043.10.1001.1.77' }, 9);
    await writeFile(join(dicom, 'DOE/study1/IM0077'), good.subarray(0, 300));
    // A file whose header is whole but whose pixel data is cut short: it fails when rendered.
    const cut = await imageBytes({ ...(IMAGES[0] as ImageSpec), sop: '1.2.826.0.1.3680043.10.1001.1.78' }, 10);
    await writeFile(join(dicom, 'DOE/study1/IM0078'), cut.subarray(0, cut.length - 2000));
  }
  const reports = join(root, 'reports.csv');
  await writeFile(reports, REPORTS_CSV);
  return { root, dicom, reports };
}

/**
 * A larger export for the resume test: `n` frontal chest images of `n / 2` patients (two studies each), with a
 * reports CSV covering every study.
 */
export async function makeManyPacs(n: number, size: number): Promise<{ root: string; dicom: string; reports: string }> {
  const root = await mkdtemp(join(tmpdir(), 'cxr8-many-'));
  const dicom = join(root, 'dicom');
  const rows = ['accession_number,report_text'];
  const texts = ['IMPRESSION: Cardiomegaly.', 'FINDINGS: Small left pleural effusion.', 'IMPRESSION: No acute disease.', 'IMPRESSION: Right upper lobe nodule.'];
  for (let i = 0; i < n; i++) {
    const p = Math.floor(i / 2);
    const acc = `ACX${String(i).padStart(5, '0')}`;
    await writeImage(
      dicom,
      {
        path: `P${String(p).padStart(4, '0')}/S${i % 2}/IM${i}`,
        patient: [`PATIENT^${p}`, `MRN-X${p}`, '19500101', p % 2 === 0 ? 'F' : 'M'],
        study: [`1.2.826.0.1.3680043.99.${i}`, acc, `20${10 + (i % 2)}0${1 + (p % 9)}15`],
        sop: `1.2.826.0.1.3680043.99.${i}.1`,
      },
      i,
      size,
    );
    rows.push(`${acc},"${texts[i % texts.length]}"`);
  }
  const reports = join(root, 'reports.csv');
  await writeFile(reports, rows.join('\n'));
  return { root, dicom, reports };
}
