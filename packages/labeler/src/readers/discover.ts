/**
 * Input discovery for `label-reports`: files, folders (recursive) and glob patterns become a stream of report files.
 *
 * Order is deterministic: inputs in the order given; inside a folder, entries sorted by name (code-unit order) and
 * walked depth first; a glob's matches (listed by fast-glob) in that same order. Hidden entries (names starting with
 * ".") are skipped in folders and globs. A subfolder that cannot be listed, and a symbolic link named like a report
 * file whose target is missing, are failures with their reason (never skipped without a word). A folder is walked
 * lazily, so memory stays flat in the number of files (only folder identities are remembered, to break symlink
 * cycles; file paths are remembered only when several inputs could overlap, to skip duplicates); a glob's matches are
 * listed whole and sorted before the first is read (their paths only).
 */
import { readdir as fsReaddir, type Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import fastGlob from 'fast-glob';
import type { InputFailure } from './records.js';

/** The input formats `label-reports` reads, by file extension. */
export type InputFormat = 'xml' | 'txt' | 'csv' | 'jsonl';

/** A report file found by {@link discoverInputs}. */
export interface DiscoveredFile {
  /** The name to show the user: the input as given, or joined with the path found under it. */
  name: string;
  /** The absolute path ("-" for standard input). */
  path: string;
  format: InputFormat;
  /** True for standard input (the input "-"). */
  stdin?: boolean;
}

/** One item of the discovery stream. */
export type Discovered = { file: DiscoveredFile; failure?: undefined } | { failure: InputFailure; file?: undefined };

/** Options of {@link discoverInputs}. */
export interface DiscoverOptions {
  /** Folder that relative inputs are resolved against. Default `process.cwd()`. */
  cwd?: string;
  /** Format of standard input (the input "-"). Default "jsonl". */
  stdinFormat?: StdinFormat;
}

/** The input that means standard input. */
export const STDIN_INPUT = '-';

/** The formats standard input can be read in (`--stdin-format`). */
export const STDIN_FORMATS = ['jsonl', 'csv', 'txt'] as const;

/** One of {@link STDIN_FORMATS}. */
export type StdinFormat = (typeof STDIN_FORMATS)[number];

/** The name standard input has in failures and progress ("stdin:3" for its line 3). */
export const STDIN_NAME = 'stdin';

const FORMATS: Record<string, InputFormat> = { '.xml': 'xml', '.txt': 'txt', '.csv': 'csv', '.jsonl': 'jsonl', '.ndjson': 'jsonl' };

/** The extensions read, for messages. */
export const INPUT_EXTENSIONS = '.xml, .txt, .csv, .jsonl (or .ndjson)';

/**
 * The input format of a file, from its extension (case-insensitive), or undefined when it is not one we read.
 *
 * @example
 * ```ts
 * inputFormatOf('reports/CXR1.XML'); // "xml"
 * inputFormatOf('notes.md');         // undefined
 * ```
 */
export function inputFormatOf(path: string): InputFormat | undefined {
  return FORMATS[extname(path).toLowerCase()];
}

/**
 * True when `input` contains glob syntax (`*`, `?`, `[...]`, `{a,b}`).
 *
 * @example
 * ```ts
 * isGlobPattern('reports/**\/*.xml'); // true
 * isGlobPattern('reports/CXR1.xml');  // false
 * ```
 */
export function isGlobPattern(input: string): boolean {
  return /[*?[{]/.test(input);
}

/**
 * Expands inputs (files, folders, glob patterns) into a lazy stream of report files and failures. The input "-" is
 * standard input, in `stdinFormat` (default jsonl), named "stdin".
 *
 * A folder is walked recursively and yields the files with a readable extension ({@link INPUT_EXTENSIONS}); others
 * are skipped. A file named explicitly, or matched by a glob, with another extension is a failure. An input that does
 * not exist, a folder without report files and a glob that matches nothing are failures too.
 *
 * @example
 * ```ts
 * for await (const item of discoverInputs(['reports/', 'extra/*.csv'])) {
 *   if (item.file) console.log(item.file.name, item.file.format);
 *   else console.error(item.failure.source, item.failure.reason);
 * }
 * ```
 */
export async function* discoverInputs(inputs: readonly string[], options: DiscoverOptions = {}): AsyncGenerator<Discovered> {
  const cwd = options.cwd ?? process.cwd();
  const seen = inputs.length > 1 ? new Set<string>() : undefined;
  const fresh = (path: string): boolean => {
    if (!seen) return true;
    if (seen.has(path)) return false;
    seen.add(path);
    return true;
  };
  for (const input of inputs) {
    if (input === STDIN_INPUT) {
      if (fresh(STDIN_INPUT)) yield { file: { name: STDIN_NAME, path: STDIN_INPUT, format: options.stdinFormat ?? 'jsonl', stdin: true } };
      continue;
    }
    if (isGlobPattern(input)) {
      yield* discoverGlob(input, cwd, fresh);
      continue;
    }
    const path = resolve(cwd, input);
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      yield { failure: { source: input, reason: describeFsError(error) } };
      continue;
    }
    if (info.isDirectory()) {
      let found = 0;
      let unreadable = 0;
      try {
        for await (const entry of walk(path, Infinity)) {
          if (entry.error !== undefined) {
            if (reportable(entry)) {
              unreadable++;
              yield { failure: { source: join(input, entry.rel), reason: entry.error } };
            }
            continue;
          }
          const rel = entry.rel;
          const format = inputFormatOf(rel);
          if (!format) continue;
          found++;
          const abs = join(path, rel);
          if (fresh(abs)) yield { file: { name: join(input, rel), path: abs, format } };
        }
      } catch (error) {
        yield { failure: { source: input, reason: `cannot read the folder: ${describeFsError(error)}` } };
        continue;
      }
      if (found === 0 && unreadable === 0) {
        yield { failure: { source: input, reason: `expected report files (${INPUT_EXTENSIONS}) in the folder, found none` } };
      }
    } else {
      const format = inputFormatOf(input);
      if (!format) {
        yield { failure: { source: input, reason: unsupported(input) } };
      } else if (fresh(path)) {
        yield { file: { name: input, path, format } };
      }
    }
  }
}

async function* discoverGlob(pattern: string, cwd: string, fresh: (path: string) => boolean): AsyncGenerator<Discovered> {
  const glob = pattern.split(sep).join('/');
  const base = globBase(glob);
  const root = resolve(cwd, base);
  try {
    const info = await stat(root);
    if (!info.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (error) {
    yield { failure: { source: pattern, reason: `no file matches the pattern (${base}: ${describeFsError(error)})` } };
    return;
  }
  let matches: WalkEntry[];
  try {
    matches = await globMatches(glob, cwd, root);
  } catch (error) {
    yield { failure: { source: pattern, reason: `cannot read the folder ${base}: ${describeFsError(error)}` } };
    return;
  }
  if (matches.length === 0) yield { failure: { source: pattern, reason: 'no file matches the pattern' } };
  for (const entry of matches) {
    const name = base === '.' ? entry.rel : `${base.replace(/\/$/, '')}/${entry.rel}`;
    if (entry.error !== undefined) {
      yield { failure: { source: name, reason: entry.error } };
      continue;
    }
    const format = inputFormatOf(entry.rel);
    const abs = join(root, entry.rel);
    if (!format) yield { failure: { source: name, reason: unsupported(name) } };
    else if (fresh(abs)) yield { file: { name, path: abs, format } };
  }
}

/**
 * The folder a glob is matched below: its leading folders without glob syntax, "." for none. fast-glob gives each
 * brace alternative its own base (`r/{a,b}/*` is `r/a` and `r/b`); their common folder is the base (`r`).
 */
function globBase(glob: string): string {
  const bases = fastGlob.generateTasks([glob], GLOB_OPTIONS).map((task) => task.base.split('/'));
  const first = bases[0] ?? ['.'];
  let shared = 0;
  while (shared < first.length && bases.every((parts) => parts[shared] === first[shared])) shared++;
  const common = first.slice(0, shared).join('/');
  return common === '' ? (first[0] === '' && shared > 0 ? '/' : '.') : common;
}

/**
 * fast-glob's settings: `*` and `**` skip hidden entries, extglobs (`+(a|b)`) are off (a parenthesis is a
 * character), symbolic links are followed, and entries come with their type so that a dangling link can be named.
 */
const GLOB_OPTIONS = { dot: false, extglob: false, followSymbolicLinks: true, onlyFiles: false, absolute: true, objectMode: true } as const;

/**
 * The entries below `root` that a glob matches, in the order a folder walk gives (entries sorted by name, depth
 * first), as {@link walk} yields them: files, dangling symbolic links (with their reason) and subfolders that could
 * not be listed (whether or not they would have held a match). As in a folder, hidden entries below `root` are never
 * matched (not even by a pattern that names one, `r/*\/.cache/*.txt`) and a folder reached again through a link is
 * read once: fast-glob lists through a `readdir` that cuts a link back to a folder above it (a cycle), and of two
 * paths to one folder only the first in that order is kept. The matches are sorted in memory (their paths only).
 */
async function globMatches(glob: string, cwd: string, root: string): Promise<WalkEntry[]> {
  const prefix = root.endsWith(sep) ? root : `${root}${sep}`;
  const relOf = (path: string): string => (path.startsWith(prefix) ? path.slice(prefix.length) : relative(root, path)).split(sep).join('/');
  const unreadable: WalkEntry[] = [];
  const realOf = new Map<string, string>();
  const list = (dir: string, callback: (error: NodeJS.ErrnoException | null, entries: Dirent[]) => void): void => {
    const rel = relOf(dir);
    if (rel !== '' && hidden(rel)) {
      callback(null, []);
      return;
    }
    // A subfolder that cannot be read is named and the listing goes on; the root's error fails the glob.
    const failed = (error: NodeJS.ErrnoException): void => {
      if (rel === '') {
        callback(error, []);
        return;
      }
      unreadable.push({ rel, folder: true, error: `cannot read the folder: ${describeFsError(error)}` });
      callback(null, []);
    };
    void realpath(dir).then((real) => {
      if (ancestorsOf(dir, root).some((up) => realOf.get(up) === real)) {
        callback(null, []); // a link back to a folder above: a cycle
        return;
      }
      realOf.set(dir, real);
      fsReaddir(dir, { withFileTypes: true }, (error, entries) => (error === null ? callback(null, entries) : failed(error)));
    }, failed);
  };
  const readdir = ((dir: string, _options: unknown, callback: Parameters<typeof list>[1]) => list(dir, callback)) as unknown as typeof fsReaddir;
  const found = await fastGlob(glob, { ...GLOB_OPTIONS, cwd, fs: { readdir } });
  const matches: WalkEntry[] = [...unreadable];
  for (const entry of found) {
    const rel = relOf(entry.path);
    if (hidden(rel) || entry.dirent.isDirectory()) continue;
    if (entry.dirent.isSymbolicLink()) {
      // fast-glob keeps a link it could not follow as a link: its target is missing or unreadable.
      const reason = await stat(entry.path).then(() => 'a file that changed while it was read', describeFsError);
      matches.push({ rel, error: `a symbolic link to a file that cannot be read (${reason})` });
    } else if (entry.dirent.isFile()) {
      matches.push({ rel });
    }
  }
  const shadowed = shadowedFolders(realOf);
  const reached = (m: WalkEntry): boolean => {
    const path = join(root, m.rel);
    return ![...(m.folder === true ? [path] : []), ...ancestorsOf(path, root)].some((dir) => shadowed.has(dir));
  };
  return inWalkOrder(shadowed.size === 0 ? matches : matches.filter(reached));
}

/** Whether a "/"-separated relative path goes through a hidden entry (a name starting with "."). */
function hidden(rel: string): boolean {
  return rel.split('/').some((name) => name.startsWith('.'));
}

/** The folders from `path`'s parent up to `root`, `root` included. */
function ancestorsOf(path: string, root: string): string[] {
  const up: string[] = [];
  for (let dir = dirname(path); dir.length >= root.length && dir !== up.at(-1); dir = dirname(dir)) up.push(dir);
  return up;
}

/** The folders listed whose real folder was also listed by a path that comes first in walk order. */
function shadowedFolders(realOf: ReadonlyMap<string, string>): Set<string> {
  const first = new Map<string, string>();
  for (const [dir, real] of realOf) {
    const kept = first.get(real);
    if (kept === undefined || compareWalkOrder(dir.split(sep).join('/'), kept.split(sep).join('/')) < 0) first.set(real, dir);
  }
  return new Set([...realOf.keys()].filter((dir) => first.get(realOf.get(dir) as string) !== dir));
}

/**
 * The order of a folder walk that sorts each folder's entries by name (code-unit order) and goes depth first:
 * "/"-separated paths compared name by name, so `a/x.txt` comes before `a.txt` ("a" < "a.txt").
 */
function compareWalkOrder(a: string, b: string): number {
  return compareNames(a.split('/'), b.split('/'));
}

function compareNames(x: readonly string[], y: readonly string[]): number {
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] as string;
    const q = y[i] as string;
    if (p !== q) return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

/** Walk entries sorted in {@link compareWalkOrder}, each path split once. */
function inWalkOrder(entries: readonly WalkEntry[]): WalkEntry[] {
  return entries
    .map((entry) => ({ entry, names: entry.rel.split('/') }))
    .sort((a, b) => compareNames(a.names, b.names))
    .map(({ entry }) => entry);
}

/**
 * What {@link walk} finds: a file ("/"-separated path relative to the root), or an entry that could not be followed
 * (`error`): a subfolder that cannot be listed (`folder: true`), or a symbolic link whose target is missing.
 */
interface WalkEntry {
  rel: string;
  error?: string;
  folder?: boolean;
}

/**
 * Walks a folder depth first in sorted order, yielding files relative to it. A subfolder that cannot be read or a
 * dangling symbolic link is yielded with its reason instead of ending the walk or vanishing, so that the caller can
 * name it: a report file the user sees in the folder is never skipped without a word.
 */
async function* walk(root: string, maxDepth: number): AsyncGenerator<WalkEntry> {
  const visited = new Set<string>();
  async function* visit(dir: string, rel: string, depth: number): AsyncGenerator<WalkEntry> {
    let entries;
    try {
      const real = await realpath(dir);
      if (visited.has(real)) return;
      visited.add(real);
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (rel === '') throw error; // the root itself: the caller names the input
      yield { rel, folder: true, error: `cannot read the folder: ${describeFsError(error)}` };
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      const child = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const info = await stat(child).catch((error: unknown) => error as Error);
        if (info instanceof Error) {
          yield { rel: childRel, error: `a symbolic link to a file that cannot be read (${describeFsError(info)})` };
          continue;
        }
        isDir = info.isDirectory();
        isFile = info.isFile();
      }
      if (isDir && depth > 1) yield* visit(child, childRel, depth - 1);
      else if (isFile) yield { rel: childRel };
    }
  }
  yield* visit(root, '', maxDepth);
}

/** Whether a walk entry that could not be followed is worth a failure: a folder, or a link named like a report file. */
function reportable(entry: WalkEntry): boolean {
  return entry.folder === true || inputFormatOf(entry.rel) !== undefined;
}

function unsupported(name: string): string {
  const ext = extname(name);
  return `expected a report file (${INPUT_EXTENSIONS}), found ${ext ? `a "${ext}" file` : 'a file without extension'}`;
}

/**
 * Turns a node:fs error into a short reason.
 *
 * @example
 * ```ts
 * await stat('nope').catch(describeFsError); // "no such file or directory"
 * ```
 */
export function describeFsError(error: unknown): string {
  const code = (error as { code?: string } | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'not a folder';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EMFILE':
      return 'too many open files';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
