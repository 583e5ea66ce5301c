/**
 * A site's lexicon folder with a finding of its own (Scoliosis), and a label-set file using it: what a hospital
 * writes to add a label (docs/label-sets.md). Used by the builder's label-set test and bench and the trainer's test.
 *
 * @example
 * ```ts
 * const { lexicons, set } = await writeSiteLexicon('/tmp/x', ['Cardiomegaly', 'Scoliosis']);
 * // build-dataset --lexicons <lexicons> --labels <set>
 * ```
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function writeSiteLexicon(root: string, findings: readonly string[]): Promise<{ lexicons: string; set: string }> {
  const lexicons = join(root, 'site-lexicons');
  await mkdir(join(lexicons, 'findings'), { recursive: true });
  await writeFile(
    join(lexicons, 'findings', 'scoliosis.json'),
    JSON.stringify({
      finding: 'Scoliosis',
      description: 'Lateral curvature of the spine.',
      concepts: [{ cui: 'C0036439', name: 'Scoliosis', synonyms: ['scoliosis', 'dextroscoliosis', 'levoscoliosis'] }],
      exclusions: [],
      example: 'Mild thoracic dextroscoliosis.',
    }),
  );
  const set = join(root, 'site-set.json');
  await writeFile(set, JSON.stringify({ name: 'site', findings }));
  return { lexicons, set };
}
