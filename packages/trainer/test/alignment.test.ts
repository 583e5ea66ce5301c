/**
 * Alignment of the localization chain (issue 12): a place in the 1024 frame must come back as the same place at every
 * step: the shard resize (1024 -> training size), the transition grid (cell k centred at (k + 0.5) * stride, checked in
 * model.test.ts), and the heatmap (one activated transition cell -> up-sampled map -> box in the 1024 frame).
 */
import test from 'ava';
import sharp from 'sharp';
import { createHeatmapBoxer, heatmapBoxes, heatmapOf } from '../src/heatmap.js';
import type { HeatmapBox } from '../src/heatmap.js';

const centreOf = (b: HeatmapBox): [number, number] => [b.x + b.w / 2, b.y + b.h / 2];

/** The boxes of a CAM with one activated cell (row i, column j) on an S x S grid, with the evaluation's boxer. */
function boxesOfCell(S: number, i: number, j: number, mapSize: number, thresholds: number[]): HeatmapBox[] {
  const cam = new Float32Array(S * S);
  cam[i * S + j] = 3;
  return createHeatmapBoxer(S, S, { size: mapSize, thresholds }).boxes(cam, 1, []);
}

const THRESHOLDS = [60, 128, 180];

for (const [S, mapSize] of [[16, 256], [16, 1024], [28, 256], [32, 256], [16, 200], [7, 224]] as const) {
  test(`every activated cell of a ${S} x ${S} transition map is boxed at its own place in the 1024 frame (map ${mapSize})`, (t) => {
    const cell = 1024 / S;
    const pixel = 1024 / mapSize;
    const boxer = createHeatmapBoxer(S, S, { size: mapSize, thresholds: THRESHOLDS });
    const cam = new Float32Array(S * S);
    // Every cell on the small maps; on the 1024 map (slow to threshold) a band of rows and the border.
    const rows = mapSize >= 1024 ? [0, 7, S - 1] : Array.from({ length: S }, (_, k) => k);
    for (const i of rows) {
      for (let j = 0; j < S; j++) {
        cam.fill(0);
        cam[i * S + j] = 3;
        const all = boxer.boxes(cam, 1, []);
        for (const threshold of THRESHOLDS) {
          const boxes = all.filter((b) => b.threshold === threshold);
          t.is(boxes.length, 1, `cell (${i}, ${j}) at ${threshold}: one region`);
          const box = boxes[0] as HeatmapBox;
          const [cx, cy] = centreOf(box);
          const [ex, ey] = [(j + 0.5) * cell, (i + 0.5) * cell];
          // The box must hold the cell's centre; away from the frame's border (where bilinear clamping extends the
          // evidence to the edge) it must be centred on it, to within one map pixel (the map's quantisation).
          t.true(box.x <= ex && ex <= box.x + box.w && box.y <= ey && ey <= box.y + box.h, `cell (${i}, ${j}) at ${threshold}: ${JSON.stringify(box)}`);
          const interiorX = j > 0 && j < S - 1;
          const interiorY = i > 0 && i < S - 1;
          if (interiorX) t.true(Math.abs(cx - ex) <= pixel, `cell (${i}, ${j}) at ${threshold}: centre x ${cx}, expected ${ex}`);
          if (interiorY) t.true(Math.abs(cy - ey) <= pixel, `cell (${i}, ${j}) at ${threshold}: centre y ${cy}, expected ${ey}`);
          // The bilinear tent of one cell falls to zero at the neighbours' centres: a box above t spans
          // 2 * (1 - t / 255) cells, quantised to map pixels.
          if (interiorX) t.true(Math.abs(box.w - 2 * (1 - threshold / 255) * cell) <= 2 * pixel, `cell (${i}, ${j}) at ${threshold}: width ${box.w}`);
        }
      }
    }
  });
}

test('the direct heatmap path (heatmapOf + heatmapBoxes) puts a cell where the evaluation fast path does', (t) => {
  const S = 16;
  for (const [i, j] of [[3, 4], [8, 8], [12, 1], [0, 15]] as const) {
    const data = new Float32Array(S * S);
    data[i * S + j] = 1;
    const direct = heatmapBoxes(heatmapOf({ height: S, width: S, depth: 1, data }, { depth: 1, classes: 1, kernel: [1] }, 0, { size: 256 }));
    const fast = boxesOfCell(S, i, j, 256, [60, 180]);
    t.deepEqual(direct.map(centreOf), fast.map(centreOf));
  }
});

test('the shard resize (sharp, fit: fill) keeps a patch of the 1024 frame at its place: 1024 -> 128 divides coordinates by 8', async (t) => {
  // A 64 x 64 bright patch at each of a few transition cells of the 16 x 16 grid of a 128 px model.
  for (const [i, j] of [[0, 0], [5, 9], [15, 2], [8, 15]] as const) {
    const image = new Uint8Array(1024 * 1024);
    for (let y = i * 64; y < (i + 1) * 64; y++) image.fill(200, y * 1024 + j * 64, y * 1024 + (j + 1) * 64);
    const { data } = await sharp(image, { raw: { width: 1024, height: 1024, channels: 1 } })
      .resize(128, 128, { fit: 'fill' })
      .toColourspace('b-w')
      .raw()
      .toBuffer({ resolveWithObject: true });
    let sx = 0;
    let sy = 0;
    let total = 0;
    for (let y = 0; y < 128; y++) {
      for (let x = 0; x < 128; x++) {
        const v = data[y * 128 + x] as number;
        sx += v * (x + 0.5);
        sy += v * (y + 0.5);
        total += v;
      }
    }
    // Pixel centres: the patch's centre (j + 0.5) * 64 in the 1024 frame is (j + 0.5) * 8 at 128 px.
    t.true(Math.abs(sx / total - (j + 0.5) * 8) < 0.05, `patch (${i}, ${j}): centroid x ${sx / total}`);
    t.true(Math.abs(sy / total - (i + 0.5) * 8) < 0.05, `patch (${i}, ${j}): centroid y ${sy / total}`);
  }
});
