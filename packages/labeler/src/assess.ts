/**
 * Stage 6: decide whether a mention is positive, negative or uncertain, from the triggers of its sentence whose scope
 * covers it (see structure.ts), by the one precedence of rule kinds, written in precedence.ts and nowhere else (the
 * strongest deciding kind among the covering triggers decides; no deciding trigger: positive).
 * - "cannot exclude pneumonia": pre-negation uncertainty wins over the negation inside it -> uncertain.
 * - "no evidence of pneumonia, possibly atelectasis": each mention gets the rule that covers it.
 * A trigger inside the span of a mention ("heart is not enlarged") covers it too.
 */
import { LabelerArgumentError } from './errors.js';
import { defaultLexiconDir } from './lexicon.js';
import { DECIDER_COUNT, deciderRank, statusOf, type RuleKind } from './precedence.js';
import { compileTriggers, loadRules, type Rule, type TriggerNode } from './rules.js';
import { findTriggers, tokenFlags, type Trigger } from './structure.js';
import { tokenize } from './tokens.js';
import type { MentionStatus } from './types.js';

/** The outcome for one mention. */
export interface Assessment {
  status: MentionStatus;
  /** The id of the rule that decided; absent for a positive mention. */
  rule?: string;
  /** The kind of the deciding rule. */
  kind?: RuleKind;
}

/**
 * Decides a mention covering tokens [ms, me) given the triggers of its sentence. A trigger inside the mention covers
 * it too ("the heart is not enlarged" is one lexicon mention with "not" inside), unless `spanIsConcept`: a span given
 * by the caller of `assessMention` is the concept, cues in it included ("heart size is normal" asserts that span).
 *
 * @example
 * ```ts
 * const toks = tokenize('No effusion or pneumothorax.');
 * decide(findTriggers(trie, toks), 3, 4); // { status: 'negative', rule: 'neg.no', kind: 'negation' }
 * ```
 */
export function decide(triggers: readonly Trigger[], ms: number, me: number, spanIsConcept = false): Assessment {
  let bestRank = DECIDER_COUNT;
  let best: Rule | null = null;
  for (const t of triggers) {
    const rank = deciderRank(t.rule.kind);
    if (rank < 0 || rank >= bestRank) continue;
    const outside = (t.end <= ms || t.start >= me) && t.scopeStart <= ms && me <= t.scopeEnd;
    const inside = !spanIsConcept && t.start >= ms && t.end <= me;
    // A mention in the gap of a trigger phrase ("favor [atelectasis] over pneumonia") is what the phrase is about.
    const within = t.start < ms && me <= t.end;
    if (outside || inside || within) {
      bestRank = rank;
      best = t.rule;
    }
  }
  if (!best) return { status: 'positive' };
  return { status: statusOf(best.kind), rule: best.id, kind: best.kind };
}

let defaultTrie: TriggerNode | null = null;

/**
 * Runs the negation and uncertainty engine on a concept span of your own: `start`/`end` are character offsets of the
 * mention in `sentence` (end exclusive). Uses the bundled rules unless `triggers` (from `compileTriggers`) is given.
 * The span is the concept: a cue inside it belongs to it and does not decide (ANNOTATION.md, last section), so the
 * span "heart size is normal" in "Heart size is normal." is positive, and "cardiomegaly" in "No cardiomegaly." negative.
 *
 * @example
 * ```ts
 * const s = 'The lungs are clear of focal airspace disease, pneumothorax, or pleural effusion.';
 * assessMention(s, { start: s.indexOf('pneumothorax'), end: s.indexOf('pneumothorax') + 12 });
 * // { status: 'negative', rule: 'neg.clear-of' }
 * assessMention('Cannot exclude pneumonia.', { start: 15, end: 24 }); // { status: 'uncertain', rule: 'unc.cannot-exclude' }
 * ```
 */
export function assessMention(
  sentence: string,
  span: { start: number; end: number },
  triggers?: TriggerNode,
): { status: MentionStatus; rule?: string } {
  if (
    !Number.isInteger(span.start) ||
    !Number.isInteger(span.end) ||
    span.start < 0 ||
    span.end > sentence.length ||
    span.start >= span.end
  ) {
    throw new LabelerArgumentError(
      `assessMention: expected 0 <= start < end <= ${sentence.length} (the sentence length), found start ${span.start}, end ${span.end}`,
    );
  }
  const trie = triggers ?? (defaultTrie ??= compileTriggers(loadRules([defaultLexiconDir()])));
  const tokens = tokenize(sentence);
  let ms = -1;
  let me = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.end > span.start && t.start < span.end) {
      if (ms < 0) ms = i;
      me = i + 1;
    }
  }
  if (ms < 0) {
    throw new LabelerArgumentError(`assessMention: expected the span to cover a word, found "${sentence.slice(span.start, span.end)}"`);
  }
  const a = decide(findTriggers(trie, tokens, tokenFlags(tokens), sentence), ms, me, true);
  return a.rule === undefined ? { status: a.status } : { status: a.status, rule: a.rule };
}
