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

// No Finding -1 when the only abnormality is hedged (ANNOTATION.md "No Finding").
test('a hedged finding alone makes No Finding -1', (t) => {
  t.is(aggregate('r', [ev('Pneumonia', -1, { rule: 'unc.possible' })], ['Pneumonia']).labels['No Finding'], -1);
});

test('No Finding -1 has evidence with rule nofinding.only-hedged on the hedged mention', (t) => {
  const r = aggregate('r', [ev('Pneumonia', -1, { rule: 'unc.possible', start: 9, end: 18 })], ['Pneumonia']);
  t.like(r.evidence.find((e) => e.label === 'No Finding'), { value: -1, rule: 'nofinding.only-hedged', start: 9, end: 18 });
});

test('a hedged abnormality of the broader vocabulary alone makes No Finding -1', (t) => {
  t.is(aggregate('r', [ev('No Finding', -1, { ruleKind: 'abnormality' })], ['Effusion']).labels['No Finding'], -1);
});

test('an asserted finding beside a hedged one makes No Finding 0', (t) => {
  t.is(aggregate('r', [ev('Pneumonia', -1), ev('Effusion', 1)], ['Pneumonia', 'Effusion']).labels['No Finding'], 0);
});

test('an asserted abnormality beside a hedged finding makes No Finding 0', (t) => {
  t.is(aggregate('r', [ev('Pneumonia', -1), ev('No Finding', 0, { ruleKind: 'abnormality' })], ['Pneumonia']).labels['No Finding'], 0);
});

test('an asserted finding outside the label set makes No Finding 0', (t) => {
  t.is(aggregate('r', [ev('Emphysema', 1)], ['Effusion']).labels['No Finding'], 0);
});

test('a hedged finding outside the label set makes No Finding -1', (t) => {
  t.is(aggregate('r', [ev('Emphysema', -1)], ['Effusion']).labels['No Finding'], -1);
});

test("under 'positive' a hedged finding is 1 and No Finding 0", (t) => {
  t.deepEqual(aggregate('r', [ev('Pneumonia', -1)], ['Pneumonia'], 'positive').labels, { Pneumonia: 1, 'No Finding': 0 });
});

test("under 'negative' a hedged finding is 0 and No Finding's -1 folds to 0", (t) => {
  t.deepEqual(aggregate('r', [ev('Pneumonia', -1)], ['Pneumonia'], 'negative').labels, { Pneumonia: 0, 'No Finding': 0 });
});

test("under 'negative' a hedged abnormality makes No Finding 0", (t) => {
  t.is(aggregate('r', [ev('No Finding', -1, { ruleKind: 'abnormality' })], [], 'negative').labels['No Finding'], 0);
});

test('a finding in noFindingIgnores does not decide No Finding', (t) => {
  const devices = 'Support Devices' as Evidence['label'];
  const r = aggregate('r', [ev(devices, 1)], [devices], 'uncertain', { noFindingIgnores: new Set([devices]) });
  t.deepEqual(r.labels, { 'Support Devices': 1, 'No Finding': 1 });
});
