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

test('the paper rule labels the whole text when neither FINDINGS nor IMPRESSION is present', (t) => {
  const sections = splitSections('INDICATION: cough\nCOMPARISON: none');
  t.deepEqual(selectSections(sections, 'findings-impression').map((s) => s.name), ['INDICATION', 'COMPARISON']);
  t.deepEqual(selectSections(splitSections('No effusion.'), 'findings-impression').map((s) => s.name), ['']);
});

test('a list of section names selects those sections', (t) => {
  const sections = splitSections('INDICATION: cough\nFINDINGS: Clear.\nIMPRESSION: Normal.');
  t.deepEqual(selectSections(sections, ['impression']).map((s) => s.name), ['IMPRESSION']);
});
