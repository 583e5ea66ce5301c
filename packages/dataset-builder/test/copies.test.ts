/**
 * Copies of one instance and pixels that can carry identifiers, end to end with real builds (issue 10, items 2-4):
 * the dataset keeps a copy that renders, whatever the path order and the worker count, and after a good copy appears
 * or disappears; burned-in / secondary-capture images are excluded unless allowed; --assume-chest; blank renderings
 * fail with their reason; the summary counts excluded images by reason.
 */
import test from 'ava';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { buildDataset } from '../src/pipeline.js';
import type { BuildOptions, BuildSummary } from '../src/pipeline.js';
import { writeDicom } from '../src/dicom/write.js';
import type { DicomItem } from '../src/dicom/write.js';
import { SopClass, TransferSyntax } from '../src/dicom/dictionary.js';
import { pixels } from './helpers/pacs.js';

const quick = { size: 32, shardSize: 0, progress: null } as const;

/** A CR chest PA of one patient and study, with `extra` elements; 48 x 48, 12 bits, Explicit VR LE. */
function chestBytes(sop: string, extra: DicomItem = {}, seed = 1): Promise<Uint8Array> {
  return writeDicom({
    transferSyntax: TransferSyntax.ExplicitVRLittleEndian,
    elements: {
      SOPClassUID: SopClass.ComputedRadiography,
      SOPInstanceUID: sop,
      StudyInstanceUID: '1.2.826.0.1.3680043.77.1',
      SeriesInstanceUID: '1.2.826.0.1.3680043.77.1.1',
      AccessionNumber: 'ACC7701',
      StudyDate: '20200101',
      PatientName: 'COPY^CASE',
      PatientID: 'MRN-7701',
      PatientSex: 'F',
      Modality: 'CR',
      BodyPartExamined: 'CHEST',
      ViewPosition: 'PA',
      WindowCenter: '2048',
      WindowWidth: '4096',
      ...extra,
    },
    pixels: { data: pixels(seed), rows: 48, columns: 48, bitsStored: 12, photometricInterpretation: 'MONOCHROME2' },
  });
}

async function exportDir(files: Record<string, Uint8Array>): Promise<{ root: string; dicom: string; reports: string }> {
  const root = await mkdtemp(join(tmpdir(), 'cxr8-copies-'));
  const dicom = join(root, 'dicom');
  for (const [path, bytes] of Object.entries(files)) {
    await mkdir(dirname(join(dicom, path)), { recursive: true });
    await writeFile(join(dicom, path), bytes);
  }
  const reports = join(root, 'reports.csv');
  await writeFile(reports, 'accession_number,report_text\nACC7701,"IMPRESSION: Cardiomegaly."\n');
  return { root, dicom, reports };
}

function build(pacs: { root: string; dicom: string; reports: string }, options: Partial<BuildOptions> = {}): Promise<BuildSummary> {
  return buildDataset({ dicomDir: pacs.dicom, reports: [pacs.reports], out: join(pacs.root, 'out'), workers: 0, ...quick, ...options });
}

/** `excluded` and `failures` rows by source path (through the private key file), and the images in the dataset. */
function tables(summary: BuildSummary): { excluded: Record<string, string>; failures: Record<string, string>; images: { png_status: string; file: string | null }[] } {
  const db = new Database(join(summary.out, 'dataset.sqlite'), { readonly: true });
  try {
    db.prepare('ATTACH DATABASE ? AS private').run(summary.keyFile);
    const pathOf = new Map((db.prepare('SELECT ref, path FROM private.sources').all() as { ref: string; path: string }[]).map((r) => [r.ref, r.path]));
    const excluded = Object.fromEntries((db.prepare('SELECT file, reason FROM excluded').all() as { file: string; reason: string }[]).map((r) => [pathOf.get(r.file) ?? r.file, r.reason]));
    const failures = Object.fromEntries((db.prepare('SELECT file, reason FROM failures').all() as { file: string; reason: string }[]).map((r) => [pathOf.get(r.file) ?? r.file, r.reason]));
    const images = db.prepare('SELECT png_status, file FROM images').all() as { png_status: string; file: string | null }[];
    return { excluded, failures, images };
  } finally {
    db.close();
  }
}

const SOP = '1.2.826.0.1.3680043.77.1.1.1';

for (const workers of [0, 2]) {
  test(`a truncated copy that sorts first does not cost the image: the whole copy is kept (workers ${workers})`, async (t) => {
    const whole = await chestBytes(SOP);
    const pacs = await exportDir({ 'a/IM1': whole.subarray(0, whole.length - 1500), 'b/IM1': whole });
    const summary = await build(pacs, { workers });
    t.is(summary.failed, 0, JSON.stringify(summary.failures));
    t.is(summary.images.inDataset, 1);
    t.is(summary.images.duplicates, 1);
    const { excluded, failures, images } = tables(summary);
    t.deepEqual(failures, {});
    t.regex(excluded['a/IM1'] ?? '', /^duplicate: same SOP Instance UID as dicom:[0-9a-f]{12}; this copy does not render \(expected \d+ more bytes/);
    t.is(excluded['b/IM1'], undefined);
    t.is(images[0]?.png_status, 'done');
    t.true(existsSync(join(summary.out, 'images', images[0]!.file!)));
    t.deepEqual(summary.images.excludedByReason, [{ reason: 'duplicate', count: 1 }]);
    // A rerun changes nothing.
    const again = await build(pacs, { workers });
    t.is(again.failed, 0);
    t.is(again.images.inDataset, 1);
    t.deepEqual(tables(again).excluded, excluded);
    await rm(pacs.root, { recursive: true, force: true });
  });
}

test('a good copy that arrives later rescues a failed image; when it leaves, the image stays, nothing fails, and the broken copy is its duplicate', async (t) => {
  const whole = await chestBytes(SOP);
  const pacs = await exportDir({ 'a/IM1': whole.subarray(0, whole.length - 1500) });
  const first = await build(pacs);
  t.is(first.failed, 1);
  t.is(first.images.inDataset, 0);
  t.regex(tables(first).failures['a/IM1'] ?? '', /^expected \d+ more bytes/);

  await mkdir(join(pacs.dicom, 'b'), { recursive: true });
  await writeFile(join(pacs.dicom, 'b/IM1'), whole);
  const second = await build(pacs);
  t.is(second.failed, 0, JSON.stringify(second.failures));
  t.is(second.images.inDataset, 1);
  t.regex(tables(second).excluded['a/IM1'] ?? '', /^duplicate: .*this copy does not render/);

  await rm(join(pacs.dicom, 'b'), { recursive: true });
  const third = await build(pacs);
  t.is(third.failed, 0, JSON.stringify(third.failures));
  t.is(third.images.inDataset, 1, 'the PNG rendered from the good copy stays');
  t.is(third.images.duplicates, 1);
  t.regex(tables(third).excluded['a/IM1'] ?? '', /^duplicate: same SOP Instance UID as the copy this image was rendered from \(no longer in the export\); this copy does not render/);
  await rm(pacs.root, { recursive: true, force: true });
});

test('a copy cut inside its header still names its instance in the File Meta group: a duplicate when another copy renders, else a failure', async (t) => {
  const whole = await chestBytes(SOP);
  const pacs = await exportDir({ 'a/IM1': whole.subarray(0, 420), 'b/IM1': whole });
  const summary = await build(pacs);
  t.is(summary.failed, 0, JSON.stringify(summary.failures));
  t.is(summary.images.duplicates, 1);
  t.regex(tables(summary).excluded['a/IM1'] ?? '', /^duplicate: same SOP Instance UID as dicom:[0-9a-f]{12}; this copy does not render \(expected .* the file has \d+ left\)$/);
  // The whole copy removed: the image keeps its PNG, the broken copy stays a duplicate of the copy that is gone.
  await rm(join(pacs.dicom, 'b'), { recursive: true });
  const after = await build(pacs);
  t.is(after.failed, 0);
  t.is(after.images.inDataset, 1);
  t.regex(tables(after).excluded['a/IM1'] ?? '', /^duplicate: same SOP Instance UID as the copy this image was rendered from \(no longer in the export\); this copy does not render/);
  await rm(pacs.root, { recursive: true, force: true });
  // In an export without a whole copy it is the parse failure it is.
  const alonePacs = await exportDir({ 'a/IM1': whole.subarray(0, 420) });
  const alone = await build(alonePacs);
  t.is(alone.failed, 1);
  t.deepEqual(tables(alone).excluded, {});
  t.regex(tables(alone).failures['a/IM1'] ?? '', /^expected .* the file has \d+ left/);
  await rm(alonePacs.root, { recursive: true, force: true });
});

test('when no copy renders, each copy is a failure with its own reason and none is a duplicate', async (t) => {
  const whole = await chestBytes(SOP);
  const pacs = await exportDir({ 'a/IM1': whole.subarray(0, whole.length - 1500), 'b/IM1': whole.subarray(0, whole.length - 700) });
  const summary = await build(pacs, { workers: 2 });
  t.is(summary.failed, 2);
  t.is(summary.images.inDataset, 0);
  t.is(summary.images.duplicates, 0);
  const { excluded, failures } = tables(summary);
  t.deepEqual(excluded, {});
  for (const path of ['a/IM1', 'b/IM1']) t.regex(failures[path] ?? '', /^expected \d+ more bytes .*\(none of the 2 copies with this SOP Instance UID renders\)$/);
  await rm(pacs.root, { recursive: true, force: true });
});

test('two good copies: the first in path order is kept, as before', async (t) => {
  const whole = await chestBytes(SOP);
  const pacs = await exportDir({ 'a/IM1': whole, 'b/IM1': whole });
  const summary = await build(pacs);
  t.is(summary.failed, 0);
  t.regex(tables(summary).excluded['b/IM1'] ?? '', /^duplicate: same SOP Instance UID as dicom:[0-9a-f]{12}$/);
  await rm(pacs.root, { recursive: true, force: true });
});

test('burned-in, secondary-capture and body-part-less images are excluded by reason, and a rerun with --allow-burned-in --assume-chest selects them', async (t) => {
  const pacs = await exportDir({
    'p/burned': await chestBytes('1.2.826.0.1.3680043.77.1.1.2', { BurnedInAnnotation: 'YES', InstanceNumber: 2 }, 2),
    'p/capture': await chestBytes('1.2.826.0.1.3680043.77.1.1.3', { SOPClassUID: SopClass.SecondaryCapture, ImageType: ['DERIVED', 'SECONDARY'], InstanceNumber: 3 }, 3),
    'p/nobody': await chestBytes('1.2.826.0.1.3680043.77.1.1.4', { BodyPartExamined: '', InstanceNumber: 4 }, 4),
    'p/plain': await chestBytes(SOP, { InstanceNumber: 1 }, 1),
  });
  const first = await build(pacs);
  t.is(first.images.selected, 1);
  t.deepEqual(first.images.excludedByReason, [
    { reason: 'burned-in annotation', count: 1 },
    { reason: 'not a chest image', count: 1 },
    { reason: 'secondary capture', count: 1 },
  ]);
  const { excluded } = tables(first);
  t.regex(excluded['p/burned'] ?? '', /BurnedInAnnotation YES/);
  t.regex(excluded['p/capture'] ?? '', /SOP Class 1\.2\.840\.10008\.5\.1\.4\.1\.1\.7/);
  // The same files, other selection options: headers are read again and classified anew, without a rerender of
  // the image already in the dataset.
  const second = await build(pacs, { allowBurnedIn: true, assumeChest: true });
  t.is(second.images.selected, 4);
  t.is(second.images.inDataset, 4);
  t.is(second.images.renderedThisRun, 3);
  t.deepEqual(second.images.excludedByReason, []);
  t.deepEqual(tables(second).excluded, {});
  // Back to the defaults: excluded again, and out of the dataset with their PNGs (pixels that may show a name).
  const third = await build(pacs);
  t.is(third.images.selected, 1);
  t.is(third.images.excluded, 3);
  t.is(third.images.inDataset, 1);
  t.is(tables(third).images.length, 1);
  t.deepEqual(readdirSync(join(third.out, 'images')), [tables(third).images[0]!.file]);
  await rm(pacs.root, { recursive: true, force: true });
});

test('an image whose Rescale Slope is 0 renders to one value: a failure that says so, not a blank PNG', async (t) => {
  const pacs = await exportDir({ 'p/slope0': await chestBytes(SOP, { RescaleSlope: '0', RescaleIntercept: '100', WindowCenter: '', WindowWidth: '' }) });
  const summary = await build(pacs);
  t.is(summary.failed, 1);
  t.is(summary.images.inDataset, 0);
  t.regex(tables(summary).failures['p/slope0'] ?? '', /^blank image: expected a radiograph spanning many gray levels; found 100\.0% of the pixels at level 0 .*Rescale Slope is 0/);
  await rm(pacs.root, { recursive: true, force: true });
});
