/**
 * The shard stage: every image of the dataset, resized to `--shard-size`, packed with its labels and its boxes into
 * `shards/{split}-{index:05d}.cxs` (format in ../shards.ts) and listed in `shards/manifest.json`.
 *
 * Labels are int8 per finding of the dataset's label set (`findings`, default `meta.label_findings`, else the NIH
 * 14), in the set's order, which is the manifest's and every header's `findings`: 1, 0, -1 as stored, and for a
 * finding without a row either LABEL_NOT_MENTIONED (report-mined labels) or 0 (NIH binary labels,
 * `meta.labels_absent = 0`). Boxes are mapped to the set's findings by name (a box of a finding outside the set is
 * left out) and are in the 1024-pixel frame, as in BBox_List.
 *
 * The stage is skipped when a digest of everything that goes into the shards (findings, image names, splits, labels,
 * boxes, size) equals the one stored in `meta.shards_digest` by the last complete write; otherwise all shards are
 * rewritten into `.shards-partial/shards/` beside the old ones (each file through a `.partial` name) and the folder
 * is swapped in when done, so shards never mix two states of the dataset and a failed or stopped run leaves the old
 * set whole. Pixels are not in the digest (it is a function of the database, so a resumed build records the same one
 * as an uninterrupted build): an image rendered again under its name (its DICOM changed) makes the render stage
 * {@link forgetShardsDigest}, and the next write covers the new pixels.
 *
 * Pixels: the render stage spools each PNG's pixels at the shard size to `.shard-pixels/<key>.gray` (tasks.ts
 * `encodeShardPixels`: the same pixels the PNG holds, resized once more, tied to the PNG by its length and mtime), so
 * the shard task reads 50 KB instead of decoding a 1024-pixel PNG. A PNG without a matching spool file (rendered by an
 * earlier run or another `--shard-size`, an NIH import, a deleted spool) is decoded and resized as before: the same
 * bytes either way. The spool is the shards stage's to delete (stages/shards.ts `shardsStage` removes the folder
 * when it ends, whether the shards were written or up to date), so no spooled pixels outlive a build.
 */
import type { Database as Db } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { FINDINGS_14, makeDirectory } from '@cxr8/labeler';
import { LABEL_NOT_MENTIONED, ShardWriter, writeShardManifest } from '../shards.js';
import type { ShardBox, ShardHeader, ShardManifest, Split } from '../shards.js';
import type { TaskRunner } from '../pool.js';
import { mapOrdered } from '../pool.js';
import { createProgress } from '../progress.js';
import { getMeta, recordFailure, setMeta } from '../store.js';

/** What the shard stage wrote. */
export interface ShardsSummary {
  size: number;
  shards: number;
  records: number;
  /** True when the shards were already up to date. */
  skipped: boolean;
  /** Records whose pixels were decoded from their PNG (no spooled pixels of that PNG at this size). */
  decoded: number;
}

/** The folder (under the dataset folder) where the render stage spools shard-size pixels. */
export const SHARD_PIXELS_DIR = '.shard-pixels';

/**
 * The spool file of an image's shard-size pixels, named by its source key (which naming does not change).
 *
 * @example
 * ```ts
 * shardPixelsPath('out/demo', '5c1e0a9b3f2d4e6f7a8b9c0d1e2f...'); // 'out/demo/.shard-pixels/5c1e0a9b3f2d4e6f7a8b9c0d.gray'
 * ```
 */
export function shardPixelsPath(out: string, sourceKey: string): string {
  return join(out, SHARD_PIXELS_DIR, spoolName(sourceKey));
}

function spoolName(sourceKey: string): string {
  return `${sourceKey.slice(0, 24)}.gray`;
}

/** Options of {@link writeDatasetShards}. */
export interface ShardOptions {
  size: number;
  /** Records per shard file. */
  records: number;
  pool: TaskRunner;
  progress?: NodeJS.WriteStream | null;
  /** The label columns, in order (default: the dataset's `meta.label_findings`, else the NIH 14). */
  findings?: readonly string[];
}

/**
 * The label columns of a dataset's shards: `meta.label_findings` (the label set it was labeled with), else the NIH 14
 * (an NIH import, a dataset made before label sets).
 *
 * @example
 * ```ts
 * shardFindings(store.db); // ['Atelectasis', 'Cardiomegaly', ...]
 * ```
 */
export function shardFindings(db: Db): string[] {
  const recorded = getMeta(db, 'label_findings');
  if (recorded !== undefined) {
    try {
      const parsed = JSON.parse(recorded) as unknown;
      if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((f) => typeof f === 'string')) return parsed as string[];
    } catch {
      // A damaged record: the NIH 14, as before label sets.
    }
  }
  return [...FINDINGS_14];
}

interface ShardItem {
  id: number;
  image_index: string;
  source_key: string | null;
  split: Split;
  file: string;
  labels: Int8Array;
  boxes: ShardBox[];
}

const SPLITS: readonly Split[] = ['train', 'val', 'test'];

function loadItems(db: Db, absent: number, findings: readonly string[]): ShardItem[] {
  const findingIndex = new Map<string, number>(findings.map((f, i) => [f, i]));
  const items = db
    .prepare(
      "SELECT id, image_index, source_key, split, coalesce(file, image_index) AS file FROM images i WHERE i.png_status = 'done' AND i.image_index IS NOT NULL AND i.study_id IN (SELECT id FROM studies WHERE has_report = 1) ORDER BY image_index",
    )
    .all() as { id: number; image_index: string; source_key: string | null; split: Split; file: string }[];
  const byId = new Map<number, ShardItem>();
  const out = items.map((r) => {
    const item: ShardItem = { ...r, labels: new Int8Array(findings.length).fill(absent), boxes: [] };
    byId.set(r.id, item);
    return item;
  });
  for (const l of db.prepare('SELECT image_id, finding, value FROM labels').iterate() as Iterable<{ image_id: number; finding: string; value: number }>) {
    const i = findingIndex.get(l.finding);
    const item = byId.get(l.image_id);
    if (i !== undefined && item) item.labels[i] = l.value;
  }
  for (const b of db.prepare('SELECT image_id, finding, x, y, w, h FROM boxes ORDER BY id').iterate() as Iterable<{ image_id: number; finding: string; x: number; y: number; w: number; h: number }>) {
    const i = findingIndex.get(b.finding);
    const item = byId.get(b.image_id);
    if (i !== undefined && item) item.boxes.push({ finding: i, x: b.x, y: b.y, w: b.w, h: b.h });
  }
  return out;
}

function digestOf(items: readonly ShardItem[], size: number, records: number, findings: readonly string[]): string {
  const h = createHash('sha256').update(`${size}:${records}:${JSON.stringify(findings)}\n`);
  for (const it of items) h.update(`${it.image_index},${it.split},${it.file},${Array.from(it.labels).join(' ')},${JSON.stringify(it.boxes)}\n`);
  return h.digest('hex');
}

/**
 * Forgets the digest of the last complete shard write, so that the next {@link writeDatasetShards} writes the shards
 * again even where names, labels and splits are unchanged: the render stage calls it when it replaces the PNG of a
 * named image (new pixels under the same name), in the transaction that records the new render.
 *
 * @example
 * ```ts
 * forgetShardsDigest(store.db); // meta.shards_digest is gone: the shards stage rewrites the shards
 * ```
 */
export function forgetShardsDigest(db: Db): void {
  db.prepare("DELETE FROM meta WHERE key = 'shards_digest'").run();
}

/**
 * Writes the shards of a dataset folder (or confirms they are current).
 *
 * @example
 * ```ts
 * await writeDatasetShards(store.db, 'out/demo', { size: 224, records: 1000, pool: createPool(0) });
 * ```
 */
export async function writeDatasetShards(db: Db, out: string, options: ShardOptions): Promise<ShardsSummary> {
  const absent = getMeta(db, 'labels_absent') === '0' ? 0 : LABEL_NOT_MENTIONED;
  const imagesDir = getMeta(db, 'images_dir') ?? 'images';
  const base = isAbsolute(imagesDir) ? imagesDir : join(out, imagesDir);
  const findings = options.findings ? [...options.findings] : shardFindings(db);
  const items = loadItems(db, absent, findings);
  const digest = digestOf(items, options.size, options.records, findings);
  const shardDir = join(out, 'shards');
  if (getMeta(db, 'shards_digest') === digest && existsSync(join(shardDir, 'manifest.json'))) {
    const count = (await readdir(shardDir)).filter((n) => n.endsWith('.cxs')).length;
    return { size: options.size, shards: count, records: items.length, skipped: true, decoded: 0 };
  }
  // The new shards are written beside the old ones (out/.shards-partial/shards/) and swapped in only when at least
  // one record was written: a run that fails or is stopped midway leaves the previous shards whole.
  const stagingRoot = join(out, '.shards-partial');
  const stageDir = join(stagingRoot, 'shards');
  await rm(stagingRoot, { recursive: true, force: true });
  await makeDirectory(stageDir);
  const manifest: ShardManifest = { version: 1, size: options.size, findings: [...findings], shards: [] };
  const progress = createProgress({ label: 'shards', total: items.length, stream: options.progress === undefined ? process.stderr : options.progress });
  let written = 0;
  let decoded = 0;
  const shardTask = (it: ShardItem) => ({ kind: 'shard' as const, path: join(base, it.file), file: it.image_index, size: options.size, ...(it.source_key !== null ? { spoolPath: shardPixelsPath(out, it.source_key) } : {}) });
  db.prepare("DELETE FROM failures WHERE stage = 'shards'").run();
  for (const split of SPLITS) {
    const list = items.filter((i) => i.split === split);
    let writer: ShardWriter | undefined;
    const header: ShardHeader = { version: 1, split, size: options.size, findings: [...findings] };
    const closeWriter = async (): Promise<void> => {
      if (!writer) return;
      const file = writer.path.slice(stageDir.length + 1);
      const count = await writer.close();
      manifest.shards.push({ file, split, count });
      writer = undefined;
    };
    for await (const [item, r] of mapOrdered(list, options.pool.capacity, (it) => options.pool.run(shardTask(it)))) {
      progress.tick();
      if (!r.ok || r.kind !== 'shard') {
        recordFailure(db, item.image_index, 'shards', r.ok ? 'unexpected task result' : r.reason);
        continue;
      }
      if (!writer) writer = await ShardWriter.create(join(stageDir, `${split}-${String(manifest.shards.filter((s) => s.split === split).length).padStart(5, '0')}.cxs`), header);
      await writer.write({ id: item.image_index, labels: item.labels, boxes: item.boxes, pixels: r.pixels });
      written++;
      if (r.decoded) decoded++;
      if (writer.records >= options.records) await closeWriter();
    }
    await closeWriter();
  }
  progress.done();
  if (written === 0 && items.length > 0) {
    // Every record failed (each is in `failures`): the shards there are kept rather than replaced by none.
    await rm(stagingRoot, { recursive: true, force: true });
    return { size: options.size, shards: 0, records: 0, skipped: false, decoded: 0 };
  }
  await writeShardManifest(stagingRoot, manifest);
  const old = join(stagingRoot, 'old');
  if (existsSync(shardDir)) await rename(shardDir, old);
  await rename(stageDir, shardDir);
  await rm(stagingRoot, { recursive: true, force: true });
  setMeta(db, 'shards_digest', digest);
  return { size: options.size, shards: manifest.shards.length, records: written, skipped: false, decoded };
}
