import test from 'ava';
import { createRequire } from 'node:module';
import { writeDicom, writeDicomSync } from '../../src/dicom/write.js';
import { parseDicom } from '../../src/dicom/parse.js';
import { Tag, TransferSyntax } from '../../src/dicom/dictionary.js';
import { DicomWriteError } from '../../src/errors.js';
import { crElements, gradient } from './helpers.js';

const require = createRequire(import.meta.url);

interface ThirdPartyDataSet {
  string(tag: string): string | undefined;
  uint16(tag: string): number | undefined;
  elements: Record<string, { length: number; dataOffset: number; hadUndefinedLength?: boolean; items?: unknown[] }>;
}
const dicomParser = require('dicom-parser') as { parseDicom(bytes: Uint8Array): ThirdPartyDataSet };

const pixels = { data: gradient(10, 8), rows: 10, columns: 8, bitsStored: 12 };

test('Part 10 layout: preamble, DICM, a File Meta group whose group length is right', (t) => {
  const bytes = Buffer.from(writeDicomSync({ transferSyntax: TransferSyntax.ExplicitVRLittleEndian, elements: crElements(), pixels }));
  t.is(bytes.subarray(128, 132).toString('latin1'), 'DICM');
  t.true(bytes.subarray(0, 128).every((b) => b === 0));
  // (0002,0000) UL 4 <length>: the group ends exactly where group 0008 begins.
  t.is(bytes.readUInt16LE(132), 0x0002);
  const groupLength = bytes.readUInt32LE(140);
  t.is(bytes.readUInt16LE(144 + groupLength), 0x0008);
  const parsed = parseDicom(bytes, 'x');
  t.is(parsed.meta?.string(Tag.MediaStorageSOPInstanceUID), '2.25.1001');
  t.is(parsed.meta?.string(Tag.TransferSyntaxUID), TransferSyntax.ExplicitVRLittleEndian);
});

test('values are padded to even length: UI with NUL, text with space', (t) => {
  const bytes = Buffer.from(writeDicomSync({ transferSyntax: TransferSyntax.ExplicitVRLittleEndian, elements: crElements({ SOPInstanceUID: '2.25.123', PatientID: 'ABC' }) }));
  const uidAt = bytes.indexOf('2.25.123', 200, 'latin1');
  t.is(bytes.readUInt16LE(uidAt - 2), 8);
  const idAt = bytes.indexOf('ABC', 200, 'latin1');
  t.is(bytes.readUInt16LE(idAt - 2), 4);
  t.is(bytes[idAt + 3], 0x20);
  const odd = Buffer.from(writeDicomSync({ transferSyntax: TransferSyntax.ExplicitVRLittleEndian, elements: crElements({ SOPInstanceUID: '2.25.1234' }) }));
  const oddAt = odd.indexOf('2.25.1234', 200, 'latin1');
  t.is(odd.readUInt16LE(oddAt - 2), 10);
  t.is(odd[oddAt + 9], 0);
});

test('an independent parser (dicom-parser) reads what we write, in each native syntax', (t) => {
  for (const uid of [TransferSyntax.ImplicitVRLittleEndian, TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ExplicitVRBigEndian]) {
    for (const undefinedLengthSequences of [false, true]) {
      const bytes = writeDicomSync({
        transferSyntax: uid,
        undefinedLengthSequences,
        elements: crElements({ ViewCodeSequence: [{ CodeValue: 'R-10214', CodingSchemeDesignator: 'SRT', CodeMeaning: 'postero-anterior' }] }),
        pixels,
      });
      const ds = dicomParser.parseDicom(bytes);
      t.is(ds.string('x00100010'), 'DOE^JANE', uid);
      t.is(ds.string('x00080018'), '2.25.1001', uid);
      t.is(ds.uint16('x00280010'), 10, uid);
      t.is(ds.uint16('x00280101'), 12, uid);
      t.is(ds.elements['x7fe00010']?.length, 10 * 8 * 2, uid);
      t.is(ds.elements['x00540220']?.items?.length, 1, uid);
    }
  }
});

test('dicom-parser finds our encapsulated fragments with their Basic Offset Table', async (t) => {
  const frames = new Uint16Array(10 * 8 * 2);
  frames.set(pixels.data);
  frames.set(pixels.data, 80);
  const bytes = await writeDicom({ transferSyntax: TransferSyntax.RLELossless, elements: crElements(), pixels: { ...pixels, data: frames, numberOfFrames: 2 } });
  const ds = dicomParser.parseDicom(bytes) as ThirdPartyDataSet & { elements: Record<string, { basicOffsetTable?: number[]; fragments?: unknown[] }> };
  const pixel = ds.elements['x7fe00010']!;
  t.is(pixel.fragments?.length, 2);
  t.is(pixel.basicOffsetTable?.length, 2);
  t.is(pixel.basicOffsetTable?.[0], 0);
});

test('private tags by "ggggeeee:VR", bare data sets, and unknown keywords refused', (t) => {
  const bytes = writeDicomSync({
    transferSyntax: TransferSyntax.ImplicitVRLittleEndian,
    preamble: false,
    elements: { ...crElements(), '00090010:LO': 'ACME', '00091001:LO': 'SECRET' },
  });
  t.is(bytes[0], 0x08); // starts with group 0008, no preamble or meta
  const parsed = parseDicom(bytes, 'bare');
  t.is(parsed.dataSet.string(0x00091001), 'SECRET');
  t.throws(() => writeDicomSync({ transferSyntax: TransferSyntax.ExplicitVRLittleEndian, elements: { PatientNmae: 'X' } }), {
    instanceOf: DicomWriteError,
    message: /expected a dictionary keyword \(e\.g\. "PatientName"\) or "ggggeeee:VR"; found "PatientNmae"/,
  });
  t.throws(() => writeDicomSync({ transferSyntax: TransferSyntax.JPEGLSLossless, elements: crElements(), pixels }), { instanceOf: DicomWriteError });
});

test('writing is deterministic: the same input gives the same bytes', async (t) => {
  for (const uid of [TransferSyntax.DeflatedExplicitVRLittleEndian, TransferSyntax.JPEGLSLossless, TransferSyntax.JPEG2000Lossless, TransferSyntax.JPEGBaseline8Bit]) {
    const input = {
      transferSyntax: uid,
      elements: crElements(),
      pixels: uid === TransferSyntax.JPEGBaseline8Bit ? { data: Uint8Array.from(pixels.data, (v) => v >> 4), rows: 10, columns: 8 } : pixels,
    };
    t.deepEqual(await writeDicom(input), await writeDicom(input), uid);
  }
});
