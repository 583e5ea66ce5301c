/**
 * The CPU-heavy work of the pipeline, as plain async functions over serialisable tasks, so that the same code runs in
 * a worker thread (`worker.ts`, `--workers N`) or inline (`--workers 0`):
 *
 * - `header`: parse a file's header (the first 256 KiB, stopping at Pixel Data; the whole file when the header is
 *   longer) and return the fields selection and de-identification need;
 * - `render`: decode, window and resize a DICOM image to an 8-bit PNG (dicom/render.ts), written to a temporary name
 *   and renamed, so a killed run never leaves a partial PNG under its final name;
 * - `shard`: read a PNG and resize it to the shard resolution as raw 8-bit gray pixels.
 *
 * A task never throws: failures come back as `{ ok: false, reason }` with a reason that names no identifier.
 */
import { open, readFile, rename, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { BuilderError, thrownText } from './errors.js';
import { parseDicom, peekSopInstanceUid } from './dicom/parse.js';
import type { DicomHeader } from './dicom/parse.js';
import { renderToPng } from './dicom/render.js';

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
  | { kind: 'render'; path: string; file: string; outPath: string; size: number }
  | { kind: 'shard'; path: string; file: string; size: number };

/** The result of a task. */
export type TaskResult =
  | { ok: true; kind: 'header'; header: HeaderInfo }
  | { ok: true; kind: 'render'; originalWidth: number; originalHeight: number; width: number; height: number }
  | { ok: true; kind: 'shard'; pixels: Uint8Array }
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
      case 'render': {
        const parsed = parseDicom(await readFile(task.path), task.file);
        const out = await renderToPng(parsed, { size: task.size });
        const tmp = `${task.outPath}.partial`;
        await writeFile(tmp, out.png);
        await rename(tmp, task.outPath);
        return { ok: true, kind: 'render', originalWidth: out.originalWidth, originalHeight: out.originalHeight, width: task.size, height: task.size };
      }
      case 'shard': {
        const { data } = await sharp(task.path)
          .resize(task.size, task.size, { fit: 'fill' })
          .toColourspace('b-w')
          .raw()
          .toBuffer({ resolveWithObject: true });
        const channels = data.length / (task.size * task.size);
        if (channels === 1) return { ok: true, kind: 'shard', pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
        const pixels = new Uint8Array(task.size * task.size);
        for (let i = 0; i < pixels.length; i++) pixels[i] = data[i * channels] ?? 0;
        return { ok: true, kind: 'shard', pixels };
      }
    }
  } catch (error) {
    // System errors (ENOENT, EACCES) quote the path, which may name the patient: the reason names the file by `file`.
    let reason = taskFailureReason(error, task.kind, task.file).replaceAll(task.path, task.file);
    if (task.kind === 'render') reason = reason.replaceAll(`${task.outPath}.partial`, 'the PNG').replaceAll(task.outPath, 'the PNG');
    if (task.kind === 'header') {
      // A header that cannot be parsed may still name its instance in the File Meta group: a broken copy of an
      // instance that another file holds whole is then a duplicate, not a failure (copies.ts).
      const sopInstanceUid = await readHead(task.path).then(peekSopInstanceUid, () => undefined);
      if (sopInstanceUid) return { ok: false, reason, sopInstanceUid };
    }
    return { ok: false, reason };
  }
}
