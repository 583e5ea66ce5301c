/**
 * Stage 1: find the DICOM files of an export, by content rather than by name.
 *
 * PACS exports name files anything (`IM0001`, `1.2.840....`, `image.dcm`, no extension at all), nest them in any
 * folder layout, and mix in DICOMDIR indexes, viewers, PDFs and readme files. A file is DICOM when its bytes say so:
 * a 128-byte preamble followed by "DICM" (PS3.10 section 7.1), or a bare data set that starts with a group 0x0002 or
 * 0x0008 element (older exports omit the preamble); the check is `isDicom` of dicom/parse.ts. DICOMDIR files (PS3.10 section 8, a directory, not an image) are
 * skipped by name here and by Media Storage SOP Class later.
 *
 * Symbolic links are followed (to files and folders; a folder reached again through a link is not walked twice, a
 * dangling link is an unreadable file).
 *
 * The walk is streaming: folders are read one at a time and files are yielded as they are found, so an export of
 * 100,000+ files never sits in memory as one list.
 */
import { opendir, open, realpath } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { UsageError } from './errors.js';
import { isDicom } from './dicom/parse.js';

/** A file that looks like DICOM. */
export interface DiscoveredFile {
  /** Absolute (or as given) path. */
  path: string;
  /** Path relative to the export root, with `/` separators; the file's stable key. */
  relPath: string;
  size: number;
  mtimeMs: number;
}

/** What discovery skipped, by reason. */
export interface DiscoverCounts {
  /** Files seen in total. */
  files: number;
  dicom: number;
  nonDicom: number;
  dicomDir: number;
  /** Files that could not be opened or read. */
  unreadable: number;
}

/**
 * True for a DICOMDIR by its name (PS3.10 8.6: the file ID is "DICOMDIR").
 *
 * @example
 * ```ts
 * isDicomDirName('dicomdir'); // true
 * ```
 */
export function isDicomDirName(name: string): boolean {
  return name.toUpperCase() === 'DICOMDIR';
}

async function readHead(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(132);
    const { bytesRead } = await handle.read(buf, 0, 132, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Options of {@link discoverDicom}. */
export interface DiscoverOptions {
  /** Receives the counts as they change (the same object every time). */
  counts?: DiscoverCounts;
  /** Overrides the content check (the DICOM reader's own `isDicom`). */
  isDicom?: (head: Uint8Array) => boolean;
  /**
   * Called for each file or folder that cannot be read (`relPath` relative to the root, `/` separators; `reason` the
   * system error code), besides counting it in `unreadable`. The walk goes on.
   */
  onUnreadable?: (relPath: string, reason: string, isFolder: boolean) => void;
  /**
   * Files and folders that are not walked nor counted: the build's own output when it lies inside the export
   * (`--out`, the key file and SQLite's `-wal`, `-shm` and `-journal` companions; see {@link ownOutputPaths}).
   * Compared by resolved path and, for folders, by real path (a link to `--out` is skipped too).
   */
  exclude?: readonly string[];
}

/**
 * The paths a build writes, which a walk of `--dicom` must skip when they lie inside it: the `--out` folder, and the
 * key file with SQLite's companion files (`-wal`, `-shm`, `-journal`).
 *
 * @example
 * ```ts
 * ownOutputPaths('/pacs/out', '/pacs/out.cxr8-private.sqlite');
 * // ['/pacs/out', '/pacs/out.cxr8-private.sqlite', '/pacs/out.cxr8-private.sqlite-wal', ...-shm, ...-journal]
 * ```
 */
export function ownOutputPaths(out: string, keyFile: string): string[] {
  const key = resolve(keyFile);
  return [resolve(out), key, `${key}-wal`, `${key}-shm`, `${key}-journal`];
}

/**
 * A fresh, zeroed {@link DiscoverCounts}.
 *
 * @example
 * ```ts
 * const counts = emptyDiscoverCounts(); // { files: 0, dicom: 0, nonDicom: 0, dicomDir: 0, unreadable: 0 }
 * ```
 */
export function emptyDiscoverCounts(): DiscoverCounts {
  return { files: 0, dicom: 0, nonDicom: 0, dicomDir: 0, unreadable: 0 };
}

/**
 * Walks `root` depth-first (entries in name order, so every run sees the same order) and yields every DICOM file.
 * Non-DICOM files, DICOMDIRs and unreadable files are counted in `options.counts`.
 *
 * @example
 * ```ts
 * const counts = emptyDiscoverCounts();
 * for await (const file of discoverDicom('/mnt/pacs-export', { counts })) console.log(file.relPath);
 * console.log(counts.nonDicom, 'files skipped');
 * ```
 */
export async function* discoverDicom(root: string, options: DiscoverOptions = {}): AsyncGenerator<DiscoveredFile> {
  const counts = options.counts ?? emptyDiscoverCounts();
  const check = options.isDicom ?? isDicom;
  let rootStat: Stats;
  try {
    rootStat = await stat(root);
  } catch (cause) {
    throw new UsageError('expected a folder of DICOM files (--dicom), found nothing at this path', { file: root, cause });
  }
  if (!rootStat.isDirectory()) {
    throw new UsageError('expected a folder of DICOM files (--dicom), found a file', { file: root });
  }
  const excluded = new Set((options.exclude ?? []).map((p) => resolve(p)));
  const excludedReal = new Set<string>();
  for (const p of excluded) {
    try {
      excludedReal.add(await realpath(p));
    } catch {
      // not there (yet): compared by resolved path only
    }
  }
  const stack: string[] = [root];
  // Real paths of the folders walked: a symbolic link back to one of them (a cycle, or a second way in) is not
  // walked again.
  const walked = new Set<string>();
  const relOf = (p: string): string => relative(root, p).split(sep).join('/');
  const codeOf = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? 'unknown error';
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    const names: { name: string; dir: boolean; file: boolean }[] = [];
    try {
      const real = await realpath(dir);
      if (walked.has(real) || (dir !== root && (excluded.has(resolve(dir)) || excludedReal.has(real)))) continue;
      walked.add(real);
      for await (const entry of await opendir(dir)) {
        let isDir = entry.isDirectory();
        let isFile = entry.isFile();
        if (entry.isSymbolicLink()) {
          // A link is followed to what it points at; a dangling one is an unreadable file.
          try {
            const target = await stat(join(dir, entry.name));
            isDir = target.isDirectory();
            isFile = target.isFile();
          } catch (error) {
            counts.files++;
            counts.unreadable++;
            options.onUnreadable?.(relOf(join(dir, entry.name)), codeOf(error), false);
            continue;
          }
        }
        if (excluded.has(resolve(dir, entry.name))) continue;
        names.push({ name: entry.name, dir: isDir, file: isFile });
      }
    } catch (error) {
      counts.unreadable++;
      options.onUnreadable?.(relOf(dir), codeOf(error), true);
      continue;
    }
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // Sub-folders are pushed in reverse so that they pop in name order.
    for (let i = names.length - 1; i >= 0; i--) {
      const entry = names[i];
      if (entry?.dir) stack.push(join(dir, entry.name));
    }
    for (const entry of names) {
      if (!entry.file) continue;
      counts.files++;
      const path = join(dir, entry.name);
      if (isDicomDirName(entry.name)) {
        counts.dicomDir++;
        continue;
      }
      let head: Uint8Array;
      let info: Stats;
      try {
        info = await stat(path);
        head = await readHead(path);
      } catch (error) {
        counts.unreadable++;
        options.onUnreadable?.(relOf(path), codeOf(error), false);
        continue;
      }
      if (!check(head)) {
        counts.nonDicom++;
        continue;
      }
      counts.dicom++;
      yield { path, relPath: relOf(path), size: info.size, mtimeMs: Math.floor(info.mtimeMs) };
    }
  }
}
