/**
 * The labeler's pipeline, in one visible chain:
 *
 *   splitSections -> selectSections -> splitSentences -> tokenize -> findMentions (lexicon trie)
 *     -> findTriggers (structure + rules) -> decide (precedence) -> aggregate
 *
 * `createLabeler` reads, validates and compiles the lexicons and rules once; `label` then runs synchronously with no
 * I/O and no regex per lexicon entry.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { aggregate, type AggregateOptions, type UncertaintyPolicy } from './aggregate.js';
import { decide, type Assessment } from './assess.js';
import { LabelerArgumentError, LexiconError } from './errors.js';
import { NO_FINDING, type Finding } from './findings.js';
import { bindLabelSet, resolveLabelSet, type BoundLabelSet } from './label-sets.js';
import { defaultLexiconDir, loadLexicons, type Lexicons } from './lexicon.js';
import { countedEntries, mentionKindOf } from './precedence.js';
import { compileTrie, findMentions, type MatchEntry, type Mention, type TrieNode } from './match.js';
import { compileTriggers, loadRules, type Rule, type TriggerNode } from './rules.js';
import { bodyPartHeading, selectSections, splitSections, type SectionName, type SectionPolicy } from './sections.js';
import { splitSentences } from './sentences.js';
import { findTriggers, tokenFlags, type Trigger } from './structure.js';
import { tokenize, type Token } from './tokens.js';
import { currentVocabulary, refill, type Vocabulary } from './vocabulary.js';
import type { Evidence, LabeledReport, Labeler, LabelerOptions, ReportInput } from './types.js';

/** The compiled lexicons and rules a labeler runs on. */
export interface CompiledLexicons {
  terms: TrieNode;
  triggers: TriggerNode;
  rules: Rule[];
  lexicons: Lexicons;
}

/** The lexicon folder of a finding file (`DIR/findings/NAME.json` -> `DIR`). */
function lexiconFolderOf(file: string): string {
  return dirname(dirname(file));
}

/**
 * Reads, validates and compiles the lexicons and rules of the given folders.
 *
 * @example
 * ```ts
 * const compiled = compileLexicons([defaultLexiconDir()]);
 * ```
 */
export function compileLexicons(dirs: readonly string[]): CompiledLexicons {
  const lexicons = loadLexicons(dirs);
  const rules = loadRules(dirs);
  const items: Array<{ term: string; entry: MatchEntry; file?: string }> = [];
  for (const lex of lexicons.findings) {
    for (const c of lex.concepts) {
      for (const term of [...c.synonyms, ...c.abbreviations, ...c.variants]) {
        items.push({ term, file: lex.file, entry: { kind: 'finding', label: lex.finding, cui: c.cui, term, id: lex.finding, folder: lexiconFolderOf(lex.file) } });
      }
      for (const term of c.descriptors) {
        const entry: MatchEntry = { kind: 'finding', label: lex.finding, cui: c.cui, term, id: lex.finding, descriptor: true, folder: lexiconFolderOf(lex.file) };
        items.push({ term, file: lex.file, entry });
      }
    }
    for (const term of lex.exclusions) {
      items.push({ term, file: lex.file, entry: { kind: 'exclusion', label: null, cui: null, term, id: lex.finding } });
    }
  }
  for (const g of lexicons.abnormalities) {
    for (const term of g.terms) items.push({ term, entry: { kind: 'abnormality', label: null, cui: null, term, id: g.name } });
  }
  for (const s of lexicons.normal) {
    for (const term of s.terms) items.push({ term, entry: { kind: 'normal', label: null, cui: null, term, id: s.id } });
  }
  return { terms: compileTrie(items), triggers: compileTriggers(rules), rules, lexicons };
}

const UNCERTAINTY: readonly UncertaintyPolicy[] = ['uncertain', 'positive', 'negative'];

/**
 * Creates a labeler: compiles the bundled lexicons (`defaultLexiconDir()`: `lexicons/` at the repository root, or the
 * package's own copy when installed) and any `lexiconDirs` once,
 * and returns `label(text | { id, text })`, which is synchronous and fast (no I/O).
 *
 * @example
 * ```ts
 * const labeler = createLabeler();
 * const r = labeler.label({ id: 'CXR1', text: 'FINDINGS: Small left pleural effusion. No pneumothorax.' });
 * r.labels; // { Effusion: 1, Pneumothorax: 0, 'No Finding': 0 }
 * r.evidence[1]; // { label: 'Pneumothorax', value: 0, rule: 'neg.no', sentence: 'No pneumothorax.', ... }
 * ```
 */
export function createLabeler(options: LabelerOptions = {}): Labeler {
  const uncertainty = options.uncertainty ?? 'uncertain';
  if (!UNCERTAINTY.includes(uncertainty)) {
    throw new LabelerArgumentError(
      `uncertainty: expected one of ${UNCERTAINTY.map((u) => `"${u}"`).join(', ')}, found ${JSON.stringify(uncertainty)}`,
    );
  }
  const sections: SectionPolicy = options.sections ?? 'findings-impression';
  if (typeof sections === 'string' ? sections !== 'findings-impression' && sections !== 'all' : !Array.isArray(sections)) {
    throw new LabelerArgumentError(
      `sections: expected "findings-impression", "all" or a list of section names, found ${JSON.stringify(sections)}`,
    );
  }
  const extra = options.lexiconDirs ?? [];
  // The stages' word lists (lexicons/vocabulary/*.json): read and validated once per process, here at the latest,
  // from the bundled folder only (they are the parser's words, not a site's terms: a site's copy would not apply).
  currentVocabulary();
  for (const dir of extra) {
    if (existsSync(join(dir, 'vocabulary'))) {
      throw new LexiconError(
        'expected findings/, rules/, label-sets/, abnormalities.json or normal.json in an extra lexicon folder, found vocabulary/ (the stages\' word lists are read from the bundled lexicons only; edit lexicons/vocabulary/ there)',
        { file: dir },
      );
    }
  }
  const compiled = compileLexicons([defaultLexiconDir(), ...extra]);
  const bound = bindLabelSet(resolveLabelSet(options.labelSet ?? 'nih14', extra), compiled.lexicons.findings);
  const findings = bound.findings;
  const rules = aggregateOptionsOf(bound);
  const labeler: Labeler = {
    findings,
    labelSet: bound.set,
    label: (input: ReportInput) => labelWith(compiled, findings, sections, uncertainty, input, undefined, rules),
  };
  compiledOf.set(labeler, { lexicons: compiled, findings, sections, uncertainty, rules });
  return labeler;
}

/** The aggregate options a bound label set asks for (none for the NIH sets). */
function aggregateOptionsOf(bound: BoundLabelSet): AggregateOptions {
  return {
    ...(bound.rename.size > 0 ? { rename: bound.rename } : {}),
    ...(bound.noFindingIgnores.size > 0 ? { noFindingIgnores: bound.noFindingIgnores } : {}),
    ...(bound.parents.length > 0 ? { parents: bound.parents } : {}),
  };
}

/** What each stage made of one sentence (see `traceReport`). */
export interface SentenceTrace {
  section: SectionName;
  text: string;
  /** Why the sentence was not labeled, when it was not. */
  skipped?: string;
  tokens?: string[];
  mentions?: Array<{ text: string; start: number; end: number; entries: string[] }>;
  triggers?: Array<{ rule: string; kind: string; text: string; scope: string }>;
}

/**
 * Labels one report and dumps what every stage made of it, sentence by sentence: tokens, lexicon matches, triggers
 * with their scopes. For inspecting a decision, not for bulk labeling. Uses the shared default labeler unless one
 * from `createLabeler` is given.
 *
 * @example
 * ```ts
 * const { sentences } = traceReport('No effusion or pneumothorax.');
 * sentences[0]?.triggers; // [{ rule: 'neg.no', kind: 'negation', text: 'No', scope: 'effusion or pneumothorax' }]
 * ```
 */
export function traceReport(input: ReportInput, labeler?: Labeler): { sentences: SentenceTrace[]; result: LabeledReport } {
  const compiled = compiledOf.get(labeler ?? (shared ??= createLabeler()));
  if (!compiled) {
    throw new LabelerArgumentError('traceReport: expected a labeler made by createLabeler, found another object');
  }
  const sentences: SentenceTrace[] = [];
  const result = labelWith(compiled.lexicons, compiled.findings, compiled.sections, compiled.uncertainty, input, sentences, compiled.rules);
  return { sentences, result };
}

const compiledOf = new WeakMap<
  Labeler,
  { lexicons: CompiledLexicons; findings: readonly Finding[]; sections: SectionPolicy; uncertainty: UncertaintyPolicy; rules: AggregateOptions }
>();

let shared: Labeler | null = null;

/**
 * Labels one report with a shared default labeler (compiled on first use).
 *
 * @example
 * ```ts
 * labelReport('IMPRESSION: No acute cardiopulmonary disease.').labels; // { 'No Finding': 1 }
 * ```
 */
export function labelReport(text: string): LabeledReport {
  return (shared ??= createLabeler()).label(text);
}

/**
 * Labels one report with compiled lexicons: the whole pipeline.
 *
 * @example
 * ```ts
 * labelWith(compileLexicons([defaultLexiconDir()]), FINDINGS_14, 'findings-impression', 'uncertain', 'No effusion.');
 * // a label set's rules (aliases, No Finding ignores, parent links) come in `rules`, as createLabeler binds them
 * ```
 */
export function labelWith(
  compiled: CompiledLexicons,
  findings: readonly Finding[],
  sectionPolicy: SectionPolicy,
  uncertainty: UncertaintyPolicy,
  input: ReportInput,
  trace?: SentenceTrace[],
  rules: AggregateOptions = {},
): LabeledReport {
  let id: string;
  let text: string;
  if (typeof input === 'string') {
    id = '';
    text = input;
  } else if (typeof input === 'object' && input !== null && typeof input.text === 'string') {
    id = String(input.id ?? '');
    text = input.text;
  } else {
    throw new LabelerArgumentError(`label: expected a string or { id, text }, found ${describe(input)}`);
  }
  bindVocabulary();
  const evidence: Evidence[] = [];
  for (const section of selectSections(splitSections(text), sectionPolicy)) {
    let otherExam = false;
    for (const s of splitSentences(text, section.start, section.end)) {
      const tokens = tokenize(text, s.start, s.end);
      // Several examinations dictated together: skip the sentences under "Left knee:", "Hand.", ...
      const heading = bodyPartHeading(tokens);
      if (heading) otherExam = heading.part === 'other';
      if (otherExam) {
        trace?.push({ section: section.name, text: text.slice(s.start, s.end), skipped: 'other examination' });
        continue;
      }
      const mentions = findMentions(compiled.terms, tokens, heading ? heading.length : 0);
      if (mentions.length === 0 && !trace) continue;
      const sentence = { text, start: s.start, end: s.end, section: section.name, tokens, mentions };
      const triggers = labelSentence(compiled, sentence, evidence);
      trace?.push({
        section: section.name,
        text: text.slice(s.start, s.end),
        tokens: tokens.map((t) => t.norm),
        mentions: mentions.map((m) => ({
          text: text.slice(m.start, m.end),
          start: m.start,
          end: m.end,
          entries: m.entries.map((e) => `${e.kind}:${e.label ?? e.id}${e.descriptor ? ' (descriptor)' : ''}`),
        })),
        triggers: (triggers ?? []).map((t) => ({
          rule: t.rule.id,
          kind: t.rule.kind,
          text: text.slice(tokens[t.start]!.start, tokens[t.end - 1]!.end),
          scope: t.scopeEnd > t.scopeStart ? text.slice(tokens[t.scopeStart]!.start, tokens[t.scopeEnd - 1]!.end) : '',
        })),
      });
    }
  }
  return aggregate(id, evidence, findings, uncertainty, rules);
}

/** Sections whose mentions are context, not findings of this study, whichever sections are labeled. */
const CONTEXT_SECTIONS = new Set<SectionName>(['INDICATION', 'COMPARISON']);
const SECTION_CONTEXT: Assessment = { status: 'uncertain', rule: 'hist.context-section', kind: 'history' };

/** One sentence on its way through the pipeline. */
interface SentenceWork {
  text: string;
  start: number;
  end: number;
  section: SectionName;
  tokens: Token[];
  mentions: Mention[];
}

/**
 * Decides every mention of one sentence and appends its evidence; returns the sentence's triggers (null when no
 * mention needed them).
 */
function labelSentence(compiled: CompiledLexicons, s: SentenceWork, evidence: Evidence[]): Trigger[] | null {
  let triggers: Trigger[] | null = null;
  const sentence = s.mentions.length > 0 ? s.text.slice(s.start, s.end) : '';
  // Mentions made uncertain only by being offered as alternatives ("atelectasis versus scarring").
  const alternatives: Evidence[] = [];
  for (const m of s.mentions) {
    // What the span is, by the mention-kind precedence (precedence.ts): an exclusion ("pericardial effusion") hides
    // the findings on it; a finding wins over an abnormality term, an abnormality over a normality statement.
    const entries = countedEntries(m.entries);
    if (entries === null) continue;
    const kind = mentionKindOf(entries);
    const base = { start: m.start, end: m.end, text: s.text.slice(m.start, m.end), sentence, section: s.section };
    if (kind === 'normal') {
      evidence.push({ label: NO_FINDING, value: 1, ...base, rule: entries[0]!.id, ruleKind: 'normal' });
      continue;
    }
    triggers ??= findTriggers(compiled.triggers, s.tokens, tokenFlags(s.tokens), s.text);
    // The indication and comparison sections (read only with `sections: 'all'` or a list naming them) say why the
    // study was done and what other studies showed: no finding of this study (ANNOTATION.md "Scope").
    const a = CONTEXT_SECTIONS.has(s.section) ? SECTION_CONTEXT : decide(triggers, m.tokenStart, m.tokenEnd);
    if (kind === 'abnormality') {
      // A negated or history abnormality says nothing against No Finding.
      if (a.status === 'negative' || a.kind === 'history') continue;
      // A hedged abnormality ("possible scarring") alone gives No Finding -1 (ANNOTATION.md "No Finding").
      const value = a.status === 'uncertain' ? -1 : 0;
      const ev: Evidence = { label: NO_FINDING, value, ...base, rule: a.rule ?? `abnormality:${entries[0]!.id}`, ruleKind: 'abnormality' };
      evidence.push(ev);
      if (isAlternative(a, triggers)) alternatives.push(ev);
      continue;
    }
    if (entries.every((e) => e.descriptor)) {
      const by = attributingTrigger(triggers, s.tokens, s.mentions, m);
      if (by) {
        // The descriptor yields to the diagnosis it is attributed to, but it was observed: "blunting of the
        // costophrenic angle, likely scarring" states an abnormality (No Finding 0) even when the cause is hedged.
        // Only the context decides it: a cue inside the descriptor ("blunting": an indirect sign) is about the finding.
        const own = decide(triggers.filter((t) => t !== by), m.tokenStart, m.tokenEnd, true);
        if (own.status === 'negative' || own.kind === 'history') continue;
        const value = own.status === 'uncertain' ? -1 : 0;
        evidence.push({ label: NO_FINDING, value, ...base, rule: own.rule ?? 'abnormality:attributed-descriptor', ruleKind: 'abnormality' });
        continue;
      }
    }
    // "Small left pleural effusion/hemothorax": alternatives that are the same finding leave it asserted.
    const same = a.kind === 'alternative' && sameFindingAlternative(triggers, s.mentions, m);
    const value = same ? 1 : a.status === 'positive' ? 1 : a.status === 'negative' ? 0 : -1;
    for (const e of entries) {
      if (e.kind !== 'finding' || e.label === null) continue;
      const ev: Evidence = { label: e.label, value, ...base };
      if (e.cui) ev.concept = e.cui;
      if (a.rule && !same) ev.rule = a.rule;
      if (a.kind && !same) ev.ruleKind = a.kind;
      evidence.push(ev);
      if (!same && isAlternative(a, triggers) && alternatives.at(-1)?.start !== ev.start) alternatives.push(ev);
    }
  }
  // Alternatives that are all abnormal ("atelectasis versus scarring", "scarring or atelectasis") leave each one
  // uncertain, but something abnormal is stated: No Finding 0, not the -1 of a hedge (ANNOTATION.md "No Finding").
  if (alternatives.length >= 2) {
    const { start, end, text, section } = alternatives[0]!;
    evidence.push({ label: NO_FINDING, value: 0, start, end, text, sentence, section, rule: ALTERNATIVES_RULE, ruleKind: 'abnormality' });
  }
  return triggers;
}

/** The No Finding evidence of alternatives that are all abnormal. */
const ALTERNATIVES_RULE = 'nofinding.abnormal-alternatives';

/**
 * True when a mention is uncertain only as one of alternatives: "A or B", "A/B", "A versus B" (the deciding rule,
 * found among the sentence's triggers, has `alternatives`: rules.ts).
 */
function isAlternative(a: Assessment, triggers: readonly Trigger[]): boolean {
  if (a.rule === undefined) return false;
  return a.kind === 'alternative' || triggers.some((t) => t.rule.id === a.rule && t.rule.alternatives);
}

/**
 * True when the alternative trigger that covers mention `m` joins it to another mention of the same findings, right
 * across the "or" or "/" ("pleural effusion/hemothorax", "hydrothorax or effusion"): no alternative for that finding.
 */
function sameFindingAlternative(triggers: readonly Trigger[], mentions: readonly Mention[], m: Mention): boolean {
  const labels = new Set(m.entries.filter((e) => e.kind === 'finding').map((e) => e.label));
  for (const t of triggers) {
    if (t.rule.kind !== 'alternative' || m.tokenEnd > t.scopeEnd || m.tokenStart < t.scopeStart) continue;
    const across = (o: Mention) =>
      (m.tokenEnd === t.start && o.tokenStart === t.end) || (m.tokenStart === t.end && o.tokenEnd === t.start);
    if (mentions.some((o) => o !== m && across(o) && o.entries.some((e) => e.kind === 'finding' && labels.has(e.label)))) return true;
  }
  return false;
}

/**
 * The trigger that attributes a descriptor mention to another diagnosis in its clause (null when none does): an attribution trigger after it
 * whose backward scope covers it, or that follows it after one comma (an apposition: "nodular opacities, likely
 * calcified granulomas", also after a placing phrase: "nodular density at the right base, likely a nipple shadow"), and whose forward scope covers another mention ("nodular density [represents] a healing rib
 * fracture").
 */
function attributingTrigger(triggers: readonly Trigger[], tokens: readonly Token[], mentions: readonly Mention[], m: Mention): Trigger | null {
  for (const t of triggers) {
    if (!t.rule.attributes || t.start < m.tokenEnd) continue;
    const comma = appositionComma(tokens, m.tokenEnd);
    const apposition = comma >= 0 && t.start === comma + 1;
    // An uncertainty rule that also attributes ("... XXXX represents a healing rib fracture") scopes forward only: it
    // attributes a descriptor before it in the same clause.
    const sameClause = t.rule.kind !== 'attribution' && !breaksBetween(tokens, m.tokenEnd, t.start);
    if (t.scopeStart > m.tokenStart && !apposition && !sameClause) continue;
    // What the descriptor is attributed to: a mention in the trigger's forward scope, or, for a backward rule whose
    // phrase names the mimic ("..., likely a nipple shadow"), one that starts inside the phrase, in its clause.
    const backward = t.rule.direction === 'backward';
    for (const other of mentions) {
      const after = backward
        ? other.tokenStart >= t.start && other.tokenStart < t.end && !breaksBetween(tokens, t.start, other.tokenEnd)
        : other.tokenStart >= t.end && other.tokenEnd <= t.scopeEnd;
      if (other !== m && after) {
        if (other.entries.some((e) => e.kind === 'abnormality' || (e.kind === 'finding' && !e.descriptor))) return t;
      }
    }
  }
  return null;
}

const CLAUSE_BREAKS = new Set([';', ':', '.', '(', ')', '!', '?']);

/** True when a clause boundary lies between tokens [from, to). */
function breaksBetween(tokens: readonly Token[], from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (CLAUSE_BREAKS.has(tokens[k]!.norm)) return true;
  return false;
}

/** Prepositions that place a descriptor ("nodular density in the right base, likely ..."); lexicons/vocabulary/attribution.json. */
const PLACING = new Set<string>();
/** Words that end a placing phrase: a verb or a conjunction starts something else. */
const NOT_PLACING = new Set<string>();
let bound: Vocabulary | null = null;

/** Compiles the vocabulary in force into the sets above (once; again only when it changes). */
function bindVocabulary(): void {
  const v = currentVocabulary();
  if (v === bound) return;
  refill(PLACING, v, 'placing.prepositions');
  refill(NOT_PLACING, v, 'placing.not-placing');
  bound = v;
}

/**
 * The comma of an apposition after a descriptor ending at token `end`: the comma right after it, or after a short
 * phrase that places it ("nodular density at the right base, likely a nipple shadow"); -1 when there is none.
 */
function appositionComma(tokens: readonly Token[], end: number): number {
  if (tokens[end]?.norm === ',') return end;
  if (!PLACING.has(tokens[end]?.norm ?? '')) return -1;
  for (let k = end + 1; k < tokens.length && k <= end + 8; k++) {
    const t = tokens[k]!;
    if (t.norm === ',') return k;
    if (t.kind === 'punct' || NOT_PLACING.has(t.norm)) return -1;
  }
  return -1;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return `an object with keys ${Object.keys(v).join(', ') || '(none)'}`;
  return `a ${typeof v}`;
}
