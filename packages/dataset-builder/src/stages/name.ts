/**
 * Stage 8 of `buildDataset`, name: `{patient:08d}_{followup:03d}.png` for the images that entered the dataset, then
 * the PNGs move from `images/.pending/` (deidentify.ts `imageIndexName`).
 */
import { rename, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { imageIndexName } from '../deidentify.js';
import { batcher, statements } from '../store.js';
import { IMAGES_SQL } from '../sql/images.js';
import type { StageContext } from './context.js';

/**
 * Stage 8, name: names the images that have just entered the dataset (rendered, and their study has a report): per patient, the
 * next follow-up numbers after the highest it has, in study order (Study Date, Study Time), then Series Number,
 * Instance Number, Acquisition DateTime and path. A name, once given, never changes, so follow-up numbers are
 * contiguous over the dataset's images, and in date order within each build; an earlier study that arrives in a
 * later build gets the next numbers. The names are committed in one transaction, then the PNGs are moved from
 * their provisional names; a run killed in between finishes the moves on the next run. Returns how many were named.
 *
 * @example
 * ```ts
 * await nameStage(ctx); // 9: 00000001_000.png ...
 * ```
 */
export async function nameStage(ctx: StageContext): Promise<number> {
  const { db, out } = ctx;
  const images = statements(db, IMAGES_SQL);
  const todo = images.toName.all() as { id: number; patient_id: number }[];
  const nextOf = images.nextFollowup.pluck();
  const setName = images.setName;
  db.transaction(() => {
    let patient = -1;
    let followup = 0;
    for (const t of todo) {
      if (t.patient_id !== patient) {
        patient = t.patient_id;
        followup = nextOf.get(patient) as number;
      }
      setName.run(imageIndexName(patient, followup), followup, t.id);
      followup++;
    }
  })();
  const moves = images.toMove.all() as { id: number; file: string | null; image_index: string }[];
  const setFile = images.setFile;
  const batch = batcher(db, 200);
  for (const m of moves) {
    const target = join(out, 'images', m.image_index);
    try {
      if (m.file !== null) await rename(join(out, 'images', m.file), target);
    } catch (error) {
      // Moved by a run killed before it recorded the move; anything else (the PNG deleted by hand) renders again.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (!(await stat(target).catch(() => undefined))) {
        batch.add(() => images.setPending.run(m.id));
        continue;
      }
    }
    batch.add(() => setFile.run(m.image_index, m.id));
  }
  batch.flush();
  // The provisional folder goes when empty, so that images/ holds only the dataset's PNGs.
  await rmdir(join(out, 'images', '.pending')).catch(() => undefined);
  return todo.length;
}

