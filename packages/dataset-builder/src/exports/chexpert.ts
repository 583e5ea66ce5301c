/**
 * A CheXpert-style label file, `CheXpert.csv`, for tools written for the Stanford CheXpert layout (train.csv):
 *
 * `Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding,<the label set's findings>,Split`
 *
 * The finding columns are the dataset's label set's, in its order: with `--labels chexpert` CheXpert's own 13
 * observations after No Finding (its train.csv layout); with `nih14` (the default, and an NIH import) the 14
 * ChestX-ray14 findings; with any other set, that set's columns.
 *
 * Values follow CheXpert's convention: `1.0` positive, `0.0` negative, `-1.0` uncertain, empty when the report does not
 * mention the finding. For an NIH import (binary labels) an unlisted finding is `0.0`. Path is relative to the dataset
 * folder; Sex is Male / Female / Unknown; Frontal/Lateral is always Frontal (the builder keeps frontal images only).
 * Split is an extra last column.
 */
import type { Database as Db } from 'better-sqlite3';
import { join } from 'node:path';
import { FINDINGS_14, NO_FINDING } from '@cxr8/labeler';
import { writeAtomic } from '@cxr8/labeler';
import { EXPORTED_IMAGES } from './nih.js';

const VALUES: Record<string, string> = { '1': '1.0', '0': '0.0', '-1': '-1.0' };
const SEX: Record<string, string> = { M: 'Male', F: 'Female', O: 'Unknown', '': 'Unknown' };

/**
 * The text of CheXpert.csv. `absentValue` is what an unmentioned finding becomes: '' for report-mined labels, '0.0' for
 * binary (NIH) labels.
 *
 * @example
 * ```ts
 * chexpertCsv(store.db, '').split('\n')[0]; // "Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding,Atelectasis,...,Split"
 * ```
 */
export function chexpertCsv(db: Db, absentValue: '' | '0.0', imagesDir = 'images', findings: readonly string[] = FINDINGS_14): string {
  const columns = [NO_FINDING, ...findings] as string[];
  // One primary-key lookup per label column, inside SQLite.
  const lookups = columns.map((_, k) => `(SELECT value FROM labels l WHERE l.image_id = i.id AND l.finding = @f${k})`).join(', ');
  const params = Object.fromEntries(columns.map((c, k) => [`f${k}`, c]));
  const lines = [['Path', 'Sex', 'Age', 'Frontal/Lateral', 'AP/PA', ...columns, 'Split'].join(',')];
  const rows = db
    .prepare(
      `SELECT i.image_index, p.sex, i.age_years, i.view, i.split,
              EXISTS (SELECT 1 FROM labels l WHERE l.image_id = i.id AND l.value = 1 AND l.finding <> 'No Finding'), ${lookups}
       FROM images i JOIN patients p ON p.id = i.patient_id
       WHERE ${EXPORTED_IMAGES} ORDER BY i.image_index`,
    )
    .raw()
    .iterate(params) as Iterable<(string | number | null)[]>;
  for (const r of rows) {
    const [imageIndex, sex, age, view, split, anyPositive, ...values] = r;
    const cells = values.map((v, k) => {
      if (v !== null) return VALUES[String(v)] ?? '';
      // Binary labels: No Finding is positive exactly when no finding is.
      if (k === 0 && absentValue === '0.0') return anyPositive ? '0.0' : '1.0';
      return absentValue;
    });
    lines.push([`${imagesDir}/${imageIndex}`, SEX[String(sex)] ?? 'Unknown', age ?? '', 'Frontal', view, ...cells, split].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Writes `CheXpert.csv` into `outDir`, with the columns of `findings` (default the NIH 14).
 *
 * @example
 * ```ts
 * await writeChexpertCsv(store.db, 'out/demo', '');
 * ```
 */
export async function writeChexpertCsv(db: Db, outDir: string, absentValue: '' | '0.0', imagesDir = 'images', findings: readonly string[] = FINDINGS_14): Promise<void> {
  await writeAtomic(join(outDir, 'CheXpert.csv'), chexpertCsv(db, absentValue, imagesDir, findings));
}
