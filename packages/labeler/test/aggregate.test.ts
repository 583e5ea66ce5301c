import test from 'ava';
import { aggregate } from '../src/aggregate.js';
import type { Evidence } from '../src/types.js';

const ev = (label: Evidence['label'], value: Evidence['value'], extra: Partial<Evidence> = {}): Evidence => ({
  label,
  value,
  start: 0,
  end: 1,
  text: 'x',
  sentence: 'x.',
  section: 'FINDINGS',
  ...extra,
});

test('positive wins over uncertain and negative', (t) => {
  t.is(aggregate('r', [ev('Effusion', 0), ev('Effusion', 1), ev('Effusion', -1)], ['Effusion']).labels.Effusion, 1);
});

test('uncertain wins over negative', (t) => {
  t.is(aggregate('r', [ev('Effusion', 0), ev('Effusion', -1)], ['Effusion']).labels.Effusion, -1);
});

test('a finding without mentions has no value; No Finding is 1 when nothing is asserted', (t) => {
  t.deepEqual(aggregate('r', [ev('Effusion', 0)], ['Effusion', 'Edema']).labels, { Effusion: 0, 'No Finding': 1 });
});

test('an abnormality outside the label set blocks No Finding', (t) => {
  const labels = aggregate('r', [ev('No Finding', 0, { ruleKind: 'abnormality' })], ['Effusion']).labels;
  t.is(labels['No Finding'], 0);
});

test('history context does not block No Finding', (t) => {
  t.is(aggregate('r', [ev('Pneumonia', -1, { ruleKind: 'history' })], ['Pneumonia']).labels['No Finding'], 1);
});

test('uncertainty policy folds -1 into 1 or 0', (t) => {
  t.is(aggregate('r', [ev('Edema', -1)], ['Edema'], 'positive').labels.Edema, 1);
  t.is(aggregate('r', [ev('Edema', -1)], ['Edema'], 'negative').labels.Edema, 0);
});

test('findings outside the label set are dropped', (t) => {
  t.is(aggregate('r', [ev('Hernia', 1)], ['Effusion']).labels.Hernia, undefined);
});

test('a history mention gives no value (blank), whatever else is said about the finding (issue 13)', (t) => {
  const labels = aggregate('r', [ev('Effusion', -1, { ruleKind: 'history' }), ev('Effusion', 0)], ['Effusion']).labels;
  t.is(labels.Effusion, 0);
  t.is(aggregate('r', [ev('Effusion', -1, { ruleKind: 'history' })], ['Effusion']).labels.Effusion, undefined);
});

test('No Finding is never 1 beside a finding of 1 or -1, under every uncertainty policy', (t) => {
  for (const policy of ['uncertain', 'positive', 'negative'] as const) {
    for (const value of [1, -1] as const) {
      const labels = aggregate('r', [ev('Edema', value), ev('No Finding', 1, { ruleKind: 'normal' })], ['Edema'], policy).labels;
      t.false(labels['No Finding'] === 1 && (labels.Edema === 1 || labels.Edema === -1), `${policy} ${value}`);
    }
    const hist = aggregate('r', [ev('Pneumonia', -1, { ruleKind: 'history' })], ['Pneumonia'], policy).labels;
    t.deepEqual(hist, { 'No Finding': 1 }, policy);
  }
});
