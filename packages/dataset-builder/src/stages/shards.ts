/**
 * Stage 10 of `buildDataset`, shards: the dataset's PNGs resized in the pool and packed with their labels and boxes
 * into `shards/` (exports/shards.ts; the format is src/shards.ts).
 */
import { writeDatasetShards } from '../exports/shards.js';
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
 * undefined when `--shard-size` is 0.
 *
 * @example
 * ```ts
 * const shards = await shardsStage(ctx, { size: 224, records: 1000, findings: labelSet.findings });
 * shards?.records; // 9
 * ```
 */
export async function shardsStage(ctx: StageContext, options: ShardsStageOptions): Promise<ShardsSummary | undefined> {
  if (options.size <= 0) return undefined;
  return writeDatasetShards(ctx.db, ctx.out, { size: options.size, records: options.records, pool: ctx.pool, progress: ctx.progress, findings: options.findings });
}
