import test from 'ava';
import { parseCsvRecords } from '../src/readers/csv.js';
import type { LabeledReport } from '../src/types.js';
import { CHEXPERT_COLUMNS, createWriter, csvHeader, nihFindingLabels } from '../src/writers/index.js';

const report = (labels: LabeledReport['labels'], id = 'CXR1'): LabeledReport => ({ id, labels, evidence: [] });

test('csv: the header is exactly the 14 findings and No Finding', (t) => {
  t.is(
    createWriter('csv').header,
    'id,Atelectasis,Cardiomegaly,Effusion,Infiltration,Mass,Nodule,Pneumonia,Pneumothorax' +
      ',Consolidation,Edema,Emphysema,Fibrosis,Pleural_Thickening,Hernia,No Finding\n',
  );
});

test('csv: with 8 classes the header has the ChestX-ray8 findings only', (t) => {
  t.is(csvHeader('8'), 'id,Atelectasis,Cardiomegaly,Effusion,Infiltration,Mass,Nodule,Pneumonia,Pneumothorax,No Finding');
});

test('csv: values are 1, 0, -1, or blank when not mentioned', (t) => {
  const row = createWriter('csv').row(report({ Cardiomegaly: 1, Effusion: 0, Edema: -1 }), '');
  t.is(row, 'CXR1,,1,0,,,,,,,-1,,,,,\n');
});

test('csv: an id with a comma or a quote is quoted', (t) => {
  const row = createWriter('csv', { labelSet: '8' }).row(report({ 'No Finding': 1 }, 'a,"b"'), '');
  t.deepEqual(parseCsvRecords(row)[0]?.fields, ['a,"b"', '', '', '', '', '', '', '', '', '1']);
});

test('jsonl: labels in column order with the evidence of those labels', (t) => {
  const r: LabeledReport = {
    id: 'CXR2',
    labels: { Edema: 0, Atelectasis: 1 },
    evidence: [
      { label: 'Atelectasis', value: 1, start: 0, end: 11, text: 'Atelectasis', sentence: 'Atelectasis.', section: '', rule: undefined },
      { label: 'Edema', value: 0, start: 16, end: 21, text: 'edema', sentence: 'No edema.', section: '', rule: 'neg-no' },
    ],
  };
  const parsed = JSON.parse(createWriter('jsonl').row(r, '')) as { id: string; labels: object; evidence: unknown[] };
  t.deepEqual(Object.entries(parsed.labels), [['Atelectasis', 1], ['Edema', 0]]);
  t.is(parsed.evidence.length, 2);
  t.is(createWriter('jsonl', { labelSet: '8' }).row(r, '').includes('Edema'), false);
});

test('chexpert: the header is the CheXpert labeler layout', (t) => {
  t.is(
    createWriter('chexpert').header,
    'Reports,No Finding,Enlarged Cardiomediastinum,Cardiomegaly,Lung Lesion,Lung Opacity,Edema,Consolidation,Pneumonia,Atelectasis,Pneumothorax,Pleural Effusion,Pleural Other,Fracture,Support Devices\n',
  );
  t.is(CHEXPERT_COLUMNS.length, 14);
});

test('chexpert: Mass and Nodule feed Lung Lesion, positive over uncertain over negative', (t) => {
  const writer = createWriter('chexpert');
  const lesion = (labels: LabeledReport['labels']): string | undefined => parseCsvRecords(writer.row(report(labels), 'x'))[0]?.fields[4];
  t.is(lesion({ Mass: 0, Nodule: -1 }), '-1.0');
  t.is(lesion({ Mass: 1, Nodule: -1 }), '1.0');
  t.is(lesion({ Mass: 0 }), '0.0');
  t.is(lesion({}), '');
});

test('chexpert: the report text fills Reports, quoted; No Finding is 1.0 or blank', (t) => {
  const writer = createWriter('chexpert');
  const row = parseCsvRecords(writer.row(report({ Effusion: 1, 'No Finding': 0 }), 'Left effusion,\n"small".'))[0]?.fields ?? [];
  t.is(row[0], 'Left effusion,\n"small".');
  t.is(row[1], '');
  t.is(row[11], '1.0');
  t.is(parseCsvRecords(writer.row(report({ 'No Finding': 1 }), 'Normal.'))[0]?.fields[1], '1.0');
});

test('nih: positives joined by "|" in ChestX-ray14 order, else No Finding where the csv has No Finding 1, else empty', (t) => {
  t.is(nihFindingLabels(report({ Effusion: 1, Atelectasis: 1, Edema: 0 })), 'Atelectasis|Effusion');
  t.is(nihFindingLabels(report({ Edema: 0, 'No Finding': 1 })), 'No Finding');
  // A suspected finding (or an abnormality beyond the 14) is not "No Finding": the csv says No Finding 0 or -1.
  t.is(nihFindingLabels(report({ Mass: -1, 'No Finding': 0 })), '');
  t.is(nihFindingLabels(report({ Edema: -1 })), '');
  t.is(nihFindingLabels(report({ 'No Finding': -1 })), '');
  // The positives win over a contradicting No Finding 1 (the labeler core no longer writes that pair).
  t.is(nihFindingLabels(report({ Pneumonia: 1, 'No Finding': 1 })), 'Pneumonia');
  t.is(createWriter('nih').header, 'Image Index,Finding Labels\n');
  t.is(createWriter('nih', { labelSet: '8' }).row(report({ Edema: 1, Mass: 1 }, '00000001_000.png'), ''), '00000001_000.png,Mass\n');
});

// No Finding -1 (the only abnormality is hedged) through every writer.
test('csv: No Finding -1 is written -1', (t) => {
  t.is(createWriter('csv', { labelSet: '8' }).row(report({ Pneumonia: -1, 'No Finding': -1 }), ''), 'CXR1,,,,,,,-1,,-1\n');
});

test('jsonl: No Finding -1 is carried in labels', (t) => {
  const parsed = JSON.parse(createWriter('jsonl').row(report({ Pneumonia: -1, 'No Finding': -1 }), '')) as { labels: Record<string, number> };
  t.is(parsed.labels['No Finding'], -1);
});

test('chexpert: No Finding -1 is blank, as the CheXpert labeler writes it', (t) => {
  const row = parseCsvRecords(createWriter('chexpert').row(report({ Pneumonia: -1, 'No Finding': -1 }), 'Possible pneumonia.'))[0]?.fields ?? [];
  t.is(row[1], '');
});

test('chexpert: beside No Finding -1 the hedged observation is -1.0', (t) => {
  const row = parseCsvRecords(createWriter('chexpert').row(report({ Pneumonia: -1, 'No Finding': -1 }), 'Possible pneumonia.'))[0]?.fields ?? [];
  t.is(row[8], '-1.0');
});

test('nih: No Finding -1 with a hedged finding is an empty Finding Labels', (t) => {
  t.is(createWriter('nih').row(report({ Pneumonia: -1, 'No Finding': -1 }, 'a.png'), ''), 'a.png,\n');
});
