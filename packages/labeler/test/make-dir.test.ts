// makeDirectory / makeDirectorySync: mkdir -p that answers, where Node's recursive mkdir spins forever (a parent that
// exists but takes no child: /proc, a dangling link).
import test from 'ava';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDirectory, makeDirectorySync } from '../src/make-dir.js';

let work = '';
test.before(async () => {
  work = await mkdtemp(join(tmpdir(), 'cxr8-mkdir-'));
});
test.after.always(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const codeOf = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;

test('makes every missing level, and a folder already there is fine', async (t) => {
  const deep = join(work, 'a', 'b', 'c');
  await makeDirectory(deep);
  t.true((await stat(deep)).isDirectory());
  await t.notThrowsAsync(makeDirectory(deep));
  makeDirectorySync(join(work, 'a', 'x', 'y'));
  t.true(statSync(join(work, 'a', 'x', 'y')).isDirectory());
  t.notThrows(() => makeDirectorySync(join(work, 'a', 'x', 'y')));
});

test('concurrent calls on the same tree all succeed', async (t) => {
  await Promise.all(Array.from({ length: 8 }, (_, i) => makeDirectory(join(work, 'race', 'p', String(i % 2)))));
  t.true(existsSync(join(work, 'race', 'p', '0')) && existsSync(join(work, 'race', 'p', '1')));
});

test('a file in the way is the file system error, naming it', async (t) => {
  const file = join(work, 'plain.txt');
  await writeFile(file, 'x');
  const onFile = await t.throwsAsync(makeDirectory(file));
  t.is(codeOf(onFile), 'EEXIST');
  const under = await t.throwsAsync(makeDirectory(join(file, 'sub')));
  t.is(codeOf(under), 'ENOTDIR');
  t.throws(() => makeDirectorySync(join(file, 'sub')), { code: 'ENOTDIR' });
});

test('a dangling link on the way fails at once instead of looping', async (t) => {
  const dangling = join(work, 'dangling');
  await symlink(join(work, 'no-such-disk'), dangling);
  const e = await t.throwsAsync(makeDirectory(join(dangling, 'out', 'deeper')));
  t.truthy(codeOf(e));
  t.is(codeOf(e), 'ENOENT');
  t.regex(e?.message ?? '', /dangling: it is a link to .*no-such-disk, which does not exist/);
  t.throws(() => makeDirectorySync(join(dangling, 'out')));
});

test('a folder under /proc fails at once with ENOENT, naming the folder and its parent', async (t) => {
  if (!existsSync('/proc/self')) return t.pass('no /proc on this system');
  const e = await t.throwsAsync(makeDirectory('/proc/cxr8-no-such/out'));
  t.is(codeOf(e), 'ENOENT');
  t.regex(e?.message ?? '', /cannot make the folder \/proc\/cxr8-no-such: \/proc exists, but no folder can be made in it/);
  t.throws(() => makeDirectorySync('/proc/cxr8-no-such/out'), { code: 'ENOENT' });
});
