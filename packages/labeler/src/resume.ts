/**
 * Resuming an interrupted `label-reports --out FILE` run (`--resume`). A run writes `FILE.partial`, whole rows at a
 * time, and renames it to FILE at the end; a run that was stopped (Ctrl-C, `kill -9`, a crash) leaves the partial
 * file behind. {@link readResumePoint} reads it back: the header, then every whole row, in order; a torn last row (the
 * process died in the middle of a write) is cut off. The resumed run skips the reports those rows came from, in input
 * order, and appends the rest, so the final file equals an uninterrupted run's.
 *
 * Rows are matched to reports by a key: the report id (csv, nih, jsonl), or for chexpert, which has no id column,
 * a hash of the report text it prints.
 */
import { createHash } from 'node:crypto';
import { OutputError } from './errors.js';
import { CsvParser, csvField } from './readers/csv.js';
import { readUtf8Pieces } from './readers/text.js';
import type { OutputFormat } from './writers/index.js';

/** What an interrupted run left in its partial file. */
export interface ResumePoint {
  /** Bytes of the file holding the header and whole rows; what follows (a torn row) is to be cut off. */
  bytes: number;
  /** True when the header is among those bytes (false: the file is empty or its header is torn; write it again). */
  header: boolean;
  /** The key of each whole row, in file order (see {@link resumeKey}). */
  keys: string[];
}

/**
 * The key a report's row is matched by when resuming: its id, or for the chexpert format (no id column) a hash of
 * its text.
 *
 * @example
 * ```ts
 * resumeKey('csv', { id: 'CXR1', text: 'No effusion.' }); // "CXR1"
 * ```
 */
export function resumeKey(format: OutputFormat, report: { id: string; text: string }): string {
  return format === 'chexpert' ? textKey(report.text) : report.id;
}

function textKey(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

function mismatch(name: string, expected: string, found: string): OutputError {
  return new OutputError(
    `expected ${expected}, found ${found}: it was written by a run with other options (--format, --labels); run with the same options, or remove it`,
    { file: name },
  );
}

const shorten = (s: string): string => JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);

/**
 * Reads the partial output of an interrupted run: how many bytes hold the header and whole rows, and the key of
 * every whole row. A torn last row is left out. Throws an `OutputError` when the file was written in another format
 * or label set (its header, or a whole row, is not what this run writes), so that it is never cut or appended to.
 *
 * @example
 * ```ts
 * const point = await readResumePoint('labels.csv.partial', 'csv', createWriter('csv').header);
 * // { bytes: 48211, header: true, keys: ['CXR1', 'CXR10', ...] }
 * ```
 */
export async function readResumePoint(path: string, format: OutputFormat, header: string, name = path): Promise<ResumePoint> {
  return format === 'jsonl' ? readJsonlPoint(path, name) : readCsvPoint(path, format, header, name);
}

async function readJsonlPoint(path: string, name: string): Promise<ResumePoint> {
  const keys: string[] = [];
  let bytes = 0;
  let line = 0;
  for await (const piece of readUtf8Pieces(path)) {
    const lines = piece.text.split('\n');
    const rest = lines.pop() as string; // text after the last line break: a torn row (only in the last piece)
    for (const text of lines) {
      line++;
      let id: unknown;
      try {
        id = (JSON.parse(text) as { id?: unknown } | null)?.id;
      } catch {
        id = undefined;
      }
      if (typeof id !== 'string') throw mismatch(name, `a jsonl row {"id": ...} on line ${line}`, shorten(text));
      keys.push(id);
      bytes += Buffer.byteLength(text) + 1;
    }
    if (rest.length > 0) break;
  }
  return { bytes, header: true, keys };
}

async function readCsvPoint(path: string, format: OutputFormat, header: string, name: string): Promise<ResumePoint> {
  const parser = new CsvParser();
  const columns = header.slice(0, -1).split(',').length;
  const keys: string[] = [];
  let bytes = 0;
  let seenHeader = false;
  for await (const piece of readUtf8Pieces(path)) {
    // push() returns only records whose line break was read: whole rows. A torn last row stays in the parser.
    for (const record of parser.push(piece.text)) {
      const text = `${record.fields.map(csvField).join(',')}\n`;
      if (!seenHeader) {
        if (text !== header) throw mismatch(name, `the header ${JSON.stringify(header.trimEnd())}`, JSON.stringify(text.trimEnd()).slice(0, 300));
        seenHeader = true;
      } else {
        if (record.error !== undefined || record.fields.length !== columns) {
          throw mismatch(name, `a row of ${columns} fields on line ${record.line}`, record.error ?? `${record.fields.length} fields`);
        }
        const first = record.fields[0] as string;
        keys.push(format === 'chexpert' ? textKey(first) : first);
      }
      bytes += Buffer.byteLength(text);
    }
  }
  return { bytes, header: seenHeader, keys };
}
