/**
 * Issue 11, label-reports on yargs: two commands with their own strict option tables, generated help that the package
 * README quotes verbatim, and the exit codes of every cxr8 command.
 */
import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { exitCodeOf, main } from '../src/cli.js';
import { EvaluationInputError, LexiconError, OutputError, UsageError, WorkerError } from '../src/errors.js';
import { EVALUATE_OPTIONS, HELP_WIDTH, LABEL_OPTIONS, helpText, parseCommandLine } from '../src/cli-parse.js';
import { EXIT, EXIT_CODE_MEANINGS, formatExitCodes } from '../src/exit-codes.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

async function run(argv: string[], cwd = process.cwd()): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(argv, { stdout, stderr, cwd });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-cli-yargs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('the package README holds the output of label-reports --help and evaluate --help, verbatim', async (t) => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  for (const [command, argv] of [['label', ['--help']], ['evaluate', ['evaluate', '--help']]] as const) {
    const printed = await run([...argv]);
    t.is(printed.code, EXIT.ok);
    t.is(printed.stdout, helpText(command));
    t.true(readme.includes(`\`\`\`text\n${printed.stdout}\`\`\``), `README.md holds the output of label-reports ${argv.join(' ')}`);
  }
});

test('each help lists its own flags only, each with its default or [required], within the width, then every exit code', (t) => {
  for (const [command, options, other] of [['label', LABEL_OPTIONS, EVALUATE_OPTIONS], ['evaluate', EVALUATE_OPTIONS, LABEL_OPTIONS]] as const) {
    const help = helpText(command);
    for (const flag of Object.keys(options)) {
      // The flag's entry: its line and the indented lines after it, up to the next flag.
      const entry = new RegExp(`^ {2}(?:-[a-z], | {4})--${flag}\\b[^\\n]*(?:\\n {7,}[^\\n]*)*`, 'm').exec(help)?.[0];
      t.truthy(entry, `--${flag} is in the help of ${command}`);
      t.regex(entry ?? '', /\[default: |\[required\]/, `--${flag} shows its default`);
    }
    for (const flag of Object.keys(other).filter((f) => !Object.hasOwn(options, f))) {
      t.notRegex(help, new RegExp(`^ {2}(?:-[a-z], | {4})--${flag}\\b`, 'm'), `--${flag} is not in ${command}'s options`);
    }
    t.true(help.split('\n').every((line) => line.length <= HELP_WIDTH), help);
    t.true(help.includes(`Exit codes:\n${formatExitCodes(HELP_WIDTH)}\n`));
    for (const code of Object.keys(EXIT_CODE_MEANINGS)) t.regex(help, new RegExp(`^ {2}${code} +\\S`, 'm'));
  }
});

test('formatExitCodes wraps each meaning under itself at a width, one line a code without one', (t) => {
  const wrapped = formatExitCodes(60).split('\n');
  t.true(wrapped.every((line) => line.length <= 60), wrapped.join('\n'));
  t.true(wrapped.filter((line) => !/^ {2}\d/.test(line)).every((line) => /^ {7}\S/.test(line)));
  t.is(wrapped.join(' ').replace(/\s+/g, ' '), formatExitCodes().split('\n').join(' ').replace(/\s+/g, ' '));
  t.is(formatExitCodes().split('\n').length, Object.keys(EXIT_CODE_MEANINGS).length);
  t.is(formatExitCodes().split('\n')[0], '  0    done');
});

test("a flag of the other command is a usage error that names the command it belongs to", async (t) => {
  const label = await run(['r.txt', '--gold', 'g.csv']);
  t.is(label.code, EXIT.usage);
  t.is(label.stderr, 'label-reports: --gold is an option of label-reports evaluate, not of labeling: did you mean label-reports evaluate ...? (see label-reports evaluate --help)\n');
  const evaluate = await run(['evaluate', '--gold', 'g.csv', '--pred', 'p.csv', '--workers', '2']);
  t.is(evaluate.code, EXIT.usage);
  t.regex(evaluate.stderr, /^label-reports: evaluate: --workers is an option of labeling \(label-reports \[options\] <input\.\.\.>\), not of evaluate \(see label-reports evaluate --help\)\n$/);
  // --uncertain is in both tables, with values of its own in each.
  t.is(parseCommandLine(['evaluate', '--gold', 'g', '--pred', 'p', '--uncertain', 'positive']).kind, 'evaluate');
  t.is((await run(['evaluate', '--gold', 'g', '--pred', 'p', '--uncertain', 'keep'])).code, EXIT.usage);
});

test('a mistyped evaluate is named as a command, unless a file or folder of that name is there', async (t) => {
  const dir = await tempDir(t);
  for (const word of ['evalute', 'evaluat', 'evaluate2']) {
    const r = await run([word, '--gold', 'g.csv', '--pred', 'p.csv'], dir);
    t.is(r.code, EXIT.usage, word);
    t.is(r.stderr, `label-reports: unknown command "${word}"; did you mean evaluate? As an input, it would have to be a file or folder here, and it is not (see label-reports --help)\n`);
  }
  await writeFile(join(dir, 'evalute'), '');
  t.is(parseCommandLine(['evalute'], dir).kind, 'label', 'an existing file is an input');
  t.is(parseCommandLine(['reports'], dir).kind, 'label', 'a word far from evaluate is an input');
});

test('evaluate takes flags only: a stray argument is named', async (t) => {
  const r = await run(['evaluate', '--gold', 'g.csv', 'p.csv']);
  t.is(r.code, EXIT.usage);
  t.regex(r.stderr, /^label-reports: evaluate: expected flags only \(label-reports evaluate --gold GOLD\.csv --pred PRED\.csv\), found the argument "p\.csv"/);
  const missing = await run(['evaluate']);
  t.regex(missing.stderr, /evaluate: expected --gold GOLD\.csv and --pred PRED\.csv, found no --gold and no --pred/);
});

test('inputs: "-" is standard input, short flags cluster, a repeated flag keeps its last value, "--" ends the flags', (t) => {
  const line = parseCommandLine(['-', '-qj2', '-o', 'a.csv', '-o', 'b.csv', '--lexicons', 'x', '--lexicons=y', '--', '-odd.txt']);
  t.like(line, { kind: 'label', inputs: ['-', '-odd.txt'], values: { quiet: true, workers: '2', out: 'b.csv', lexicons: ['x', 'y'] } });
  t.like(parseCommandLine(['--out', '-', '-']), { kind: 'label', inputs: ['-'] }, 'the value of --out is no input');
});

test('exit codes: a crashed worker thread or an unexpected error is 70, an input or output the labeler cannot use 3', (t) => {
  t.is(exitCodeOf(new WorkerError('expected worker 1 to keep running, found it crashed: out of memory')), EXIT.internal);
  t.is(exitCodeOf(new TypeError('x is undefined')), EXIT.internal);
  t.is(exitCodeOf(new EvaluationInputError('expected a readable csv file', { file: 'gold.csv' })), EXIT.unusable);
  t.is(exitCodeOf(new LexiconError('expected lexicon files in the folder', { file: 'site' })), EXIT.unusable);
  t.is(exitCodeOf(new OutputError('expected a writable output file', { file: 'out.csv' })), EXIT.unusable);
  t.is(exitCodeOf(new UsageError('unknown option --x')), EXIT.usage);
});

test('a missing --pred file is exit 3 (unusable input), naming it', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'gold.csv'), 'filename,Effusion,normal\na,1,0\n');
  const r = await run(['evaluate', '--gold', 'gold.csv', '--pred', 'nope.csv'], dir);
  t.is(r.code, EXIT.unusable);
  t.regex(r.stderr, /^label-reports: nope\.csv: expected a readable csv file, found: no such file or directory\n$/);
});
