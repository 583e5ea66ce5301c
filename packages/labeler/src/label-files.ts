/**
 * `labelFiles`: the whole `label-reports` run as one async function. Inputs are read as a stream, labeled in
 * batches (on this thread or on worker threads), and written in input order; a bad input is recorded and the run
 * goes on. Memory stays flat in the number of reports: at most `2 x workers` batches are in flight, and output is
 * written as it is produced, whole rows at a time, waiting for the stream to drain.
 *
 * An output file is written to `FILE.partial` beside it and renamed at the end, and only when the run labeled
 * something: a run that labels nothing (a mistyped input, a wrong `--text-column`) leaves an existing FILE as it was
 * and throws a {@link NothingToLabelError}. A run that stops early (an abort signal such as Ctrl-C, `kill -9`, a
 * crash) leaves the partial file with the rows written so far, and the options that made them in
 * `FILE.partial.json`; `resume: true` reads it back (`resume.ts`), refuses other options, skips the reports it holds
 * and appends the rest. A run without `resume` never overwrites a partial file that holds rows.
 *
 * Reports whose id was seen before in the run are skipped (the first report of an id is kept) and counted
 * (`duplicates`); empty and headings-only reports are labeled and counted (`empty`).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { access, rename, rm, stat, truncate } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { NothingToLabelError, OutputError } from './errors.js';
import { createLabelProgress, type LabelProgress } from './progress.js';
import { discoverInputs, describeFsError, INPUT_EXTENSIONS, type StdinFormat } from './readers/discover.js';
import { readReportChunks } from './readers/index.js';
import {
  checkRunSettings,
  readResumePoint,
  readRunSettings,
  resumeKey,
  runSettings,
  settingsFileOf,
  writeRunSettings,
  type ResumePoint,
  type RunSettings,
} from './resume.js';
import type { InputFailure, ReportRecord } from './readers/records.js';
import type { LabelerOptions } from './types.js';
import { createLabelingEngine } from './workers.js';
import type { BatchResult } from './batch.js';
import { threadCpuSeconds } from './thread-cpu.js';
import type { OutputFormat } from './writers/index.js';

/** Options of {@link labelFiles}. */
export interface LabelFilesOptions {
  /** Files, folders (walked recursively) and glob patterns. */
  inputs: readonly string[];
  /** Folder that relative inputs and `out` are resolved against. Default `process.cwd()`. */
  cwd?: string;
  /** Output format. Default "csv". */
  format?: OutputFormat;
  /**
   * Output file path, or a writable stream. Default process.stdout. A file is written to `FILE.partial` and renamed
   * when the run completes; a run that stops early leaves the partial file (see `resume`).
   */
  out?: string | Writable;
  /**
   * Finish the partial output of an interrupted run: when `FILE.partial` exists, its whole rows are kept (a torn last
   * row is cut off), the reports they came from are skipped, and the other reports are appended, so the result equals
   * an uninterrupted run's. Needs `out` to be a file path and the inputs and options of the interrupted run.
   */
  resume?: boolean;
  /** Format of standard input (the input "-"): jsonl (default), csv or txt. */
  stdinFormat?: StdinFormat;
  /** What the input "-" reads. Default process.stdin. */
  stdin?: NodeJS.ReadableStream;
  /** 1 (default): label on this thread; N >= 2: N worker threads. */
  workers?: number;
  /** Labeler options: label set, sections, lexicon folders, uncertainty policy. */
  labeler?: LabelerOptions;
  /** CSV column / JSONL key of the report id. Default "id". */
  idColumn?: string;
  /** CSV column / JSONL key of the report text. Default "text". */
  textColumn?: string;
  /** Where to draw the progress line; none when absent. */
  progress?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Called for each input, row or report that failed, as it happens. */
  onFailure?: (failure: InputFailure) => void;
  /** Called with a warning that changes nothing in the output (e.g. a partial file without a record of its options). */
  onWarning?: (message: string) => void;
  /** Reports per batch. Default 256 (a batch also closes at 1 MB of text). */
  batchSize?: number;
  /**
   * Stops the run (e.g. on Ctrl-C): the promise rejects with the signal's reason, and an output file is left as
   * `FILE.partial` with the whole rows written so far, for `resume`.
   */
  signal?: AbortSignal;
}

/** What a run did. */
export interface LabelSummary {
  /** Reports labeled and written by this run. */
  labeled: number;
  /** Rows kept from the partial output of an interrupted run (`resume`); 0 otherwise. */
  resumed: number;
  /** The partial file resumed (`FILE.partial`, as named), when `resume` found one; absent otherwise. */
  resumedFrom?: string;
  /** Inputs, rows or reports that failed. */
  failed: number;
  /** Of the reports labeled, those that were empty or held only section headings (labeled like any other). */
  empty: number;
  /** Reports skipped because a report with the same id came before them in the run (the first one is kept). */
  duplicates: number;
  /** The first few skipped duplicates, as "ID (SOURCE)". */
  duplicateExamples: string[];
  /** The first 1,000 failures (all of them are passed to `onFailure`). */
  failures: InputFailure[];
  /** Seconds from the first read to the last write (labeler compilation and thread start excluded). */
  seconds: number;
  /** CPU seconds used by the process (all threads) over the same span: `cpuSeconds / seconds` is the cores kept busy. */
  cpuSeconds: number;
  /** Threads that labeled. */
  workers: number;
  /**
   * CPU seconds of each labeling thread over the run: the calling thread with 1 worker, else each worker thread
   * (Linux: /proc/thread-self; empty elsewhere). With `mainThreadCpuSeconds`, says how a run would scale on free cores.
   */
  threadCpuSeconds: number[];
  /** CPU seconds of the calling thread (reading, batching, writing; all the work with 1 worker); NaN where unknown. */
  mainThreadCpuSeconds: number;
}

const MAX_KEPT_FAILURES = 1000;
const MAX_BATCH_CHARS = 1 << 20;

const MAX_DUPLICATE_EXAMPLES = 5;

interface Sink {
  write(text: string): Promise<void>;
  /**
   * Finishes the output: closes a file and renames it into place when the run `produced` rows; when it did not, removes
   * the partial file and leaves FILE as it was. A caller's stream is left open.
   */
  end(produced: boolean): Promise<void>;
  /** After a run stopped early: flushes the whole rows written so far and closes a partial file, which is kept. */
  stop(): Promise<void>;
  /** What an interrupted run left, when resuming one. */
  resumed?: ResumePoint;
  /** The output file as the user named it, and whether it existed before the run; absent for a stream. */
  file?: { name: string; existed: boolean };
}

interface SinkOptions {
  /** Resume an interrupted run (`resume`): this run's format and header. */
  resume: boolean;
  format: OutputFormat;
  header: string;
  /** This run's options that change the rows, recorded beside the partial file and compared on resume. */
  settings: RunSettings;
  onWarning?: ((message: string) => void) | undefined;
}

/**
 * Opens the output: a file is written to `FILE.partial` and renamed at the end; a stream is written as is. With
 * `resume` and an existing `FILE.partial`, its options are checked, its whole rows kept and new rows appended.
 * Without `resume`, an existing `FILE.partial` that holds rows is refused (it is an interrupted run's work).
 */
async function openSink(out: string | Writable | undefined, cwd: string, options: SinkOptions): Promise<Sink> {
  if (out === undefined || typeof out !== 'string') {
    if (options.resume) throw new OutputError('expected an output file (--out FILE) to resume, found a stream (standard output)');
    return streamSink(out ?? process.stdout, undefined);
  }
  if (out.length === 0) throw new OutputError('expected an output file name (--out FILE), found an empty string');
  const path = resolve(cwd, out);
  const existing = await stat(path).catch(() => undefined);
  await checkOutputPlace(out, path, existing);
  // Devices and pipes (/dev/null, /dev/stdout, a FIFO) are written directly.
  const direct = existing !== undefined && !existing.isFile();
  const target = direct ? path : `${path}.partial`;
  const name = `${out}.partial`;
  let point: ResumePoint | undefined;
  const partialExists = !direct && (await stat(target).catch(() => undefined))?.isFile() === true;
  if (partialExists && options.resume) {
    const recorded = await readRunSettings(target, name);
    if (recorded) checkRunSettings(recorded, options.settings, name);
    else options.onWarning?.(`${name} has no record of the options that wrote it (${settingsFileOf(name)}); resuming with this run's, checked against its header only`);
    point = await readPoint(target, options.format, options.header, name);
    if (!recorded) await writeSettings(target, options.settings, out);
    await truncate(target, point.bytes); // cut a torn last row
  } else if (options.resume && !direct) {
    options.onWarning?.(`--resume: found no ${name} to resume (the interrupted run finished, or never started); labeling every report`);
  } else if (partialExists) {
    let rows: number | undefined;
    try {
      rows = (await readResumePoint(target, options.format, options.header, name)).keys.length;
    } catch {
      rows = undefined; // another format's rows, or not ours: keep it all the same
    }
    if (rows !== 0) {
      throw new OutputError(
        `expected no partial output, found one left by an interrupted run${rows === undefined ? '' : ` (${rows.toLocaleString('en-US')} rows)`}: ` +
          `run the same command with --resume to finish it, or remove it to start over`,
        { file: name },
      );
    }
  }
  if (!point && !direct) await writeSettings(target, options.settings, out);
  const stream = createWriteStream(target, { flags: point ? 'a' : 'w' });
  await new Promise<void>((ok, fail) => {
    stream.once('open', () => ok());
    stream.once('error', (cause) => fail(new OutputError(`expected a writable output file, found: ${describeFsError(cause)}`, { file: out, cause })));
  }).catch(async (error: unknown) => {
    if (!direct) await rm(settingsFileOf(target), { force: true });
    throw error;
  });
  const sink = streamSink(stream, direct ? undefined : { partial: target, final: path, name: out });
  return { ...sink, ...(point ? { resumed: point } : {}), file: { name: out, existed: existing !== undefined } };
}

/**
 * Checks, before anything is written, that `--out` can be a file: not a folder, and in a folder that exists. Each
 * case says what was expected and what was found, and how to go on.
 */
async function checkOutputPlace(out: string, path: string, existing: Stats | undefined): Promise<void> {
  if (existing?.isDirectory()) {
    throw new OutputError(`expected a file to write the labels to, found a folder: name a file in it, e.g. --out ${join(out, 'labels.csv')}`, { file: out });
  }
  // Writable: the file itself when it exists (a device), else its folder (FILE.partial is made there).
  const writable = async (at: string, what: string): Promise<void> => {
    try {
      await access(at, constants.W_OK);
    } catch (cause) {
      throw new OutputError(`expected ${what} to be writable, found: ${describeFsError(cause)}`, { file: out, cause });
    }
  };
  if (existing !== undefined) {
    await writable(existing.isFile() ? dirname(path) : path, existing.isFile() ? `the folder ${dirname(path)}` : 'an output');
    return;
  }
  const parent = dirname(path);
  const folder = await stat(parent).catch((cause: unknown) => cause as Error);
  if (folder instanceof Error) {
    const code = (folder as { code?: string }).code;
    throw new OutputError(
      code === 'ENOENT'
        ? `expected the folder ${parent} to exist, found no such folder: create it first (mkdir -p ${shellWord(parent)}), or check the path`
        : code === 'ENOTDIR'
          ? `expected ${parent} to be a folder, found a file on the way to it`
          : `expected a writable folder ${parent}, found: ${describeFsError(folder)}`,
      { file: out, cause: folder },
    );
  }
  if (!folder.isDirectory()) throw new OutputError(`expected ${parent} to be a folder, found a file`, { file: out });
  await writable(parent, `the folder ${parent}`);
}

/** Quotes a path for a command shown to the user. */
const shellWord = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

async function readPoint(target: string, format: OutputFormat, header: string, name: string): Promise<ResumePoint> {
  try {
    return await readResumePoint(target, format, header, name);
  } catch (cause) {
    if (cause instanceof OutputError) throw cause;
    throw new OutputError(`expected a readable partial file to resume, found: ${describeFsError(cause)}`, { file: name, cause });
  }
}

async function writeSettings(target: string, settings: RunSettings, out: string): Promise<void> {
  try {
    await writeRunSettings(target, settings);
  } catch (cause) {
    throw new OutputError(`expected a writable output file, found: ${describeFsError(cause)}`, { file: out, cause });
  }
}

function streamSink(stream: Writable, file: { partial: string; final: string; name: string } | undefined): Sink {
  let failed: Error | undefined;
  stream.on('error', (cause) => {
    failed ??= new OutputError(`expected to write the output, found: ${cause.message}`, { cause, ...(file ? { file: file.name } : {}) });
  });
  const check = (): void => {
    if (failed) throw failed;
  };
  return {
    async write(text) {
      check();
      if (text.length === 0) return;
      if (!stream.write(text)) {
        await new Promise<void>((ok) => {
          const done = (): void => {
            stream.off('drain', done);
            stream.off('error', done);
            stream.off('close', done);
            ok();
          };
          stream.on('drain', done);
          stream.on('error', done);
          stream.on('close', done);
        });
      }
      check();
    },
    async end(produced) {
      check();
      if (!file) return;
      await new Promise<void>((ok, fail) => {
        (stream as WriteStream).end((error?: Error | null) => (error ? fail(error) : ok()));
      });
      check();
      if (produced) await rename(file.partial, file.final);
      else await rm(file.partial, { force: true });
      await rm(settingsFileOf(file.partial), { force: true });
    },
    async stop() {
      if (!file) return;
      if (failed) {
        (stream as WriteStream).destroy();
        return;
      }
      // Every write was whole rows; ending the stream flushes the ones still buffered.
      await new Promise<void>((ok) => (stream as WriteStream).end(() => ok()));
    },
  };
}

/**
 * Iterates an async iterable, but rejects as soon as `signal` aborts, even while the source is waiting (a pipe on
 * standard input that sends nothing): Ctrl-C stops the run at once.
 */
async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  if (!signal) {
    yield* { [Symbol.asyncIterator]: () => iterator };
    return;
  }
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {});
  let done = false;
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    // Closes the readers' files; not awaited, as a read still pending (an idle pipe) may never settle.
    if (!done) iterator.return?.(undefined).catch(() => {});
  }
}

/** "a, b, c and 2 more" */
function listInputs(inputs: readonly string[]): string {
  const shown = inputs.slice(0, 3).map((i) => (i === '-' ? 'standard input' : i));
  return inputs.length > 3 ? `${shown.join(', ')} and ${inputs.length - 3} more` : shown.join(', ');
}

/** Copies a string that may be a slice of a large one (a read chunk), so that keeping it does not keep the chunk. */
function ownString(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8');
}

/** Sums the sizes of the input files (for the progress line's time left). */
async function totalInputBytes(inputs: readonly string[], cwd: string): Promise<number> {
  let total = 0;
  for await (const found of discoverInputs(inputs, { cwd })) {
    if (found.file?.stdin) return Number.NaN; // standard input's size is not known in advance
    if (found.file) total += (await stat(found.file.path).catch(() => undefined))?.size ?? 0;
  }
  return total;
}

/**
 * Labels every report of the inputs and writes them in the chosen format, in input order. Bad inputs (missing,
 * not UTF-8, malformed XML, CSV rows or JSONL lines) are passed to `onFailure` and counted; the rest is labeled.
 * Throws when the run cannot go on at all (an invalid labeler option or lexicon, an output that cannot be written,
 * a worker thread that crashed, an interrupted run's partial output in the way, or one written with other options)
 * and when it labeled nothing ({@link NothingToLabelError}, with the summary; the output file is then left as it
 * was).
 *
 * @example
 * ```ts
 * const summary = await labelFiles({
 *   inputs: ['../shared/data/openi-dev/reports'],
 *   out: 'labels.csv',
 *   workers: 2,
 *   onFailure: (f) => console.error(`${f.source}: ${f.reason}`),
 * });
 * console.log(`${summary.labeled} labeled, ${summary.failed} failed`);
 * ```
 */
export async function labelFiles(options: LabelFilesOptions): Promise<LabelSummary> {
  const cwd = options.cwd ?? process.cwd();
  const format = options.format ?? 'csv';
  // Lexicon folders are relative to `cwd`, as the inputs and the output are.
  const dirs = options.labeler?.lexiconDirs;
  const labeler = dirs ? { ...options.labeler, lexiconDirs: dirs.map((d) => resolve(cwd, d)) } : options.labeler;
  const engine = await createLabelingEngine({
    format,
    workers: options.workers ?? 1,
    ...(labeler ? { labeler } : {}),
  });
  let sink: Sink | undefined;
  const settings = runSettings({ ...options, format, cwd });
  try {
    sink = await openSink(options.out, cwd, { resume: options.resume === true, format, header: engine.header, settings, onWarning: options.onWarning });
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const threadStart = threadCpuSeconds();
    const engineStart = engine.threadCpuSeconds();
    let progress: LabelProgress | undefined;
    if (options.progress) {
      progress = createLabelProgress({ stream: options.progress, totalBytes: await totalInputBytes(options.inputs, cwd) });
    }
    let labeled = 0;
    let failed = 0;
    let empty = 0;
    let read = 0;
    let duplicates = 0;
    const duplicateExamples: string[] = [];
    const seen = new Set<string>();
    const failures: InputFailure[] = [];
    const record = (failure: InputFailure): void => {
      failed++;
      if (failures.length < MAX_KEPT_FAILURES) failures.push(failure);
      options.onFailure?.(failure);
    };
    const out = sink;
    // The header goes out with the first rows, so that a run that labels nothing writes nothing (not even to stdout).
    let headerWritten = out.resumed?.header === true;
    const emit = async (text: string): Promise<void> => {
      if (text.length === 0) return;
      if (!headerWritten) {
        headerWritten = true;
        await out.write(engine.header);
      }
      await out.write(text);
    };
    // Resuming: the rows of the partial file are a prefix of this run's output, in input order. Reports are matched to
    // them in that order (a report the labeler failed on has no row and is simply labeled, and fails, again).
    const kept = out.resumed?.keys ?? [];
    let matched = 0;
    const inFlight: Promise<BatchResult>[] = [];
    const maxInFlight = engine.workers === 1 ? 1 : engine.workers * 2;
    const settle = async (): Promise<void> => {
      const result = await (inFlight.shift() as Promise<BatchResult>);
      labeled += result.labeled;
      empty += result.empty;
      for (const f of result.failures) record(f);
      await emit(result.output);
      progress?.update(labeled, failed);
    };
    const batchSize = Math.max(1, options.batchSize ?? 256);
    let batch: ReportRecord[] = [];
    let chars = 0;
    const submit = async (): Promise<void> => {
      const pending = engine.label(batch);
      pending.catch(() => {}); // awaited in order by settle(); this only keeps a later batch's rejection handled
      inFlight.push(pending);
      batch = [];
      chars = 0;
      while (inFlight.length >= maxInFlight) await settle();
    };
    const chunks = readReportChunks(options.inputs, {
      cwd,
      ...(options.stdinFormat !== undefined ? { stdinFormat: options.stdinFormat } : {}),
      ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
      ...(options.idColumn !== undefined ? { idColumn: options.idColumn } : {}),
      ...(options.textColumn !== undefined ? { textColumn: options.textColumn } : {}),
      ...(progress ? { onBytes: (n: number) => progress?.addBytes(n) } : {}),
    });
    for await (const items of untilAborted(chunks, options.signal)) {
      options.signal?.throwIfAborted();
      for (const item of items) {
        if (item.failure) {
          record(item.failure);
          continue;
        }
        read++;
        const id = item.report.id;
        if (seen.has(id)) {
          duplicates++;
          if (duplicateExamples.length < MAX_DUPLICATE_EXAMPLES) duplicateExamples.push(`${id} (${item.report.source})`);
          continue;
        }
        seen.add(ownString(id));
        if (matched < kept.length && resumeKey(format, item.report) === kept[matched]) {
          matched++;
          continue;
        }
        batch.push(item.report);
        chars += item.report.text.length;
        if (batch.length >= batchSize || chars >= MAX_BATCH_CHARS) await submit();
      }
    }
    if (batch.length > 0) await submit();
    while (inFlight.length > 0) await settle();
    options.signal?.throwIfAborted();
    if (matched < kept.length) {
      record({
        source: `${String(options.out)}.partial`,
        reason: `expected every row of the interrupted run to match a report of the inputs, found ${kept.length - matched} that match none (were the inputs changed?); the output may hold rows twice`,
      });
    }
    const produced = labeled + kept.length > 0;
    await out.end(produced);
    progress?.update(labeled, failed);
    progress?.done();
    const cpu = process.cpuUsage(cpuStart);
    const mainThread = threadCpuSeconds() - threadStart;
    const threads = engine.workers === 1 ? (Number.isNaN(mainThread) ? [] : [mainThread]) : engine.threadCpuSeconds().map((s, i) => s - (engineStart[i] ?? 0));
    const summary: LabelSummary = {
      labeled,
      resumed: kept.length,
      ...(out.resumed && typeof options.out === 'string' ? { resumedFrom: `${options.out}.partial` } : {}),
      failed,
      empty,
      duplicates,
      duplicateExamples,
      failures,
      seconds: (performance.now() - started) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      workers: engine.workers,
      threadCpuSeconds: threads,
      mainThreadCpuSeconds: mainThread,
    };
    if (!produced) throw nothingToLabel(options, read, summary, out.file);
    return summary;
  } catch (error) {
    if (error instanceof NothingToLabelError) throw error;
    // The partial file keeps the whole rows written so far: `resume` finishes the run.
    await sink?.stop();
    throw error;
  } finally {
    await engine.close();
  }
}

/** The error of a run that labeled nothing: what was looked for, where, and that the output was not touched. */
function nothingToLabel(options: LabelFilesOptions, read: number, summary: LabelSummary, file: Sink['file']): NothingToLabelError {
  const where = listInputs(options.inputs);
  const what =
    read === 0
      ? `no report found in ${where} (looked for report files: ${INPUT_EXTENSIONS}; in .csv and .jsonl, the "${options.idColumn ?? 'id'}" and "${options.textColumn ?? 'text'}" columns)`
      : `every one of the ${read.toLocaleString('en-US')} reports read from ${where} failed`;
  const failed = summary.failed > 0 ? `; ${summary.failed.toLocaleString('en-US')} input${summary.failed === 1 ? '' : 's'} failed (listed above)` : '';
  const kept = file ? (file.existed ? `; ${file.name} was left as it was` : `; no ${file.name} was written`) : '';
  return new NothingToLabelError(`nothing to label: ${what}${failed}${kept}`, summary);
}
