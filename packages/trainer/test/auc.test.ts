import test from 'ava';
import { spawnSync } from 'node:child_process';
import { rocAuc, rocCurve } from '../src/metrics/auc.js';
import { MetricInputError } from '../src/errors.js';

/** Pairwise definition: P(score+ > score-) + P(tie) / 2, what scikit-learn's trapezoidal ROC area equals. */
function pairwiseAuc(scores: number[], labels: number[]): number {
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      const a = scores[i] as number;
      const b = scores[j] as number;
      sum += a > b ? 1 : a === b ? 0.5 : 0;
    }
  }
  return sum / pairs;
}

/** Trapezoidal area under a ROC curve. */
function trapezoid(fpr: number[], tpr: number[]): number {
  let area = 0;
  for (let i = 1; i < fpr.length; i++) area += (((fpr[i] as number) - (fpr[i - 1] as number)) * ((tpr[i] as number) + (tpr[i - 1] as number))) / 2;
  return area;
}

test('the scikit-learn documentation example gives 0.75', (t) => {
  // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
  t.is(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
});

test('a tie between a positive and a negative counts one half', (t) => {
  // pairs: (0.5+, 0.5-) = 1/2, (0.5+, 0.2-) = 1  ->  1.5 / 2
  t.is(rocAuc([0.5, 0.5, 0.2], [1, 0, 0]), 0.75);
});

test('ties across several groups match the hand count 6.5 / 9', (t) => {
  // positives 0.2, 0.6, 0.9; negatives 0.2, 0.2, 0.6: 0.2+ -> 0.5 + 0.5 + 0; 0.6+ -> 1 + 1 + 0.5; 0.9+ -> 3
  t.true(Math.abs(rocAuc([0.2, 0.2, 0.2, 0.6, 0.6, 0.9], [0, 1, 0, 1, 0, 1]) - 6.5 / 9) < 1e-15);
});

test('all scores tied give 0.5; perfect and reversed rankings give 1 and 0', (t) => {
  t.is(rocAuc([3, 3, 3, 3], [0, 1, 1, 0]), 0.5);
  t.is(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1);
  t.is(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 0);
});

test('equals the pairwise definition to 1e-12 on random scores with many ties', (t) => {
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let trial = 0; trial < 20; trial++) {
    const n = 50 + trial * 13;
    const labels = Array.from({ length: n }, () => (rand() < 0.3 ? 1 : 0));
    labels[0] = 1;
    labels[1] = 0;
    // Scores rounded to one decimal: plenty of ties, within and across classes.
    const scores = labels.map((l) => Math.round((rand() + l * 0.3) * 10) / 10);
    t.true(Math.abs(rocAuc(scores, labels) - pairwiseAuc(scores, labels)) < 1e-12);
  }
});

test('one label value only gives NaN (scikit-learn raises: undefined)', (t) => {
  t.true(Number.isNaN(rocAuc([0.1, 0.9], [1, 1])));
  t.true(Number.isNaN(rocAuc([0.1, 0.9], [0, 0])));
});

test('bad inputs throw a MetricInputError that says what was found', (t) => {
  t.throws(() => rocAuc([0.1, 0.2], [0]), { instanceOf: MetricInputError, message: /2 scores and 1 labels/ });
  t.throws(() => rocAuc([0.1, Number.NaN], [0, 1]), { instanceOf: MetricInputError, message: /finite scores, found NaN/ });
  t.throws(() => rocAuc([0.1, 0.2], [0, -1]), { instanceOf: MetricInputError, message: /labels 0 or 1.*found -1/ });
});

test('rocCurve gives scikit-learn drop_intermediate=False points and its area equals rocAuc', (t) => {
  const curve = rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
  t.deepEqual(curve.fpr, [0, 0, 0.5, 0.5, 1]);
  t.deepEqual(curve.tpr, [0, 0.5, 0.5, 1, 1]);
  t.deepEqual(curve.thresholds, [Number.POSITIVE_INFINITY, 0.8, 0.4, 0.35, 0.1]);
  const scores = [0.2, 0.2, 0.2, 0.6, 0.6, 0.9];
  const labels = [0, 1, 0, 1, 0, 1];
  const c = rocCurve(scores, labels);
  t.true(Math.abs(trapezoid(c.fpr, c.tpr) - rocAuc(scores, labels)) < 1e-15);
});

/** Deterministic cases with heavy ties (scores rounded to a few levels), rare positives and float32-like scores. */
function sklearnCases(): { scores: number[]; labels: number[] }[] {
  let s = 12345;
  const next = () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
  const cases: { scores: number[]; labels: number[] }[] = [];
  for (const [n, levels, rate] of [
    [50, 3, 0.5],
    [200, 10, 0.1],
    [1000, 0, 0.3],
    [997, 100, 0.02],
    [5000, 7, 0.5],
  ] as const) {
    const labels: number[] = [];
    const scores: number[] = [];
    for (let i = 0; i < n; i++) {
      const y = next() < rate ? 1 : 0;
      const raw = Math.min(1, Math.max(0, next() * 0.8 + y * 0.2));
      labels.push(y);
      scores.push(levels > 0 ? Math.round(raw * levels) / levels : Math.fround(raw));
    }
    if (!labels.includes(1)) labels[0] = 1;
    if (!labels.includes(0)) labels[1] = 0;
    cases.push({ scores, labels });
  }
  return cases;
}

test("AUC equals scikit-learn's roc_auc_score to 1e-9 (Debian's python3-sklearn, where installed)", (t) => {
  const python = process.env.CXR8_PYTHON ?? '/usr/bin/python3';
  const cases = sklearnCases();
  const script = 'import json,sys\nfrom sklearn.metrics import roc_auc_score\ncases=json.load(sys.stdin)\nprint(json.dumps([roc_auc_score(c["labels"], c["scores"]) for c in cases]))';
  const run = spawnSync(python, ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' });
  if (run.error !== undefined || run.status !== 0) {
    t.log(`skipped: scikit-learn is not available to ${python} (apt-get install python3-sklearn): ${run.error?.message ?? run.stderr.trim().split('\n').pop()}`);
    t.pass();
    return;
  }
  const expected = JSON.parse(run.stdout) as number[];
  t.is(expected.length, cases.length);
  cases.forEach((c, i) => {
    const ours = rocAuc(c.scores, c.labels);
    t.true(Math.abs(ours - (expected[i] as number)) < 1e-9, `case ${i}: ours ${ours}, scikit-learn ${expected[i]}`);
  });
});
