import test from 'ava';
import { parseDicom } from '../../src/dicom/parse.js';
import { renderFrameToGray8, renderToGray8, renderToPng, voiLinear, voiSigmoid } from '../../src/dicom/render.js';
import { writeDicom } from '../../src/dicom/write.js';
import { TransferSyntax } from '../../src/dicom/dictionary.js';
import { BlankImageError, UnsupportedPhotometricError } from '../../src/errors.js';
import sharp from 'sharp';
import { crElements, frameOf, pixelModule } from './helpers.js';

const window = (center: number, width: number) => [{ center, width, explanation: '' }];

// LINEAR, C.11.2.1.2.1 with c = 100, w = 51: c - 0.5 = 99.5, w - 1 = 50; x <= 74.5 -> 0, x > 124.5 -> 255,
// else ((x - 99.5) / 50 + 0.5) * 255: 75 -> 2.55 -> 3, 100 -> 130.05 -> 130, 124 -> 252.45 -> 252.
test('LINEAR window matches hand-computed values', (t) => {
  const out = renderFrameToGray8(frameOf([74, 75, 100, 124, 125]), pixelModule({ windows: window(100, 51) }));
  t.deepEqual([...out], [0, 3, 130, 252, 255]);
});

test('the first of several windows is used', (t) => {
  const p = pixelModule({ windows: [...window(100, 51), ...window(3000, 10)] });
  t.deepEqual([...renderFrameToGray8(frameOf([100]), p)], [130]);
});

// SIGMOID, C.11.2.1.3.1 with c = 100, w = 50: 255 / (1 + exp(-4 (x - 100) / 50)):
// 75 -> 255 / (1 + e^2) = 30.40 -> 30; 100 -> 127.5 -> 128; 125 -> 255 / (1 + e^-2) = 224.60 -> 225.
test('SIGMOID window matches hand-computed values', (t) => {
  const p = pixelModule({ windows: window(100, 50), voiLutFunction: 'SIGMOID' });
  t.deepEqual([...renderFrameToGray8(frameOf([75, 100, 125]), p)], [30, 128, 225]);
  t.is(Math.round(voiSigmoid(75, 100, 50) * 100) / 100, 30.4);
});

// LINEAR_EXACT, C.11.2.1.3.2 with c = 100, w = 50: x <= 75 -> 0, x > 125 -> 255, else ((x - 100) / 50 + 0.5) * 255:
// 76 -> 5.1 -> 5; 100 -> 127.5 -> 128; 125 -> 255.
test('LINEAR_EXACT window matches hand-computed values', (t) => {
  const p = pixelModule({ windows: window(100, 50), voiLutFunction: 'LINEAR_EXACT' });
  t.deepEqual([...renderFrameToGray8(frameOf([75, 76, 100, 125, 126]), p)], [0, 5, 128, 255, 255]);
});

// Rescale (C.11.1): slope 2, intercept -1024: stored 537 -> 50 -> 0 (<= 74.5); 562 -> 100 -> 130; 600 -> 176 -> 255.
test('rescale slope and intercept apply before the window', (t) => {
  const p = pixelModule({ rescaleSlope: 2, rescaleIntercept: -1024, windows: window(100, 51) });
  t.deepEqual([...renderFrameToGray8(frameOf([537, 562, 600]), p)], [0, 130, 255]);
});

test('MONOCHROME1 is inverted after the window', (t) => {
  const frame = frameOf([74, 75, 100, 124, 125], { photometric: 'MONOCHROME1' });
  const out = renderFrameToGray8(frame, pixelModule({ photometricInterpretation: 'MONOCHROME1', windows: window(100, 51) }));
  t.deepEqual([...out], [255, 252, 125, 3, 0]);
});

test('Presentation LUT Shape INVERSE inverts MONOCHROME2, and does not invert MONOCHROME1 a second time', (t) => {
  const p2 = pixelModule({ windows: window(100, 51), presentationLutShape: 'INVERSE' });
  t.deepEqual([...renderFrameToGray8(frameOf([75, 100]), p2)], [252, 125]);
  const p1 = pixelModule({ photometricInterpretation: 'MONOCHROME1', windows: window(100, 51), presentationLutShape: 'INVERSE' });
  t.deepEqual([...renderFrameToGray8(frameOf([75, 100], { photometric: 'MONOCHROME1' }), p1)], [252, 125]);
});

// Min-max (no window, no VOI LUT): 10 -> 0, 20 -> 127.5 -> 128, 30 -> 255; the padding value 4095 is ignored.
test('without a window the frame minimum and maximum set the range, ignoring Pixel Padding Value', (t) => {
  const out = renderFrameToGray8(frameOf([10, 20, 30, 4095]), pixelModule({ pixelPaddingValue: 4095 }));
  t.deepEqual([...out.subarray(0, 3)], [0, 128, 255]);
});

test('a VOI LUT Sequence maps modality values through its table', (t) => {
  const lut = { firstMapped: 10, bits: 8, data: Uint16Array.of(0, 100, 200, 255), explanation: '' };
  const out = renderFrameToGray8(frameOf([5, 10, 11, 12, 13, 40]), pixelModule({ voiLuts: [lut] }));
  t.deepEqual([...out], [0, 0, 100, 200, 255, 255]);
});

test('a Modality LUT Sequence replaces rescale', (t) => {
  const lut = { firstMapped: 0, bits: 16, data: Uint16Array.of(100, 75, 125), explanation: '' };
  const p = pixelModule({ modalityLut: lut, rescaleSlope: 1000, windows: window(100, 51) });
  t.deepEqual([...renderFrameToGray8(frameOf([0, 1, 2]), p)], [130, 3, 255]);
});

test('bits above High Bit are masked off and signed values are sign-extended from Bits Stored', (t) => {
  // 12 bits stored: 0xF064 carries 0x064 = 100 in its low 12 bits.
  t.deepEqual([...renderFrameToGray8(frameOf([0xf064]), pixelModule({ windows: window(100, 51) }))], [130]);
  // Signed 12-bit: 0x0FFB (4091) is -5; window c = 0, w = 21: ((-5 + 0.5) / 20 + 0.5) * 255 = 70.125 -> 70.
  const signed = frameOf([0x0ffb], { signed: true });
  t.deepEqual([...renderFrameToGray8(signed, pixelModule({ pixelRepresentation: 1, windows: window(0, 21) }))], [70]);
  t.is(Math.round(voiLinear(-5, 0, 21)), 70);
  // High Bit 15 with 12 bits stored: values sit in the top bits (shift 4).
  const high = frameOf([100 << 4], { bitsStored: 12, highBit: 15 });
  t.deepEqual([...renderFrameToGray8(high, pixelModule({ highBit: 15, windows: window(100, 51) }))], [130]);
});

test('PALETTE COLOR is refused with a typed error', (t) => {
  const error = t.throws(() => renderFrameToGray8(frameOf([1], { photometric: 'PALETTE COLOR' }), pixelModule(), 'pal.dcm'), {
    instanceOf: UnsupportedPhotometricError,
  });
  t.regex(error.message, /pal\.dcm.*PALETTE COLOR/);
});

test('a written MONOCHROME1 file with rescale and SIGMOID renders as computed by hand, and to a 1-channel PNG', async (t) => {
  // stored 562 -> modality 100 (slope 2, intercept -1024) -> SIGMOID(c 100, w 50) = 127.5 -> 128 -> inverted 127.
  const data = Uint16Array.from({ length: 4 * 6 }, (_, i) => [537, 562, 587][i % 3]!);
  const bytes = await writeDicom({
    transferSyntax: TransferSyntax.ImplicitVRLittleEndian,
    elements: crElements({ RescaleSlope: 2, RescaleIntercept: -1024, WindowCenter: [100, 7], WindowWidth: [50, 3], VOILUTFunction: 'SIGMOID' }),
    pixels: { data, rows: 4, columns: 6, bitsStored: 12, photometricInterpretation: 'MONOCHROME1' },
  });
  const parsed = parseDicom(bytes, 'sigmoid.dcm');
  const { pixels, width, height } = await renderToGray8(parsed);
  t.is(width, 6);
  t.is(height, 4);
  // 537 -> 50 -> 255 / (1 + e^4) = 4.58 -> 5 -> 250; 587 -> 150 -> 250.42 -> 250 -> 5.
  t.deepEqual([...pixels.subarray(0, 3)], [250, 127, 5]);
  const { png, originalWidth, originalHeight } = await renderToPng(parsed, { size: 16 });
  t.is(originalWidth, 6);
  t.is(originalHeight, 4);
  const meta = await sharp(png).metadata();
  t.is(meta.format, 'png');
  t.is(meta.width, 16);
  t.is(meta.height, 16);
  t.is(meta.channels, 1);
  t.is(meta.depth, 'uchar');
});

// --- Blank renderings (issue 10, item 3): (nearly) one gray level is a failure with its reason --------------------

test('a Rescale Slope of 0 renders to one level: renderToPng refuses it with a BlankImageError that names the slope', async (t) => {
  const data = Uint16Array.from({ length: 16 * 16 }, (_, i) => (i * 13) % 4096);
  const bytes = await writeDicom({
    transferSyntax: TransferSyntax.ExplicitVRLittleEndian,
    elements: crElements({ RescaleSlope: 0, RescaleIntercept: 500 }),
    pixels: { data, rows: 16, columns: 16, bitsStored: 12 },
  });
  const error = await t.throwsAsync(renderToPng(parseDicom(bytes, 'slope0.dcm'), { size: 16 }), { instanceOf: BlankImageError });
  t.is(error?.reason, 'blank-image');
  t.regex(error?.message ?? '', /slope0\.dcm: blank image: expected a radiograph spanning many gray levels; found 100\.0% of the pixels at level \d+ .*Rescale Slope is 0, so every stored value maps to the intercept 500/);
});

test('constant stored values and a window far outside the data are blank too, each with its cause; a real spread is not', async (t) => {
  const flat = await writeDicom({
    transferSyntax: TransferSyntax.ExplicitVRLittleEndian,
    elements: crElements({}),
    pixels: { data: new Uint16Array(16 * 16).fill(700), rows: 16, columns: 16, bitsStored: 12 },
  });
  const e1 = await t.throwsAsync(renderToPng(parseDicom(flat, 'flat.dcm'), { size: 16 }), { instanceOf: BlankImageError });
  t.regex(e1?.message ?? '', /every stored value is 700/);
  const ramp = Uint16Array.from({ length: 16 * 16 }, (_, i) => i * 16);
  const far = await writeDicom({
    transferSyntax: TransferSyntax.ExplicitVRLittleEndian,
    elements: crElements({ WindowCenter: 60000, WindowWidth: 10 }),
    pixels: { data: ramp, rows: 16, columns: 16, bitsStored: 16 },
  });
  const e2 = await t.throwsAsync(renderToPng(parseDicom(far, 'far.dcm'), { size: 16 }), { instanceOf: BlankImageError });
  t.regex(e2?.message ?? '', /stored values 0\.\.4080; Window Center 60000 \/ Width 10 maps them to one level/);
  const fine = await writeDicom({ transferSyntax: TransferSyntax.ExplicitVRLittleEndian, elements: crElements({}), pixels: { data: ramp, rows: 16, columns: 16, bitsStored: 16 } });
  await t.notThrowsAsync(renderToPng(parseDicom(fine, 'fine.dcm'), { size: 16 }));
});
