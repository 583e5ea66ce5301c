/**
 * Issue 11, cxr8-train on yargs: subcommands with their own flags (strict), generated help that the README quotes, and
 * the exit-code table every cxr8 command shares.
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, EXIT_CODE_MEANINGS } from '@cxr8/labeler';
import { exitCodeOf, main } from '../src/cli.js';
import { HELP_WIDTH, COMMANDS, helpText, parseCommandLine } from '../src/cli-options.js';
import { DataError, InterruptedError, MetricInputError, RefusedError, TrainError, UsageError } from '../src/errors.js';

const readmePath = join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md');

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('the README holds the output of cxr8-train --help and of each cxr8-train <command> --help, verbatim', async (t) => {
  const readme = await readFile(readmePath, 'utf8');
  for (const command of [undefined, ...COMMANDS]) {
    const shown = command === undefined ? 'cxr8-train --help' : `cxr8-train ${command} --help`;
    const printed = await cli(command === undefined ? ['--help'] : [command, '--help']);
    t.is(printed.code, 0, shown);
    t.is(printed.out, helpText(command), shown);
    t.true(readme.includes(`${shown}\`:\n\n\`\`\`text\n${printed.out}\n\`\`\``), `README.md holds the output of ${shown}`);
  }
});

test('the help is generated at a fixed width, with every flag, its default and the shared exit-code table', (t) => {
  for (const command of [undefined, ...COMMANDS]) {
    const help = helpText(command);
    const long = help.split('\n').filter((line) => line.length > HELP_WIDTH);
    t.deepEqual(long, [], `${command ?? 'top'}: no line wider than ${HELP_WIDTH} columns`);
    t.regex(help, /\nExit codes:\n {2}0 {4}done\n/);
    t.regex(help, /\n {2}3 {4}unusable input or output/);
    t.regex(help, /\n {2}130 {2}interrupted/);
  }
  const train = helpText('train');
  t.regex(train, /^cxr8-train train --data DATASET_DIR --out RUN_DIR \[options\]/);
  t.regex(train, /--data +dataset folder written by build-dataset .*\n +\[string\] \[required\]/);
  t.regex(train, /--epochs +epochs to train; an integer >= 1 +\[default: 10\]/);
  t.regex(train, /Examples:\n {2}# a run on the phantom dataset of the README\n {2}cxr8-train train --data /);
  t.notRegex(train, /--map-size|--style/, "train's help lists train's flags only");
  t.regex(helpText('evaluate'), /--split +the split to score; one of train, val, test +\[string\] \[default: test\]/);
  t.regex(helpText('phantoms'), /Then: build-dataset import-nih --data-entry DIR\/Data_Entry\.csv/);
});

test('the README has a row for each code of the shared exit-code table', async (t) => {
  const readme = await readFile(readmePath, 'utf8');
  for (const code of Object.values(EXIT)) t.regex(readme, new RegExp(`\\n\\| ${code} \\| [^|]+ \\| [^|]+ \\|\\n`), `exit ${code}`);
  t.is(Object.keys(EXIT_CODE_MEANINGS).length, Object.values(EXIT).length);
});

test('another subcommand\'s flag is a usage error (exit 2) that names the flag and the subcommand it belongs to', async (t) => {
  const phantoms = await cli(['phantoms', '--epochs', '3']);
  t.is(phantoms.code, EXIT.usage);
  t.regex(phantoms.err, /^@cxr8\/trainer: phantoms: --epochs is a flag of cxr8-train train, not of phantoms \(expected one of --out, --n, --seed, --style, --force; see cxr8-train phantoms --help\)$/);
  const train = await cli(['train', '--data', 'd', '--out', 'o', '--map-size', '64']);
  t.is(train.code, EXIT.usage);
  t.regex(train.err, /train: --map-size is a flag of cxr8-train evaluate, not of train/);
  // an unknown flag is named before a missing required one
  t.regex((await cli(['evaluate', '--style', 'b'])).err, /evaluate: --style is a flag of cxr8-train phantoms/);
});

test('usage errors: unknown command, a flag before the command, a stray word, a bad boolean, a flag without its value', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['trian'], /^@cxr8\/trainer: unknown command "trian": expected train, evaluate or phantoms \(see cxr8-train --help\)$/],
    [['--epochs', '3'], /expected a command first \(train, evaluate, phantoms\), found "--epochs"/],
    [['phantoms', '--out', 'o', 'extra'], /phantoms: expected a flag like --out DIR, found "extra"/],
    [['phantoms', '--out', 'o', '--force=maybe'], /phantoms: --force expects true or false, found "maybe"/],
    [['train', '--data', '--out', 'o'], /train: --data expects a value, e.g. --data PATH/],
    [['evaluate', '--data', 'd', '--run', 'r', '--out', 'o', '--overlays'], /evaluate: --overlays expects a value, e.g. --overlays 8/],
    [['phantoms', '-x'], /phantoms: unknown flag -x \(expected one of --out/],
  ];
  for (const [args, expected] of cases) {
    const r = await cli(args);
    t.is(r.code, EXIT.usage, args.join(' '));
    t.regex(r.err, expected, args.join(' '));
    t.is(r.out, '', 'nothing on stdout');
  }
});

test('no command prints the help and exits 2; help [command] is --help', async (t) => {
  const none = await cli([]);
  t.is(none.code, EXIT.usage);
  t.is(none.out, helpText());
  const help = await cli(['help', 'evaluate']);
  t.is(help.code, EXIT.ok);
  t.is(help.out, helpText('evaluate'));
});

test('the parsed flags are typed, only the given ones, the last of a repeated flag; -n and --n are one flag', (t) => {
  t.deepEqual(parseCommandLine(['phantoms', '--out', '/tmp/x', '--n', '4']), { kind: 'run', command: 'phantoms', flags: { out: '/tmp/x', n: 4 } });
  t.deepEqual(parseCommandLine(['phantoms', '--out=/tmp/x', '-n', '4', '--force']), { kind: 'run', command: 'phantoms', flags: { out: '/tmp/x', n: 4, force: true } });
  const train = parseCommandLine(['train', '--data', 'd', '--out', 'o', '--epochs', '3', '--epochs', '5', '--lr', '2e-3', '--resume']);
  t.deepEqual(train, { kind: 'run', command: 'train', flags: { data: 'd', out: 'o', epochs: 5, lr: 0.002, resume: true } });
  // a path that looks like a number stays the text given
  t.deepEqual(parseCommandLine(['phantoms', '--out', '1e3']), { kind: 'run', command: 'phantoms', flags: { out: '1e3' } });
});

test('exit codes: usage 2, interrupted 130, unusable input or output 3 (typed errors, refusals, file-system errors), a bug 70', (t) => {
  t.is(exitCodeOf(new UsageError('train: missing --data')), EXIT.usage);
  t.is(exitCodeOf(new InterruptedError('training interrupted')), EXIT.interrupted);
  t.is(exitCodeOf(new DataError('x: expected a dataset folder written by build-dataset, found no such folder')), EXIT.unusable);
  t.is(exitCodeOf(new RefusedError('--out x already holds a run')), EXIT.unusable);
  t.is(exitCodeOf(new TrainError('x: --resume expected a run folder to continue')), EXIT.unusable);
  t.is(exitCodeOf(new Error('@cxr8/dataset-builder: shards/train-00000.cxs: cut short')), EXIT.unusable, "another package's typed error");
  const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', path: '/runs/x/weights.bin' });
  t.is(exitCodeOf(full), EXIT.unusable);
  t.is(exitCodeOf(new MetricInputError('rocAuc: lengths differ')), EXIT.internal, "a metric fed wrong values by our own code is a bug");
  t.is(exitCodeOf(new TypeError("Cannot read properties of undefined (reading 'shape')")), EXIT.internal);
});

test('a missing --data is exit 3, named before any work', async (t) => {
  const missing = await cli(['train', '--data', '/nonexistent/cxr8-data', '--out', '/nonexistent/cxr8-run', '--backend', 'cpu']);
  t.is(missing.code, EXIT.unusable, missing.err);
  t.regex(missing.err, /^@cxr8\/trainer: \/nonexistent\/cxr8-data: expected a dataset folder written by build-dataset, found no such folder$/);
  t.is(missing.out, '', 'named before the backend starts');
});
