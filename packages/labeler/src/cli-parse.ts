/**
 * The arguments of `label-reports`, parsed by yargs: the labeling command (the default, `label-reports [options]
 * <input...>`) and `label-reports evaluate`, each with its own option table ({@link LABEL_OPTIONS},
 * {@link EVALUATE_OPTIONS}). Strict: an unknown flag (with the nearest known one), a flag of the other command, a
 * switch given a value, a flag without its value, an empty value, a stray argument of `evaluate` and a mistyped
 * `evaluate` are a {@link UsageError} (exit 2) that names it. yargs never prints and never exits here: its help is
 * returned, its failures are thrown. Values are checked by the caller (cli.ts), which quotes what was typed.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv, Options } from 'yargs';
import { UsageError } from './errors.js';
import { HELP_WIDTH, PARSER_CONFIGURATION, editDistance, lastOf, repeatableOption as repeatable, requiredOption as required, textOption as valued, yargs } from './cli-yargs.js';
import { formatExitCodes } from './exit-codes.js';

export { HELP_WIDTH } from './cli-yargs.js';

/** The two commands: labeling (the default) and `evaluate`. */
export type CliCommand = 'label' | 'evaluate';

type OptionTable = Readonly<Record<string, Options>>;

const toggle = (describe: string, defaultDescription = 'off'): Options => ({ type: 'boolean', coerce: lastOf, describe, defaultDescription });

/** The options of the labeling command, with their defaults as `--help` shows them. */
export const LABEL_OPTIONS = {
  out: {
    ...valued(
      'write to FILE: rows go to FILE.partial beside it, renamed to FILE when the run labeled something, so an existing FILE is replaced only by a run that labeled at least part of its input; a run that stops early (Ctrl-C, kill -9) leaves FILE.partial, and its options in FILE.partial.json',
      'standard output',
    ),
    alias: 'o',
  },
  resume: toggle(
    "with --out FILE: finish FILE.partial: keep its whole rows, skip the reports they came from, append the rest; refused when the options differ from the interrupted run's",
    'off: a FILE.partial that holds rows is refused',
  ),
  'stdin-format': valued('format of the input "-": jsonl, csv, or txt (all of standard input is one report, id "stdin")', 'jsonl'),
  format: {
    ...valued(
      'csv, jsonl (labels and evidence), chexpert (CheXpert labeler layout), nih (Image Index,Finding Labels: the findings that are 1, else No Finding when No Finding is 1, else empty)',
      'csv',
    ),
    alias: 'f',
  },
  labels: valued(
    'the label set (the output columns; No Finding last): nih14 (alias 14, the 14 ChestX-ray14 findings), nih8 (8), chexpert (CheXpert\'s 14 observations), a set in the label-sets/ of a lexicon folder, or a set file {"name","findings":[...]}',
    '14; chexpert with --format chexpert',
  ),
  sections: valued(
    'findings-impression (FINDINGS and IMPRESSION, or the whole report when it has neither), all, or a comma-separated list such as FINDINGS,IMPRESSION,HISTORY',
    'findings-impression',
  ),
  uncertain: valued('keep uncertain findings as -1 (keep), or count them as positive or negative', 'keep'),
  lexicons: repeatable(
    'also read the lexicons and rules in DIR (findings/*.json, abnormalities.json, normal.json, rules/*.json; a folder with none of them is an error); repeatable',
    'none, the bundled lexicons only',
  ),
  workers: { ...valued('label on N threads ("auto" = one per core); output order is unchanged', '1'), alias: 'j' },
  'id-column': valued('CSV column or JSONL key of the report id', 'id'),
  'text-column': valued('CSV column or JSONL key of the report text', 'text'),
  progress: toggle('show progress (count, rate, time left) on stderr even when it is not a terminal', 'shown when stderr is a terminal'),
  'no-progress': toggle('never show progress'),
  quiet: { ...toggle('no summary line; failures and warnings are still listed'), alias: 'q' },
} as const satisfies OptionTable;

/** The options of `label-reports evaluate`, with their defaults as `evaluate --help` shows them. */
export const EVALUATE_OPTIONS = {
  gold: required('gold standard csv: filename (or id), the 14 findings, normal; 1 = present'),
  pred: required(
    "predictions in label-reports' csv format: any of its label columns (a --labels 8 file is scored on its 8 findings and No Finding; the table says which were scored)",
  ),
  uncertain: valued('count -1 predictions as negative or positive; a No Finding of -1 (only a hedged abnormality) is never counted as normal', 'negative'),
  'allow-missing': toggle(
    'score gold reports that have no prediction as blank (not mentioned); without it, predictions missing for some gold reports are an error naming how many',
  ),
  json: toggle('print the evaluation as JSON instead of a table', 'off, a table'),
} as const satisfies OptionTable;

const OPTIONS: Readonly<Record<CliCommand, OptionTable>> = { label: LABEL_OPTIONS, evaluate: EVALUATE_OPTIONS };

/** How a message names each command, and where its help is. */
const NAMES: Readonly<Record<CliCommand, { readonly prefix: string; readonly help: string; readonly usage: string }>> = {
  label: { prefix: '', help: 'label-reports --help', usage: 'label-reports [options] <input...>' },
  evaluate: { prefix: 'evaluate: ', help: 'label-reports evaluate --help', usage: 'label-reports evaluate --gold GOLD.csv --pred PRED.csv' },
};

const LABEL_USAGE = `$0 [options] <input...>
$0 evaluate --gold GOLD.csv --pred PRED.csv [options]   ($0 evaluate --help)

Labels chest X-ray reports with the 14 ChestX-ray14 findings and No Finding: 1 positive, 0 negative, -1 uncertain, \
blank not mentioned.`;

const EVALUATE_USAGE = `$0 evaluate --gold GOLD.csv --pred PRED.csv [options]

Scores predictions (the csv output of label-reports) against a gold standard: precision, recall and F1 per label, \
micro and macro totals over the findings, and No Finding.`;

/** Printed after yargs's help (not through `.epilogue`, whose layout drops indentation), before the exit codes. */
const NOTES: Readonly<Record<CliCommand, string>> = {
  label: `Inputs: files, folders (searched recursively), glob patterns (quote them: 'reports/**/*.xml'), or -.
  .xml    OpenI report XML; id = <uId id="..."/>
  .txt    one report per file; id = the file name without .txt
  .csv    one report per row, RFC 4180 with a header; see --id-column, --text-column
  .jsonl  one {"id": ..., "text": ...} object per line (also .ndjson); blank lines are skipped; a numeric id
          must be a whole number below 2^53 (quote any other, or it would change)
  -       standard input, as JSONL unless --stdin-format says otherwise
In a folder, files with other extensions and hidden entries (names starting with ".") are skipped; a subfolder
that cannot be read, or a link named like a report file whose target is missing, fails and is named. A glob
(*, ?, [...], {a,b}, ** for any depth) is matched below its leading folders, by the same rules and in the same
order (names sorted, depth first). A report whose id came before in the run is skipped (the first is kept; a
warning gives the count). An empty or headings-only report is labeled like any other (No Finding 1) and
counted in the summary. Text that is not UTF-8 fails that report only, naming the file, line and byte.

With --out FILE, a run that stopped early keeps FILE.partial: run the same command with --resume to finish it.`,
  evaluate: '',
};

/** What each exit code means for the command, under the shared table. */
const EXIT_NOTES: Readonly<Record<CliCommand, string>> = {
  label: `label-reports: 1 when some inputs failed and the rest was labeled; 3 when nothing could be labeled (no input
matched, no report in the inputs, every report failed), for an invalid or empty --lexicons folder, an --out
that cannot be written, or a partial file of an interrupted run in the way or written with other options (the
output is left as it was); 70 when a worker thread crashed.`,
  evaluate: `label-reports evaluate: 3 when a file is missing, cannot be read or parsed, is in another layout, or
predictions are missing for some gold reports (without --allow-missing).`,
};

const EXAMPLES: Readonly<Record<CliCommand, readonly (readonly [string, string])[]>> = {
  label: [
    ['the OpenI dev reports (a folder of XML), two threads, to a file', '$0 ../shared/data/openi-dev/reports --out labels.csv --workers 2'],
    ['the same run finished after Ctrl-C', '$0 ../shared/data/openi-dev/reports --out labels.csv --workers 2 --resume'],
    ['a CSV export with its own text column, with evidence', '$0 reports.csv --text-column report_text --format jsonl > labels.jsonl'],
    ['JSONL on standard input', 'zcat feed.jsonl.gz | $0 - --out labels.csv'],
    ['score the labels against a gold standard', '$0 evaluate --gold ../shared/data/openi-dev/gold.csv --pred labels.csv'],
  ],
  evaluate: [['the OpenI dev gold standard', '$0 evaluate --gold ../shared/data/openi-dev/gold.csv --pred labels.csv']],
};

/** What the command line asks for: a help text to print, or a command with its option values and inputs. */
export type CommandLine =
  | { readonly kind: 'print'; readonly text: string }
  | { readonly kind: CliCommand; readonly values: Readonly<Record<string, unknown>>; readonly inputs: readonly string[] };

/**
 * Parses `label-reports`'s arguments. Returns the help text when asked for one (`--help`, `evaluate --help`), else the
 * command, its option values and (labeling) its inputs. Throws a {@link UsageError} (exit 2) for an unknown flag,
 * another command's flag, a mistyped `evaluate` (a first word near it that is no file or folder in `cwd`), a switch
 * given a value, a flag without its value, an empty value, a stray argument of `evaluate`, or a missing --gold/--pred.
 *
 * @example
 * ```ts
 * parseCommandLine(['reports/', '-j', '2']); // { kind: 'label', values: { workers: '2', ... }, inputs: ['reports/'] }
 * parseCommandLine(['evaluate', '--help']).kind; // 'print'
 * parseCommandLine(['reports/', '--gold', 'g.csv']); // throws: "--gold is an option of label-reports evaluate, ..."
 * ```
 */
export function parseCommandLine(argv: readonly string[], cwd = process.cwd()): CommandLine {
  const command: CliCommand = argv[0] === 'evaluate' ? 'evaluate' : 'label';
  const tokens = command === 'evaluate' ? argv.slice(1) : argv;
  if (command === 'label') checkCommandWord(argv[0], cwd);
  const inputs = scanTokens(tokens, command);
  let output = '';
  let values: Record<string, unknown> = {};
  parser()
    .fail((message: string | undefined, error: Error | undefined) => {
      if (error instanceof UsageError) throw error;
      throw missingFlagError(command, tokens) ?? usage(command, message ?? error?.message ?? 'invalid arguments');
    })
    .parse([...argv], {}, (_error: Error | undefined, parsed: Record<string, unknown>, text: string) => {
      output = text;
      values = parsed;
    });
  if (output !== '') return { kind: 'print', text: `${[output, NOTES[command], exitCodes(command)].filter((s) => s !== '').join('\n\n')}\n` };
  checkNotEmpty(values, command);
  return { kind: command, values, inputs };
}

/**
 * The help text of a command, as `label-reports --help` and `label-reports evaluate --help` print it.
 *
 * @example
 * ```ts
 * helpText('evaluate').startsWith('label-reports evaluate --gold GOLD.csv'); // true
 * ```
 */
export function helpText(command: CliCommand): string {
  const line = parseCommandLine(command === 'label' ? ['--help'] : ['evaluate', '--help']);
  return line.kind === 'print' ? line.text : '';
}

/** The usage error of a command, with where its help is. */
function usage(command: CliCommand, message: string): UsageError {
  return new UsageError(`${NAMES[command].prefix}${message} (see ${NAMES[command].help})`);
}

function exitCodes(command: CliCommand): string {
  return `Exit codes:\n${formatExitCodes(HELP_WIDTH)}\n${EXIT_NOTES[command]}`;
}

/** One yargs parser of both commands, that never prints or exits, in English, at {@link HELP_WIDTH} columns. */
function parser(): Argv {
  const withExamples = (y: Argv, command: CliCommand): Argv => {
    let described = y.options(OPTIONS[command]);
    // An example without a description spans the width; what it does is a shell comment above it.
    for (const [what, example] of EXAMPLES[command]) described = described.example(`# ${what}\n${example}`, '');
    return described;
  };
  return yargs()
    .scriptName('label-reports')
    .usage(LABEL_USAGE)
    .locale('en')
    .parserConfiguration(PARSER_CONFIGURATION)
    .exitProcess(false)
    .strict()
    .wrap(HELP_WIDTH)
    .version(false)
    .help('help', 'show this help')
    .alias('help', 'h')
    .command(['$0 [input..]'], 'label reports (the default command)', (y: Argv) =>
      withExamples(y.positional('input', { type: 'string', describe: 'report files, folders, glob patterns, or - for standard input' }), 'label'),
    )
    .command('evaluate', 'score predictions against a gold standard', (y: Argv) => withExamples(y.usage(EVALUATE_USAGE), 'evaluate'));
}

/** The flags a command knows, by every name they are given with (aliases and -h included), and whether each takes a value. */
function knownFlags(command: CliCommand): Map<string, boolean> {
  const known = new Map<string, boolean>([['help', false], ['h', false]]);
  for (const [name, option] of Object.entries(OPTIONS[command])) {
    const takesValue = option.type !== 'boolean';
    known.set(name, takesValue);
    for (const alias of [option.alias ?? []].flat()) known.set(alias, takesValue);
  }
  return known;
}

/**
 * Checks each flag of `tokens` (up to a `--`) before yargs sees them, so that every mistake is named in this command's
 * words: an unknown flag or another command's, a switch given a value, a flag without its value; and for `evaluate`,
 * which takes no inputs, a stray argument. Returns the arguments that are no flag or flag value, in order: the inputs
 * (yargs's positionals drop the input "-").
 */
function scanTokens(tokens: readonly string[], command: CliCommand): string[] {
  const known = knownFlags(command);
  const inputs: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (token === '--') {
      inputs.push(...tokens.slice(i + 1));
      break;
    }
    const next = tokens[i + 1];
    if (token.startsWith('--')) {
      const [name = '', value] = token.slice(2).split(/=(.*)/s);
      const takesValue = known.get(name);
      if (takesValue === undefined) throw unknownFlagError(command, `--${name}`);
      if (value !== undefined && !takesValue) throw usage(command, `--${name}: expected no value (it is a switch), found one`);
      if (value === undefined && takesValue) i += checkValue(command, `--${name}`, next);
    } else if (token.startsWith('-') && token.length > 1) {
      // A cluster of short flags (-qj 2, -j2): a letter that takes a value takes the rest of the token, or the next one.
      for (let k = 1; k < token.length; k++) {
        const takesValue = known.get(token[k] as string);
        if (takesValue === undefined) throw unknownFlagError(command, `-${token[k] as string}`);
        if (!takesValue) continue;
        if (k === token.length - 1) i += checkValue(command, `-${token[k] as string}`, next);
        break;
      }
    } else {
      inputs.push(token);
    }
  }
  const [stray] = inputs;
  if (command === 'evaluate' && stray !== undefined) throw usage(command, `expected flags only (${NAMES.evaluate.usage}), found the argument "${stray}"`);
  return inputs;
}

/** A value flag's next token must be its value: not missing, not another flag (a lone "-" is standard input). Returns 1, the tokens it takes. */
function checkValue(command: CliCommand, flag: string, next: string | undefined): number {
  if (next === undefined) throw usage(command, `${flag}: expected a value, found none`);
  if (next.startsWith('-') && next.length > 1) {
    throw usage(command, `${flag}: expected a value, found the next flag (write ${flag}=VALUE for a value that starts with "-")`);
  }
  return 1;
}

/** A flag the command does not know: which command has it, or the nearest known flag (a typo). */
function unknownFlagError(command: CliCommand, flag: string): UsageError {
  const name = flag.replace(/^-+/, '');
  const other: CliCommand = command === 'label' ? 'evaluate' : 'label';
  if (name.length > 1 && Object.hasOwn(OPTIONS[other], name)) {
    return command === 'label'
      ? new UsageError(`--${name} is an option of label-reports evaluate, not of labeling: did you mean label-reports evaluate ...? (see ${NAMES.evaluate.help})`)
      : usage(command, `--${name} is an option of labeling (${NAMES.label.usage}), not of evaluate`);
  }
  const near = suggestFlag(flag, Object.keys(OPTIONS[command]));
  return usage(command, `unknown option ${flag}${near ? `; did you mean ${near}?` : ''}`);
}

/** A first word that is no file or folder but near `evaluate` is a mistyped command, not an input. */
function checkCommandWord(word: string | undefined, cwd: string): void {
  if (word === undefined || word.startsWith('-') || /[./\\*?[{]/.test(word) || word.length < 4) return;
  if (suggestFlag(word, ['evaluate']) === undefined || existsSync(resolve(cwd, word))) return;
  throw usage('label', `unknown command "${word}"; did you mean evaluate? As an input, it would have to be a file or folder here, and it is not`);
}

/** A missing --gold or --pred of `evaluate`, which yargs reports as a missing required argument. */
function missingFlagError(command: CliCommand, tokens: readonly string[]): UsageError | undefined {
  if (command !== 'evaluate') return undefined;
  const given = (name: string): boolean => tokens.some((t) => t === `--${name}` || t.startsWith(`--${name}=`));
  const missing = ['gold', 'pred'].filter((name) => !given(name));
  if (missing.length === 0) return undefined;
  return usage(command, `expected --gold GOLD.csv and --pred PRED.csv, found ${missing.map((name) => `no --${name}`).join(' and ')}`);
}

/** A flag given an empty value (`--out ''`, `--text-column=`) is a usage error, not a default. */
function checkNotEmpty(values: Readonly<Record<string, unknown>>, command: CliCommand): void {
  for (const flag of Object.keys(OPTIONS[command])) {
    const value = values[flag];
    if (value === '' || (Array.isArray(value) && value.includes(''))) throw usage(command, `--${flag}: expected a value, found an empty string`);
  }
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
