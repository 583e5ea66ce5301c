import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { BUILD_HELP, BUILD_OPTIONS, COMMON_OPTIONS, IMPORT_HELP, IMPORT_OPTIONS, main } from '../src/cli.js';
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
    { argv: ['--help'], help: BUILD_HELP, flags: [...Object.keys(COMMON_OPTIONS), ...Object.keys(BUILD_OPTIONS)] },
    { argv: ['import-nih', '--help'], help: IMPORT_HELP, flags: [...Object.keys(COMMON_OPTIONS), ...Object.keys(IMPORT_OPTIONS)].filter((f) => f !== 'version') },
  ];
  for (const c of commands) {
    const { code, stdout } = await run(c.argv);
    t.is(code, 0);
    t.is(stdout, c.help);
    t.true(c.flags.length >= 10);
    for (const flag of c.flags) {
      // The flag's entry: its line and the indented lines after it, up to the next flag.
      const entry = new RegExp(`^ {2}(?:-[a-z], )?--${flag}\\b[^\\n]*(?:\\n {20,}[^\\n]*)*`, 'm').exec(stdout)?.[0];
      t.truthy(entry, `--${flag} is in ${c.argv.join(' ')}`);
      if (flag !== 'help' && flag !== 'version') t.regex(entry ?? '', /default|required/, `--${flag} shows its default`);
    }
  }
  // Each command's help names only its own flags.
  t.false(IMPORT_HELP.split('Options:')[1]?.includes('--dicom') ?? true);
  t.false(BUILD_HELP.split('Options:')[1]?.includes('--data-entry') ?? true);
});

test('a flag of the other command is a usage error (exit 2) that names the command it belongs to', async (t) => {
  const nih = await run(['import-nih', '--data-entry', 'x.csv', '--out', 'y', '--dicom', 'x']);
  t.is(nih.code, 2);
  t.regex(nih.stderr, /import-nih: --dicom is an option of a build/);
  const build = await run(['--dicom', 'x', '--out', 'y', '--data-entry', 'x.csv']);
  t.is(build.code, 2);
  t.regex(build.stderr, /--data-entry is an option of build-dataset import-nih/);
  const size = await run(['import-nih', '--data-entry', 'x.csv', '--out', 'y', '--size', '64']);
  t.is(size.code, 2);
});

test('an unknown flag is a usage error with exit code 2', async (t) => {
  const { code, stderr } = await run(['--dicom', 'x', '--out', 'y', '--colour']);
  t.is(code, 2);
  t.regex(stderr, /Unknown option '--colour'/);
});

test('a missing --dicom is a usage error that says what to pass', async (t) => {
  const { code, stderr } = await run(['--out', 'y']);
  t.is(code, 2);
  t.regex(stderr, /--dicom is required/);
});

test('a malformed --split is a usage error', async (t) => {
  const { code, stderr } = await run(['--dicom', 'x', '--out', 'y', '--split', '70,30']);
  t.is(code, 2);
  t.regex(stderr, /--split: expected three non-negative numbers/);
});

test('a reports file that does not exist stops the build with exit code 3 and its name', async (t) => {
  const pacs = await makePacs();
  const { code, stderr } = await run(['--dicom', pacs.dicom, '--reports', join(pacs.root, 'nope.csv'), '--out', join(pacs.root, 'out'), '--quiet', '--workers', '0']);
  t.is(code, 3);
  t.regex(stderr, /nope\.csv: expected a reports CSV/);
});

test('a build with bad files exits 1 and its summary names how many failed, with their paths for the operator', async (t) => {
  const pacs = await makePacs();
  const { code, stdout } = await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', join(pacs.root, 'out'), '--size', '64', '--shard-size', '16', '--quiet', '--workers', '1']);
  t.is(code, 1);
  t.regex(stdout, /failed {5}2 /);
  t.regex(stdout, /! parse dicom:[0-9a-f]{12} \(DOE\/study1\/IM0077\)/);
  t.regex(stdout, /4 in the dataset/);
});

test('an unreadable file (a dangling link) is recorded as a failure naming it and the reason; the rest builds', async (t) => {
  const pacs = await makePacs();
  await symlink(join(pacs.root, 'nowhere.dcm'), join(pacs.dicom, 'DOE', 'unreadable.dcm'));
  const out = join(pacs.root, 'out');
  const { code, stdout } = await run(['--dicom', pacs.dicom, '--reports', pacs.reports, '--out', out, '--size', '64', '--shard-size', '16', '--quiet', '--workers', '1']);
  t.is(code, 1);
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
