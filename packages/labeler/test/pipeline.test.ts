import test from 'ava';
import { createLabeler, labelReport, traceReport } from '../src/pipeline.js';
import { LabelerArgumentError, LexiconError } from '../src/errors.js';
import { parseOpenIXml } from '../src/readers/openi-xml.js';
import { ReportParseError } from '../src/errors.js';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultLexiconDir } from '../src/lexicon.js';

const labeler = createLabeler();

test('labels a report and keeps evidence with span, sentence, section and rule', (t) => {
  const text = 'FINDINGS: Small left pleural effusion. No pneumothorax.\nIMPRESSION: Left effusion.';
  const r = labeler.label({ id: 'r1', text });
  t.deepEqual(r.labels, { Effusion: 1, Pneumothorax: 0, 'No Finding': 0 });
  const ptx = r.evidence.find((e) => e.label === 'Pneumothorax')!;
  t.is(text.slice(ptx.start, ptx.end), 'pneumothorax');
  t.is(ptx.sentence, 'No pneumothorax.');
  t.is(ptx.section, 'FINDINGS');
  t.is(ptx.rule, 'neg.no');
  t.is(ptx.concept, 'C0032326');
});

test('only FINDINGS and IMPRESSION are labeled: the indication does not count', (t) => {
  const r = labeler.label('INDICATION: Pneumonia.\nFINDINGS: Lungs are clear.\nIMPRESSION: No acute disease.');
  t.deepEqual(r.labels, { 'No Finding': 1 });
});

test('No Finding is 0 when an abnormality outside the 14 classes is present', (t) => {
  t.is(labelReport('IMPRESSION: Degenerative changes of the thoracic spine. No acute disease.').labels['No Finding'], 0);
});

test('No Finding is 1 for a normal report with negated findings', (t) => {
  const r = labelReport('FINDINGS: No pleural effusion or pneumothorax. Heart size normal. IMPRESSION: Normal chest.');
  t.is(r.labels['No Finding'], 1);
  t.true(r.evidence.some((e) => e.label === 'No Finding' && e.value === 1));
});

test('the 8-class label set drops the ChestX-ray14 additions', (t) => {
  const r = createLabeler({ labelSet: '8' }).label('Pulmonary edema and a small effusion.');
  t.deepEqual(r.labels, { Effusion: 1, 'No Finding': 0 });
});

test('the uncertainty option folds uncertain mentions', (t) => {
  t.is(createLabeler({ uncertainty: 'negative' }).label('Possible pneumonia.').labels.Pneumonia, 0);
});

test('bad options and inputs are typed errors', (t) => {
  t.throws(() => createLabeler({ uncertainty: 'maybe' as never }), { instanceOf: LabelerArgumentError, message: /"uncertain", "positive", "negative"/ });
  t.throws(() => labeler.label(42 as never), { instanceOf: LabelerArgumentError, message: /found a number/ });
  t.throws(() => createLabeler({ lexiconDirs: ['/nonexistent/lexicons'] }), { instanceOf: LexiconError });
});

const XML = `<?xml version="1.0" encoding="utf-8"?>
<eCitation><uId id="CXR42"/><MedlineCitation><Article><Abstract>
<AbstractText Label="COMPARISON">None.</AbstractText>
<AbstractText Label="INDICATION"/>
<AbstractText Label="FINDINGS">Heart size normal. No effusion &amp; no pneumothorax.</AbstractText>
<AbstractText Label="IMPRESSION">Normal chest.</AbstractText>
</Abstract></Article></MedlineCitation><MeSH><major>normal</major></MeSH></eCitation>`;

test('parseOpenIXml reads the uId and joins the sections under their headings', (t) => {
  const r = parseOpenIXml(XML, 'CXR42.xml');
  t.is(r.id, 'CXR42');
  t.is(r.text, 'COMPARISON: None.\nFINDINGS: Heart size normal. No effusion & no pneumothorax.\nIMPRESSION: Normal chest.');
  t.is(r.sections.length, 4);
  t.deepEqual(labeler.label(r).labels, { Effusion: 0, Pneumothorax: 0, 'No Finding': 1 });
});

test('parseOpenIXml names the file of a malformed report', (t) => {
  t.throws(() => parseOpenIXml(XML.replace('<uId id="CXR42"/>', ''), 'bad.xml'), {
    instanceOf: ReportParseError,
    message: /^@cxr8\/labeler: bad\.xml: expected a report id/,
  });
  t.throws(() => parseOpenIXml(XML.slice(0, 200), 'cut.xml'), { instanceOf: ReportParseError, message: /cut\.xml/ });
  t.throws(() => parseOpenIXml('', 'empty.xml'), { instanceOf: ReportParseError, message: /empty document/ });
});

test('attribution: a descriptor attributed to another diagnosis yields to it', (t) => {
  const r = labeler.label('FINDINGS: Nodular density overlying the anterior left 4th rib represents a healing rib fracture.');
  t.is(r.labels.Nodule, undefined);
  t.is(r.labels['No Finding'], 0);
  t.is(labeler.label('FINDINGS: 6 mm nodular opacity in the right upper lobe.').labels.Nodule, 1);
});

test('attribution by apposition: "nodular opacities, likely calcified granulomas" is not a Nodule', (t) => {
  t.is(labeler.label('There are scattered nodular opacities, likely calcified granulomas.').labels.Nodule, undefined);
});

test('blunting of a costophrenic angle is an uncertain effusion', (t) => {
  t.is(labeler.label('Blunting of the left costophrenic angle.').labels.Effusion, -1);
});

test('external monitor leads lie on the skin: they do not block No Finding (ANNOTATION.md "No Finding")', (t) => {
  t.is(labeler.label('External cardiac monitor leads overlie the chest.').labels['No Finding'], 1);
  t.is(labeler.label('Pacemaker leads in the right ventricle.').labels['No Finding'], 0);
});

test('chronic changes block No Finding', (t) => {
  t.is(labeler.label('Chronic changes in the lung bases.').labels['No Finding'], 0);
});

test('sentences under the heading of another examination are not labeled', (t) => {
  const r = labeler.label('IMPRESSION: Left knee: degenerative changes with effusion. Chest. Heart size normal. Lungs clear.');
  t.deepEqual(r.labels, { 'No Finding': 1 });
});

test('an empty report has nothing detected: No Finding 1 (the paper rule)', (t) => {
  t.deepEqual(labeler.label({ id: 'e', text: '' }).labels, { 'No Finding': 1 });
});

test('lexiconDirs add terms and rules to the bundled lexicons', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cxr8-extra-'));
  mkdirSync(join(dir, 'findings'));
  mkdirSync(join(dir, 'rules'));
  writeFileSync(
    join(dir, 'findings', 'pneumothorax-extra.json'),
    JSON.stringify({
      extends: 'Pneumothorax',
      description: 'Local spelling.',
      concepts: [{ cui: 'C0032326', name: 'Pneumothorax', synonyms: ['aerothorax'] }],
      example: 'Small aerothorax.',
    }),
  );
  writeFileSync(
    join(dir, 'rules', 'local.json'),
    JSON.stringify({
      kind: 'negation',
      rules: [{ id: 'neg.local-nil', literals: ['nil'], direction: 'forward', example: 'Nil aerothorax.' }],
    }),
  );
  const local = createLabeler({ lexiconDirs: [dir] });
  t.is(local.label('Small right aerothorax.').labels.Pneumothorax, 1);
  t.is(local.label('Nil aerothorax.').labels.Pneumothorax, 0);
});

test('traceReport dumps each stage: tokens, matches, triggers with scopes', (t) => {
  const { sentences, result } = traceReport('FINDINGS: No effusion or pneumothorax.', labeler);
  // The negation reaches both conjuncts and wins over the weaker alternative "or" (precedence in assess.ts).
  t.deepEqual(sentences[0]?.triggers, [
    { rule: 'neg.no', kind: 'negation', text: 'No', scope: 'effusion or pneumothorax' },
    { rule: 'unc.or', kind: 'alternative', text: 'or', scope: 'No effusion or pneumothorax' },
  ]);
  t.deepEqual(sentences[0]?.mentions?.map((m) => m.entries[0]), ['finding:Effusion', 'finding:Pneumothorax']);
  t.is(result.labels.Effusion, 0);
});

test('inside the repository the canonical lexicons/ is used, so an edited lexicon needs no rebuild', (t) => {
  t.is(defaultLexiconDir(), fileURLToPath(new URL('../../../lexicons/', import.meta.url)));
});

// No Finding -1 when the only abnormality is hedged (ANNOTATION.md "No Finding").
test('"Possible right lower lobe pneumonia." is Pneumonia -1 and No Finding -1', (t) => {
  t.deepEqual(labelReport('IMPRESSION: Possible right lower lobe pneumonia.').labels, { Pneumonia: -1, 'No Finding': -1 });
});

test('No Finding -1 names the rule nofinding.only-hedged in its evidence', (t) => {
  const r = labelReport('IMPRESSION: Possible right lower lobe pneumonia.');
  t.like(r.evidence.find((e) => e.label === 'No Finding'), { value: -1, rule: 'nofinding.only-hedged', text: 'pneumonia' });
});

test('a hedged finding beside an asserted one is No Finding 0', (t) => {
  t.is(labelReport('IMPRESSION: Possible pneumonia. Small left effusion.').labels['No Finding'], 0);
});

test('a hedged finding beside an asserted abnormality beyond the 14 is No Finding 0', (t) => {
  t.is(labelReport('IMPRESSION: Possible pneumonia. Degenerative changes of the thoracic spine.').labels['No Finding'], 0);
});

test('a hedged abnormality beyond the 14 alone is No Finding -1', (t) => {
  t.is(labelReport('IMPRESSION: Possible scarring in the left base.').labels['No Finding'], -1);
});

test("with labelSet '8' an asserted Emphysema is No Finding 0", (t) => {
  t.deepEqual(createLabeler({ labelSet: '8' }).label('IMPRESSION: Emphysema. No effusion.').labels, { Effusion: 0, 'No Finding': 0 });
});

test("with labelSet '8' a hedged Emphysema alone is No Finding -1", (t) => {
  t.is(createLabeler({ labelSet: '8' }).label('IMPRESSION: Possible emphysema.').labels['No Finding'], -1);
});

test("under uncertainty 'positive' a hedged pneumonia is Pneumonia 1 and No Finding 0", (t) => {
  t.deepEqual(createLabeler({ uncertainty: 'positive' }).label('Possible pneumonia.').labels, { Pneumonia: 1, 'No Finding': 0 });
});

test("under uncertainty 'negative' a hedged pneumonia is Pneumonia 0 and No Finding 0", (t) => {
  t.deepEqual(createLabeler({ uncertainty: 'negative' }).label('Possible pneumonia.').labels, { Pneumonia: 0, 'No Finding': 0 });
});

test('alternatives that are all abnormal state an abnormality: "atelectasis versus scarring" is No Finding 0', (t) => {
  t.deepEqual(labelReport('IMPRESSION: Left basilar atelectasis versus scarring.').labels, { Atelectasis: -1, 'No Finding': 0 });
});

test('an attributed descriptor was observed: "blunting of the costophrenic angle, likely scarring" is No Finding 0', (t) => {
  t.is(labelReport('IMPRESSION: Slight blunting of the right costophrenic angle, likely scarring.').labels['No Finding'], 0);
});
