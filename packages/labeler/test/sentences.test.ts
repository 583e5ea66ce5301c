import test from 'ava';
import { splitSentences } from '../src/sentences.js';

const split = (text: string) => splitSentences(text).map((s) => text.slice(s.start, s.end));

test('splits at sentence-final periods', (t) => {
  t.deepEqual(split('No effusion. Heart size normal.'), ['No effusion.', 'Heart size normal.']);
});

test('keeps decimals inside the sentence', (t) => {
  t.deepEqual(split('A 1.5 cm nodule. No effusion.'), ['A 1.5 cm nodule.', 'No effusion.']);
});

test('strips list numbers and splits numbered items, with or without periods', (t) => {
  t.deepEqual(split('1. Stable cardiomegaly. 2. No effusion.'), ['Stable cardiomegaly.', 'No effusion.']);
  t.deepEqual(split('1. No acute disease 2. Stable cardiomegaly'), ['No acute disease', 'Stable cardiomegaly']);
});

test('does not split after abbreviations', (t) => {
  t.deepEqual(split('Discussed with Dr. XXXX at 3 pm. No effusion.'), ['Discussed with Dr. XXXX at 3 pm.', 'No effusion.']);
  t.deepEqual(split('Atelectasis vs. pneumonia.'), ['Atelectasis vs. pneumonia.']);
});

test('treats XXXX de-identification marks as words and drops punctuation-only remains', (t) => {
  t.deepEqual(split('Comparison XXXX, XXXX. Clear lungs. . '), ['Comparison XXXX, XXXX.', 'Clear lungs.']);
});

test('splits at line breaks before a capital and joins wrapped lines', (t) => {
  t.deepEqual(split('Small left\neffusion\nStable heart'), ['Small left\neffusion', 'Stable heart']);
});

test('splits at question marks', (t) => {
  t.deepEqual(split('Pneumonia? No effusion.'), ['Pneumonia?', 'No effusion.']);
});

test('a left-out period: a lower-case word followed by a capitalized sentence opener ends the sentence', (t) => {
  const s = 'Left axillary surgical clips unchanged Visualized portions of the chest are within normal limits.';
  t.is(splitSentences(s).length, 2);
});
