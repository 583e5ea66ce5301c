import test from 'ava';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { makePhantomsB, planPhantomsB, renderPhantomB, sfc32 } from '../src/phantoms-b.js';
import type { PhantomBPlan } from '../src/phantoms-b.js';
import { BBOX_LIST_HEADER, DATA_ENTRY_HEADER, PHANTOM_FINDINGS } from '../src/phantoms.js';
import type { PhantomFinding } from '../src/phantoms.js';
import type { FindingBox } from '../src/metrics/localization.js';
import { PhantomError } from '../src/errors.js';

const lines = async (path: string): Promise<string[]> => (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');

/** Mean of the pixels of `box` (1024 frame) for which `keep(x, y)` holds. */
function mean(pixels: Uint8Array, box: { x: number; y: number; w: number; h: number }, keep: (x: number, y: number) => boolean = () => true): number {
  let s = 0;
  let n = 0;
  for (let y = Math.max(0, Math.floor(box.y)); y < Math.min(1024, box.y + box.h); y++) {
    for (let x = Math.max(0, Math.floor(box.x)); x < Math.min(1024, box.x + box.w); x++) {
      if (!keep(x, y)) continue;
      s += pixels[y * 1024 + x] as number;
      n++;
    }
  }
  return s / Math.max(n, 1);
}

const boxOf = (boxes: FindingBox[], finding: string): FindingBox => {
  const b = boxes.find((x) => x.finding === finding);
  if (b === undefined) throw new Error(`no ${finding} box`);
  return b;
};
const plan = (findings: PhantomFinding[], k: number): PhantomBPlan => ({ findings, patientSeed: 1000 + k, seed: 77 + 13 * k });

test('family B is written in the NIH layout: exact headers, one box per label inside the image, patient-disjoint lists', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'cxr8-phantoms-b-'));
  t.teardown(() => rm(out, { recursive: true, force: true }));
  const ds = await makePhantomsB({ out, n: 4, seed: 5 });
  t.is(ds.images, 4);
  const entry = await lines(join(out, 'Data_Entry.csv'));
  t.is(entry[0], DATA_ENTRY_HEADER);
  const rows = entry.slice(1).map((l) => l.split(','));
  t.is(rows.length, 4);
  const labelsOf = new Map<string, string[]>();
  const patientOf = new Map<string, string>();
  for (const r of rows) {
    t.is(r.length, 11);
    const [image, labels, followUp, patient] = r as [string, string, string, string];
    t.is(image, `${patient.padStart(8, '0')}_${followUp.padStart(3, '0')}.png`);
    const names = labels === 'No Finding' ? [] : labels.split('|');
    t.true(names.every((n) => (PHANTOM_FINDINGS as readonly string[]).includes(n)), labels);
    labelsOf.set(image, names);
    patientOf.set(image, patient);
  }
  const bbox = await lines(join(out, 'BBox_List.csv'));
  t.is(bbox[0], BBOX_LIST_HEADER);
  const boxesOf = new Map<string, string[]>();
  for (const l of bbox.slice(1)) {
    const [image, finding, ...xywh] = l.split(',') as [string, string, string, string, string, string];
    const [x, y, w, h] = xywh.map(Number) as [number, number, number, number];
    t.true(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 1024 && y + h <= 1024, l);
    boxesOf.set(image, [...(boxesOf.get(image) ?? []), finding]);
  }
  for (const [image, names] of labelsOf) t.deepEqual([...(boxesOf.get(image) ?? [])].sort(), [...names].sort(), image);
  const trainVal = await lines(join(out, 'train_val_list.txt'));
  const testList = await lines(join(out, 'test_list.txt'));
  t.deepEqual([...trainVal, ...testList].sort(), [...labelsOf.keys()].sort());
  const trainPatients = new Set(trainVal.map((i) => patientOf.get(i)));
  t.true(testList.every((i) => !trainPatients.has(patientOf.get(i))));
  const pngs = (await readdir(join(out, 'images'))).sort();
  t.deepEqual(pngs, [...labelsOf.keys()].sort());
  const meta = await sharp(join(out, 'images', pngs[0] as string)).metadata();
  t.deepEqual([meta.width, meta.height, meta.channels], [1024, 1024, 1]);
  t.is(JSON.parse(await readFile(join(out, 'phantoms.json'), 'utf8')).style, 'b');
});

test('the family-B plan and pixels are seeded; follow-ups of a patient share its anatomy seed', (t) => {
  t.deepEqual(planPhantomsB({ n: 30, seed: 4 }), planPhantomsB({ n: 30, seed: 4 }));
  t.notDeepEqual(planPhantomsB({ n: 30, seed: 4 }), planPhantomsB({ n: 30, seed: 5 }));
  const entries = planPhantomsB({ n: 60, seed: 2 });
  for (const e of entries) t.is<number | undefined, number | undefined>(e.patientSeed, entries.find((o) => o.patientId === e.patientId)?.patientSeed);
  t.true(entries.some((e) => e.followUp > 0));
  const a = renderPhantomB(plan(['Nodule'], 1));
  const b = renderPhantomB(plan(['Nodule'], 1));
  t.deepEqual(Buffer.from(a.pixels), Buffer.from(b.pixels));
  t.notDeepEqual(Buffer.from(renderPhantomB(plan(['Nodule'], 2)).pixels), Buffer.from(a.pixels));
  t.not(sfc32(1)(), sfc32(2)());
  t.throws(() => planPhantomsB({ n: 0 }), { instanceOf: PhantomError });
});

/** What a finding changes: the pixels that differ from the same image without it (the image's own stream is the same). */
function changes(findings: PhantomFinding[], k: number, finding: PhantomFinding): { box: FindingBox; inside: number; outside: number; mean: number; extent: [number, number, number, number] } {
  const withIt = renderPhantomB(plan(findings, k));
  const without = renderPhantomB(plan(findings.filter((f) => f !== finding), k));
  const box = boxOf(withIt.boxes, finding);
  let inside = 0;
  let outside = 0;
  let sum = 0;
  const extent: [number, number, number, number] = [1024, 1024, -1, -1];
  for (let y = 0; y < 1024; y++) {
    for (let x = 0; x < 1024; x++) {
      const d = (withIt.pixels[y * 1024 + x] as number) - (without.pixels[y * 1024 + x] as number);
      if (d === 0) continue;
      if (x >= box.x && x < box.x + box.w && y >= box.y && y < box.y + box.h) inside++;
      else outside++;
      sum += d;
      extent[0] = Math.min(extent[0], x);
      extent[1] = Math.min(extent[1], y);
      extent[2] = Math.max(extent[2], x);
      extent[3] = Math.max(extent[3], y);
    }
  }
  return { box, inside, outside, mean: sum / Math.max(1, inside + outside), extent };
}

PHANTOM_FINDINGS.forEach((finding, k) => {
  test(`a family-B ${finding} changes only pixels inside its box, and its box is tight around them`, (t) => {
    {
      const c = changes([finding], k, finding);
      const { box } = c;
      t.is(c.outside, 0, `${finding} ${k}: ${c.outside} changed pixels outside ${JSON.stringify(box)}`);
      t.true(c.inside > 100, `${finding} ${k}: ${c.inside} changed pixels`);
      // Margin: max(8 px, 6%) per side (and the frame's edge), plus a pixel of rounding; changes whose effect is
      // below a grey level do not show, so allow a few pixels more.
      const mx = Math.max(8, 0.06 * (box.w / 1.12)) + 6;
      const my = Math.max(8, 0.06 * (box.h / 1.12)) + 6;
      const [x0, y0, x1, y1] = c.extent;
      t.true(x0 - box.x <= mx && box.x + box.w - 1 - x1 <= mx, `${finding} ${k}: x extent ${x0}..${x1} in ${JSON.stringify(box)}`);
      t.true(y0 - box.y <= my && box.y + box.h - 1 - y1 <= my, `${finding} ${k}: y extent ${y0}..${y1} in ${JSON.stringify(box)}`);
      // The look of each finding, from what it changes.
      if (finding === 'Effusion') {
        t.true(c.mean > 2, `effusion: denser, mean change ${c.mean.toFixed(1)}`);
        t.true(box.y + box.h > 560, `effusion box ends at ${box.y + box.h}: at the base`);
      }
      if (finding === 'Pneumothorax') {
        t.true(c.mean < 0, `pneumothorax: more lucent, mean change ${c.mean.toFixed(1)}`);
        t.true(box.y < 260, `pneumothorax box starts at ${box.y}: at the apex`);
      }
      if (finding === 'Nodule' || finding === 'Mass') t.true(c.mean > 2, `${finding}: denser, mean change ${c.mean.toFixed(1)}`);
      if (finding === 'Nodule') t.true(box.w >= 25 && box.w <= 75 * 1.04 + 2 * 8 + 8, `nodule box width ${box.w}: 5-15 mm`);
      if (finding === 'Cardiomegaly') t.true(box.w > 0.5 * 2 * 395 * 0.88, `heart box width ${box.w}: over half the thorax`);
    }
  });
});

test('family-B nodules fall in both lungs, high and low', (t) => {
  const centres = planPhantomsB({ n: 400, seed: 9 })
    .filter((e) => e.findings.includes('Nodule'))
    .slice(0, 8)
    .map((e) => boxOf(renderPhantomB(e).boxes, 'Nodule'))
    .map((b) => [b.x + b.w / 2, b.y + b.h / 2] as const);
  t.true(centres.some(([x]) => x < 512) && centres.some(([x]) => x > 512), 'both lungs');
  const ys = centres.map(([, y]) => y);
  t.true(Math.max(...ys) - Math.min(...ys) > 200, `vertical spread ${Math.min(...ys)}..${Math.max(...ys)}`);
});

test('family B on worker threads writes the same files, byte for byte, as on one thread', async (t) => {
  const one = await mkdtemp(join(tmpdir(), 'cxr8-phantoms-b1-'));
  const two = await mkdtemp(join(tmpdir(), 'cxr8-phantoms-b2-'));
  t.teardown(() => Promise.all([rm(one, { recursive: true, force: true }), rm(two, { recursive: true, force: true })]));
  await makePhantomsB({ out: one, n: 2, seed: 8, workers: 1 });
  await makePhantomsB({ out: two, n: 2, seed: 8, workers: 2 });
  for (const f of ['Data_Entry.csv', 'BBox_List.csv', 'test_list.txt', 'train_val_list.txt']) t.is(await readFile(join(two, f), 'utf8'), await readFile(join(one, f), 'utf8'), f);
  for (const png of await readdir(join(one, 'images'))) t.deepEqual(await readFile(join(two, 'images', png)), await readFile(join(one, 'images', png)), png);
});
