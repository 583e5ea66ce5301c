/**
 * The open-class word lists of the pipeline's stages as data (`lexicons/vocabulary/*.json`): section headings and
 * body parts (sections.ts), abbreviations and sentence openers (sentences.ts), the word classes of the structure
 * parser (structure.ts: verbs, existential predicates, status and size words, prepositions, ...), placing prepositions
 * (pipeline.ts) and the words a term gap never skips (match.ts). Closed classes (punctuation, the conjunctions,
 * contractions) stay in the code.
 *
 * A vocabulary file is `{ "description", "lists": [{ "name", "description", "words", "example", "note"? }] }`. Every
 * list of {@link VOCABULARY_NAMES} is defined once, in any file of the folder; an unknown name, a list defined twice,
 * a missing list, an upper-case or padded word, a repeated word or an unknown key is a `LexiconError` naming the file.
 * Each list's `example` is a report text that the list decides: labeled without the list, it comes out otherwise
 * (test/vocabulary.test.ts).
 *
 * The vocabulary is read once per process, from the bundled lexicon folder, when the first labeler is created (or a
 * stage is first called); the stages compile it into the same Sets, maps and regexes as before on first use, so the
 * hot path pays one identity check per stage call. It is not read from `lexiconDirs`: these are the parser's words, not
 * a site's terms (createLabeler refuses an extra folder that holds `vocabulary/`).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LexiconError } from './errors.js';
import { checkKeys, defaultLexiconDir, readJson } from './lexicon.js';

/**
 * The names of the vocabulary lists, each read by one stage.
 *
 * @example
 * ```ts
 * VOCABULARY_NAMES.includes('placing.prepositions'); // true
 * ```
 */
export const VOCABULARY_NAMES = [
  'headings.findings',
  'headings.impression',
  'headings.indication',
  'headings.comparison',
  'headings.technique',
  'body-parts.other',
  'body-parts.chest',
  'body-parts.sides',
  'sentences.abbreviations',
  'sentences.openers',
  'sentences.copulas',
  'words.verbs',
  'words.existential',
  'words.new-clause',
  'words.status',
  'words.adverbs',
  'words.prepositions',
  'words.linking',
  'words.attaching',
  'words.temporal',
  'words.after-answer',
  'words.statement',
  'words.aside',
  'words.negation-cues',
  'placing.prepositions',
  'placing.not-placing',
  'match.gap-stops',
] as const;
export type VocabularyName = (typeof VOCABULARY_NAMES)[number];

/** One validated vocabulary list. */
export interface VocabularyList {
  name: VocabularyName;
  description: string;
  /** The words (or phrases of words separated by single spaces), lower case, in file order. */
  words: readonly string[];
  /** A report text the list decides. */
  example: string;
  file: string;
}

/** Every list, by name, and the files read. */
export interface Vocabulary {
  lists: ReadonlyMap<VocabularyName, VocabularyList>;
  files: readonly string[];
}

const FILE_KEYS = ['description', 'lists'] as const;
const LIST_KEYS = ['name', 'description', 'words', 'example', 'note'] as const;
/** A word as the tokenizer normalizes it: lower case, no padding, single spaces between the words of a phrase. */
const WORD = /^[^\sA-Z](?:[^A-Z\n\t]*[^\sA-Z])?$/;

function text(v: unknown, where: string, file: string): string {
  if (typeof v !== 'string' || v.trim() === '') {
    throw new LexiconError(`${where}: expected a non-empty string, found ${JSON.stringify(v)}`, { file });
  }
  return v;
}

/**
 * Validates one `vocabulary/*.json` document.
 *
 * @example
 * ```ts
 * validateVocabularyFile({ description: 'd', lists: [{ name: 'words.temporal', description: 'd', words: ['after'], example: 'No pneumothorax after placement.' }] }, 'x.json')[0]?.words; // ['after']
 * ```
 */
export function validateVocabularyFile(doc: unknown, file: string): VocabularyList[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new LexiconError(`expected a JSON object with "lists", found ${JSON.stringify(doc)?.slice(0, 40)}`, { file });
  }
  const d = doc as Record<string, unknown>;
  checkKeys(d, FILE_KEYS, 'vocabulary file', file);
  text(d['description'], '"description"', file);
  const lists = d['lists'];
  if (!Array.isArray(lists) || lists.length === 0) throw new LexiconError(`"lists": expected a non-empty array, found ${JSON.stringify(lists)}`, { file });
  return lists.map((l, i) => {
    const where = `lists[${i}]`;
    if (typeof l !== 'object' || l === null || Array.isArray(l)) throw new LexiconError(`${where}: expected an object, found ${JSON.stringify(l)}`, { file });
    const o = l as Record<string, unknown>;
    checkKeys(o, LIST_KEYS, where, file);
    const name = o['name'];
    if (typeof name !== 'string' || !(VOCABULARY_NAMES as readonly string[]).includes(name)) {
      throw new LexiconError(`${where}.name: expected one of ${VOCABULARY_NAMES.map((n) => `"${n}"`).join(', ')}, found ${JSON.stringify(name)}`, { file });
    }
    const words = o['words'];
    if (!Array.isArray(words) || words.length === 0) {
      throw new LexiconError(`${where}.words ("${name}"): expected a non-empty array of lower-case words, found ${JSON.stringify(words)}`, { file });
    }
    const seen = new Set<string>();
    for (const w of words) {
      if (typeof w !== 'string' || !WORD.test(w) || / {2}/.test(w)) {
        throw new LexiconError(`${where}.words ("${name}"): expected lower-case words without padding (e.g. "cervical spine"), found ${JSON.stringify(w)}`, { file });
      }
      if (seen.has(w)) throw new LexiconError(`${where}.words ("${name}"): expected each word once, found "${w}" twice`, { file });
      seen.add(w);
    }
    return {
      name: name as VocabularyName,
      description: text(o['description'], `${where}.description`, file),
      words: words as string[],
      example: text(o['example'], `${where}.example`, file),
      file,
    };
  });
}

/**
 * Reads and validates `vocabulary/*.json` of a lexicon folder: every list of {@link VOCABULARY_NAMES} defined once.
 *
 * @example
 * ```ts
 * loadVocabulary(defaultLexiconDir()).lists.get('words.temporal')?.words; // ['after', 'following']
 * ```
 */
export function loadVocabulary(dir: string): Vocabulary {
  const vdir = join(dir, 'vocabulary');
  if (!existsSync(vdir)) {
    throw new LexiconError(`expected the vocabulary lists in ${vdir} (vocabulary/*.json), found no folder`, { file: dir });
  }
  const lists = new Map<VocabularyName, VocabularyList>();
  const files: string[] = [];
  for (const name of readdirSync(vdir).filter((n) => n.endsWith('.json')).sort()) {
    const file = join(vdir, name);
    files.push(file);
    for (const list of validateVocabularyFile(readJson(file), file)) {
      const prev = lists.get(list.name);
      if (prev) throw new LexiconError(`list "${list.name}": expected it defined once, found it also in ${prev.file}`, { file });
      lists.set(list.name, list);
    }
  }
  // A heading names one section: in two `headings.*` lists it would silently belong to the later one.
  const section = new Map<string, VocabularyList>();
  for (const list of lists.values()) {
    if (!list.name.startsWith('headings.')) continue;
    for (const h of list.words) {
      const prev = section.get(h);
      if (prev) throw new LexiconError(`list "${list.name}": expected each heading in one headings list, found "${h}" also in "${prev.name}" (${prev.file})`, { file: list.file });
      section.set(h, list);
    }
  }
  const missing = VOCABULARY_NAMES.filter((n) => !lists.has(n));
  if (missing.length > 0) {
    throw new LexiconError(`expected every vocabulary list, found none named ${missing.map((n) => `"${n}"`).join(', ')} in ${files.join(', ') || '(no file)'}`, {
      file: vdir,
    });
  }
  return { lists, files };
}

/**
 * Fills a stage's Set with the words of one list, replacing what it held (the stages keep one Set each, bound by
 * `const`, so the hot path reads them as before the words were data).
 *
 * @example
 * ```ts
 * const TEMPORAL = new Set<string>();
 * refill(TEMPORAL, currentVocabulary(), 'words.temporal'); // TEMPORAL.has('after') === true
 * ```
 */
export function refill(target: Set<string>, v: Vocabulary, name: VocabularyName): void {
  target.clear();
  for (const w of v.lists.get(name)!.words) target.add(w);
}

let current: Vocabulary | null = null;

/**
 * The vocabulary the stages run on: the bundled one, read and validated on the first call (createLabeler makes it).
 *
 * @example
 * ```ts
 * currentVocabulary().files.length > 0; // true
 * ```
 */
export function currentVocabulary(): Vocabulary {
  return (current ??= loadVocabulary(defaultLexiconDir()));
}

/**
 * Runs `fn` with another vocabulary in force (the stages recompile on their next call), then restores the one before,
 * for tests that show what a list decides. Synchronous only.
 *
 * @example
 * ```ts
 * withVocabulary(withoutList(currentVocabulary(), 'words.temporal'), () => labelReport('No pneumothorax after placement of a line.'));
 * ```
 */
export function withVocabulary<T>(v: Vocabulary, fn: () => T): T {
  const before = currentVocabulary();
  current = v;
  try {
    return fn();
  } finally {
    current = before;
  }
}

/**
 * A copy of a vocabulary with one list emptied.
 *
 * @example
 * ```ts
 * withoutList(currentVocabulary(), 'words.temporal').lists.get('words.temporal')?.words; // []
 * ```
 */
export function withoutList(v: Vocabulary, name: VocabularyName): Vocabulary {
  const lists = new Map(v.lists);
  lists.set(name, { ...v.lists.get(name)!, words: [] });
  return { lists, files: v.files };
}
