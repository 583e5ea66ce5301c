import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShardWriter, readShard, readSplit, writeShardManifest, LABEL_NOT_MENTIONED } from '../src/shards.js';
import type { ShardHeader, ShardRecord } from '../src/shards.js';

const header: ShardHeader = { version: 1, split: 'train', size: 4, findings: ['Atelectasis', 'Mass'] };

function record(i: number): ShardRecord {
  return {
    id: `0000000${i}_000.png`,
    labels: Int8Array.from([1, i % 2 === 0 ? LABEL_NOT_MENTIONED : -1]),
    boxes: i === 1 ? [{ finding: 1, x: 10.5, y: 20, w: 30, h: 40 }] : [],
    pixels: Uint8Array.from({ length: 16 }, (_, k) => (k * 16 + i) % 256),
  };
}

test('a shard written record by record streams back the same records', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-shards-'));
  await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'shards')));
  const writer = await ShardWriter.create(join(dir, 'shards', 'train-00000.cxs'), header);
  for (let i = 0; i < 3; i++) await writer.write(record(i));
  t.is(await writer.close(), 3);
  await writeShardManifest(dir, { version: 1, size: 4, findings: header.findings, shards: [{ file: 'train-00000.cxs', split: 'train', count: 3 }] });
  const back: ShardRecord[] = [];
  for await (const r of readSplit(dir, 'train')) back.push(r);
  t.deepEqual(back, [record(0), record(1), record(2)]);
  const none: ShardRecord[] = [];
  for await (const r of readSplit(dir, 'test')) none.push(r);
  t.is(none.length, 0);
});

test('a file that is not a shard is refused with its name', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-shards-'));
  const path = join(dir, 'bad.cxs');
  await import('node:fs/promises').then((fs) => fs.writeFile(path, 'hello world, not a shard'));
  await t.throwsAsync(async () => {
    for await (const _ of readShard(path)) void _;
  }, { message: /bad\.cxs: not a shard/ });
});
