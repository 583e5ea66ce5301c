/**
 * `cxr8-train`: argument parsing only. Each subcommand parses its flags and calls one exported async function; one
 * top-level catch maps typed errors to exit codes:
 *
 * | exit | meaning                                                                    |
 * |------|----------------------------------------------------------------------------|
 * | 0    | done                                                                       |
 * | 1    | the run failed on its input: a typed error of any @cxr8 package             |
 * | 2    | usage: unknown subcommand or flag, missing or malformed value              |
 * | 1    | also a file-system error (a full disk, a folder removed during the run)    |
 * | 3    | refused before anything was changed (RefusedError): an --out holding other |
 * |      | work or that cannot be written (read-only, permissions), options differing |
 * |      | from a run's recorded ones, an upsample                                    |
 * | 70   | an unexpected internal error (a bug: please report it with the stack)      |
 * | 130  | interrupted (SIGINT / Ctrl-C, InterruptedError), with how to resume        |
 */
import { suggestFlag } from '@cxr8/labeler';
import { InterruptedError, RefusedError, TrainerError, UsageError } from './errors.js';
import { checkDatasetFolder, checkRunFolder } from './preflight.js';

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

/** Parsed flags: strings, numbers or booleans by flag name (as written, e.g. `batch-size`). */
export type Flags = Record<string, string | number | boolean>;

/**
 * Parses `--name value`, `--name=value` and boolean `--name` flags against a spec. Throws {@link UsageError} naming the
 * flag and what it expected.
 *
 * @example
 * ```ts
 * parseFlags(['--n', '10', '--out', 'x'], { types: { n: 'integer', out: 'string' }, required: ['out'] });
 * // { n: 10, out: 'x' }
 * ```
 */
export function parseFlags(argv: readonly string[], spec: FlagSpec, command: string): Flags {
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      throw new UsageError(`${command}: expected a flag like --out DIR, found "${arg}" (see cxr8-train ${command} --help)`);
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const type = spec.types[name];
    if (type === undefined) {
      const near = suggestFlag(name, Object.keys(spec.types));
      throw new UsageError(
        `${command}: unknown flag --${name}${near === undefined ? '' : `; did you mean ${near}?`} (expected one of ${Object.keys(spec.types).map((f) => `--${f}`).join(', ')})`,
      );
    }
    if (type === 'boolean') {
      if (eq >= 0) {
        const v = arg.slice(eq + 1);
        if (v !== 'true' && v !== 'false') throw new UsageError(`${command}: --${name} expects true or false, found "${v}"`);
        flags[name] = v === 'true';
      } else flags[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined || (eq < 0 && value.startsWith('--'))) {
      throw new UsageError(`${command}: --${name} expects a value, e.g. --${name} ${type === 'string' ? 'PATH' : '8'}`);
    }
    if (type === 'string') {
      if (value.trim() === '') throw new UsageError(`${command}: --${name} expects a value, found an empty string`);
      flags[name] = value;
    } else {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n) || (type === 'integer' && !Number.isInteger(n))) {
        throw new UsageError(`${command}: --${name} expects ${type === 'integer' ? 'an integer' : 'a number'}, found "${value}"`);
      }
      flags[name] = n;
    }
  }
  for (const r of spec.required) {
    if (flags[r] === undefined) throw new UsageError(`${command}: missing --${r} (see cxr8-train ${command} --help)`);
  }
  for (const [name, rule] of Object.entries(spec.values ?? {})) {
    const value = flags[name];
    if (value === undefined || typeof value === 'boolean' || allowed(value, rule)) continue;
    throw new UsageError(`${command}: --${name} expects ${describeRule(spec.types[name] ?? 'string', rule)}, found ${typeof value === 'string' ? `"${value}"` : value} (see cxr8-train ${command} --help)`);
  }
  return flags;
}

const str = (f: Flags, k: string): string | undefined => (f[k] === undefined ? undefined : String(f[k]));
const num = (f: Flags, k: string): number | undefined => (typeof f[k] === 'number' ? (f[k] as number) : undefined);

const EXIT_CODES = `Exit codes: 0 done; 1 the run failed on its input (the message names the file and the reason); 2 usage
error; 3 refused before anything was changed (an --out that holds other work or cannot be written, options that
differ from a run's recorded ones, an upsample); 70 internal error; 130 interrupted (Ctrl-C).`;

const HELP = `cxr8-train: train and evaluate the ChestX-ray8 model on a dataset built by build-dataset

Usage:
  cxr8-train train     --data DATASET_DIR --out RUN_DIR [options]     train (or --resume) a run
  cxr8-train evaluate  --data DATASET_DIR --run RUN_DIR --out EVAL_DIR [options]
  cxr8-train phantoms  --out DIR [--n N] [--seed S] [--style a|b] [--force]
  cxr8-train --help | <command> --help                                every flag of a command, with its default

train      reads the train and val shards, trains, checkpoints every epoch into RUN_DIR (train.json, metrics.jsonl,
           config.json, weights); early stopping is on (--patience 4); --resume continues a run with its options.
evaluate   writes metrics.json, predictions.csv, boxes.csv, report.md, roc/*.png and overlays/*.png into EVAL_DIR.
phantoms   writes a synthetic NIH-layout dataset (images/*.png, Data_Entry.csv, BBox_List.csv, train_val_list.txt,
           test_list.txt) for build-dataset import-nih.

${EXIT_CODES}
`;

/** Help of each subcommand: every flag with its default. `test/cli.test.ts` checks the defaults against the code. */
export const COMMAND_HELP: Record<string, string> = {
  train: `cxr8-train train: train the model on a dataset's train split, validating on its val split every epoch

Usage: cxr8-train train --data DATASET_DIR --out RUN_DIR [options]

  --data DIR           dataset folder written by build-dataset (reads DIR/shards/manifest.json)      (required)
  --out DIR            run folder: absent or empty for a new run; train.json, metrics.jsonl,
                       config.json + weights (best epoch), checkpoint/ (last epoch)                   (required)
  --epochs N           epochs to train                                                              default 10
  --batch-size N       images per step                                                              default 16
  --image-size PX      side of the images fed to the model; at most the shards' size
                       (build-dataset --shard-size), unless --allow-upsample         default: shard size, at most 224
  --lr X               peak learning rate of Adam (warm-up, then cosine to 1%)                      default 0.001
  --backbone NAME      resnet-tiny, resnet-small, or PATH/model.json (a TF.js model, frozen)    default resnet-tiny
  --seed N             seed of the weights, the order and the augmentation                          default 1
  --input-norm NAME    input scaling: image (each image to mean 0, deviation 1 by its own
                       statistics) or fixed ((x - 0.5) * 4, models before issue 12)             default image
  --output-stride N    image pixels per cell of the transition map: 4 (twice as fine, for small
                       findings; about 3x slower), 8 or 16 (built-in backbones)                     default 8
  --patience N         early stopping: stop after N epochs without a better mean validation
                       AUC (it is said when it happens); 0 turns early stopping off                 default 4
  --resume             continue RUN_DIR from its last checkpoint with the options in its train.json;
                       an option given again must have the recorded value (refused otherwise,
                       exit 3); only --epochs may change (raise it to train longer)
  --force              replace the run RUN_DIR holds (the old one is kept until the new run has
                       finished its first epoch), or write into a non-empty folder that is no run
  --allow-upsample     allow --image-size above the shards' size (upsampled images, no new detail)
  --backend NAME       tensorflow, wasm or cpu                            default: the fastest that starts
  -h, --help           this help

Without --resume or --force, an --out that holds a run or other files is refused (exit 3) and left as it was.
Ctrl-C stops after the current step (exit 130); the last finished epoch stays in checkpoint/ for --resume.

${EXIT_CODES}
`,
  evaluate: `cxr8-train evaluate: score a trained run on one split: AUC, heatmaps, boxes, localization, report

Usage: cxr8-train evaluate --data DATASET_DIR --run RUN_DIR --out EVAL_DIR [options]

  --data DIR           dataset folder written by build-dataset                                     (required)
  --run DIR            run folder written by cxr8-train train (config.json, weights)                (required)
  --out DIR            writes metrics.json, predictions.csv, boxes.csv, report.md, roc/*.png,
                       overlays/*.png; absent, empty or an earlier evaluation (replaced when this
                       one is complete; until then it is left as it was)                             (required)
  --split NAME         test, val or train                                                           default test
  --batch-size N       images per forward pass                                                      default 16
  --map-size PX        side the class activation maps are up-sampled to before thresholding;
                       1024 is the paper's frame at about 10x the cost                              default 256
  --scaling NAME       positive (max(M, 0) / max M) or minmax, how maps become 0..255              default positive
  --boxes NAME         strong (threshold 180, a box per region whose peak reaches 90% of the
                       map's maximum), peak (one box per image and finding, the region above 180
                       around the map's peak) or paper (thresholds 60 and 180, a box per region,
                       the paper's protocol); report.md scores the paper's as well    default strong
  --overlays N         heatmap overlays to draw (images with ground-truth boxes)                    default 12
  --force              write into an --out that holds other files (only our own files are replaced)
  --allow-upsample     allow a model whose image size is above the shards' size
  --backend NAME       tensorflow, wasm or cpu                            default: the fastest that starts
  -h, --help           this help

${EXIT_CODES}
`,
  phantoms: `cxr8-train phantoms: synthetic radiographs with planted findings, in the NIH ChestX-ray14 layout

Usage: cxr8-train phantoms --out DIR [--n N] [--seed S] [--style a|b] [--force]

  --out DIR            absent, empty, or a phantom set written before (replaced as a whole, no stale
                       images: the new set is written beside it and moved into place)               (required)
  --n N                images                                                                       default 100
  --seed S             seed of the plan and the pixels                                              default 1
  --style a|b          phantom family: a (phantoms.ts) or b (phantoms-b.ts, drawn independently:
                       other anatomy, film-curve intensities, noise, ribs and finding looks)        default a
  --force              write into a non-empty folder that is not a phantom set (only our own
                       entries, such as images/ and Data_Entry.csv, are replaced)
  -h, --help           this help

Then: build-dataset import-nih --data-entry DIR/Data_Entry.csv --bbox DIR/BBox_List.csv
      --train-val-list DIR/train_val_list.txt --test-list DIR/test_list.txt --images DIR/images --out DATASET_DIR

${EXIT_CODES}
`,
};

/** The backends `--backend` names (backend.ts). */
const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;

const SPECS: Record<string, FlagSpec> = {
  train: {
    types: {
      data: 'string', out: 'string', epochs: 'integer', 'batch-size': 'integer', 'image-size': 'integer', lr: 'number',
      backbone: 'string', seed: 'integer', backend: 'string', resume: 'boolean', patience: 'integer', force: 'boolean',
      'allow-upsample': 'boolean', 'input-norm': 'string', 'output-stride': 'integer', help: 'boolean',
    },
    required: ['data', 'out'],
    values: {
      epochs: { min: 1 }, 'batch-size': { min: 1 }, 'image-size': { min: 16, multipleOf: 8 }, lr: { above: 0 }, patience: { min: 0 },
      backend: { oneOf: BACKENDS }, 'input-norm': { oneOf: ['image', 'fixed'] }, 'output-stride': { oneOf: ['4', '8', '16'] },
    },
  },
  evaluate: {
    types: {
      data: 'string', run: 'string', split: 'string', out: 'string', 'batch-size': 'integer', 'map-size': 'integer', scaling: 'string', boxes: 'string',
      overlays: 'integer', backend: 'string', force: 'boolean', 'allow-upsample': 'boolean', help: 'boolean',
    },
    required: ['data', 'run', 'out'],
    values: {
      split: { oneOf: ['train', 'val', 'test'] }, 'batch-size': { min: 1 }, 'map-size': { min: 8, max: 4096 }, scaling: { oneOf: ['positive', 'minmax'] },
      boxes: { oneOf: ['strong', 'peak', 'paper'] }, overlays: { min: 0 }, backend: { oneOf: BACKENDS },
    },
  },
  phantoms: {
    types: { out: 'string', n: 'integer', seed: 'integer', style: 'string', force: 'boolean', help: 'boolean' },
    required: ['out'],
    values: { n: { min: 1 }, style: { oneOf: ['a', 'b'] } },
  },
};

/** Streams for the CLI's output, replaceable in tests; `signal` stops a run as Ctrl-C does. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  signal?: AbortSignal;
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

async function runTrain(flags: Flags, io: CliIo, signal: AbortSignal): Promise<number> {
  const { describeBackend, initBackend } = await import('./backend.js');
  const { train } = await import('./train.js');
  // Wrong inputs are named before the backend starts (seconds) and before the run folder is touched.
  await checkDatasetFolder(str(flags, 'data') as string, ['train', 'val']);
  const backend = await initBackend(str(flags, 'backend') as Parameters<typeof initBackend>[0]);
  io.out(`cxr8-train: backend ${describeBackend(backend)}`);
  const options: Parameters<typeof train>[0] = { data: str(flags, 'data') as string, out: str(flags, 'out') as string, signal };
  const set = <K extends keyof typeof options>(key: K, value: (typeof options)[K] | undefined): void => {
    if (value !== undefined) options[key] = value;
  };
  set('epochs', num(flags, 'epochs'));
  set('batchSize', num(flags, 'batch-size'));
  set('imageSize', num(flags, 'image-size'));
  set('lr', num(flags, 'lr'));
  set('backbone', str(flags, 'backbone'));
  set('seed', num(flags, 'seed'));
  set('patience', num(flags, 'patience'));
  set('inputNorm', str(flags, 'input-norm') as 'image' | 'fixed' | undefined);
  set('outputStride', num(flags, 'output-stride') as 4 | 8 | 16 | undefined);
  if (flags['resume'] === true) options.resume = true;
  if (flags['force'] === true) options.force = true;
  if (flags['allow-upsample'] === true) options.allowUpsample = true;
  const result = await train(options);
  const o = result.options;
  const auc = result.bestMeanValAuc === null ? 'undefined' : result.bestMeanValAuc.toFixed(4);
  const resumed = result.resumedFrom > 0 ? `resumed after epoch ${result.resumedFrom}, ` : '';
  const stop = result.stoppedEarly
    ? `stopped early after epoch ${result.epochsRun} of ${o.epochs}: no better mean validation AUC for ${o.patience} epoch${o.patience === 1 ? '' : 's'} ` +
      `(--patience ${o.patience}; --patience 0 turns early stopping off)`
    : `${result.epochsRun} of ${o.epochs} epochs`;
  io.out(`cxr8-train: ${resumed}${stop}; best epoch ${result.bestEpoch}, mean validation AUC ${auc}; model in ${result.out}`);
  return 0;
}

async function runEvaluate(flags: Flags, io: CliIo, signal: AbortSignal): Promise<number> {
  const { describeBackend, initBackend } = await import('./backend.js');
  const { evaluate } = await import('./evaluate.js');
  const split = str(flags, 'split') ?? 'test';
  if (split !== 'train' && split !== 'val' && split !== 'test') {
    throw new UsageError(`evaluate: --split expects train, val or test, found "${split}"`);
  }
  await checkDatasetFolder(str(flags, 'data') as string, [split]);
  await checkRunFolder(str(flags, 'run') as string);
  const backend = await initBackend(str(flags, 'backend') as Parameters<typeof initBackend>[0]);
  io.out(`cxr8-train: backend ${describeBackend(backend)}`);
  const result = await evaluate({
    data: str(flags, 'data') as string,
    run: str(flags, 'run') as string,
    split,
    out: str(flags, 'out') as string,
    batchSize: num(flags, 'batch-size'),
    mapSize: num(flags, 'map-size'),
    scaling: str(flags, 'scaling') as 'positive' | 'minmax' | undefined,
    boxes: str(flags, 'boxes') as 'strong' | 'peak' | 'paper' | undefined,
    overlays: num(flags, 'overlays'),
    force: flags['force'] === true,
    allowUpsample: flags['allow-upsample'] === true,
    signal,
    backend,
    onProgress: (done, total, rate) =>
      process.stderr.isTTY ? process.stderr.write(`\revaluate: ${done}/${total} images, ${rate.toFixed(1)} images/s `) : undefined,
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  const meanAuc =
    result.metrics.meanAuc === null
      ? `not defined (no finding has both positive and negative images in the ${split} split; AUC needs both)`
      : result.metrics.meanAuc.toFixed(4);
  io.out(`cxr8-train: ${result.images} image${result.images === 1 ? '' : 's'}, mean AUC ${meanAuc}`);
  io.out(`cxr8-train: wrote ${result.files.join(', ')}`);
  for (const warning of result.warnings) io.err(`cxr8-train: warning: ${warning}`);
  return 0;
}

async function runPhantoms(flags: Flags, io: CliIo, signal: AbortSignal): Promise<number> {
  const style = str(flags, 'style') ?? 'a';
  if (style !== 'a' && style !== 'b') throw new UsageError(`phantoms: --style expects a or b, found "${style}"`);
  const makePhantoms = style === 'b' ? (await import('./phantoms-b.js')).makePhantomsB : (await import('./phantoms.js')).makePhantoms;
  const n = num(flags, 'n') ?? 100;
  const ds = await makePhantoms({
    out: str(flags, 'out') as string,
    n,
    seed: num(flags, 'seed') ?? 1,
    force: flags['force'] === true,
    signal,
    onProgress: (done, total) => (process.stderr.isTTY ? process.stderr.write(`\rphantoms: ${done}/${total}`) : undefined),
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  io.out(`cxr8-train: ${ds.images} phantom images (${ds.testImages} in test_list.txt), ${ds.boxes} boxes in ${ds.out}`);
  io.out(`cxr8-train: per finding ${Object.entries(ds.counts).map(([f, c]) => `${f} ${c}`).join(', ')}`);
  return 0;
}

/** Quotes an argument for a shell command line shown to the user. */
const shellWord = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * Runs the command line and returns the exit code (it never calls `process.exit`, so it can be tested). While a
 * command runs, the first SIGINT (Ctrl-C) stops it after the current step (exit 130, with how to resume); a second
 * one exits at once.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['phantoms', '--out', 'out/phantoms', '--n', '20']);
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    io.err('cxr8-train: interrupted (Ctrl-C); stopping after the current step, Ctrl-C again to quit at once');
    controller.abort();
  };
  const onAbort = (): void => controller.abort();
  let flags: Flags = {};
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.out(HELP);
      return command === undefined ? 2 : 0;
    }
    const spec = SPECS[command];
    if (spec === undefined) throw new UsageError(`unknown command "${command}": expected train, evaluate or phantoms (see cxr8-train --help)`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(COMMAND_HELP[command] ?? HELP);
      return 0;
    }
    flags = parseFlags(rest, spec, command);
    process.on('SIGINT', onSigint);
    io.signal?.addEventListener('abort', onAbort);
    if (io.signal?.aborted === true) controller.abort();
    if (command === 'train') return await runTrain(flags, io, controller.signal);
    if (command === 'evaluate') return await runEvaluate(flags, io, controller.signal);
    return await runPhantoms(flags, io, controller.signal);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      return 2;
    }
    if (error instanceof RefusedError) {
      io.err(error.message);
      return 3;
    }
    if (error instanceof InterruptedError) {
      io.err(error.message);
      if (command === 'train' && error.resumable) {
        const resume = ['cxr8-train', 'train', '--data', str(flags, 'data') ?? 'DATASET_DIR', '--out', str(flags, 'out') ?? 'RUN_DIR', '--resume'];
        io.err(`  to continue: ${resume.map(shellWord).join(' ')}`);
      }
      return 130;
    }
    // Typed errors of every @cxr8 package carry the package prefix (CONTRIBUTING.md): TrainerError here, the builder's
    // BuilderError and ShardFormatError from the shards.
    if (error instanceof TrainerError || (error instanceof Error && error.message.startsWith('@cxr8/'))) {
      io.err(error.message);
      const cause = (error as Error & { cause?: unknown }).cause;
      if (cause instanceof Error) io.err(`  cause: ${cause.message}`);
      return 1;
    }
    // A file-system error that escaped (a disk that filled up, a folder removed under the run) is the machine's, not
    // a bug: say what failed on which path, without a stack.
    const system = error as { code?: unknown; syscall?: unknown; path?: unknown };
    if (error instanceof Error && typeof system.code === 'string' && typeof system.syscall === 'string') {
      const { describeFsError } = await import('./safe-output.js');
      io.err(`@cxr8/trainer: ${typeof system.path === 'string' ? `${system.path}: ` : ''}cannot ${system.syscall}: ${describeFsError(error)}`);
      return 1;
    }
    io.err(`@cxr8/trainer: internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 70;
  } finally {
    process.off('SIGINT', onSigint);
    io.signal?.removeEventListener('abort', onAbort);
  }
}
