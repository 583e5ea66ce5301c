/**
 * A tiny synthetic shard dataset for tests: grey noisy images with a bright square ("Square") and/or a dark bar
 * ("Bar") planted at random places, written with the builder's ShardWriter and manifest.
 */
import { mkdtemp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShardWriter, writeShardManifest } from '@cxr8/dataset-builder';
import type { ShardBox, ShardHeader, ShardManifest, Split } from '@cxr8/dataset-builder';

export const TINY_FINDINGS = ['Square', 'Bar'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

export async function makeTinyDataset(
  options: { size?: number; train?: number; val?: number; seed?: number; perShard?: number } = {},
): Promise<string> {
  const size = options.size ?? 32;
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-tiny-'));
  await mkdir(join(dir, 'shards'));
  const random = rng(options.seed ?? 7);
  const manifest: ShardManifest = { version: 1, size, findings: TINY_FINDINGS, shards: [] };
  const perShard = options.perShard ?? 16;
  for (const [split, count] of [['train', options.train ?? 32], ['val', options.val ?? 16]] as [Split, number][]) {
    const header: ShardHeader = { version: 1, split, size, findings: TINY_FINDINGS };
    for (let start = 0, index = 0; start < count; start += perShard, index++) {
      const file = `${split}-${String(index).padStart(5, '0')}.cxs`;
      const writer = await ShardWriter.create(join(dir, 'shards', file), header);
      for (let i = start; i < Math.min(count, start + perShard); i++) {
        const pixels = new Uint8Array(size * size);
        for (let k = 0; k < pixels.length; k++) pixels[k] = 100 + Math.floor(random() * 30);
        const square = i % 2 === 0;
        const bar = i % 3 === 0;
        const boxes: ShardBox[] = [];
        const scale = 1024 / size;
        if (square) {
          const s = Math.floor(size / 4);
          const x = Math.floor(random() * (size - s));
          const y = Math.floor(random() * (size - s));
          for (let yy = y; yy < y + s; yy++) for (let xx = x; xx < x + s; xx++) pixels[yy * size + xx] = 240;
          boxes.push({ finding: 0, x: x * scale, y: y * scale, w: s * scale, h: s * scale });
        }
        if (bar) {
          const y = Math.floor(random() * (size - 3));
          for (let yy = y; yy < y + 3; yy++) for (let xx = 2; xx < size - 2; xx++) pixels[yy * size + xx] = 10;
        }
        const labels = Int8Array.from([square ? 1 : 0, bar ? 1 : -128]);
        await writer.write({ id: `${String(i).padStart(8, '0')}_${split}.png`, labels, boxes, pixels });
      }
      manifest.shards.push({ file, split, count: await writer.close() });
    }
  }
  await writeShardManifest(dir, manifest);
  return dir;
}
