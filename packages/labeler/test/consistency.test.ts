/**
 * Labels that agree with each other (issue 13, item 4; ANNOTATION.md "Values" and "Scope"):
 * - history, indication, "evaluate for" and "rule out" mentions are not findings of this study: blank;
 * - "now clear", "resolved" are 0;
 * - No Finding 1 never stands beside a finding of 1 or -1, under every `uncertainty` policy: a property over the
 *   1,540 OpenI dev reports (skipped with a message when ../shared/data is absent) and the challenge snippets.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FINDINGS_14, NO_FINDING } from '../src/findings.js';
import { hasOpenIDev, openIDevPaths, readOpenIDev } from './helpers/openi-dev.js';
import { createLabeler } from '../src/pipeline.js';
import type { LabeledReport, LabelerOptions } from '../src/types.js';

const POLICIES = ['uncertain', 'positive', 'negative'] as const;
const labelers = new Map(POLICIES.map((p) => [p, createLabeler({ uncertainty: p })]));
const labelerOf = (p: (typeof POLICIES)[number]) => labelers.get(p)!;

/**
 * What contradicts the No Finding of `r`, as "Finding=value": a finding of 1 or -1 beside No Finding 1, a finding of 1
 * beside No Finding -1 (ANNOTATION.md "No Finding": -1 only when the only abnormality is hedged), a No Finding -1
 * without its `nofinding.only-hedged` evidence, and, under a folding policy, any -1 at all.
 */
function contradictions(r: LabeledReport, policy: (typeof POLICIES)[number] = 'uncertain'): string[] {
  const nf = r.labels[NO_FINDING];
  const bad: string[] = [];
  if (nf === 1) bad.push(...FINDINGS_14.filter((f) => r.labels[f] === 1 || r.labels[f] === -1).map((f) => `${f}=${r.labels[f]}`));
  if (nf === -1) {
    bad.push(...FINDINGS_14.filter((f) => r.labels[f] === 1).map((f) => `${f}=1 beside No Finding -1`));
    if (!r.evidence.some((e) => e.label === NO_FINDING && e.rule === 'nofinding.only-hedged')) bad.push('No Finding -1 without its evidence');
  }
  if (policy !== 'uncertain') {
    bad.push(...Object.entries(r.labels).filter(([, v]) => v === -1).map(([label]) => `${label}=-1 under '${policy}'`));
  }
  return bad;
}

const example = 'IMPRESSION: History of pneumonia, now clear.';
for (const uncertainty of POLICIES) {
  test(`"${example}" is Pneumonia 0 and No Finding 1 (uncertainty '${uncertainty}')`, (t) => {
    t.deepEqual(labelerOf(uncertainty).label(example).labels, { Pneumonia: 0, 'No Finding': 1 });
  });
}

const blank: ReadonlyArray<[string, string]> = [
  ['History of pneumonia.', 'Pneumonia'],
  ['Patient with a history of congestive heart failure and cardiomegaly.', 'Cardiomegaly'],
  ['Evaluate for pneumothorax.', 'Pneumothorax'],
  ['Rule out pneumonia.', 'Pneumonia'],
  ['Fever, r/o pneumonia. Lungs are clear.', 'Pneumonia'],
  ['Several nodules were identified on the prior chest CT.', 'Nodule'],
  ['Please correlate clinically for pneumonia.', 'Pneumonia'],
];
for (const [text, finding] of blank) {
  test(`history or indication context is blank: "${text}"`, (t) => {
    for (const uncertainty of POLICIES) {
      const r = labelerOf(uncertainty).label(text);
      t.is(r.labels[finding as 'Pneumonia'], undefined, uncertainty);
      t.is(r.labels[NO_FINDING], 1, uncertainty);
    }
  });
}

test('the indication section is context under every section policy, also when it is labeled', (t) => {
  const text = 'INDICATION: Pneumonia. Rule out effusion.\nFINDINGS: Lungs are clear.';
  for (const sections of ['findings-impression', 'all', ['INDICATION', 'FINDINGS']] satisfies Array<LabelerOptions['sections']>) {
    const r = createLabeler({ sections }).label(text);
    t.deepEqual(r.labels, { 'No Finding': 1 }, JSON.stringify(sections));
  }
});

const resolved: ReadonlyArray<[string, string]> = [
  ['Right lower lobe pneumonia, now resolved.', 'Pneumonia'],
  ['The left pleural effusion has resolved.', 'Effusion'],
  ['Resolved right pneumothorax.', 'Pneumothorax'],
  ['The pneumonia is now clear.', 'Pneumonia'],
  ['Left basilar atelectasis, resolved.', 'Atelectasis'],
  ['Pulmonary edema has since cleared.', 'Edema'],
];
for (const [text, finding] of resolved) {
  test(`"now clear" / "resolved" is 0: "${text}"`, (t) => {
    t.is(labelerOf('uncertain').label(text).labels[finding as 'Pneumonia'], 0);
  });
}

test('a status after a comma that opens its own phrase stays with that phrase: "small effusion, resolved pneumothorax"', (t) => {
  t.like(labelerOf('uncertain').label('Small left effusion, resolved pneumothorax.').labels, { Effusion: 1, Pneumothorax: 0 });
});

const challenge = readFileSync(fileURLToPath(new URL('./fixtures/challenge.jsonl', import.meta.url)), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => (JSON.parse(l) as { text: string }).text);

for (const uncertainty of POLICIES) {
  test(`challenge snippets: No Finding 1 never beside a finding of 1 or -1, No Finding -1 never beside a 1, no -1 under a folding policy (uncertainty '${uncertainty}')`, (t) => {
    const bad = challenge
      .map((text) => ({ text, c: contradictions(labelerOf(uncertainty).label(text), uncertainty) }))
      .filter((x) => x.c.length > 0)
      .map((x) => `${x.c.join(' ')}: ${x.text}`);
    t.true(challenge.length >= 700);
    t.deepEqual(bad, []);
  });
}

const paths = openIDevPaths();
if (!hasOpenIDev(paths)) {
  test(`openi-dev label consistency (skipped: ${paths.dir} absent)`, (t) => t.pass());
} else {
  const dev = readOpenIDev(paths);
  for (const uncertainty of POLICIES) {
    test(`openi-dev: No Finding 1 never beside a finding of 1 or -1, No Finding -1 never beside a 1, no -1 under a folding policy (uncertainty '${uncertainty}')`, (t) => {
      const bad: string[] = [];
      for (const report of dev.reports) {
        const c = contradictions(labelerOf(uncertainty).label(report), uncertainty);
        if (c.length > 0) bad.push(`${report.id}: ${c.join(' ')}`);
      }
      t.is(dev.reports.length, 1540);
      t.deepEqual(bad, []);
    });
  }

  test('openi-dev: some reports are No Finding -1 (the only abnormality hedged)', (t) => {
    t.true(dev.reports.some((r) => labelerOf('uncertain').label(r).labels[NO_FINDING] === -1));
  });

  test("openi-dev with labelSet '8': No Finding 1 never beside any of the 14 findings at 1 or -1", (t) => {
    const eight = createLabeler({ labelSet: '8' });
    const bad: string[] = [];
    for (const report of dev.reports) {
      const nf = eight.label(report).labels[NO_FINDING];
      const all = labelerOf('uncertain').label(report).labels;
      if (nf === 1 && FINDINGS_14.some((f) => all[f] === 1 || all[f] === -1)) bad.push(report.id);
    }
    t.deepEqual(bad, []);
  });

  test('openi-dev: every finding evidence of 0 or -1 names the rule that decided it (issue 8, "evidence that explains")', (t) => {
    const unnamed: string[] = [];
    for (const report of dev.reports) {
      for (const e of labelerOf('uncertain').label(report).evidence) {
        if (e.label !== NO_FINDING && e.value !== 1 && (e.rule === undefined || e.ruleKind === undefined)) unnamed.push(`${report.id} ${e.label}: ${e.sentence}`);
      }
    }
    t.deepEqual(unnamed, []);
  });

  test('openi-dev: the uncertainty policies differ only in how -1 is folded', (t) => {
    let uncertain = 0;
    const bad: string[] = [];
    for (const report of dev.reports) {
      const keep = labelerOf('uncertain').label(report).labels;
      const pos = labelerOf('positive').label(report).labels;
      const neg = labelerOf('negative').label(report).labels;
      for (const f of FINDINGS_14) {
        const v = keep[f];
        if (v === -1) uncertain++;
        if (pos[f] !== (v === -1 ? 1 : v) || neg[f] !== (v === -1 ? 0 : v)) bad.push(`${report.id} ${f}: ${v} ${pos[f]} ${neg[f]}`);
      }
    }
    t.true(uncertain > 0);
    t.deepEqual(bad, []);
  });
}
