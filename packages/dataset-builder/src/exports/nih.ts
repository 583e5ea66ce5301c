/**
 * The NIH ChestX-ray14 release files, written from `dataset.sqlite` in exactly the public layout (PAPER.md section 2;
 * compare `../shared/data/nih-cxr14`):
 *
 * - `Data_Entry.csv` (as `Data_Entry_2017_v2020.csv`): `Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,
 *   Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y]`; the two bracketed headers
 *   each span two columns; Finding Labels by the rule of the labeler's nih writer (`nihFindingLabels`): the findings
 *   at 1 in alphabetical order joined by "|" (an NIH import keeps the release's order); else "No Finding" when the
 *   image's No Finding is 1; else empty (No Finding 0 or -1, e.g. "Possible mass.": Mass -1; calling that
 *   "No Finding" would call a suspected mass normal). An NIH import stores No Finding 1 for its "No Finding" rows.
 *   LF line ends.
 * - `train_val_list.txt` and `test_list.txt`: one Image Index a line, sorted, no newline after the last.
 * - `BBox_List.csv` (only when boxes exist): `Image Index,Finding Label,Bbox [x,y,w,h],,,` with the NIH class
 *   spelling "Infiltrate".
 *
 * Only images that are in the dataset are written: rendered ones for a PACS build, every row for an NIH import.
 * Every file is written to a temporary name and renamed, so a killed run never leaves half a file.
 */
import type { Database as Db } from 'better-sqlite3';
import { rm } from 'node:fs/promises';
import { writeAtomic } from '@cxr8/labeler';
import { join } from 'node:path';
import { getMeta } from '../store.js';

/** The header of Data_Entry_2017_v2020.csv. */
export const DATA_ENTRY_HEADER =
  'Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y]';
/** The header of BBox_List_2017.csv (three unnamed columns after the bracketed one). */
export const BBOX_HEADER = 'Image Index,Finding Label,Bbox [x,y,w,h],,,';

/**
 * The SQL condition (on `images i`) for images that belong to the exported dataset: rendered (or, for an NIH import,
 * listed in Data_Entry), named, and labeled (their study has a report). Images without a report stay in `images`,
 * unnamed and unexported.
 */
export const EXPORTED_IMAGES = "i.image_index IS NOT NULL AND i.png_status IN ('done', 'metadata', 'missing') AND i.study_id IN (SELECT id FROM studies WHERE has_report = 1)";

/**
 * NIH spelling of a finding in BBox_List (the release spells Infiltration "Infiltrate" there only).
 *
 * @example
 * ```ts
 * bboxLabelName('Infiltration'); // 'Infiltrate'
 * ```
 */
export function bboxLabelName(finding: string): string {
  return finding === 'Infiltration' ? 'Infiltrate' : finding;
}

/**
 * The text of Data_Entry.csv for a dataset.
 *
 * @example
 * ```ts
 * dataEntryCsv(store.db).split('\n')[1]; // "00000001_000.png,Cardiomegaly,0,1,57,M,PA,2682,2749,0.143,0.143"
 * ```
 */
export function dataEntryCsv(db: Db): string {
  // An NIH import keeps the release's row order (Data_Entry_2017_v2020 is not sorted by name); a build sorts by name.
  const order = getMeta(db, 'kind') === 'nih' ? 'i.id' : 'i.image_index';
  // Positive findings per image, alphabetical; an NIH import keeps the release's own order (its evidence has a rank).
  // None: "No Finding" only when the image's No Finding is 1, else empty (the labeler's nihFindingLabels rule).
  const rows = db
    .prepare(
      `SELECT i.image_index, coalesce((SELECT group_concat(l.finding, '|' ORDER BY coalesce(l.evidence ->> '$[0].rank', 0), l.finding)
                FROM labels l WHERE l.image_id = i.id AND l.value = 1 AND l.finding <> 'No Finding'),
              CASE WHEN EXISTS (SELECT 1 FROM labels l WHERE l.image_id = i.id AND l.finding = 'No Finding' AND l.value = 1) THEN 'No Finding' ELSE '' END),
              i.followup, i.patient_id, i.age_years, p.sex, i.view, i.original_width, i.original_height, i.pixel_spacing_x, i.pixel_spacing_y
       FROM images i JOIN patients p ON p.id = i.patient_id
       WHERE ${EXPORTED_IMAGES} ORDER BY ${order}`,
    )
    .raw()
    .iterate() as Iterable<(string | number | null)[]>;
  const lines = [DATA_ENTRY_HEADER];
  for (const r of rows) lines.push(r.map((v) => (v === null ? '' : String(v))).join(','));
  return `${lines.join('\n')}\n`;
}

/**
 * The Image Index lists of the official-split files: train and val go to train_val_list, test to test_list.
 *
 * @example
 * ```ts
 * splitLists(store.db).test; // "00000003_000.png\n00000003_001.png"
 * ```
 */
export function splitLists(db: Db): { trainVal: string; test: string } {
  const select = db.prepare(`SELECT i.image_index FROM images i WHERE i.split IN (SELECT value FROM json_each(?)) AND ${EXPORTED_IMAGES} ORDER BY i.image_index`).pluck();
  return {
    trainVal: (select.all(JSON.stringify(['train', 'val'])) as string[]).join('\n'),
    test: (select.all(JSON.stringify(['test'])) as string[]).join('\n'),
  };
}

/**
 * The text of BBox_List.csv, or undefined when the dataset has no boxes.
 *
 * @example
 * ```ts
 * bboxCsv(store.db)?.split('\n')[0]; // "Image Index,Finding Label,Bbox [x,y,w,h],,,"
 * ```
 */
export function bboxCsv(db: Db): string | undefined {
  const rows = db
    .prepare(
      `SELECT i.image_index, b.finding, b.x, b.y, b.w, b.h FROM boxes b JOIN images i ON i.id = b.image_id
       WHERE ${EXPORTED_IMAGES} ORDER BY b.id`,
    )
    .all() as { image_index: string; finding: string; x: number; y: number; w: number; h: number }[];
  if (rows.length === 0) return undefined;
  const lines = [BBOX_HEADER, ...rows.map((r) => [r.image_index, bboxLabelName(r.finding), r.x, r.y, r.w, r.h].join(','))];
  return `${lines.join('\n')}\n`;
}

/**
 * Writes Data_Entry.csv, train_val_list.txt, test_list.txt and (when boxes exist) BBox_List.csv into `outDir`.
 * Returns the names of the files written.
 *
 * @example
 * ```ts
 * await writeNihExports(store.db, 'out/demo'); // ['Data_Entry.csv', 'train_val_list.txt', 'test_list.txt']
 * ```
 */
export async function writeNihExports(db: Db, outDir: string): Promise<string[]> {
  await writeAtomic(join(outDir, 'Data_Entry.csv'), dataEntryCsv(db));
  const lists = splitLists(db);
  await writeAtomic(join(outDir, 'train_val_list.txt'), lists.trainVal);
  await writeAtomic(join(outDir, 'test_list.txt'), lists.test);
  const written = ['Data_Entry.csv', 'train_val_list.txt', 'test_list.txt'];
  const boxes = bboxCsv(db);
  if (boxes !== undefined) {
    await writeAtomic(join(outDir, 'BBox_List.csv'), boxes);
    written.push('BBox_List.csv');
  } else {
    await rm(join(outDir, 'BBox_List.csv'), { force: true });
  }
  return written;
}
