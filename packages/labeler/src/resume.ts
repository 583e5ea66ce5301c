/**
 * Resuming an interrupted `label-reports --out FILE` run (`--resume`). A run writes `FILE.partial`, whole rows at a
 * time, and renames it to FILE at the end; a run that was stopped (Ctrl-C, `kill -9`, a crash) leaves the partial
 * file behind. {@link readResumePoint} reads it back: the header, then every whole row, in order; a torn last row (the
 * process died in the middle of a write) is cut off. The resumed run skips the reports those rows came from, in input
 * order, and appends the rest, so the final file equals an uninterrupted run's.
 *
 * Rows are matched to reports by a key: the report id (csv, nih, jsonl), or for chexpert, which has no id column,
 * a hash of the report text it prints.
 *
 * The options that change the rows (format, label set, sections, uncertainty, lexicon folders, the id and text
 * columns, the format of standard input) are recorded beside the partial file, in `FILE.partial.json`, when the run
 * starts ({@link runSettings}, {@link writeRunSettings}); a resumed run with other options is refused with both
 * values named ({@link checkRunSettings}), so that one file never mixes rows of two settings.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { OutputError } from './errors.js';
import type { LabelerOptions } from './types.js';
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

/**
 * The options of a run that change its rows, by the flag that sets them, with the default spelled out (`--uncertain
 * keep`, not absent), so that a run given the default and one given nothing compare equal.
 */
export type RunSettings = Record<string, string>;

/** What {@link runSettings} reads: the parts of `labelFiles`'s options that change the rows. */
export interface RunSettingsOptions {
  format?: OutputFormat;
  labeler?: LabelerOptions;
  idColumn?: string;
  textColumn?: string;
  stdinFormat?: string;
  /** Folder relative lexicon folders are resolved against. */
  cwd?: string;
}

/**
 * The options of a run that change its rows, as `label-reports` flags with their values (defaults filled in; lexicon
 * folders as absolute paths).
 *
 * @example
 * ```ts
 * runSettings({ format: 'nih', labeler: { uncertainty: 'positive' } })['--uncertain']; // "positive"
 * runSettings({})['--sections'];                                                     // "findings-impression"
 * ```
 */
export function runSettings(options: RunSettingsOptions): RunSettings {
  const labeler = options.labeler ?? {};
  const sections = labeler.sections ?? 'findings-impression';
  const uncertainty = labeler.uncertainty ?? 'uncertain';
  const dirs = (labeler.lexiconDirs ?? []).map((d) => resolve(options.cwd ?? process.cwd(), d));
  return {
    '--format': options.format ?? 'csv',
    '--labels': labelSetSetting(labeler.labelSet),
    '--sections': typeof sections === 'string' ? sections : sections.map((s) => s.toUpperCase()).join(','),
    '--uncertain': uncertainty === 'uncertain' ? 'keep' : uncertainty,
    '--lexicons': dirs.length === 0 ? 'none' : dirs.join(', '),
    '--id-column': options.idColumn ?? 'id',
    '--text-column': options.textColumn ?? 'text',
    '--stdin-format': options.stdinFormat ?? 'jsonl',
  };
}

/** How a run's label set is recorded: '14' and '8' for the NIH sets, a set's name, or a parsed set with its findings. */
function labelSetSetting(set: LabelerOptions['labelSet']): string {
  if (set === undefined) return '14';
  if (typeof set === 'string') return set === 'nih14' ? '14' : set === 'nih8' ? '8' : set;
  return `${set.name} (${set.findings.join(', ')})`;
}

/** The file beside a partial output that records its run's options: `FILE.partial.json`. */
export function settingsFileOf(partial: string): string {
  return `${partial}.json`;
}

/**
 * Records a run's options beside its partial output (`FILE.partial.json`), before the first row is written.
 *
 * @example
 * ```ts
 * await writeRunSettings('labels.csv.partial', runSettings({ format: 'csv' }));
 * ```
 */
export async function writeRunSettings(partial: string, settings: RunSettings): Promise<void> {
  await writeFile(settingsFileOf(partial), `${JSON.stringify({ 'label-reports': 'the options of the run writing the partial file beside this one', options: settings }, null, 2)}\n`);
}

/**
 * Reads the options recorded beside a partial output; undefined when there is no record (a partial file written
 * before options were recorded). Throws an `OutputError` naming the file when it is unreadable or not such a record.
 *
 * @example
 * ```ts
 * (await readRunSettings('labels.csv.partial'))?.['--format']; // "csv"
 * ```
 */
export async function readRunSettings(partial: string, name = partial): Promise<RunSettings | undefined> {
  const file = settingsFileOf(partial);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ENOENT') return undefined;
    throw new OutputError(`expected a readable record of the interrupted run's options, found: ${(cause as Error).message}`, { file: settingsFileOf(name), cause });
  }
  let options: unknown;
  try {
    options = (JSON.parse(text) as { options?: unknown } | null)?.options;
  } catch {
    options = undefined;
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options) || !Object.values(options).every((v) => typeof v === 'string')) {
    throw new OutputError(`expected the interrupted run's options as {"options": {"--format": "csv", ...}}, found ${shorten(text)}; remove it and ${name} to start over`, {
      file: settingsFileOf(name),
    });
  }
  return options as RunSettings;
}

/**
 * Refuses to resume a partial output with other options than the run that wrote it: throws an `OutputError` that
 * names every option that differs, with the interrupted run's value and this run's.
 *
 * @example
 * ```ts
 * checkRunSettings(runSettings({ labeler: { uncertainty: 'positive' } }), runSettings({}), 'labels.csv.partial');
 * // throws: labels.csv.partial: expected the options of the interrupted run, found other ones:
 * //   --uncertain: the interrupted run used positive, this run keep; ...
 * ```
 */
export function checkRunSettings(recorded: RunSettings, current: RunSettings, name: string): void {
  const flags = [...new Set([...Object.keys(current), ...Object.keys(recorded)])];
  const differ = flags.filter((flag) => recorded[flag] !== current[flag]);
  if (differ.length === 0) return;
  const both = differ.map((flag) => `${flag}: the interrupted run used ${recorded[flag] ?? 'none'}, this run ${current[flag] ?? 'none'}`);
  const fix = differ.filter((flag) => recorded[flag] !== undefined).map((flag) => (flag === '--lexicons' && recorded[flag] === 'none' ? 'no --lexicons' : `${flag} ${recorded[flag]}`));
  throw new OutputError(
    `expected the options of the interrupted run, found other ones (the file would mix rows of two settings): ${both.join('; ')}. ` +
      `Run with ${fix.join(' ')} to finish it, or remove ${name} to start over`,
    { file: name },
  );
}
