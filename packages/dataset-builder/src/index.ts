export {
  SHARD_MAGIC,
  LABEL_NOT_MENTIONED,
  ShardFormatError,
  ShardWriter,
  encodeShardHeader,
  encodeShardRecord,
  decodeShardRecord,
  readShard,
  readShardHeader,
  readShardManifest,
  writeShardManifest,
  readSplit,
} from './shards.js';
export type { Split, ShardHeader, ShardBox, ShardRecord, ShardManifest } from './shards.js';
