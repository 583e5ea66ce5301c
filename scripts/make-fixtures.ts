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
 * Run: `npm run fixtures` (= `node --import=tsx --conditions=source scripts/make-fixtures.ts`). It uses the
 * packages by name (`@cxr8/dataset-builder`'s DICOM writer and renderer, `@cxr8/labeler`'s CSV quoting), from their
 * sources, so it needs no build. The parts: `fixtures/radiographs.ts` (the pixels), `fixtures/export-plan.ts`
 * (patients, studies, image files and their elements), `fixtures/reports.ts`, `fixtures/manifest.ts`.
 *
 * @example
 * ```sh
 * npm run fixtures && git status fixtures/pacs   # nothing changes when the fixtures are current
 * ```
 */
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SopClass, TransferSyntax, writeDicom } from '@cxr8/dataset-builder';
import { S, SITE, elementsOf, images, patients, uid } from './fixtures/export-plan.js';
import { createManifest } from './fixtures/manifest.js';
import { makeImage } from './fixtures/radiographs.js';
import { reports, reportsCsv, srReport } from './fixtures/reports.js';

const root = fileURLToPath(new URL('../fixtures/pacs/', import.meta.url));

async function main(): Promise<void> {
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  const manifest = createManifest(root);
  const put = manifest.put;

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

  await put('reports.csv', Buffer.from(reportsCsv(), 'utf8'), {
    kind: 'reports-csv',
    description: `${reports.length} reports; A19990101 has no images; ${S.brown1.accession} (an image) and ${S.brown2.accession} (the truncated file) have no report; ${S.garcia2.accession} is reported by the SR`,
    expected: { outcome: 'report', reason: 'csv' },
  });

  manifest.entries.sort((a, b) => (a.path < b.path ? -1 : 1));
  const doc = {
    version: 1,
    generator: 'scripts/make-fixtures.ts (npm run fixtures)',
    note: 'Synthetic, invented data. expected.outcome: included (a frontal chest radiograph that becomes a dataset image), excluded (found and read, not selected: reason), failed (recorded in failures: reason), skipped (not an image: reason), report (a report source).',
    summary: {
      patients: Object.keys(patients).length,
      images: manifest.entries.filter((m) => m.kind === 'dicom-image').length,
      included: manifest.entries.filter((m) => m.expected.outcome === 'included').length,
      reportsWithoutImage: ['A19990101'],
      includedImagesWithoutReport: [S.brown1.accession],
      srReports: [S.garcia2.accession],
      identifiers: Object.values(patients).flatMap((p) => [p.name, p.id, p.birthDate, p.spoken]),
    },
    files: manifest.entries,
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
  console.log(`fixtures/pacs: ${manifest.entries.length} files + MANIFEST.json, ${(total / 1024).toFixed(0)} KiB`);
  for (const m of manifest.entries) console.log(`  ${relative(root, join(root, m.path)).split(sep).join('/')}  ${m.bytes} B  ${m.expected.outcome}${'reason' in m.expected ? ` (${m.expected.reason})` : ''}`);
}

await main();
