import test from 'ava';
import { evaluate, formatEvaluation, parseCsv, parseGoldCsv, parsePredictionCsv } from '../src/evaluate.js';
import { EvaluationInputError } from '../src/errors.js';
import { FINDINGS_14 } from '../src/findings.js';

const GOLD_HEADER = `filename,${FINDINGS_14.join(',')},normal`;
const PRED_HEADER = `id,${FINDINGS_14.join(',')},No Finding`;
const row = (id: string, values: Record<number, string>, last: string) =>
  [id, ...FINDINGS_14.map((_, i) => values[i] ?? ''), last].join(',');

test('parseCsv handles quotes, doubled quotes and CRLF', (t) => {
  t.deepEqual(parseCsv('a,b\r\n"x, ""y""",2\r\n'), [['a', 'b'], ['x, "y"', '2']]);
});

test('gold blanks are 0 and "normal" is No Finding', (t) => {
  const gold = parseGoldCsv(`${GOLD_HEADER}\r\n${row('CXR1', { 0: '1' }, '0')}\r\n`);
  t.is(gold.get('CXR1')?.Atelectasis, 1);
  t.is(gold.get('CXR1')?.Edema, 0);
  t.is(gold.get('CXR1')?.['No Finding'], 0);
});

test('scores per class, micro, macro, without Hernia, and No Finding; only 1 is a positive prediction', (t) => {
  const gold = parseGoldCsv(
    [GOLD_HEADER, row('A', { 0: '1', 2: '1' }, '0'), row('B', { 0: '0' }, '1'), row('C', { 2: '1' }, '0')].join('\n'),
  );
  const pred = parsePredictionCsv(
    [PRED_HEADER, row('A', { 0: '1', 2: '-1' }, '0'), row('B', { 0: '1', 13: '1' }, '0'), row('C', { 2: '1' }, '0')].join('\n'),
  );
  const ev = evaluate(gold, pred);
  const atel = ev.classes.find((c) => c.label === 'Atelectasis')!;
  t.deepEqual([atel.tp, atel.fp, atel.fn], [1, 1, 0]);
  const eff = ev.classes.find((c) => c.label === 'Effusion')!;
  t.deepEqual([eff.tp, eff.fp, eff.fn], [1, 0, 1]);
  t.deepEqual([ev.micro.tp, ev.micro.fp, ev.micro.fn], [2, 2, 1]);
  t.deepEqual([ev.microWithoutHernia.tp, ev.microWithoutHernia.fp, ev.microWithoutHernia.fn], [2, 1, 1]);
  t.is(ev.hernia?.fp, 1);
  t.deepEqual([ev.noFinding?.tp, ev.noFinding?.fn], [0, 1]);
  t.is(ev.microWithoutHernia.f1, 2 / 3);
  t.is(evaluate(gold, pred, { uncertainAs: 'positive' }).classes[2]!.tp, 2);
});

test('a gold report without prediction counts as all blank and is listed', (t) => {
  const gold = parseGoldCsv([GOLD_HEADER, row('A', { 0: '1' }, '0')].join('\n'));
  const ev = evaluate(gold, parsePredictionCsv(PRED_HEADER));
  t.deepEqual(ev.missing, ['A']);
  t.is(ev.classes[0]!.fn, 1);
});

test('malformed csv is a typed error naming the row or column', (t) => {
  t.throws(() => parsePredictionCsv(`${PRED_HEADER}\nA,1,2`, 'p.csv'), { instanceOf: EvaluationInputError, message: /p\.csv: row 2: expected 16 fields, found 3/ });
  t.throws(() => parsePredictionCsv(`${PRED_HEADER}\n${row('A', { 0: 'yes' }, '')}`), { instanceOf: EvaluationInputError, message: /expected 1, 0, -1 or blank, found "yes"/ });
  // A gold of the NIH findings that lacks one of them (a misspelled header) is refused; a gold of other findings is not.
  t.throws(() => parseGoldCsv(GOLD_HEADER.replace(',Cardiomegaly,', ',Cardiomegally,')), { instanceOf: EvaluationInputError, message: /no "Cardiomegaly"/ });
});

// Prediction files with a subset of the label columns (`label-reports --labels 8`).
const FINDINGS_8 = FINDINGS_14.slice(0, 8);
const PRED_8_HEADER = `id,${FINDINGS_8.join(',')},No Finding`;
const row8 = (id: string, values: Record<number, string>, last: string) => [id, ...FINDINGS_8.map((_, i) => values[i] ?? ''), last].join(',');
const gold8 = () =>
  parseGoldCsv([GOLD_HEADER, row('A', { 0: '1', 9: '1' }, '0'), row('B', {}, '1'), row('C', { 2: '1', 12: '1' }, '0')].join('\n'));
const pred8 = () => parsePredictionCsv([PRED_8_HEADER, row8('A', { 0: '1' }, '0'), row8('B', {}, '1'), row8('C', { 2: '1' }, '0')].join('\n'));

test('a prediction csv with the 8 ChestX-ray8 columns parses, and lists the labels it has', (t) => {
  t.deepEqual(pred8().labels, [...FINDINGS_8, 'No Finding']);
});

test('a prediction csv with 8 columns is scored on those 8 findings and No Finding only', (t) => {
  t.deepEqual(evaluate(gold8(), pred8()).classes.map((c) => c.label), [...FINDINGS_8, 'No Finding']);
});

test('the findings without a prediction column are listed as unscored', (t) => {
  t.deepEqual(evaluate(gold8(), pred8()).unscored, FINDINGS_14.slice(8));
});

test('micro totals of an 8-column prediction count only its 8 findings (gold Edema and Pleural_Thickening are not misses)', (t) => {
  const ev = evaluate(gold8(), pred8());
  t.deepEqual([ev.micro.tp, ev.micro.fp, ev.micro.fn], [2, 0, 0]);
});

test('Hernia is absent from an 8-column evaluation', (t) => {
  t.is(evaluate(gold8(), pred8()).hernia, undefined);
});

test('the printed table says which labels were scored and which were not', (t) => {
  const text = formatEvaluation(evaluate(gold8(), pred8()));
  t.regex(text, /^micro \(8 findings\)\s+1\.000\s+1\.000\s+1\.000/m);
  t.regex(text, /not scored \(no column\): Consolidation, Edema, Emphysema, Fibrosis, Pleural_Thickening, Hernia$/m);
});

test('a prediction csv with no label column is a typed error', (t) => {
  t.throws(() => parsePredictionCsv('id\nA\n', 'p.csv'), { instanceOf: EvaluationInputError, message: /p\.csv: expected at least one label column/ });
});

// Label sets as data: a column of another name is a finding of the user's set, scored where the gold has it too.
test('predictions that share no label with the gold are a typed error naming both', (t) => {
  const gold = parseGoldCsv([GOLD_HEADER, row('A', { 0: '1' }, '0')].join('\n'));
  t.throws(() => evaluate(gold, parsePredictionCsv('id,Opacity\nA,1\n', 'p.csv')), {
    instanceOf: EvaluationInputError,
    message: /expected the predictions to have a column for at least one gold label \(Atelectasis, .*\), found none \(the predictions have Opacity\)/,
  });
});

test('evaluate scores only the labels asked for', (t) => {
  const gold = parseGoldCsv([GOLD_HEADER, row('A', { 0: '1' }, '0')].join('\n'));
  const pred = parsePredictionCsv([PRED_HEADER, row('A', { 0: '1', 2: '1' }, '0')].join('\n'));
  t.deepEqual(evaluate(gold, pred, { labels: ['Effusion'] }).classes.map((c) => [c.label, c.fp]), [['Effusion', 1]]);
});

// A predicted No Finding of -1 (the only abnormality is hedged) is never a prediction of "normal".
const nfGold = () => parseGoldCsv([GOLD_HEADER, row('A', {}, '1'), row('B', {}, '1')].join('\n'));
const nfPred = () => parsePredictionCsv([PRED_HEADER, row('A', { 6: '-1' }, '-1'), row('B', {}, '1')].join('\n'));

test('a predicted No Finding -1 is not counted as normal (default --uncertain negative)', (t) => {
  t.deepEqual([evaluate(nfGold(), nfPred()).noFinding?.tp, evaluate(nfGold(), nfPred()).noFinding?.fn], [1, 1]);
});

test('a predicted No Finding -1 is not counted as normal under --uncertain positive', (t) => {
  const ev = evaluate(nfGold(), nfPred(), { uncertainAs: 'positive' });
  t.deepEqual([ev.noFinding?.tp, ev.noFinding?.fn], [1, 1]);
});

test('under --uncertain positive the hedged finding beside No Finding -1 is a positive prediction', (t) => {
  t.is(evaluate(nfGold(), nfPred(), { uncertainAs: 'positive' }).classes.find((c) => c.label === 'Pneumonia')?.fp, 1);
});
