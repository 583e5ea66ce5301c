/**
 * Stage 2: radiology-aware sentence splitting, a single pass over the characters.
 *
 * A sentence ends at '.', '?' or '!' followed by whitespace or the end, except
 * - in a decimal ("1.5 cm") or a number that opens a list item ("1. No effusion"),
 * - after a known abbreviation ("Dr.", "vs.", "approx.", "e.g.", "i.e.") or a single initial,
 * - when the next word starts in lower case ("3 cm. in size" is one sentence);
 * - at a '?' that questions the words after it ("? pneumonia", "opacity, ? pneumonia");
 * it also ends at a blank line, at a line break followed by a capital, digit or bullet, and before an inline list
 * number ("... 2. Stable cardiomegaly"), and where a period was left out: a lower-case word followed by a capitalized
 * common sentence opener ("... surgical clips unchanged Visualized portions ...", "Clear lungs There are ..."). De-identification marks ("XXXX") are ordinary words. A run of more than
 * 1,000 characters without a sentence end is cut at a comma, semicolon or space, so that no stage sees a huge sentence.
 */
import { currentVocabulary, refill, type Vocabulary } from './vocabulary.js';

/** A sentence as offsets into the report text (`end` exclusive), list markers and outer whitespace excluded. */
export interface SentenceSpan {
  start: number;
  end: number;
}

/** Abbreviations whose period ends no sentence; compiled from lexicons/vocabulary/sentences.json by `bind`. */
const ABBREVIATIONS = new Set<string>();
/** Capitalized words that open a sentence where a period was left out ("... clips unchanged Visualized ..."). */
const OPENERS = new Set<string>();
/** A capitalized word after these is their complement ("The mediastinum is Stable."), not a new sentence. */
const COPULAS = new Set<string>();
let bound: Vocabulary | null = null;

/** Compiles the vocabulary in force into the sets above (once; again only when it changes). */
function bind(): void {
  const v = currentVocabulary();
  if (v === bound) return;
  refill(ABBREVIATIONS, v, 'sentences.abbreviations');
  refill(OPENERS, v, 'sentences.openers');
  refill(COPULAS, v, 'sentences.copulas');
  bound = v;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 160;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}
function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}
function isLetter(c: number): boolean {
  return isUpper(c) || isLower(c);
}

/**
 * Splits `text[from, to)` into sentences.
 *
 * @example
 * ```ts
 * const t = '1. Stable 1.5 cm nodule. 2. No effusion';
 * splitSentences(t).map((s) => t.slice(s.start, s.end)); // ['Stable 1.5 cm nodule.', 'No effusion']
 * ```
 */
export function splitSentences(text: string, from = 0, to = text.length): SentenceSpan[] {
  bind();
  const out: SentenceSpan[] = [];
  let start = skipStart(text, from, to);
  let i = start;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */ || c === 63 /* ? */ || c === 33 /* ! */) {
      // Run of terminal punctuation (". ." or "?!").
      let j = i + 1;
      while (j < to && (text.charCodeAt(j) === 46 || text.charCodeAt(j) === 63 || text.charCodeAt(j) === 33)) j++;
      if (j >= to || isSpace(text.charCodeAt(j)) || text.charCodeAt(j) === 34 || text.charCodeAt(j) === 41) {
        if (c === 63 && j === i + 1 && isPrefixQuestion(text, start, i, j, to)) {
          i = j;
          continue;
        }
        if (c !== 46 || j > i + 1 || isSentenceEndPeriod(text, start, i, j, to)) {
          push(out, text, start, j);
          start = skipStart(text, j, to);
          i = start;
          continue;
        }
      }
      i = j;
      continue;
    }
    if (c === 10 /* \n */) {
      const next = nextNonSpace(text, i + 1, to);
      const blank = hasBlankLine(text, i, next);
      const nc = next < to ? text.charCodeAt(next) : 0;
      if (blank || isUpper(nc) || isDigit(nc) || nc === 45 || nc === 42 || nc === 0x2022) {
        push(out, text, start, i);
        start = skipStart(text, i + 1, to);
        i = start;
        continue;
      }
      i++;
      continue;
    }
    if (c === 32 && isUpper(text.charCodeAt(i + 1)) && i > start && isLower(text.charCodeAt(i - 1)) && isMissingPeriod(text, start, i, to)) {
      push(out, text, start, i);
      start = skipStart(text, i + 1, to);
      i = start;
      continue;
    }
    if (isDigit(c) && i > start && isSpace(text.charCodeAt(i - 1)) && isListMarker(text, i, to)) {
      // Inline list item: "No acute disease 2. Stable cardiomegaly".
      const prev = prevNonSpace(text, i - 1, start);
      if (prev >= start && !isDigit(text.charCodeAt(prev))) {
        push(out, text, start, i);
        start = skipStart(text, i, to);
        i = start;
        continue;
      }
    }
    i++;
  }
  if (start < to) push(out, text, start, to);
  return out;
}

/** True when the '.' at `dot` (terminal run ending at `after`) ends the sentence. */
function isSentenceEndPeriod(text: string, start: number, dot: number, after: number, to: number): boolean {
  // The word before the period.
  let w = dot;
  while (w > start && !isSpace(text.charCodeAt(w - 1))) w--;
  const word = text.slice(w, dot).toLowerCase();
  const next = nextNonSpace(text, after, to);
  const nc = next < to ? text.charCodeAt(next) : 0;
  const newlineFollows = text.slice(after, next).includes('\n');
  if (next >= to || newlineFollows) return true;
  // A list number at the very start of the sentence is a marker, not a sentence ("1." alone never reaches here).
  if (/^\d{1,2}$/.test(word) && w === start) return false;
  const bare = word.replace(/[^a-z.]/g, '');
  if (ABBREVIATIONS.has(bare) || ABBREVIATIONS.has(bare.replace(/\./g, ''))) return false;
  // Dotted abbreviations: "e.g.", "i.e.".
  if (/^(?:[a-z]\.)+[a-z]$/.test(bare)) return false;
  if (isLower(nc)) return false;
  return true;
}

/**
 * True when the '?' at `q` questions the words after it rather than ending a sentence: it opens the sentence or
 * follows a comma, semicolon, colon or parenthesis ("? pneumonia.", "Right basilar opacity, ? pneumonia."), and a
 * word follows on the same line.
 */
function isPrefixQuestion(text: string, start: number, q: number, after: number, to: number): boolean {
  const prev = prevNonSpace(text, q - 1, start);
  if (prev >= start) {
    const pc = text.charCodeAt(prev);
    if (pc !== 44 && pc !== 59 && pc !== 58 && pc !== 40) return false;
  }
  const next = nextNonSpace(text, after, to);
  return next < to && isLetter(text.charCodeAt(next)) && !text.slice(after, next).includes('\n');
}

/**
 * True when the space at `i`, between a lower-case word and a capitalized one, stands where a period was left out:
 * the word before is all lower case (and not a copula) and the word after is a capitalized common sentence opener (OPENERS).
 */
function isMissingPeriod(text: string, start: number, i: number, to: number): boolean {
  let e = i + 2;
  while (e < to && isLower(text.charCodeAt(e))) e++;
  if (e < to && isLetter(text.charCodeAt(e))) return false;
  if (!OPENERS.has(text.slice(i + 1, e).toLowerCase())) return false;
  let w = i - 1;
  while (w > start && isLetter(text.charCodeAt(w - 1))) w--;
  for (let k = w; k < i; k++) if (!isLower(text.charCodeAt(k))) return false;
  return !COPULAS.has(text.slice(w, i));
}


/** True when the digits at `i` are a list marker: 1-2 digits, then '.' or ')', a space, and a letter. */
function isListMarker(text: string, i: number, to: number): boolean {
  let j = i;
  while (j < to && isDigit(text.charCodeAt(j))) j++;
  if (j - i > 2 || j >= to) return false;
  const p = text.charCodeAt(j);
  if (p !== 46 && p !== 41) return false;
  const k = j + 1;
  if (k >= to || !isSpace(text.charCodeAt(k))) return false;
  const n = nextNonSpace(text, k, to);
  return n < to && isUpper(text.charCodeAt(n));
}

/** Skips whitespace and a leading list marker ("1.", "2)", "-", "*", "•"). */
function skipStart(text: string, i: number, to: number): number {
  i = nextNonSpace(text, i, to);
  let j = i;
  while (j < to && isDigit(text.charCodeAt(j))) j++;
  if (j > i && j - i <= 2 && j < to && (text.charCodeAt(j) === 46 || text.charCodeAt(j) === 41)) {
    if (j + 1 >= to || isSpace(text.charCodeAt(j + 1))) return nextNonSpace(text, j + 1, to);
  }
  const c = text.charCodeAt(i);
  if ((c === 45 || c === 42 || c === 0x2022) && i + 1 < to && isSpace(text.charCodeAt(i + 1))) {
    return nextNonSpace(text, i + 1, to);
  }
  return i;
}

function nextNonSpace(text: string, i: number, to: number): number {
  while (i < to && isSpace(text.charCodeAt(i))) i++;
  return i;
}
function prevNonSpace(text: string, i: number, from: number): number {
  while (i >= from && isSpace(text.charCodeAt(i))) i--;
  return i;
}
function hasBlankLine(text: string, from: number, to: number): boolean {
  let n = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) n++;
  return n >= 2;
}

/** Longest sentence kept whole; longer runs (no punctuation for 1,000 characters) are cut at a comma or a space. */
const MAX_SENTENCE = 1000;

function push(out: SentenceSpan[], text: string, start: number, end: number): void {
  while (end - start > MAX_SENTENCE) {
    let cut = start + MAX_SENTENCE;
    let k = cut;
    while (k > start + MAX_SENTENCE / 2 && text.charCodeAt(k - 1) !== 44 && text.charCodeAt(k - 1) !== 59) k--;
    if (k > start + MAX_SENTENCE / 2) cut = k;
    else {
      while (cut > start + 1 && !isSpace(text.charCodeAt(cut - 1))) cut--;
      if (cut <= start + 1) cut = start + MAX_SENTENCE;
    }
    pushOne(out, text, start, cut);
    start = cut;
  }
  pushOne(out, text, start, end);
}

function pushOne(out: SentenceSpan[], text: string, start: number, end: number): void {
  let e = end;
  while (e > start && isSpace(text.charCodeAt(e - 1))) e--;
  let s = start;
  while (s < e && isSpace(text.charCodeAt(s))) s++;
  // Drop sentences made only of punctuation (". ." left by de-identification).
  for (let k = s; k < e; k++) {
    const c = text.charCodeAt(k);
    if (isLetter(c) || isDigit(c)) {
      out.push({ start: s, end: e });
      return;
    }
  }
}
