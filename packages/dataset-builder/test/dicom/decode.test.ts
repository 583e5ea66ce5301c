import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeFrame, isSupportedTransferSyntax } from '../../src/dicom/decode.js';
import { parseDicom } from '../../src/dicom/parse.js';
import { writeDicom, writeDicomSync } from '../../src/dicom/write.js';
import { encodeRle, decodeRle } from '../../src/dicom/codecs/rle.js';
import { TransferSyntax } from '../../src/dicom/dictionary.js';
import {
  AbsurdDimensionsError,
  InvalidPixelModuleError,
  NoPixelDataError,
  PixelDecodeError,
  UnsupportedTransferSyntaxError,
  isCleanReason,
  thrownText,
} from '../../src/errors.js';
import { codecsDir, crElements, gradient } from './helpers.js';

// --- The NEMA WG04 radiograph in six syntaxes against its uncompressed reference -----------------------------------

const nema = (name: string) => {
  const file = join(codecsDir!, `WG04_RG2_${name}.dcm`);
  return parseDicom(readFileSync(file), file);
};

const lossless: [string, string][] = [
  ['RLE', TransferSyntax.RLELossless],
  ['JPLL', TransferSyntax.JPEGLosslessSV1],
  ['J2KR', TransferSyntax.JPEG2000Lossless],
  ['JLSL', TransferSyntax.JPEGLSLossless],
];

for (const [name, uid] of lossless) {
  test(`NEMA WG04 ${name} (${uid}) decodes bit-exactly to the uncompressed reference`, async (t) => {
    if (!codecsDir) return t.pass('skipped: ../shared/data/dicom-codecs is absent (set CXR8_SHARED_DATA)');
    const reference = await decodeFrame(nema('UNC'));
    const parsed = nema(name);
    t.is(parsed.header.transferSyntaxUid, uid);
    const decoded = await decodeFrame(parsed);
    t.is(decoded.rows, 2140);
    t.is(decoded.columns, 1760);
    t.is(decoded.pixels.length, reference.pixels.length);
    let differing = 0;
    for (let i = 0; i < reference.pixels.length; i++) if (decoded.pixels[i] !== reference.pixels[i]) differing++;
    t.is(differing, 0);
  });
}

test('NEMA WG04 JPLY (12-bit lossy, .4.51) decodes close to the reference', async (t) => {
  if (!codecsDir) return t.pass('skipped: ../shared/data/dicom-codecs is absent (set CXR8_SHARED_DATA)');
  const reference = (await decodeFrame(nema('UNC'))).pixels;
  const decoded = (await decodeFrame(nema('JPLY'))).pixels;
  let sum = 0;
  let squares = 0;
  let max = 0;
  for (let i = 0; i < reference.length; i++) {
    const e = decoded[i]! - reference[i]!;
    sum += e;
    squares += e * e;
    if (Math.abs(e) > max) max = Math.abs(e);
  }
  const mean = sum / reference.length;
  const rms = Math.sqrt(squares / reference.length);
  t.log(`JPLY vs UNC (10-bit values): mean error ${mean.toFixed(3)}, RMS ${rms.toFixed(2)}, max ${max}`);
  // Unbiased (daikon's decoder shifted every 12-bit sample by +15/16 before our level-shift fix) and small.
  t.true(Math.abs(mean) < 1);
  t.true(rms < 8);
});

test('our RLE encoder round-trips the NEMA radiograph and the RLE decoder reads it back exactly', async (t) => {
  if (!codecsDir) return t.pass('skipped: ../shared/data/dicom-codecs is absent (set CXR8_SHARED_DATA)');
  const reference = await decodeFrame(nema('UNC'));
  const ctx = { file: 'x', rows: 2140, columns: 1760, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 10, pixelRepresentation: 0 };
  const encoded = encodeRle(reference.pixels, ctx);
  t.deepEqual(decodeRle(encoded, ctx), reference.pixels);
});

// --- Our own files: every syntax the writer encodes, decoded back ---------------------------------------------------

const rows = 48;
const columns = 40;
const pixels12 = gradient(rows, columns, 12);

const exact: [string, string][] = [
  ['Implicit VR Little Endian', TransferSyntax.ImplicitVRLittleEndian],
  ['Explicit VR Little Endian', TransferSyntax.ExplicitVRLittleEndian],
  ['Explicit VR Big Endian', TransferSyntax.ExplicitVRBigEndian],
  ['Deflated Explicit VR Little Endian', TransferSyntax.DeflatedExplicitVRLittleEndian],
  ['RLE Lossless', TransferSyntax.RLELossless],
  ['JPEG-LS lossless', TransferSyntax.JPEGLSLossless],
  ['JPEG 2000 lossless', TransferSyntax.JPEG2000Lossless],
  ['JPEG 2000 (.4.91, written reversibly)', TransferSyntax.JPEG2000],
];

for (const [name, uid] of exact) {
  test(`${name}: a written 12-bit image decodes to the same stored values`, async (t) => {
    const bytes = await writeDicom({ transferSyntax: uid, elements: crElements(), pixels: { data: pixels12, rows, columns, bitsStored: 12 } });
    const parsed = parseDicom(bytes, `${name}.dcm`);
    t.is(parsed.header.transferSyntaxUid, uid);
    t.true(isSupportedTransferSyntax(uid));
    const decoded = await decodeFrame(parsed);
    t.deepEqual(Array.from(decoded.pixels), Array.from(pixels12));
  });
}

test('JPEG-LS near-lossless (.4.81) stays within its NEAR bound', async (t) => {
  const bytes = await writeDicom({
    transferSyntax: TransferSyntax.JPEGLSNearLossless,
    nearLossless: 3,
    elements: crElements(),
    pixels: { data: pixels12, rows, columns, bitsStored: 12 },
  });
  const decoded = await decodeFrame(parseDicom(bytes, 'near.dcm'));
  const max = Math.max(...Array.from(decoded.pixels, (v, i) => Math.abs(v - pixels12[i]!)));
  t.true(max <= 3);
});

test('JPEG baseline (.4.50) written by sharp decodes close to the 8-bit original', async (t) => {
  const data = Uint8Array.from(pixels12, (v) => v >> 4);
  const bytes = await writeDicom({ transferSyntax: TransferSyntax.JPEGBaseline8Bit, jpegQuality: 95, elements: crElements(), pixels: { data, rows, columns } });
  const decoded = await decodeFrame(parseDicom(bytes, 'jpeg.dcm'));
  t.true(decoded.pixels instanceof Uint8Array);
  const mae = Array.from(decoded.pixels, (v, i) => Math.abs(v - data[i]!)).reduce((a, b) => a + b, 0) / data.length;
  t.true(mae < 4, `mean absolute error ${mae}`);
});

test('signed 16-bit, 8-bit and multi-frame native images decode exactly; big endian swaps words', async (t) => {
  const signed = Int16Array.from(pixels12, (v) => v - 2048);
  for (const uid of [TransferSyntax.ExplicitVRBigEndian, TransferSyntax.RLELossless, TransferSyntax.JPEGLSLossless]) {
    const bytes = await writeDicom({ transferSyntax: uid, elements: crElements({ Modality: 'CT' }), pixels: { data: signed, rows, columns, bitsStored: 16 } });
    const decoded = await decodeFrame(parseDicom(bytes, 'signed.dcm'));
    t.true(decoded.pixels instanceof Int16Array, uid);
    t.deepEqual(Array.from(decoded.pixels), Array.from(signed), uid);
  }
  const bytes8 = writeDicomSync({ transferSyntax: TransferSyntax.ExplicitVRBigEndian, elements: crElements(), pixels: { data: Uint8Array.from(pixels12, (v) => v & 255), rows, columns } });
  t.deepEqual(Array.from((await decodeFrame(parseDicom(bytes8, 'eight.dcm'))).pixels), Array.from(pixels12, (v) => v & 255));
  const frames = new Uint16Array(rows * columns * 3);
  for (let f = 0; f < 3; f++) frames.set(pixels12.map((v) => (v + f * 100) % 4096), f * rows * columns);
  for (const uid of [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.RLELossless]) {
    const multi = writeDicomSync({ transferSyntax: uid, elements: crElements(), pixels: { data: frames, rows, columns, bitsStored: 12, numberOfFrames: 3 } });
    const parsed = parseDicom(multi, 'multi.dcm');
    t.is(parsed.header.numberOfFrames, 3);
    t.deepEqual(Array.from((await decodeFrame(parsed, 2)).pixels), Array.from(frames.subarray(2 * rows * columns)));
  }
});

// --- Typed errors ---------------------------------------------------------------------------------------------------

test('a file without Pixel Data gives NoPixelDataError naming the file', async (t) => {
  const bytes = writeDicomSync({ transferSyntax: TransferSyntax.ExplicitVRLittleEndian, elements: crElements() });
  const error = await t.throwsAsync(decodeFrame(parseDicom(bytes, 'IM_NOPIX')), { instanceOf: NoPixelDataError });
  t.regex(error.message, /^@cxr8\/dataset-builder: IM_NOPIX: expected Pixel Data/);
  t.is(error.reason, 'no-pixel-data');
});

test('an unsupported transfer syntax gives UnsupportedTransferSyntaxError with its UID', async (t) => {
  const bytes = await writeDicom({ transferSyntax: TransferSyntax.JPEG2000Lossless, elements: crElements(), pixels: { data: pixels12, rows, columns, bitsStored: 12 } });
  // Same length UID: JPEG 2000 Part 2 multi-component lossless (1.2.840.10008.1.2.4.92), which we do not decode.
  const patched = Buffer.from(bytes);
  const at = patched.indexOf('1.2.840.10008.1.2.4.90');
  patched.write('1.2.840.10008.1.2.4.92', at, 'latin1');
  const parsed = parseDicom(patched, 'IM_J2K_PART2');
  t.is(parsed.header.rows, rows); // the header still reads
  const error = await t.throwsAsync(decodeFrame(parsed), { instanceOf: UnsupportedTransferSyntaxError });
  t.is(error.uid, '1.2.840.10008.1.2.4.92');
  t.regex(error.message, /IM_J2K_PART2: unsupported transfer syntax 1\.2\.840\.10008\.1\.2\.4\.92/);
});

test('absurd dimensions and short pixel data give typed errors', async (t) => {
  const zero = writeDicomSync({ transferSyntax: TransferSyntax.ExplicitVRLittleEndian, elements: crElements({ Rows: 0 }), pixels: { data: pixels12, rows, columns } });
  t.is((await t.throwsAsync(decodeFrame(parseDicom(zero, 'zero.dcm')), { instanceOf: AbsurdDimensionsError })).reason, 'absurd-dimensions');
  const huge = writeDicomSync({ transferSyntax: TransferSyntax.ExplicitVRLittleEndian, elements: crElements({ Rows: 60000, Columns: 60000 }), pixels: { data: pixels12, rows, columns } });
  await t.throwsAsync(decodeFrame(parseDicom(huge, 'huge.dcm')), { instanceOf: AbsurdDimensionsError, message: /60000x60000/ });
  const short = writeDicomSync({ transferSyntax: TransferSyntax.ExplicitVRLittleEndian, elements: crElements({ Rows: rows * 2 }), pixels: { data: pixels12, rows, columns } });
  await t.throwsAsync(decodeFrame(parseDicom(short, 'short.dcm')), { instanceOf: InvalidPixelModuleError, message: /expected 7680 bytes/ });
  const bits = writeDicomSync({ transferSyntax: TransferSyntax.ExplicitVRLittleEndian, elements: crElements({ BitsStored: 17 }), pixels: { data: pixels12, rows, columns } });
  await t.throwsAsync(decodeFrame(parseDicom(bits, 'bits.dcm')), { instanceOf: InvalidPixelModuleError });
});

test('a corrupt compressed frame gives PixelDecodeError naming the file', async (t) => {
  const bytes = await writeDicom({ transferSyntax: TransferSyntax.JPEGLSLossless, elements: crElements(), pixels: { data: pixels12, rows, columns, bitsStored: 12 } });
  const corrupt = Buffer.from(bytes);
  const soi = corrupt.indexOf(Buffer.from([0xff, 0xd8, 0xff]));
  corrupt.fill(0x55, soi + 2, soi + 40); // destroy the SOF55 marker segment
  await t.throwsAsync(decodeFrame(parseDicom(corrupt, 'IM_BADJLS')), { instanceOf: PixelDecodeError, message: /IM_BADJLS: JPEG-LS/ });
  const rle = writeDicomSync({ transferSyntax: TransferSyntax.RLELossless, elements: crElements(), pixels: { data: pixels12, rows, columns } });
  const badRle = Buffer.from(rle);
  // The RLE header of the fragment: 2 segments, the first at offset 64 (PS3.5 G.5).
  const header = badRle.indexOf(Buffer.from([2, 0, 0, 0, 64, 0, 0, 0]));
  badRle.writeUInt32LE(7, header); // 7 segments instead of 2
  await t.throwsAsync(decodeFrame(parseDicom(badRle, 'IM_BADRLE')), { instanceOf: PixelDecodeError, message: /IM_BADRLE: RLE: expected 2 segments/ });
});

/** A copy of `bytes` with one Transfer Syntax UID replaced by another of the same length. */
function withSyntax(bytes: Uint8Array, from: string, to: string): Buffer {
  const copy = Buffer.from(bytes);
  copy.write(to, copy.indexOf(from, 132, 'latin1'), 'latin1');
  return copy;
}

test('JPEG extended (.4.51) decodes 8-bit process 1 codestreams like libjpeg-turbo does (within IDCT rounding)', async (t) => {
  const data = Uint8Array.from(pixels12, (v) => v >> 4);
  const bytes = await writeDicom({ transferSyntax: TransferSyntax.JPEGBaseline8Bit, elements: crElements(), pixels: { data, rows, columns } });
  const baseline = await decodeFrame(parseDicom(bytes, 'b.dcm'));
  const extended = await decodeFrame(parseDicom(withSyntax(bytes, TransferSyntax.JPEGBaseline8Bit, TransferSyntax.JPEGExtended12Bit), 'e.dcm'));
  t.true(extended.pixels instanceof Uint8Array);
  const max = Math.max(...Array.from(extended.pixels, (v, i) => Math.abs(v - baseline.pixels[i]!)));
  t.true(max <= 2, `max difference ${max}`);
});

test('JPEG lossless process 14 (.4.57) goes through the same decoder as SV1 (.4.70)', async (t) => {
  if (!codecsDir) return t.pass('skipped: ../shared/data/dicom-codecs is absent (set CXR8_SHARED_DATA)');
  const file = join(codecsDir, 'WG04_RG2_JPLL.dcm');
  const patched = withSyntax(readFileSync(file), TransferSyntax.JPEGLosslessSV1, TransferSyntax.JPEGLossless);
  const parsed = parseDicom(patched, 'jpll-57');
  t.is(parsed.header.transferSyntaxUid, TransferSyntax.JPEGLossless);
  const reference = await decodeFrame(nema('UNC'));
  t.deepEqual((await decodeFrame(parsed)).pixels, reference.pixels);
});

// --- Clear errors only (issue 10, item 5): a JavaScript error inside a codec becomes a reason ----------------------

test('a codec that throws a JavaScript error (daikon on a damaged JPEG extended header) gives a PixelDecodeError with a clean reason', async (t) => {
  if (!codecsDir) return t.pass('skipped: ../shared/data/dicom-codecs is absent (set CXR8_SHARED_DATA)');
  const bytes = new Uint8Array(readFileSync(join(codecsDir, 'WG04_RG2_JPLY.dcm')));
  const location = parseDicom(bytes, 'jply').pixelData as { fragments: { offset: number }[] };
  // Byte 12 of the codestream is inside the quantisation table segment: daikon then sets a property of undefined.
  bytes[location.fragments[0]!.offset + 12] = 0;
  const error = await t.throwsAsync(decodeFrame(parseDicom(bytes, 'jply')), { instanceOf: PixelDecodeError });
  t.true(error?.cause instanceof TypeError, 'the codec did throw a JavaScript error');
  t.regex(error?.message ?? '', /JPEG extended: expected a 1760x2140 frame of 10-bit samples; the decoder rejected the codestream/);
  t.true(isCleanReason(error?.message ?? ''), error?.message);
});

test('thrownText keeps a codec\'s own words and drops JavaScript runtime errors and exception pointers', (t) => {
  t.is(thrownText('marker was not found'), 'marker was not found');
  t.is(thrownText(new Error('ERROR: Huffman table format error [count>Lh]')), 'Huffman table format error [count>Lh]');
  t.is(thrownText(new TypeError("Cannot read properties of undefined (reading 'index')")), undefined);
  t.is(thrownText(new Error("Cannot set properties of undefined (setting 'huffmanTableDC')")), undefined);
  t.is(thrownText(1367320), undefined);
  t.false(isCleanReason('x.dcm: TypeError: foo is not a function\n    at decode (file.js:1:2)'));
  t.true(isCleanReason('expected 4096 bytes of pixel data; found 1200'));
});
