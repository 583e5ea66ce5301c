import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { EXIT, EXIT_CODE_MEANINGS } from '@cxr8/labeler';
import { main } from '../src/cli.js';
import { BUILD_OPTIONS, HELP_WIDTH, IMPORT_OPTIONS, helpText } from '../src/cli-parse.js';
import { makePacs } from './helpers/pacs.js';
import { filesUnder } from './helpers/files.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtures = join(repoRoot, 'fixtures', 'pacs');

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

test('--help of each command lists every flag its parser accepts, each with its default (or "required")', async (t) => {
  const commands = [
    { argv: ['--help'], help: helpText('build'), flags: Object.keys(BUILD_OPTIONS) },
    { argv: ['import-nih', '--help'], help: helpText('import-nih'), flags: Object.keys(IMPORT_OPTIONS) },
  ];
  for (const c of commands) {
    const { code, stdout } = await run(c.argv);
    t.is(code, EXIT.ok);
    t.is(stdout, c.help);
    t.true(c.flags.length >= 10);
    for (const flag of [...c.flags, 'help', 'version']) {
      // The flag's entry: its line and the indented lines after it, up to the next flag.
      const entry = new RegExp(`^ {2}(?:-[a-z], | {4})--${flag}\\b[^\\n]*(?:\\n {7,}[^\\n]*)*`, 'm').exec(stdout)?.[0];
      t.truthy(entry, `--${flag} is in ${c.argv.join(' ')}`);
      if (flag !== 'help' && flag !== 'version') t.regex(entry ?? '', /\[default: |\[required\]/, `--${flag} shows its default`);
    }
    // The help does not follow the terminal: no line is wider than HELP_WIDTH, and every exit code is explained.
    t.true(stdout.split('\n').every((line) => line.length <= HELP_WIDTH), stdout);
    for (const [exitCode, meaning] of Object.entries(EXIT_CODE_MEANINGS)) {
      t.regex(stdout.replace(/\n {7}/g, ' '), new RegExp(`^ {2}${exitCode} +${meaning.slice(0, 40).replace(/[()]/g, '\\$&')}`, 'm'));
    }
  }
  // Each command's help names only its own flags; `build --help` is the default command's help but the list of commands.
  t.false(helpText('import-nih').includes('--dicom'));
  t.false(helpText('build').split('Options:')[1]?.includes('--data-entry') ?? true);
  t.is((await run(['build', '--help'])).stdout, helpText('build').replace(/\nCommands:\n[\s\S]*?\n\n/, '\n'));
  t.is((await run(['--version'])).stdout, '0.1.0\n');
});

test('the package README shows the generated help of both subcommands, verbatim', async (t) => {
  const readme = await readFile(join(repoRoot, 'packages', 'dataset-builder', 'README.md'), 'utf8');
  for (const command of ['build', 'import-nih'] as const) {
    t.true(readme.includes(`\`\`\`text\n${helpText(command)}\`\`\``), `README.md holds the output of build-dataset ${command === 'build' ? '' : 'import-nih '}--help`);
  }
});

test('a flag of the other command is a usage error (exit 2) that names the command it belongs to', async (t) => {
  const nih = await run(['import-nih', '--data-entry', 'x.csv', '--out', 'y', '--dicom', 'x']);
  t.is(nih.code, EXIT.usage);
  t.regex(nih.stderr, /import-nih: --dicom is an option of a build/);
  const build = await run(['--dicom', 'x', '--out', 'y', '--data-entry', 'x.csv']);
  t.is(build.code, EXIT.usage);
  t.regex(build.stderr, /build-dataset build: --data-entry is an option of build-dataset import-nih/);
  const named = await run(['build', '--dicom', 'x', '--out', 'y', '--images', 'pngs']);
  t.is(named.code, EXIT.usage);
  t.regex(named.stderr, /build-dataset build: --images is an option of build-dataset import-nih/);
  const size = await run(['import-nih', '--data-entry', 'x.csv', '--out', 'y', '--size', '64']);
  t.is(size.code, EXIT.usage);
  t.regex(size.stderr, /build-dataset import-nih: --size is an option of a build/);
});

test('an unknown flag is a usage error with exit code 2 naming it and the subcommand; a near one is suggested', async (t) => {
  const { code, stderr } = await run(['--dicom', 'x', '--out', 'y', '--colour']);
  t.is(code, EXIT.usage);
  t.regex(stderr, /build-dataset build: Unknown option '--colour' \(see build-dataset --help\)/);
  const typo = await run(['import-nih', '--data-entry', 'x.csv', '--out', 'y', '--shard-sise', '8']);
  t.is(typo.code, EXIT.usage);
  t.regex(typo.stderr, /build-dataset import-nih: Unknown option '--shard-sise'; did you mean --shard-size\?/);
  // yargs's camelCase twins and --no- negations are not flags of ours.
  for (const flag of ['--shardSize', '--no-quiet']) t.is((await run(['--dicom', 'x', '--out', 'y', flag])).code, EXIT.usage, flag);
});

test('a stray argument, a mistyped subcommand or a flag without its value is a usage error saying so', async (t) => {
  const stray = await run(['--dicom', 'x', '--out', 'y', '--reports', 'a.csv', 'b.csv']);
  t.is(stray.code, EXIT.usage);
  t.regex(stray.stderr, /Unexpected argument 'b\.csv': expected flags only .*repeat --reports/);
  const command = await run(['imprt-nih']);
  t.is(command.code, EXIT.usage);
  t.regex(command.stderr, /Unexpected argument 'imprt-nih'.*did you mean the subcommand import-nih\?/);
  const valueless = await run(['--dicom', '--out', 'y']);
  t.is(valueless.code, EXIT.usage);
  t.regex(valueless.stderr, /--dicom: expected a value, found the flag --out/);
  t.is((await run(['--dicom', 'x', '--out', 'y', '--', 'z'])).code, EXIT.usage);
});

test('a missing --dicom is a usage error that says what to pass', async (t) => {
  const { code, stderr } = await run(['--out', 'y']);
  t.is(code, EXIT.usage);
  t.regex(stderr, /--dicom is required/);
});

test('a malformed --split or integer is a usage error', async (t) => {
  const { code, stderr } = await run(['--dicom', 'x', '--out', 'y', '--split', '70,30']);
  t.is(code, EXIT.usage);
  t.regex(stderr, /--split: expected three non-negative numbers/);
  const workers = await run(['import-nih', '--data-entry', 'x.csv', '--out', 'y', '--workers', 'two']);
  t.is(workers.code, EXIT.usage);
  t.regex(workers.stderr, /--workers: expected a non-negative integer, found "two"/);
});

test('a --dicom folder or NIH file that does not exist is unusable input (exit 3) naming the path, not a usage error', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'cxr8-missing-'));
  const dicom = await run(['--dicom', join(root, 'nope'), '--out', join(root, 'out'), '--quiet', '--workers', '0']);
  t.is(dicom.code, EXIT.unusable);
  t.regex(dicom.stderr, /nope: expected a folder of DICOM files \(--dicom\), found nothing at this path/);
  t.false(existsSync(join(root, 'out')));
  const nih = await run(['import-nih', '--data-entry', join(root, 'Data_Entry_2017.csv'), '--out', join(root, 'nih'), '--quiet']);
  t.is(nih.code, EXIT.unusable);
  t.regex(nih.stderr, /Data_Entry_2017\.csv: expected an NIH release file or folder, found nothing at this path/);
});

test('a reports file that does not exist stops the build with exit code 3 and its name', async (t) => {
  const pacs = await makePacs();
  const { code, stderr } = await run(['--dicom', pacs.dicom, '--reports', join(pacs.root, 'nope.csv'), '--out', join(pacs.root, 'out'), '--quiet', '--workers', '0']);
  t.is(code, EXIT.unusable);
  t.regex(stderr, /nope\.csv: expected a reports CSV/);
});

test('a build with bad files exits 1 and its summary names how many failed, with their paths for the operator', async (t) => {
  const pacs = await makePacs();
  const { code, stdout } = await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', join(pacs.root, 'out'), '--size', '64', '--shard-size', '16', '--quiet', '--workers', '1']);
  t.is(code, EXIT.someFailed);
  t.regex(stdout, /failed {5}2 /);
  t.regex(stdout, /! parse dicom:[0-9a-f]{12} \(DOE\/study1\/IM0077\)/);
  t.regex(stdout, /4 in the dataset/);
});

test('an unreadable file (a dangling link) is recorded as a failure naming it and the reason; the rest builds', async (t) => {
  const pacs = await makePacs();
  await symlink(join(pacs.root, 'nowhere.dcm'), join(pacs.dicom, 'DOE', 'unreadable.dcm'));
  const out = join(pacs.root, 'out');
  const { code, stdout } = await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', out, '--size', '64', '--shard-size', '16', '--quiet', '--workers', '1']);
  t.is(code, EXIT.someFailed);
  t.regex(stdout, /failed {5}3 /);
  t.regex(stdout, /4 in the dataset/);
  const db = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  db.prepare('ATTACH ? AS private').run(`${out}.cxr8-private.sqlite`);
  const reason = db
    .prepare("SELECT f.reason FROM failures f JOIN private.sources s ON s.ref = f.file WHERE s.path = 'DOE/unreadable.dcm'")
    .pluck()
    .get() as string | undefined;
  db.close();
  t.is(reason, 'cannot read the file (ENOENT)');
});

test('the demo fixture export builds, and no identifier of its headers or reports reaches any output file', async (t) => {
  if (!existsSync(join(fixtures, 'MANIFEST.json'))) {
    t.log(`skipped: ${fixtures} is absent (npm run fixtures)`);
    t.pass();
    return;
  }
  const manifest = JSON.parse(await readFile(join(fixtures, 'MANIFEST.json'), 'utf8')) as {
    summary: { identifiers: string[]; included: number };
    files: { path: string; kind: string; expected: { outcome: string; reason?: string }; sopInstanceUid?: string; studyInstanceUid?: string; accessionNumber?: string; studyDate?: string }[];
  };
  const out = join(await mkdtemp(join(tmpdir(), 'cxr8-demo-')), 'demo');
  const { code, stdout } = await run(['--dicom', join(fixtures, 'dicom'), '--reports', join(fixtures, 'reports.csv'), '--out', out, '--size', '256', '--quiet', '--workers', '0']);
  t.log(stdout);
  t.true(code === 0 || code === 1);
  const reports = await readFile(join(fixtures, 'reports.csv'), 'utf8');
  const accessions = [...reports.matchAll(/^([A-Z]\d{6,})[,]/gm)].map((m) => m[1] as string);
  const dates = [...new Set([...reports.matchAll(/\b(?:19|20)\d{6}\b|\b\d{2}\/\d{2}\/\d{4}\b/g)].map((m) => m[0]))];
  const uids = manifest.files.flatMap((f) => [f.sopInstanceUid, f.studyInstanceUid]).filter((u): u is string => typeof u === 'string' && u.length > 8);
  const forbidden = [...new Set([...manifest.summary.identifiers, ...accessions, ...dates, ...uids])];
  t.true(forbidden.length > 20);
  for (const file of await filesUnder(out)) {
    const text = (await readFile(file)).toString('latin1');
    for (const id of forbidden) t.false(text.includes(id), `${id} found in ${file}`);
  }
  // Every DICOM image ends as MANIFEST.json says: the duplicate copy is the one it names, the original is kept.
  const db = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  db.prepare('ATTACH ? AS private').run(`${out}.cxr8-private.sqlite`);
  const outcomeOf = db.prepare(`SELECT CASE WHEN e.reason LIKE 'duplicate:%' THEN 'excluded duplicate' WHEN e.reason IS NOT NULL THEN 'excluded'
      WHEN f.file IS NOT NULL THEN 'failed' ELSE 'included' END
    FROM private.sources s LEFT JOIN excluded e ON e.file = s.ref LEFT JOIN failures f ON f.file = s.ref WHERE s.path = ?`).pluck();
  for (const f of manifest.files.filter((e) => e.kind === 'dicom-image')) {
    const expected = f.expected.reason === 'duplicate' ? 'excluded duplicate' : f.expected.outcome;
    t.is(outcomeOf.get(f.path.replace(/^dicom\//, '')), expected, f.path);
  }
  db.close();
});

test('an --out whose parent exists but takes no folder (/proc, a dangling link) is exit 3 at once, not a hang', async (t) => {
  const work = await mkdtemp(join(tmpdir(), 'cxr8-cli-out-'));
  await symlink(join(work, 'no-such-disk'), join(work, 'dangling'));
  const outs = [join(work, 'dangling', 'out'), ...(existsSync('/proc/self') ? ['/proc/cxr8-no-such/out'] : [])];
  for (const out of outs) {
    const r = await run(['--dicom', join(fixtures, 'dicom'), '--reports', join(fixtures, 'reports.csv'), '--out', out]);
    t.is(r.code, EXIT.unusable, `${out}: ${r.stderr}`);
    t.regex(r.stderr, /ENOENT/);
  }
});
