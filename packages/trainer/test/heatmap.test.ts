import test from 'ava';
import {
  classActivationMap,
  upsampleBilinear,
  scaleTo255,
  labelComponents,
  regionsOf,
  heatmapBoxes,
  heatmapOf,
  boxesOfImage,
  classActivationMaps,
  createHeatmapBoxer,
  createRegionScratch,
  createUpsampler,
  thresholdRegions,
  BOX_PROTOCOLS,
  chooseRegions,
  DEFAULT_BOX_PROTOCOL,
} from '../src/heatmap.js';
import type { HeatmapBox } from '../src/heatmap.js';

const map = (width: number, height: number, values: number[]) => ({ width, height, data: Float32Array.from(values) });

test('the CAM weights each transition channel by the class column of the prediction kernel', (t) => {
  // 1 x 2 grid, depth 2; kernel depth x classes = [[1, 0], [2, -1]]
  const cam = classActivationMap({ height: 1, width: 2, depth: 2, data: [1, 10, 3, 20] }, { depth: 2, classes: 2, kernel: [1, 0, 2, -1] }, 0);
  t.deepEqual([...cam.data], [1 + 20, 3 + 40]);
  const cam1 = classActivationMap({ height: 1, width: 2, depth: 2, data: [1, 10, 3, 20] }, { depth: 2, classes: 2, kernel: [1, 0, 2, -1] }, 1);
  t.deepEqual([...cam1.data], [-10, -20]);
});

test('bilinear up-sampling uses half-pixel centres and clamps at the borders', (t) => {
  t.deepEqual([...upsampleBilinear(map(2, 1, [0, 1]), 4, 1).data], [0, 0.25, 0.75, 1]);
  const up = upsampleBilinear(map(2, 2, [0, 0, 0, 4]), 4, 4);
  t.is(up.data[0], 0);
  t.is(up.data[15], 4);
  t.is(up.data[5], 0.25); // (1, 1) samples (0.25, 0.25): 4 * 0.25 * 0.25
});

test('min-max scaling maps to 0..255 and a flat map to zeros', (t) => {
  t.deepEqual([...scaleTo255(map(3, 1, [-1, 0, 1]), 'minmax').data], [0, 127.5, 255]);
  t.deepEqual([...scaleTo255(map(2, 1, [7, 7]), 'minmax').data], [0, 0]);
});

test('positive scaling (the default) keeps positive evidence: max(v, 0) * 255 / max, zeros without a positive value', (t) => {
  t.deepEqual([...scaleTo255(map(4, 1, [-1, 0, 0.5, 1])).data], [0, 0, 127.5, 255]);
  t.deepEqual([...scaleTo255(map(3, 1, [2, 3, 4])).data], [127.5, 191.25, 255]); // not min-max: 2 is not 0
  t.deepEqual([...scaleTo255(map(2, 1, [-3, -1])).data], [0, 0]);
  t.deepEqual([...scaleTo255(map(2, 1, [0, 0])).data], [0, 0]);
});

test('with a strongly negative map, min-max lifts the zero background above 60 (spurious boxes); positive does not', (t) => {
  // a peak of 1 at the centre, a background of 0, and a trough of -3 in a corner
  const data = new Float32Array(9 * 9);
  data[4 * 9 + 4] = 1;
  data[0] = -3;
  const minmax = heatmapBoxes(scaleTo255(map(9, 9, [...data]), 'minmax'), { thresholds: [60] });
  const positive = heatmapBoxes(scaleTo255(map(9, 9, [...data])), { thresholds: [60] });
  t.is(positive.length, 1);
  t.is(minmax.length, 1);
  t.true(minmax[0]!.w * minmax[0]!.h > 50 * positive[0]!.w * positive[0]!.h, 'min-max boxes the whole zero background');
});

test('components are 8-connected: diagonal neighbours join, a gap splits', (t) => {
  // 1 1 0 0 0
  // 0 0 1 0 1     region A: (0,0) (1,0) (2,1) (1,2) -- joined through diagonals
  // 0 1 0 0 1     region B: (4,1) (4,2) (3,3)
  // 0 0 0 1 0
  const mask = [1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0];
  const { labels, count } = labelComponents(mask, 5, 4);
  t.is(count, 2);
  t.is(labels[0], 1);
  t.is(labels[11], 1);
  t.is(labels[9], 2);
  t.is(labels[18], 2);
  t.deepEqual(
    regionsOf(labels, count, 5).map(({ x, y, w, h, area }) => ({ x, y, w, h, area })),
    [
      { x: 0, y: 0, w: 3, h: 3, area: 4 },
      { x: 3, y: 1, w: 2, h: 3, area: 3 },
    ],
  );
});

test('a large filled region does not overflow the stack', (t) => {
  const { count, labels } = labelComponents(new Uint8Array(512 * 512).fill(1), 512, 512);
  t.is(count, 1);
  t.is(labels[512 * 512 - 1], 1);
});

test('boxes: one per region per threshold (value > t), scaled to the 1024 frame, scored by peak and probability', (t) => {
  // 8 x 8 map: a peak of 255 at (1..2, 1) with a 100 shoulder at (3, 1), and a separate 200 spot at (6, 6)
  const data = new Array<number>(64).fill(0);
  data[1 * 8 + 1] = 255;
  data[1 * 8 + 2] = 255;
  data[1 * 8 + 3] = 100;
  data[6 * 8 + 6] = 200;
  data[7 * 8 + 7] = 60; // exactly at the threshold: not above it, so no region
  const boxes = heatmapBoxes(map(8, 8, data), { probability: 0.5 });
  t.deepEqual(boxes, [
    { x: 128, y: 128, w: 384, h: 128, threshold: 60, score: 0.5 },
    { x: 768, y: 768, w: 128, h: 128, threshold: 60, score: (200 / 255) * 0.5 },
    { x: 128, y: 128, w: 256, h: 128, threshold: 180, score: 0.5 },
    { x: 768, y: 768, w: 128, h: 128, threshold: 180, score: (200 / 255) * 0.5 },
  ]);
});

test('the heatmap of a single hot transition cell boxes that cell in the 1024 frame', (t) => {
  // 8 x 8 grid (128 px cells in the 1024 frame), depth 1, hot cell at column 5, row 2
  const features = new Float32Array(64);
  features[2 * 8 + 5] = 1;
  const heat = heatmapOf({ height: 8, width: 8, depth: 1, data: features }, { depth: 1, classes: 1, kernel: [2] }, 0, { size: 256 });
  t.is(heat.width, 256);
  t.is(Math.max(...heat.data), 255);
  const [strict] = heatmapBoxes(heat, { thresholds: [180] });
  t.truthy(strict);
  const cx = (strict?.x ?? 0) + (strict?.w ?? 0) / 2;
  const cy = (strict?.y ?? 0) + (strict?.h ?? 0) / 2;
  t.true(Math.abs(cx - 5.5 * 128) <= 4);
  t.true(Math.abs(cy - 2.5 * 128) <= 4);
  t.true((strict?.w ?? 0) < 128); // the strict threshold keeps the core of the cell
  const named = boxesOfImage({ height: 8, width: 8, depth: 1, data: features }, { depth: 1, classes: 1, kernel: [2] }, ['Mass'], [0.9], { size: 256 });
  t.true(named.every((b) => b.finding === 'Mass'));
  t.is(named.length, 2);
});

test('an offset moves the up-sampled grid: cells that sit half a cell right put the box half a cell right', (t) => {
  const features = new Float32Array(64);
  features[2 * 8 + 5] = 1;
  const f = { height: 8, width: 8, depth: 1, data: features };
  const w = { depth: 1, classes: 1, kernel: [1] };
  const centre = (offset?: { x: number; y: number }): number => {
    const [b] = heatmapBoxes(heatmapOf(f, w, 0, { size: 256, ...(offset ? { offset } : {}) }), { thresholds: [180] });
    return (b?.x ?? 0) + (b?.w ?? 0) / 2;
  };
  t.true(Math.abs(centre() - 5.5 * 128) <= 4);
  t.true(Math.abs(centre({ x: 0.5, y: 0 }) - 6 * 128) <= 4);
});

/** A seeded generator for the comparisons below. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

test('the batched CAM of every image and class equals the per-image CAM exactly', (t) => {
  const rnd = lcg(1);
  const [N, S, D, C] = [3, 5, 7, 4];
  // ReLU-like features (many exact zeros), signed weights
  const features = Float32Array.from({ length: N * S * S * D }, () => Math.max(0, rnd() - 0.4));
  const kernel = Float32Array.from({ length: D * C }, () => rnd() - 0.5);
  const weights = { depth: D, classes: C, kernel };
  const cams = classActivationMaps(features, N, S * S, weights);
  t.is(cams.length, N * C * S * S);
  for (let n = 0; n < N; n++) {
    const one = { height: S, width: S, depth: D, data: features.subarray(n * S * S * D, (n + 1) * S * S * D) };
    for (let c = 0; c < C; c++) {
      t.deepEqual(cams.subarray((n * C + c) * S * S, (n * C + c + 1) * S * S), classActivationMap(one, weights, c).data, `image ${n}, class ${c}`);
    }
  }
  t.throws(() => classActivationMaps(features, N + 1, S * S, weights), { instanceOf: RangeError });
});

test('the separable up-sampler equals the direct per-pixel bilinear formula bit for bit', (t) => {
  const rnd = lcg(2);
  for (const [w, h, ow, oh, ox, oy] of [[7, 5, 64, 40, 0, 0], [16, 16, 256, 256, 0.3, -0.25], [3, 9, 10, 7, 0, 0]] as const) {
    const input = Float32Array.from({ length: w * h }, () => rnd() * 10 - 3);
    const direct = new Float32Array(ow * oh);
    for (let y = 0; y < oh; y++) {
      const sy = Math.min(Math.max(((y + 0.5) * h) / oh - 0.5 - oy, 0), h - 1);
      const y0 = Math.floor(sy);
      const y1 = Math.min(y0 + 1, h - 1);
      const fy = sy - y0;
      for (let x = 0; x < ow; x++) {
        const sx = Math.min(Math.max(((x + 0.5) * w) / ow - 0.5 - ox, 0), w - 1);
        const x0 = Math.floor(sx);
        const x1 = Math.min(x0 + 1, w - 1);
        const fx = Math.fround(sx - x0);
        const top = (input[y0 * w + x0] as number) * (1 - fx) + (input[y0 * w + x1] as number) * fx;
        const bottom = (input[y1 * w + x0] as number) * (1 - fx) + (input[y1 * w + x1] as number) * fx;
        direct[y * ow + x] = top * (1 - fy) + bottom * fy;
      }
    }
    const out = new Float32Array(ow * oh);
    const range = new Float64Array(2);
    createUpsampler(w, h, ow, oh, { x: ox, y: oy }).run(input, out, range);
    t.deepEqual(out, direct);
    t.deepEqual([...range], [Math.min(...direct), Math.max(...direct)]);
    t.deepEqual(upsampleBilinear({ width: w, height: h, data: input }, ow, oh, { x: ox, y: oy }).data, direct);
  }
});

test('run-based regions equal the flood-fill labelling on random masks (8-connected, raster order)', (t) => {
  const rnd = lcg(3);
  const scratch = createRegionScratch(40, 30);
  for (let k = 0; k < 40; k++) {
    const [w, h] = k % 2 === 0 ? [40, 30] : [1 + Math.floor(rnd() * 39), 1 + Math.floor(rnd() * 29)];
    const values = Float32Array.from({ length: w * h }, () => rnd() * 255);
    const threshold = 100 + rnd() * 100;
    const mask = Uint8Array.from(values, (v) => (v > threshold ? 1 : 0));
    const { labels, count } = labelComponents(mask, w, h);
    t.deepEqual(thresholdRegions(values, w, h, threshold, scratch), regionsOf(labels, count, w, values), `map ${k}: ${w} x ${h}`);
  }
  t.throws(() => thresholdRegions(new Float32Array(41 * 30), 41, 30, 0, scratch), { instanceOf: RangeError });
});

test('the reusable boxer gives the boxes and heatmaps of heatmapBoxes(heatmapOf(...)) exactly', (t) => {
  const rnd = lcg(4);
  const S = 12;
  const D = 6;
  const C = 5;
  const kernel = Float32Array.from({ length: D * C }, () => rnd() - 0.5);
  const weights = { depth: D, classes: C, kernel };
  for (const options of [
    { size: 96 },
    { size: 96, scaling: 'minmax' as const },
    { size: 50, offset: { x: 0.4, y: -0.3 } },
    { size: 64, thresholds: [0, 254.9], minArea: 3 },
    { size: 64, thresholds: [0, 254.9], minArea: 3, scaling: 'minmax' as const },
  ]) {
    const boxer = createHeatmapBoxer(S, S, options);
    for (let n = 0; n < 6; n++) {
      // image 0 is all zeros: every map is flat and gives no box
      const features = Float32Array.from({ length: S * S * D }, () => (n === 0 ? 0 : Math.max(0, rnd() - 0.6)));
      const cams = classActivationMaps(features, 1, S * S, weights);
      for (let c = 0; c < C; c++) {
        const expected = heatmapOf({ height: S, width: S, depth: D, data: features }, weights, c, options);
        const plane = cams.subarray(c * S * S, (c + 1) * S * S);
        t.deepEqual(boxer.heatmap(plane), expected);
        t.deepEqual(boxer.boxes(plane, 0.7, [] as HeatmapBox[]), heatmapBoxes(expected, { ...options, probability: 0.7 }));
      }
    }
  }
});

test('the peak protocol keeps, per threshold, only the region that holds the map maximum; the paper protocol keeps all', (t) => {
  // Two hot cells far apart on an 8 x 8 grid: a strong one at (row 2, col 5) and a weaker one at (6, 1).
  const features = new Float32Array(64);
  features[2 * 8 + 5] = 1;
  features[6 * 8 + 1] = 0.9;
  const f = { height: 8, width: 8, depth: 1, data: features };
  const w = { depth: 1, classes: 1, kernel: [1] };
  const heat = heatmapOf(f, w, 0, { size: 256 });
  const paper = heatmapBoxes(heat, BOX_PROTOCOLS.paper);
  t.is(paper.length, 4); // two regions at each of 60 and 180
  const peak = heatmapBoxes(heat, BOX_PROTOCOLS.peak);
  t.is(peak.length, 1);
  const [b] = peak;
  t.is(b?.threshold, 180);
  t.true(Math.abs((b?.x ?? 0) + (b?.w ?? 0) / 2 - 5.5 * 128) <= 4, 'the box is the strong cell\'s');
  // The evaluation's fast path chooses the same region.
  const fast = createHeatmapBoxer(8, 8, { size: 256, ...BOX_PROTOCOLS.peak }).boxes(features, 1, []);
  t.deepEqual(fast, peak);
  t.deepEqual(chooseRegions([], 'peak'), []);
  t.is(DEFAULT_BOX_PROTOCOL, 'strong');
});

test('the strong protocol (the default): threshold 180, a box per region whose peak reaches 90% of the map maximum', (t) => {
  // Three hot cells far apart: the maximum (1.0), a near-equal (0.95: a second finding of the class) and a bump (0.8).
  const features = new Float32Array(64);
  features[1 * 8 + 1] = 1;
  features[1 * 8 + 6] = 0.95;
  features[6 * 8 + 3] = 0.8;
  const f = { height: 8, width: 8, depth: 1, data: features };
  const heat = heatmapOf(f, { depth: 1, classes: 1, kernel: [1] }, 0, { size: 256 });
  t.is(heatmapBoxes(heat, { ...BOX_PROTOCOLS.strong, minPeak: 0 }).length, 3, 'three regions above 180');
  const strong = heatmapBoxes(heat, { ...BOX_PROTOCOLS.strong, probability: 0.8 });
  t.is(strong.length, 2);
  const centres = strong.map((b) => [Math.round((b.x + b.w / 2) / 128 - 0.5), Math.round((b.y + b.h / 2) / 128 - 0.5)]);
  t.deepEqual(centres.sort(), [[1, 1], [6, 1]], 'the maximum and its near-equal, not the bump at (3, 6)');
  for (const b of strong) t.is(b.threshold, 180);
  t.true(Math.abs((strong.find((b) => b.x < 512)?.score ?? 0) - 0.8) < 1e-6, 'score = region peak / 255 x probability');
  // The evaluation's fast path gives the same boxes.
  t.deepEqual(createHeatmapBoxer(8, 8, { size: 256, ...BOX_PROTOCOLS.strong }).boxes(features, 0.8, []), strong);
});

test('boxes of an image whose probability is below minProbability are suppressed', (t) => {
  const features = new Float32Array(64);
  features[2 * 8 + 5] = 1;
  const boxer = createHeatmapBoxer(8, 8, { size: 64, thresholds: [180], minProbability: 0.5 });
  t.is(boxer.boxes(features, 0.49, []).length, 0);
  t.is(boxer.boxes(features, 0.5, []).length, 1);
  const heat = heatmapOf({ height: 8, width: 8, depth: 1, data: features }, { depth: 1, classes: 1, kernel: [1] }, 0, { size: 64 });
  t.is(heatmapBoxes(heat, { thresholds: [180], minProbability: 0.5, probability: 0.2 }).length, 0);
});
