import test from 'ava';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { makePhantoms, planPhantoms, renderPhantom, BBOX_LIST_HEADER, DATA_ENTRY_HEADER, PHANTOM_FINDINGS } from '../src/phantoms.js';
import { PhantomError } from '../src/errors.js';

const lines = async (path: string): Promise<string[]> => (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');

test('phantoms are written in the NIH layout: exact headers, boxes inside the image, patient-disjoint splits', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'cxr8-phantoms-'));
  t.teardown(() => rm(out, { recursive: true, force: true }));
  const ds = await makePhantoms({ out, n: 8, seed: 11 });
  t.is(ds.images, 8);

  const entry = await lines(join(out, 'Data_Entry.csv'));
  t.is(entry[0], 'Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y]');
  t.is(entry[0], DATA_ENTRY_HEADER);
  const rows = entry.slice(1).map((l) => l.split(','));
  t.is(rows.length, 8);
  const patientOf = new Map<string, string>();
  const labelsOf = new Map<string, string[]>();
  for (const r of rows) {
    t.is(r.length, 11);
    const [image, labels, followUp, patient] = r as [string, string, string, string];
    t.regex(image, /^\d{8}_\d{3}\.png$/);
    t.is(image, `${patient.padStart(8, '0')}_${followUp.padStart(3, '0')}.png`);
    patientOf.set(image, patient);
    const names = labels === 'No Finding' ? [] : labels.split('|');
    t.true(names.every((n) => (PHANTOM_FINDINGS as readonly string[]).includes(n)));
    labelsOf.set(image, names);
  }

  const bbox = await lines(join(out, 'BBox_List.csv'));
  t.is(bbox[0], 'Image Index,Finding Label,Bbox [x,y,w,h],,,');
  t.is(bbox[0], BBOX_LIST_HEADER);
  const boxesOf = new Map<string, string[]>();
  for (const l of bbox.slice(1)) {
    const [image, finding, x, y, w, h] = l.split(',') as [string, string, string, string, string, string];
    const [bx, by, bw, bh] = [x, y, w, h].map(Number) as [number, number, number, number];
    t.true(bx >= 0 && by >= 0 && bw > 0 && bh > 0 && bx + bw <= 1024 && by + bh <= 1024, l);
    boxesOf.set(image, [...(boxesOf.get(image) ?? []), finding]);
  }
  // Exactly one box per planted finding, and no box without a label.
  for (const [image, names] of labelsOf) t.deepEqual([...(boxesOf.get(image) ?? [])].sort(), [...names].sort(), image);

  const trainVal = await lines(join(out, 'train_val_list.txt'));
  const testList = await lines(join(out, 'test_list.txt'));
  t.deepEqual([...trainVal, ...testList].sort(), [...patientOf.keys()].sort());
  const trainPatients = new Set(trainVal.map((i) => patientOf.get(i)));
  t.true(testList.length > 0 && trainVal.length > 0);
  t.true(testList.every((i) => !trainPatients.has(patientOf.get(i))));

  const pngs = (await readdir(join(out, 'images'))).sort();
  t.deepEqual(pngs, [...patientOf.keys()].sort());
  const meta = await sharp(join(out, 'images', pngs[0] as string)).metadata();
  t.is(meta.width, 1024);
  t.is(meta.height, 1024);
  t.is(meta.channels, 1);
  t.is(meta.format, 'png');
});

test('a plan is seeded: the same seed gives the same dataset, another seed another one', (t) => {
  t.deepEqual(planPhantoms({ n: 30, seed: 4 }), planPhantoms({ n: 30, seed: 4 }));
  t.notDeepEqual(planPhantoms({ n: 30, seed: 4 }), planPhantoms({ n: 30, seed: 5 }));
  const plan = planPhantoms({ n: 200, seed: 9 });
  t.true(plan.some((e) => e.findings.length === 0)); // healthy images
  t.true(plan.some((e) => e.findings.length >= 2)); // several findings on one image
  for (const f of PHANTOM_FINDINGS) t.true(plan.some((e) => e.findings.includes(f)), f);
  t.throws(() => planPhantoms({ n: 0 }), { instanceOf: PhantomError, message: /positive integer image count, found 0/ });
});

test('a planted nodule is a bright spot inside its box, brighter than the lung around it', (t) => {
  const { pixels, boxes } = renderPhantom({ findings: ['Nodule'], seed: 3 });
  t.deepEqual(boxes.map((b) => b.finding), ['Nodule']);
  const b = boxes[0];
  if (!b) return;
  // diameter 76-96 px plus a 12 px margin each side
  t.true(b.w >= 98 && b.w <= 122 && b.h >= 98 && b.h <= 122, JSON.stringify(b));
  const mean = (x0: number, y0: number, x1: number, y1: number): number => {
    let s = 0;
    let n = 0;
    for (let y = Math.max(0, y0); y < Math.min(1024, y1); y++) for (let x = Math.max(0, x0); x < Math.min(1024, x1); x++) {
      s += pixels[y * 1024 + x] as number;
      n++;
    }
    return s / n;
  };
  const cx = Math.round(b.x + b.w / 2);
  const cy = Math.round(b.y + b.h / 2);
  const inner = mean(cx - 8, cy - 8, cx + 8, cy + 8);
  const left = mean(b.x - 30, cy - 8, b.x - 14, cy + 8);
  const right = mean(b.x + b.w + 14, cy - 8, b.x + b.w + 30, cy + 8);
  t.true(inner > Math.min(left, right) + 40, `nodule ${inner} vs surroundings ${left}, ${right}`);
});

test('a pneumothorax box holds the whole air collection: the air tapers to its tip inside the box, none below it', (t) => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const { pixels, boxes } = renderPhantom({ findings: ['Pneumothorax'], seed });
    const b = boxes[0];
    if (!b) return t.fail('no box');
    t.is(b.finding, 'Pneumothorax');
    // Apex and lateral wall of one lung: a tall box (about 0.6 of the lung's height plus margins) in one half.
    t.true(b.h >= 300 && b.h <= 520 && b.w >= 200 && b.w <= 400, JSON.stringify(b));
    t.true(b.x + b.w <= 560 || b.x >= 460, JSON.stringify(b));
    const windowMean = (x0: number, y0: number): number => {
      let s = 0;
      for (let y = y0; y < y0 + 12; y++) for (let x = x0; x < x0 + 12; x++) s += pixels[y * 1024 + x] as number;
      return s / 144;
    };
    // The darkest 12 x 12 window (air without markings) inside the box, and in the lung below the box.
    let inside = 255;
    for (let y = b.y; y + 12 <= b.y + b.h; y += 4) for (let x = b.x; x + 12 <= b.x + b.w; x += 4) inside = Math.min(inside, windowMean(x, y));
    let below = 255;
    const top = b.y + b.h;
    for (let y = top; y + 12 <= Math.min(top + 120, 1024); y += 4) for (let x = b.x + 24; x + 12 <= b.x + b.w - 24; x += 4) below = Math.min(below, windowMean(x, y));
    t.true(below > inside + 15, `seed ${seed}: air ${inside} in the box, darkest below the box ${below}`);
    // The air tapers: in the box's lowest 40 changed rows (above the 10% margin) dark pixels are few.
    const margin = Math.max(12, Math.round(b.h / 12));
    let darkLow = 0;
    let darkAll = 0;
    for (let y = b.y; y < b.y + b.h - margin; y++) for (let x = b.x; x < b.x + b.w; x++) {
      if ((pixels[y * 1024 + x] as number) > inside + 8) continue;
      darkAll++;
      if (y >= b.y + b.h - margin - 40) darkLow++;
    }
    t.true(darkLow < 0.05 * darkAll, `seed ${seed}: ${darkLow} of ${darkAll} air pixels in the lowest rows`);
  }
});

test('rendering on worker threads writes the same files, byte for byte, as on one thread', async (t) => {
  const one = await mkdtemp(join(tmpdir(), 'cxr8-phantoms-1-'));
  const two = await mkdtemp(join(tmpdir(), 'cxr8-phantoms-2-'));
  t.teardown(() => Promise.all([rm(one, { recursive: true, force: true }), rm(two, { recursive: true, force: true })]).then(() => undefined));
  let progress = 0;
  await makePhantoms({ out: one, n: 5, seed: 4, workers: 1 });
  await makePhantoms({ out: two, n: 5, seed: 4, workers: 2, onProgress: (done) => (progress = done) });
  t.is(progress, 5);
  for (const file of ['Data_Entry.csv', 'BBox_List.csv', 'train_val_list.txt', 'test_list.txt']) {
    t.is(await readFile(join(two, file), 'utf8'), await readFile(join(one, file), 'utf8'), file);
  }
  const images = (await readdir(join(one, 'images'))).sort();
  t.deepEqual((await readdir(join(two, 'images'))).sort(), images);
  for (const image of images) t.true((await readFile(join(two, 'images', image))).equals(await readFile(join(one, 'images', image))), image);
});
