import test from 'ava';
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
