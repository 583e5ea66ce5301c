/**
 * A seeded fuzz test of `buildDataset` (issue 10, item 6): mutants of every DICOM file of fixtures/pacs (bit flips,
 * header bit flips, truncations, corrupted lengths, random tails; every transfer syntax the fixtures hold) in one
 * export, built with two worker threads and a per-file time limit. Asserted: the build ends with a summary, every
 * file is accounted for (in images, excluded, failures, reports, or counted as not DICOM), no reason carries raw
 * JavaScript error text, and no file runs into the time limit. The larger run, with the NEMA radiograph and peak
 * memory, is bench/fuzz.ts.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDicom, parseDicom } from '../src/dicom/parse.js';
import { buildDataset } from '../src/pipeline.js';
import { repoRoot } from './dicom/helpers.js';
import { auditBuild, writeMutants } from './helpers/mutants.js';

const SEED = 20261202;
const PER_SOURCE = 20;

const fixtures = join(repoRoot, 'fixtures/pacs');
const manifest = JSON.parse(readFileSync(join(fixtures, 'MANIFEST.json'), 'utf8')) as { files: { path: string; transferSyntax?: string }[] };
const sources = manifest.files
  .filter((f) => f.path.startsWith('dicom/'))
  .map((f) => ({ name: f.path, bytes: new Uint8Array(readFileSync(join(fixtures, f.path))), transferSyntax: f.transferSyntax ?? '' }))
  .filter((f) => isDicom(f.bytes.subarray(0, 132)))
  .map((f) => ({ ...f, sopInstanceUid: parseDicom(f.bytes, f.name, { stopAtPixelData: true }).header.sopInstanceUid }));

test(`${sources.length * PER_SOURCE} mutants of the fixtures: a summary, every file accounted for, no raw error text, no hang`, async (t) => {
  t.timeout(120_000);
  const syntaxes = new Set(sources.map((s) => s.transferSyntax).filter((s) => s !== ''));
  t.true(syntaxes.size >= 10, `fixtures cover ${syntaxes.size} transfer syntaxes`);
  const root = await mkdtemp(join(tmpdir(), 'cxr8-fuzz-'));
  try {
    const dicom = join(root, 'dicom');
    const mutants = await writeMutants(dicom, sources, PER_SOURCE, SEED);
    const summary = await buildDataset({
      dicomDir: dicom,
      reports: [join(fixtures, 'reports.csv')],
      out: join(root, 'out'),
      size: 32,
      shardSize: 0,
      workers: 2,
      taskTimeoutMs: 30_000,
      progress: null,
    });
    const audit = auditBuild(summary, mutants.map((m) => m.path));
    t.log(`${audit.files} mutants of ${sources.length} files (${syntaxes.size} transfer syntaxes): ${JSON.stringify(audit.outcomes)}; ${summary.seconds.toFixed(1)} s`);
    t.deepEqual(audit.unaccounted, []);
    t.deepEqual(audit.rawReasons, []);
    t.deepEqual(audit.hangs, []);
    // The mutants do exercise the failure paths and the good ones still make images.
    t.true((audit.outcomes.failed ?? 0) > 50);
    t.true((audit.outcomes.image ?? 0) > 5);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
