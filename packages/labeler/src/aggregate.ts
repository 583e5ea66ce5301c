/**
 * Stage 7: aggregate the mention decisions of a report into one value per label.
 *
 * Per finding: positive (1) wins over uncertain (-1), uncertain over negative (0); a finding without mentions has no
 * value. A mention in history or indication context ("history of pneumonia", "evaluate for pneumothorax", "rule out
 * pneumonia", "seen on the prior CT") is not a finding of this study: it gives no value (blank, ANNOTATION.md "Scope";
 * issue 13) and its evidence is kept, with `ruleKind: 'history'`, only to show why. No Finding (the paper's "Normal"):
 * 1 when nothing abnormal is asserted or suspected, that is, no finding of the label set and no term of the broader
 * abnormality vocabulary is positive or uncertain (history context does not count), which includes a report with no
 * text in the labeled sections (nothing is detected: the paper's rule); 0 otherwise. Statements of normality ("no
 * acute cardiopulmonary disease") are kept as its evidence. The invariant, under every uncertainty policy: No Finding
 * is never 1 beside a finding of 1 or -1 (checked on the folded values, not only on the evidence).
 */
import { NO_FINDING, type Finding } from './findings.js';
import type { Evidence, LabeledReport, LabelValue } from './types.js';

/** How uncertain mentions are reported: as -1 (default), or folded into positive or negative. */
export type UncertaintyPolicy = 'uncertain' | 'positive' | 'negative';

const RANK: Record<LabelValue, number> = { 1: 3, [-1]: 2, 0: 1 } as Record<LabelValue, number>;

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

/**
 * Aggregates evidence into labels.
 *
 * @example
 * ```ts
 * aggregate('r1', [
 *   { label: 'Effusion', value: 0, start: 3, end: 11, text: 'effusion', sentence: 'No effusion.', section: 'FINDINGS', rule: 'neg.no' },
 *   { label: 'Effusion', value: 1, start: 20, end: 28, text: 'effusion', sentence: 'Small effusion.', section: 'IMPRESSION' },
 * ], ['Effusion']).labels; // { Effusion: 1, 'No Finding': 0 }
 * ```
 */
export function aggregate(
  id: string,
  evidence: Evidence[],
  findings: readonly Finding[],
  uncertainty: UncertaintyPolicy = 'uncertain',
): LabeledReport {
  const labels: LabeledReport['labels'] = {};
  const allowed = new Set<string>(findings);
  let blocked = false;
  for (const e of evidence) {
    if (e.label !== NO_FINDING && !allowed.has(e.label)) continue;
    if (blocksNoFinding(e)) blocked = true;
    // History and indication context: not a finding of this study (blank), and no evidence against No Finding.
    if (e.label === NO_FINDING || e.ruleKind === 'history') continue;
    const v = fold(e.value, uncertainty);
    if (v !== 0) blocked = true;
    const prev = labels[e.label];
    if (prev === undefined || RANK[v] > RANK[prev]) labels[e.label] = v;
  }
  labels[NO_FINDING] = blocked ? 0 : 1;
  return { id, labels, evidence };
}

function fold(v: LabelValue, policy: UncertaintyPolicy): LabelValue {
  if (v !== -1 || policy === 'uncertain') return v;
  return policy === 'positive' ? 1 : 0;
}
