/**
 * What a label set costs a build (issue 9 item 4; docs/architecture/dataset-builder.md "Label sets"): a build of a
 * synthetic export with `nih14`, a re-run (nothing to do), a rebuild with `chexpert` (every study relabeled in place,
 * exports and shards rewritten, no PNG rendered) and a rebuild with a set of a site's own (a finding from a lexicon
 * folder). Prints a table: wall seconds, studies labeled, PNGs rendered, peak RSS.
 *
 * node --import=tsx bench/label-sets.ts --images 2000        # also run by `npm run bench`
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDataset } from '../src/pipeline.js';
import type { BuildOptions } from '../src/pipeline.js';
import { makeManyPacs } from '../test/helpers/pacs.js';
import { writeSiteLexicon } from '../test/helpers/site-lexicon.js';

function argOf(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name}: expected a positive integer, found "${process.argv[i + 1] ?? ''}"`);
  return v;
}

/**
 * Runs the label-set bench over `images` synthetic images and prints its table.
 *
 * @example
 * ```ts
 * await runLabelSetBench(2000);
 * ```
 */
export async function runLabelSetBench(images: number): Promise<void> {
  const pacs = await makeManyPacs(images, 32);
  const scratch = await mkdtemp(join(tmpdir(), 'cxr8-bench-label-sets-'));
  try {
    const { lexicons, set: setFile } = await writeSiteLexicon(scratch, ['Cardiomegaly', 'Nodule', 'Scoliosis']);
    const base: BuildOptions = { dicomDir: pacs.dicom, reports: [pacs.reports], out: join(scratch, 'out'), size: 32, shardSize: 16, workers: 1, progress: null };
    const steps: [string, Partial<BuildOptions>][] = [
      ['build, nih14', {}],
      ['re-run, nih14 (nothing to do)', {}],
      ['rebuild with chexpert (relabel in place)', { labelSet: 'chexpert' }],
      ['rebuild with a site set file + --lexicons', { labelSet: setFile, lexiconDirs: [lexicons] }],
    ];
    const rows = ['| run | wall s | studies labeled | PNGs rendered | shards rewritten | peak RSS MB |', '|---|---:|---:|---:|---|---:|'];
    for (const [name, extra] of steps) {
      const started = process.hrtime.bigint();
      const s = await buildDataset({ ...base, ...extra });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      rows.push(`| ${name} | ${seconds.toFixed(2)} | ${s.labeledThisRun} | ${s.images.renderedThisRun} | ${s.shards?.skipped ? 'no' : 'yes'} | ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} |`);
    }
    console.log(`Label sets, ${images} synthetic 32x32 images with reports, 1 worker:\n\n${rows.join('\n')}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await rm(pacs.root, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await runLabelSetBench(argOf('images', 2000));
