import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildDataset } from '../src/pipeline.js';
import { readSplit } from '../src/shards.js';
import type { ShardRecord } from '../src/shards.js';
import { SHARD_PIXELS_DIR } from '../src/exports/shards.js';
import { runTask } from '../src/tasks.js';
import { IMAGES, makePacs, writeImage } from './helpers/pacs.js';
import type { ImageSpec } from './helpers/pacs.js';

const quick = { size: 64, shardSize: 16, workers: 0, progress: null } as const;

async function recordsById(out: string): Promise<Map<string, ShardRecord>> {
  const records = new Map<string, ShardRecord>();
  for (const split of ['train', 'val', 'test'] as const) for await (const r of readSplit(out, split)) records.set(r.id, r);
  return records;
}

/** The shard-size pixels of a PNG decoded afresh (the shard task without a spool file). */
async function decodedPixels(png: string, size: number): Promise<Uint8Array> {
  const r = await runTask({ kind: 'shard', path: png, file: png, size });
  if (!r.ok || r.kind !== 'shard') throw new Error(`cannot decode ${png}: ${r.ok ? r.kind : r.reason}`);
  return r.pixels;
}

test('an image rendered again with new pixels under the same name gets a new shard record (the render forgets the shards digest)', async (t) => {
  const pacs = await makePacs();
  const out = join(pacs.root, 'out');
  const options = { dicomDir: pacs.dicom, reports: [pacs.reports], out, ...quick };
  await buildDataset(options);
  const before = await recordsById(out);
  t.true(before.size > 1);
  const unchanged = await buildDataset(options);
  t.true(unchanged.shards?.skipped, 'nothing changed: the shards are up to date');

  // The export sends the first image again with other pixels (same SOP Instance UID, same path, same length).
  const spec = IMAGES[0] as ImageSpec;
  await writeImage(pacs.dicom, spec, 42);
  const later = new Date(Date.now() + 5000);
  await utimes(join(pacs.dicom, spec.path), later, later);
  const rebuilt = await buildDataset(options);
  t.is(rebuilt.images.renderedThisRun, 1);
  t.false(rebuilt.shards?.skipped, 'a re-rendered PNG makes the shards stale');
  // Its pixels came from the render's spool; the others, spooled by the first build and deleted since, are decoded.
  t.is(rebuilt.shards?.decoded, (rebuilt.shards?.records ?? 0) - 1);
  const after = await recordsById(out);
  t.deepEqual([...after.keys()], [...before.keys()]);
  const changed = [...after.keys()].filter((id) => Buffer.compare(Buffer.from(after.get(id)!.pixels), Buffer.from(before.get(id)!.pixels)) !== 0);
  t.is(changed.length, 1, `exactly the re-rendered image's record changes, found ${changed.join(', ')}`);
  const id = changed[0]!;
  t.deepEqual(after.get(id)!.pixels, await decodedPixels(join(out, 'images', id), 16), 'the record holds the new PNG\'s pixels');
  for (const other of after.keys()) if (other !== id) t.deepEqual(after.get(other), before.get(other));
});

test('no spool outlives the shards stage: not of sharded images, not of rendered images outside the dataset, not when shards are up to date or off', async (t) => {
  const pacs = await makePacs();
  const out = join(pacs.root, 'out');
  const spool = join(out, SHARD_PIXELS_DIR);
  const options = { dicomDir: pacs.dicom, reports: [pacs.reports], out, ...quick };
  const fresh = await buildDataset(options);
  // ACC3002 has no report: its image is rendered (images/.pending/) but not in the dataset, and its spool goes too.
  t.true(fresh.images.rendered > fresh.images.inDataset, 'the fixture renders an image that is not in the dataset');
  t.is(fresh.shards?.decoded, 0);
  t.false(existsSync(spool));
  // A stray spool file (a run stopped before its shards stage, an image dropped since) goes at the end of the next run,
  // whose shards are up to date.
  await mkdir(spool, { recursive: true });
  await writeFile(join(spool, '0123456789abcdef01234567.gray'), Buffer.alloc(16));
  const rerun = await buildDataset(options);
  t.true(rerun.shards?.skipped);
  t.false(existsSync(spool));
  await mkdir(spool, { recursive: true });
  await writeFile(join(spool, '0123456789abcdef01234567.gray'), Buffer.alloc(16));
  const off = await buildDataset({ ...options, shardSize: 0 });
  t.is(off.shards, undefined);
  t.false(existsSync(spool));
});
