/**
 * The `label-reports` command line: argument parsing only. The work is done by {@link labelFiles} and
 * {@link evaluateFiles}; one top-level catch maps errors to exit codes:
 *
 * | code | meaning                                                                                       |
 * |------|-----------------------------------------------------------------------------------------------|
 * | 0    | every input was labeled                                                                       |
 * | 1    | some inputs failed (each is named on stderr with its reason); the rest was labeled            |
 * | 2    | usage error (unknown flag, bad value, no input)                                               |
 * | 3    | the run could not proceed: nothing to label, an invalid or empty lexicon folder, an output    |
 * |      | not writable, an interrupted run's partial file in the way or written with other options,     |
 * |      | a worker thread that crashed; an existing `--out` file is left as it was                      |
 * | 130  | interrupted (Ctrl-C); `--out FILE` keeps the rows written so far in `FILE.partial` (`--resume`) |
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { EvaluationInputError, LabelerError, NothingToLabelError, OutputError, UsageError } from './errors.js';
import { isLabelSetPath, LABEL_SET_ALIAS_NAMES, labelSetFiles, readLabelSetFile } from './label-sets.js';
import { defaultLexiconDir } from './lexicon.js';
import { evaluateFiles } from './evaluate-files.js';
import { formatEvaluation } from './evaluate.js';
import { labelFiles, type LabelFilesOptions } from './label-files.js';
import type { LabelerOptions } from './types.js';
import { STDIN_FORMATS, STDIN_INPUT } from './readers/discover.js';
import { isOutputFormat, OUTPUT_FORMATS } from './writers/index.js';

/** Exit codes of `label-reports`. */
export const EXIT = { ok: 0, inputsFailed: 1, usage: 2, fatal: 3, interrupted: 130 } as const;

class InterruptedError extends Error {
  constructor() {
    super('label-reports: interrupted');
  }
}

/** Where the command writes; process.stdout / process.stderr by default (tests pass their own). */
export interface CliIo {
  stdout?: Writable & { isTTY?: boolean };
  stderr?: Writable & { isTTY?: boolean };
  /** What the input "-" reads. Default process.stdin. */
  stdin?: NodeJS.ReadableStream;
  cwd?: string;
}

export const USAGE = `Usage: label-reports [options] <input...>
       label-reports evaluate --gold GOLD.csv --pred PRED.csv [options]   (label-reports evaluate --help)

Labels chest X-ray reports with the 14 ChestX-ray14 findings and No Finding: 1 positive, 0 negative,
-1 uncertain, blank not mentioned.

Inputs: files, folders (searched recursively) or glob patterns (quote them: 'reports/**/*.xml').
  .xml             OpenI report XML; id = <uId id="..."/>
  .txt             one report per file; id = the file name without .txt
  .csv             one report per row, RFC 4180 with a header; see --id-column, --text-column
  .jsonl           one {"id": ..., "text": ...} object per line (also .ndjson); blank lines are skipped; a
                   numeric id must be a whole number below 2^53 (quote any other, or it would change)
  -                standard input, as JSONL unless --stdin-format says otherwise
In a folder, files with other extensions and hidden entries (names starting with ".") are skipped; a subfolder
that cannot be read, or a link named like a report file whose target is missing, fails and is named.
A report whose id came before in the run is skipped (the first is kept; a warning gives the count). An empty or
headings-only report is labeled like any other (No Finding 1) and counted in the summary. Text that is not UTF-8
fails that report only, naming the file, line and byte.

Options:
  -o, --out FILE         write to FILE (default: standard output): rows go to FILE.partial beside it, renamed to
                         FILE when the run labeled something, so an existing FILE is replaced only by a run that
                         labeled at least part of its input; a run that stops early (Ctrl-C, kill -9) leaves
                         FILE.partial, and its options in FILE.partial.json
      --resume           with --out FILE: finish FILE.partial: keep its whole rows, skip the reports they came
                         from, append the rest; refused when the options differ from the interrupted run's
                         (default: off; without it, a FILE.partial that holds rows is refused)
      --stdin-format F   format of the input "-": jsonl, csv, or txt (all of standard input is one report, id
                         "stdin") (default: jsonl)
  -f, --format FORMAT    csv, jsonl (labels and evidence), chexpert (CheXpert labeler layout), nih (Image
                         Index,Finding Labels: the findings that are 1, else No Finding when No Finding is 1, else
                         empty) (default: csv)
      --labels SET|FILE  the label set (the output columns; No Finding last): nih14 (alias 14, the 14
                         ChestX-ray14 findings), nih8 (8), chexpert (CheXpert's 14 observations), a set in
                         the label-sets/ of a lexicon folder, or a set file {"name","findings":[...]}
                         (default: 14; chexpert with --format chexpert)
      --sections WHICH   findings-impression (FINDINGS and IMPRESSION, or the whole report when it has neither),
                         all, or a comma-separated list such as FINDINGS,IMPRESSION,HISTORY
                         (default: findings-impression)
      --uncertain AS     keep uncertain findings as -1 (keep), or count them as positive or negative
                         (default: keep)
      --lexicons DIR     also read the lexicons and rules in DIR (findings/*.json, abnormalities.json,
                         normal.json, rules/*.json; a folder with none of them is an error); repeatable
                         (default: none, the bundled lexicons only)
  -j, --workers N        label on N threads ("auto" = one per core); output order is unchanged (default: 1)
      --id-column NAME   CSV column or JSONL key of the report id (default: id)
      --text-column NAME CSV column or JSONL key of the report text (default: text)
      --progress         show progress (count, rate, time left) on stderr even when it is not a terminal
                         (default: shown when stderr is a terminal)
      --no-progress      never show progress (default: off)
  -q, --quiet            no summary line; failures and warnings are still listed (default: off)
  -h, --help             show this help

Exit codes: 0 all labeled; 1 some inputs failed (named on stderr, the rest labeled); 2 usage error;
3 the run could not proceed: nothing to label (no input matched, no report in the inputs, every report
failed; the output is left as it was), an invalid or empty --lexicons folder, an output not writable,
a partial file of an interrupted run in the way or written with other options, a worker crashed;
130 interrupted. With --out FILE, a run that stopped early keeps FILE.partial: run the same command
with --resume to finish it.

Examples:
  label-reports ../shared/data/openi-dev/reports --out labels.csv --workers 2
  label-reports ../shared/data/openi-dev/reports --out labels.csv --workers 2 --resume   # after Ctrl-C
  label-reports reports.csv --text-column report_text --format jsonl > labels.jsonl
  zcat feed.jsonl.gz | label-reports - --out labels.csv
  label-reports evaluate --gold ../shared/data/openi-dev/gold.csv --pred labels.csv
`;

/** The help of `label-reports evaluate`. */
export const EVALUATE_USAGE = `Usage: label-reports evaluate --gold GOLD.csv --pred PRED.csv [options]

Scores predictions (the csv output of label-reports) against a gold standard: precision, recall and F1 per
label, micro and macro totals over the findings, and No Finding.

Options:
      --gold FILE        gold standard csv: filename (or id), the 14 findings, normal; 1 = present (required)
      --pred FILE        predictions in label-reports' csv format: any of its label columns (a --labels 8 file
                         is scored on its 8 findings and No Finding; the table says which were scored) (required)
      --uncertain AS     count -1 predictions as negative or positive (default: negative); a No Finding of
                         -1 (only a hedged abnormality) is never counted as normal
      --allow-missing    score gold reports that have no prediction as blank (not mentioned) (default: off:
                         predictions missing for some gold reports are an error, exit 1, naming how many)
      --json             print the evaluation as JSON instead of a table (default: off, a table)
  -h, --help             show this help

Exit codes: 0 scored; 1 a file could not be read or parsed, or predictions are missing; 2 usage error.

Example:
  label-reports evaluate --gold ../shared/data/openi-dev/gold.csv --pred labels.csv
`;

function usage(message: string): UsageError {
  return new UsageError(`${message} (see label-reports --help)`);
}

/** The flags of the labeling command and of `evaluate`, for suggestions on a mistyped one. */
const LABEL_FLAGS = [
  'out', 'format', 'labels', 'sections', 'uncertain', 'lexicons', 'workers', 'id-column', 'text-column', 'resume', 'stdin-format',
  'progress', 'no-progress', 'quiet', 'help',
] as const;
const EVALUATE_FLAGS = ['gold', 'pred', 'uncertain', 'allow-missing', 'json', 'help'] as const;

/** Edit distance (insertions, deletions, substitutions, transpositions of neighbours), for flag suggestions. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/**
 * The known flag nearest to a mistyped one (`--ouput` -> `--out`, `--worker` -> `--workers`), or undefined when none
 * is close (at most a third of its letters wrong, or a prefix of one flag).
 *
 * @example
 * ```ts
 * suggestFlag('--ouput', ['out', 'format']); // "--out"
 * suggestFlag('--zzz', ['out', 'format']);   // undefined
 * suggestFlag('image_size', ['image-size']);  // "--image-size" (dashes optional, _ read as -)
 * ```
 */
export function suggestFlag(flag: string, known: readonly string[]): string | undefined {
  const name = (flag.replace(/^-+/, '').split('=')[0] ?? '').toLowerCase().replace(/_/g, '-');
  if (name.length === 0) return undefined;
  if (known.includes(name)) return `--${name}`;
  const prefixed = known.filter((k) => k.startsWith(name));
  if (prefixed.length === 1) return `--${prefixed[0] as string}`;
  let best: string | undefined;
  let bestDistance = Math.min(name.length - 1, Math.max(2, Math.ceil(name.length / 3)));
  for (const k of known) {
    const distance = editDistance(name, k);
    if (distance < bestDistance || (distance === bestDistance && best === undefined)) {
      best = k;
      bestDistance = distance;
    }
  }
  return best === undefined ? undefined : `--${best}`;
}

/**
 * Rewrites node:util parseArgs errors into this command's words: an unknown flag with the nearest known one, a flag
 * without its value as expected vs found.
 */
function describeParseError(error: Error, known: readonly string[]): string {
  const unknown = /^Unknown option '([^']+)'/.exec(error.message);
  if (unknown) {
    const flag = unknown[1] as string;
    const near = suggestFlag(flag, known);
    return `unknown option ${flag}${near ? `; did you mean ${near}?` : ''}`;
  }
  const missing = /^Option '(?:-\w, )?(--[\w-]+)(?: <value>)?' argument (missing|is ambiguous)/.exec(error.message);
  if (missing) {
    return missing[2] === 'missing'
      ? `${missing[1] as string}: expected a value, found none`
      : `${missing[1] as string}: expected a value, found the next flag (write ${missing[1] as string}=VALUE for a value that starts with "-")`;
  }
  const noValue = /^Option '(--[\w-]+)' does not take an argument/.exec(error.message);
  if (noValue) return `${noValue[1] as string}: expected no value (it is a switch), found one`;
  return error.message;
}

/** A flag given an empty value (`--out ''`, `--text-column=`) is a usage error, not a default. */
function checkNotEmpty(values: Record<string, unknown>, prefix = ''): void {
  for (const [flag, value] of Object.entries(values)) {
    if (value === '' || (Array.isArray(value) && value.includes(''))) throw usage(`${prefix}--${flag}: expected a value, found an empty string`);
  }
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw usage(`${flag}: expected one of ${allowed.join(', ')}, found "${value}"`);
  }
  return value as T;
}

function parseWorkers(value: string | undefined): number {
  if (value === undefined) return 1;
  if (value === 'auto') return availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw usage(`--workers: expected a whole number from 1 to 256 or "auto", found "${value}"`);
  return n;
}

function parseSections(value: string | undefined): LabelerOptions['sections'] {
  if (value === undefined || value === 'findings-impression' || value === 'all') return value;
  const list = value.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  if (list.length === 0) throw usage(`--sections: expected findings-impression, all, or a list such as FINDINGS,IMPRESSION, found "${value}"`);
  return list;
}

/**
 * Parses the arguments of the labeling command into `labelFiles` options. Throws a UsageError.
 *
 * @example
 * ```ts
 * parseLabelArgs(['reports/', '-j', '2', '--labels', '8']).options; // { inputs: ['reports/'], workers: 2, labeler: { labelSet: '8' }, ... }
 * ```
 */
export function parseLabelArgs(argv: readonly string[]): { help: boolean; quiet: boolean; progress: boolean | undefined; options: LabelFilesOptions } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: 'string', short: 'o' },
        format: { type: 'string', short: 'f' },
        labels: { type: 'string' },
        sections: { type: 'string' },
        uncertain: { type: 'string' },
        lexicons: { type: 'string', multiple: true },
        workers: { type: 'string', short: 'j' },
        'id-column': { type: 'string' },
        'text-column': { type: 'string' },
        resume: { type: 'boolean' },
        'stdin-format': { type: 'string' },
        progress: { type: 'boolean' },
        'no-progress': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw usage(describeParseError(error as Error, LABEL_FLAGS));
  }
  checkNotEmpty(parsed.values);
  const v = parsed.values;
  const help = v.help === true;
  const format = v.format ?? 'csv';
  if (!isOutputFormat(format)) throw usage(`--format: expected one of ${OUTPUT_FORMATS.join(', ')}, found "${format}"`);
  if (v.labels !== undefined && v.labels.trim() === '') throw usage('--labels: expected a label set name (nih14, 14, nih8, 8, chexpert) or a set file, found ""');
  // --format chexpert fills CheXpert's columns from its own set unless --labels names another.
  const labelSet = v.labels ?? (format === 'chexpert' ? 'chexpert' : undefined);
  const uncertain = oneOf('--uncertain', v.uncertain, ['keep', 'uncertain', 'positive', 'negative'] as const);
  const sections = parseSections(v.sections);
  const labeler: LabelerOptions = {
    ...(labelSet ? { labelSet } : {}),
    ...(sections ? { sections } : {}),
    ...(uncertain ? { uncertainty: uncertain === 'keep' ? 'uncertain' : uncertain } : {}),
    ...(v.lexicons ? { lexiconDirs: v.lexicons } : {}),
  };
  if (!help && parsed.positionals.length === 0) throw usage('expected at least one input (a file, folder or glob), found none');
  if (v.progress && v['no-progress']) throw usage('--progress and --no-progress: expected one of them, found both');
  if (v.resume && v.out === undefined) throw usage('--resume: expected --out FILE (the output of the interrupted run), found none');
  const stdinFormat = oneOf('--stdin-format', v['stdin-format'], STDIN_FORMATS);
  if (parsed.positionals.filter((p) => p === STDIN_INPUT).length > 1) throw usage('expected the input "-" (standard input) once, found it more than once');
  const progress = v.progress ? true : v['no-progress'] ? false : undefined;
  return {
    help,
    quiet: v.quiet === true,
    progress,
    options: {
      inputs: parsed.positionals,
      format,
      workers: parseWorkers(v.workers),
      labeler,
      ...(v.out !== undefined ? { out: v.out } : {}),
      ...(v.resume ? { resume: true } : {}),
      ...(stdinFormat !== undefined ? { stdinFormat } : {}),
      ...(v['id-column'] !== undefined ? { idColumn: v['id-column'] } : {}),
      ...(v['text-column'] !== undefined ? { textColumn: v['text-column'] } : {}),
    },
  };
}

/**
 * Parses the arguments of `label-reports evaluate`. Throws a UsageError.
 *
 * @example
 * ```ts
 * parseEvaluateArgs(['--gold', 'gold.csv', '--pred', 'pred.csv']); // { help: false, json: false, gold: 'gold.csv', pred: 'pred.csv', allowMissing: false }
 * ```
 */
export function parseEvaluateArgs(argv: readonly string[]): {
  help: boolean;
  json: boolean;
  gold: string;
  pred: string;
  allowMissing: boolean;
  uncertainAs?: 'positive' | 'negative';
} {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
        gold: { type: 'string' },
        pred: { type: 'string' },
        uncertain: { type: 'string' },
        'allow-missing': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw usage(`evaluate: ${describeParseError(error as Error, EVALUATE_FLAGS)}`);
  }
  checkNotEmpty(parsed.values, 'evaluate: ');
  const v = parsed.values;
  const help = v.help === true;
  if (!help && (v.gold === undefined || v.pred === undefined)) {
    throw usage(`evaluate: expected --gold GOLD.csv and --pred PRED.csv, found ${v.gold === undefined ? 'no --gold' : 'no --pred'}`);
  }
  const uncertainAs = oneOf('--uncertain', v.uncertain, ['positive', 'negative'] as const);
  return { help, json: v.json === true, gold: v.gold ?? '', pred: v.pred ?? '', allowMissing: v['allow-missing'] === true, ...(uncertainAs ? { uncertainAs } : {}) };
}

/**
 * The `--out` file's partial file (as the user named it) when a failed run left one, for the hint to resume; with
 * `named`, the `--out` file whether or not a partial file exists (undefined: the run wrote to standard output).
 */
function partialOf(argv: readonly string[], cwd: string, named = false): string | undefined {
  let out: string | undefined;
  try {
    out = parseLabelArgs(argv).options.out as string | undefined;
  } catch {
    return undefined;
  }
  if (named) return out;
  return out !== undefined && existsSync(resolve(cwd, `${out}.partial`)) ? `${out}.partial` : undefined;
}

function write(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (stream.write(text)) resolve();
    else stream.once('drain', () => resolve());
  });
}

/**
 * Resolves `--labels`: a value that names a file (ends with .json or holds a path separator) is read relative to
 * `cwd` and validated (a LexiconError naming the file: exit 3); a name must be a built-in set, an alias or a set in
 * a `--lexicons` folder's `label-sets/`, else a usage error listing the names there are.
 *
 * @example
 * ```ts
 * resolveLabelsFlag({ labelSet: 'sets/site.json' }, '/work').labelSet; // { name: 'site', findings: [...], file: '/work/sets/site.json' }
 * ```
 */
export function resolveLabelsFlag(labeler: LabelerOptions, cwd: string): LabelerOptions {
  const set = labeler.labelSet;
  if (typeof set !== 'string') return labeler;
  if (isLabelSetPath(set)) return { ...labeler, labelSet: readLabelSetFile(resolve(cwd, set)) };
  const dirs = (labeler.lexiconDirs ?? []).map((d) => resolve(cwd, d)).filter((d) => existsSync(d));
  const known = [...labelSetFiles([defaultLexiconDir(), ...dirs]).keys(), ...LABEL_SET_ALIAS_NAMES];
  if (!known.includes(set)) {
    // A set file named without .json ("--labels site-set") is read as a set name: say how to name the file.
    const file = existsSync(resolve(cwd, set)) ? `; a file "${set}" is here: a set file's path ends with .json or holds a "/" (--labels ./${set})` : '';
    throw usage(`--labels: expected one of ${known.join(', ')} or a set file (NAME.json), found "${set}"${file}`);
  }
  return labeler;
}

/**
 * Runs `label-reports` with the given arguments (without `node` and the script) and returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['reports/', '--out', 'labels.csv', '--workers', '2']);
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const cwd = io.cwd ?? process.cwd();
  try {
    if (argv[0] === 'evaluate') {
      const args = parseEvaluateArgs(argv.slice(1));
      if (args.help) {
        await write(stdout, EVALUATE_USAGE);
        return EXIT.ok;
      }
      const evaluation = await evaluateFiles({
        gold: args.gold,
        pred: args.pred,
        cwd,
        allowMissing: args.allowMissing,
        ...(args.uncertainAs ? { uncertainAs: args.uncertainAs } : {}),
      });
      await write(stdout, args.json ? `${JSON.stringify(evaluation, null, 2)}\n` : `${formatEvaluation(evaluation)}\n`);
      return EXIT.ok;
    }
    const args = parseLabelArgs(argv);
    if (args.help) {
      await write(stdout, USAGE);
      return EXIT.ok;
    }
    args.options.labeler = resolveLabelsFlag(args.options.labeler ?? {}, cwd);
    const showProgress = args.progress ?? (stderr.isTTY === true && !args.quiet);
    const clearLine = showProgress && stderr.isTTY === true ? '\r\x1b[K' : '';
    // Ctrl-C stops the run cleanly: worker threads end and --out FILE keeps its whole rows in FILE.partial.
    const interrupt = new AbortController();
    const onSigint = (): void => interrupt.abort(new InterruptedError());
    process.once('SIGINT', onSigint);
    const summary = await labelFiles({
      signal: interrupt.signal,
      ...args.options,
      cwd,
      ...(io.stdin ? { stdin: io.stdin } : {}),
      ...(args.options.out === undefined ? { out: stdout } : {}),
      ...(showProgress ? { progress: stderr } : {}),
      // On a terminal, clear the progress line before a failure line so the two do not run together.
      onFailure: (f) => stderr.write(`${clearLine}label-reports: ${f.source}: ${f.reason}\n`),
      onWarning: (message) => stderr.write(`${clearLine}label-reports: warning: ${message}\n`),
    }).finally(() => process.off('SIGINT', onSigint));
    if (summary.duplicates > 0) {
      const n = summary.duplicates;
      const more = n > summary.duplicateExamples.length ? ', ...' : '';
      await write(
        stderr,
        `label-reports: warning: ${n.toLocaleString('en-US')} report${n === 1 ? '' : 's'} skipped because ${n === 1 ? 'its' : 'their'} id was seen before ` +
          `(the first report of an id is kept): ${summary.duplicateExamples.join(', ')}${more}\n`,
      );
    }
    if (!args.quiet) {
      const rate = summary.seconds > 0 ? Math.round(summary.labeled / summary.seconds) : 0;
      const failed = summary.failed > 0 ? `; ${summary.failed.toLocaleString('en-US')} failed (listed above)` : '';
      const resumed = summary.resumedFrom !== undefined ? `; ${summary.resumed.toLocaleString('en-US')} kept from ${summary.resumedFrom}` : '';
      const empty = summary.empty > 0 ? `; ${summary.empty.toLocaleString('en-US')} empty or headings only` : '';
      await write(
        stderr,
        `label-reports: ${summary.labeled.toLocaleString('en-US')} report${summary.labeled === 1 ? '' : 's'} labeled in ${summary.seconds.toFixed(2)} s ` +
          `(${rate.toLocaleString('en-US')}/s, ${summary.workers} thread${summary.workers > 1 ? 's' : ''})${resumed}${empty}${failed}\n`,
      );
    }
    return summary.failed > 0 ? EXIT.inputsFailed : EXIT.ok;
  } catch (error) {
    // The command's own name on every line it prints (the library's errors carry the package name).
    const message = (error instanceof Error ? error.message : String(error)).replace(/^@cxr8\/labeler: /, 'label-reports: ');
    if (error instanceof UsageError) {
      await write(stderr, `${message}\n`);
      return EXIT.usage;
    }
    if (error instanceof NothingToLabelError) {
      await write(stderr, `${message}\n`);
      return EXIT.fatal;
    }
    const partial = partialOf(argv, cwd);
    const resumeHint = partial ? `label-reports: the rows written so far are in ${partial}; run the same command with --resume to finish\n` : '';
    if (error instanceof InterruptedError) {
      const stdoutHint = partialOf(argv, cwd, true) === undefined
        ? 'label-reports: the output on standard output is incomplete; to be able to stop and resume a run, write it with --out FILE, then run the same command with --resume\n'
        : '';
      await write(stderr, `${error.message}\n${resumeHint}${stdoutHint}`);
      return EXIT.interrupted;
    }
    if (error instanceof OutputError && (error.cause as { code?: string } | undefined)?.code === 'EPIPE') {
      return EXIT.ok; // the reader of stdout stopped reading (e.g. `| head`): stop quietly, as Unix tools do
    }
    if (error instanceof EvaluationInputError) {
      await write(stderr, `${message}\n`);
      return EXIT.inputsFailed;
    }
    await write(stderr, error instanceof LabelerError ? `${message}\n` : `label-reports: unexpected error: ${error instanceof Error ? error.stack : message}\n`);
    // An error about the partial file itself (in the way, other options) says what to do already.
    if (!(error instanceof OutputError && error.file?.endsWith('.partial'))) await write(stderr, resumeHint);
    return EXIT.fatal;
  }
}
