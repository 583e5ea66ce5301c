import test from 'ava';
import { ageInYears, assertOutsideDataset, defaultKeyFile, hmacId, imageIndexName, normalizeSex, scrubText } from '../src/deidentify.js';

const key = Buffer.alloc(32, 7);

test('image names follow the NIH pattern', (t) => {
  t.is(imageIndexName(1, 0), '00000001_000.png');
  t.is(imageIndexName(30805, 12), '00030805_012.png');
});

test('keyed hashes are stable for a key, differ between keys, and are empty for empty ids', (t) => {
  t.is(hmacId(key, 'MRN-1'), hmacId(key, ' MRN-1 '));
  t.not(hmacId(key, 'MRN-1'), hmacId(Buffer.alloc(32, 8), 'MRN-1'));
  t.regex(hmacId(key, 'MRN-1'), /^[0-9a-f]{32}$/);
  t.is(hmacId(key, ''), '');
});

test('age comes from PatientAge in any unit, else from the dates', (t) => {
  t.is(ageInYears('058Y', '', ''), 58);
  t.is(ageInYears('018M', '', ''), 1);
  t.is(ageInYears('', '19600215', '20200214'), 59);
  t.is(ageInYears('', '19600215', '20200215'), 60);
  t.is(ageInYears('', '', '20200215'), undefined);
});

test('sex is M, F, O or empty', (t) => {
  t.is(normalizeSex('f'), 'F');
  t.is(normalizeSex('Male'), 'M');
  t.is(normalizeSex('U'), '');
});

test('the default key file sits beside the dataset folder, and one inside it is refused', (t) => {
  t.regex(defaultKeyFile('/data/out/demo'), /^\/data\/out\/demo\.cxr8-private\.sqlite$/);
  t.notThrows(() => assertOutsideDataset('/data/out/demo.cxr8-private.sqlite', '/data/out/demo'));
  t.throws(() => assertOutsideDataset('/data/out/demo/key.sqlite', '/data/out/demo'), { message: /must be outside the dataset folder/ });
});

test('kept report text loses known identifiers and dates', (t) => {
  const text = scrubText('Compared with 03/12/2019 and 2019-03-14. Ms. Hartley (MRN-100234) informed.', ['HARTLEY^MARGARET', 'MRN-100234']);
  t.is(text, 'Compared with [DATE] and [DATE]. Ms. [NAME] ([ID]) informed.');
  t.is(scrubText('Dictated by Dr. Victor Craig. Wife (phone 617-555-0142) informed.', []), 'Dictated by Dr. [NAME]. Wife (phone [PHONE]) informed.');
});
