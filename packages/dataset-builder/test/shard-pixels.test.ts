import test from 'ava';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildDataset } from '../src/pipeline.js';
import { readSplit } from '../src/shards.js';
import type { ShardRecord } from '../src/shards.js';
import { SHARD_PIXELS_DIR } from '../src/exports/shards.js';
import { makePacs } from './helpers/pacs.js';

const quick = { size: 64, shardSize: 16, workers: 0, progress: null } as const;

async function allRecords(out: string): Promise<ShardRecord[]> {
  const records: ShardRecord[] = [];
  for (const split of ['train', 'val', 'test'] as const) for await (const r of readSplit(out, split)) records.push(r);
  return records.sort((a, b) => a.id.localeCompare(b.id));
}

test('shards from the render step\'s pixels equal shards decoded from the PNGs, and a run without the spool decodes', async (t) => {
  const pacs = await makePacs();
  const out = join(pacs.root, 'out', 'ds');
  const fresh = await buildDataset({ dicomDir: pacs.dicom, reports: [pacs.reports], out, ...quick });
  t.true((fresh.shards?.records ?? 0) > 0);
  t.is(fresh.shards?.decoded, 0, 'a fresh build writes every shard record from the rendered pixels');
  const fromSpool = await allRecords(out);
  // The spool of sharded images is gone once they are in the shards (an image rendered but not in the dataset keeps its own).
  const left = await readdir(join(out, SHARD_PIXELS_DIR)).catch(() => [] as string[]);
  t.true(left.length < fromSpool.length, 'the spool of sharded images is deleted');

  // Another shard size on the same PNGs: nothing spooled at that size, so every record is decoded from its PNG; back
  // at the first size, decoding again must give the very same records as the spooled pixels did.
  const other = await buildDataset({ dicomDir: pacs.dicom, reports: [pacs.reports], out, ...quick, shardSize: 8 });
  t.is(other.shards?.decoded, other.shards?.records);
  await rm(join(out, 'shards'), { recursive: true, force: true });
  const decodedRun = await buildDataset({ dicomDir: pacs.dicom, reports: [pacs.reports], out, ...quick });
  t.is(decodedRun.shards?.decoded, decodedRun.shards?.records);
  t.deepEqual(await allRecords(out), fromSpool);
});
