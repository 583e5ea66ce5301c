import test from 'ava';
import { selectSections, splitSections } from '../src/sections.js';

const names = (text: string) => splitSections(text).map((s) => s.name);
const bodies = (text: string) => splitSections(text).map((s) => text.slice(s.start, s.end).trim());

test('finds OpenI-style headings, one per line', (t) => {
  const text = 'COMPARISON: None.\nINDICATION: cough\nFINDINGS: No effusion.\nIMPRESSION: Normal chest.';
  t.deepEqual(names(text), ['COMPARISON', 'INDICATION', 'FINDINGS', 'IMPRESSION']);
  t.deepEqual(bodies(text), ['None.', 'cough', 'No effusion.', 'Normal chest.']);
});

test('maps heading variants, case and numbering to canonical names', (t) => {
  const text = 'Clinical history: fever.  Technique: PA and lateral. 1. Findings: Clear lungs. Conclusions: normal';
  t.deepEqual(names(text), ['INDICATION', 'TECHNIQUE', 'FINDINGS', 'IMPRESSION']);
});

test('a heading alone on its line needs no colon', (t) => {
  t.deepEqual(names('FINDINGS\nNo effusion.\nIMPRESSION\nNormal.'), ['FINDINGS', 'IMPRESSION']);
});

test('a heading word inside a sentence is not a heading', (t) => {
  t.deepEqual(names('Comparison with the prior study shows no change.'), ['']);
});

test('the paper rule labels FINDINGS and IMPRESSION only', (t) => {
  const sections = splitSections('INDICATION: pneumonia?\nFINDINGS: Clear.\nIMPRESSION: Normal.');
  t.deepEqual(selectSections(sections, 'findings-impression').map((s) => s.name), ['FINDINGS', 'IMPRESSION']);
});

test('without FINDINGS or IMPRESSION the paper rule labels all but the indication, comparison and technique', (t) => {
  const sections = splitSections('INDICATION: cough\nCOMPARISON: none');
  t.deepEqual(selectSections(sections, 'findings-impression').map((s) => s.name), []);
  t.deepEqual(selectSections(sections, 'all').map((s) => s.name), ['INDICATION', 'COMPARISON']);
  t.deepEqual(selectSections(splitSections('No effusion.'), 'findings-impression').map((s) => s.name), ['']);
});

test('unheaded text after a one-line indication is a section of its own', (t) => {
  const text = 'INDICATION: Pneumonia.\nThe lungs are clear. No effusion.';
  t.deepEqual(names(text), ['INDICATION', '']);
  t.deepEqual(bodies(text), ['Pneumonia.', 'The lungs are clear. No effusion.']);
  t.deepEqual(selectSections(splitSections(text), 'findings-impression').map((s) => s.name), ['']);
  t.deepEqual(bodies('HISTORY:\ncough, fever\n\nSmall left effusion.'), ['cough, fever', 'Small left effusion.']);
});

test('a spaced dash ends a heading only at the start of a line', (t) => {
  t.deepEqual(names('HISTORY: cough\nImpression - No pneumonia.'), ['INDICATION', 'IMPRESSION']);
  t.deepEqual(names('Clear lungs. Impression - normal.'), ['']);
});

test('a list of section names selects those sections', (t) => {
  const sections = splitSections('INDICATION: cough\nFINDINGS: Clear.\nIMPRESSION: Normal.');
  t.deepEqual(selectSections(sections, ['impression']).map((s) => s.name), ['IMPRESSION']);
});
