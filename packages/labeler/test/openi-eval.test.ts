import test from 'ava';
import { createLabeler } from '../src/pipeline.js';
import { evaluate, type Evaluation, type LabelTable } from '../src/evaluate.js';
import { hasOpenIDev, openIDevPaths, readOpenIDev } from './helpers/openi-dev.js';

const paths = openIDevPaths();

/**
 * F1 per class measured on openi-dev (docs/architecture/labeler-core.md), against NegBio's gold.csv (raw) and
 * gold-adjudicated.csv. Hernia is scored apart (never marked in gold.csv; in the adjudicated gold only where a
 * disagreement was read).
 */
const MEASURED_F1: Record<'raw' | 'adjudicated', Record<string, number>> = {
  raw: {
    Atelectasis: 0.804,
    Cardiomegaly: 0.901,
    Effusion: 0.895,
    Infiltration: 0.667,
    Mass: 0.667,
    Nodule: 0.848,
    Pneumonia: 0.828,
    Pneumothorax: 1.0,
    Consolidation: 0.9,
    Edema: 0.839,
    Emphysema: 0.987,
    Fibrosis: 0.714,
    Pleural_Thickening: 0.813,
    'No Finding': 0.948,
  },
  adjudicated: {
    Atelectasis: 0.833,
    Cardiomegaly: 0.987,
    Effusion: 0.927,
    Infiltration: 0.759,
    Mass: 0.857,
    Nodule: 0.935,
    Pneumonia: 0.857,
    Pneumothorax: 1.0,
    Consolidation: 0.947,
    Edema: 0.903,
    Emphysema: 1.0,
    Fibrosis: 0.769,
    Pleural_Thickening: 0.963,
    Hernia: 0.976,
    'No Finding': 0.994,
  },
};

/**
 * Floors: the measured level minus a small margin. Issue 8's dev targets (adjudicated micro-F1 over 13 >= 0.99, No
 * Finding >= 0.995) are not met: the labels follow ANNOTATION.md, and both golds code as present 58 hedged or
 * alternative mentions that ANNOTATION.md makes -1 ("likely", "probable", "most suggestive of", "XXXX represents",
 * "atelectasis or scarring", "scarring and/or atelectasis", "atelectasis/airspace disease"), mentions the adjudicators never read because the
 * labeler of 2026-11 and NegBio's gold agreed on them (docs/architecture/labeler-core.md lists them with counts).
 */
const FLOORS = {
  raw: { micro13: 0.85, noFinding: 0.94 },
  adjudicated: { micro13: 0.91, noFinding: 0.99 },
};

if (!hasOpenIDev(paths)) {
  test(`openi-dev evaluation (skipped: ${paths.dir} absent)`, (t) => t.pass());
} else {
  const labeler = createLabeler();
  const dev = readOpenIDev(paths);
  const pred: LabelTable = new Map();
  for (const report of dev.reports) pred.set(report.id, labeler.label(report).labels);
  const golds: Array<['raw' | 'adjudicated', Evaluation]> = [['raw', evaluate(dev.gold, pred)]];
  if (dev.adjudicated) golds.push(['adjudicated', evaluate(dev.adjudicated, pred)]);
  else test(`openi-dev adjudicated gold (skipped: ${paths.goldAdjudicated} absent)`, (t) => t.pass());

  test('openi-dev: every report file is read', (t) => {
    t.deepEqual(dev.failures, []);
  });

  for (const [name, ev] of golds) {
    test(`openi-dev, ${name} gold: every gold report is labeled`, (t) => {
      t.deepEqual(ev.missing, []);
    });

    test(`openi-dev, ${name} gold: micro F1 over the 13 findings (Hernia apart) is at least ${FLOORS[name].micro13}`, (t) => {
      t.true(ev.microWithoutHernia.f1 >= FLOORS[name].micro13, `micro F1 ${ev.microWithoutHernia.f1.toFixed(3)}`);
    });

    test(`openi-dev, ${name} gold: No Finding F1 is at least ${FLOORS[name].noFinding}`, (t) => {
      t.true((ev.noFinding?.f1 ?? 0) >= FLOORS[name].noFinding, `No Finding F1 ${ev.noFinding?.f1.toFixed(3)}`);
    });

    test(`openi-dev, ${name} gold: every class is at or above its measured F1 minus 0.03`, (t) => {
      const measured = MEASURED_F1[name];
      const below = ev.classes
        .filter((c) => measured[c.label] !== undefined && c.f1 < measured[c.label]! - 0.03)
        .map((c) => `${c.label} ${c.f1.toFixed(3)} < ${measured[c.label]} - 0.03`);
      t.deepEqual(below, []);
    });
  }
}
