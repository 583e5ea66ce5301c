import test from 'ava';
import { assignSplit, parseSplitSpec, patientDigest, patientHash, stratifiedSplits, stratumOf, DEFAULT_SPLIT } from '../src/splits.js';

test('--split accepts percentages and normalises them', (t) => {
  t.deepEqual(parseSplitSpec('70,10,20'), { train: 0.7, val: 0.1, test: 0.2 });
  t.deepEqual(parseSplitSpec('8,1,1'), { train: 0.8, val: 0.1, test: 0.1 });
  t.throws(() => parseSplitSpec('70,30'), { message: /expected three non-negative numbers/ });
});

test('the hash of a patient is in [0, 1) and depends on the seed', (t) => {
  const h = patientHash(42, 'a');
  t.true(h >= 0 && h < 1);
  t.is(patientHash(42, 'a'), h);
  t.not(patientHash(42, 'b'), h);
});

test('hash splits come close to 70/10/20 on many patients', (t) => {
  const counts = { train: 0, val: 0, test: 0 };
  for (let p = 1; p <= 20000; p++) counts[assignSplit(p, 'cxr8', DEFAULT_SPLIT)]++;
  t.true(Math.abs(counts.train / 20000 - 0.7) < 0.015);
  t.true(Math.abs(counts.val / 20000 - 0.1) < 0.01);
  t.true(Math.abs(counts.test / 20000 - 0.2) < 0.015);
});

test('a patient keeps its split when others are added (the assignment reads only its own id)', (t) => {
  const before = new Map(Array.from({ length: 100 }, (_, i) => [i + 1, assignSplit(i + 1, 's')]));
  for (const [p, s] of before) t.is(assignSplit(p, 's'), s);
});

test('stratified splits divide each stratum by the fractions', (t) => {
  const patients = Array.from({ length: 100 }, (_, i) => ({ patient: i + 1, stratum: i < 50 ? 'Hernia' : 'No Finding' }));
  const splits = stratifiedSplits(patients, 's', DEFAULT_SPLIT);
  const hernia = patients.filter((p) => p.stratum === 'Hernia').map((p) => splits.get(p.patient));
  t.is(hernia.filter((s) => s === 'train').length, 35);
  t.is(hernia.filter((s) => s === 'val').length, 5);
  t.is(hernia.filter((s) => s === 'test').length, 10);
});

test('the stratum of a patient is its rarest positive finding', (t) => {
  t.is(stratumOf(['Effusion', 'Hernia'], new Map([['Effusion', 900], ['Hernia', 12]])), 'Hernia');
  t.is(stratumOf([], new Map()), 'No Finding');
});

test('stratified splits keep recorded splits and deal new patients towards what each stratum lacks', (t) => {
  // 10 recorded Hernia patients, all in train: the 10 new ones go to val and test until the stratum is 70/10/20.
  const recorded = Array.from({ length: 10 }, (_, i) => ({ patient: i + 1, stratum: 'Hernia', split: 'train' as const }));
  const fresh = Array.from({ length: 10 }, (_, i) => ({ patient: i + 11, stratum: 'Hernia' }));
  const splits = stratifiedSplits([...recorded, ...fresh], 's', DEFAULT_SPLIT);
  for (const p of recorded) t.is(splits.get(p.patient), 'train');
  const dealt = fresh.map((p) => splits.get(p.patient));
  t.is(dealt.filter((s) => s === 'train').length, 4);
  t.is(dealt.filter((s) => s === 'val').length, 2);
  t.is(dealt.filter((s) => s === 'test').length, 4);
  // The same call gives the same answer; single-patient strata do not all land in train.
  t.deepEqual(stratifiedSplits([...recorded, ...fresh], 's', DEFAULT_SPLIT), splits);
  const singles = stratifiedSplits(Array.from({ length: 60 }, (_, i) => ({ patient: i + 1, stratum: `s${i}` })), 's', DEFAULT_SPLIT);
  t.true(new Set(singles.values()).size === 3);
});

test('the patient digest depends on the Patient ID alone (the name only when there is no ID), and holds no ID', (t) => {
  const d = patientDigest('HOSP-0001', 'DOE^JANE');
  t.regex(d, /^[0-9a-f]{64}$/);
  t.is(patientDigest(' HOSP-0001 ', 'OTHER^NAME'), d);
  t.not(patientDigest('HOSP-0002', 'DOE^JANE'), d);
  t.is(patientDigest('', 'DOE^JANE'), patientDigest('', 'DOE^JANE'));
  t.not(patientDigest('', 'DOE^JANE'), patientDigest('DOE^JANE', ''));
  t.is(patientDigest('', ''), '');
  t.false(d.includes('HOSP'));
});

test('stratified dealing follows the patient keys, not the patient numbers', (t) => {
  const keys = Array.from({ length: 40 }, (_, i) => patientDigest(`MRN-${i}`, ''));
  const a = stratifiedSplits(keys.map((key, i) => ({ patient: i + 1, key, stratum: i % 3 ? 'No Finding' : 'Effusion' })), 's');
  // The same patients numbered in another order (another key file's pseudonyms) get the same splits.
  const b = stratifiedSplits(keys.map((key, i) => ({ patient: 100 - i, key, stratum: i % 3 ? 'No Finding' : 'Effusion' })), 's');
  t.deepEqual(keys.map((_, i) => b.get(100 - i)), keys.map((_, i) => a.get(i + 1)));
});
