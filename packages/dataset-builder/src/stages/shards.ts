/**
 * Stage 10 of `buildDataset`, shards: the dataset's PNGs resized in the pool and packed with their labels and boxes
 * into `shards/` (exports/shards.ts; the format is src/shards.ts), from the pixels the render stage spooled to
 * `.shard-pixels/` where they match; the spool is deleted when the stage ends.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SHARD_PIXELS_DIR, writeDatasetShards } from '../exports/shards.js';
import type { ShardsSummary } from '../exports/shards.js';
import type { StageContext } from './context.js';

/** Options of {@link shardsStage}. */
export interface ShardsStageOptions {
  /** Shard image size (`--shard-size`); 0: no shards. */
  size: number;
  /** Records per shard file (`--shard-records`). */
  records: number;
  /** The label set's findings, in its order. */
  findings: readonly string[];
}

/**
 * Stage 10, shards: writes (or, when their digest is unchanged, keeps) `shards/` for the dataset's images;
 * undefined when `--shard-size` is 0. Then `.shard-pixels/` is deleted whole, whatever it holds: the spool of the
 * images just sharded, and of images rendered but not in the dataset (no report yet, dropped since), which would
 * otherwise stay as loose pixel copies beside the dataset. Such an image, when it enters the dataset later, is
 * decoded from its PNG (counted in `decoded`). A run stopped inside this stage keeps the spool for the next one.
 *
 * @example
 * ```ts
 * const shards = await shardsStage(ctx, { size: 224, records: 1000, findings: labelSet.findings });
 * shards?.records; // 9
 * ```
 */
export async function shardsStage(ctx: StageContext, options: ShardsStageOptions): Promise<ShardsSummary | undefined> {
  const shards = options.size > 0 ? await writeDatasetShards(ctx.db, ctx.out, { size: options.size, records: options.records, pool: ctx.pool, progress: ctx.progress, findings: options.findings }) : undefined;
  await rm(join(ctx.out, SHARD_PIXELS_DIR), { recursive: true, force: true });
  return shards;
}
