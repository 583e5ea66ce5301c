import test from 'ava';
import { selectImage, viewFromText } from '../src/select.js';
import type { SelectableHeader } from '../src/select.js';

const chestPa: SelectableHeader = {
  modality: 'CR',
  bodyPartExamined: 'CHEST',
  viewPosition: 'PA',
  viewCodeMeanings: [],
  seriesDescription: '',
  studyDescription: '',
  hasPixelData: true,
};

test('a CR chest PA is a dataset image', (t) => {
  t.deepEqual(selectImage(chestPa), { kind: 'image', view: 'PA' });
});

test('a DX chest AP is a dataset image', (t) => {
  t.deepEqual(selectImage({ ...chestPa, modality: 'DX', viewPosition: 'AP' }), { kind: 'image', view: 'AP' });
});

test('a lateral view is excluded with its view position', (t) => {
  t.deepEqual(selectImage({ ...chestPa, viewPosition: 'LL' }), { kind: 'excluded', reason: 'not a frontal view (ViewPosition LL)' });
});

test('a CT is excluded by modality', (t) => {
  t.regex((selectImage({ ...chestPa, modality: 'CT' }) as { reason: string }).reason, /Modality CT, expected CR or DX/);
});

test('a hand radiograph is excluded by body part', (t) => {
  t.regex((selectImage({ ...chestPa, bodyPartExamined: 'HAND' }) as { reason: string }).reason, /BodyPartExamined HAND/);
});

test('without BodyPartExamined, a description naming the chest is enough', (t) => {
  t.deepEqual(selectImage({ ...chestPa, bodyPartExamined: '', studyDescription: 'XR CHEST 2 VIEWS' }), { kind: 'image', view: 'PA' });
});

test('without BodyPartExamined or a chest description, the image is excluded', (t) => {
  t.is(selectImage({ ...chestPa, bodyPartExamined: '', studyDescription: 'XR KNEE' }).kind, 'excluded');
});

test('without ViewPosition, the View Code Sequence decides', (t) => {
  t.deepEqual(selectImage({ ...chestPa, viewPosition: '', viewCodeMeanings: ['antero-posterior'] }), { kind: 'image', view: 'AP' });
});

test('without ViewPosition or view code, the series description decides', (t) => {
  t.deepEqual(selectImage({ ...chestPa, viewPosition: '', seriesDescription: 'CHEST PA' }), { kind: 'image', view: 'PA' });
  t.is(selectImage({ ...chestPa, viewPosition: '', seriesDescription: 'CHEST LAT' }).kind, 'excluded');
});

test('an image with no view evidence at all is excluded as view unknown', (t) => {
  t.regex((selectImage({ ...chestPa, viewPosition: '' }) as { reason: string }).reason, /^view unknown/);
});

test('an SR document is a report, not an image', (t) => {
  t.deepEqual(selectImage({ ...chestPa, modality: 'SR', hasPixelData: false, srText: 'Findings: clear.' }), { kind: 'report' });
});

test('a DICOMDIR is excluded', (t) => {
  t.is(selectImage({ ...chestPa, isDicomDir: true }).kind, 'excluded');
});

test('view phrases: postero-anterior is PA, lateral is LATERAL', (t) => {
  t.is(viewFromText(['Postero-anterior']), 'PA');
  t.is(viewFromText(['left lateral']), 'LATERAL');
  t.is(viewFromText(['chest']), undefined);
});
