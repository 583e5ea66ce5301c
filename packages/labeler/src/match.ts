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

/** Words that a `...` gap never skips: they start a new phrase or clause. */
const GAP_STOP = new Set(['and', 'or', 'but', 'however', 'although', 'with', 'without', 'which', 'while', 'nor', 'of', 'versus', 'vs', 'than', 'no']);
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
  for (const { term, entry, file } of items) insertPattern(root, parseTerm(term, file), newNode, (node) => addEntry(node, entry));
  return root;
}

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
  return out;
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
