/**
 * Phantoms: a synthetic chest X-ray dataset with planted findings at known boxes, written in the NIH ChestX-ray14
 * layout (PAPER.md section 2), so that the whole chain — `build-dataset import-nih`, training, evaluation and the
 * localization benchmark — can run and be checked on a machine without the real data.
 *
 * Each image is a 1024 x 1024 8-bit grayscale radiograph-like picture: air outside a soft-tissue torso, dark lungs with
 * vessel markings and rib shadows, a bright mediastinum and spine, a heart shadow, clavicles, and noise. Findings have a
 * distinct look and a ground-truth box around the pixels they change:
 *
 * | finding      | look                                                                   | where                     |
 * |--------------|------------------------------------------------------------------------|---------------------------|
 * | Nodule       | small bright disc (radius 38-48 px)                                    | anywhere in a lung        |
 * | Mass         | larger lobulated bright blob (overall 170-260 px)                      | anywhere in a lung        |
 * | Effusion     | fluid brighter than soft tissue, a gradient up to a meniscus           | base of one lung          |
 * | Pneumothorax | dark crescent without markings, tapering at both ends, bounded by a bright pleural line | apex and lateral wall |
 * | Cardiomegaly | heart shadow widened (cardiothoracic ratio 0.53-0.6) and denser        | the heart                 |
 *
 * Ground-truth boxes are the extent of the pixels a finding changes plus a margin of 10% per side (at least 12 px), as
 * a reader draws them. An image has zero (healthy) to three findings, at most one of each class. Everything is drawn from a seeded PRNG
 * (mulberry32), so `--seed` reproduces the dataset bit for bit.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { BBOX_HEADER, DATA_ENTRY_HEADER, mulberry32 } from '@cxr8/dataset-builder';
import { availableParallelism } from 'node:os';
import { startModuleWorker, makeDirectory } from '@cxr8/labeler';
import { InterruptedError, PhantomError } from './errors.js';
import { claimOutputFolder, replaceEntries, stagingFolderFor } from './safe-output.js';
import type { OutputKind } from './safe-output.js';
import type { FindingBox } from './metrics/localization.js';

/** The findings planted in phantoms, spelled as NIH spells them. */
export const PHANTOM_FINDINGS = ['Cardiomegaly', 'Effusion', 'Mass', 'Nodule', 'Pneumothorax'] as const;
/** One planted finding class. */
export type PhantomFinding = (typeof PHANTOM_FINDINGS)[number];

/** Side of a phantom image in pixels (the NIH frame). */
export const PHANTOM_SIZE = 1024;

/**
 * The headers of `Data_Entry.csv` and `BBox_List.csv`, exactly as in NIH's release: the builder's constants (one copy,
 * exports/nih.ts of @cxr8/dataset-builder), re-exported under the names the trainer has always used.
 */
export { DATA_ENTRY_HEADER, BBOX_HEADER as BBOX_LIST_HEADER };

/** A seeded pseudo-random source: uniform in [0, 1). */
export type Random = () => number;

/** mulberry32, the project's one seeded PRNG (`@cxr8/dataset-builder`), re-exported for the trainer's users. */
export { mulberry32 };

function uniform(rng: Random, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

function normal(rng: Random): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** One lung as an ellipse; `side` -1 is the image's left (the patient's right). */
interface Lung {
  side: -1 | 1;
  cx: number;
  cy: number;
  rx: number;
  ry: number;
}

/** The planted findings of one phantom and the random choices that place them. */
export interface PhantomPlan {
  findings: PhantomFinding[];
  seed: number;
}

/** A rendered phantom: pixels and the ground-truth boxes of its findings (1024 frame). */
export interface RenderedPhantom {
  pixels: Uint8Array;
  boxes: FindingBox[];
}

function insideEllipse(x: number, y: number, cx: number, cy: number, rx: number, ry: number): boolean {
  const dx = (x - cx) / rx;
  const dy = (y - cy) / ry;
  return dx * dx + dy * dy <= 1;
}

/** Tracks the extent of the pixels a finding changes. */
class Extent {
  minX = Infinity;
  minY = Infinity;
  maxX = -Infinity;
  maxY = -Infinity;
  add(x: number, y: number): void {
    if (x < this.minX) this.minX = x;
    if (x > this.maxX) this.maxX = x;
    if (y < this.minY) this.minY = y;
    if (y > this.maxY) this.maxY = y;
  }
  /**
   * The ground-truth box, drawn the way a reader draws one (NIH's boxes are loose): the finding's extent plus a margin
   * of 10% of its size on each side (at least 12 px), clipped to the image.
   */
  box(finding: string): FindingBox | undefined {
    if (this.maxX < this.minX) return undefined;
    const w = this.maxX - this.minX + 1;
    const h = this.maxY - this.minY + 1;
    const mx = Math.max(12, Math.round(0.1 * w));
    const my = Math.max(12, Math.round(0.1 * h));
    const x0 = Math.max(0, this.minX - mx);
    const y0 = Math.max(0, this.minY - my);
    const x1 = Math.min(PHANTOM_SIZE, this.maxX + 1 + mx);
    const y1 = Math.min(PHANTOM_SIZE, this.maxY + 1 + my);
    return { finding, x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  }
}

/** Smooth noise: a coarse grid of normal values, bilinearly interpolated to `size`. */
function smoothNoise(rng: Random, size: number, grid: number): Float32Array {
  const g = new Float32Array((grid + 1) * (grid + 1));
  for (let i = 0; i < g.length; i++) g[i] = normal(rng);
  const out = new Float32Array(size * size);
  const step = size / grid;
  for (let y = 0; y < size; y++) {
    const gy = y / step;
    const y0 = Math.floor(gy);
    const fy = gy - y0;
    for (let x = 0; x < size; x++) {
      const gx = x / step;
      const x0 = Math.floor(gx);
      const fx = gx - x0;
      const a = g[y0 * (grid + 1) + x0] as number;
      const b = g[y0 * (grid + 1) + x0 + 1] as number;
      const c = g[(y0 + 1) * (grid + 1) + x0] as number;
      const d = g[(y0 + 1) * (grid + 1) + x0 + 1] as number;
      out[y * size + x] = (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
    }
  }
  return out;
}

/**
 * Renders one phantom from its plan: anatomy jittered by the plan's seed, then each planted finding. Pure: the same
 * plan gives the same pixels.
 *
 * @example
 * ```ts
 * const { pixels, boxes } = renderPhantom({ findings: ['Nodule', 'Effusion'], seed: 42 });
 * pixels.length; // 1024 * 1024
 * boxes.map((b) => b.finding); // ['Nodule', 'Effusion']
 * ```
 */
export function renderPhantom(plan: PhantomPlan): RenderedPhantom {
  const S = PHANTOM_SIZE;
  const rng = mulberry32(plan.seed);
  const has = (f: PhantomFinding): boolean => plan.findings.includes(f);
  const img = new Float32Array(S * S);

  // Anatomy, jittered per image.
  const midX = 512 + uniform(rng, -25, 25);
  const lungCy = 470 + uniform(rng, -25, 25);
  const lungRy = uniform(rng, 280, 330);
  const lungRx = uniform(rng, 135, 165);
  const lungGap = uniform(rng, 170, 195);
  const lungs: Lung[] = [
    { side: -1, cx: midX - lungGap, cy: lungCy, rx: lungRx * uniform(rng, 0.95, 1.05), ry: lungRy },
    { side: 1, cx: midX + lungGap, cy: lungCy, rx: lungRx * uniform(rng, 0.95, 1.05), ry: lungRy },
  ];
  const torsoRx = uniform(rng, 430, 480);
  const torsoRy = uniform(rng, 560, 620);
  const tissue = uniform(rng, 0.5, 0.58);
  const lungLevel = uniform(rng, 0.17, 0.24);
  const heartCx = midX + uniform(rng, 25, 50);
  const heartCy = lungCy + lungRy * uniform(rng, 0.55, 0.68);
  const cardioThoracic = has('Cardiomegaly') ? uniform(rng, 0.53, 0.6) : uniform(rng, 0.36, 0.44);
  const heartRx = (cardioThoracic * (2 * (lungGap + lungRx))) / 2;
  const heartRy = has('Cardiomegaly') ? uniform(rng, 140, 165) : uniform(rng, 105, 125);
  // An enlarged heart is also denser, so that the whole shadow (not only its border) carries the finding.
  const heartDensity = has('Cardiomegaly') ? uniform(rng, 0.72, 0.77) : uniform(rng, 0.61, 0.66);

  const texture = smoothNoise(rng, S, 96);
  const broad = smoothNoise(rng, S, 6);
  const lungMask = new Uint8Array(S * S);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const p = y * S + x;
      let v = insideEllipse(x, y, midX, 600, torsoRx, torsoRy) ? tissue : 0.04;
      for (const l of lungs) {
        if (insideEllipse(x, y, l.cx, l.cy, l.rx, l.ry)) {
          lungMask[p] = 1;
          v = lungLevel + 0.035 * (texture[p] as number);
        }
      }
      // Mediastinum and spine: a bright vertical band.
      if (Math.abs(x - midX) < 62 && y > 90) v = Math.max(v, 0.7 + 0.03 * Math.sin(y / 14));
      img[p] = v + 0.03 * (broad[p] as number);
    }
  }
  // Vessel markings: lines from each hilum out into the lung, tapering (a separate layer, so crossings do not pile up).
  const vessels = new Float32Array(S * S);
  for (const l of lungs) {
    const hx = l.cx - l.side * l.rx * 0.45;
    const hy = l.cy + 20;
    for (let k = 0; k < 22; k++) {
      const angle = l.side === 1 ? uniform(rng, -0.45 * Math.PI, 0.45 * Math.PI) : uniform(rng, 0.55 * Math.PI, 1.45 * Math.PI);
      const length = uniform(rng, 120, 300);
      for (let t = 0; t < length; t += 1) {
        const x = Math.round(hx + Math.cos(angle) * t);
        const y = Math.round(hy + Math.sin(angle) * t);
        const r = t < length * 0.3 ? 2 : 1;
        const v = 0.05 * (1 - t / length);
        for (let dy = -r; dy <= r; dy++) {
          for (let dx = -r; dx <= r; dx++) {
            const px = x + dx;
            const py = y + dy;
            if (px < 0 || py < 0 || px >= S || py >= S) continue;
            const p = py * S + px;
            if (v > (vessels[p] as number)) vessels[p] = v;
          }
        }
      }
    }
  }
  for (let p = 0; p < S * S; p++) if (lungMask[p]) img[p] = (img[p] as number) + (vessels[p] as number);
  // Ribs: bright bands across each lung, descending medially to laterally; clavicles at the top.
  for (const l of lungs) {
    const top = l.cy - l.ry;
    for (let k = 0; k < 9; k++) {
      const y0 = top + 25 + k * uniform(rng, 62, 70);
      for (let x = Math.floor(l.cx - l.rx - 30); x <= l.cx + l.rx + 30; x++) {
        const lateral = (x - midX) * l.side;
        const yc = y0 + 0.22 * Math.max(lateral - 60, 0);
        for (let y = Math.floor(yc - 9); y <= yc + 9; y++) {
          if (x < 0 || y < 0 || x >= S || y >= S) continue;
          const p = y * S + x;
          if (Math.abs(x - midX) > 62) img[p] = (img[p] as number) + 0.07 * (1 - Math.abs(y - yc) / 10);
        }
      }
    }
    for (let x = Math.floor(l.cx - l.rx); x <= l.cx + l.rx; x++) {
      const yc = l.cy - l.ry + 20 + 0.075 * Math.abs(x - midX);
      for (let y = Math.floor(yc - 10); y <= yc + 10; y++) {
        if (y >= 0 && y < S && x >= 0 && x < S) img[y * S + x] = (img[y * S + x] as number) + 0.1;
      }
    }
  }

  const boxes: FindingBox[] = [];
  const taken: { x: number; y: number; r: number }[] = [];

  // Heart shadow (widened in Cardiomegaly); its box is the ground truth of Cardiomegaly.
  {
    const e = new Extent();
    for (let y = Math.floor(heartCy - heartRy); y <= heartCy + heartRy; y++) {
      for (let x = Math.floor(heartCx - heartRx); x <= heartCx + heartRx; x++) {
        if (x < 0 || y < 0 || x >= S || y >= S || !insideEllipse(x, y, heartCx, heartCy, heartRx, heartRy)) continue;
        const p = y * S + x;
        img[p] = Math.max(img[p] as number, heartDensity + 0.02 * (texture[p] as number));
        lungMask[p] = 0;
        e.add(x, y);
      }
    }
    if (has('Cardiomegaly')) {
      const b = e.box('Cardiomegaly');
      if (b) boxes.push(b);
    }
  }

  const pickInLung = (margin: number): { x: number; y: number; lung: Lung } => {
    for (let attempt = 0; attempt < 500; attempt++) {
      const l = lungs[rng() < 0.5 ? 0 : 1] as Lung;
      const x = uniform(rng, l.cx - l.rx, l.cx + l.rx);
      const y = uniform(rng, l.cy - l.ry * 0.75, l.cy + l.ry * 0.55);
      if (!insideEllipse(x, y, l.cx, l.cy, l.rx - margin, l.ry - margin)) continue;
      if (insideEllipse(x, y, heartCx, heartCy, heartRx + margin, heartRy + margin)) continue;
      if (taken.some((t) => Math.hypot(t.x - x, t.y - y) < t.r + margin + 20)) continue;
      return { x, y, lung: l };
    }
    const l = lungs[0] as Lung;
    return { x: l.cx, y: l.cy - l.ry * 0.3, lung: l };
  };

  const stampBlob = (finding: PhantomFinding, discs: { x: number; y: number; r: number }[], gain: number, edge: number): void => {
    const e = new Extent();
    const x0 = Math.floor(Math.min(...discs.map((d) => d.x - d.r - edge * 3)));
    const x1 = Math.ceil(Math.max(...discs.map((d) => d.x + d.r + edge * 3)));
    const y0 = Math.floor(Math.min(...discs.map((d) => d.y - d.r - edge * 3)));
    const y1 = Math.ceil(Math.max(...discs.map((d) => d.y + d.r + edge * 3)));
    for (let y = Math.max(y0, 0); y <= Math.min(y1, S - 1); y++) {
      for (let x = Math.max(x0, 0); x <= Math.min(x1, S - 1); x++) {
        let a = 0;
        for (const d of discs) {
          const dist = Math.hypot(x - d.x, y - d.y) - d.r;
          a = Math.max(a, 1 / (1 + Math.exp(dist / edge)));
        }
        if (a < 0.02) continue;
        const p = y * S + x;
        img[p] = (img[p] as number) + gain * a;
        if (a >= 0.5) e.add(x, y);
      }
    }
    const b = e.box(finding);
    if (b) boxes.push(b);
  };

  if (has('Effusion')) {
    const l = lungs[rng() < 0.5 ? 0 : 1] as Lung;
    const height = uniform(rng, 150, 230);
    const level = l.cy + l.ry - height;
    // Fluid denser than soft tissue, so the effusion is a bright object of its own.
    const fluid = uniform(rng, 0.86, 0.92);
    const e = new Extent();
    for (let y = Math.floor(level - 70); y < l.cy + l.ry; y++) {
      for (let x = Math.floor(l.cx - l.rx); x <= l.cx + l.rx; x++) {
        if (x < 0 || y < 0 || x >= S || y >= S) continue;
        const p = y * S + x;
        // The whole lung base, in front of the heart shadow too (fluid is denser than the heart).
        if (!insideEllipse(x, y, l.cx, l.cy, l.rx, l.ry)) continue;
        // Meniscus: the fluid line climbs laterally.
        const lateral = ((x - l.cx) * l.side + l.rx) / (2 * l.rx);
        const surface = level + 40 - 70 * lateral * lateral;
        const depth = y - surface;
        if (depth <= 0) continue;
        const a = Math.min(depth / 50, 1);
        img[p] = (img[p] as number) * (1 - a) + fluid * a;
        if (depth > 8) e.add(x, y);
      }
    }
    const b = e.box('Effusion');
    if (b) boxes.push(b);
  }
  if (has('Pneumothorax')) {
    // Air in the pleural space of one lung, between the chest wall and the visceral pleural line of the collapsed
    // lung. Its thickness, measured inward from the chest wall along rays from the lung centre, is largest over the
    // apex and upper lateral wall (`depth` px) and tapers to nothing at both ends: medially at the apex and down the
    // lateral wall at the level of the lung's middle, where the visceral pleural line meets the chest wall again. The
    // bright pleural line runs along the whole collapsed edge, tips included, so the ground-truth box (the extent of
    // every changed pixel plus the margin) holds the whole air collection and its line, as a radiologist boxes it.
    const l = lungs[rng() < 0.5 ? 0 : 1] as Lung;
    const depth = uniform(rng, 65, 95);
    // Angles in the lung's normalised frame: -pi/2 is the apex, 0 the lateral wall at the lung's centre height.
    const phiStart = -0.75 * Math.PI;
    const phiEnd = uniform(rng, 0.05, 0.2);
    const e = new Extent();
    for (let y = Math.max(Math.floor(l.cy - l.ry), 0); y <= Math.min(l.cy + l.ry * 0.3, S - 1); y++) {
      for (let x = Math.max(Math.floor(l.cx - l.rx), 0); x <= Math.min(l.cx + l.rx, S - 1); x++) {
        const p = y * S + x;
        if (!lungMask[p] || Math.abs(x - midX) < 62) continue;
        const u = ((x - l.cx) * l.side) / l.rx;
        const v = (y - l.cy) / l.ry;
        const rho = Math.hypot(u, v);
        if (rho === 0) continue;
        const phi = Math.atan2(v, u);
        if (phi <= phiStart || phi >= phiEnd) continue;
        const gap = depth * Math.sin((Math.PI * (phi - phiStart)) / (phiEnd - phiStart)) ** 0.6;
        const r = Math.hypot(x - l.cx, y - l.cy);
        const fromWall = r / rho - r;
        if (fromWall >= gap + 5) continue;
        // Air without markings inside the gap; the visceral pleural line (5 px) along the collapsed lung's edge.
        img[p] = fromWall >= gap ? 0.36 : lungLevel * 0.4 + 0.01 * (texture[p] as number);
        e.add(x, y);
      }
    }
    const b = e.box('Pneumothorax');
    if (b) boxes.push(b);
  }

  // Blobs last, so that they show on top of fluid or air.
  if (has('Mass')) {
    const c = pickInLung(80);
    const r0 = uniform(rng, 62, 80);
    const discs = [{ x: c.x, y: c.y, r: r0 }];
    const lobes = 2 + Math.floor(rng() * 3);
    for (let k = 0; k < lobes; k++) {
      const a = uniform(rng, 0, 2 * Math.PI);
      const d = uniform(rng, 0.3, 0.6) * r0;
      discs.push({ x: c.x + Math.cos(a) * d, y: c.y + Math.sin(a) * d, r: r0 * uniform(rng, 0.55, 0.8) });
    }
    taken.push({ x: c.x, y: c.y, r: r0 * 1.6 });
    stampBlob('Mass', discs, uniform(rng, 0.45, 0.55), 5);
  }
  if (has('Nodule')) {
    const c = pickInLung(45);
    const r = uniform(rng, 38, 48);
    taken.push({ x: c.x, y: c.y, r });
    stampBlob('Nodule', [{ x: c.x, y: c.y, r }], uniform(rng, 0.52, 0.62), 2);
  }
  // Exposure, gamma and quantum noise.
  const gamma = uniform(rng, 0.85, 1.15);
  const gain = uniform(rng, 0.9, 1.05);
  // Lookup tables keep this per-pixel loop cheap: 4096 normal deviates drawn once, gamma on a 4096-level grid.
  const deviates = new Float32Array(4096);
  for (let i = 0; i < deviates.length; i++) deviates[i] = 0.018 * normal(rng);
  const curve = new Uint8Array(4097);
  for (let i = 0; i <= 4096; i++) curve[i] = Math.round(255 * (i / 4096) ** gamma);
  const pixels = new Uint8Array(S * S);
  for (let p = 0; p < S * S; p++) {
    const v = Math.min(Math.max((img[p] as number) * gain + (deviates[(rng() * 4096) | 0] as number), 0), 1);
    pixels[p] = curve[Math.round(v * 4096)] as number;
  }
  // Boxes in the order the plan lists the findings.
  boxes.sort((a, b) => plan.findings.indexOf(a.finding as PhantomFinding) - plan.findings.indexOf(b.finding as PhantomFinding));
  return { pixels, boxes };
}

/** One row of `Data_Entry.csv` and the boxes of that image. */
export interface PhantomEntry {
  imageIndex: string;
  patientId: number;
  followUp: number;
  age: number;
  gender: 'M' | 'F';
  view: 'PA' | 'AP';
  findings: PhantomFinding[];
  seed: number;
  test: boolean;
}

/** Options of {@link planPhantoms}. */
export interface PhantomOptions {
  /** Number of images. */
  n: number;
  /** PRNG seed of the whole dataset. Default 1. */
  seed?: number;
  /** Fraction of images with no finding. Default 0.3. */
  healthy?: number;
  /** Fraction of patients in the test list. Default 0.25. */
  testFraction?: number;
}

/**
 * Plans a phantom dataset: patients with 1 to 3 follow-up images, findings per image, and the patient-level split.
 * Pure and seeded.
 *
 * @example
 * ```ts
 * const entries = planPhantoms({ n: 10, seed: 3 });
 * entries[0]?.imageIndex; // '00000001_000.png'
 * ```
 */
export function planPhantoms(options: PhantomOptions): PhantomEntry[] {
  const { n } = options;
  if (!Number.isInteger(n) || n < 1) throw new PhantomError(`expected a positive integer image count, found ${n}`);
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new PhantomError(`expected an integer seed, found ${seed}`);
  const healthy = options.healthy ?? 0.3;
  const testFraction = options.testFraction ?? 0.25;
  const rng = mulberry32(seed * 2654435761);
  const entries: PhantomEntry[] = [];
  let patientId = 0;
  while (entries.length < n) {
    patientId++;
    const followUps = Math.min(1 + Math.floor(rng() * 3), n - entries.length);
    const test = rng() < testFraction;
    const gender = rng() < 0.5 ? 'M' : 'F';
    const age = 20 + Math.floor(rng() * 65);
    for (let f = 0; f < followUps; f++) {
      const findings: PhantomFinding[] = [];
      if (rng() >= healthy) {
        const count = 1 + Math.floor(rng() * rng() * 3);
        const pool = [...PHANTOM_FINDINGS];
        for (let k = 0; k < count; k++) {
          const [pick] = pool.splice(Math.floor(rng() * pool.length), 1);
          if (pick) findings.push(pick);
        }
      }
      findings.sort();
      entries.push({
        imageIndex: `${String(patientId).padStart(8, '0')}_${String(f).padStart(3, '0')}.png`,
        patientId,
        followUp: f,
        age: age + f,
        gender,
        view: rng() < 0.8 ? 'PA' : 'AP',
        findings,
        seed: Math.floor(rng() * 2 ** 31),
        test,
      });
    }
  }
  // At least one patient in each list, so both split files are usable.
  if (entries.length > 1 && !entries.some((e) => e.test)) {
    const last = entries[entries.length - 1] as PhantomEntry;
    for (const e of entries) if (e.patientId === last.patientId) e.test = true;
  }
  if (entries.length > 1 && entries.every((e) => e.test)) {
    const first = entries[0] as PhantomEntry;
    for (const e of entries) if (e.patientId === first.patientId) e.test = false;
  }
  return entries;
}

/** What {@link makePhantoms} wrote. */
export interface PhantomDataset {
  out: string;
  images: number;
  boxes: number;
  testImages: number;
  /** Image count per finding. */
  counts: Record<string, number>;
  dataEntry: string;
  bboxList: string;
  trainValList: string;
  testList: string;
  imagesDir: string;
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}

/**
 * Renders `plans` on `workers` threads (phantom-worker.ts), one image in flight per thread; `onRendered` gets each
 * result (in any order) and the thread's next image waits until it has resolved. Pixels are the same as on this
 * thread: rendering is pure.
 */
async function renderInWorkers(plans: readonly PhantomPlan[], workers: number, onRendered: (index: number, r: RenderedPhantom) => Promise<void>): Promise<void> {
  const pool = Array.from({ length: Math.min(workers, plans.length) }, () => startModuleWorker('phantom-worker', import.meta.url));
  let next = 0;
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const feed = (): void => {
              if (next >= plans.length) return resolve();
              const index = next++;
              worker.postMessage({ index, plan: { findings: plans[index]?.findings, seed: plans[index]?.seed } });
            };
            worker.on('message', (m: { index: number; pixels?: Uint8Array; boxes?: FindingBox[]; error?: string }) => {
              if (m.error !== undefined || m.pixels === undefined || m.boxes === undefined) {
                reject(new PhantomError(`rendering phantom ${m.index} failed: ${m.error ?? 'no pixels'}`));
                return;
              }
              onRendered(m.index, { pixels: m.pixels, boxes: m.boxes }).then(feed, reject);
            });
            worker.on('error', (cause) => reject(new PhantomError(`a phantom worker crashed: ${cause.message}`, { cause })));
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}

/** What a phantom set folder holds: `phantoms.json` (the plan's options) marks it as ours. */
export const PHANTOM_OUTPUT: OutputKind = {
  name: 'a phantom set (phantoms.json)',
  recognise: (entries) => entries.includes('phantoms.json'),
  own: ['images', 'Data_Entry.csv', 'BBox_List.csv', 'train_val_list.txt', 'test_list.txt', 'phantoms.json'],
};

/** Options of {@link makePhantoms}. */
export interface MakePhantomsOptions extends PhantomOptions {
  out: string;
  onProgress?: (done: number, total: number) => void;
  workers?: number;
  /** Write into a non-empty `out` that is not a phantom set (only our own entries are replaced). */
  force?: boolean;
  /** Stops between two images with InterruptedError; `out` is left as it was. */
  signal?: AbortSignal;
}

/**
 * Writes a phantom dataset in the NIH layout: `images/*.png` (1024 x 1024 8-bit grayscale), `Data_Entry.csv`,
 * `BBox_List.csv` (one box per planted finding), `train_val_list.txt` and `test_list.txt` (patient-disjoint), and
 * `phantoms.json` (n, seed, fractions: what marks the folder as a phantom set).
 * `build-dataset import-nih` reads this folder like the real release.
 *
 * The set is written into a staging folder beside `out` and moved into place when complete, replacing a previous
 * phantom set as a whole (no stale images); a non-empty `out` that is not a phantom set is refused (`RefusedError`)
 * unless `force`.
 *
 * @example
 * ```ts
 * const ds = await makePhantoms({ out: 'out/phantoms', n: 500, seed: 1 });
 * // then: build-dataset import-nih --data-entry out/phantoms/Data_Entry.csv --bbox out/phantoms/BBox_List.csv ...
 * ```
 */
export async function makePhantoms(options: MakePhantomsOptions): Promise<PhantomDataset> {
  planPhantoms(options); // bad n or seed: an error before the folder is looked at
  await claimOutputFolder(options.out, PHANTOM_OUTPUT, options.force === true, 'phantoms');
  const staging = stagingFolderFor(options.out);
  await rm(staging, { recursive: true, force: true });
  let written: Omit<PhantomDataset, 'out' | 'dataEntry' | 'bboxList' | 'trainValList' | 'testList' | 'imagesDir'>;
  try {
    written = await writePhantomSet(options, staging);
    await replaceEntries(staging, options.out, PHANTOM_OUTPUT.own);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return {
    out: options.out,
    ...written,
    dataEntry: join(options.out, 'Data_Entry.csv'),
    bboxList: join(options.out, 'BBox_List.csv'),
    trainValList: join(options.out, 'train_val_list.txt'),
    testList: join(options.out, 'test_list.txt'),
    imagesDir: join(options.out, 'images'),
  };
}

async function writePhantomSet(options: MakePhantomsOptions, dir: string): Promise<Omit<PhantomDataset, 'out' | 'dataEntry' | 'bboxList' | 'trainValList' | 'testList' | 'imagesDir'>> {
  const entries = planPhantoms(options);
  const imagesDir = join(dir, 'images');
  try {
    await makeDirectory(imagesDir);
  } catch (cause) {
    throw new PhantomError(`cannot create the output folder ${options.out} (staging in ${dir})`, { cause });
  }
  const rendered: FindingBox[][] = new Array(entries.length);
  let done = 0;
  const write = async (index: number, { pixels, boxes }: RenderedPhantom): Promise<void> => {
    if (options.signal?.aborted === true) {
      throw new InterruptedError(`phantoms interrupted after ${done} of ${entries.length} images; ${options.out} was left as it was: run the command again`);
    }
    await sharp(pixels, { raw: { width: PHANTOM_SIZE, height: PHANTOM_SIZE, channels: 1 } })
      .toColourspace('b-w')
      .png({ compressionLevel: 3 })
      .toFile(join(imagesDir, (entries[index] as PhantomEntry).imageIndex));
    rendered[index] = boxes;
    done++;
    options.onProgress?.(done, entries.length);
  };
  // Rendering is pure JavaScript (about 0.1 s an image): worker threads draw on every core for larger sets.
  const workers = options.workers ?? (entries.length >= 32 ? Math.min(4, availableParallelism()) : 1);
  if (workers > 1) {
    await renderInWorkers(entries, workers, write);
  } else {
    for (let i = 0; i < entries.length; i++) await write(i, renderPhantom(entries[i] as PhantomEntry));
  }
  const dataRows = [DATA_ENTRY_HEADER];
  const boxRows = [BBOX_HEADER];
  const counts: Record<string, number> = Object.fromEntries(PHANTOM_FINDINGS.map((f) => [f, 0]));
  entries.forEach((e, i) => {
    const labels = e.findings.length > 0 ? e.findings.join('|') : 'No Finding';
    dataRows.push(
      [e.imageIndex, labels, e.followUp, e.patientId, e.age, e.gender, e.view, PHANTOM_SIZE, PHANTOM_SIZE, 0.143, 0.143].join(','),
    );
    for (const f of e.findings) counts[f] = (counts[f] ?? 0) + 1;
    for (const b of rendered[i] ?? []) {
      boxRows.push([e.imageIndex, b.finding, formatNumber(b.x), formatNumber(b.y), formatNumber(b.w), formatNumber(b.h)].join(','));
    }
  });
  const paths = {
    dataEntry: join(dir, 'Data_Entry.csv'),
    bboxList: join(dir, 'BBox_List.csv'),
    trainValList: join(dir, 'train_val_list.txt'),
    testList: join(dir, 'test_list.txt'),
  };
  await writeFile(paths.dataEntry, `${dataRows.join('\n')}\n`);
  await writeFile(paths.bboxList, `${boxRows.join('\n')}\n`);
  await writeFile(paths.trainValList, `${entries.filter((e) => !e.test).map((e) => e.imageIndex).join('\n')}\n`);
  await writeFile(paths.testList, `${entries.filter((e) => e.test).map((e) => e.imageIndex).join('\n')}\n`);
  const plan = { version: 1, n: options.n, seed: options.seed ?? 1, healthy: options.healthy ?? null, testFraction: options.testFraction ?? null };
  await writeFile(join(dir, 'phantoms.json'), `${JSON.stringify(plan, null, 2)}\n`);
  return {
    images: entries.length,
    boxes: boxRows.length - 1,
    testImages: entries.filter((e) => e.test).length,
    counts,
  };
}
