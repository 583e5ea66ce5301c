import test from 'ava';
import { evaluate, parseCsv, parseGoldCsv, parsePredictionCsv } from '../src/evaluate.js';
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
  t.is(ev.hernia.fp, 1);
  t.deepEqual([ev.noFinding.tp, ev.noFinding.fn], [0, 1]);
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
  t.throws(() => parseGoldCsv('filename,Atelectasis\nA,1'), { instanceOf: EvaluationInputError, message: /no "Cardiomegaly"/ });
});
