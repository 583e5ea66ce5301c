/**
 * Label sets as data (issue 9; docs/label-sets.md): a label set is a JSON file
 * `{ "name", "description", "findings": [...], "noFindingIgnores": [...], "parents": { parent: [children] } }` that
 * names the output columns in order (No Finding is always added last) and the set's rules. Built in, under
 * `lexicons/label-sets/`: `nih14` (the default; alias `14`), `nih8` (alias `8`) and `chexpert`. A lexicon folder given
 * by the user (`lexiconDirs`, `--lexicons DIR`) may hold sets of its own in `label-sets/`; any file can be read with
 * {@link readLabelSetFile} (the CLI does so for `--labels FILE`).
 *
 * A set's findings are resolved against the lexicons when a labeler is made ({@link bindLabelSet}): each must be the
 * `finding` or one of the `names` of a lexicon file (one concept serves both "Effusion" and "Pleural Effusion").
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LabelerArgumentError, LexiconError } from './errors.js';
import { NO_FINDING, type LabelSet, type LabelSetDefinition } from './findings.js';
import { checkKeys, defaultLexiconDir, nameKey, readJson, type FindingLexicon } from './lexicon.js';

/** The aliases of the built-in sets: `'14'` is `nih14`, `'8'` is `nih8`. */
export const LABEL_SET_ALIASES: Readonly<Record<string, string>> = { '14': 'nih14', '8': 'nih8' };

/** The aliases, in the order help and errors list them. */
export const LABEL_SET_ALIAS_NAMES: readonly string[] = ['14', '8'];

/** The built-in sets, by name. */
export const BUILTIN_LABEL_SETS = ['nih14', 'nih8', 'chexpert'] as const;

const SET_KEYS = ['name', 'description', 'findings', 'noFindingIgnores', 'parents', 'example', 'notes'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function names(v: unknown, where: string, file: string, optional: boolean): string[] {
  if (v === undefined && optional) return [];
  if (!Array.isArray(v) || (!optional && v.length === 0) || v.some((s) => typeof s !== 'string' || s.trim() === '')) {
    throw new LexiconError(`${where}: expected ${optional ? 'an' : 'a non-empty'} array of finding names, found ${JSON.stringify(v)}`, { file });
  }
  const seen = new Set<string>();
  for (const s of v as string[]) {
    if (seen.has(nameKey(s))) throw new LexiconError(`${where}: expected each finding once, found "${s}" twice`, { file });
    seen.add(nameKey(s));
  }
  return v as string[];
}

/**
 * Validates a parsed label set (unknown keys rejected, allowed keys listed; findings unique and non-empty; No Finding
 * not listed, since it is always added last; every link and ignore names a finding of the set). `file` names the
 * source in errors.
 *
 * @example
 * ```ts
 * validateLabelSet({ name: 'site', findings: ['Cardiomegaly', 'Scoliosis'] }, 'site.json').findings; // ['Cardiomegaly', 'Scoliosis']
 * validateLabelSet({ name: 'x', findings: [] }, 'x.json'); // throws LexiconError: x.json: "findings": expected a non-empty array ...
 * ```
 */
export function validateLabelSet(doc: unknown, file: string): LabelSetDefinition {
  if (!isObject(doc)) {
    throw new LexiconError(`expected a label set object { "name", "findings": [...] }, found ${JSON.stringify(doc)?.slice(0, 40)}`, { file });
  }
  checkKeys(doc, SET_KEYS, 'label set', file);
  const name = doc['name'];
  if (typeof name !== 'string' || name.trim() === '') throw new LexiconError(`"name": expected a non-empty string, found ${JSON.stringify(name)}`, { file });
  const findings = names(doc['findings'], '"findings"', file, false);
  if (findings.some((f) => nameKey(f) === nameKey(NO_FINDING))) {
    throw new LexiconError(`"findings": expected the findings only, found "${NO_FINDING}" (it is always added as the last column)`, { file });
  }
  const inSet = new Set(findings.map(nameKey));
  const ignores = names(doc['noFindingIgnores'], '"noFindingIgnores"', file, true);
  for (const f of ignores) {
    if (!inSet.has(nameKey(f))) throw new LexiconError(`"noFindingIgnores": expected findings of the set, found "${f}" (the set has ${findings.join(', ')})`, { file });
  }
  const parents: Record<string, string[]> = {};
  const rawParents = doc['parents'];
  if (rawParents !== undefined) {
    if (!isObject(rawParents)) throw new LexiconError(`"parents": expected an object { parent: [children] }, found ${JSON.stringify(rawParents)}`, { file });
    for (const [parent, children] of Object.entries(rawParents)) {
      if (!inSet.has(nameKey(parent))) throw new LexiconError(`"parents": expected a finding of the set as parent, found "${parent}"`, { file });
      const kids = names(children, `"parents"."${parent}"`, file, false);
      if (kids.some((k) => nameKey(k) === nameKey(parent))) throw new LexiconError(`"parents"."${parent}": expected other findings, found "${parent}" itself`, { file });
      parents[parent] = kids;
    }
    const cycle = findCycle(parents);
    if (cycle) throw new LexiconError(`"parents": expected no cycle, found ${cycle.join(' -> ')}`, { file });
  }
  const description = doc['description'];
  if (description !== undefined && typeof description !== 'string') {
    throw new LexiconError(`"description": expected a string, found ${JSON.stringify(description)}`, { file });
  }
  return {
    name,
    findings,
    ...(typeof description === 'string' ? { description } : {}),
    ...(ignores.length > 0 ? { noFindingIgnores: ignores } : {}),
    ...(Object.keys(parents).length > 0 ? { parents } : {}),
    file,
  };
}

/** A cycle of parent links, as names, or null. */
function findCycle(parents: Readonly<Record<string, readonly string[]>>): string[] | null {
  const byKey = new Map(Object.entries(parents).map(([p, kids]) => [nameKey(p), { p, kids }]));
  const state = new Map<string, 1 | 2>();
  const path: string[] = [];
  const visit = (name: string): string[] | null => {
    const key = nameKey(name);
    if (state.get(key) === 2) return null;
    if (state.get(key) === 1) return [...path.slice(path.findIndex((n) => nameKey(n) === key)), name];
    state.set(key, 1);
    path.push(name);
    for (const kid of byKey.get(key)?.kids ?? []) {
      const c = visit(kid);
      if (c) return c;
    }
    path.pop();
    state.set(key, 2);
    return null;
  };
  for (const p of Object.keys(parents)) {
    const c = visit(p);
    if (c) return c;
  }
  return null;
}

/**
 * Reads and validates a label set file (`--labels FILE`). Errors are `LexiconError`s naming the file.
 *
 * @example
 * ```ts
 * readLabelSetFile('site-set.json'); // { name: 'site', findings: ['Cardiomegaly', 'Scoliosis'], file: 'site-set.json' }
 * ```
 */
export function readLabelSetFile(file: string): LabelSetDefinition {
  return validateLabelSet(readJson(file), file);
}

/**
 * True when a `--labels` value names a file rather than a set: it ends with `.json` or holds a path separator.
 *
 * @example
 * ```ts
 * isLabelSetPath('sets/site.json'); // true
 * isLabelSetPath('chexpert'); // false
 * ```
 */
export function isLabelSetPath(value: string): boolean {
  return value.endsWith('.json') || value.includes('/') || value.includes('\\');
}

/**
 * The label sets the folders hold (`label-sets/*.json`), by name; later folders win. The bundled folder comes first.
 *
 * @example
 * ```ts
 * [...labelSetFiles([defaultLexiconDir()]).keys()]; // ['chexpert', 'nih14', 'nih8']
 * ```
 */
export function labelSetFiles(dirs: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const dir of dirs) {
    const d = join(dir, 'label-sets');
    if (!existsSync(d)) continue;
    for (const n of readdirSync(d).filter((x) => x.endsWith('.json')).sort()) out.set(basename(n, '.json'), join(d, n));
  }
  return out;
}

/**
 * Resolves a `labelSet` option to a validated set: a parsed set is validated; a name (or alias `'14'`, `'8'`) is read
 * from the `label-sets/` of the bundled lexicons and of `lexiconDirs` (later folders win). Unknown names are a
 * `LabelerArgumentError` listing the sets there are.
 *
 * @example
 * ```ts
 * resolveLabelSet('14').name; // "nih14"
 * resolveLabelSet('chexpert').findings.at(-1); // "Support Devices"
 * ```
 */
export function resolveLabelSet(input: LabelSet = 'nih14', lexiconDirs: readonly string[] = []): LabelSetDefinition {
  if (typeof input === 'object' && input !== null) {
    const { file, ...doc } = input;
    return validateLabelSet(doc, file ?? '(labelSet option)');
  }
  if (typeof input !== 'string' || input.trim() === '') {
    throw new LabelerArgumentError(`labelSet: expected a label set name, e.g. "nih14", or a parsed set, found ${JSON.stringify(input)}`);
  }
  const name = LABEL_SET_ALIASES[input] ?? input;
  const files = labelSetFiles([defaultLexiconDir(), ...lexiconDirs]);
  const file = files.get(name);
  if (!file) {
    throw new LabelerArgumentError(
      `labelSet: expected one of ${[...files.keys(), ...LABEL_SET_ALIAS_NAMES].map((n) => `"${n}"`).join(', ')} or a set file, found ${JSON.stringify(input)}`,
    );
  }
  const set = readLabelSetFile(file);
  if (set.name !== name) throw new LexiconError(`"name": expected "${name}" (the file's name), found "${set.name}"`, { file });
  return set;
}

/** A label set bound to the lexicons: its columns, and what each lexicon finding counts for. */
export interface BoundLabelSet {
  set: LabelSetDefinition;
  /** The output columns (the set's findings, as the set spells them), without No Finding. */
  findings: readonly string[];
  /** Lexicon finding name -> the set's name for it, where they differ ("Effusion" -> "Pleural Effusion"). */
  rename: ReadonlyMap<string, string>;
  /** The set's findings that never decide No Finding, as the set spells them. */
  noFindingIgnores: ReadonlySet<string>;
  /** Parent -> children, as the set spells them; the children of a parent in propagation order (children first). */
  parents: ReadonlyArray<readonly [string, readonly string[]]>;
}

/**
 * Binds a set to the lexicons: every finding of the set must be defined by a lexicon file (its `finding` or one of
 * its `names`), else a `LabelerArgumentError` names the set, the finding and the findings defined. The set's spelling
 * becomes the column name ("Pleural Effusion" for the lexicon's Effusion).
 *
 * @example
 * ```ts
 * bindLabelSet(resolveLabelSet('chexpert'), loadLexicons([defaultLexiconDir()]).findings).rename.get('Effusion'); // "Pleural Effusion"
 * ```
 */
export function bindLabelSet(set: LabelSetDefinition, lexicons: readonly FindingLexicon[]): BoundLabelSet {
  const byName = new Map<string, string>();
  for (const lex of lexicons) {
    if (lex.extends) continue;
    for (const n of [lex.finding, ...lex.names]) byName.set(nameKey(n), lex.finding);
  }
  const rename = new Map<string, string>();
  const canonical = new Map<string, string>();
  for (const f of set.findings) {
    const lexName = byName.get(nameKey(f));
    if (lexName === undefined) {
      const defined = [...new Set(byName.values())].sort();
      const near = nearestName(f, [...byName.keys()]);
      const hint = near === undefined ? '' : `did you mean "${byName.get(near)}"? `;
      throw new LabelerArgumentError(
        `label set "${set.name}"${set.file ? ` (${set.file})` : ''}: expected findings defined by a lexicon file, found "${f}"` +
          ` (${hint}defined: ${defined.join(', ')}; add findings/<name>.json to a --lexicons folder to define it)`,
      );
    }
    if (canonical.has(lexName)) {
      throw new LabelerArgumentError(`label set "${set.name}": expected each concept once, found "${canonical.get(lexName)}" and "${f}", two names of ${lexName}`);
    }
    canonical.set(lexName, f);
    if (lexName !== f) rename.set(lexName, f);
  }
  const spelled = (n: string) => set.findings.find((f) => nameKey(f) === nameKey(n)) ?? n;
  // Children the set does not list still propagate: they are spelled by the lexicon (the aggregate knows them so).
  const childName = (n: string) => {
    const inSet = set.findings.find((f) => nameKey(f) === nameKey(n));
    if (inSet) return inSet;
    const lexName = byName.get(nameKey(n));
    if (lexName === undefined) {
      throw new LabelerArgumentError(`label set "${set.name}": "parents": expected findings defined by a lexicon file, found "${n}"`);
    }
    return lexName;
  };
  const links = Object.entries(set.parents ?? {}).map(([p, kids]) => [spelled(p), kids.map(childName)] as const);
  // Children first: a parent that is itself a child (Lung Lesion under Lung Opacity) is filled before its parent.
  const depth = (p: string, seen = 0): number => {
    const up = links.filter(([, kids]) => kids.includes(p));
    return up.length === 0 || seen > links.length ? 0 : 1 + Math.max(...up.map(([q]) => depth(q, seen + 1)));
  };
  links.sort((a, b) => depth(b[0]) - depth(a[0]));
  return { set, findings: set.findings.map(spelled), rename, noFindingIgnores: new Set((set.noFindingIgnores ?? []).map(spelled)), parents: links };
}

/**
 * The output columns (findings, without No Finding) of a label set given by name, alias or parsed set: what the
 * writers print when they are not handed a labeler's `findings`.
 *
 * @example
 * ```ts
 * labelSetColumns('8').length; // 8
 * labelSetColumns('chexpert')[0]; // "Enlarged Cardiomediastinum"
 * ```
 */
export function labelSetColumns(labelSet: LabelSet = 'nih14', lexiconDirs: readonly string[] = []): readonly string[] {
  if (typeof labelSet !== 'string' || lexiconDirs.length > 0) return resolveLabelSet(labelSet, lexiconDirs).findings;
  let columns = columnsByName.get(labelSet);
  if (!columns) columnsByName.set(labelSet, (columns = resolveLabelSet(labelSet).findings));
  return columns;
}

/** The columns of the bundled sets by name, read once. */
const columnsByName = new Map<string, readonly string[]>();

/**
 * The known name nearest to a misspelled one (edit distance at most a third of its length, at least 2), compared as
 * {@link nameKey} writes names; undefined when none is that near.
 *
 * @example
 * ```ts
 * nearestName('Cardiomegally', ['cardiomegaly', 'edema']); // 'cardiomegaly'
 * nearestName('Scoliosis', ['cardiomegaly', 'edema']);     // undefined
 * ```
 */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  const key = nameKey(name);
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.ceil(key.length / 3)) + 1;
  for (const k of known) {
    const d = levenshtein(key, nameKey(k));
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
