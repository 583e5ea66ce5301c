/**
 * Output folders that never lose work (issue 13): what a folder holds is looked at before anything is written, a
 * folder that holds something other than our own output is refused unless `force`, and new outputs are written into
 * a staging folder beside the target and moved into place only when the run produced them.
 *
 * - `inspectFolder(dir)`: absent, a file, or a folder and its entries;
 * - `unwritableReason(dir)`: why a folder could not be created or written (read-only file system, permissions);
 * - `claimOutputFolder(dir, kind)`: the refusal rules shared by `evaluate` and `phantoms` (`train` has its own, as a
 *   run can also be resumed);
 * - `stagingFolderFor(dir)`: `.<name>.partial` beside `dir` (same file system, so renames are atomic);
 * - `replaceEntries(staging, dir, ownNames)`: moves each staged entry over its namesake in `dir` and removes our own
 *   entries the new output does not have (stale overlays, images of an older phantom set); entries that are not ours
 *   are left alone.
 */
import { constants } from 'node:fs';
import { access, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { RefusedError } from './errors.js';
import { makeDirectory } from '@cxr8/labeler';

/** What a path holds. */
export type FolderState =
  | { kind: 'absent' }
  | { kind: 'file' }
  | { kind: 'folder'; entries: string[] };

/**
 * Looks at `dir` without changing it.
 *
 * @example
 * ```ts
 * await inspectFolder('runs/x'); // { kind: 'folder', entries: ['checkpoint', 'config.json', ...] }
 * ```
 */
export async function inspectFolder(dir: string): Promise<FolderState> {
  let info;
  try {
    info = await stat(dir);
  } catch {
    return { kind: 'absent' };
  }
  if (!info.isDirectory()) return { kind: 'file' };
  return { kind: 'folder', entries: (await readdir(dir)).sort() };
}

/**
 * A Node file-system error in words: `read-only file system`, `permission denied`, `no space left on device`.
 *
 * @example
 * ```ts
 * await makeDirectory('/proc/x').catch(describeFsError); // "no such file or directory"
 * ```
 */
export function describeFsError(error: unknown): string {
  const code = (error as { code?: string } | undefined)?.code;
  const words: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    ENOTDIR: 'not a folder',
    EISDIR: 'is a folder, not a file',
    EEXIST: 'already exists',
    EMFILE: 'too many open files',
  };
  return (code !== undefined ? words[code] : undefined) ?? (error instanceof Error ? error.message : String(error));
}

/**
 * Why `dir` could not be created or written into, or undefined when it can: the nearest folder that exists on the way
 * to it must be a folder and writable (a read-only file system, a folder of another user). Looked at before any work,
 * so that a run does not fail at its first write, after minutes of work, with a bare `ENOENT` or `EROFS`.
 *
 * @example
 * ```ts
 * await unwritableReason('/mnt/cdrom/runs/x'); // "/mnt/cdrom is not writable (read-only file system)"
 * ```
 */
export async function unwritableReason(dir: string): Promise<string | undefined> {
  let probe = resolve(dir);
  for (;;) {
    const info = await stat(probe).catch(() => undefined);
    if (info !== undefined) {
      if (!info.isDirectory()) return probe === resolve(dir) ? undefined : `${probe} is a file, not a folder`;
      break;
    }
    const parent = dirname(probe);
    if (parent === probe) return undefined;
    probe = parent;
  }
  try {
    await access(probe, constants.W_OK);
  } catch (error) {
    return `${probe} is not writable (${describeFsError(error)})`;
  }
  return undefined;
}

/** A kind of output folder: what it is called in messages, how to recognise one, and the entries it owns. */
export interface OutputKind {
  /** E.g. `an evaluation`, `a phantom set`. */
  name: string;
  /** Whether the entries of a folder are one of ours (a previous output of the same command). */
  recognise: (entries: readonly string[]) => boolean;
  /** Entries our output writes (and may replace). */
  own: readonly string[];
}

/**
 * Applies the refusal rules to an output folder: absent or empty, or a previous output of the same kind, is fine; a
 * file, or a folder with other contents, is refused with {@link RefusedError} unless `force` (a file always is).
 * Returns the folder's state.
 *
 * @example
 * ```ts
 * await claimOutputFolder('runs/x/eval', EVALUATION_KIND, false, 'evaluate'); // throws when runs/x/eval holds other files
 * ```
 */
export async function claimOutputFolder(dir: string, kind: OutputKind, force: boolean, command: string): Promise<FolderState> {
  const state = await inspectFolder(dir);
  if (state.kind === 'file') {
    throw new RefusedError(`${command}: --out ${dir} is a file; expected a folder (absent, empty, or ${kind.name} written before)`);
  }
  const unwritable = await unwritableReason(dir);
  if (unwritable !== undefined) throw new RefusedError(`${command}: --out ${dir} cannot be written: ${unwritable}; nothing was written. Choose another --out`);
  if (state.kind === 'absent' || state.entries.length === 0 || kind.recognise(state.entries) || force) return state;
  const shown = state.entries.slice(0, 5).join(', ') + (state.entries.length > 5 ? `, ... (${state.entries.length} entries)` : '');
  throw new RefusedError(
    `${command}: --out ${dir} is not empty and does not hold ${kind.name} (found ${shown}); nothing was written. ` +
      'Choose another --out, or pass --force to write into it (only our own files are replaced).',
  );
}

/**
 * The staging folder for `dir`: `.<name>.partial` in the same parent, so that moving its entries into place is a
 * rename on one file system.
 *
 * @example
 * ```ts
 * stagingFolderFor('runs/x/eval'); // '<abs>/runs/x/.eval.partial'
 * ```
 */
export function stagingFolderFor(dir: string): string {
  const abs = resolve(dir);
  return join(dirname(abs), `.${basename(abs)}.partial`);
}

/**
 * Moves every entry of `staging` into `dir` (replacing its namesake: the old one is renamed aside first, then
 * removed), removes entries of `ownNames` that `dir` has and `staging` does not, then removes `staging`. Entries of
 * `dir` that are not in `ownNames` and not staged are left as they are.
 *
 * @example
 * ```ts
 * await replaceEntries('.eval.partial', 'eval', ['metrics.json', 'report.md', 'roc', 'overlays']);
 * ```
 */
export async function replaceEntries(staging: string, dir: string, ownNames: readonly string[]): Promise<void> {
  await makeDirectory(dir);
  const staged = await readdir(staging);
  for (const entry of staged) {
    const target = join(dir, entry);
    const aside = join(dir, `.${entry}.old`);
    await rm(aside, { recursive: true, force: true });
    let moved = false;
    try {
      await rename(target, aside);
      moved = true;
    } catch {
      // no previous entry of that name
    }
    await rename(join(staging, entry), target);
    if (moved) await rm(aside, { recursive: true, force: true });
  }
  for (const entry of ownNames) {
    if (!staged.includes(entry)) await rm(join(dir, entry), { recursive: true, force: true });
  }
  await rm(staging, { recursive: true, force: true });
}
