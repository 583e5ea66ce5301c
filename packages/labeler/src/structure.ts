/**
 * Stage 5: the sentence structure the rules need, from a small deterministic parser for the formulaic syntax of
 * radiology reports (there is no mature dependency parser in JavaScript).
 *
 * It finds the trigger phrases of a sentence (leftmost-longest in the compiled trigger trie; pseudo-triggers hide the
 * triggers they overlap) and gives each trigger its scope, a token range, from the shape of the sentence:
 * - clause boundaries: ';', ':', '(', ')', sentence-final punctuation, and termination words ("but", "however");
 * - finite verbs ("is", "are", "has", "may", "appears") that end a noun-phrase list;
 * - coordination: "no A, B, or C" and "clear of A, B, or C" spread the trigger over every conjunct, as the Stanford
 *   "CCProcessed" dependencies do in NegBio; a conjunct that opens a new clause ("..., the heart is enlarged",
 *   "... and there is", "..., stable cardiomegaly") ends the list;
 * - prepositional attachment: "no evidence of A in the B", "free of A" stay inside the noun phrase.
 * - bare fragments: a verbless sentence of bare terms ("Pleural effusions or pneumothorax.") is one scope;
 * - a question mark written before a phrase ("? pneumonia", "opacity, ?pneumonia") questions that phrase (a chunk),
 *   one written after it ("Pneumonia?") the clause before it;
 * - postposed phrases (rules with `postposed`) count only where they end their clause ("Chest pain: none.");
 * - a minus sign written against a word negates it ("-vomiting"); a hyphenated "-negative" modifier does not;
 *   "/" offers alternatives only between words ("fibrosis/scar", not "b/l").
 * Scope kinds ('list', 'chunk', 'clause', 'fragment', 'none') and directions are set per rule in `lexicons/rules/*.json`.
 */
import type { Rule, TriggerNode } from './rules.js';
import type { Token } from './tokens.js';
import { currentVocabulary, refill, type Vocabulary, type VocabularyName } from './vocabulary.js';

/** A trigger found in a sentence: tokens [start, end) and its scope [scopeStart, scopeEnd). */
export interface Trigger {
  rule: Rule;
  start: number;
  end: number;
  scopeStart: number;
  scopeEnd: number;
}

const F_BREAK = 1; // clause boundary punctuation
const F_COMMA = 2;
const F_CONJ = 4;
const F_VERB = 8; // finite verb, auxiliary, modal
const F_EXIST = 16; // existential predicate: "seen", "identified", "present"
const F_NEWCLAUSE = 32; // opens a new clause after a conjunction: "the", "there", "this"
const F_STATUS = 64; // status or severity modifier that opens a new asserted phrase: "stable", "mild"
const F_ADV = 128; // adverbs between an auxiliary and its predicate: "now", "also", "again"
const F_PREP = 256; // prepositions that end a noun chunk
const F_TERM = 512; // part of a termination trigger (set per sentence)
/** No scope reaches further than this many tokens from its trigger. */
const MAX_SCOPE = 60;

/** The word classes of the F_ flags: closed classes here, open ones from lexicons/vocabulary/structure.json. */
const CLOSED_CLASSES: ReadonlyArray<[number, readonly string[]]> = [
  [F_BREAK, [';', ':', '(', ')', '.', '!', '[', ']']],
  [F_COMMA, [',']],
  [F_CONJ, ['and', 'or', 'nor', '/', '&', 'versus', 'vs']],
];
const OPEN_CLASSES: ReadonlyArray<[number, VocabularyName]> = [
  [F_VERB, 'words.verbs'],
  [F_EXIST, 'words.existential'],
  [F_NEWCLAUSE, 'words.new-clause'],
  [F_STATUS, 'words.status'],
  [F_ADV, 'words.adverbs'],
  [F_PREP, 'words.prepositions'],
];

/** Word -> its F_ flags; this and the sets below are compiled from the vocabulary in force by `bind`. */
const WORD_FLAGS = new Map<string, number>();
/** Verbs a hedge reaches across into its complement ("could suggest that this represents a hernia"). */
const LINKING = new Set<string>();
/** Words after which "with" stays inside a negated phrase ("no opacity consistent with pneumonia"). */
const ATTACHING = new Set<string>();
/**
 * Temporal prepositions: after a negation they attach the procedure or event the finding is looked for after, which
 * is asserted ("no pneumothorax following line placement": the line is there).
 */
const TEMPORAL = new Set<string>();
/** Words that may follow a postposed answer in its clause ("Clonus absent bilaterally", "denied by the patient"). */
const AFTER_ANSWER = new Set<string>();
/**
 * Words that make a sentence a statement rather than a bare list of terms: location, size, severity and status words
 * (an affirmative finding is placed and qualified), negations, determiners and masked words (often a masked verb).
 */
const STATEMENT_WORDS = new Set<string>();
/** Words of a short aside about an earlier study: "previously seen", "as described", "again noted". */
const ASIDE_WORDS = new Set<string>();
/** Negation cues that, opening a conjunct, continue the negated list before it ("no effusion, without pneumothorax"). */
const NEGATION_CUES = new Set<string>();
let bound: Vocabulary | null = null;

/** Compiles the vocabulary in force into the flag map and sets above (once; again only when it changes). */
function bind(): void {
  const v = currentVocabulary();
  if (v === bound) return;
  WORD_FLAGS.clear();
  const open = OPEN_CLASSES.map(([f, name]): [number, readonly string[]] => [f, v.lists.get(name)!.words]);
  for (const [flag, words] of [...CLOSED_CLASSES, ...open]) for (const w of words) WORD_FLAGS.set(w, (WORD_FLAGS.get(w) ?? 0) | flag);
  refill(LINKING, v, 'words.linking');
  refill(ATTACHING, v, 'words.attaching');
  refill(TEMPORAL, v, 'words.temporal');
  refill(AFTER_ANSWER, v, 'words.after-answer');
  refill(STATEMENT_WORDS, v, 'words.statement');
  refill(ASIDE_WORDS, v, 'words.aside');
  refill(NEGATION_CUES, v, 'words.negation-cues');
  bound = v;
}

/**
 * Word-class flags of each token (clause break, comma, conjunction, finite verb, ...; see the F_ constants).
 *
 * @example
 * ```ts
 * tokenFlags(tokenize('No effusion, or pneumothorax.')).length; // 6
 * ```
 */
export function tokenFlags(tokens: readonly Token[]): Uint16Array {
  bind();
  const flags = new Uint16Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    let f = WORD_FLAGS.get(t.norm) ?? 0;
    if (t.norm === '?') f |= F_BREAK;
    flags[i] = f;
  }
  return flags;
}

/**
 * Finds the triggers of a sentence and their scopes. `flags` (from `tokenFlags`) is annotated in place with the
 * tokens of termination triggers. `text` (the string the tokens' offsets point into) lets hyphenated modifiers be
 * told from cues ("Coombs-negative hemolytic anemia"); without it they are not.
 *
 * @example
 * ```ts
 * const toks = tokenize('No effusion, pneumothorax, or consolidation.');
 * findTriggers(trie, toks)[0]; // { rule: neg.no, start: 0, end: 1, scopeStart: 1, scopeEnd: 7 }
 * ```
 */
export function findTriggers(
  root: TriggerNode,
  tokens: readonly Token[],
  flags = tokenFlags(tokens),
  text?: string,
): Trigger[] {
  bind();
  const found: Array<{ rule: Rule; start: number; end: number }> = [];
  const n = tokens.length;
  let i = 0;
  while (i < n) {
    const first = root.next.get(tokens[i]!.norm);
    if (!first) {
      i++;
      continue;
    }
    bestEnd = -1;
    bestRule = null;
    walkTrigger(first, tokens, i + 1);
    const rule = bestRule as Rule | null;
    if (rule !== null && bestEnd > i && !(rule.postposed && !endsAnswer(tokens, flags, bestEnd))) {
      found.push({ rule, start: i, end: bestEnd });
      i = bestEnd;
    } else i++;
  }
  for (const f of found) {
    if (f.rule.kind === 'termination') for (let k = f.start; k < f.end; k++) flags[k]! |= F_TERM;
  }
  // Triggers are written as plain object literals, not `{ ...f, scopeStart, scopeEnd }`: on Node 20 the spread copies
  // survived the young generation's collections and were promoted (about 1 MB per 16 MB allocated while labeling),
  // dead objects that piled up in the old generation until a full collection, so the heap grew with the run.
  const out: Trigger[] = [];
  for (const f of found) {
    if (f.rule.kind === 'pseudo') continue;
    if (f.rule.kind === 'termination') {
      out.push({ rule: f.rule, start: f.start, end: f.end, scopeStart: f.start, scopeEnd: f.start });
      continue;
    }
    if (f.rule.scope === 'none') {
      out.push({ rule: f.rule, start: f.start, end: f.end, scopeStart: f.start, scopeEnd: f.start });
      continue;
    }
    if (f.rule.scope === 'fragment') {
      // Outside a bare fragment the trigger is not one at all.
      if (isBareFragment(tokens, flags)) out.push({ rule: f.rule, start: f.start, end: f.end, scopeStart: 0, scopeEnd: tokens.length });
      continue;
    }
    if (f.end === f.start + 1) {
      const w = tokens[f.start]!.norm;
      // "-vomiting": a minus sign counts only when written against the next word, not between spaces ("Palpitations - yes").
      if (w === '-') {
        // "(-) hemoptysis": the sign in parentheses, the scope after them.
        if (tokens[f.start - 1]?.norm === '(' && tokens[f.start + 1]?.norm === ')' && tokens[f.start + 2]?.kind === 'word') f.end++;
        else if (!isPrefixSign(tokens, f.start)) continue;
      }
      // "Coombs-negative hemolytic anemia": a trigger word joined to the word before it by a hyphen and followed by a
      // word is part of a compound modifier, not a cue.
      if (text !== undefined && isHyphenModifier(tokens, text, f.start)) continue;
      // "fibrosis/scar" offers alternatives; "b/l", "c/o", "s/p", "7/10" are abbreviations and scores.
      if (w === '/' && f.rule.kind === 'alternative' && !(isLongWord(tokens[f.start - 1]) && isLongWord(tokens[f.start + 1]))) continue;
    }
    if (f.rule.kind === 'alternative' && isBareFragment(tokens, flags)) {
      // "Pleural effusions or pneumothorax.": a verbless list of bare terms joined by "or" is a negated list whose
      // "No" was lost in dictation; it asserts none of its terms.
      out.push({ rule: f.rule, start: f.start, end: f.end, scopeStart: 0, scopeEnd: tokens.length });
      continue;
    }
    if (f.end === f.start + 1 && tokens[f.start]!.norm === '?' && isPrefixQuestion(tokens, f.start)) {
      // "? pneumonia", "opacity, ?pneumonia": a question mark written before a phrase questions that phrase.
      out.push({ rule: f.rule, start: f.start, end: f.end, scopeStart: f.end, scopeEnd: forwardScope(tokens, flags, f.end, 'chunk') });
      continue;
    }
    // Forward-only scopes start after the trigger, backward-only ones end before it.
    const direction = f.rule.direction;
    let scopeStart = direction === 'forward' ? f.end : f.start;
    let scopeEnd = direction === 'backward' ? f.start : f.end;
    if (direction !== 'backward') {
      scopeEnd = forwardScope(tokens, flags, f.end, f.rule.scope, f.rule.kind === 'negation');
    }
    if (direction !== 'forward') scopeStart = backwardScope(tokens, flags, f.start, f.rule.scope, f.end);
    out.push({ rule: f.rule, start: f.start, end: f.end, scopeStart, scopeEnd });
  }
  return out;
}

let bestEnd = -1;
let bestRule: Rule | null = null;

function walkTrigger(node: TriggerNode, tokens: readonly Token[], j: number): void {
  if (node.rule && j > bestEnd) {
    bestEnd = j;
    bestRule = node.rule;
  }
  if (j < tokens.length) {
    const child = node.next.get(tokens[j]!.norm);
    if (child) walkTrigger(child, tokens, j + 1);
  }
  if (node.gap) {
    for (let k = 0; k < 3 && j + k < tokens.length; k++) {
      const t = tokens[j + k]!;
      if (t.kind === 'punct') break;
      const after = j + k + 1;
      if (after < tokens.length) {
        const child = node.gap.next.get(tokens[after]!.norm);
        if (child) walkTrigger(child, tokens, after + 1);
      }
    }
  }
}


/**
 * True when the token at `i` ends a postposed phrase: the clause ends, or a conjunction or an adverbial follows
 * ("Chest pain: none.", "Pneumonia is possible given the exam"); "There is questionable weakness" and "Anemia is
 * likely related to iron deficiency" are no postposed hedges (the forward "questionable", "likely" apply).
 */
function endsAnswer(tokens: readonly Token[], flags: Uint16Array, i: number): boolean {
  if (i >= tokens.length) return true;
  if (flags[i]! & (F_BREAK | F_COMMA | F_CONJ)) return true;
  return AFTER_ANSWER.has(tokens[i]!.norm);
}

/** A word of three letters or more (not an abbreviation such as "b/l", "c/o"). */
function isLongWord(t: Token | undefined): boolean {
  return t !== undefined && t.kind === 'word' && t.norm.length > 2;
}

/** True when the '-' at token `i` is written against the next word and apart from the previous one ("-vomiting"). */
function isPrefixSign(tokens: readonly Token[], i: number): boolean {
  const next = tokens[i + 1];
  if (!next || next.kind !== 'word' || next.start !== tokens[i]!.end) return false;
  const prev = tokens[i - 1];
  return !prev || prev.end < tokens[i]!.start || prev.kind === 'punct';
}

/** True when the word at `i` is joined by a hyphen to the word before it and a word follows ("ANCA-negative vasculitis"). */
function isHyphenModifier(tokens: readonly Token[], text: string, i: number): boolean {
  const prev = tokens[i - 1];
  const t = tokens[i]!;
  const next = tokens[i + 1];
  if (!prev || !next || t.kind !== 'word' || next.kind !== 'word' || prev.kind === 'punct') return false;
  return prev.end === t.start - 1 && text.charCodeAt(t.start - 1) === 45 /* - */;
}

/**
 * True when the '?' at token `i` is written before a word rather than after one: it opens the sentence, follows a
 * comma, semicolon, colon or parenthesis, or is attached to the next word and not to the previous one ("opacity
 * ?pneumonia").
 */
function isPrefixQuestion(tokens: readonly Token[], i: number): boolean {
  const next = tokens[i + 1];
  if (!next || next.kind === 'punct') return false;
  if (i === 0) return true;
  const prev = tokens[i - 1]!;
  if (prev.kind === 'punct') return prev.norm === ',' || prev.norm === ';' || prev.norm === ':' || prev.norm === '(';
  return prev.end < tokens[i]!.start && next.start === tokens[i]!.end;
}

/** End (exclusive) of a forward scope starting at token `from`. */
function forwardScope(
  tokens: readonly Token[],
  flags: Uint16Array,
  from: number,
  scope: Rule['scope'],
  negation = false,
): number {
  const n = Math.min(tokens.length, from + MAX_SCOPE);
  let i = from;
  for (; i < n; i++) {
    const f = flags[i]!;
    if (tokens[i]!.norm === '(' && scope !== 'chunk' && i > from) {
      const close = matchingParen(tokens, i, 1);
      if (close >= 0) {
        i = close;
        continue;
      }
    }
    if (f & (F_BREAK | F_TERM)) break;
    if (scope === 'clause') continue;
    // A hedge reaches into its complement clause ("could suggest that this represents a hiatal hernia"); a negation
    // stops at the verb ("no effusion is seen").
    if (f & F_VERB && (negation || !LINKING.has(tokens[i]!.norm))) break;
    if (scope === 'chunk') {
      if (f & (F_COMMA | F_CONJ)) break;
      if (f & F_PREP && i > from) break;
      continue;
    }
    if (f & (F_COMMA | F_CONJ)) {
      if (opensNewClause(tokens, flags, i, negation)) break;
    }
    // "no cardiomegaly with bilateral effusions": after a negation, "with" attaches a new, asserted phrase
    // ("consistent with", "compatible with" stay inside).
    // A hedge stops there too when "with" attaches a qualified finding of its own ("probable effusions with mild
    // basilar atelectasis").
    if (tokens[i]!.norm === 'with' && i > from && !ATTACHING.has(tokens[i - 1]!.norm) && (negation || flags[i + 1]! & F_STATUS)) break;
    // "no pneumothorax following line placement": the negation ends before the event it is measured from.
    if (negation && i > from && TEMPORAL.has(tokens[i]!.norm)) break;
  }
  return i;
}

/**
 * True when the conjunct after the comma or conjunction at `i` starts a new clause rather than continuing a list:
 * it begins with "the"/"there"/"this", or with a status word after a bare comma or "and" ("..., stable
 * cardiomegaly"), or it has its own finite verb with a non-existential predicate ("... and the heart is enlarged";
 * "... or effusion is seen" continues the list).
 */
function opensNewClause(
  tokens: readonly Token[],
  flags: Uint16Array,
  i: number,
  negation: boolean,
): boolean {
  const n = tokens.length;
  let j = i;
  let sawOr = false;
  while (j < n && flags[j]! & (F_COMMA | F_CONJ)) {
    const w = tokens[j]!.norm;
    if (w === 'or' || w === 'nor' || w === '/') sawOr = true;
    j++;
  }
  if (j >= n) return false;
  const first = tokens[j]!.norm;
  const fj = flags[j]!;
  if (fj & F_NEWCLAUSE) return true;
  // "No pneumothorax, small left effusion.", "no effusion, stable cardiomegaly": a status or size word after a bare
  // comma opens an asserted phrase unless an "or" later in the clause shows a negated list ("no consolidation, large
  // effusion, or pneumothorax"; "no new, worsening or unexplained symptoms").
  if (negation && fj & F_STATUS && !sawOr && !laterOr(tokens, flags, j)) return true;
  if (!sawOr && NEGATION_CUES.has(first)) return false;
  for (let k = j; k < n && k < j + MAX_SCOPE; k++) {
    const fk = flags[k]!;
    if (fk & (F_BREAK | F_TERM)) break;
    if (fk & (F_COMMA | F_CONJ)) return false;
    if (fk & F_VERB) {
      // "or effusion is seen": existential predicate continues the negated list.
      let m = k + 1;
      while (m < n && flags[m]! & (F_ADV | F_VERB) && !(flags[m]! & F_EXIST)) m++;
      if (m < n && flags[m]! & F_EXIST) return false;
      return true;
    }
  }
  return false;
}

/** True when an "or" or "nor" follows token `j` in its clause. */
function laterOr(tokens: readonly Token[], flags: Uint16Array, j: number): boolean {
  for (let k = j; k < tokens.length && k < j + MAX_SCOPE; k++) {
    if (flags[k]! & (F_BREAK | F_TERM)) return false;
    const w = tokens[k]!.norm;
    if (w === 'or' || w === 'nor') return true;
  }
  return false;
}

/**
 * True when the sentence is a verbless fragment of bare terms ("Pleural effusions or pneumothorax."): no verb, no
 * existential predicate, no preposition, and none of the STATEMENT_WORDS.
 */
function isBareFragment(tokens: readonly Token[], flags: Uint16Array): boolean {
  for (let i = 0; i < tokens.length; i++) {
    if (flags[i]! & (F_VERB | F_EXIST | F_PREP | F_STATUS) || STATEMENT_WORDS.has(tokens[i]!.norm)) return false;
  }
  return true;
}

/** Index of the parenthesis matching the one at `i`, searching in direction `dir`; -1 when unmatched. */
function matchingParen(tokens: readonly Token[], i: number, dir: 1 | -1): number {
  const open = tokens[i]!.norm;
  const close = open === '(' ? ')' : '(';
  let depth = 0;
  for (let j = i; j >= 0 && j < tokens.length && Math.abs(j - i) < MAX_SCOPE; j += dir) {
    const t = tokens[j]!.norm;
    if (t === open) depth++;
    else if (t === close && --depth === 0) return j;
  }
  return -1;
}

/**
 * When the comma at `i` closes a short aside that opened with a comma ("..., previously seen, ..."), the index of the
 * opening comma; -1 otherwise. An aside is 1 to 3 adverbs, existential participles or ASIDE_WORDS.
 */
function asideStart(tokens: readonly Token[], flags: Uint16Array, i: number): number {
  for (let k = i - 1; k >= 0 && k >= i - 4; k--) {
    if (flags[k]! & F_COMMA) return k < i - 1 ? k : -1;
    if (!(flags[k]! & (F_ADV | F_EXIST)) && !ASIDE_WORDS.has(tokens[k]!.norm)) return -1;
  }
  return -1;
}

/** True when the token at `i` ends a clause: the end of the sentence, clause punctuation or a comma. */
function endsClause(tokens: readonly Token[], flags: Uint16Array, i: number): boolean {
  return i >= tokens.length || (flags[i]! & (F_BREAK | F_COMMA | F_TERM)) !== 0;
}

/** Start of a backward scope ending before token `to`. */
function backwardScope(
  tokens: readonly Token[],
  flags: Uint16Array,
  to: number,
  scope: Rule['scope'],
  triggerEnd = to,
): number {
  let i = to - 1;
  // The trigger's own auxiliaries and adverbs: "effusion [has now] resolved", "is no longer seen".
  while (i >= 0 && flags[i]! & (F_VERB | F_ADV) && !(flags[i]! & F_BREAK)) i--;
  // A postposed status after a comma that ends its clause ("History of pneumonia, now clear.", "Right lower lobe
  // pneumonia, resolved.") is about the phrase before the comma; one followed by a phrase of its own ("small effusion,
  // resolved pneumothorax") is not.
  const postposedComma = i > 0 && flags[i]! & F_COMMA && endsClause(tokens, flags, triggerEnd) ? i : -2;
  let sawConj = false;
  const stop = Math.max(-1, to - MAX_SCOPE);
  for (; i > stop; i--) {
    const f = flags[i]!;
    if (tokens[i]!.norm === ')' && scope !== 'chunk') {
      // A parenthetical aside is skipped: "Pneumonia seen on CT (not seen on the prior film) is not seen."
      const open = matchingParen(tokens, i, -1);
      if (open >= 0) {
        i = open;
        continue;
      }
    }
    if (f & (F_BREAK | F_TERM)) break;
    if (scope === 'clause') continue;
    if (f & F_VERB) break;
    if (scope === 'chunk') {
      if (i === postposedComma) continue;
      if (f & (F_COMMA | F_CONJ | F_PREP)) break;
      continue;
    }
    if (f & F_CONJ) sawConj = true;
    else if (f & F_COMMA && !sawConj) {
      // An aside between commas ("Left effusion, previously seen, has resolved") is skipped like a parenthesis.
      const open = asideStart(tokens, flags, i);
      if (open < 0) {
        if (i === postposedComma) continue;
        break;
      }
      i = open;
    }
  }
  return i + 1;
}
