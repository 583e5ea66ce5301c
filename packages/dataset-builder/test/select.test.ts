import test from 'ava';
import { identifiablePixels, selectImage, viewFromText } from '../src/select.js';
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

// Pixels that can carry identifiers (issue 10, item 3), as the RSNA / CTP anonymizer filters screen them.

const reasonOf = (h: SelectableHeader, options = {}): string => {
  const s = selectImage(h, options);
  return s.kind === 'excluded' ? s.reason : `not excluded: ${JSON.stringify(s)}`;
};

test('Burned In Annotation YES is excluded with its reason, and --allow-burned-in keeps it', (t) => {
  const h = { ...chestPa, burnedInAnnotation: 'YES' };
  t.regex(reasonOf(h), /^burned-in annotation \(BurnedInAnnotation YES.*--allow-burned-in/);
  t.deepEqual(selectImage(h, { allowBurnedIn: true }), { kind: 'image', view: 'PA' });
  t.deepEqual(selectImage({ ...chestPa, burnedInAnnotation: 'NO' }), { kind: 'image', view: 'PA' });
});

test('a secondary capture is excluded, by SOP Class (1.2.840.10008.5.1.4.1.1.7 and its multi-frame classes) or by a screen-save Image Type', (t) => {
  t.regex(reasonOf({ ...chestPa, sopClassUid: '1.2.840.10008.5.1.4.1.1.7' }), /^secondary capture \(SOP Class 1\.2\.840\.10008\.5\.1\.4\.1\.1\.7:/);
  t.regex(reasonOf({ ...chestPa, sopClassUid: '1.2.840.10008.5.1.4.1.1.7.4' }), /^secondary capture/);
  t.regex(reasonOf({ ...chestPa, sopClassUid: '1.2.840.10008.5.1.4.1.1.1', imageType: ['DERIVED', 'SECONDARY', 'SCREEN SAVE'] }), /^secondary capture \(ImageType/);
  // 1.2.840.10008.5.1.4.1.1.77 (VL) is not a secondary capture class: the prefix is matched whole.
  t.is(identifiablePixels({ ...chestPa, sopClassUid: '1.2.840.10008.5.1.4.1.1.77.1.1' }), undefined);
});

test('a DERIVED image is kept only with a radiograph origin: CR/DX SOP Class or a Source Image Sequence referencing one', (t) => {
  const derived = { ...chestPa, imageType: ['DERIVED', 'PRIMARY'] };
  t.regex(reasonOf({ ...derived, sopClassUid: '1.2.840.10008.5.1.4.1.1.2' }), /^derived image without a radiograph origin \(ImageType DERIVED\\PRIMARY, SOP Class 1\.2\.840\.10008\.5\.1\.4\.1\.1\.2/);
  t.regex(reasonOf(derived), /SOP Class absent/);
  t.deepEqual(selectImage({ ...derived, sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1' }), { kind: 'image', view: 'PA' });
  t.deepEqual(selectImage({ ...derived, sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sourceSopClassUids: ['1.2.840.10008.5.1.4.1.1.1'] }), { kind: 'image', view: 'PA' });
  t.deepEqual(selectImage({ ...chestPa, imageType: ['ORIGINAL', 'PRIMARY'] }), { kind: 'image', view: 'PA' });
});

test('pixel checks come after selection: a burned-in lateral is excluded as lateral', (t) => {
  t.regex(reasonOf({ ...chestPa, viewPosition: 'LL', burnedInAnnotation: 'YES' }), /^not a frontal view/);
});

test('--assume-chest selects a CR/DX with no body-part evidence, never one whose body part or description names another part', (t) => {
  const bare = { ...chestPa, bodyPartExamined: '' };
  t.regex(reasonOf(bare), /^not a chest image \(no BodyPartExamined, and no description names the chest; --assume-chest/);
  t.deepEqual(selectImage(bare, { assumeChest: true }), { kind: 'image', view: 'PA' });
  t.regex(reasonOf({ ...chestPa, bodyPartExamined: 'HAND' }, { assumeChest: true }), /BodyPartExamined HAND/);
  t.regex(reasonOf({ ...bare, seriesDescription: 'KNEE 2 VIEWS' }, { assumeChest: true }), /^not a chest image \(no BodyPartExamined; a description names knee\)/);
  // Still a radiograph and still frontal.
  t.regex(reasonOf({ ...bare, modality: 'CT' }, { assumeChest: true }), /^not a radiograph/);
  t.regex(reasonOf({ ...bare, viewPosition: 'LL' }, { assumeChest: true }), /^not a frontal view/);
});
