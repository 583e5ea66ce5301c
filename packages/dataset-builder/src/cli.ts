/**
 * The `build-dataset` command line: argument parsing only. The work is done by `buildDataset` (pipeline.ts) and
 * `importNih` (import-nih.ts); one top-level catch maps errors to exit codes:
 *
 * | code | meaning |
 * |---|---|
 * | 0 | done, nothing failed |
 * | 1 | done, but some items failed (listed in the `failures` table; the summary says how many) |
 * | 2 | bad usage: unknown flag, missing or malformed argument |
 * | 3 | an input or output could not be used at all (reports file, NIH file, database, key file, labeler lexicon), nothing to do (no DICOM, none of the listed PNGs, a reports source without a report), or an `--out` that is not ours |
 * | 70 | an unexpected internal error (a bug: please report it with the message) |
 * | 130 | interrupted (Ctrl-C); the same command resumes |
 */
import { parseArgs } from 'node:util';
import { BuilderError, UsageError } from './errors.js';
import { buildDataset } from './pipeline.js';
import type { BuildSummary } from './pipeline.js';
import { importNih } from './import-nih.js';
import type { ImportNihSummary } from './import-nih.js';
import { parseSplitSpec } from './splits.js';
import { parseReportColumns } from './reports.js';

const VERSION = '0.1.0';

/** The options of the build, with their defaults (shown by `build-dataset --help`). */
export const BUILD_HELP = `build-dataset: a PACS export (DICOM + reports) to a de-identified, labeled, patient-split chest X-ray dataset

Usage:
  build-dataset --dicom DIR [--reports FILE_OR_DIR ...] --out DIR [options]
  build-dataset import-nih --data-entry FILE [options]     the NIH ChestX-ray14 release (build-dataset import-nih --help)

Options:
  --dicom DIR             the DICOM export; files are found by content, in any folder layout (required)
  --reports PATH          reports: a CSV, a JSONL file, or a folder of <accession>.txt; repeatable.
                          DICOM SR documents in the --dicom tree are read as reports too (default: none, SR only).
                          Rows of one file with one accession number are a report and its addenda, joined
                          in file order; another file's report of that accession is not used (warned);
                          an empty report is labeled No Finding; bytes that are not UTF-8 fail their row
  --report-columns SPEC   CSV/JSONL column names, e.g. accession=acc_no,text=report,study_uid=suid
                          (default accession=accession_number,text=report_text,study_uid=study_instance_uid)
  --out DIR               the dataset folder to write or resume: new, empty, or a dataset built before (required)
  --labels NAME|FILE      the label set: its findings are the labels table's, Data_Entry.csv's, CheXpert.csv's and
                          the shards' columns: nih14 (alias 14), nih8 (8), chexpert, a set in a --lexicons folder's
                          label-sets/, or a set file {"name", "findings": [...]} (docs/label-sets.md). Another set
                          than the dataset's relabels every study in place (default: the dataset's recorded set,
                          else nih14)
  --lexicons DIR          an extra lexicon folder of the labeler (findings/*.json, label-sets/*.json, rules/);
                          repeatable, later folders win; an invalid one is refused (exit 3) (default: none)
  --key-file PATH         the private key file (HMAC key, pseudonym table, export index); must be outside --out.
                          Keep it private: a rebuild needs the key file the dataset was built with (another
                          or none is refused) (default <out>.cxr8-private.sqlite beside the dataset folder)
  --size N                PNG size in pixels (default: the dataset's recorded size, else 1024 as NIH;
                          another size than the recorded one is refused)
  --keep-report-text      store report text in studies.report_text and evidence sentences, de-identified to HIPAA
                          Safe Harbor (identifiers replaced by [NAME], [DATE], [ID], ... placeholders)
                          (default: off, or the dataset's recorded setting)
  --stratify              stratify new patients' split by label (default off: seeded hash of the patient id)
  --assume-chest          the export holds chest images only: CR/DX images with no body-part evidence (no
                          BodyPartExamined, no description naming a body part) are selected (default off: excluded)
  --allow-burned-in       keep images whose pixels may carry identifiers: Burned In Annotation YES, secondary
                          captures, derived images without a radiograph origin (default off: excluded)
  --seed S                split seed (default: the dataset's recorded seed, else cxr8)
  --split T,V,E           train,val,test percentages (default: the recorded split, else 70,10,20)
  --shard-size N          shard image size, 0 = no shards (default: the recorded one, else 224)
  --shard-records N       images per shard file (default: the recorded number, else 1000)
  --workers N             worker threads for decoding and PNG writing, 0 = main thread (default: cores - 1, at least 1)
  --force                 write into an --out folder that holds other files (default off: such a folder is refused)
  -q, --quiet             no progress lines on stderr (default off)
  --json                  print the summary as JSON (default off: a text summary)
  -h, --help              this help
  --version               the version

Ctrl-C stops a build; run the same command again to resume it (work done is kept).
Exit codes: 0 ok; 1 some items failed (see the failures table); 2 bad usage; 3 unusable input or output
(nothing to do, an --out that is not a dataset); 70 bug; 130 interrupted.
`;

/** The options of `import-nih`, with their defaults (shown by `build-dataset import-nih --help`). */
export const IMPORT_HELP = `build-dataset import-nih: the NIH ChestX-ray14 release into the same dataset layout

Usage:
  build-dataset import-nih --data-entry Data_Entry_2017.csv [--bbox BBox_List_2017.csv]
                [--train-val-list train_val_list.txt --test-list test_list.txt] [--images DIR] --out DIR [options]

Options:
  --data-entry FILE       Data_Entry_2017.csv or _v2020 (.csv.gz accepted) (required)
  --bbox FILE             BBox_List_2017.csv (default: none, no boxes)
  --train-val-list FILE   official train_val_list.txt, with --test-list (default: none, a 70/10/20 hash split)
  --test-list FILE        official test_list.txt, with --train-val-list (default: none)
  --images DIR            folder of the release PNGs, searched recursively; with it, shards are written
                          (default: none, metadata only); a folder with none of the listed PNGs is refused
  --out DIR               the dataset folder: new, empty, or an earlier import, which is replaced (required)
  --seed S                seed of the hash that divides train_val into train and val (default cxr8)
  --split T,V,E           train,val,test percentages; with the lists only T:V is used (default 70,10,20)
  --shard-size N          shard image size, 0 = no shards (default 224; needs --images)
  --shard-records N       images per shard file (default 1000)
  --workers N             worker threads for shards, 0 = main thread (default: cores - 1, at least 1)
  --force                 write into an --out folder that holds other files (default off: such a folder is refused)
  -q, --quiet             no progress lines on stderr (default off)
  --json                  print the summary as JSON (default off: a text summary)
  -h, --help              this help

Exit codes: 0 ok; 1 some rows failed (see the failures table); 2 bad usage; 3 unusable input or output; 70 bug;
130 interrupted (run the same command again).
`;

type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };

/** Options of both commands. */
export const COMMON_OPTIONS = {
  out: { type: 'string' },
  seed: { type: 'string' },
  split: { type: 'string' },
  'shard-size': { type: 'string' },
  'shard-records': { type: 'string' },
  workers: { type: 'string' },
  force: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Record<string, OptionSpec>;

/** Options of a build only. */
export const BUILD_OPTIONS = {
  dicom: { type: 'string' },
  reports: { type: 'string', multiple: true },
  'report-columns': { type: 'string' },
  labels: { type: 'string' },
  lexicons: { type: 'string', multiple: true },
  'key-file': { type: 'string' },
  size: { type: 'string' },
  'keep-report-text': { type: 'boolean' },
  stratify: { type: 'boolean' },
  'assume-chest': { type: 'boolean' },
  'allow-burned-in': { type: 'boolean' },
  version: { type: 'boolean' },
} as const satisfies Record<string, OptionSpec>;

/** Options of `import-nih` only. */
export const IMPORT_OPTIONS = {
  'data-entry': { type: 'string' },
  bbox: { type: 'string' },
  'train-val-list': { type: 'string' },
  'test-list': { type: 'string' },
  images: { type: 'string' },
} as const satisfies Record<string, OptionSpec>;

/**
 * A flag the parser of `command` does not know: a usage error that says which command has it, so that
 * `import-nih --dicom x` is not silently ignored.
 */
function unknownFlagError(command: 'build' | 'import-nih', cause: Error): UsageError {
  const flag = /'(-{1,2}[^']+)'/.exec(cause.message)?.[1]?.replace(/^--?/, '').split('=')[0];
  const other = command === 'build' ? IMPORT_OPTIONS : BUILD_OPTIONS;
  if (command === 'import-nih' && (flag === 'labels' || flag === 'lexicons')) {
    return new UsageError(
      `import-nih: --${flag}: an NIH import keeps the release's own labels, the 14 ChestX-ray14 findings (nih14); its reports are not public, so it cannot be labeled with another set. Label a PACS export with another set: build-dataset --dicom ... --labels NAME|FILE (see build-dataset --help)`,
      { cause },
    );
  }
  if (flag !== undefined && flag in other) {
    return command === 'build'
      ? new UsageError(`--${flag} is an option of build-dataset import-nih, not of a build; did you mean build-dataset import-nih ...? (see build-dataset --help)`, { cause })
      : new UsageError(`import-nih: --${flag} is an option of a build (build-dataset --dicom ...), not of import-nih (see build-dataset import-nih --help)`, { cause });
  }
  return new UsageError(`${command === 'import-nih' ? 'import-nih: ' : ''}${cause.message} (see ${command === 'import-nih' ? 'build-dataset import-nih --help' : 'build-dataset --help'})`, { cause });
}

function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name}: expected a non-negative integer, found "${value}"`);
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

/**
 * Runs the command line and returns the exit code (never throws, never calls process.exit).
 *
 * @example
 * ```ts
 * process.exitCode = await main(['--dicom', 'fixtures/pacs/dicom', '--reports', 'fixtures/pacs/reports.csv', '--out', 'out/demo']);
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let removeInterruptHandler = (): void => undefined;
  try {
    const command = argv[0] === 'import-nih' ? 'import-nih' : argv[0] === 'build' ? 'build' : 'build';
    const rest = argv[0] === 'import-nih' || argv[0] === 'build' ? argv.slice(1) : argv;
    let parsed;
    try {
      // One parser per command: a flag of the other command is a usage error, not silently ignored.
      parseArgs({ args: [...rest], strict: true, allowPositionals: false, options: command === 'import-nih' ? { ...COMMON_OPTIONS, ...IMPORT_OPTIONS } : { ...COMMON_OPTIONS, ...BUILD_OPTIONS } });
      // Parsed once more with every option, for values typed the same in both branches below.
      parsed = parseArgs({ args: [...rest], strict: true, allowPositionals: false, options: { ...COMMON_OPTIONS, ...BUILD_OPTIONS, ...IMPORT_OPTIONS } });
    } catch (cause) {
      throw unknownFlagError(command, cause as Error);
    }
    const v = parsed.values;
    if (v.help) {
      io.stdout.write(command === 'import-nih' ? IMPORT_HELP : BUILD_HELP);
      return 0;
    }
    if (v.version) {
      io.stdout.write(`${VERSION}\n`);
      return 0;
    }
    removeInterruptHandler = onInterrupt(argv, io);
    const progress = v.quiet ? null : (io.stderr as NodeJS.WriteStream);
    const common = {
      seed: v.seed,
      split: v.split !== undefined ? parseSplitSpec(v.split) : undefined,
      shardSize: intOption('shard-size', v['shard-size']),
      shardRecords: intOption('shard-records', v['shard-records']),
      workers: intOption('workers', v.workers),
      force: v.force,
      progress,
    };
    if (command === 'import-nih') {
      if (!v['data-entry']) throw new UsageError('import-nih: --data-entry is required (the path of Data_Entry_2017.csv); see --help');
      if (!v.out) throw new UsageError('import-nih: --out is required (the dataset folder to write); see --help');
      const summary = await importNih({
        dataEntry: v['data-entry'],
        bbox: v.bbox,
        trainValList: v['train-val-list'],
        testList: v['test-list'],
        images: v.images,
        out: v.out,
        ...stripUndefined(common),
      });
      io.stdout.write(v.json ? `${JSON.stringify(summary, null, 2)}\n` : formatImport(summary));
      return summary.failed > 0 ? 1 : 0;
    }
    if (!v.dicom) throw new UsageError('--dicom is required (the folder of the DICOM export), e.g. --dicom fixtures/pacs/dicom; see --help');
    if (!v.out) throw new UsageError('--out is required (the dataset folder to write), e.g. --out out/demo; see --help');
    const summary = await buildDataset({
      dicomDir: v.dicom,
      reports: v.reports ?? [],
      reportColumns: parseReportColumns(v['report-columns']),
      out: v.out,
      ...stripUndefined({ labelSet: v.labels, lexiconDirs: v.lexicons }),
      ...stripUndefined({ keyFile: v['key-file'], size: intOption('size', v.size), keepReportText: v['keep-report-text'], stratify: v.stratify, assumeChest: v['assume-chest'], allowBurnedIn: v['allow-burned-in'], ...common }),
    });
    if ((v.reports ?? []).length > 0 && summary.reports.read === summary.reports.srDocuments) {
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
    io.stdout.write(v.json ? `${JSON.stringify(summary, null, 2)}\n` : formatBuild(summary));
    return summary.failed > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message}\n`);
      return 2;
    }
    if (error instanceof BuilderError || (error instanceof Error && error.message.startsWith('@cxr8/'))) {
      // Typed errors of this package and of @cxr8/labeler (a bad lexicon file, say) name the input at fault.
      io.stderr.write(`${error.message}\n`);
      return 3;
    }
    io.stderr.write(`@cxr8/dataset-builder: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 70;
  } finally {
    removeInterruptHandler();
  }
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
    exit(130);
  };
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGINT', handler);
  };
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
