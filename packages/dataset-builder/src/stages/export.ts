/**
 * Stage 9 of `buildDataset`, export: the NIH files (`Data_Entry.csv`, `train_val_list.txt`, `test_list.txt`,
 * `BBox_List.csv`; exports/nih.ts) and `CheXpert.csv` (exports/chexpert.ts), each through a temporary file.
 */
import { writeChexpertCsv } from '../exports/chexpert.js';
import { writeNihExports } from '../exports/nih.js';
import type { StageContext } from './context.js';

/** Options of {@link exportStage}. */
export interface ExportOptions {
  /** The label set's findings, in its order: the columns of `CheXpert.csv`. */
  findings: readonly string[];
}

/**
 * Stage 9, export: writes the dataset's NIH-format files and `CheXpert.csv` under `--out` from the database.
 *
 * @example
 * ```ts
 * await exportStage(ctx, { findings: labelSet.findings }); // out/Data_Entry.csv, out/CheXpert.csv, ...
 * ```
 */
export async function exportStage(ctx: StageContext, options: ExportOptions): Promise<void> {
  await writeNihExports(ctx.db, ctx.out);
  await writeChexpertCsv(ctx.db, ctx.out, '', 'images', options.findings);
}
