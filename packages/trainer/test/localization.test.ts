import test from 'ava';
import { iobb, iou, scoreLocalization, localize, IOBB_THRESHOLDS, IOU_THRESHOLDS } from '../src/metrics/localization.js';
import type { LocalizationItem } from '../src/metrics/localization.js';
import { MetricInputError } from '../src/errors.js';

const box = (x: number, y: number, w: number, h: number) => ({ x, y, w, h });

test('IoBB divides the intersection by the predicted box, IoU by the union', (t) => {
  // predicted 10x10 at (0,0), truth 100x100 at (5,0): intersection 5x10 = 50
  t.is(iobb(box(0, 0, 10, 10), box(5, 0, 100, 100)), 0.5);
  t.is(iou(box(0, 0, 10, 10), box(5, 0, 100, 100)), 50 / (100 + 10000 - 50));
  // a predicted box inside the truth has IoBB 1 whatever its size
  t.is(iobb(box(20, 20, 5, 5), box(0, 0, 100, 100)), 1);
  t.is(iou(box(20, 20, 5, 5), box(0, 0, 100, 100)), 25 / 10000);
  // identical boxes
  t.is(iou(box(3, 4, 10, 20), box(3, 4, 10, 20)), 1);
  // disjoint and touching boxes do not intersect
  t.is(iobb(box(0, 0, 10, 10), box(10, 0, 10, 10)), 0);
  t.is(iou(box(0, 0, 10, 10), box(50, 50, 10, 10)), 0);
  // half-overlap sideways: 50 / 150
  t.is(iou(box(0, 0, 10, 10), box(5, 0, 10, 10)), 1 / 3);
});

test('IoBB of an empty predicted box is 0; a negative size is an error', (t) => {
  t.is(iobb(box(5, 5, 0, 0), box(0, 0, 10, 10)), 0);
  t.throws(() => iou(box(0, 0, -1, 5), box(0, 0, 1, 1)), { instanceOf: MetricInputError });
});

const items: LocalizationItem[] = [
  {
    // Mass found at IoBB 0.5 (predicted 20x20 inside), plus one far-off false box.
    id: 'a.png',
    truth: [{ finding: 'Mass', x: 0, y: 0, w: 100, h: 100 }],
    predicted: [
      { finding: 'Mass', x: 10, y: 10, w: 20, h: 20 },
      { finding: 'Mass', x: 500, y: 500, w: 50, h: 50 },
      { finding: 'Nodule', x: 10, y: 10, w: 20, h: 20 },
    ],
  },
  {
    // Mass: the only box lies 30% inside the truth (IoBB 0.3): found at T = 0.1, 0.25, missed at 0.5.
    id: 'b.png',
    truth: [{ finding: 'Mass', x: 100, y: 100, w: 100, h: 100 }],
    predicted: [{ finding: 'Mass', x: 170, y: 100, w: 100, h: 100 }],
  },
  {
    // No Mass truth: its Mass boxes are not counted at all.
    id: 'c.png',
    truth: [{ finding: 'Nodule', x: 0, y: 0, w: 10, h: 10 }],
    predicted: [{ finding: 'Mass', x: 0, y: 0, w: 10, h: 10 }],
  },
];

test('accuracy and AFP follow the paper: per class, over images with a box of that class', (t) => {
  const table = scoreLocalization(items, ['Mass', 'Nodule', 'Effusion'], [0.1, 0.25, 0.5], iobb);
  // b.png: predicted x 170..270 vs truth 100..200: 30/100 of the box inside -> IoBB 0.3
  t.deepEqual(table['0.1']?.['Mass'], { acc: 1, afp: 0.5 }); // a: far box is FP; b: found
  t.deepEqual(table['0.25']?.['Mass'], { acc: 1, afp: 0.5 });
  t.deepEqual(table['0.5']?.['Mass'], { acc: 0.5, afp: 1 }); // b's box now fails: a miss and a FP
  // Nodule: one image (c), no Nodule box predicted there -> missed, no FP
  t.deepEqual(table['0.5']?.['Nodule'], { acc: 0, afp: 0 });
  // Effusion has no truth: no entry
  t.is(table['0.5']?.['Effusion'], undefined);
});

test('localize reports both measures at the paper thresholds and the counts', (t) => {
  const result = localize(items, ['Mass', 'Nodule']);
  t.deepEqual(Object.keys(result.iobb), IOBB_THRESHOLDS.map(String));
  t.deepEqual(Object.keys(result.iou), IOU_THRESHOLDS.map(String));
  t.deepEqual(result.images, { Mass: 2, Nodule: 1 });
  t.deepEqual(result.boxes, { Mass: 2, Nodule: 1 });
  // IoU of a (20x20 in 100x100) = 0.04, of b = 30*100 / (2*10000 - 3000) = 0.176..: both fail T(IoU) = 0.2
  t.deepEqual(result.iou['0.1']?.['Mass'], { acc: 0.5, afp: 1 });
  t.deepEqual(result.iou['0.2']?.['Mass'], { acc: 0, afp: 1.5 });
});
