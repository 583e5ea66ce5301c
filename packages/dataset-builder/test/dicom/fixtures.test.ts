import test from 'ava';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { isDicom, parseDicom } from '../../src/dicom/parse.js';
import { renderToGray8 } from '../../src/dicom/render.js';
import { DicomError } from '../../src/errors.js';
import type { ManifestEntry } from '../../../../scripts/fixtures/manifest.js';
import { repoRoot } from './helpers.js';

const pacs = join(repoRoot, 'fixtures/pacs');

/** A MANIFEST.json entry, as scripts/make-fixtures.ts writes it. */
type Entry = ManifestEntry;

const manifest = JSON.parse(readFileSync(join(pacs, 'MANIFEST.json'), 'utf8')) as { files: Entry[] };

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p) : [relative(pacs, p).split(sep).join('/')];
  });
}

test('every fixture file is in MANIFEST.json with its sha256, and nothing else is there', (t) => {
  const onDisk = listFiles(pacs).filter((p) => p !== 'MANIFEST.json').sort();
  t.deepEqual(onDisk, manifest.files.map((f) => f.path).sort());
  for (const f of manifest.files) {
    const bytes = readFileSync(join(pacs, f.path));
    t.is(bytes.length, f.bytes, f.path);
    t.is(createHash('sha256').update(bytes).digest('hex'), f.sha256, `${f.path}: run npm run fixtures and commit`);
  }
  const total = manifest.files.reduce((a, f) => a + f.bytes, 0);
  t.true(total < 1.5 * 1024 * 1024, `fixtures hold ${total} bytes`);
});

test('fixture DICOM files read as the manifest says: headers, renders, and typed failures', async (t) => {
  const same = (actual: unknown, expected: unknown, what: string) => t.is(actual, expected, what);
  for (const f of manifest.files) {
    const bytes = readFileSync(join(pacs, f.path));
    if (f.kind === 'not-dicom' || f.kind === 'reports-csv') {
      t.false(isDicom(bytes), f.path);
      continue;
    }
    t.true(isDicom(bytes), f.path);
    if ('reason' in f.expected && f.expected.reason === 'truncated') {
      const error = t.throws(() => parseDicom(bytes, f.path), { instanceOf: DicomError }, f.path);
      t.is(error?.reason, 'truncated');
      continue;
    }
    const parsed = parseDicom(bytes, f.path);
    if (f.kind === 'dicomdir') {
      t.true(parsed.header.isDicomDir, f.path);
      continue;
    }
    same(parsed.header.transferSyntaxUid, f.transferSyntax, f.path);
    same(parsed.header.sopInstanceUid, f.sopInstanceUid, f.path);
    same(parsed.header.patientId, f.patientId, f.path);
    same(parsed.header.accessionNumber, f.accessionNumber, f.path);
    same(parsed.header.studyDate, f.studyDate, f.path);
    same(parsed.header.modality, f.modality, f.path);
    if (f.kind === 'dicom-sr') {
      t.false(parsed.header.hasPixelData);
      t.regex(parsed.header.srText ?? '', /pleural effusion/);
      continue;
    }
    if (f.expected.outcome === 'failed') {
      const error = await t.throwsAsync(renderToGray8(parsed), { instanceOf: DicomError }, f.path);
      same(error?.reason, f.expected.reason, f.path);
      continue;
    }
    const { pixels, width, height } = await renderToGray8(parsed);
    same(width, f.columns, f.path);
    same(height, f.rows, f.path);
    // Rendering regression: the full-size 8-bit pixels are those recorded when the fixtures were made.
    same(createHash('sha256').update(pixels).digest('hex'), f.renderedSha256, `${f.path}: rendering changed (if on purpose: npm run fixtures)`);
    // A rendered radiograph uses a good part of the grey range.
    let min = 255;
    let max = 0;
    for (const v of pixels) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    t.true(max - min > 100, `${f.path}: grey range ${min}..${max}`);
  }
});

test('frontal chest fixtures show dark lungs beside a bright mediastinum, whatever their syntax and polarity', async (t) => {
  for (const f of manifest.files.filter((e) => e.expected.outcome === 'included')) {
    const { pixels, width, height } = await renderToGray8(parseDicom(readFileSync(join(pacs, f.path)), f.path));
    const at = (u: number, v: number) => pixels[Math.round(v * (height - 1)) * width + Math.round(u * (width - 1))]!;
    const lung = (at(0.3, 0.42) + at(0.7, 0.42)) / 2;
    const spine = at(0.5, 0.3);
    t.true(spine - lung > 40, `${f.path}: lung ${lung}, mediastinum ${spine}`);
  }
});
