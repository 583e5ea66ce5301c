/**
 * Input discovery for `label-reports`: files, folders (recursive) and glob patterns become a stream of report files.
 *
 * Order is deterministic: inputs in the order given; inside a folder, entries sorted by name (code-unit order) and
 * walked depth first. Hidden entries (names starting with ".") are skipped in folders and globs. A subfolder that
 * cannot be listed, and a symbolic link named like a report file whose target is missing, are failures with their
 * reason (never skipped without a word). The stream is lazy, so
 * memory stays flat in the number of files (only folder identities are remembered, to break symlink cycles; file paths
 * are remembered only when several inputs could overlap, to skip duplicates).
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
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
 * Compiles a glob pattern over "/"-separated relative paths into a regular expression.
 *
 * `*` matches within one path segment, `?` one character, `[abc]` / `[!abc]` a character class, `{a,b}` alternatives,
 * and a `**` segment any number of folders (zero included).
 *
 * @example
 * ```ts
 * globToRegExp('**\/*.{xml,txt}').test('2024/01/CXR1.xml'); // true
 * globToRegExp('*.xml').test('2024/CXR1.xml');              // false
 * ```
 */
export function globToRegExp(pattern: string): RegExp {
  const segments = pattern.split('/');
  let source = '';
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '**') {
      source += last ? '.*' : '(?:[^/]+/)*';
      return;
    }
    source += segmentSource(segment) + (last ? '' : '/');
  });
  return new RegExp(`^${source}$`);
}

function segmentSource(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === '*') {
      while (segment[i + 1] === '*') i++;
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) {
        out += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      out += `[${negate ? '^/' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = close;
    } else if (c === '{') {
      const close = matchingBrace(segment, i);
      if (close < 0) {
        out += '\\{';
        continue;
      }
      const alternatives = splitTopLevel(segment.slice(i + 1, close));
      out += `(?:${alternatives.map(segmentSource).join('|')})`;
      i = close;
    } else {
      out += c.replace(/[.+^$()|\\\]}]/g, '\\$&');
    }
  }
  return out;
}

function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}') depth--;
    else if (s[i] === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/** Splits a pattern into the folder it is rooted at (no glob syntax) and the glob below it. */
function splitGlob(pattern: string): { base: string; glob: string } {
  const parts = pattern.split('/');
  const firstMagic = parts.findIndex(isGlobPattern);
  const baseParts = parts.slice(0, firstMagic);
  const base = baseParts.length === 0 ? '.' : baseParts.join('/') || '/';
  return { base, glob: parts.slice(firstMagic).join('/') };
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
  const { base, glob } = splitGlob(pattern.split(sep).join('/'));
  const root = resolve(cwd, base);
  const matcher = globToRegExp(glob);
  const depth = glob.split('/').includes('**') ? Infinity : glob.split('/').length;
  let matched = 0;
  try {
    const info = await stat(root);
    if (!info.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (error) {
    yield { failure: { source: pattern, reason: `no file matches the pattern (${base}: ${describeFsError(error)})` } };
    return;
  }
  try {
    for await (const entry of walk(root, depth)) {
      const rel = entry.rel;
      if (entry.error !== undefined) {
        // A folder that cannot be listed may hold matches; a dangling link that matches is named too.
        if (entry.folder === true || matcher.test(rel)) {
          matched++;
          yield { failure: { source: base === '.' ? rel : `${base.replace(/\/$/, '')}/${rel}`, reason: entry.error } };
        }
        continue;
      }
      if (!matcher.test(rel)) continue;
      matched++;
      const name = base === '.' ? rel : `${base.replace(/\/$/, '')}/${rel}`;
      const format = inputFormatOf(rel);
      const abs = join(root, rel);
      if (!format) yield { failure: { source: name, reason: unsupported(name) } };
      else if (fresh(abs)) yield { file: { name, path: abs, format } };
    }
  } catch (error) {
    yield { failure: { source: pattern, reason: `cannot read the folder ${base}: ${describeFsError(error)}` } };
    return;
  }
  if (matched === 0) yield { failure: { source: pattern, reason: 'no file matches the pattern' } };
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
