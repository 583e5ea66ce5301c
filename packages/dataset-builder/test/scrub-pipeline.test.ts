/**
 * End to end: a build with `--keep-report-text` over a small PACS export whose DICOM headers and reports carry
 * identifiers (planted for this test, all invented). None may be anywhere in dataset.sqlite (every text column of
 * every table) or in any file under --out; the kept report text and evidence sentences are there, scrubbed.
 */
import test from 'ava';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { buildDataset } from '../src/pipeline.js';
import { writeDicom } from '../src/dicom/write.js';
import { SopClass, TransferSyntax } from '../src/dicom/dictionary.js';
import type { DicomItem } from '../src/dicom/write.js';
import { filesUnder } from './helpers/files.js';
import { pixels } from './helpers/pacs.js';

interface Study {
  dir: string;
  elements: DicomItem;
  report: string;
}

const STUDIES: Study[] = [
  {
    dir: 'QUILLFEATHER_OTTOLINE/20150312',
    elements: {
      PatientName: 'QUILLFEATHER^OTTOLINE^BEATRIX',
      PatientID: 'MRN-0048213',
      OtherPatientIDs: 'GH-7730042',
      AccessionNumber: 'RAD15-448812',
      StudyDate: '20150312',
      PatientBirthDate: '19230704',
      InstitutionName: 'St Goldfinch Hospital',
      ReferringPhysicianName: 'PENNYWHISTLE^AUGUSTIN',
      PerformingPhysicianName: 'THISTLEWOOD^MARIGOLD',
      NameOfPhysiciansReadingStudy: 'BRAMBLECOMBE^LEOPOLD^^DR',
      OperatorsName: 'WENDLEHURST^IMOGEN',
      StationName: 'GOLDFINCH-CR2',
    },
    report: [
      'INDICATION: 91-year-old Ottoline Quillfeather, MRN 0048213, with cough since 12 Mar 2015.',
      'FINDINGS: Small left pleural effusion, discussed with Dr. Pennywhistle on March 12, 2015 at 10:45 AM.',
      'Nurse Marigold Thistlewood reports the patient desaturated. Compared with 3/12/15 at St Goldfinch Hospital.',
      'Cardiomegaly. Quillfeather, Ottoline was seen by Dr. Fenwickstead (pager 317-555-0142, fax (317) 555-0100).',
      'IMPRESSION: Left pleural effusion. Accession RAD15-448812; prior GH-7730042.',
      'Results e-mailed to a.pennywhistle@goldfinch-health.org. Patient lives at 42 Larchmont Avenue, Maplewood, IL 62704.',
      'Dictated by Bramblecombe, Leopold MD. Technologist: Imogen Wendlehurst.',
    ].join('\n'),
  },
  {
    dir: 'Pellinmore^Harold/study',
    elements: {
      PatientName: 'PELLINMORE^HAROLD',
      PatientID: '7719034',
      AccessionNumber: 'A55019934',
      StudyDate: '20180707',
      InstitutionName: 'Heronsgate Regional Medical Center',
      ReferringPhysicianName: 'Scrivelton^Philippa',
    },
    report: [
      'FINDINGS: Right upper lobe pneumonia in Mr. Pellinmore, 7719034, as discussed with Philippa Scrivelton, MD.',
      'Heronsgate prior of 07/07/2017 shows no pneumothorax. SSN 321-54-9876 on the requisition.',
      'IMPRESSION: Pneumonia. Called to PA Oakleridge at 1430 hours. See https://portal.heronsgate.org/r/55019934.',
    ].join('\n'),
  },
];

/** Every planted identifier: none may reach the dataset, whatever its case. */
const PLANTED = [
  'QUILLFEATHER', 'Quillfeather', 'Ottoline', 'BEATRIX', 'MRN-0048213', '0048213', 'GH-7730042', '7730042', 'RAD15-448812', '448812', '20150312',
  '19230704', 'Goldfinch', 'PENNYWHISTLE', 'Pennywhistle', 'AUGUSTIN', 'THISTLEWOOD', 'Thistlewood', 'Marigold', 'BRAMBLECOMBE', 'Bramblecombe', 'Leopold',
  'WENDLEHURST', 'Wendlehurst', 'Imogen', 'GOLDFINCH-CR2', '12 Mar 2015', 'March 12, 2015', '10:45', '3/12/15', 'Fenwickstead', '317-555-0142', '555-0100',
  'goldfinch-health', '42 Larchmont', 'Larchmont', 'Maplewood', '62704', 'PELLINMORE', 'Pellinmore', 'HAROLD', '7719034', 'A55019934', '55019934',
  '20180707', 'Heronsgate', 'Scrivelton', 'Philippa', '07/07/2017', '321-54-9876', 'Oakleridge', '1430', 'portal.heronsgate',
];

const roots: string[] = [];
test.after.always(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function makePlantedPacs(): Promise<{ root: string; dicom: string; reports: string }> {
  const root = await mkdtemp(join(tmpdir(), 'cxr8-phi-'));
  roots.push(root);
  const dicom = join(root, 'dicom');
  const rows = ['accession_number,report_text'];
  let n = 0;
  for (const s of STUDIES) {
    await mkdir(join(dicom, s.dir), { recursive: true });
    const uid = `1.2.826.0.1.3680043.10.77.${++n}`;
    const bytes = await writeDicom({
      transferSyntax: TransferSyntax.ExplicitVRLittleEndian,
      elements: {
        SOPClassUID: SopClass.ComputedRadiography,
        SOPInstanceUID: `${uid}.1.1`,
        StudyInstanceUID: uid,
        SeriesInstanceUID: `${uid}.1`,
        PatientSex: 'F',
        Modality: 'CR',
        BodyPartExamined: 'CHEST',
        ViewPosition: 'PA',
        ImagerPixelSpacing: ['0.143', '0.143'],
        WindowCenter: '2048',
        WindowWidth: '4096',
        ...s.elements,
      },
      pixels: { data: pixels(n, 48), rows: 48, columns: 48, bitsStored: 12, photometricInterpretation: 'MONOCHROME2' },
    });
    await writeFile(join(dicom, s.dir, 'IM0001.dcm'), bytes);
    rows.push(`${String(s.elements.AccessionNumber)},"${s.report.replaceAll('"', '""')}"`);
  }
  const reports = join(root, 'reports.csv');
  await writeFile(reports, `${rows.join('\n')}\n`);
  return { root, dicom, reports };
}

let built: Promise<{ root: string; out: string }> | undefined;
function buildOnce(): Promise<{ root: string; out: string }> {
  built ??= (async () => {
    const pacs = await makePlantedPacs();
    const out = join(pacs.root, 'out', 'ds');
    await buildDataset({ dicomDir: pacs.dicom, reports: [pacs.reports], out, keepReportText: true, size: 32, shardSize: 16, workers: 0, progress: null });
    return { root: pacs.root, out };
  })();
  return built;
}

const lower = PLANTED.map((p) => p.toLowerCase());

test('with --keep-report-text, no planted identifier is in any text column of any table of dataset.sqlite', async (t) => {
  const { out } = await buildOnce();
  const db = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    const found: string[] = [];
    let cells = 0;
    for (const table of tables) {
      for (const row of db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]) {
        for (const [column, value] of Object.entries(row)) {
          if (typeof value !== 'string') continue;
          cells++;
          const v = value.toLowerCase();
          lower.forEach((p, i) => {
            if (v.includes(p)) found.push(`${PLANTED[i]} in ${table}.${column}: ${value.slice(0, 300)}`);
          });
        }
      }
    }
    t.true(cells > 0);
    t.deepEqual(found, []);
  } finally {
    db.close();
  }
});

test('with --keep-report-text, the report text and evidence sentences are kept, scrubbed', async (t) => {
  const { out } = await buildOnce();
  const db = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  try {
    const texts = db.prepare('SELECT report_text FROM studies ORDER BY id').pluck().all() as string[];
    t.is(texts.length, 2);
    const first = texts.find((x) => x.includes('pleural effusion')) ?? '';
    t.regex(first, /discussed with Dr\. \[NAME\] on \[DATE\]/);
    t.regex(first, /\[AGE>89\]-year-old \[NAME\], (?:MRN )?\[ID\]/);
    t.regex(first, /at \[INSTITUTION\]/);
    t.regex(first, /lives at \[ADDRESS\], \[LOCATION\], IL \[ZIP\]/);
    const evidence = (db.prepare('SELECT evidence FROM labels').pluck().all() as string[]).flatMap((e) => JSON.parse(e) as { sentence?: string }[]);
    const sentences = evidence.map((e) => e.sentence).filter((s): s is string => typeof s === 'string');
    t.true(sentences.length > 0, 'evidence keeps sentences with the flag');
    t.true(sentences.some((s) => s.includes('[NAME]')), `a scrubbed evidence sentence: ${JSON.stringify(sentences)}`);
    // Offsets point into the stored (scrubbed) report text, and the sentence is a piece of it.
    const rows = db.prepare('SELECT s.report_text AS text, l.evidence FROM labels l JOIN images i ON i.id = l.image_id JOIN studies s ON s.id = i.study_id').all() as { text: string; evidence: string }[];
    for (const r of rows) {
      for (const e of JSON.parse(r.evidence) as { start: number; end: number; text: string; sentence?: string }[]) {
        t.is(r.text.slice(e.start, e.end), e.text);
        if (e.sentence) t.true(r.text.includes(e.sentence), e.sentence);
      }
    }
  } finally {
    db.close();
  }
});

test('with --keep-report-text, no planted identifier is in any file under --out', async (t) => {
  const { root, out } = await buildOnce();
  const found: string[] = [];
  for (const file of await filesUnder(out)) {
    const bytes = await readFile(file);
    const text = bytes.toString('latin1').toLowerCase();
    if (text.includes(root.toLowerCase())) found.push(`the export path in ${file}`);
    lower.forEach((p, i) => {
      if (text.includes(p)) found.push(`${PLANTED[i]} in ${file}`);
      if (bytes.includes(Buffer.from(PLANTED[i]!, 'utf16le'))) found.push(`${PLANTED[i]} (utf16) in ${file}`);
    });
  }
  t.deepEqual(found, []);
});

test('a dataset with --keep-report-text built from an index made without it still scrubs with the header identifiers', async (t) => {
  // The same key file (private index) first served a build without the flag: its files are not re-read for a size or
  // mtime change, but for the header identifiers the scrubber needs ("Heronsgate" is only in a header).
  const pacs = await makePlantedPacs();
  const keyFile = join(pacs.root, 'key.sqlite');
  const build = (out: string, keepReportText: boolean) =>
    buildDataset({ dicomDir: pacs.dicom, reports: [pacs.reports], out, keyFile, keepReportText, size: 32, shardSize: 16, workers: 0, progress: null });
  await build(join(pacs.root, 'plain'), false);
  const out = join(pacs.root, 'kept');
  await build(out, true);
  const db = new Database(join(out, 'dataset.sqlite'), { readonly: true });
  try {
    const texts = db.prepare('SELECT report_text FROM studies WHERE report_text IS NOT NULL').pluck().all() as string[];
    const sentences = (db.prepare('SELECT evidence FROM labels').pluck().all() as string[]).flatMap((e) => JSON.parse(e) as { sentence?: string }[]).flatMap((e) => (e.sentence ? [e.sentence] : []));
    t.is(texts.length, 2);
    t.true(sentences.length > 0);
    const all = [...texts, ...sentences].join('\n').toLowerCase();
    t.deepEqual(lower.filter((p) => all.includes(p)), []);
    t.true(all.includes('[institution] prior of [date]'));
  } finally {
    db.close();
  }
});
