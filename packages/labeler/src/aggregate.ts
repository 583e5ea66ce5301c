/**
 * Stage 7: aggregate the mention decisions of a report into one value per label.
 *
 * Per finding: positive (1) wins over uncertain (-1), uncertain over negative (0) (the value precedence, written in
 * precedence.ts); a finding without mentions has no value. A mention in history or indication context ("history of pneumonia", "evaluate for pneumothorax", "rule out
 * pneumonia", "seen on the prior CT") is not a finding of this study: it gives no value (blank, ANNOTATION.md "Scope";
 * issue 13) and its evidence is kept, with `ruleKind: 'history'`, only to show why. No Finding (the paper's "Normal",
 * ANNOTATION.md "No Finding"): 0 when something abnormal is asserted (a finding of any set, or a term of the broader
 * abnormality vocabulary), -1 when the only abnormality is hedged (rule `nofinding.only-hedged`), 1 when nothing
 * abnormal is stated or suspected (history context does not count), which includes a report with no text in the
 * labeled sections (nothing is detected: the paper's rule). Statements of normality ("no acute cardiopulmonary
 * disease") are kept as its evidence. The invariant, under every uncertainty policy: No Finding is never 1 beside a
 * finding of 1 or -1 (checked on the folded values, not only on the evidence).
 */
import { NO_FINDING } from './findings.js';
import { strongerValue } from './precedence.js';
import type { Evidence, LabeledReport, LabelValue } from './types.js';

/** How uncertain mentions are reported: as -1 (default), or folded into positive or negative. */
export type UncertaintyPolicy = 'uncertain' | 'positive' | 'negative';

/**
 * True when a piece of evidence blocks No Finding: a positive or uncertain finding, or an abnormality of the broader
 * vocabulary; history context never does.
 *
 * @example
 * ```ts
 * blocksNoFinding({ label: 'Edema', value: -1, start: 0, end: 5, text: 'edema', sentence: 'Possible edema.', section: '' }); // true
 * ```
 */
export function blocksNoFinding(e: Evidence): boolean {
  if (e.ruleKind === 'history') return false;
  if (e.label === NO_FINDING) return e.ruleKind === 'abnormality';
  return e.value === 1 || e.value === -1;
}

/** The No Finding rule's evidence id when the only abnormality is hedged (No Finding -1). */
export const ONLY_HEDGED_RULE = 'nofinding.only-hedged';

/** Options of {@link aggregate} beyond the uncertainty policy. */
export interface AggregateOptions {
  /**
   * Findings that never decide No Finding, wherever they are mentioned: CheXpert's No Finding ignores Support
   * Devices (docs/label-sets.md). Default: none.
   */
  noFindingIgnores?: ReadonlySet<string>;
  /** Lexicon finding name -> the label set's name for it ("Effusion" -> "Pleural Effusion"); evidence is relabeled. */
  rename?: ReadonlyMap<string, string>;
  /**
   * Parent-child links, children first: a parent gets the strongest of its own value and its children's 1 and -1
   * (an edema is a lung opacity; a negative child says nothing about the parent). Children outside `findings` count.
   */
  parents?: ReadonlyArray<readonly [string, readonly string[]]>;
}

/**
 * Aggregates evidence into labels. `findings` are the label set's columns: a finding outside it gets no value, but
 * it still decides No Finding, as any abnormality does (an asserted Emphysema with the 8-class set is No Finding 0).
 *
 * No Finding (ANNOTATION.md "No Finding"): 0 when a finding is 1 or an abnormality of the broader vocabulary is
 * asserted; else -1 when something abnormal is hedged (a finding at -1, or a hedged abnormality: its evidence has
 * value -1), and the report's evidence gets one No Finding entry with rule `nofinding.only-hedged` on the first
 * hedged mention; else 1. Under `uncertainty: 'positive'` a hedge is a positive, so No Finding is 0; under
 * `'negative'` the hedged finding is 0 and No Finding's own -1 folds to 0 like every other -1 (a suspected
 * abnormality is never called normal). So No Finding -1 occurs only under `'uncertain'`, and No Finding 1 is never
 * beside a finding of 1 or -1 under any policy.
 *
 * @example
 * ```ts
 * aggregate('r1', [
 *   { label: 'Effusion', value: 0, start: 3, end: 11, text: 'effusion', sentence: 'No effusion.', section: 'FINDINGS', rule: 'neg.no' },
 *   { label: 'Effusion', value: 1, start: 20, end: 28, text: 'effusion', sentence: 'Small effusion.', section: 'IMPRESSION' },
 * ], ['Effusion']).labels; // { Effusion: 1, 'No Finding': 0 }
 * aggregate('r2', [
 *   { label: 'Pneumonia', value: -1, start: 21, end: 30, text: 'pneumonia', sentence: 'Possible pneumonia.', section: 'IMPRESSION', rule: 'unc.possible' },
 * ], ['Pneumonia']).labels; // { Pneumonia: -1, 'No Finding': -1 }
 * ```
 */
export function aggregate(
  id: string,
  evidence: Evidence[],
  findings: readonly string[],
  uncertainty: UncertaintyPolicy = 'uncertain',
  options: AggregateOptions = {},
): LabeledReport {
  const labels: LabeledReport['labels'] = {};
  const allowed = new Set<string>(findings);
  const ignores = options.noFindingIgnores;
  const rename = options.rename;
  const links = options.parents;
  // Values of findings outside the set, kept only when a parent link needs them.
  const others: Record<string, LabelValue> | null = links && links.length > 0 ? {} : null;
  let asserted = false;
  let hedged: Evidence | undefined;
  for (const e of evidence) {
    if (rename !== undefined && rename.size > 0) {
      const to = rename.get(e.label);
      if (to !== undefined) e.label = to;
    }
    // History and indication context: not a finding of this study (blank), and no evidence against No Finding.
    if (e.ruleKind === 'history') continue;
    if (e.label === NO_FINDING) {
      if (e.ruleKind !== 'abnormality') continue;
      if (e.value === -1 && uncertainty === 'uncertain') hedged ??= e;
      else asserted = true;
      continue;
    }
    const v = fold(e.value, uncertainty);
    if (!ignores?.has(e.label)) {
      if (v === 1) asserted = true;
      else if (v === -1) hedged ??= e;
      // Under 'negative' a hedged finding is 0, and No Finding's own -1 folds to 0 with it.
      else if (e.value === -1) asserted = true;
    }
    const into = (allowed.has(e.label) ? labels : others) as Record<string, LabelValue | undefined> | null;
    if (into === null) continue;
    const prev = into[e.label];
    if (strongerValue(v, prev)) into[e.label] = v;
  }
  if (others !== null) propagate(labels, others, links!);
  if (asserted) labels[NO_FINDING] = 0;
  else if (hedged) {
    labels[NO_FINDING] = -1;
    const { start, end, text, sentence, section } = hedged;
    evidence.push({ label: NO_FINDING, value: -1, start, end, text, sentence, section, rule: ONLY_HEDGED_RULE, ruleKind: 'abnormality' });
  } else labels[NO_FINDING] = 1;
  return { id, labels, evidence };
}

/** Parent links, children first: a parent takes the strongest 1 or -1 of its children (see `AggregateOptions`). */
function propagate(
  labels: LabeledReport['labels'],
  others: Readonly<Record<string, LabelValue>>,
  links: ReadonlyArray<readonly [string, readonly string[]]>,
): void {
  for (const [parent, children] of links) {
    let best = labels[parent];
    for (const c of children) {
      const v = labels[c] ?? others[c];
      if (v === undefined || v === 0) continue;
      if (strongerValue(v, best)) best = v;
    }
    if (best !== undefined) labels[parent] = best;
  }
}

function fold(v: LabelValue, policy: UncertaintyPolicy): LabelValue {
  if (v !== -1 || policy === 'uncertain') return v;
  return policy === 'positive' ? 1 : 0;
}
