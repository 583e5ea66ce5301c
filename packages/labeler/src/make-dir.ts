/**
 * The one `mkdir -p` of the project: every output folder of the three packages is made through it.
 *
 * Node's own `mkdir(path, { recursive: true })` never returns when a folder on the way exists but refuses children
 * with ENOENT (a path under /proc, a dangling symbolic link to an unmounted disk): it makes the parent (EEXIST), tries
 * the child again (ENOENT) and loops, at 100% CPU, without a word. Here each missing level is made once, from the top
 * down, and a level that still cannot be made once its parent exists fails at once, naming both.
 */
import { lstatSync, mkdirSync, readlinkSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Node's error shape (`code`, `path`, `syscall`), so that callers that explain file-system errors by code still do. */
function noChildError(path: string): NodeJS.ErrnoException {
  const parent = dirname(path);
  const error: NodeJS.ErrnoException = new Error(
    `ENOENT: cannot make the folder ${path}: ${parent} exists, but no folder can be made in it (a dangling link, or a file system such as /proc)`,
  );
  error.code = 'ENOENT';
  error.errno = -2;
  error.syscall = 'mkdir';
  error.path = path;
  return error;
}

/** A link on the way whose target is not there: ENOENT, naming the link and where it points. */
function danglingLinkError(path: string, points: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`ENOENT: cannot make a folder in ${path}: it is a link to ${points}, which does not exist (a dangling link)`);
  error.code = 'ENOENT';
  error.errno = -2;
  error.syscall = 'mkdir';
  error.path = path;
  return error;
}

/** The EEXIST of `mkdir` on a path that is no folder, as the clearer error where that path is a dangling link. */
function explainExisting(path: string, error: unknown): unknown {
  try {
    return lstatSync(path).isSymbolicLink() ? danglingLinkError(path, readlinkSync(path)) : error;
  } catch {
    return error;
  }
}

/** The error of `mkdir` when it is one, else undefined (a non-errno throw is not ours to explain). */
function codeOf(error: unknown): string | undefined {
  return error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
}

/**
 * Makes the folder `path` and the missing folders above it, as `mkdir -p` does; a folder that is already there is
 * fine. Throws the file system's error (with its `code`) where a level cannot be made: EEXIST or ENOTDIR where a file
 * is in the way, EACCES, and ENOENT (with both folders named) where a parent exists but takes no child.
 *
 * @example
 * ```ts
 * await makeDirectory('out/demo/images');            // like mkdir -p
 * await makeDirectory('/proc/x/out').catch((e) => e.code); // 'ENOENT' at once (Node's recursive mkdir hangs here)
 * ```
 */
export async function makeDirectory(path: string): Promise<void> {
  // A few mkdir calls, once per output folder: the synchronous walk is the one implementation.
  makeDirectorySync(path);
}

/**
 * {@link makeDirectory} for synchronous code (the builder's database opening); the walk itself.
 *
 * @example
 * ```ts
 * makeDirectorySync('out/demo/.private');
 * ```
 */
export function makeDirectorySync(path: string): void {
  const target = resolve(path);
  const isDirectory = (): boolean => {
    try {
      return statSync(target).isDirectory();
    } catch {
      return false;
    }
  };
  try {
    mkdirSync(target);
    return;
  } catch (error) {
    const code = codeOf(error);
    if (code === 'EEXIST' && isDirectory()) return;
    if (code === 'EEXIST') throw explainExisting(target, error);
    if (code !== 'ENOENT' || dirname(target) === target) throw error;
  }
  makeDirectorySync(dirname(target));
  try {
    mkdirSync(target);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'EEXIST' && isDirectory()) return;
    throw code === 'ENOENT' ? noChildError(target) : error;
  }
}
