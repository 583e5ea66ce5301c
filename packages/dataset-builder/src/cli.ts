/**
 * The `build-dataset` command line: the arguments are parsed in cli-parse.ts (yargs, one option table per
 * subcommand); the work is done by `buildDataset` (pipeline.ts) and `importNih` (import-nih.ts); one top-level catch
 * maps errors to the exit codes of `@cxr8/labeler`'s `EXIT`, the table of all three cxr8 commands:
 *
 * | code | meaning |
 * |---|---|
 * | 0 | done, nothing failed |
 * | 1 | done, but some items failed (listed in the `failures` table; the summary says how many) |
 * | 2 | usage error: an unknown flag or another subcommand's, a missing or malformed value |
 * | 3 | unusable input or output: a path that does not exist or cannot be read or written (reports file, NIH file, `--dicom` folder, database, key file, labeler lexicon), nothing to do (no DICOM, none of the listed PNGs, a reports source without a report), an `--out` that is not ours, a rebuild refused (another `--size`, `--seed`, ... than the recorded one) |
 * | 70 | an unexpected internal error (a bug: please report it with the message) |
 * | 130 | interrupted (Ctrl-C); the same command resumes |
 */
import { EXIT } from '@cxr8/labeler';
import type { ExitCode } from '@cxr8/labeler';
import { BuilderError, RebuildRefusedError, UsageError } from './errors.js';
import { buildDataset } from './pipeline.js';
import type { BuildOptions, BuildSummary } from './pipeline.js';
import { importNih } from './import-nih.js';
import type { ImportNihOptions, ImportNihSummary } from './import-nih.js';
import { parseSplitSpec } from './splits.js';
import { parseReportColumns } from './reports.js';
import { parseCommandLine } from './cli-parse.js';

function intOption(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isInteger(n) || n < 0) throw new UsageError(`--${name}: expected a non-negative integer, found "${String(value)}"`);
  return n;
}

function formatBuild(s: BuildSummary): string {
  const lines = [
    `build-dataset: ${s.out}`,
    `  files      ${s.files.seen} seen: ${s.files.dicom} DICOM, ${s.files.nonDicom} not DICOM, ${s.files.dicomDir} DICOMDIR, ${s.files.unreadable} unreadable; ${s.files.indexedThisRun} indexed now, ${s.files.skippedAsDone} already done${s.files.removed > 0 ? `, ${s.files.removed} gone from the export` : ''}`,
    `  images     ${s.images.selected} frontal chest images selected, ${s.images.excluded} excluded, ${s.images.duplicates} ${s.images.duplicates === 1 ? 'duplicate copy' : 'duplicate copies'}; ${s.images.inDataset} in the dataset (rendered and labeled); ${s.images.rendered} rendered (${s.images.renderedThisRun} now)`,
    `  reports    ${s.reports.read} read (${s.reports.srDocuments} SR documents, ${s.reports.empty} empty or headings only), ${s.reports.problems} unusable, ${s.reports.addenda} addenda joined, ${s.reports.duplicates} duplicates; ${s.images.withoutReport} images without a report, ${s.reports.withoutImage} reports without an image`,
    ...(s.images.excludedByReason.length > 0
      ? [`  set aside  ${s.images.excludedByReason.map((e) => `${e.count} ${e.reason}`).join(', ')} (the excluded and the duplicate copies, by reason)`]
      : []),
    `  labels     ${s.labeledThisRun} studies labeled now; set ${s.labelSet.name} (${s.labelSet.findings.length} findings + No Finding)${s.labelSet.previous ? `, relabeled from ${s.labelSet.previous.name}` : ''}`,
    `  patients   ${s.patients}; images train ${s.splits.train}, val ${s.splits.val}, test ${s.splits.test}`,
    `  shards     ${s.shards ? `${s.shards.shards} files, ${s.shards.records} images at ${s.shards.size}px${s.shards.skipped ? ' (up to date)' : ''}` : 'none'}`,
    `  key file   ${s.keyFile} (private: keep it outside the shared dataset)`,
    `  failed     ${s.failed}${s.failed > 0 ? ' (SELECT * FROM failures in dataset.sqlite)' : ''}`,
    `  time       ${s.seconds.toFixed(1)} s`,
  ];
  for (const f of s.failures) lines.push(`  ! ${f.stage} ${f.file}${f.path ? ` (${f.path})` : ''}: ${f.reason}`);
  if (s.failed > s.failures.length) lines.push(`  ! ... and ${s.failed - s.failures.length} more`);
  return `${lines.join('\n')}\n`;
}

function formatImport(s: ImportNihSummary): string {
  const lines = [
    `build-dataset import-nih: ${s.out}`,
    `  images     ${s.images} of ${s.patients} patients; train_val ${s.trainVal} (train ${s.splits.train}, val ${s.splits.val}), test ${s.test}`,
    `  boxes      ${s.boxes}`,
    `  pngs       ${s.pngs ? `${s.pngs.found} found, ${s.pngs.missing} missing` : 'metadata only (no --images)'}`,
    `  shards     ${s.shards ? `${s.shards.shards} files, ${s.shards.records} images at ${s.shards.size}px${s.shards.skipped ? ' (up to date)' : ''}` : 'none'}`,
    `  failed     ${s.failed}${s.failed > 0 ? ' (SELECT * FROM failures in dataset.sqlite)' : ''}`,
    `  time       ${s.seconds.toFixed(1)} s`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Where `main` writes; replaceable in tests. */
export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
  /** How Ctrl-C ends the process (default `process.exit`); the resume hint is written to stderr first. */
  exit?: (code: number) => void;
}

/** The options every subcommand passes on: split, shards, workers, --force, progress. */
function sharedOptions(v: Readonly<Record<string, unknown>>, progress: NodeJS.WriteStream | null) {
  return stripUndefined({
    seed: text(v.seed),
    split: text(v.split) !== undefined ? parseSplitSpec(text(v.split) as string) : undefined,
    shardSize: intOption('shard-size', v['shard-size']),
    shardRecords: intOption('shard-records', v['shard-records']),
    workers: intOption('workers', v.workers),
    force: flag(v.force),
    progress,
  });
}

/** The options of `importNih` from the parsed flags; throws a {@link UsageError} for a bad value. */
function importOptions(v: Readonly<Record<string, unknown>>, progress: NodeJS.WriteStream | null): ImportNihOptions {
  const dataEntry = text(v['data-entry']);
  const out = text(v.out);
  if (!dataEntry) throw new UsageError('build-dataset import-nih: --data-entry is required (the path of Data_Entry_2017.csv); see build-dataset import-nih --help');
  if (!out) throw new UsageError('build-dataset import-nih: --out is required (the dataset folder to write); see build-dataset import-nih --help');
  return { dataEntry, out, ...stripUndefined({ bbox: text(v.bbox), trainValList: text(v['train-val-list']), testList: text(v['test-list']), images: text(v.images) }), ...sharedOptions(v, progress) };
}

/** The options of `buildDataset` from the parsed flags; throws a {@link UsageError} for a bad value. */
function buildOptions(v: Readonly<Record<string, unknown>>, progress: NodeJS.WriteStream | null): BuildOptions & { reports: readonly string[] } {
  const dicomDir = text(v.dicom);
  const out = text(v.out);
  if (!dicomDir) throw new UsageError('build-dataset build: --dicom is required (the folder of the DICOM export), e.g. --dicom fixtures/pacs/dicom; see build-dataset --help');
  if (!out) throw new UsageError('build-dataset build: --out is required (the dataset folder to write), e.g. --out out/demo; see build-dataset --help');
  return {
    dicomDir,
    out,
    reports: texts(v.reports) ?? [],
    reportColumns: parseReportColumns(text(v['report-columns'])),
    ...stripUndefined({ labelSet: text(v.labels), lexiconDirs: texts(v.lexicons), keyFile: text(v['key-file']), size: intOption('size', v.size) }),
    ...stripUndefined({ keepReportText: flag(v['keep-report-text']), stratify: flag(v.stratify), assumeChest: flag(v['assume-chest']), allowBurnedIn: flag(v['allow-burned-in']) }),
    ...sharedOptions(v, progress),
  };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const texts = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.map(String) : undefined);
const flag = (value: unknown): boolean | undefined => (typeof value === 'boolean' ? value : undefined);

/** The notes and warnings of a build about its reports and label set, on stderr. */
function writeBuildNotes(summary: BuildSummary, reportsGiven: boolean, io: CliIo): void {
  if (reportsGiven && summary.reports.read === summary.reports.srDocuments) {
    io.stderr.write(`build-dataset: warning: no usable report in --reports (${summary.reports.problems} unusable rows, listed below and in the failures table)\n`);
  }
  const rows = (n: number): string => (summary.reports.repeatedRows.length > 0 ? ` (${summary.reports.repeatedRows.join(', ')}${n > summary.reports.repeatedRows.length ? ', ...' : ''})` : '');
  if (summary.reports.addenda > 0) {
    io.stderr.write(
      `build-dataset: note: ${summary.reports.addenda} report ${summary.reports.addenda === 1 ? 'row has' : 'rows have'} the accession number (or study UID) of an earlier row of the same source${rows(summary.reports.addenda + summary.reports.duplicates)}; taken as addenda, each was joined to the first row of its accession, in file order, with a blank line between\n`,
    );
  }
  const previous = summary.labelSet.previous;
  if (previous) {
    const same = previous.name === summary.labelSet.name;
    io.stderr.write(
      `build-dataset: note: this dataset was labeled with the set "${previous.name}" (digest ${previous.digest.slice(0, 12)}, ${previous.findings.length} findings), this run with "${summary.labelSet.name}" (digest ${summary.labelSet.digest.slice(0, 12)}, ${summary.labelSet.findings.length} findings)${same ? ': the same name over other lexicons or rules' : ''}; every study was labeled again, and Data_Entry.csv, CheXpert.csv and the shards now carry the new set\n`,
    );
  }
  if (summary.reports.duplicates > 0) {
    io.stderr.write(
      `build-dataset: warning: ${summary.reports.duplicates} ${summary.reports.duplicates === 1 ? 'report repeats' : 'reports repeat'} the accession number (or study UID) of a report from an earlier source, or the text of one already read${rows(summary.reports.addenda + summary.reports.duplicates)}; the first was kept, these were not used\n`,
    );
  }
}

/**
 * Runs the command line and returns the exit code, one of `EXIT` (never throws, never calls process.exit; writes
 * only through `io`).
 *
 * @example
 * ```ts
 * process.exitCode = await main(['--dicom', 'fixtures/pacs/dicom', '--reports', 'fixtures/pacs/reports.csv', '--out', 'out/demo']);
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let removeInterruptHandler = (): void => undefined;
  let stage: Stage = 'parse';
  try {
    const line = parseCommandLine(argv);
    if (line.kind === 'print') {
      io.stdout.write(line.text);
      return EXIT.ok;
    }
    const progress = line.values.quiet === true ? null : (io.stderr as NodeJS.WriteStream);
    const json = line.values.json === true;
    if (line.kind === 'import-nih') {
      const options = importOptions(line.values, progress);
      stage = 'run';
      removeInterruptHandler = onInterrupt(argv, io);
      const summary = await importNih(options);
      io.stdout.write(json ? `${JSON.stringify(summary, null, 2)}\n` : formatImport(summary));
      return summary.failed > 0 ? EXIT.someFailed : EXIT.ok;
    }
    const options = buildOptions(line.values, progress);
    stage = 'run';
    removeInterruptHandler = onInterrupt(argv, io);
    const summary = await buildDataset(options);
    writeBuildNotes(summary, options.reports.length > 0, io);
    io.stdout.write(json ? `${JSON.stringify(summary, null, 2)}\n` : formatBuild(summary));
    return summary.failed > 0 ? EXIT.someFailed : EXIT.ok;
  } catch (error) {
    const code = exitCodeOf(error, stage);
    io.stderr.write(`${errorText(error, code)}\n`);
    return code;
  } finally {
    removeInterruptHandler();
  }
}

/** Where an error was thrown: while the arguments were read, or by the build or import they asked for. */
export type Stage = 'parse' | 'run';

/** System error codes of a path that cannot be used: missing, not a folder, not readable or writable, full. */
const UNUSABLE_PATH_CODES = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ELOOP', 'ENAMETOOLONG', 'EEXIST', 'EBUSY']);

function isPathError(error: unknown): error is NodeJS.ErrnoException & { path: string } {
  const e = error as NodeJS.ErrnoException | undefined;
  return error instanceof Error && typeof e?.code === 'string' && UNUSABLE_PATH_CODES.has(e.code) && typeof e.path === 'string';
}

/**
 * The exit code of an error: 2 for a usage error in the arguments; 3 for an input or output that cannot be used (a
 * typed error of this package or of `@cxr8/labeler`, a path the library could not find or read, a refused rebuild, a
 * system error on a path); 70 for anything else, a bug.
 *
 * @example
 * ```ts
 * exitCodeOf(new UsageError('--split: expected ...'), 'parse'); // 2
 * exitCodeOf(new UsageError('expected a folder of DICOM files (--dicom), found nothing at this path', { file: 'x' }), 'run'); // 3
 * exitCodeOf(new RebuildRefusedError('--seed', 'this dataset was split with seed "cxr8", found "other"; ...'), 'run'); // 3
 * exitCodeOf(new TypeError('x is undefined'), 'run'); // 70
 * ```
 */
export function exitCodeOf(error: unknown, stage: Stage): ExitCode {
  // A refused rebuild: well-formed arguments that this dataset cannot be built with (another --size, --seed, ...).
  if (error instanceof RebuildRefusedError) return EXIT.unusable;
  if (error instanceof UsageError) return stage === 'run' && error.file !== undefined ? EXIT.unusable : EXIT.usage;
  // Typed errors of this package and of @cxr8/labeler (a bad lexicon file, say) name the input at fault.
  if (error instanceof BuilderError || (error instanceof Error && error.message.startsWith('@cxr8/'))) return EXIT.unusable;
  return isPathError(error) ? EXIT.unusable : EXIT.internal;
}

function errorText(error: unknown, code: ExitCode): string {
  if (code === EXIT.internal) return `@cxr8/dataset-builder: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  if (isPathError(error) && !(error instanceof BuilderError)) {
    return `@cxr8/dataset-builder: ${error.path}: expected a file or folder that can be read and written, found ${error.code} (${error.syscall ?? 'access'}); nothing more was done`;
  }
  return (error as Error).message;
}

/** An argument as a POSIX shell reads it back: quoted when it holds anything but safe characters. */
function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/**
 * Ctrl-C (SIGINT) during a run: says that the work done is kept and that the same command resumes it, then exits
 * with 130 (128 + SIGINT). Every stage commits in batches whose content depends only on the input, so stopping at
 * any moment is safe (the kill -9 test of pipeline.test.ts). Returns the function that removes the handler.
 */
function onInterrupt(argv: readonly string[], io: CliIo): () => void {
  const exit = io.exit ?? ((code: number) => process.exit(code));
  const handler = (): void => {
    io.stderr.write(
      `\nbuild-dataset: interrupted (SIGINT); the work done so far is kept. To resume, run the same command again:\n  build-dataset ${argv.map(shellWord).join(' ')}\n`,
    );
    exit(EXIT.interrupted);
  };
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGINT', handler);
  };
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
