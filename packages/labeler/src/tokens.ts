/**
 * Stage 3: tokenization for the hot path.
 *
 * A hand-written scanner (no regex, no per-token allocation beyond the token itself) that splits a sentence into
 * words, numbers and punctuation with character offsets, and normalizes words to lower case. Hyphens inside words
 * separate them ("air-space" -> "air", "space"), so the lexicon spells multi-word terms with spaces; "n't" becomes a
 * separate "not" token ("isn't" -> "is", "not"; "can't" -> "can", "not"). wink-nlp tokenizes about 700k tokens/s,
 * which would cost most of the labeler's budget of 100 microseconds per report, so it is not used here.
 */

/** Word, number or punctuation. */
export type TokenKind = 'word' | 'number' | 'punct';

/** One token; offsets into the report text, `end` exclusive. */
export interface Token {
  /** Normalized form: lower case; "n't" becomes "not". */
  norm: string;
  kind: TokenKind;
  start: number;
  end: number;
}

function isAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c > 191;
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 160;
}

const CONTRACTION_BASE: Record<string, string> = { ca: 'can', wo: 'will', sha: 'shall' };

/**
 * Tokenizes `text[from, to)`.
 *
 * @example
 * ```ts
 * tokenize("Isn't 1.5 cm.").map((t) => t.norm); // ['is', 'not', '1.5', 'cm', '.']
 * ```
 */
export function tokenize(text: string, from = 0, to = text.length): Token[] {
  const out: Token[] = [];
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c >= 48 && c <= 57) {
      let j = i + 1;
      while (j < to) {
        const d = text.charCodeAt(j);
        if (d >= 48 && d <= 57) j++;
        else if ((d === 46 || d === 44) && j + 1 < to && isDigitAt(text, j + 1) && d === 46) j++;
        else if (isAlnum(d)) j++; // "5th", "10mm", "t12"
        else break;
      }
      out.push({ norm: text.slice(i, j).toLowerCase(), kind: 'number', start: i, end: j });
      i = j;
      continue;
    }
    if (isAlnum(c)) {
      let j = i + 1;
      while (j < to) {
        const d = text.charCodeAt(j);
        if (isAlnum(d)) j++;
        else if ((d === 39 || d === 0x2019) && j + 1 < to && isAlnum(text.charCodeAt(j + 1))) j++;
        else break;
      }
      pushWord(out, text, i, j);
      i = j;
      continue;
    }
    if (c === 45 /* - */ && i > from && i + 1 < to && isAlnum(text.charCodeAt(i - 1)) && isAlnum(text.charCodeAt(i + 1))) {
      i++; // word-internal hyphen: a separator, not a token
      continue;
    }
    out.push({ norm: text[i] ?? '', kind: 'punct', start: i, end: i + 1 });
    i++;
  }
  return out;
}

function isDigitAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 48 && c <= 57;
}

function pushWord(out: Token[], text: string, i: number, j: number): void {
  let norm = text.slice(i, j).toLowerCase();
  if (norm.indexOf('\u2019') >= 0) norm = norm.replace(/\u2019/g, "'");
  if (norm.endsWith("n't") && norm.length > 3) {
    const base = norm.slice(0, -3);
    out.push({ norm: CONTRACTION_BASE[base] ?? base, kind: 'word', start: i, end: j - 3 });
    out.push({ norm: 'not', kind: 'word', start: j - 3, end: j });
    return;
  }
  if (norm.endsWith("'s")) norm = norm.slice(0, -2);
  out.push({ norm, kind: 'word', start: i, end: j });
}
