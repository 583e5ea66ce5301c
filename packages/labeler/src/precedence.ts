/**
 * The labeler's three precedences, written here and nowhere else: which rule kind decides a mention's status
 * (`decide` in assess.ts applies it), which kind of lexicon entry a mention is when one span is several
 * (`mentionKindOf`, used by pipeline.ts), and which label value wins when a finding has several mentions
 * (`strongerValue`, used by aggregate.ts: 1 over -1 over 0). rules.ts validates rule files against {@link RULE_KINDS}; the order of
 * that list is the precedence.
 *
 * Rule kinds, strongest first:
 *
 *   pseudo  >  termination  >  pre-negation uncertainty  >  negation  >  post-negation uncertainty  >  history
 *     >  alternative  >  (attribution: no status)  >  positive
 *
 * - `pseudo` ("no change in", "not only") hides the triggers it overlaps and decides nothing;
 * - `termination` ("but", "however") ends scopes and decides nothing;
 * - "cannot exclude pneumonia": pre-negation uncertainty wins over the negation inside it -> uncertain;
 * - "no opacity to suggest pneumonia": the negation covers "pneumonia" and wins over "suggest" -> negative;
 * - "history of pneumonia", "evaluate for pneumothorax": history context -> uncertain (in a report: no label);
 * - "pleural effusions or pneumothorax": a disjunction asserts neither side -> uncertain; the weakest kind, so "no
 *   effusion or pneumothorax" stays negative and "evaluate for effusion or pneumothorax" stays history;
 * - `attribution` ("represents", "consistent with") lets a descriptor yield to the diagnosis it is attributed to.
 * A mention that no deciding rule covers is positive.
 */
import type { MatchEntry, MatchKind } from './match.js';
import type { LabelValue, MentionStatus } from './types.js';

/**
 * The kinds of rule, in the order of precedence.
 *
 * @example
 * ```ts
 * RULE_KINDS.indexOf('negation') < RULE_KINDS.indexOf('history'); // true: "no history of X" is negative
 * ```
 */
export const RULE_KINDS = [
  'pseudo',
  'termination',
  'pre-negation-uncertainty',
  'negation',
  'post-negation-uncertainty',
  'history',
  'alternative',
  'attribution',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** The status each kind gives a mention it covers; null for the kinds that decide none. */
const STATUS_OF: Readonly<Record<RuleKind, MentionStatus | null>> = {
  pseudo: null,
  termination: null,
  'pre-negation-uncertainty': 'uncertain',
  negation: 'negative',
  'post-negation-uncertainty': 'uncertain',
  history: 'uncertain',
  alternative: 'uncertain',
  attribution: null,
};

/**
 * The rank of a kind among the kinds that decide a status (0 strongest), or -1 for pseudo, termination and
 * attribution, which decide none.
 *
 * @example
 * ```ts
 * deciderRank('pre-negation-uncertainty'); // 0
 * deciderRank('termination'); // -1
 * ```
 */
export function deciderRank(kind: RuleKind): number {
  return RANK.get(kind) ?? -1;
}

/** The number of kinds that decide a status (one past the weakest rank). */
export const DECIDER_COUNT = RULE_KINDS.filter((k) => STATUS_OF[k] !== null).length;
const RANK = new Map<RuleKind, number>(RULE_KINDS.filter((k) => STATUS_OF[k] !== null).map((k, i) => [k, i]));

/**
 * The status a deciding kind gives ('positive' for the kinds that decide none).
 *
 * @example
 * ```ts
 * statusOf('negation'); // 'negative'
 * ```
 */
export function statusOf(kind: RuleKind): MentionStatus {
  return STATUS_OF[kind] ?? 'positive';
}

/**
 * Kinds of lexicon entry, strongest first, for a span that several entries share: an exclusion ("pericardial
 * effusion") hides the findings on its span (other vocabulary on it still counts); a finding wins over an abnormality
 * term, and an abnormality over a normality statement.
 *
 * @example
 * ```ts
 * MENTION_KINDS[0]; // 'exclusion'
 * ```
 */
export const MENTION_KINDS: readonly MatchKind[] = ['exclusion', 'finding', 'abnormality', 'normal'];

const MENTION_RANK = Object.fromEntries(MENTION_KINDS.map((k, i) => [k, i])) as Readonly<Record<MatchKind, number>>;

/**
 * The entries of a mention that count, by {@link MENTION_KINDS}: all of them, unless an exclusion is among them, which
 * removes the findings and itself; null when nothing is left (an exclusion alone).
 *
 * @example
 * ```ts
 * countedEntries([{ kind: 'exclusion', ... }, { kind: 'finding', ... }]); // null: "pericardial effusion" is no Effusion
 * ```
 */
export function countedEntries(entries: MatchEntry[]): MatchEntry[] | null {
  if (!entries.some((e) => e.kind === 'exclusion')) return entries;
  const kept = entries.filter((e) => MENTION_RANK[e.kind] > MENTION_RANK.finding);
  return kept.length > 0 ? kept : null;
}

/**
 * The strongest kind among a mention's counted entries, by {@link MENTION_KINDS}.
 *
 * @example
 * ```ts
 * mentionKindOf([{ kind: 'abnormality', ... }, { kind: 'finding', ... }]); // 'finding'
 * ```
 */
export function mentionKindOf(entries: readonly MatchEntry[]): MatchKind {
  let best = entries[0]!.kind;
  for (let i = 1; i < entries.length; i++) if (MENTION_RANK[entries[i]!.kind] < MENTION_RANK[best]) best = entries[i]!.kind;
  return best;
}

/**
 * Label values, strongest first, for a finding that several mentions give a value: a positive mention wins over an
 * uncertain one, an uncertain one over a negative one ("No effusion. Small left effusion." is Effusion 1).
 *
 * @example
 * ```ts
 * VALUE_PRECEDENCE; // [1, -1, 0]
 * ```
 */
export const VALUE_PRECEDENCE: readonly LabelValue[] = [1, -1, 0];

/**
 * True when value `v` wins over `prev` by {@link VALUE_PRECEDENCE} (any value wins over none).
 *
 * @example
 * ```ts
 * strongerValue(-1, 0); // true
 * strongerValue(0, -1); // false
 * strongerValue(0, undefined); // true
 * ```
 */
export function strongerValue(v: LabelValue, prev: LabelValue | undefined): boolean {
  return prev === undefined || VALUE_PRECEDENCE.indexOf(v) < VALUE_PRECEDENCE.indexOf(prev);
}
