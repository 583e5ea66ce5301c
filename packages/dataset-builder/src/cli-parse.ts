/**
 * The arguments of `build-dataset`, parsed by yargs: `build-dataset [build]` (the default command) and
 * `build-dataset import-nih`, each with its own option table. Strict: an unknown flag, a flag of the other
 * subcommand, a flag without its value or a stray argument is a {@link UsageError} naming it and the subcommand.
 * yargs never prints and never exits here: its help and version text is returned, its failures are thrown.
 */
import type { Argv, Options } from 'yargs';
import { formatExitCodes } from '@cxr8/labeler';
import { HELP_WIDTH, PARSER_CONFIGURATION, editDistance, lastOf, repeatableOption as repeatable, requiredOption as required, textOption as text, yargs } from '@cxr8/labeler/cli-yargs';
import { UsageError } from './errors.js';

/** The version `build-dataset --version` prints. */
export const VERSION = '0.1.0';

/** The columns of the generated help, whatever the terminal's width (so the README can quote it). */
export { HELP_WIDTH };

/** The two subcommands. */
export type Command = 'build' | 'import-nih';

type OptionTable = Readonly<Record<string, Options>>;

/** An integer option: kept as the text given (`parse-numbers` is off), checked by the command (`--size: expected ...`). */
const integer = (describe: string, defaultDescription: string): Options => ({ requiresArg: true, coerce: lastOf, describe, defaultDescription });
const flag = (describe: string, defaultDescription = 'off'): Options => ({ type: 'boolean', describe, defaultDescription });

/** The options whose text is the same in both subcommands. */
const SHARED_OPTIONS = {
  force: flag('write into an --out folder that holds other files (off: such a folder is refused)'),
  quiet: { ...flag('no progress lines on stderr'), alias: 'q' },
  json: flag('print the summary as JSON', 'off: a text summary'),
} as const satisfies OptionTable;

/** The options of a build (`build-dataset [build]`), with their defaults as `--help` shows them. */
export const BUILD_OPTIONS = {
  dicom: required('the DICOM export; files are found by content, in any folder layout'),
  reports: repeatable(
    'reports: a CSV (or .csv.gz), a JSONL file, or a folder of <accession>.txt; repeatable. DICOM SR documents in the --dicom tree are read as reports too. Rows of one file with one accession number are a report and its addenda, joined in file order; another file\'s report of that accession is not used (warned); an empty report is labeled No Finding; bytes that are not UTF-8 fail their row',
    'none, SR only',
  ),
  'report-columns': text('CSV/JSONL column names, e.g. accession=acc_no,text=report,study_uid=suid', 'accession=accession_number,text=report_text,study_uid=study_instance_uid'),
  out: required('the dataset folder to write or resume: new, empty, or a dataset built before'),
  labels: text(
    'the label set, whose findings are the columns of the labels table, Data_Entry.csv, CheXpert.csv and the shards: nih14 (alias 14), nih8 (8), chexpert, a set in a --lexicons folder\'s label-sets/, or a set file {"name", "findings": [...]} (docs/label-sets.md). Another set than the dataset\'s relabels every study in place',
    "the dataset's recorded set, else nih14",
  ),
  lexicons: repeatable('an extra lexicon folder of the labeler (findings/*.json, label-sets/*.json, rules/); repeatable, later folders win; an invalid one is refused (exit 3)', 'none'),
  'key-file': text(
    'the private key file (HMAC key, pseudonym table, export index); must be outside --out. Keep it private: a rebuild needs the key file the dataset was built with (another or none is refused)',
    '<out>.cxr8-private.sqlite beside the dataset folder',
  ),
  size: integer('PNG size in pixels; another size than the recorded one is refused', "the dataset's recorded size, else 1024 as NIH"),
  'keep-report-text': flag(
    'store report text in studies.report_text and evidence sentences, de-identified to HIPAA Safe Harbor (identifiers replaced by [NAME], [DATE], [ID], ... placeholders)',
    "off, or the dataset's recorded setting",
  ),
  stratify: flag("stratify new patients' split by label (off: a seeded hash of the patient id)"),
  'assume-chest': flag('the export holds chest images only: CR/DX images with no body-part evidence (no BodyPartExamined, no description naming a body part) are selected (off: excluded)'),
  'allow-burned-in': flag('keep images whose pixels may carry identifiers: Burned In Annotation YES, secondary captures, derived images without a radiograph origin (off: excluded)'),
  seed: text('split seed', "the dataset's recorded seed, else cxr8"),
  split: text('train,val,test percentages', 'the recorded split, else 70,10,20'),
  'shard-size': integer('shard image size in pixels, 0 = no shards', 'the recorded one, else 224'),
  'shard-records': integer('images per shard file', 'the recorded number, else 1000'),
  workers: integer('worker threads for decoding and PNG writing, 0 = the main thread', 'cores - 1, at least 1'),
  ...SHARED_OPTIONS,
} as const satisfies OptionTable;

/** The options of `build-dataset import-nih`, with their defaults as `import-nih --help` shows them. */
export const IMPORT_OPTIONS = {
  'data-entry': required('Data_Entry_2017.csv or _v2020 (.csv.gz accepted)'),
  bbox: text('BBox_List_2017.csv', 'none, no boxes'),
  'train-val-list': text('the official train_val_list.txt, with --test-list', 'none, a 70/10/20 hash split'),
  'test-list': text('the official test_list.txt, with --train-val-list', 'none'),
  images: text('folder of the release PNGs, searched recursively; with it, shards are written; a folder with none of the listed PNGs is refused', 'none, metadata only'),
  out: required('the dataset folder: new, empty, or an earlier import, which is replaced'),
  seed: text('seed of the hash that divides train_val into train and val', 'cxr8'),
  split: text('train,val,test percentages; with the lists only T:V is used', '70,10,20'),
  'shard-size': integer('shard image size in pixels, 0 = no shards; needs --images', '224'),
  'shard-records': integer('images per shard file', '1000'),
  workers: integer('worker threads for shards, 0 = the main thread', 'cores - 1, at least 1'),
  ...SHARED_OPTIONS,
} as const satisfies OptionTable;

/** Flags yargs itself adds to both subcommands. */
const BUILT_IN_FLAGS = { help: 'h', version: undefined } as const;

interface CommandSpec {
  readonly usage: string;
  readonly describe: string;
  readonly options: OptionTable;
  /** What each example does, and the example. */
  readonly examples: readonly (readonly [string, string])[];
  /** What the help of a missing required flag says to pass. */
  readonly requiredHints: Readonly<Record<string, string>>;
  /** How a message names the subcommand, and where its help is. */
  readonly name: string;
  readonly help: string;
}

const COMMANDS: Readonly<Record<Command, CommandSpec>> = {
  build: {
    usage: '$0 [build] --dicom DIR --out DIR [--reports PATH ...] [--labels NAME|FILE] [--lexicons DIR ...] [options]',
    describe: 'a PACS export (DICOM + reports) to a de-identified, labeled, patient-split chest X-ray dataset',
    options: BUILD_OPTIONS,
    examples: [
      ['the demo export (npm run demo)', '$0 --dicom fixtures/pacs/dicom --reports fixtures/pacs/reports.csv --out out/demo'],
      ['a PACS export on 8 workers; the same command again resumes or extends it', '$0 --dicom /mnt/pacs --reports reports.csv --out data/cxr --workers 8'],
      ["the same dataset relabeled with CheXpert's 14 observations", '$0 --dicom /mnt/pacs --reports reports.csv --out data/cxr --labels chexpert'],
    ],
    requiredHints: {
      dicom: '(the folder of the DICOM export), e.g. --dicom fixtures/pacs/dicom',
      out: '(the dataset folder to write), e.g. --out out/demo',
    },
    name: 'build-dataset build',
    help: 'build-dataset --help',
  },
  'import-nih': {
    usage: '$0 import-nih --data-entry FILE --out DIR [--bbox FILE] [--train-val-list FILE --test-list FILE] [--images DIR] [options]',
    describe: 'the NIH ChestX-ray14 release into the same dataset layout',
    options: IMPORT_OPTIONS,
    examples: [
      ['metadata and boxes only, a 70/10/20 hash split', '$0 import-nih --data-entry Data_Entry_2017_v2020.csv.gz --bbox BBox_List_2017.csv \\\n    --out data/nih'],
      ['the official split, and shards from the PNGs', '$0 import-nih --data-entry Data_Entry_2017_v2020.csv.gz --train-val-list train_val_list.txt \\\n    --test-list test_list.txt --images images --out data/nih'],
    ],
    requiredHints: {
      'data-entry': '(the path of Data_Entry_2017.csv)',
      out: '(the dataset folder to write)',
    },
    name: 'build-dataset import-nih',
    help: 'build-dataset import-nih --help',
  },
};

/** The exit-code table of all cxr8 commands, each meaning wrapped under itself. */
const EXIT_CODE_TABLE = formatExitCodes(HELP_WIDTH);

const EPILOGUE = `Ctrl-C stops a run; run the same command again to resume it (the work done is kept).\n\nExit codes:\n${EXIT_CODE_TABLE}`;

/** What the command line asks for: a text to print (help, version), or a subcommand with its option values. */
export type CommandLine = { readonly kind: 'print'; readonly text: string } | { readonly kind: Command; readonly values: Readonly<Record<string, unknown>> };

/**
 * Parses `build-dataset`'s arguments. Throws a {@link UsageError} (exit 2) for an unknown flag, another subcommand's
 * flag, a missing required flag, a flag without its value, or a stray argument; returns the help or version text
 * when asked for one. Values are checked by the caller (integers, `--split`, `--report-columns`).
 *
 * @example
 * ```ts
 * parseCommandLine(['--dicom', 'x', '--out', 'y', '-q']); // { kind: 'build', values: { dicom: 'x', out: 'y', quiet: true, ... } }
 * parseCommandLine(['import-nih', '--help']).kind; // 'print'
 * parseCommandLine(['import-nih', '--dicom', 'x']); // throws: "import-nih: --dicom is an option of a build ..."
 * ```
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  let command: Command = 'build';
  let output = '';
  let values: Record<string, unknown> = {};
  const tokens = argv[0] === 'build' || argv[0] === 'import-nih' ? argv.slice(1) : argv;
  const describe = (c: Command) => (y: Argv): Argv => {
    command = c;
    // The build's usage is the top level's (it is the default command); named, it is set again, or yargs makes one.
    return describeCommand(c === 'build' && argv[0] !== 'build' ? y : y.usage(usageOf(COMMANDS[c])), COMMANDS[c]);
  };
  yargs()
    .scriptName('build-dataset')
    .usage(usageOf(COMMANDS.build))
    .locale('en')
    .parserConfiguration(PARSER_CONFIGURATION)
    .exitProcess(false)
    .strict()
    .wrap(HELP_WIDTH)
    .help('help', 'this help')
    .alias('help', 'h')
    .version('version', 'the version', VERSION)
    .command(['build', '$0'], COMMANDS.build.describe, describe('build'))
    .command('import-nih', COMMANDS['import-nih'].describe, describe('import-nih'))
    .fail((message: string | undefined, error: Error | undefined) => {
      if (error instanceof UsageError) throw error;
      throw usageError(command, tokens, message ?? error?.message ?? 'invalid arguments');
    })
    .parse([...argv], {}, (_error: Error | undefined, parsed: Record<string, unknown>, text: string) => {
      output = text;
      values = parsed;
    });
  // The epilogue is added here, not by yargs's .epilogue(), whose layout drops the table's indentation.
  if (output !== '') return { kind: 'print', text: values.help === true ? `${output}\n\n${EPILOGUE}\n` : `${output}\n` };
  const stray = strayArgument(command, tokens);
  if (stray !== undefined) throw strayArgumentError(command, stray);
  return { kind: command, values };
}

/**
 * The help text of a subcommand, as `build-dataset --help` and `build-dataset import-nih --help` print it.
 *
 * @example
 * ```ts
 * helpText('import-nih').startsWith('build-dataset import-nih --data-entry FILE'); // true
 * ```
 */
export function helpText(command: Command): string {
  const result = parseCommandLine(command === 'build' ? ['--help'] : ['import-nih', '--help']);
  return result.kind === 'print' ? result.text : '';
}

const usageOf = (spec: CommandSpec): string => `${spec.usage}\n\n${spec.describe}`;

function describeCommand(y: Argv, spec: CommandSpec): Argv {
  let described = y.options(spec.options);
  // An example without a description spans the width; the description is a shell comment above it.
  for (const [what, example] of spec.examples) described = described.example(`# ${what}\n${example}`, '');
  return described;
}

/** The flags a subcommand knows, by every name they are given with (aliases included), and whether each takes a value. */
function knownFlags(command: Command): Map<string, boolean> {
  const known = new Map<string, boolean>();
  for (const [name, alias] of Object.entries(BUILT_IN_FLAGS)) {
    known.set(name, false);
    if (alias !== undefined) known.set(alias, false);
  }
  for (const [name, option] of Object.entries(COMMANDS[command].options)) {
    const takesValue = option.type !== 'boolean';
    known.set(name, takesValue);
    for (const alias of [option.alias ?? []].flat()) known.set(alias, takesValue);
  }
  return known;
}

/** One flag of the command line: its name (without dashes) and the token after it, if any. */
interface FlagToken {
  readonly name: string;
  readonly inlineValue: boolean;
  readonly next: string | undefined;
}

/** The flags of `tokens` in order (`-qh` is two), up to a `--`. */
function flagTokens(tokens: readonly string[]): FlagToken[] {
  const flags: FlagToken[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (token === '--') break;
    const next = tokens[i + 1];
    if (token.startsWith('--')) {
      const name = token.slice(2).split('=')[0] as string;
      flags.push({ name, inlineValue: token.includes('='), next });
    } else if (/^-[^-\d]/.test(token)) {
      const letters = [...token.slice(1)];
      letters.forEach((name, k) => flags.push({ name, inlineValue: false, next: k === letters.length - 1 ? next : undefined }));
    }
  }
  return flags;
}

/** The first argument that is neither a flag nor a flag's value (`build-dataset imprt-nih`, `--reports a.csv b.csv`). */
function strayArgument(command: Command, tokens: readonly string[]): string | undefined {
  const known = knownFlags(command);
  let expectValue = false;
  for (const token of tokens) {
    if (expectValue) {
      expectValue = false;
      continue;
    }
    if (token === '--') continue;
    if (token.startsWith('-') && token.length > 1) {
      const last = token.startsWith('--') ? (token.slice(2).split('=')[0] as string) : token.slice(-1);
      expectValue = !token.includes('=') && known.get(last) === true;
      continue;
    }
    return token;
  }
  return undefined;
}

/** The usage error for a failure yargs reports: the first unknown flag, flag without a value, or missing flag, named. */
function usageError(command: Command, tokens: readonly string[], yargsMessage: string): UsageError {
  const spec = COMMANDS[command];
  const known = knownFlags(command);
  const flags = flagTokens(tokens);
  const unknown = flags.find((f) => !known.has(f.name));
  if (unknown !== undefined) return unknownFlagError(command, unknown.name);
  const valueless = flags.find((f) => known.get(f.name) === true && !f.inlineValue && (f.next === undefined || /^-[^\d]/.test(f.next)));
  if (valueless !== undefined) {
    return new UsageError(`${spec.name}: --${valueless.name}: expected a value, found ${valueless.next === undefined ? 'the end of the command line' : `the flag ${valueless.next}`} (see ${spec.help})`);
  }
  const stray = strayArgument(command, tokens);
  if (stray !== undefined) return strayArgumentError(command, stray);
  const missing = Object.keys(spec.requiredHints).find((name) => !flags.some((f) => f.name === name));
  if (missing !== undefined) return new UsageError(`${spec.name}: --${missing} is required ${spec.requiredHints[missing] ?? ''}; see ${spec.help}`);
  return new UsageError(`${spec.name}: ${yargsMessage} (see ${spec.help})`);
}

/**
 * A flag the subcommand does not know: says which subcommand has it, so that `import-nih --dicom x` is not silently
 * ignored, or which known flag is nearest (a typo).
 */
function unknownFlagError(command: Command, flag: string): UsageError {
  const spec = COMMANDS[command];
  if (command === 'import-nih' && (flag === 'labels' || flag === 'lexicons')) {
    return new UsageError(
      `${spec.name}: --${flag}: an NIH import keeps the release's own labels, the 14 ChestX-ray14 findings (nih14); its reports are not public, so it cannot be labeled with another set. Label a PACS export with another set: build-dataset --dicom ... --labels NAME|FILE (see build-dataset --help)`,
    );
  }
  const other: Command = command === 'build' ? 'import-nih' : 'build';
  if (flag in COMMANDS[other].options) {
    return command === 'build'
      ? new UsageError(`${spec.name}: --${flag} is an option of build-dataset import-nih, not of a build; did you mean build-dataset import-nih ...? (see build-dataset import-nih --help)`)
      : new UsageError(`${spec.name}: --${flag} is an option of a build (build-dataset --dicom ...), not of import-nih (see build-dataset --help)`);
  }
  const nearest = nearestName(flag, [...knownFlags(command).keys()].filter((k) => k.length > 1));
  const dashes = flag.length === 1 ? '-' : '--';
  return new UsageError(`${spec.name}: Unknown option '${dashes}${flag}'${nearest !== undefined ? `; did you mean --${nearest}?` : ''} (see ${spec.help})`);
}

function strayArgumentError(command: Command, argument: string): UsageError {
  const spec = COMMANDS[command];
  const nearest = command === 'build' ? nearestName(argument, ['import-nih', 'build']) : undefined;
  return new UsageError(
    `${spec.name}: Unexpected argument '${argument}': expected flags only (each value after its flag, one value a flag; repeat --reports or --lexicons for several)${nearest !== undefined ? `; did you mean the subcommand ${nearest}?` : ''} (see ${spec.help})`,
  );
}

/** The name within two edits of `word` (a typo), if there is one. */
function nearestName(word: string, names: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(word, name);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}
