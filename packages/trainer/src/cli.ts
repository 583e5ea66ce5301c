/**
 * `cxr8-train`: argument parsing only. Each subcommand parses its flags and calls one exported async function; one
 * top-level catch maps typed errors to exit codes:
 *
 * | exit | meaning                                                                    |
 * |------|----------------------------------------------------------------------------|
 * | 0    | done                                                                       |
 * | 1    | the run failed on its input: a typed error of any @cxr8 package             |
 * | 2    | usage: unknown subcommand or flag, missing or malformed value              |
 * | 70   | an unexpected internal error (a bug: please report it with the stack)      |
 */
import { TrainerError, UsageError } from './errors.js';

/** The type of a flag's value. */
export type FlagType = 'string' | 'number' | 'integer' | 'boolean';

/** A subcommand's flags: name (without `--`) -> type, and which are required. */
export interface FlagSpec {
  types: Record<string, FlagType>;
  required: readonly string[];
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
      throw new UsageError(`${command}: unknown flag --${name}; expected one of ${Object.keys(spec.types).map((f) => `--${f}`).join(', ')}`);
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
    if (type === 'string') flags[name] = value;
    else {
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
  return flags;
}

const str = (f: Flags, k: string): string | undefined => (f[k] === undefined ? undefined : String(f[k]));
const num = (f: Flags, k: string): number | undefined => (typeof f[k] === 'number' ? (f[k] as number) : undefined);

const HELP = `cxr8-train: train and evaluate the ChestX-ray8 model on a dataset built by build-dataset

Usage:
  cxr8-train train     --data DATASET_DIR --out RUN_DIR [--epochs N] [--batch-size N] [--image-size PX] [--lr X]
                       [--backbone resnet-tiny|resnet-small|PATH/model.json] [--seed N] [--backend tensorflow|wasm|cpu]
                       [--resume] [--patience N]
  cxr8-train evaluate  --data DATASET_DIR --run RUN_DIR [--split test|val|train] --out EVAL_DIR
                       [--batch-size N] [--map-size PX] [--scaling positive|minmax] [--overlays N] [--backend NAME]
  cxr8-train phantoms  --out DIR [--n N] [--seed S]
  cxr8-train --help | <command> --help

train      reads the train and val shards, trains, checkpoints every epoch into RUN_DIR (metrics.jsonl, config.json,
           weights); --resume continues from the last checkpoint; --patience N stops after N epochs without a better
           validation AUC.
evaluate   writes metrics.json, predictions.csv, boxes.csv, report.md, roc/*.png and overlays/*.png into EVAL_DIR.
phantoms   writes a synthetic NIH-layout dataset (images/*.png, Data_Entry.csv, BBox_List.csv, train_val_list.txt,
           test_list.txt) for: build-dataset import-nih --data-entry DIR/Data_Entry.csv --bbox DIR/BBox_List.csv
           --train-val-list DIR/train_val_list.txt --test-list DIR/test_list.txt --images DIR/images --out DATASET_DIR

Exit codes: 0 done, 1 the run failed on its input, 2 usage error, 70 internal error.
`;

const SPECS: Record<string, FlagSpec> = {
  train: {
    types: {
      data: 'string', out: 'string', epochs: 'integer', 'batch-size': 'integer', 'image-size': 'integer', lr: 'number',
      backbone: 'string', seed: 'integer', backend: 'string', resume: 'boolean', patience: 'integer', help: 'boolean',
    },
    required: ['data', 'out'],
  },
  evaluate: {
    types: {
      data: 'string', run: 'string', split: 'string', out: 'string', 'batch-size': 'integer', 'map-size': 'integer', scaling: 'string',
      overlays: 'integer', backend: 'string', help: 'boolean',
    },
    required: ['data', 'run', 'out'],
  },
  phantoms: { types: { out: 'string', n: 'integer', seed: 'integer', help: 'boolean' }, required: ['out'] },
};

/** Streams for the CLI's output, replaceable in tests. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

async function runTrain(flags: Flags, io: CliIo): Promise<number> {
  const { describeBackend, initBackend } = await import('./backend.js');
  const { train } = await import('./train.js');
  const backend = await initBackend(str(flags, 'backend') as Parameters<typeof initBackend>[0]);
  io.out(`cxr8-train: backend ${describeBackend(backend)}`);
  const options: Parameters<typeof train>[0] = { data: str(flags, 'data') as string, out: str(flags, 'out') as string };
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
  if (flags['resume'] === true) options.resume = true;
  const result = await train(options);
  io.out(
    `cxr8-train: ${result.epochsRun} epochs${result.stoppedEarly ? ' (stopped early)' : ''}, best epoch ${result.bestEpoch}, ` +
      `mean validation AUC ${result.bestMeanValAuc === null ? 'undefined' : result.bestMeanValAuc.toFixed(4)}; model in ${result.out}`,
  );
  return 0;
}

async function runEvaluate(flags: Flags, io: CliIo): Promise<number> {
  const { describeBackend, initBackend } = await import('./backend.js');
  const { evaluate } = await import('./evaluate.js');
  const split = str(flags, 'split') ?? 'test';
  if (split !== 'train' && split !== 'val' && split !== 'test') {
    throw new UsageError(`evaluate: --split expects train, val or test, found "${split}"`);
  }
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
    overlays: num(flags, 'overlays'),
    backend,
    onProgress: (done, total, rate) =>
      process.stderr.isTTY ? process.stderr.write(`\revaluate: ${done}/${total} images, ${rate.toFixed(1)} images/s `) : undefined,
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  const meanAuc =
    result.metrics.meanAuc === null
      ? `not defined (no finding has both positive and negative images in the ${str(flags, 'split') ?? 'test'} split; AUC needs both)`
      : result.metrics.meanAuc.toFixed(4);
  io.out(`cxr8-train: ${result.images} image${result.images === 1 ? '' : 's'}, mean AUC ${meanAuc}`);
  io.out(`cxr8-train: wrote ${result.files.join(', ')}`);
  return 0;
}

async function runPhantoms(flags: Flags, io: CliIo): Promise<number> {
  const { makePhantoms } = await import('./phantoms.js');
  const n = num(flags, 'n') ?? 100;
  const ds = await makePhantoms({
    out: str(flags, 'out') as string,
    n,
    seed: num(flags, 'seed') ?? 1,
    onProgress: (done, total) => (process.stderr.isTTY ? process.stderr.write(`\rphantoms: ${done}/${total}`) : undefined),
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  io.out(`cxr8-train: ${ds.images} phantom images (${ds.testImages} in test_list.txt), ${ds.boxes} boxes in ${ds.out}`);
  io.out(`cxr8-train: per finding ${Object.entries(ds.counts).map(([f, c]) => `${f} ${c}`).join(', ')}`);
  return 0;
}

/**
 * Runs the command line and returns the exit code (it never calls `process.exit`, so it can be tested).
 *
 * @example
 * ```ts
 * process.exitCode = await main(['phantoms', '--out', 'out/phantoms', '--n', '20']);
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.out(HELP);
      return command === undefined ? 2 : 0;
    }
    const spec = SPECS[command];
    if (spec === undefined) throw new UsageError(`unknown command "${command}": expected train, evaluate or phantoms (see cxr8-train --help)`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(HELP);
      return 0;
    }
    const flags = parseFlags(rest, spec, command);
    if (command === 'train') return await runTrain(flags, io);
    if (command === 'evaluate') return await runEvaluate(flags, io);
    return await runPhantoms(flags, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      return 2;
    }
    // Typed errors of every @cxr8 package carry the package prefix (CONTRIBUTING.md): TrainerError here, the builder's
    // BuilderError and ShardFormatError from the shards.
    if (error instanceof TrainerError || (error instanceof Error && error.message.startsWith('@cxr8/'))) {
      io.err(error.message);
      const cause = (error as Error & { cause?: unknown }).cause;
      if (cause instanceof Error) io.err(`  cause: ${cause.message}`);
      return 1;
    }
    io.err(`@cxr8/trainer: internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 70;
  }
}

