/**
 * Label sets through the trainer (issue 9 item 4): a dataset built by the builder with a finding of a site's own
 * lexicon folder ("Scoliosis") and a set file trains on the findings its shards carry, one model output each, and the
 * AUC table prints the paper's numbers only beside the findings the paper has.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SopClass, TransferSyntax, buildDataset, readShardManifest, writeDicom } from '@cxr8/dataset-builder';
import { writeSiteLexicon } from '../../dataset-builder/test/helpers/site-lexicon.js';
import { initBackend } from '../src/backend.js';
import { train } from '../src/train.js';
import { loadModel } from '../src/model.js';
import { aucTable, PAPER_AUC_CXR8, PAPER_AUC_CXR14 } from '../src/report.js';

const SET = ['Cardiomegaly', 'Scoliosis'];
const TEXTS = ['IMPRESSION: Cardiomegaly.', 'IMPRESSION: Mild thoracic dextroscoliosis.', 'IMPRESSION: No acute disease.', 'IMPRESSION: Cardiomegaly. Levoscoliosis.'];

let root = '';
test.before(async () => {
  await initBackend('wasm');
  root = await mkdtemp(join(tmpdir(), 'cxr8-label-set-train-'));
});
test.after.always(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** A PACS export of `n` patients, one frontal chest CR each, with a reports CSV cycling through {@link TEXTS}. */
async function writeExport(dir: string, n: number): Promise<{ dicom: string; reports: string }> {
  const dicom = join(dir, 'dicom');
  await mkdir(dicom, { recursive: true });
  const rows = ['accession_number,report_text'];
  for (let i = 0; i < n; i++) {
    const size = 32;
    const data = new Uint16Array(size * size);
    for (let k = 0; k < data.length; k++) data[k] = ((k * 37 + i * 101) % 4096) & 0xfff;
    const uid = `1.2.826.0.1.3680043.10.77.${i + 1}`;
    const bytes = await writeDicom({
      transferSyntax: TransferSyntax.ExplicitVRLittleEndian,
      elements: {
        SOPClassUID: SopClass.ComputedRadiography,
        SOPInstanceUID: `${uid}.1.1`,
        StudyInstanceUID: uid,
        SeriesInstanceUID: `${uid}.1`,
        AccessionNumber: `ACS${i}`,
        StudyDate: '20200101',
        PatientName: `PATIENT^${i}`,
        PatientID: `SITE-${i}`,
        PatientSex: i % 2 ? 'F' : 'M',
        Modality: 'CR',
        BodyPartExamined: 'CHEST',
        ViewPosition: 'PA',
        WindowCenter: '2048',
        WindowWidth: '4096',
      },
      pixels: { data, rows: size, columns: size, bitsStored: 12, photometricInterpretation: 'MONOCHROME2' },
    });
    await writeFile(join(dicom, `IM${i}`), bytes);
    rows.push(`ACS${i},"${TEXTS[i % TEXTS.length] as string}"`);
  }
  const reports = join(dir, 'reports.csv');
  await writeFile(reports, `${rows.join('\n')}\n`);
  return { dicom, reports };
}

test.serial('a dataset built with a set of its own trains one output per set finding, in the shards\' order', async (t) => {
  const { lexicons, set: setFile } = await writeSiteLexicon(root, SET);
  const pacs = await writeExport(root, 16);
  const data = join(root, 'dataset');
  const summary = await buildDataset({
    dicomDir: pacs.dicom,
    reports: [pacs.reports],
    out: data,
    labelSet: setFile,
    lexiconDirs: [lexicons],
    size: 32,
    shardSize: 16,
    split: { train: 0.5, val: 0.5, test: 0 },
    workers: 0,
    progress: null,
  });
  t.is(summary.failed, 0);
  t.is(summary.images.inDataset, 16);
  t.true(summary.splits.train > 0 && summary.splits.val > 0, JSON.stringify(summary.splits));
  t.deepEqual((await readShardManifest(data)).findings, SET);

  const out = join(root, 'run');
  const result = await train({ data, out, epochs: 1, batchSize: 4, imageSize: 16, transitionDepth: 4, seed: 1, augment: false, workers: 1, log: () => undefined });
  t.is(result.epochsRun, 1);
  const model = await loadModel(out);
  t.deepEqual(model.config.findings, SET);
  t.deepEqual(model.forward(tf.zeros([1, 16, 16, 1]) as tf.Tensor4D).probs.shape, [1, SET.length]);
  model.dispose();
});

test('the AUC table prints the paper\'s numbers only beside findings the paper has', (t) => {
  const table = aucTable({ Cardiomegaly: 0.8, Scoliosis: 0.7 }, { Cardiomegaly: 3, Scoliosis: 2 }, 0.75);
  const row = (f: string): string => table.split('\n').find((l) => l.startsWith(`| ${f} |`)) ?? '';
  t.true(row('Cardiomegaly').includes((PAPER_AUC_CXR14.Cardiomegaly as number).toFixed(4)));
  t.regex(row('Scoliosis'), /^\| Scoliosis \| 2 \| 0\.7000 \| — \| — \|$/);
  // Our mean over the paper's findings (Cardiomegaly alone) beside the paper's.
  t.true(table.includes(`| mean over the 1 findings the paper has | | 0.8000 | ${(PAPER_AUC_CXR8.Cardiomegaly as number).toFixed(4)} | ${(PAPER_AUC_CXR14.Cardiomegaly as number).toFixed(4)} |`), table);
  t.false(aucTable({ Cardiomegaly: 0.8 }, {}, 0.8).includes('findings the paper has'), 'no second row when every finding is the paper\'s');
});
