/**
 * Shards: the binary files the trainer streams. One shard holds up to `recordsPerShard` images of one split at the
 * training resolution, each packed with its labels and boxes, so that training reads a few large sequential files
 * instead of 100,000 PNGs, and never needs more than one record in memory.
 *
 * Layout of a shard file (`shards/{split}-{index:05d}.cxs`), all integers little endian:
 *
 * ```
 * magic        8 bytes   "CXR8SHD1"
 * headerLength u32       length of the JSON header that follows
 * header       utf8 JSON ShardHeader: { version: 1, split, size, findings: string[] }
 * records      repeated until end of file:
 *   recordLength u32     bytes of this record after this field
 *   idLength     u16     then the Image Index (utf8), e.g. "00000001_000.png"
 *   labels       int8 x F   one per header.findings entry: 1 positive, 0 negative, -1 uncertain, -128 not mentioned
 *   boxCount     u16     then boxCount x { finding u8 (index into header.findings), x, y, w, h float32 }
 *                        boxes are in the 1024-pixel frame of the NIH layout
 *   pixels       u8 x size*size   8-bit grayscale, row-major
 * ```
 *
 * Next to the shards, `shards/manifest.json` (ShardManifest) lists every shard with its split and record count.
 */
import { createReadStream } from 'node:fs';
import { open, readFile, writeFile, rename } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirectory } from '@cxr8/labeler';

/** The 8 magic bytes that start every shard file. */
export const SHARD_MAGIC = 'CXR8SHD1';
/** The value stored for a finding the report does not mention. */
export const LABEL_NOT_MENTIONED = -128;

/** A dataset split. */
export type Split = 'train' | 'val' | 'test';

/** The JSON header of one shard. */
export interface ShardHeader {
  version: 1;
  split: Split;
  /** Width and height of every image in the shard, in pixels. */
  size: number;
  /** The finding names, in the order of each record's labels. */
  findings: string[];
}

/** A box in the 1024-pixel frame, with the index of its finding in the header's findings. */
export interface ShardBox {
  finding: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One image of a shard. */
export interface ShardRecord {
  /** The NIH Image Index, e.g. "00000001_000.png". */
  id: string;
  /** One value per header finding: 1, 0, -1, or LABEL_NOT_MENTIONED. */
  labels: Int8Array;
  boxes: ShardBox[];
  /** size * size 8-bit grayscale pixels, row-major. */
  pixels: Uint8Array;
}

/** `shards/manifest.json`: what shards exist, for which split, with how many records. */
export interface ShardManifest {
  version: 1;
  size: number;
  findings: string[];
  shards: { file: string; split: Split; count: number }[];
}

/** A shard that does not follow the format above. */
export class ShardFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`@cxr8/dataset-builder: ${message}`, options);
    this.name = 'ShardFormatError';
  }
}

const BOX_BYTES = 1 + 4 * 4;

/**
 * Encodes the file prefix (magic, header length, header JSON) of a shard.
 *
 * @example
 * ```ts
 * const prefix = encodeShardHeader(header); // "CXR8SHD1", u32 header length, header JSON
 * ```
 */
export function encodeShardHeader(header: ShardHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(12);
  prefix.write(SHARD_MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(json.length, 8);
  return Buffer.concat([prefix, json]);
}

/**
 * Encodes one record, including its leading u32 length.
 *
 * @example
 * ```ts
 * const bytes = encodeShardRecord(header, { id: '00000001_000.png', labels, boxes: [], pixels });
 * ```
 */
export function encodeShardRecord(header: ShardHeader, record: ShardRecord): Buffer {
  const f = header.findings.length;
  if (record.labels.length !== f) {
    throw new ShardFormatError(`record ${record.id}: expected ${f} labels, found ${record.labels.length}`);
  }
  if (record.pixels.length !== header.size * header.size) {
    throw new ShardFormatError(
      `record ${record.id}: expected ${header.size}x${header.size} = ${header.size * header.size} pixels, found ${record.pixels.length}`,
    );
  }
  const id = Buffer.from(record.id, 'utf8');
  const length = 2 + id.length + f + 2 + record.boxes.length * BOX_BYTES + record.pixels.length;
  const out = Buffer.alloc(4 + length);
  let o = out.writeUInt32LE(length, 0);
  o = out.writeUInt16LE(id.length, o);
  o += id.copy(out, o);
  for (let i = 0; i < f; i++) o = out.writeInt8(record.labels[i] ?? LABEL_NOT_MENTIONED, o);
  o = out.writeUInt16LE(record.boxes.length, o);
  for (const b of record.boxes) {
    o = out.writeUInt8(b.finding, o);
    o = out.writeFloatLE(b.x, o);
    o = out.writeFloatLE(b.y, o);
    o = out.writeFloatLE(b.w, o);
    o = out.writeFloatLE(b.h, o);
  }
  out.set(record.pixels, o);
  return out;
}

/**
 * Decodes one record body (the bytes after its u32 length).
 *
 * @example
 * ```ts
 * const record = decodeShardRecord(header, body); // { id, labels, boxes, pixels }
 * ```
 */
export function decodeShardRecord(header: ShardHeader, body: Uint8Array): ShardRecord {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const f = header.findings.length;
  let o = 0;
  const idLength = buf.readUInt16LE(o);
  o += 2;
  const id = buf.toString('utf8', o, o + idLength);
  o += idLength;
  const labels = new Int8Array(f);
  for (let i = 0; i < f; i++) labels[i] = buf.readInt8(o + i);
  o += f;
  const boxCount = buf.readUInt16LE(o);
  o += 2;
  const boxes: ShardBox[] = [];
  for (let i = 0; i < boxCount; i++) {
    boxes.push({
      finding: buf.readUInt8(o),
      x: buf.readFloatLE(o + 1),
      y: buf.readFloatLE(o + 5),
      w: buf.readFloatLE(o + 9),
      h: buf.readFloatLE(o + 13),
    });
    o += BOX_BYTES;
  }
  const n = header.size * header.size;
  if (buf.length - o !== n) {
    throw new ShardFormatError(`record ${id}: expected ${n} pixel bytes, found ${buf.length - o}`);
  }
  return { id, labels, boxes, pixels: new Uint8Array(buf.subarray(o, o + n)) };
}

/**
 * Writes records to one shard file. Writes go to `{path}.partial` and are renamed on `close()`, so a killed run
 * never leaves a half-written shard under the final name.
 */
export class ShardWriter {
  private count = 0;
  private constructor(
    readonly path: string,
    readonly header: ShardHeader,
    private readonly handle: FileHandle,
  ) {}

  /** Opens a new shard at `path` and writes its header. */
  static async create(path: string, header: ShardHeader): Promise<ShardWriter> {
    const handle = await open(`${path}.partial`, 'w');
    await handle.write(encodeShardHeader(header));
    return new ShardWriter(path, header, handle);
  }

  /** Appends one record. */
  async write(record: ShardRecord): Promise<void> {
    await this.handle.write(encodeShardRecord(this.header, record));
    this.count++;
  }

  /** Number of records written so far. */
  get records(): number {
    return this.count;
  }

  /** Flushes, closes and moves the shard to its final name. Returns the record count. */
  async close(): Promise<number> {
    await this.handle.sync();
    await this.handle.close();
    await rename(`${this.path}.partial`, this.path);
    return this.count;
  }
}

/**
 * Reads the header of a shard file.
 *
 * @example
 * ```ts
 * const header = await readShardHeader('out/demo/shards/train-00000.cxs');
 * header.size; // 224
 * ```
 */
export async function readShardHeader(path: string): Promise<ShardHeader> {
  const handle = await open(path, 'r');
  try {
    const prefix = Buffer.alloc(12);
    await handle.read(prefix, 0, 12, 0);
    if (prefix.toString('latin1', 0, 8) !== SHARD_MAGIC) {
      throw new ShardFormatError(`${path}: not a shard (expected magic "${SHARD_MAGIC}", found "${prefix.toString('latin1', 0, 8)}")`);
    }
    const length = prefix.readUInt32LE(8);
    const json = Buffer.alloc(length);
    await handle.read(json, 0, length, 12);
    return JSON.parse(json.toString('utf8')) as ShardHeader;
  } finally {
    await handle.close();
  }
}

/**
 * Streams the records of one shard file, holding at most one record (plus one read chunk) in memory.
 *
 * @example
 * ```ts
 * for await (const record of readShard('out/shards/train-00000.cxs')) console.log(record.id);
 * ```
 */
export async function* readShard(path: string): AsyncGenerator<ShardRecord, void, undefined> {
  const header = await readShardHeader(path);
  const start = 12 + Buffer.byteLength(JSON.stringify(header), 'utf8');
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { start, highWaterMark: 1 << 20 })) {
    pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
    let o = 0;
    while (pending.length - o >= 4) {
      const length = pending.readUInt32LE(o);
      if (pending.length - o - 4 < length) break;
      yield decodeShardRecord(header, pending.subarray(o + 4, o + 4 + length));
      o += 4 + length;
    }
    pending = pending.subarray(o);
  }
  if (pending.length > 0) throw new ShardFormatError(`${path}: truncated record at the end (${pending.length} bytes left)`);
}

/**
 * Reads `shards/manifest.json` of a dataset folder.
 *
 * @example
 * ```ts
 * const manifest = await readShardManifest('out/demo');
 * manifest.findings.length; // 14
 * ```
 */
export async function readShardManifest(datasetDir: string): Promise<ShardManifest> {
  const path = join(datasetDir, 'shards', 'manifest.json');
  try {
    return JSON.parse(await readFile(path, 'utf8')) as ShardManifest;
  } catch (cause) {
    throw new ShardFormatError(`${path}: cannot read the shard manifest (build the dataset with shards first)`, { cause });
  }
}

/**
 * Writes `shards/manifest.json` of a dataset folder (atomically).
 *
 * @example
 * ```ts
 * await writeShardManifest('out/demo', manifest);
 * ```
 */
export async function writeShardManifest(datasetDir: string, manifest: ShardManifest): Promise<void> {
  const dir = join(datasetDir, 'shards');
  await makeDirectory(dir);
  const path = join(dir, 'manifest.json');
  await writeFile(`${path}.partial`, JSON.stringify(manifest, null, 2));
  await rename(`${path}.partial`, path);
}

/**
 * Streams every record of one split of a dataset, shard after shard, in manifest order.
 *
 * @example
 * ```ts
 * for await (const r of readSplit('out/demo', 'train')) console.log(r.id, r.labels);
 * ```
 */
export async function* readSplit(datasetDir: string, split: Split): AsyncGenerator<ShardRecord, void, undefined> {
  const manifest = await readShardManifest(datasetDir);
  for (const shard of manifest.shards) {
    if (shard.split === split) yield* readShard(join(datasetDir, 'shards', shard.file));
  }
}
