/**
 * Stage 4: concept matching, DNorm/MetaMap style, over normalized tokens.
 *
 * All lexicon terms (findings, their exclusions, the broader abnormality vocabulary and normality statements) are
 * compiled once into one token trie. Matching scans the tokens left to right and takes the longest match starting at
 * each position (leftmost-longest), so "pericardial effusion" (an exclusion) hides the "effusion" inside it and
 * "calcified granuloma" wins over "granuloma". Cost: one Map lookup per token and trie step; no regex per term.
 */
import type { Finding } from './findings.js';
import { insertPattern, noChildren, parseTerm } from './lexicon.js';
import type { Token } from './tokens.js';
import { currentVocabulary, refill, type Vocabulary } from './vocabulary.js';

/** What a lexicon term stands for. */
export type MatchKind = 'finding' | 'exclusion' | 'abnormality' | 'normal';

/** One lexicon entry reached by a match. */
export interface MatchEntry {
  kind: MatchKind;
  /** The finding, for kind 'finding'. */
  label: Finding | null;
  /** The UMLS concept id, when the entry has one. */
  cui: string | null;
  /** The term as written in the lexicon. */
  term: string;
  /** Finding name, abnormality group name, or normality statement id. */
  id: string;
  /** True for a descriptor term of a finding ("nodular density"), which yields to an attributed diagnosis. */
  descriptor?: boolean;
  /** The lexicon folder that defines a finding's term (see {@link findMentions}: nested findings of other folders). */
  folder?: string;
}

/** A compiled term trie. */
export interface TrieNode {
  next: Map<string, TrieNode>;
  gap: TrieNode | null;
  entries: MatchEntry[] | null;
}

/** A matched span: tokens [tokenStart, tokenEnd) and characters [start, end). */
export interface Mention {
  tokenStart: number;
  tokenEnd: number;
  start: number;
  end: number;
  entries: MatchEntry[];
}

/** Words that a `...` gap never skips: they start a new phrase or clause (lexicons/vocabulary/attribution.json). */
const GAP_STOP = new Set<string>();
let bound: Vocabulary | null = null;
const GAP_MAX = 4;

function newNode(): TrieNode {
  return { next: noChildren(), gap: null, entries: null };
}

/**
 * Compiles terms into a trie.
 *
 * @example
 * ```ts
 * const trie = compileTrie([{ term: 'pleural effusion', entry: { kind: 'finding', label: 'Effusion', cui: 'C0032227', term: 'pleural effusion', id: 'Effusion' } }]);
 * findMentions(trie, tokenize('Small pleural effusions.'))[0]?.entries[0]?.label; // 'Effusion'
 * ```
 */
export function compileTrie(items: ReadonlyArray<{ term: string; entry: MatchEntry; file?: string }>): TrieNode {
  const root = newNode();
  const folders = new Set<string | undefined>();
  for (const { term, entry, file } of items) {
    insertPattern(root, parseTerm(term, file), newNode, (node) => addEntry(node, entry));
    if (entry.kind === 'finding') folders.add(entry.folder);
  }
  // Findings of several lexicon folders may overlap without one folder's authors having decided it.
  if (folders.size > 1) severalFolders.add(root);
  return root;
}

/** Tries whose findings come from more than one lexicon folder (only they need the nested pass of findMentions). */
const severalFolders = new WeakSet<TrieNode>();

/** Adds `entry` to the entries of the node where a term ends (once per concept). */
function addEntry(node: TrieNode, entry: MatchEntry): void {
  const list = (node.entries ??= []);
  if (!list.some((e) => e.kind === entry.kind && e.label === entry.label && e.id === entry.id)) list.push(entry);
}

/**
 * Finds the leftmost-longest matches in a token sequence.
 *
 * @example
 * ```ts
 * findMentions(trie, tokenize('No pericardial effusion.')); // one 'exclusion' mention, no 'Effusion'
 * ```
 */
export function findMentions(root: TrieNode, tokens: readonly Token[], from = 0, to = tokens.length): Mention[] {
  const v = currentVocabulary();
  if (v !== bound) {
    refill(GAP_STOP, v, 'match.gap-stops');
    bound = v;
  }
  const out: Mention[] = [];
  let i = from;
  while (i < to) {
    const t = tokens[i]!;
    const first = t.kind === 'punct' ? undefined : root.next.get(t.norm);
    if (first === undefined) {
      i++;
      continue;
    }
    best.end = -1;
    best.entries = null;
    walk(first, tokens, i + 1, to);
    if (best.end > i && best.entries) {
      const last = tokens[best.end - 1]!;
      out.push({ tokenStart: i, tokenEnd: best.end, start: t.start, end: last.end, entries: best.entries });
      i = best.end;
    } else {
      i++;
    }
  }
  if (severalFolders.has(root)) for (const m of out) if (m.tokenEnd - m.tokenStart > 1) addNestedFindings(root, tokens, m);
  return out;
}

/**
 * Gives a finding's mention the findings of other lexicon folders whose terms lie inside it. Within one folder a
 * longer term overrides the shorter ones inside it on purpose ("catheter fracture" is a device, not a Fracture;
 * "nodular opacity" a Nodule descriptor); a term of another folder was written without knowing the longer term, so
 * a built-in "cardiac pacemaker" (Support Devices) must not take "pacemaker" from a site's Pacemaker finding, nor a
 * site's longer term a built-in finding's mention (the labeler matches every finding of its lexicons; the set decides
 * only which get a column). The nested findings share the mention's span and status. Never inside an exclusion (it
 * hides the findings on its span), an abnormality or normality term, nor for descriptor terms.
 *
 * @example
 * ```ts
 * // "cardiac pacemaker" in lexicons/ (Support Devices), "pacemaker" in site/findings/pacemaker.json:
 * findMentions(trie, tokenize('Cardiac pacemaker.'))[0]?.entries.map((e) => e.label); // ['Support Devices', 'Pacemaker']
 * ```
 */
function addNestedFindings(root: TrieNode, tokens: readonly Token[], m: Mention): void {
  if (!m.entries.some((e) => e.kind === 'finding') || m.entries.some((e) => e.kind === 'exclusion')) return;
  const outer = m.entries.filter((e) => e.kind === 'finding');
  const have = new Set(outer.map((e) => e.label));
  const folders = new Set(outer.map((e) => e.folder));
  let added: MatchEntry[] | null = null;
  // The inner spans: those that start at the mention's first token and end before its last, and those after its first.
  for (const inner of [...findMentions(root, tokens, m.tokenStart, m.tokenEnd - 1), ...findMentions(root, tokens, m.tokenStart + 1, m.tokenEnd)]) {
    if (inner.entries.some((e) => e.kind === 'exclusion')) continue;
    for (const e of inner.entries) {
      if (e.kind !== 'finding' || e.descriptor || have.has(e.label) || folders.has(e.folder)) continue;
      have.add(e.label);
      (added ??= []).push(e);
    }
  }
  // The trie's entry lists are shared between mentions: the mention gets a new list.
  if (added) m.entries = [...m.entries, ...added];
}

const best: { end: number; entries: MatchEntry[] | null } = { end: -1, entries: null };

function walk(node: TrieNode, tokens: readonly Token[], j: number, to: number): void {
  if (node.entries && j > best.end) {
    best.end = j;
    best.entries = node.entries;
  }
  if (j < to) {
    const child = node.next.get(tokens[j]!.norm);
    if (child) walk(child, tokens, j + 1, to);
  }
  if (node.gap) {
    for (let k = 0; k < GAP_MAX && j + k < to; k++) {
      const g = tokens[j + k]!;
      // A colon may stand in a gap: structured reports put the organ before it ("Heart: mildly enlarged").
      if ((g.kind === 'punct' && g.norm !== ':') || GAP_STOP.has(g.norm)) break;
      const after = j + k + 1;
      if (after < to) {
        const child = node.gap.next.get(tokens[after]!.norm);
        if (child) walk(child, tokens, after + 1, to);
      }
    }
  }
}
