/**
 * The CPU-heavy work of the pipeline, as plain async functions over serialisable tasks, so that the same code runs in
 * a worker thread (`worker.ts`, `--workers N`) or inline (`--workers 0`):
 *
 * - `header`: parse a file's header (the first 256 KiB, stopping at Pixel Data; the whole file when the header is
 *   longer) and return the fields selection and de-identification need;
 * - `render`: decode, window and resize a DICOM image to an 8-bit PNG (dicom/render.ts), written to a temporary name
 *   and renamed, so a killed run never leaves a partial PNG under its final name; with `shardSize`, the PNG's own
 *   pixels are also resized to the shard size and spooled to `shardPath` (see {@link encodeShardPixels}), so the
 *   shard stage need not decode the PNG again;
 * - `shard`: the shard-size pixels of a PNG: its spool file when that still belongs to the PNG, else the PNG read
 *   and resized to the shard resolution as raw 8-bit gray pixels (the same bytes either way).
 *
 * A task never throws: failures come back as `{ ok: false, reason }` with a reason that names no identifier.
 */
import { open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { BuilderError, thrownText } from './errors.js';
import { parseDicom, peekSopInstanceUid } from './dicom/parse.js';
import type { DicomHeader } from './dicom/parse.js';
import { decodeFrame } from './dicom/decode.js';
import { checkNotBlank, encodeGray8Png, renderFrameToGray8, resizeGray8 } from './dicom/render.js';

/** The header fields the main thread needs (identifiers included: they are hashed there, never stored raw). */
export type HeaderInfo = Pick<
  DicomHeader,
  | 'sopInstanceUid'
  | 'studyInstanceUid'
  | 'accessionNumber'
  | 'patientId'
  | 'patientName'
  | 'patientBirthDate'
  | 'patientSex'
  | 'patientAge'
  | 'studyDate'
  | 'studyTime'
  | 'seriesNumber'
  | 'instanceNumber'
  | 'acquisitionDateTime'
  | 'modality'
  | 'bodyPartExamined'
  | 'viewPosition'
  | 'viewCodeMeanings'
  | 'sopClassUid'
  | 'imageType'
  | 'burnedInAnnotation'
  | 'sourceSopClassUids'
  | 'seriesDescription'
  | 'studyDescription'
  | 'rows'
  | 'columns'
  | 'pixelSpacing'
  | 'imagerPixelSpacing'
  | 'hasPixelData'
  | 'isDicomDir'
  | 'srText'
  | 'textIdentifiers'
>;

/** A unit of work. `file` is the name used in messages (the path relative to the export). */
export type Task =
  | { kind: 'header'; path: string; file: string }
  /** `shardSize` and `shardPath` (both or neither): also spool the shard-size pixels of the PNG to `shardPath`. */
  | { kind: 'render'; path: string; file: string; outPath: string; size: number; shardSize?: number; shardPath?: string }
  /** `path` is the PNG; `spoolPath`: where its render may have spooled its shard-size pixels. */
  | { kind: 'shard'; path: string; file: string; size: number; spoolPath?: string };

/** The result of a task. */
export type TaskResult =
  | { ok: true; kind: 'header'; header: HeaderInfo }
  | { ok: true; kind: 'render'; originalWidth: number; originalHeight: number; width: number; height: number }
  /** `decoded`: the pixels came from decoding the PNG (no spool file of this PNG at this size). */
  | { ok: true; kind: 'shard'; pixels: Uint8Array; decoded: boolean }
  /** `sopInstanceUid`: of a header that failed, the File Meta group's SOP Instance UID when it could be read. */
  | { ok: false; reason: string; sopInstanceUid?: string };

const HEAD_BYTES = 256 * 1024;

/**
 * The message of an error without the package prefix and file name (those are added where it is recorded).
 *
 * @example
 * ```ts
 * reasonOf(new Error('@cxr8/dataset-builder: dicom:ab12: truncated'), 'dicom:ab12'); // 'truncated'
 * ```
 */
export function reasonOf(error: unknown, file: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^@cxr8\/dataset-builder: /, '').replace(`${file}: `, '');
}

const TASK_WORK: Record<Task['kind'], string> = {
  header: 'a DICOM header the reader can walk',
  render: 'pixel data that decodes and renders to a PNG',
  shard: 'a PNG that resizes to the shard size',
};

/**
 * The failure reason of an error thrown by a task: the message of this package's typed errors and of system errors
 * (ENOENT, EACCES) as they are; for anything else (a JavaScript error from a library), what the task expected and
 * that the data stopped it, never the exception's own text.
 *
 * @example
 * ```ts
 * taskFailureReason(new TypeError("Cannot read properties of undefined (reading 'x')"), 'render', 'dicom:ab12');
 * // 'expected pixel data that decodes and renders to a PNG; found data that stops the renderer (an internal error, not a description of the file)'
 * ```
 */
export function taskFailureReason(error: unknown, kind: Task['kind'], file: string): string {
  if (error instanceof BuilderError || (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && /^E[A-Z]+$/.test((error as NodeJS.ErrnoException).code!))) {
    return reasonOf(error, file);
  }
  const text = thrownText(error);
  const step = kind === 'header' ? 'the header reader' : kind === 'render' ? 'the renderer' : 'the PNG reader';
  return `expected ${TASK_WORK[kind]}; found data that stops ${step} (${text ?? 'an internal error, not a description of the file'})`;
}

function pickHeader(h: DicomHeader): HeaderInfo {
  const out: HeaderInfo = {
    sopInstanceUid: h.sopInstanceUid,
    studyInstanceUid: h.studyInstanceUid,
    accessionNumber: h.accessionNumber,
    patientId: h.patientId,
    patientName: h.patientName,
    patientBirthDate: h.patientBirthDate,
    patientSex: h.patientSex,
    patientAge: h.patientAge,
    studyDate: h.studyDate,
    studyTime: h.studyTime,
    acquisitionDateTime: h.acquisitionDateTime,
    modality: h.modality,
    bodyPartExamined: h.bodyPartExamined,
    viewPosition: h.viewPosition,
    viewCodeMeanings: h.viewCodeMeanings,
    sopClassUid: h.sopClassUid,
    imageType: h.imageType,
    burnedInAnnotation: h.burnedInAnnotation,
    sourceSopClassUids: h.sourceSopClassUids,
    seriesDescription: h.seriesDescription,
    studyDescription: h.studyDescription,
    rows: h.rows,
    columns: h.columns,
    hasPixelData: h.hasPixelData,
    isDicomDir: h.isDicomDir,
    textIdentifiers: h.textIdentifiers,
  };
  if (h.seriesNumber !== undefined) out.seriesNumber = h.seriesNumber;
  if (h.instanceNumber !== undefined) out.instanceNumber = h.instanceNumber;
  if (h.pixelSpacing) out.pixelSpacing = h.pixelSpacing;
  if (h.imagerPixelSpacing) out.imagerPixelSpacing = h.imagerPixelSpacing;
  if (h.srText !== undefined) out.srText = h.srText;
  return out;
}

async function readHead(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const head = Buffer.alloc(Math.min(size, HEAD_BYTES));
    await handle.read(head, 0, head.length, 0);
    return head;
  } finally {
    await handle.close();
  }
}

async function readHeader(path: string, file: string): Promise<HeaderInfo> {
  const handle = await open(path, 'r');
  let head: Buffer;
  let size: number;
  try {
    size = (await handle.stat()).size;
    head = Buffer.alloc(Math.min(size, HEAD_BYTES));
    await handle.read(head, 0, head.length, 0);
  } finally {
    await handle.close();
  }
  try {
    return pickHeader(parseDicom(head, file, { stopAtPixelData: true }).header);
  } catch (error) {
    if (size <= HEAD_BYTES) throw error;
    // The header is longer than the first bytes (large SR documents, private data): parse the whole file.
    return pickHeader(parseDicom(await readFile(path), file, { stopAtPixelData: true }).header);
  }
}

/** The 8 bytes that start a spool file of shard-size pixels. */
export const SHARD_PIXELS_MAGIC = 'CXR8PIX1';
const SPOOL_HEADER_BYTES = 8 + 4 + 8 + 8;

/** Which PNG a spool file was made from: its byte length and modification time (a rename keeps both). */
export interface PngIdentity {
  bytes: number;
  mtimeMs: number;
}

/**
 * A spool file of shard-size pixels: magic "CXR8PIX1", shard size (u32), the PNG's byte length and mtime in ms (two
 * f64), then size * size 8-bit gray pixels. The PNG's length and mtime tie the pixels to the one PNG they were
 * resized from: a PNG rendered again, copied or replaced no longer matches, and the shard stage decodes it instead.
 *
 * @example
 * ```ts
 * const bytes = encodeShardPixels(224, { bytes: 253_112, mtimeMs: 1764741600123.5 }, pixels); // 28 + 224 * 224 bytes
 * ```
 */
export function encodeShardPixels(size: number, png: PngIdentity, pixels: Uint8Array): Buffer {
  if (pixels.length !== size * size) {
    throw new BuilderError(`shard pixels: expected ${size}x${size} = ${size * size} pixels, found ${pixels.length}`);
  }
  const out = Buffer.alloc(SPOOL_HEADER_BYTES + pixels.length);
  out.write(SHARD_PIXELS_MAGIC, 0, 'latin1');
  out.writeUInt32LE(size, 8);
  out.writeDoubleLE(png.bytes, 12);
  out.writeDoubleLE(png.mtimeMs, 20);
  out.set(pixels, SPOOL_HEADER_BYTES);
  return out;
}

/**
 * The pixels of a spool file when it holds `size` x `size` pixels made from the PNG `png` describes; undefined
 * otherwise (another size, another PNG, not a spool file, cut short).
 *
 * @example
 * ```ts
 * decodeShardPixels(await readFile(spoolPath), 224, { bytes: 253_112, mtimeMs: 1764741600123.5 }); // Uint8Array(50176)
 * ```
 */
export function decodeShardPixels(bytes: Buffer, size: number, png: PngIdentity): Uint8Array | undefined {
  if (bytes.length !== SPOOL_HEADER_BYTES + size * size || bytes.toString('latin1', 0, 8) !== SHARD_PIXELS_MAGIC) return undefined;
  if (bytes.readUInt32LE(8) !== size || bytes.readDoubleLE(12) !== png.bytes || bytes.readDoubleLE(20) !== png.mtimeMs) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset + SPOOL_HEADER_BYTES, size * size);
}

async function writeRenamed(path: string, bytes: Uint8Array): Promise<void> {
  await writeFile(`${path}.partial`, bytes);
  await rename(`${path}.partial`, path);
}

/** The render task: the PNG at `size`, and with `shardSize` the same pixels resized again and spooled. */
async function renderTask(task: Extract<Task, { kind: 'render' }>): Promise<TaskResult> {
  const parsed = parseDicom(await readFile(task.path), task.file);
  const decoded = await decodeFrame(parsed);
  const gray = renderFrameToGray8(decoded, parsed.pixel, parsed.file);
  checkNotBlank(gray, decoded, parsed.pixel, parsed.file);
  // The PNG's pixels, resized once: the PNG is lossless, so resizing these gives the bytes a decode of it would.
  const pixels = await resizeGray8(gray, decoded.columns, decoded.rows, task.size);
  await writeRenamed(task.outPath, await encodeGray8Png(pixels, task.size, task.size));
  if (task.shardSize !== undefined && task.shardPath !== undefined) {
    const png = await stat(task.outPath);
    const small = await resizeGray8(pixels, task.size, task.size, task.shardSize);
    await writeRenamed(task.shardPath, encodeShardPixels(task.shardSize, { bytes: png.size, mtimeMs: png.mtimeMs }, small));
  }
  return { ok: true, kind: 'render', originalWidth: decoded.columns, originalHeight: decoded.rows, width: task.size, height: task.size };
}

/** The spooled pixels of the PNG at `path`, if its render left them (undefined: none, or not of this PNG). */
async function readSpooledPixels(path: string, spoolPath: string, size: number): Promise<Uint8Array | undefined> {
  const bytes = await readFile(spoolPath).catch(() => undefined);
  if (!bytes) return undefined;
  const png = await stat(path);
  return decodeShardPixels(bytes, size, { bytes: png.size, mtimeMs: png.mtimeMs });
}

/** The shard task: the spooled pixels, else the PNG decoded and resized. */
async function shardTask(task: Extract<Task, { kind: 'shard' }>): Promise<TaskResult> {
  const spooled = task.spoolPath !== undefined ? await readSpooledPixels(task.path, task.spoolPath, task.size) : undefined;
  if (spooled) return { ok: true, kind: 'shard', pixels: spooled, decoded: false };
  const { data } = await sharp(task.path)
    .resize(task.size, task.size, { fit: 'fill' })
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const channels = data.length / (task.size * task.size);
  if (channels === 1) return { ok: true, kind: 'shard', pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), decoded: true };
  const pixels = new Uint8Array(task.size * task.size);
  for (let i = 0; i < pixels.length; i++) pixels[i] = data[i * channels] ?? 0;
  return { ok: true, kind: 'shard', pixels, decoded: true };
}

/**
 * Runs one task.
 *
 * @example
 * ```ts
 * const r = await runTask({ kind: 'header', path: '/export/IM0001', file: 'IM0001' });
 * if (r.ok && r.kind === 'header') console.log(r.header.modality);
 * ```
 */
export async function runTask(task: Task): Promise<TaskResult> {
  try {
    switch (task.kind) {
      case 'header':
        return { ok: true, kind: 'header', header: await readHeader(task.path, task.file) };
      case 'render':
        return await renderTask(task);
      case 'shard':
        return await shardTask(task);
    }
  } catch (error) {
    // System errors (ENOENT, EACCES) quote the path, which may name the patient: the reason names the file by `file`.
    let reason = taskFailureReason(error, task.kind, task.file).replaceAll(task.path, task.file);
    if (task.kind === 'render') {
      reason = reason.replaceAll(`${task.outPath}.partial`, 'the PNG').replaceAll(task.outPath, 'the PNG');
      if (task.shardPath !== undefined) reason = reason.replaceAll(`${task.shardPath}.partial`, 'the shard pixels').replaceAll(task.shardPath, 'the shard pixels');
    }
    if (task.kind === 'header') {
      // A header that cannot be parsed may still name its instance in the File Meta group: a broken copy of an
      // instance that another file holds whole is then a duplicate, not a failure (copies.ts).
      const sopInstanceUid = await readHead(task.path).then(peekSopInstanceUid, () => undefined);
      if (sopInstanceUid) return { ok: false, reason, sopInstanceUid };
    }
    return { ok: false, reason };
  }
}
