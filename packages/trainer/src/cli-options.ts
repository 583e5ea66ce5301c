/**
 * The command line of `cxr8-train`, parsed by yargs: `train`, `evaluate` and `phantoms`, each with its own option
 * table ({@link TRAIN_FLAGS}, {@link EVALUATE_FLAGS}, {@link PHANTOM_FLAGS}). The tables are the one source of each
 * flag's type, allowed values, description and default as `--help` shows it.
 *
 * Strict: an unknown flag, another subcommand's flag, a flag without its value, a stray argument or an unknown command
 * is a {@link UsageError} (exit 2) that names it. yargs never prints and never exits here: its help is returned, its
 * failures are thrown. Values are kept as the text given (`parse-numbers` is off) and converted and checked here, so
 * that a message quotes what was typed (`--n expects an integer, found "ten"`).
 */
import type { Argv, Options } from 'yargs';
import { formatExitCodes, suggestFlag } from '@cxr8/labeler';
import { HELP_WIDTH, PARSER_CONFIGURATION as SHARED_PARSER_CONFIGURATION, yargs } from '@cxr8/labeler/cli-yargs';
import { UsageError } from './errors.js';

/** The columns of the generated help, whatever the terminal's width (so that the README can quote it). */
export { HELP_WIDTH };

/** The type of a flag's value. */
export type FlagType = 'string' | 'number' | 'integer' | 'boolean';

/** The values a flag allows, beyond its type: a range, a step, or a list of names. */
export interface ValueRule {
  min?: number;
  max?: number;
  /** Strictly greater than (for a learning rate: above 0). */
  above?: number;
  multipleOf?: number;
  oneOf?: readonly string[];
}

/** A subcommand's flags: name (without `--`) -> type, which are required, and the values each allows. */
export interface FlagSpec {
  types: Record<string, FlagType>;
  required: readonly string[];
  /** Checked when the flag is given, so that a value out of range is a usage error (exit 2) before any work. */
  values?: Record<string, ValueRule>;
}

/** Parsed flags: strings, numbers or booleans by flag name (as written, e.g. `batch-size`). */
export type Flags = Record<string, string | number | boolean>;

/** One flag of an option table: its type, what it does, its default in words, the values it allows. */
interface FlagDoc {
  readonly type: FlagType;
  readonly describe: string;
  readonly default?: string;
  readonly rule?: ValueRule;
  readonly required?: boolean;
}

type FlagTable = Readonly<Record<string, FlagDoc>>;

/** The subcommands of `cxr8-train`. */
export type Command = 'train' | 'evaluate' | 'phantoms';

/** The backends `--backend` names (backend.ts). */
const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;

const backend: FlagDoc = { type: 'string', describe: 'the TensorFlow.js backend', default: 'the fastest that starts', rule: { oneOf: BACKENDS } };

/** The flags of `cxr8-train train`. */
export const TRAIN_FLAGS = {
  data: { type: 'string', required: true, describe: 'dataset folder written by build-dataset (reads DIR/shards/manifest.json)' },
  out: {
    type: 'string',
    required: true,
    describe: 'run folder: absent or empty for a new run; train.json, metrics.jsonl, config.json + weights (best epoch), checkpoint/ (last epoch)',
  },
  epochs: { type: 'integer', describe: 'epochs to train', default: '10', rule: { min: 1 } },
  'batch-size': { type: 'integer', describe: 'images per step', default: '16', rule: { min: 1 } },
  'image-size': {
    type: 'integer',
    describe: "side of the images fed to the model; at most the shards' size (build-dataset --shard-size), unless --allow-upsample",
    default: 'shard size, at most 224',
    rule: { min: 16, multipleOf: 8 },
  },
  lr: { type: 'number', describe: 'peak learning rate of Adam (warm-up, then cosine to 1%)', default: '0.001', rule: { above: 0 } },
  backbone: { type: 'string', describe: 'resnet-tiny, resnet-small, or PATH/model.json (a TF.js model, frozen)', default: 'resnet-tiny' },
  seed: { type: 'integer', describe: 'seed of the weights, the order and the augmentation', default: '1' },
  'input-norm': {
    type: 'string',
    describe: 'input scaling: image (each image to mean 0, deviation 1 by its own statistics) or fixed ((x - 0.5) * 4, models before issue 12)',
    default: 'image',
    rule: { oneOf: ['image', 'fixed'] },
  },
  'output-stride': {
    type: 'integer',
    describe: 'image pixels per cell of the transition map: 4 (twice as fine, for small findings; about 3x slower), 8 or 16 (built-in backbones)',
    default: '8',
    rule: { oneOf: ['4', '8', '16'] },
  },
  patience: {
    type: 'integer',
    describe: 'early stopping: stop after N epochs without a better mean validation AUC (it is said when it happens); 0 turns early stopping off',
    default: '4',
    rule: { min: 0 },
  },
  resume: {
    type: 'boolean',
    describe:
      'continue --out from its last checkpoint with the options in its train.json; an option given again must have the recorded value (refused otherwise, exit 3); only --epochs may change (raise it to train longer)',
  },
  force: {
    type: 'boolean',
    describe: 'replace the run --out holds (the old one is kept until the new run has finished its first epoch), or write into a non-empty folder that is no run',
  },
  'allow-upsample': { type: 'boolean', describe: "allow --image-size above the shards' size (upsampled images, no new detail)" },
  backend,
} as const satisfies FlagTable;

/** The flags of `cxr8-train evaluate`. */
export const EVALUATE_FLAGS = {
  data: { type: 'string', required: true, describe: 'dataset folder written by build-dataset' },
  run: { type: 'string', required: true, describe: 'run folder written by cxr8-train train (config.json, weights)' },
  out: {
    type: 'string',
    required: true,
    describe:
      'writes metrics.json, predictions.csv, boxes.csv, report.md, roc/*.png, overlays/*.png; absent, empty or an earlier evaluation (replaced when this one is complete; until then it is left as it was)',
  },
  split: { type: 'string', describe: 'the split to score', default: 'test', rule: { oneOf: ['train', 'val', 'test'] } },
  'batch-size': { type: 'integer', describe: 'images per forward pass', default: '16', rule: { min: 1 } },
  'map-size': {
    type: 'integer',
    default: '256',
    rule: { min: 8, max: 4096 },
    describe: "side the class activation maps are up-sampled to before thresholding; 1024 is the paper's frame at about 10x the cost",
  },
  scaling: { type: 'string', describe: 'how maps become 0..255: positive (max(M, 0) / max M) or minmax', default: 'positive', rule: { oneOf: ['positive', 'minmax'] } },
  boxes: {
    type: 'string',
    describe:
      "strong (threshold 180, a box per region whose peak reaches 90% of the map's maximum), peak (one box per image and finding, the region above 180 around the map's peak) or paper (thresholds 60 and 180, a box per region, the paper's protocol); report.md scores the paper's as well",
    default: 'strong',
    rule: { oneOf: ['strong', 'peak', 'paper'] },
  },
  overlays: { type: 'integer', describe: 'heatmap overlays to draw (images with ground-truth boxes)', default: '12', rule: { min: 0 } },
  force: { type: 'boolean', describe: 'write into an --out that holds other files (only our own files are replaced)' },
  'allow-upsample': { type: 'boolean', describe: "allow a model whose image size is above the shards' size" },
  backend,
} as const satisfies FlagTable;

/** The flags of `cxr8-train phantoms`. */
export const PHANTOM_FLAGS = {
  out: {
    type: 'string',
    required: true,
    describe: 'absent, empty, or a phantom set written before (replaced as a whole, no stale images: the new set is written beside it and moved into place)',
  },
  n: { type: 'integer', describe: 'images (--n N or -n N)', default: '100', rule: { min: 1 } },
  seed: { type: 'integer', describe: 'seed of the plan and the pixels', default: '1' },
  style: {
    type: 'string',
    describe: 'phantom family: a (phantoms.ts) or b (phantoms-b.ts, drawn independently: other anatomy, film-curve intensities, noise, ribs and finding looks)',
    default: 'a',
    rule: { oneOf: ['a', 'b'] },
  },
  force: { type: 'boolean', describe: 'write into a non-empty folder that is not a phantom set (only our own entries, such as images/ and Data_Entry.csv, are replaced)' },
} as const satisfies FlagTable;

/** A subcommand: its usage line, what it does, its flags, examples (what, command) and notes printed before the exit codes. */
interface CommandDoc {
  readonly usage: string;
  readonly describe: string;
  readonly flags: FlagTable;
  readonly examples: readonly (readonly [string, string])[];
  readonly notes: string;
}

const COMMAND_DOCS: Readonly<Record<Command, CommandDoc>> = {
  train: {
    usage: '$0 train --data DATASET_DIR --out RUN_DIR [options]',
    describe: "train the model on a dataset's train split, validating on its val split every epoch",
    flags: TRAIN_FLAGS,
    examples: [
      ['a run on the phantom dataset of the README', '$0 train --data out/phantoms-ds --out runs/phantoms --image-size 128 --epochs 36 --lr 2e-3'],
      ['the same run, 10 epochs longer, after Ctrl-C or its last epoch', '$0 train --data out/phantoms-ds --out runs/phantoms --resume --epochs 46'],
    ],
    notes:
      'Without --resume or --force, an --out that holds a run or other files is refused (exit 3) and left as it was.\n' +
      'Ctrl-C stops after the current step (exit 130); the last finished epoch stays in checkpoint/ for --resume.',
  },
  evaluate: {
    usage: '$0 evaluate --data DATASET_DIR --run RUN_DIR --out EVAL_DIR [options]',
    describe: 'score a trained run on one split: AUC, heatmaps, boxes, localization, report',
    flags: EVALUATE_FLAGS,
    examples: [['the test split of the phantom run', '$0 evaluate --data out/phantoms-ds --run runs/phantoms --split test --out runs/phantoms/eval']],
    notes: 'Ctrl-C stops after the current batch (exit 130); --out is left as it was: run the command again.',
  },
  phantoms: {
    usage: '$0 phantoms --out DIR [--n N] [--seed S] [--style a|b] [--force]',
    describe: 'synthetic radiographs with planted findings, in the NIH ChestX-ray14 layout',
    flags: PHANTOM_FLAGS,
    examples: [['900 phantoms of family a', '$0 phantoms --out out/phantoms --n 900 --seed 1']],
    notes:
      'Then: build-dataset import-nih --data-entry DIR/Data_Entry.csv --bbox DIR/BBox_List.csv\n' +
      '      --train-val-list DIR/train_val_list.txt --test-list DIR/test_list.txt --images DIR/images\n' +
      '      --out DATASET_DIR',
  },
};

/** The subcommands, in the order the help lists them. */
export const COMMANDS = Object.keys(COMMAND_DOCS) as readonly Command[];

const isCommand = (word: string | undefined): word is Command => word !== undefined && Object.hasOwn(COMMAND_DOCS, word);

/**
 * The {@link FlagSpec} of an option table: the types, required flags and value rules that parsing checks.
 *
 * @example
 * ```ts
 * specOf(PHANTOM_FLAGS).required; // ['out']
 * ```
 */
export function specOf(table: FlagTable): FlagSpec {
  const spec: FlagSpec = { types: {}, required: Object.keys(table).filter((name) => table[name]?.required === true), values: {} };
  for (const [name, doc] of Object.entries(table)) {
    spec.types[name] = doc.type;
    if (doc.rule !== undefined && spec.values !== undefined) spec.values[name] = doc.rule;
  }
  return spec;
}

/** The flag specs of the subcommands, by name. */
export const SPECS: Readonly<Record<Command, FlagSpec>> = {
  train: specOf(TRAIN_FLAGS),
  evaluate: specOf(EVALUATE_FLAGS),
  phantoms: specOf(PHANTOM_FLAGS),
};

/** What a rule allows, in words: "an integer >= 1", "a number > 0", "one of wasm, cpu". */
function describeRule(type: FlagType, rule: ValueRule): string {
  if (rule.oneOf) return `one of ${rule.oneOf.join(', ')}`;
  const parts = [type === 'integer' ? 'an integer' : 'a number'];
  if (rule.above !== undefined) parts.push(`> ${rule.above}`);
  if (rule.min !== undefined && rule.max !== undefined) parts.push(`from ${rule.min} to ${rule.max}`);
  else if (rule.min !== undefined) parts.push(`>= ${rule.min}`);
  else if (rule.max !== undefined) parts.push(`<= ${rule.max}`);
  if (rule.multipleOf !== undefined) parts.push(`and a multiple of ${rule.multipleOf}`);
  return parts.join(' ');
}

function allowed(value: string | number, rule: ValueRule): boolean {
  if (rule.oneOf) return rule.oneOf.includes(String(value));
  const n = value as number;
  return (
    (rule.min === undefined || n >= rule.min) &&
    (rule.max === undefined || n <= rule.max) &&
    (rule.above === undefined || n > rule.above) &&
    (rule.multipleOf === undefined || n % rule.multipleOf === 0)
  );
}

/** The help line of a flag: what it does, then what values it takes (from the same rule that checks them). */
function helpOf(doc: FlagDoc): string {
  if (doc.rule !== undefined) return `${doc.describe}; ${describeRule(doc.type, doc.rule)}`;
  if (doc.type === 'integer' || doc.type === 'number') return `${doc.describe}; ${doc.type === 'integer' ? 'an integer' : 'a number'}`;
  return doc.describe;
}

/**
 * The yargs option of a flag. Values stay text (no yargs `type` for numbers: `parse-numbers` is off and the
 * conversion is {@link flagsFrom}'s, so that messages quote what was typed); a value flag needs its value.
 */
function yargsOption(type: FlagType, doc: FlagDoc | undefined, required: boolean): Options {
  const option: Options = type === 'boolean' ? { type: 'boolean' } : { requiresArg: true, ...(type === 'string' ? { type: 'string' } : {}) };
  if (required) option.demandOption = true;
  if (doc !== undefined) option.describe = helpOf(doc);
  if (doc?.default !== undefined) option.defaultDescription = doc.default;
  return option;
}

function yargsOptionsOf(spec: FlagSpec, table?: FlagTable): Record<string, Options> {
  return Object.fromEntries(Object.entries(spec.types).map(([name, type]) => [name, yargsOption(type, table?.[name], spec.required.includes(name))]));
}

/**
 * The markers yargs's own failures are rewritten to (`updateStrings`), so that a failure is told apart by what it is
 * and not by its English: an unknown argument, a missing required flag, a flag without its value.
 */
const MARK = { unknown: '\u0001unknown\u0001', missing: '\u0001missing\u0001', valueless: '\u0001valueless\u0001' } as const;

/** The shared yargs-parser settings, and the last of a repeated flag (no option here is an array). */
const PARSER_CONFIGURATION = { ...SHARED_PARSER_CONFIGURATION, 'duplicate-arguments-array': false } as const;

/**
 * yargs's messages as markers. A plural message is a `{ one, other }` pair, which yargs's locale store (y18n) takes
 * though its typings say string.
 */
const YARGS_STRINGS = {
  'Unknown argument: %s': { one: `${MARK.unknown}%s`, other: `${MARK.unknown}%s` },
  'Missing required argument: %s': { one: `${MARK.missing}%s`, other: `${MARK.missing}%s` },
  'Not enough arguments following: %s': `${MARK.valueless}%s`,
} as unknown as Record<string, string>;

/** A yargs instance that never prints or exits, in English whatever the locale, at {@link HELP_WIDTH} columns. */
function newParser(): Argv {
  return yargs()
    .scriptName('cxr8-train')
    .locale('en')
    .updateStrings(YARGS_STRINGS)
    .parserConfiguration(PARSER_CONFIGURATION)
    .exitProcess(false)
    .strict()
    .wrap(HELP_WIDTH)
    .version(false);
}

/** The flag a token names (`--out=x` -> `out`, `-n` -> `n`), or undefined for a value or a positional argument. */
function flagName(token: string): string | undefined {
  if (token.startsWith('--')) return token.slice(2).split('=')[0];
  return /^-[^-\d]/.test(token) ? token.slice(1) : undefined;
}

/** The subcommand another subcommand's flag belongs to, if any. */
function ownerOf(flag: string, command: string): Command | undefined {
  return (Object.keys(SPECS) as Command[]).find((c) => c !== command && Object.hasOwn(SPECS[c].types, flag));
}

/** The flags yargs adds to every subcommand. */
const BUILT_IN_FLAGS: readonly string[] = ['help', 'h'];

/** The usage error for an argument yargs does not know: a flag (with the nearest known one), or a stray word. */
function unknownArgumentError(name: string, tokens: readonly string[], spec: FlagSpec, command: string): UsageError {
  const known = Object.keys(spec.types);
  const token = tokens.find((t) => flagName(t) === name);
  if (token === undefined) {
    return new UsageError(`${command}: expected a flag like --out DIR, found "${name}" (see cxr8-train ${command} --help)`);
  }
  const typed = token.split('=')[0] as string;
  const expected = `expected one of ${known.map((f) => `--${f}`).join(', ')}`;
  const owner = ownerOf(name, command);
  if (owner !== undefined) {
    return new UsageError(`${command}: ${typed} is a flag of cxr8-train ${owner}, not of ${command} (${expected}; see cxr8-train ${command} --help)`);
  }
  const near = suggestFlag(name, known);
  return new UsageError(`${command}: unknown flag ${typed}${near === undefined ? '' : `; did you mean ${near}?`} (${expected})`);
}

/** The first flag of `tokens` the spec does not know (yargs checks required flags first; an unknown one is named first here). */
function firstUnknownFlag(tokens: readonly string[], spec: FlagSpec): string | undefined {
  return tokens
    .slice(0, tokens.includes('--') ? tokens.indexOf('--') : undefined)
    .map(flagName)
    .find((name) => name !== undefined && !Object.hasOwn(spec.types, name) && !BUILT_IN_FLAGS.includes(name));
}

/** The first word of `tokens` that is neither a flag nor the value after a value flag (`train out`, `--force 3`). */
function firstStrayWord(tokens: readonly string[], spec: FlagSpec): string | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    const name = flagName(token);
    if (name === undefined) return token;
    const type = spec.types[name];
    if (type !== undefined && type !== 'boolean' && !token.includes('=')) i++;
  }
  return undefined;
}

/**
 * A yargs failure in this command's words. `message` is yargs's text with the {@link MARK} markers; names after a
 * marker are joined by ", ".
 */
function usageErrorFrom(message: string, tokens: readonly string[], spec: FlagSpec, command: string): UsageError {
  const [, mark, names = ''] = /^(\u0001[a-z-]+\u0001)(.*)$/s.exec(message) ?? [];
  const first = names.split(', ')[0]?.replace(/^"|"$/g, '') ?? '';
  const unknownFlag = firstUnknownFlag(tokens, spec);
  if (unknownFlag !== undefined) return unknownArgumentError(unknownFlag, tokens, spec, command);
  const stray = firstStrayWord(tokens, spec);
  if (stray !== undefined && mark !== MARK.valueless) return unknownArgumentError(stray, tokens, spec, command);
  if (mark === MARK.unknown) return unknownArgumentError(first, tokens, spec, command);
  if (mark === MARK.missing) return new UsageError(`${command}: missing --${first} (see cxr8-train ${command} --help)`);
  if (mark === MARK.valueless) return new UsageError(`${command}: --${first} expects a value, e.g. --${first} ${spec.types[first] === 'string' ? 'PATH' : '8'}`);
  return new UsageError(`${command}: ${message} (see cxr8-train ${command} --help)`);
}

/** A boolean flag given as `--force=VALUE`: true and false only (yargs reads any other word as false). */
function checkBooleanTokens(tokens: readonly string[], spec: FlagSpec, command: string): void {
  for (const token of tokens) {
    const [, name = '', value] = /^--([^=]+)=(.*)$/s.exec(token) ?? [];
    if (spec.types[name] === 'boolean' && value !== 'true' && value !== 'false') {
      throw new UsageError(`${command}: --${name} expects true or false, found "${value ?? ''}"`);
    }
  }
}

/** One flag's value, converted to its type; throws a {@link UsageError} that quotes what was given. */
function convert(name: string, type: FlagType, raw: unknown, command: string): string | number | boolean {
  if (type === 'boolean') return raw === true;
  const value = String(raw);
  if (type === 'string') {
    if (value.trim() === '') throw new UsageError(`${command}: --${name} expects a value, found an empty string`);
    return value;
  }
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (type === 'integer' && !Number.isInteger(n))) {
    throw new UsageError(`${command}: --${name} expects ${type === 'integer' ? 'an integer' : 'a number'}, found "${value}"`);
  }
  return n;
}

/**
 * The flags of a parsed command line, typed and checked against the spec's value rules. Only flags that were given
 * appear (a default is the library's, so that `--resume` can tell a flag given again from one left out).
 *
 * @example
 * ```ts
 * flagsFrom({ _: [], n: '3', force: true }, specOf(PHANTOM_FLAGS), 'phantoms'); // { n: 3, force: true }
 * ```
 */
export function flagsFrom(parsed: Readonly<Record<string, unknown>>, spec: FlagSpec, command: string): Flags {
  const flags: Flags = {};
  for (const [name, type] of Object.entries(spec.types)) {
    if (parsed[name] !== undefined) flags[name] = convert(name, type, parsed[name], command);
  }
  for (const [name, rule] of Object.entries(spec.values ?? {})) {
    const value = flags[name];
    if (value === undefined || typeof value === 'boolean' || allowed(value, rule)) continue;
    throw new UsageError(
      `${command}: --${name} expects ${describeRule(spec.types[name] ?? 'string', rule)}, found ${typeof value === 'string' ? `"${value}"` : value} (see cxr8-train ${command} --help)`,
    );
  }
  return flags;
}

/**
 * Runs a parser over `args`: the parsed values and the text yargs would have printed (help), or a thrown UsageError
 * that names a flag of `tokens` (the arguments after the subcommand).
 */
function runParser(parser: Argv, args: readonly string[], tokens: readonly string[], spec: () => FlagSpec, command: () => string): { parsed: Record<string, unknown>; output: string } {
  let parsed: Record<string, unknown> = {};
  let output = '';
  parser
    .fail((message: string | undefined, error: Error | undefined) => {
      if (error instanceof UsageError) throw error;
      throw usageErrorFrom(message ?? error?.message ?? 'invalid arguments', tokens, spec(), command());
    })
    .parse([...args], {}, (_error: Error | undefined, values: Record<string, unknown>, text: string) => {
      parsed = values;
      output = text;
    });
  return { parsed, output };
}

/**
 * Parses `--name value`, `--name=value` and boolean `--name` flags against a spec, with yargs. Throws
 * {@link UsageError} naming the flag and what it expected.
 *
 * @example
 * ```ts
 * parseFlags(['--n', '10', '--out', 'x'], { types: { n: 'integer', out: 'string' }, required: ['out'] }, 'phantoms');
 * // { n: 10, out: 'x' }
 * ```
 */
export function parseFlags(argv: readonly string[], spec: FlagSpec, command: string): Flags {
  checkBooleanTokens(argv, spec, command);
  const { parsed } = runParser(newParser().help(false).options(yargsOptionsOf(spec)), argv, argv, () => spec, () => command);
  return flagsFrom(parsed, spec, command);
}

/** Printed under every help: what cxr8-train never uses, then the table. */
const EXIT_NOTE = 'cxr8-train stops as a whole or finishes: it has no partial runs, so it never exits 1.';

function epilogueOf(notes: string): string {
  return `${notes === '' ? '' : `${notes}\n\n`}Exit codes:\n${formatExitCodes(HELP_WIDTH)}\n${EXIT_NOTE}`;
}

const TOP_USAGE = '$0 <command> [options]\n\n$0: train and evaluate the ChestX-ray8 model on a dataset built by build-dataset';

const TOP_NOTES = `Usage:
  cxr8-train train     --data DATASET_DIR --out RUN_DIR [options]               train (or --resume) a run
  cxr8-train evaluate  --data DATASET_DIR --run RUN_DIR --out EVAL_DIR [options]
  cxr8-train phantoms  --out DIR [--n N] [--seed S] [--style a|b] [--force]
  cxr8-train --help | <command> --help          every flag of a command, with its default

train      reads the train and val shards, trains, checkpoints every epoch into RUN_DIR (train.json,
           metrics.jsonl, config.json, weights); early stopping is on (--patience 4); --resume continues a run
           with its options.
evaluate   writes metrics.json, predictions.csv, boxes.csv, report.md, roc/*.png and overlays/*.png into
           EVAL_DIR.
phantoms   writes a synthetic NIH-layout dataset (images/*.png, Data_Entry.csv, BBox_List.csv,
           train_val_list.txt, test_list.txt) for build-dataset import-nih.`;

/** The three subcommands on a parser; `seen` is told which one yargs entered. */
function withCommands(parser: Argv, seen: (command: Command) => void): Argv {
  let y = parser.usage(TOP_USAGE);
  for (const command of COMMANDS) {
    const doc = COMMAND_DOCS[command];
    y = y.command(command, doc.describe, (sub: Argv): Argv => {
      seen(command);
      let built = sub.usage(`${doc.usage}\n\n${doc.describe}`).options(yargsOptionsOf(SPECS[command], doc.flags));
      // An example without a description spans the width; what it does is a shell comment above it.
      for (const [what, example] of doc.examples) built = built.example(`# ${what}\n${example}`, '');
      return built;
    });
  }
  return y;
}

/** What a command line asks for: a text to print with its exit code (help), or a subcommand to run with its flags. */
export type CommandLine =
  | { readonly kind: 'print'; readonly text: string; readonly code: 0 | 2 }
  | { readonly kind: 'run'; readonly command: Command; readonly flags: Flags };

/**
 * Parses the command line of `cxr8-train`. Returns the help to print (`--help`, `<command> --help`, `help [command]`,
 * or no arguments at all, which is exit 2), or the subcommand and its typed, checked flags. Throws a
 * {@link UsageError} for an unknown command, an unknown flag, another subcommand's flag, a missing required flag, a
 * flag without its value, a stray argument or a value its rule does not allow.
 *
 * @example
 * ```ts
 * parseCommandLine(['phantoms', '--out', 'x', '--n', '4']); // { kind: 'run', command: 'phantoms', flags: { out: 'x', n: 4 } }
 * parseCommandLine(['phantoms', '--epochs', '3']); // throws: "phantoms: --epochs is a flag of cxr8-train train, not of phantoms ..."
 * ```
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  if (argv.length === 0) return { kind: 'print', text: helpText(), code: 2 };
  if (argv[0] === 'help') return parseCommandLine([...argv.slice(1, 2), '--help']);
  const first = argv[0] as string;
  if (!isCommand(first)) {
    const flag = flagName(first);
    if (flag === undefined) throw new UsageError(`unknown command "${first}": expected ${COMMANDS.slice(0, -1).join(', ')} or ${COMMANDS.at(-1) as string} (see cxr8-train --help)`);
    if (!BUILT_IN_FLAGS.includes(flag)) throw new UsageError(`expected a command first (${COMMANDS.join(', ')}), found "${first}" (see cxr8-train --help)`);
  }
  // Set by yargs when it enters a subcommand's builder (an object, as the compiler does not follow the callback).
  const entered: { command?: Command } = {};
  const tokens = argv.slice(1);
  const spec = (): FlagSpec => (entered.command === undefined ? { types: {}, required: [] } : SPECS[entered.command]);
  const parser = withCommands(newParser(), (c) => (entered.command = c))
    .demandCommand(1)
    .help('help', 'this help')
    .alias('help', 'h');
  const result = runParser(parser, argv, tokens, spec, () => entered.command ?? 'cxr8-train');
  const { command } = entered;
  if (result.output !== '') {
    const notes = command === undefined ? TOP_NOTES : COMMAND_DOCS[command].notes;
    return { kind: 'print', text: `${result.output}\n\n${epilogueOf(notes)}`, code: 0 };
  }
  if (command === undefined) throw new UsageError(`expected a command: ${COMMANDS.join(', ')} (see cxr8-train --help)`);
  checkBooleanTokens(tokens, SPECS[command], command);
  return { kind: 'run', command, flags: flagsFrom(result.parsed, SPECS[command], command) };
}

/**
 * The help `cxr8-train --help` (no command) or `cxr8-train <command> --help` prints.
 *
 * @example
 * ```ts
 * helpText('phantoms').startsWith('cxr8-train phantoms --out DIR'); // true
 * ```
 */
export function helpText(command?: Command): string {
  const line = parseCommandLine(command === undefined ? ['--help'] : [command, '--help']);
  return line.kind === 'print' ? line.text : '';
}
