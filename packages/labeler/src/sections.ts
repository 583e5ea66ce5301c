/**
 * Stage 1: split a report into its sections and choose the ones to label.
 *
 * Headings are recognized at the start of the text, of a line, or of a sentence, optionally numbered ("1. FINDINGS:"),
 * in any case, followed by a colon (or alone on a line, or by a spaced dash at the start of a line: "Impression - ...").
 * Their variants are mapped to five canonical names: FINDINGS, IMPRESSION, INDICATION (also HISTORY, REASON FOR
 * EXAM, ...), COMPARISON and TECHNIQUE. An indication, comparison or technique section whose text is on the heading's
 * line ends with that line when unheaded text follows (else at a blank line); the rest is an unnamed section.
 * Following the paper (Wang et al. 2017, section 3.1), only FINDINGS and IMPRESSION are labeled; when neither is
 * present, every section but the indication, comparison and technique ones.
 */
import { currentVocabulary, refill, type Vocabulary, type VocabularyName } from './vocabulary.js';

/** Canonical section names; '' is text before the first heading (or a report without headings). */
export type SectionName = 'FINDINGS' | 'IMPRESSION' | 'INDICATION' | 'COMPARISON' | 'TECHNIQUE' | '';

/** One section of a report; offsets are into the full report text, `end` exclusive. */
export interface Section {
  name: SectionName;
  /** The heading as written, e.g. "Impression", or '' for text before the first heading. */
  heading: string;
  /** Offset of the section body (after the heading and its colon). */
  start: number;
  end: number;
}

/** Which sections to label: the paper's rule, everything, or a list of canonical names. */
export type SectionPolicy = 'findings-impression' | 'all' | readonly string[];

/** The vocabulary list of each canonical section's headings (lexicons/vocabulary/sections.json). */
const HEADING_LISTS: ReadonlyArray<[VocabularyName, Exclude<SectionName, ''>]> = [
  ['headings.findings', 'FINDINGS'],
  ['headings.impression', 'IMPRESSION'],
  ['headings.indication', 'INDICATION'],
  ['headings.comparison', 'COMPARISON'],
  ['headings.technique', 'TECHNIQUE'],
];

/** Heading (lower case, single spaces) -> canonical name; compiled from the vocabulary by `bind`. */
const HEADINGS = new Map<string, Exclude<SectionName, ''>>();
/**
 * One regex for all headings: boundary, optional list number, heading, then a colon, the end of the line, or (group 3)
 * a spaced dash ("Impression - Normal chest"), which counts only at the start of the text or of a line.
 */
let HEADING_RE = /$^/g;
/** Body parts of other examinations dictated in the same report ("Left knee: ...", "Hand. ..."). */
const OTHER_PARTS = new Set<string>();
const CHEST_PARTS = new Set<string>();
const SIDES = new Set<string>();
let bound: Vocabulary | null = null;

/** Compiles the vocabulary in force into the maps, sets and regex above (once; again only when it changes). */
function bind(): void {
  const v = currentVocabulary();
  if (v === bound) return;
  HEADINGS.clear();
  for (const [list, section] of HEADING_LISTS) for (const h of v.lists.get(list)!.words) HEADINGS.set(h, section);
  const names = [...HEADINGS.keys()]
    .sort((a, b) => b.length - a.length)
    .map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+'));
  HEADING_RE = new RegExp(
    `(^|\\n|[.;!?]\\s+|\\s{2,})[ \\t]*(?:\\d{1,2}[.)]\\s*)?(${names.length > 0 ? names.join('|') : '(?!)'})[ \\t]*(?::|(?=\\r?\\n)|([ \\t][-\u2013\u2014](?=[ \\t])))`,
    'gi',
  );
  refill(OTHER_PARTS, v, 'body-parts.other');
  refill(CHEST_PARTS, v, 'body-parts.chest');
  refill(SIDES, v, 'body-parts.sides');
  bound = v;
}

/** Sections that say why and how the study was done, not what it shows. */
const CONTEXT_SECTIONS = new Set<SectionName>(['INDICATION', 'COMPARISON', 'TECHNIQUE']);

/**
 * Where a context section (indication, comparison, technique) ends when unheaded text follows it: at the end of its
 * line when its text starts on the heading's line ("HISTORY: cough\nThe lungs are clear."), else at the first blank
 * line. Null when it runs to `end`.
 */
function contextEnd(text: string, start: number, end: number): number | null {
  const body = text.slice(start, end);
  const firstBreak = body.search(/\r?\n/);
  if (firstBreak < 0) return null;
  const split = body.slice(0, firstBreak).trim() !== '' ? firstBreak : body.search(/\S[^\n]*\r?\n[ \t]*\r?\n/);
  if (split < 0) return null;
  const at = split === firstBreak ? start + firstBreak : start + body.indexOf('\n', split);
  return text.slice(at, end).trim() !== '' ? at : null;
}

/**
 * Splits a report into sections.
 *
 * @example
 * ```ts
 * splitSections('INDICATION: cough\nFINDINGS: No effusion.\nIMPRESSION: Normal.').map((s) => s.name);
 * // ['INDICATION', 'FINDINGS', 'IMPRESSION']
 * ```
 */
export function splitSections(text: string): Section[] {
  bind();
  const sections: Section[] = [];
  let current: Section = { name: '', heading: '', start: 0, end: text.length };
  HEADING_RE.lastIndex = 0;
  for (let m = HEADING_RE.exec(text); m !== null; m = HEADING_RE.exec(text)) {
    const lead = m[1] ?? '';
    const heading = m[2] ?? '';
    if (m[3] !== undefined && m.index !== 0 && lead !== '\n') continue;
    const headingStart = m.index + lead.length;
    current.end = headingStart;
    pushSection(text, sections, current);
    const bodyStart = m.index + m[0].length;
    current = {
      name: HEADINGS.get(heading.toLowerCase().replace(/\s+/g, ' ')) ?? '',
      heading,
      start: bodyStart,
      end: text.length,
    };
  }
  current.end = text.length;
  pushSection(text, sections, current);
  if (sections.length === 0) sections.push(current);
  return sections;
}

/** Adds a section (an unnamed one only when it has text), splitting unheaded text off a context section. */
function pushSection(text: string, sections: Section[], section: Section): void {
  if (CONTEXT_SECTIONS.has(section.name)) {
    const at = contextEnd(text, section.start, section.end);
    if (at !== null) {
      sections.push({ ...section, end: at });
      sections.push({ name: '', heading: '', start: at, end: section.end });
      return;
    }
  }
  if (section.name !== '' || text.slice(section.start, section.end).trim().length > 0) sections.push(section);
}

/**
 * Chooses the sections to label. With 'findings-impression' (the paper's rule) that is FINDINGS and IMPRESSION, or
 * every section but INDICATION, COMPARISON and TECHNIQUE when neither is present; with 'all' every section; with a
 * list, the sections so named.
 *
 * @example
 * ```ts
 * selectSections(splitSections('INDICATION: cough\nIMPRESSION: Normal.'), 'findings-impression')[0]?.name; // 'IMPRESSION'
 * ```
 */
export function selectSections(sections: readonly Section[], policy: SectionPolicy = 'findings-impression'): Section[] {
  if (policy === 'all') return sections.slice();
  if (policy === 'findings-impression') {
    const chosen = sections.filter((s) => s.name === 'FINDINGS' || s.name === 'IMPRESSION');
    // Without either, the text outside the indication, comparison and technique sections (the reason for the study
    // and other examinations are no findings of this one).
    return chosen.length > 0 ? chosen : sections.filter((s) => !CONTEXT_SECTIONS.has(s.name));
  }
  const wanted = new Set(policy.map((p) => p.toUpperCase()));
  return sections.filter((s) => wanted.has(s.name === '' ? '' : s.name));
}


/**
 * Recognizes a sub-heading (the first tokens of a sentence) that names the body part of one of several examinations dictated together ("Hand.",
 * "Left knee:", "Chest."): 'other' for a non-chest part, 'chest' for the chest, null when the sentence is no such
 * heading. Sentences under an 'other' heading are not labeled.
 *
 * @example
 * ```ts
 * bodyPartHeading(tokenize('Left knee:'))?.part; // 'other'
 * ```
 */
export function bodyPartHeading(norms: ArrayLike<{ norm: string }>): { part: 'chest' | 'other'; length: number } | null {
  bind();
  const n = norms.length;
  let i = 0;
  if (n > 0 && SIDES.has(norms[0]!.norm)) i++;
  for (let len = 3; len >= 1; len--) {
    if (n < i + len) continue;
    const next = i + len < n ? norms[i + len]!.norm : undefined;
    if (next !== undefined && next !== '.' && next !== ':') continue;
    let phrase = norms[i]!.norm;
    for (let k = 1; k < len; k++) phrase += ' ' + norms[i + k]!.norm;
    const part = OTHER_PARTS.has(phrase) ? 'other' : CHEST_PARTS.has(phrase) ? 'chest' : null;
    if (part) return { part, length: i + len + (next === ':' ? 1 : 0) };
  }
  return null;
}
