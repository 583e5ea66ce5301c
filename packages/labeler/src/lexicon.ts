/**
 * Lexicons as data: loading, validation and term expansion.
 *
 * Files (under `lexicons/` at the repository root, copied into the package at build time; plus any `lexiconDirs`):
 * - `findings/*.json`, one per finding: `{ finding, names, description, concepts: [{ cui, name, synonyms,
 *   abbreviations, variants, descriptors }], exclusions, example }`. `cui` is the UMLS concept id (null for a term with
 *   none). Any finding name is allowed (findings are data: a site's "Scoliosis"); `names` are other names of the
 *   same concept that label sets may use ("Pleural Effusion" for Effusion). A file in a later folder that adds terms
 *   to a finding defined earlier says `extends` instead of `finding`; the same name defined twice is an error naming
 *   both files.
 * - `label-sets/*.json`: label sets (`label-sets.ts`).
 * - `abnormalities.json`: the broader vocabulary of abnormalities that block No Finding:
 *   `{ description, groups: [{ name, terms, example }] }`.
 * - `normal.json`: normality statements: `{ description, statements: [{ id, terms, example }] }`.
 *
 * Term syntax: words separated by spaces (hyphens are spaces); `[word]` is an optional word; `(a|b|c)` is a choice of
 * one word; `...` lets up to four words stand between ("heart ... enlarged" matches "heart is mildly enlarged"), never
 * across punctuation other than a colon ("Heart: mildly enlarged", the organ headings of structured reports).
 * The last word of every term also matches its regular plural ("opacity" -> "opacities", "atelectasis" ->
 * "atelectases"), so variants list only irregular forms and other parts of speech ("atelectatic").
 */
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonErrorPosition } from './json-position.js';
import { LexiconError } from './errors.js';
import { NO_FINDING, type Finding } from './findings.js';

/** One UMLS concept of a finding with its surface forms. */
export interface LexiconConcept {
  cui: string | null;
  name: string;
  synonyms: string[];
  abbreviations: string[];
  variants: string[];
  /**
   * Terms that describe an appearance rather than name a diagnosis ("nodular density"): when the sentence attributes
   * them to something else ("nodular density ... represents a healing rib fracture"), they yield to it.
   */
  descriptors: string[];
}

/** The lexicon of one finding. */
export interface FindingLexicon {
  finding: Finding;
  /** Other names of the same concept that label sets may use ("Pleural Effusion" for Effusion). */
  names: string[];
  /** True for a file that adds terms to a finding defined in an earlier file (`"extends"`). */
  extends: boolean;
  description: string;
  concepts: LexiconConcept[];
  /** Terms that look like the finding but are not it ("pericardial effusion"); they match and yield nothing. */
  exclusions: string[];
  example: string;
  /** The file it was read from. */
  file: string;
}

/** A group of the broader abnormality vocabulary. */
export interface AbnormalityGroup {
  name: string;
  terms: string[];
  example: string;
}

/** A normality statement ("no acute cardiopulmonary abnormality"). */
export interface NormalStatement {
  id: string;
  terms: string[];
  example: string;
}

/** Everything read from the lexicon folders, validated. */
export interface Lexicons {
  findings: FindingLexicon[];
  abnormalities: AbnormalityGroup[];
  normal: NormalStatement[];
  /** The files read, in order. */
  files: string[];
}

/**
 * The bundled lexicon folder. The canonical data lives in `lexicons/` at the repository root; the build copies it into
 * the package (`packages/labeler/lexicons/`, shipped in the published package). Inside the cxr8 repository the
 * canonical folder is used, so an edited lexicon takes effect without a rebuild; anywhere else (an installed package)
 * the package's own copy. Works from both src/ and dist/ and from any working directory.
 *
 * @example
 * ```ts
 * loadLexicons([defaultLexiconDir()]).findings.length; // 14
 * ```
 */
export function defaultLexiconDir(): string {
  const own = fileURLToPath(new URL('../lexicons/', import.meta.url));
  const repo = fileURLToPath(new URL('../../../lexicons/', import.meta.url));
  const inRepo = isCxr8Root(fileURLToPath(new URL('../../../', import.meta.url)));
  for (const dir of inRepo ? [repo, own] : [own, repo]) {
    if (existsSync(join(dir, 'findings'))) return dir;
  }
  return own;
}

/** True when `dir` is the root of the cxr8 repository (its package.json is named "cxr8"). */
function isCxr8Root(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'cxr8';
  } catch {
    return false;
  }
}

/**
 * The lexicon and rule files a lexicon folder holds, by the layout of `lexicons/`: `findings/*.json`,
 * `rules/*.json`, `vocabulary/*.json` (the stages' word lists, vocabulary.ts), `abnormalities.json`, `normal.json`:
 * every file that decides labels (the dataset builder digests them to know when to relabel). An extra folder
 * (`--lexicons DIR`) with none of them is an error in {@link loadLexicons}: its site terms would silently not apply.
 *
 * @example
 * ```ts
 * lexiconFilesIn(defaultLexiconDir()).some((f) => f.endsWith('effusion.json')); // true
 * ```
 */
export function lexiconFilesIn(dir: string): string[] {
  const files: string[] = [];
  for (const sub of ['findings', 'rules', 'vocabulary']) {
    const d = join(dir, sub);
    if (existsSync(d) && statSync(d).isDirectory()) files.push(...readdirSync(d).filter((n) => n.endsWith('.json')).sort().map((n) => join(d, n)));
  }
  for (const name of ['abnormalities.json', 'normal.json']) if (existsSync(join(dir, name))) files.push(join(dir, name));
  return files;
}

/** True when `dir/label-sets/` holds a `.json` file. */
function hasLabelSetFiles(dir: string): boolean {
  const d = join(dir, 'label-sets');
  return existsSync(d) && statSync(d).isDirectory() && readdirSync(d).some((n) => n.endsWith('.json'));
}

/** What a folder holds, for an error message: up to 8 names, folders with a trailing "/". */
function describeFolder(dir: string): string {
  const entries = readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith('.'));
  if (entries.length === 0) return 'nothing';
  const names = entries.map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
  return names.length > 8 ? `${names.slice(0, 8).join(', ')} and ${names.length - 8} more` : names.join(', ');
}

/**
 * Reads and validates the lexicons of the given folders; later folders add to earlier ones (a later finding file for
 * the same finding adds its concepts and exclusions). Every folder must hold at least one lexicon, rule or label set file
 * ({@link lexiconFilesIn}), else a `LexiconError` names it (an extra folder without one would silently change nothing).
 *
 * @example
 * ```ts
 * const lex = loadLexicons([defaultLexiconDir()]);
 * lex.findings.find((f) => f.finding === 'Effusion')?.exclusions; // ['pericardial effusion', ...]
 * ```
 */
export function loadLexicons(dirs: readonly string[]): Lexicons {
  const out: Lexicons = { findings: [], abnormalities: [], normal: [], files: [] };
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new LexiconError(`expected a lexicon folder (with findings/*.json), found no folder at ${dir}`, { file: dir });
    }
    // A folder may hold only label sets (a site's columns over built-in findings): docs/label-sets.md.
    if (lexiconFilesIn(dir).length === 0 && !hasLabelSetFiles(dir)) {
      throw new LexiconError(
        `expected lexicon files in the folder (findings/*.json, label-sets/*.json, abnormalities.json, normal.json or rules/*.json), found none (the folder holds: ${describeFolder(dir)})`,
        { file: dir },
      );
    }
    const fdir = join(dir, 'findings');
    if (existsSync(fdir)) {
      for (const name of readdirSync(fdir).filter((n) => n.endsWith('.json')).sort()) {
        const file = join(fdir, name);
        out.findings.push(validateFindingLexicon(readJson(file), file));
        out.files.push(file);
      }
    }
    const afile = join(dir, 'abnormalities.json');
    if (existsSync(afile)) {
      out.abnormalities.push(...validateAbnormalities(readJson(afile), afile));
      out.files.push(afile);
    }
    const nfile = join(dir, 'normal.json');
    if (existsSync(nfile)) {
      out.normal.push(...validateNormal(readJson(nfile), nfile));
      out.files.push(nfile);
    }
  }
  checkFindingNames(out.findings);
  return out;
}

/**
 * Checks the finding names across all files read: a finding (or one of its `names`) defined by two files is an
 * error naming both (write `extends` to add terms to a finding), and an `extends` must name a finding defined
 * earlier. Names compare without case, spaces or underscores ("Pleural_Thickening" is "pleural thickening").
 *
 * @example
 * ```ts
 * checkFindingNames(loadLexicons([defaultLexiconDir()]).findings); // passes
 * ```
 */
export function checkFindingNames(findings: readonly FindingLexicon[]): void {
  const owner = new Map<string, FindingLexicon>();
  for (const lex of findings) {
    if (lex.extends) continue;
    for (const name of [lex.finding, ...lex.names]) {
      const prev = owner.get(nameKey(name));
      if (prev) {
        throw new LexiconError(
          `"finding": expected a name no other file defines, found "${name}", already defined by ${prev.file}` +
            ` (to add terms to it, write "extends": "${prev.finding}" instead of "finding")`,
          { file: lex.file },
        );
      }
      owner.set(nameKey(name), lex);
    }
  }
  for (const lex of findings) {
    if (!lex.extends) continue;
    const base = owner.get(nameKey(lex.finding));
    if (!base) {
      const known = [...new Set([...owner.values()].map((l) => l.finding))].sort();
      throw new LexiconError(`"extends": expected a finding defined by a lexicon file, found "${lex.finding}" (defined: ${known.join(', ')})`, {
        file: lex.file,
      });
    }
    // The extension counts for the finding it extends, under its own name.
    lex.finding = base.finding;
  }
}

/**
 * The key a finding name is compared by: lower case, underscores and runs of spaces as one space.
 *
 * @example
 * ```ts
 * nameKey('Pleural_Thickening'); // "pleural thickening"
 * ```
 */
export function nameKey(name: string): string {
  return name.toLowerCase().replace(/[_\s]+/g, ' ').trim();
}

/**
 * The message of a JSON syntax error: the line and column where the text goes wrong and what is there, with the
 * parser's own words after it.
 *
 * @example
 * ```ts
 * jsonSyntaxMessage('{\n  "a": [1,,2]\n}', new SyntaxError('Unexpected token')); // 'expected valid JSON, found a syntax error at line 2, column 11 (",") ...'
 * ```
 */
export function jsonSyntaxMessage(text: string, cause: unknown): string {
  const at = jsonErrorPosition(text);
  const detail = (cause as Error).message.replace(/\s+/g, ' ');
  if (!at) return `expected valid JSON, found a syntax error (${detail})`;
  const found = at.offset >= text.length ? 'the end of the file' : JSON.stringify(text[at.offset]);
  const lineText = text.split('\n')[at.line - 1]!.replace(/\r$/, '');
  const shown = lineText.length > 80 ? `${lineText.slice(0, 77)}...` : lineText;
  return `expected valid JSON, found a syntax error at line ${at.line}, column ${at.column} (${found}; the line: ${JSON.stringify(shown.trim())}; ${detail})`;
}

/**
 * Reads a JSON file, naming it in any error.
 *
 * @example
 * ```ts
 * readJson('lexicons/normal.json'); // { description, statements }
 * ```
 */
export function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new LexiconError('expected a readable JSON file, found it unreadable', { file, cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new LexiconError(jsonSyntaxMessage(text, cause), { file, cause });
  }
}

/**
 * Rejects keys outside `allowed`, listing the allowed ones (medspaCy-style validation of data files).
 *
 * @example
 * ```ts
 * checkKeys({ colour: 1 }, ['finding'], 'finding lexicon', 'x.json'); // throws: unknown key "colour", expected one of "finding"
 * ```
 */
export function checkKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  where: string,
  file: string,
  Err: typeof LexiconError = LexiconError,
): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) {
      throw new Err(`${where}: unknown key "${k}", expected one of ${allowed.map((a) => `"${a}"`).join(', ')}`, { file });
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringArray(v: unknown, where: string, file: string, optional = true): string[] {
  if (v === undefined && optional) return [];
  if (!Array.isArray(v) || (!optional && v.length === 0) || v.some((s) => typeof s !== 'string' || s.trim() === '')) {
    throw new LexiconError(`${where}: expected ${optional ? 'an' : 'a non-empty'} array of non-empty strings, found ${JSON.stringify(v)}`, { file });
  }
  return v as string[];
}

function string(v: unknown, where: string, file: string): string {
  if (typeof v !== 'string' || v.trim() === '') {
    throw new LexiconError(`${where}: expected a non-empty string, found ${JSON.stringify(v)}`, { file });
  }
  return v;
}

const FINDING_KEYS = ['finding', 'extends', 'names', 'description', 'concepts', 'exclusions', 'example', 'notes'] as const;

/** What a finding name may not hold: it becomes a csv column and a part of the nih format's "A|B". */
const BAD_NAME = /[|,"\n\r\t]/;

function findingName(v: unknown, where: string, file: string): string {
  if (typeof v !== 'string' || v.trim() === '' || v !== v.trim() || BAD_NAME.test(v)) {
    throw new LexiconError(`${where}: expected a finding name (no "|", ",", quote, tab or line break, no leading or trailing space), found ${JSON.stringify(v)}`, { file });
  }
  if (nameKey(v) === nameKey(NO_FINDING)) {
    throw new LexiconError(`${where}: expected a finding name, found "${v}" (No Finding is decided by the labeler, not a lexicon)`, { file });
  }
  return v;
}
const CONCEPT_KEYS = ['cui', 'name', 'synonyms', 'abbreviations', 'variants', 'descriptors'] as const;

/**
 * Validates one `findings/*.json` document.
 *
 * @example
 * ```ts
 * validateFindingLexicon(JSON.parse(readFileSync(file, 'utf8')), file).finding; // 'Effusion'
 * ```
 */
export function validateFindingLexicon(doc: unknown, file: string): FindingLexicon {
  if (!isObject(doc)) throw new LexiconError(`expected a JSON object, found ${JSON.stringify(doc)?.slice(0, 40)}`, { file });
  checkKeys(doc, FINDING_KEYS, 'finding lexicon', file);
  if ((doc['finding'] === undefined) === (doc['extends'] === undefined)) {
    throw new LexiconError(
      `expected either "finding" (a new finding) or "extends" (terms added to a finding defined in another file), found ${doc['finding'] === undefined ? 'neither' : 'both'}`,
      { file },
    );
  }
  const extending = doc['extends'] !== undefined;
  const finding = extending ? findingName(doc['extends'], '"extends"', file) : findingName(doc['finding'], '"finding"', file);
  const names = doc['names'] === undefined ? [] : doc['names'];
  if (!Array.isArray(names)) throw new LexiconError(`"names": expected an array of finding names, found ${JSON.stringify(names)}`, { file });
  if (extending && names.length > 0) throw new LexiconError('"names": expected none in an "extends" file (names belong to the file that defines the finding)', { file });
  const concepts = doc['concepts'];
  if (!Array.isArray(concepts) || concepts.length === 0) {
    throw new LexiconError(`"concepts": expected a non-empty array, found ${JSON.stringify(concepts)}`, { file });
  }
  return {
    finding,
    names: names.map((n, i) => findingName(n, `names[${i}]`, file)),
    extends: extending,
    description: extending && doc['description'] === undefined ? '' : string(doc['description'], '"description"', file),
    concepts: concepts.map((c, i) => {
      const where = `concepts[${i}]`;
      if (!isObject(c)) throw new LexiconError(`${where}: expected an object, found ${JSON.stringify(c)}`, { file });
      checkKeys(c, CONCEPT_KEYS, where, file);
      const cui = c['cui'];
      if (cui !== null && (typeof cui !== 'string' || !/^C\d{7}$/.test(cui))) {
        throw new LexiconError(`${where}.cui: expected a UMLS CUI like "C0032227" or null, found ${JSON.stringify(cui)}`, {
          file,
        });
      }
      return {
        cui: cui as string | null,
        name: string(c['name'], `${where}.name`, file),
        synonyms: stringArray(c['synonyms'], `${where}.synonyms`, file, false),
        abbreviations: stringArray(c['abbreviations'], `${where}.abbreviations`, file),
        variants: stringArray(c['variants'], `${where}.variants`, file),
        descriptors: stringArray(c['descriptors'], `${where}.descriptors`, file),
      };
    }),
    exclusions: stringArray(doc['exclusions'], '"exclusions"', file),
    example: string(doc['example'], '"example"', file),
    file,
  };
}

function validateAbnormalities(doc: unknown, file: string): AbnormalityGroup[] {
  if (!isObject(doc)) throw new LexiconError('expected a JSON object with "groups"', { file });
  checkKeys(doc, ['description', 'groups'], 'abnormalities', file);
  const groups = doc['groups'];
  if (!Array.isArray(groups)) throw new LexiconError(`"groups": expected an array, found ${JSON.stringify(groups)}`, { file });
  return groups.map((g, i) => {
    const where = `groups[${i}]`;
    if (!isObject(g)) throw new LexiconError(`${where}: expected an object`, { file });
    checkKeys(g, ['name', 'terms', 'example'], where, file);
    return {
      name: string(g['name'], `${where}.name`, file),
      terms: stringArray(g['terms'], `${where}.terms`, file, false),
      example: string(g['example'], `${where}.example`, file),
    };
  });
}

function validateNormal(doc: unknown, file: string): NormalStatement[] {
  if (!isObject(doc)) throw new LexiconError('expected a JSON object with "statements"', { file });
  checkKeys(doc, ['description', 'statements'], 'normal', file);
  const st = doc['statements'];
  if (!Array.isArray(st)) throw new LexiconError(`"statements": expected an array, found ${JSON.stringify(st)}`, { file });
  return st.map((s, i) => {
    const where = `statements[${i}]`;
    if (!isObject(s)) throw new LexiconError(`${where}: expected an object`, { file });
    checkKeys(s, ['id', 'terms', 'example'], where, file);
    return {
      id: string(s['id'], `${where}.id`, file),
      terms: stringArray(s['terms'], `${where}.terms`, file, false),
      example: string(s['example'], `${where}.example`, file),
    };
  });
}

/**
 * One element of a compiled term pattern: a choice between word sequences (one option for a plain word), optional
 * or not, or a gap of up to `max` words.
 */
export type PatternStep = { type: 'alt'; options: string[][]; optional: boolean } | { type: 'gap'; max: number };

/** A node of a word trie built from parsed terms: its children by word and its `...` gap child. */
export interface PatternNode<N> {
  next: Map<string, N>;
  gap: N | null;
}

/**
 * The children of every leaf: one shared empty map, never written (replaced by a map of its own on the first child),
 * because most nodes of an expanded lexicon are leaves and an empty Map costs about 200 bytes.
 */
const NO_CHILDREN = new Map<string, never>();

/** The shared empty children map for a new trie node. */
export function noChildren<N>(): Map<string, N> {
  return NO_CHILDREN;
}

/**
 * Inserts a parsed term into a word trie, expanding choices, optional steps and gaps (a gap may be empty), and calls
 * `atEnd` on every node where the term ends. Used by the concept trie (match.ts) and the trigger trie (rules.ts).
 *
 * @example
 * ```ts
 * insertPattern(root, parseTerm('[small] effusion'), newNode, (node) => (node.entries ??= []).push(entry));
 * ```
 */
export function insertPattern<N extends PatternNode<N>>(node: N, steps: readonly PatternStep[], make: () => N, atEnd: (node: N) => void, i = 0): void {
  if (i === steps.length) {
    atEnd(node);
    return;
  }
  const step = steps[i]!;
  if (step.type === 'gap') {
    node.gap ??= make();
    insertPattern(node.gap, steps, make, atEnd, i + 1);
    insertPattern(node, steps, make, atEnd, i + 1); // a gap may be empty
    return;
  }
  for (const words of step.options) {
    let child = node;
    for (const w of words) {
      let next = child.next.get(w);
      if (!next) {
        if (child.next === NO_CHILDREN) child.next = new Map();
        child.next.set(w, (next = make()));
      }
      child = next;
    }
    insertPattern(child, steps, make, atEnd, i + 1);
  }
  if (step.optional) insertPattern(node, steps, make, atEnd, i + 1);
}

/** Splits a term on spaces outside brackets and parentheses. */
function splitTerm(term: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of term) {
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (/\s/.test(ch) && depth === 0) {
      if (cur) parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) parts.push(cur);
  return parts;
}

/**
 * Parses the term syntax into steps: `word`, `[optional words]`, `(a|b c)` (a choice; options may be several words),
 * `[a|b]` (an optional choice) and `...` (a gap of up to four words). With `plurals`, the last required step also
 * accepts regular plurals of its last word. With `punctuation`, "/", "?", ",", ";", ":" and a dash standing alone
 * ("-") are words of their own.
 *
 * @example
 * ```ts
 * parseTerm('[focal] air space (opacity|disease)').length; // 4
 * ```
 */
export function parseTerm(term: string, file = '', options: { plurals?: boolean; punctuation?: boolean } = {}): PatternStep[] {
  const Err = LexiconError;
  const plurals = options.plurals ?? true;
  // Hyphens inside words separate them ("air-space" is "air space"); with `punctuation`, a dash standing alone
  // ("Chest pain - no") is a word of its own, as the tokenizer makes it.
  let norm = options.punctuation ? term.toLowerCase().replace(/([a-z0-9])-(?=[a-z0-9])/g, '$1 ') : term.toLowerCase().replace(/-/g, ' ');
  norm = options.punctuation ? norm.replace(/([/?,;:])/g, ' $1 ') : norm.replace(/\//g, ' ');
  const steps: PatternStep[] = [];
  for (const p of splitTerm(norm.trim())) {
    if (p === '...') {
      steps.push({ type: 'gap', max: 4 });
      continue;
    }
    let optional = false;
    let body = p;
    if (body.startsWith('[') && body.endsWith(']')) {
      optional = true;
      body = body.slice(1, -1);
    } else if (body.startsWith('(') && body.endsWith(')')) body = body.slice(1, -1);
    const opts = body.split('|').map((o) => o.trim().split(/\s+/).filter((w) => w.length > 0));
    const wordRe = options.punctuation ? /^(?:[a-z0-9'.]+|[/?,;:-])$/ : /^[a-z0-9'.]+$/;
    if (opts.length === 0 || opts.some((o) => o.length === 0 || o.some((w) => !wordRe.test(w)))) {
      throw new Err(`term "${term}": expected words, [optional], (a|b) or ..., found "${p}"`, { file });
    }
    steps.push({ type: 'alt', options: opts, optional });
  }
  const required = steps.filter((s) => s.type === 'alt' && !s.optional);
  const lastRequired = required[required.length - 1];
  if (!lastRequired || lastRequired.type !== 'alt') {
    throw new Err(`term "${term}": expected at least one required word`, { file });
  }
  if (steps[0]?.type === 'gap' || steps[steps.length - 1]?.type === 'gap') {
    throw new Err(`term "${term}": "..." must stand between words`, { file });
  }
  if (plurals && steps[steps.length - 1] === lastRequired) {
    const extra: string[][] = [];
    for (const o of lastRequired.options) {
      const last = o[o.length - 1]!;
      for (const pl of pluralsOf(last)) extra.push([...o.slice(0, -1), pl]);
    }
    lastRequired.options.push(...extra);
  }
  return steps;
}

/**
 * Regular English and Latin/Greek plurals of a noun (extra forms of non-nouns are harmless).
 *
 * @example
 * ```ts
 * pluralsOf('opacity'); // ['opacities']
 * pluralsOf('atelectasis'); // ['atelectases']
 * ```
 */
export function pluralsOf(w: string): string[] {
  if (w.length < 3 || /[^a-z]/.test(w)) return [];
  if (w.endsWith('is')) return [w.slice(0, -2) + 'es'];
  if (w.endsWith('ax')) return [w.slice(0, -2) + 'aces', w + 'es'];
  if (w.endsWith('ix')) return [w.slice(0, -2) + 'ices', w + 'es'];
  if (/(s|x|z|ch|sh)$/.test(w)) return [w + 'es'];
  if (/[^aeiou]y$/.test(w)) return [w.slice(0, -1) + 'ies'];
  if (w.endsWith('um')) return [w.slice(0, -2) + 'a', w + 's'];
  if (w.endsWith('us')) return [w.slice(0, -2) + 'i', w + 'es'];
  if (w.endsWith('oma')) return [w + 's', w + 'ta'];
  if (w.endsWith('a')) return [w + 'e', w + 's'];
  if (w.endsWith('ed') || w.endsWith('ing') || w.endsWith('al') || w.endsWith('ic')) return [];
  return [w + 's'];
}
