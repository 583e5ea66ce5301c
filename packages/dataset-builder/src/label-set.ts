/**
 * The label set of a build (`--labels NAME|FILE`, `--lexicons DIR`; issue 9, docs/label-sets.md): which findings the
 * labeler gives columns to, and so what the `labels` table, Data_Entry.csv, CheXpert.csv and the shards carry.
 *
 * A dataset records its set in `meta`: `label_set` (the set's name), `label_set_digest` (SHA-256 of the set's
 * resolved content and of every lexicon and rule file the labeler compiled, bundled and `--lexicons` alike, by
 * relative path and bytes, so that a folder moved elsewhere digests the same) and `label_findings` (the columns, JSON).
 * A rebuild with another set, or the same set over other lexicons, relabels every study in place: the digest is part
 * of each image's `label_digest` (stages/label.ts), so the labels, exports and shards all follow the new set; the summary
 * says what the dataset was labeled with before. A rebuild without `--labels` uses the recorded set when it is built
 * in; a set of the user's own (a file, or a `--lexicons` folder's) cannot be found again from its name, so such a
 * rebuild is a usage error asking for the flags of the first build.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import type { LabelSet, LabelSetDefinition } from '@cxr8/labeler';
import { UsageError } from './errors.js';
import type { ReportLabeler } from './reports.js';
import { getMeta, setMeta } from './store.js';

/** The set of the built-in NIH labels, what an NIH import and a dataset made before label sets hold. */
export const DEFAULT_LABEL_SET = 'nih14';

/** The built-in set names and aliases a rebuild can find again from the name alone. */
const BUILTIN_NAMES: Readonly<Record<string, string>> = { nih14: 'nih14', '14': 'nih14', nih8: 'nih8', '8': 'nih8', chexpert: 'chexpert' };

/** What a dataset records of its label set. */
export interface RecordedLabelSet {
  name: string;
  digest: string;
  findings: string[];
}

/** The label set of this build, with its labeler. */
export interface BuildLabelSet extends RecordedLabelSet {
  labeler: ReportLabeler;
  /** What the dataset was labeled with before, when that differs (every study is then labeled again). */
  previous?: RecordedLabelSet;
}

/**
 * The digest of a label set over its lexicons: the set's columns and rules (not its file's place) and every lexicon
 * and rule file of the bundled folder and of `lexiconDirs`, by path inside its folder and content. Two builds with the
 * same set and the same lexicons get the same digest wherever the folders lie; a changed term changes it.
 *
 * @example
 * ```ts
 * labelSetDigest({ name: 'site', findings: ['Cardiomegaly', 'Scoliosis'] }, ['site-lexicons'], defaultLexiconDir(), lexiconFilesIn);
 * // "6f1c..." (64 hex digits)
 * ```
 */
export function labelSetDigest(
  set: LabelSetDefinition,
  lexiconDirs: readonly string[],
  bundledDir: string,
  filesIn: (dir: string) => string[],
): string {
  const h = createHash('sha256');
  const { name, findings, noFindingIgnores, parents } = set;
  h.update(JSON.stringify({ name, findings, noFindingIgnores: noFindingIgnores ?? [], parents: parents ?? {} }));
  [bundledDir, ...lexiconDirs].forEach((dir, k) => {
    for (const file of filesIn(dir)) {
      const bytes = readFileSync(file);
      h.update(`\n${k}:${relative(dir, file).split('\\').join('/')}:${bytes.length}\n`).update(bytes);
    }
  });
  return h.digest('hex');
}

/**
 * The label set a dataset recorded, read without writing (undefined for a new `--out` or a dataset made before
 * label sets, which holds the NIH 14).
 *
 * @example
 * ```ts
 * readRecordedLabelSet('out/demo'); // { name: 'nih14', digest: '...', findings: ['Atelectasis', ...] }
 * ```
 */
export function readRecordedLabelSet(out: string): RecordedLabelSet | undefined {
  const path = resolve(out, 'dataset.sqlite');
  if (!existsSync(path)) return undefined;
  let db: Db | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    return recordedLabelSetOf(db);
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

/**
 * The label set recorded in an open dataset's `meta`, if any.
 *
 * @example
 * ```ts
 * recordedLabelSetOf(store.db)?.name; // "chexpert"
 * ```
 */
export function recordedLabelSetOf(db: Db): RecordedLabelSet | undefined {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() !== undefined;
  if (!hasMeta) return undefined;
  const name = getMeta(db, 'label_set');
  const digest = getMeta(db, 'label_set_digest');
  const findings = getMeta(db, 'label_findings');
  if (name === undefined || digest === undefined || findings === undefined) return undefined;
  try {
    const parsed = JSON.parse(findings) as unknown;
    if (!Array.isArray(parsed) || parsed.some((f) => typeof f !== 'string')) return undefined;
    return { name, digest, findings: parsed as string[] };
  } catch {
    return undefined;
  }
}

/**
 * Records a label set in `meta` (`label_set`, `label_set_digest`, `label_findings`).
 *
 * @example
 * ```ts
 * recordLabelSet(store.db, { name: 'nih14', digest: 'ab...', findings: [...FINDINGS_14] });
 * ```
 */
export function recordLabelSet(db: Db, set: RecordedLabelSet): void {
  setMeta(db, 'label_set', set.name);
  setMeta(db, 'label_set_digest', set.digest);
  setMeta(db, 'label_findings', JSON.stringify(set.findings));
}

/** Options of {@link loadBuildLabelSet}. */
export interface LabelSetOptions {
  /** `--labels`: a set name (built in, an alias, or a set in a `--lexicons` folder), a set file path, or a parsed set. */
  labelSet?: LabelSet;
  /** `--lexicons`, repeatable: the labeler's extra lexicon folders. */
  lexiconDirs?: readonly string[];
  /** A labeler made by the caller (tests); its `findings` and `labelSet` are used when it has them. */
  labeler?: ReportLabeler;
  /** What the dataset recorded ({@link readRecordedLabelSet}). */
  recorded?: RecordedLabelSet;
  /** Where relative paths are read from (default the current directory). */
  cwd?: string;
}

/**
 * Resolves the label set of a build and makes its labeler, before anything is written: a set file is read and
 * validated (a `LexiconError` naming the file: exit 3), so are the `--lexicons` folders (the labeler's errors name
 * the file: exit 3); an unknown set name is a {@link UsageError} listing the sets there are (exit 2). Without
 * `labelSet`, a rebuild uses the set it recorded when that set is built in, and refuses (UsageError) when it is the
 * user's own, since its file and folders are not recorded; a new dataset uses `nih14`.
 *
 * @example
 * ```ts
 * const set = await loadBuildLabelSet({ labelSet: 'sets/site.json', lexiconDirs: ['site-lexicons'] });
 * set.findings; // ['Cardiomegaly', 'Scoliosis']
 * ```
 */
export async function loadBuildLabelSet(options: LabelSetOptions): Promise<BuildLabelSet> {
  const labelerModule = await import('@cxr8/labeler');
  const { createLabeler, defaultLexiconDir, isLabelSetPath, labelSetFiles, lexiconFilesIn, readLabelSetFile, resolveLabelSet, LABEL_SET_ALIASES } = labelerModule;
  const cwd = options.cwd ?? process.cwd();
  const lexiconDirs = (options.lexiconDirs ?? []).map((d) => resolve(cwd, d));
  const recorded = options.recorded;
  let given: LabelSet | undefined = options.labelSet ?? options.labeler?.labelSet;
  if (given === undefined && recorded !== undefined) {
    if (BUILTIN_NAMES[recorded.name] === undefined && lexiconDirs.length === 0) {
      throw new UsageError(
        `--labels: this dataset was labeled with the set "${recorded.name}" (${recorded.findings.length} findings: ${recorded.findings.join(', ')}), which is not built in; give --labels and --lexicons as for its first build (or --labels nih14 to relabel it with the NIH 14)`,
      );
    }
    given = recorded.name;
  }
  let set: LabelSet = given ?? DEFAULT_LABEL_SET;
  if (typeof set === 'string') {
    if (isLabelSetPath(set)) {
      set = readLabelSetFile(resolve(cwd, set));
    } else if (lexiconDirs.every((d) => existsSync(d))) {
      // (A missing --lexicons folder is named by the labeler below, before any set name is looked up.)
      const known = [...labelSetFiles([defaultLexiconDir(), ...lexiconDirs]).keys()];
      if (!known.includes(set) && LABEL_SET_ALIASES[set] === undefined) {
        throw new UsageError(`--labels: expected one of ${[...known, ...Object.keys(LABEL_SET_ALIASES)].join(', ')} or a set file (NAME.json), found "${set}"`);
      }
    }
  }
  const labeler = options.labeler ?? createLabeler({ labelSet: set, lexiconDirs });
  const definition = labeler.labelSet ?? resolveLabelSet(set, lexiconDirs);
  const findings = [...(labeler.findings ?? definition.findings)];
  const digest = labelSetDigest(definition, lexiconDirs, defaultLexiconDir(), lexiconFilesIn);
  const result: BuildLabelSet = { name: definition.name, digest, findings, labeler };
  if (recorded !== undefined && (recorded.digest !== digest || recorded.name !== definition.name)) result.previous = recorded;
  return result;
}
