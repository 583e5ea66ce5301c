/**
 * Stage 7 of `buildDataset`, render: DICOM to PNG in the worker pool (tasks.ts `render`, dicom/render.ts), the copies
 * of an instance tried in turn (copies.ts); the same pixels at the shard size are spooled for the shards stage.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RENDERED, renderOrder, settleCopies } from '../copies.js';
import type { CopyRow } from '../copies.js';
import { batcher, recordFailure, statements } from '../store.js';
import { SOURCES_SQL } from '../sql/sources.js';
import { IMAGES_SQL } from '../sql/images.js';
import { FAILURES_SQL } from '../sql/failures.js';
import { mapOrdered } from '../pool.js';
import type { TaskResult } from '../tasks.js';
import { createProgress } from '../progress.js';
import { SHARD_PIXELS_DIR, forgetShardsDigest, shardPixelsPath } from '../exports/shards.js';
import type { StageContext } from './context.js';
import { makeDirectory } from '@cxr8/labeler';

/**
 * Where an image's PNG goes under `images/`: its NIH name once it has one, else a provisional name (an image without
 * a report yet, or not yet named) in `images/.pending/`, which nameStage moves to the final name.
 *
 * @example
 * ```ts
 * pngPath({ image_index: null, source_key: '5c1e0a9b3f2d...' }); // '.pending/5c1e0a9b3f2d....png'
 * ```
 */
export function pngPath(image: { image_index: string | null; source_key: string }): string {
  return image.image_index ?? `.pending/${image.source_key.slice(0, 24)}.png`;
}

/** Options of {@link renderStage}. */
export interface RenderOptions {
  /** PNG width and height (`--size`). */
  size: number;
  /**
   * Shard image size (`--shard-size`; 0 or absent: none): each rendered PNG's pixels are also resized to it and
   * spooled under `.shard-pixels/` for the shards stage, which then need not decode the PNG.
   */
  shardSize?: number;
}

/** What the render stage did. */
export interface RenderCounts {
  /** Images rendered this run. */
  rendered: number;
  /** Copies recorded as duplicates of an instance another copy renders (copies.ts `settleCopies`). */
  duplicates: number;
}

/**
 * Stage 7, render: each pending image's copies, one task each in path order (copies.ts), until one renders to an
 * 8-bit PNG at `--size` (temp name, then rename); failures are recorded per copy; then `settleCopies` records the
 * copies that did not render as duplicates. With `shardSize`, the task also spools the PNG's pixels at the shard size
 * (`.shard-pixels/`, exports/shards.ts), from the same pixels the PNG holds. A named image rendered again (its DICOM
 * changed) replaces its PNG under the same name: the shards digest is then forgotten with the new render, so the
 * shards stage writes the new pixels.
 *
 * @example
 * ```ts
 * const { rendered, duplicates } = await renderStage(ctx, { size: 1024, shardSize: 224 });
 * ```
 */
export async function renderStage(ctx: StageContext, options: RenderOptions): Promise<RenderCounts> {
  const { db, dicomDir, out, pool } = ctx;
  const { size } = options;
  const shardSize = options.shardSize ?? 0;
  const progressStream = ctx.progress;
  const images = statements(db, IMAGES_SQL);
  const sources = statements(db, SOURCES_SQL);
  const todo = images.toRender.all() as { id: number; image_index: string | null; source_key: string }[];
  if (todo.some((t) => t.image_index === null)) await makeDirectory(join(out, 'images', '.pending'));
  if (shardSize > 0 && todo.length > 0) await makeDirectory(join(out, SHARD_PIXELS_DIR));
  const spool = (t: (typeof todo)[number]) => (shardSize > 0 ? { shardSize, shardPath: shardPixelsPath(out, t.source_key) } : {});
  const copiesOf = sources.copiesOf;
  const ok = images.setRendered;
  const failed = images.setFailed;
  const setOutcome = sources.setOutcome;
  const clearKept = sources.clearOutcome;
  const clearRenderFailure = statements(db, FAILURES_SQL).clearRender;
  const batch = batcher(db, 50);
  const progress = createProgress({ label: 'render', total: todo.length, stream: progressStream });
  let rendered = 0;
  type Attempt = { copy: CopyRow; result: TaskResult };
  // Copies one task at a time, until one renders (copies.ts): a copy that fails, kills its thread or times out
  // costs only itself.
  const run = async (t: (typeof todo)[number]): Promise<{ copies: CopyRow[]; attempts: Attempt[]; replaces: boolean }> => {
    // A named image's PNG already there: this render replaces pixels that its shard record may hold.
    const replaces = t.image_index !== null && existsSync(join(out, 'images', t.image_index));
    const copies = copiesOf.all(t.source_key) as CopyRow[];
    const attempts: Attempt[] = [];
    for (const copy of renderOrder(copies)) {
      const result = await pool.run({ kind: 'render', path: join(dicomDir, copy.path), file: copy.ref, outPath: join(out, 'images', pngPath(t)), size, ...spool(t) });
      attempts.push({ copy, result });
      if (result.ok) break;
    }
    return { copies, attempts, replaces };
  };
  for await (const [t, { copies, attempts, replaces }] of mapOrdered(todo, pool.capacity, run)) {
    progress.tick();
    const last = attempts[attempts.length - 1];
    if (last && last.result.ok && last.result.kind === 'render') {
      rendered++;
      const r = last.result;
      batch.add(() => {
        ok.run(pngPath(t), r.width, r.height, r.originalWidth, r.originalHeight, t.id);
        clearKept.run(t.source_key, RENDERED);
        setOutcome.run(RENDERED, last.copy.ref);
        for (const a of attempts) if (!a.result.ok) setOutcome.run(a.result.reason, a.copy.ref);
        for (const c of copies) clearRenderFailure.run(c.ref);
        if (replaces) forgetShardsDigest(db);
      });
    } else if (attempts.length === 0) {
      batch.add(() => {
        failed.run(t.id);
        recordFailure(db, `image ${t.id}`, 'render', 'expected a DICOM file of this image in the export index; found none (the file was removed or changed)');
      });
    } else {
      // No copy renders: each copy is a failure with its own reason.
      const also = attempts.length > 1 ? ` (none of the ${attempts.length} copies with this SOP Instance UID renders)` : '';
      batch.add(() => {
        failed.run(t.id);
        for (const a of attempts) {
          const reason = a.result.ok ? 'expected a rendered PNG; found another task result' : a.result.reason;
          setOutcome.run(reason, a.copy.ref);
          recordFailure(db, a.copy.ref, 'render', `${reason}${also}`);
        }
      });
    }
  }
  batch.flush();
  progress.done();
  // The copies that did not give their instance its PNG are now known: recorded as duplicates (copies.ts).
  const { duplicates } = settleCopies(db);
  return { rendered, duplicates };
}

