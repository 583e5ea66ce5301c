/**
 * Phantom family B (issue 12): a second synthetic chest X-ray set in the NIH ChestX-ray14 layout, designed apart from
 * family A (`phantoms.ts`, of which only the output layout is shared: `Data_Entry.csv`, `BBox_List.csv`,
 * `train_val_list.txt`, `test_list.txt`, `images/`). Its purpose is to check that heatmap localization holds on
 * pictures the model and the box extraction were not tuned on.
 *
 * How B differs, part by part:
 * - **Intensity model**: attenuation line integrals `mu` are summed (body chord, lungs as missing tissue, heart, bone,
 *   vessels, findings) and developed through a film-like characteristic curve, `255 / (1 + exp(-(mu - m0) / s))`,
 *   with exposure (m0) and latitude (s) drawn per image; so one structure's contrast depends on what lies behind it
 *   (a nodule behind the heart is fainter than one in the clear lung).
 * - **Anatomy**: lungs are star-shaped outlines given by a dozen control points in polar form (apex, lateral wall,
 *   sharp costophrenic angle, domed hemidiaphragms, the right one higher, cardiophrenic angle, hilum), with an air
 *   thickness that grows with the distance from the outline; the left lung runs on behind the heart; a trachea and
 *   main bronchi; a vertebral column of bodies and disc spaces; a gastric air bubble under the left dome.
 *   One patient keeps one anatomy across follow-ups (positioning and inspiration jitter per image).
 * - **Texture and noise**: branching vessel trees from each hilum (segments narrowing by generation), three-octave
 *   parenchymal value noise, posterior ribs with cortical rims and faint anterior ribs, clavicles; quantum noise
 *   growing with brightness, fine correlated noise, detector row stripes, a side marker in a corner.
 * - **Findings** (at most one of each per image, boxes = changed pixels plus max(8 px, 6%) per side):
 *
 * | finding      | look                                                                                         |
 * |--------------|----------------------------------------------------------------------------------------------|
 * | Nodule       | sphere of 5-15 mm (25-75 px at the nominal 0.2 mm/px), slightly lobulated, some calcified; anywhere in either lung, behind the heart and at the bases included |
 * | Mass         | 2-4 overlapping lobes, 30-65 mm overall (150-325 px), anywhere in a lung                    |
 * | Effusion     | basal pleural fluid up to soft-tissue density, its surface a meniscus climbing the lateral wall, the costophrenic angle and the dome effaced, markings hidden |
 * | Pneumothorax | a lucent rim without lung markings between the chest wall and a thin visceral pleural line, from the apex down the lateral wall, tapering at both ends |
 * | Cardiomegaly | heart widened to a cardiothoracic ratio of 0.53-0.64 (normal 0.38-0.48), thicker in proportion |
 *
 * Everything is drawn from seeded PRNGs (sfc32 seeded through splitmix32), so a seed reproduces the set bit for bit.
 */
import { rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { InterruptedError, PhantomError } from './errors.js';
import type { FindingBox } from './metrics/localization.js';
import { BBOX_LIST_HEADER, DATA_ENTRY_HEADER, PHANTOM_FINDINGS, PHANTOM_OUTPUT, PHANTOM_SIZE } from './phantoms.js';
import type { MakePhantomsOptions, PhantomDataset, PhantomEntry, PhantomFinding, RenderedPhantom } from './phantoms.js';
import { claimOutputFolder, replaceEntries, stagingFolderFor } from './safe-output.js';
import { startModuleWorker, makeDirectory } from '@cxr8/labeler';

const N = PHANTOM_SIZE;
/** The nominal pixel spacing of family B's 1024 frame, in mm (written to Data_Entry.csv). */
export const PHANTOM_B_SPACING_MM = 0.2;
/** Version of the family-B drawing: the benchmark redraws its cached set when it changes. */
export const PHANTOM_B_VERSION = 4;

/** What one family-B image is drawn from: its findings, the patient's anatomy seed and the image's own seed. */
export interface PhantomBPlan {
  findings: PhantomFinding[];
  /** Seed of the patient's anatomy (shared by the patient's follow-ups). */
  patientSeed: number;
  /** Seed of this image (positioning, exposure, noise, findings). */
  seed: number;
}

/** A family-B row of Data_Entry.csv with its plan. */
export interface PhantomBEntry extends PhantomEntry {
  patientSeed: number;
}

type Rng = () => number;

/** splitmix32: spreads a 32-bit seed into well-mixed words (to seed sfc32). */
function splitmix32(seed: number): Rng {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * sfc32 (Chris Doty-Humphrey's small fast chaotic PRNG), uniform in [0, 1), seeded through splitmix32.
 *
 * @example
 * ```ts
 * const rng = sfc32(42);
 * rng(); // the same number on every platform
 * ```
 */
export function sfc32(seed: number): () => number {
  const mix = splitmix32(seed);
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

const lerp = (a: number, b: number, t: number): number => a + (b - a) * t;
const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);
const between = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng();
const logBetween = (rng: Rng, lo: number, hi: number): number => Math.exp(between(rng, Math.log(lo), Math.log(hi)));
function gauss(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** A star-shaped outline in polar form about (cx, cy): radius (in units of the half-axes wx, wy) per angle. */
interface Outline {
  cx: number;
  cy: number;
  /** Half-axes in pixels; `dir` = -1 mirrors x (so u > 0 is always lateral for a lung). */
  wx: number;
  wy: number;
  dir: 1 | -1;
  /** Radius table over 1024 angles of atan2(v, u), u = dir * (x - cx) / wx, v = (y - cy) / wy. */
  radius: Float32Array;
  /** Pixel bounds of the outline. */
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

const ANGLES = 1024;

/** A periodic Catmull-Rom interpolation of control points (u, v) in polar form, tabulated at ANGLES angles. */
function makeOutline(points: readonly (readonly [number, number])[], cx: number, cy: number, wx: number, wy: number, dir: 1 | -1): Outline {
  const polar = points.map(([u, v]) => [Math.atan2(v, u), Math.hypot(u, v)] as const).sort((p, q) => p[0] - q[0]);
  const n = polar.length;
  const radius = new Float32Array(ANGLES);
  const at = (i: number): readonly [number, number] => {
    const k = ((i % n) + n) % n;
    const p = polar[k] as readonly [number, number];
    return [p[0] + 2 * Math.PI * Math.floor(i / n), p[1]];
  };
  let seg = -1;
  for (let a = 0; a < ANGLES; a++) {
    const theta = -Math.PI + (2 * Math.PI * (a + 0.5)) / ANGLES;
    // Find the segment [seg, seg + 1] (unwrapped) holding theta.
    let i = -1;
    while ((at(i + 1)[0] as number) <= theta) i++;
    while ((at(i)[0] as number) > theta) i--;
    seg = i;
    const [t0, r0] = at(seg);
    const [t1, r1] = at(seg + 1);
    const rm = at(seg - 1)[1];
    const rp = at(seg + 2)[1];
    const t = (theta - t0) / (t1 - t0);
    const t2 = t * t;
    const t3 = t2 * t;
    radius[a] = 0.5 * (2 * r0 + (-rm + r1) * t + (2 * rm - 5 * r0 + 4 * r1 - rp) * t2 + (-rm + 3 * r0 - 3 * r1 + rp) * t3);
  }
  let rMax = 0;
  for (const r of radius) rMax = Math.max(rMax, r);
  return {
    cx, cy, wx, wy, dir, radius,
    x0: Math.max(0, Math.floor(cx - rMax * wx - 2)),
    x1: Math.min(N - 1, Math.ceil(cx + rMax * wx + 2)),
    y0: Math.max(0, Math.floor(cy - rMax * wy - 2)),
    y1: Math.min(N - 1, Math.ceil(cy + rMax * wy + 2)),
  };
}

/** Where a pixel sits relative to an outline: polar angle, its radius, the outline's radius there, px per radius unit. */
interface PolarPoint {
  theta: number;
  rho: number;
  edge: number;
  pxPerUnit: number;
}

function polarOf(o: Outline, x: number, y: number, out: PolarPoint): PolarPoint {
  const u = (o.dir * (x - o.cx)) / o.wx;
  const v = (y - o.cy) / o.wy;
  const theta = Math.atan2(v, u);
  const a = Math.min(ANGLES - 1, Math.max(0, Math.floor((theta + Math.PI) * (ANGLES / (2 * Math.PI)))));
  const rho = Math.sqrt(u * u + v * v);
  out.theta = theta;
  out.rho = rho;
  out.edge = o.radius[a] as number;
  // Pixels per unit of radius along the ray: |(wx cos, wy sin)|, with cos = u / rho and sin = v / rho.
  out.pxPerUnit = rho > 0 ? Math.sqrt(o.wx * o.wx * u * u + o.wy * o.wy * v * v) / rho : Math.min(o.wx, o.wy);
  return out;
}

/** Signed distance inside an outline along the ray from its centre, in pixels (negative outside). */
function depthInside(o: Outline, x: number, y: number, p: PolarPoint): number {
  polarOf(o, x, y, p);
  return (p.edge - p.rho) * p.pxPerUnit;
}

/** Value noise on a grid of `cell` px, smoothstep-interpolated, values in [-1, 1]. */
function valueNoise(rng: Rng, cell: number): (x: number, y: number) => number {
  const g = Math.ceil(N / cell) + 2;
  const grid = new Float32Array(g * g);
  for (let i = 0; i < grid.length; i++) grid[i] = rng() * 2 - 1;
  return (x, y) => {
    const fx = x / cell;
    const fy = y / cell;
    const ix = Math.floor(fx);
    const iy = Math.floor(fy);
    let tx = fx - ix;
    let ty = fy - iy;
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    const i = iy * g + ix;
    const a = lerp(grid[i] as number, grid[i + 1] as number, tx);
    const b = lerp(grid[i + g] as number, grid[i + g + 1] as number, tx);
    return lerp(a, b, ty);
  };
}

/** A growing pixel box: the extent of the pixels a finding changed. */
class Extent {
  x0 = Number.POSITIVE_INFINITY;
  y0 = Number.POSITIVE_INFINITY;
  x1 = Number.NEGATIVE_INFINITY;
  y1 = Number.NEGATIVE_INFINITY;
  add(x: number, y: number): void {
    if (x < this.x0) this.x0 = x;
    if (x > this.x1) this.x1 = x;
    if (y < this.y0) this.y0 = y;
    if (y > this.y1) this.y1 = y;
  }
  get empty(): boolean {
    return this.x1 < this.x0;
  }
  /** The box a reader draws: the extent plus max(8 px, 6% of its size) per side, inside the frame. */
  box(finding: PhantomFinding): FindingBox {
    const w = this.x1 - this.x0 + 1;
    const h = this.y1 - this.y0 + 1;
    const mx = Math.max(8, 0.06 * w);
    const my = Math.max(8, 0.06 * h);
    const x = Math.max(0, Math.floor(this.x0 - mx));
    const y = Math.max(0, Math.floor(this.y0 - my));
    const xe = Math.min(N, Math.ceil(this.x1 + 1 + mx));
    const ye = Math.min(N, Math.ceil(this.y1 + 1 + my));
    return { finding, x, y, w: xe - x, h: ye - y };
  }
}

/** Control points of a lung in (lateral u, caudal v) units, the right lung (image left); the left adds its own. */
const LUNG_POINTS: readonly (readonly [number, number])[] = [
  [0.05, -1.0], [0.55, -0.84], [0.86, -0.46], [0.98, 0.14], [1.0, 0.93], [0.72, 0.8], [0.32, 0.62], [-0.2, 0.64],
  [-0.82, 0.8], [-0.95, 0.3], [-0.86, -0.1], [-0.62, -0.6], [-0.3, -0.93],
];

/** The patient's anatomy: shapes in the 1024 frame (one patient, one anatomy; an image only jitters it). */
interface Anatomy {
  midX: number;
  top: number;
  /** Half-width of the thorax at the lateral lung walls. */
  half: number;
  lungHeight: number;
  lungs: [Outline, Outline];
  heart: Outline;
  /** Heart thickness factor (grows with its width). */
  heartThick: number;
  /** Cardiothoracic ratio drawn. */
  ctr: number;
  domeLeftY: number;
}

function makeLung(rng: Rng, right: boolean, midX: number, top: number, half: number, height: number): Outline {
  const jitter = (p: readonly [number, number]): [number, number] => [p[0] * (1 + 0.05 * gauss(rng)), p[1] + 0.025 * gauss(rng)];
  let points = LUNG_POINTS.map(jitter);
  if (!right) {
    // The left hemidiaphragm sits lower; the medial outline runs on behind the heart to the cardiophrenic angle.
    points = points.map(([u, v]) => (v > 0.5 ? [u, v + 0.07] : [u, v]) as [number, number]);
    points.push([-0.98, 0.62]);
  }
  const wx = 0.415 * half;
  const wy = height / 2;
  const cx = right ? midX - 0.535 * half : midX + 0.535 * half;
  return makeOutline(points, cx, top + wy, wx, wy, right ? -1 : 1);
}

function makeHeart(rng: Rng, midX: number, half: number, domeY: number, ctr: number): Outline {
  const width = ctr * 2 * half;
  const hw = width / 2;
  const hh = hw * between(rng, 0.66, 0.8) * (ctr > 0.5 ? 0.92 : 1);
  const cx = midX - 0.33 * width + hw;
  const cy = domeY - hh * 0.82;
  // A rounded, slightly tilted outline: more convex at the left ventricle (lower right of the image).
  const points: [number, number][] = [];
  const k = 10;
  const p2 = rng() * Math.PI;
  const p3 = rng() * Math.PI;
  for (let i = 0; i < k; i++) {
    const a = -Math.PI + (2 * Math.PI * i) / k;
    const r = 1 + 0.05 * Math.cos(2 * a + p2) + 0.04 * Math.cos(3 * a + p3) + (Math.cos(a - 0.7) > 0.5 ? 0.05 : 0);
    points.push([r * Math.cos(a), r * Math.sin(a)]);
  }
  return makeOutline(points, cx, cy, hw, hh, 1);
}

function makeAnatomy(patientSeed: number, imageRng: Rng, enlargedCtr: number | undefined): Anatomy {
  const rng = sfc32(patientSeed);
  const scale = between(rng, 0.88, 1.04);
  const midX = N / 2 + 14 * gauss(rng) + 6 * gauss(imageRng);
  const top = 95 + 30 * rng() + 8 * gauss(imageRng);
  const half = 395 * scale * between(imageRng, 0.985, 1.015);
  const lungHeight = Math.min(N - top - 110, 680 * scale * between(rng, 0.95, 1.05) * between(imageRng, 0.96, 1.04));
  const lungs: [Outline, Outline] = [makeLung(rng, true, midX, top, half, lungHeight), makeLung(rng, false, midX, top, half, lungHeight)];
  const normalCtr = between(rng, 0.38, 0.48);
  const ctr = enlargedCtr ?? normalCtr;
  const domeLeftY = top + lungHeight * (0.5 + 0.5 * 0.72);
  const heart = makeHeart(rng, midX, half, domeLeftY, ctr);
  return { midX, top, half, lungHeight, lungs, heart, heartThick: ctr / 0.43, ctr, domeLeftY };
}

/** Adds `value * exp(-d^2 / (2 sigma^2))` along the segment (ax, ay)-(bx, by) into `target`, within `radius`. */
function stroke(target: Float32Array, ax: number, ay: number, bx: number, by: number, sigma: number, value: number): void {
  const reach = Math.ceil(3 * sigma + 1);
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - reach));
  const x1 = Math.min(N - 1, Math.ceil(Math.max(ax, bx) + reach));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - reach));
  const y1 = Math.min(N - 1, Math.ceil(Math.max(ay, by) + reach));
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy || 1;
  const inv = 1 / (2 * sigma * sigma);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const t = clamp01(((x - ax) * dx + (y - ay) * dy) / len2);
      const ex = x - (ax + t * dx);
      const ey = y - (ay + t * dy);
      const d2 = ex * ex + ey * ey;
      if (d2 > reach * reach) continue;
      const i = y * N + x;
      target[i] = (target[i] as number) + value * Math.exp(-d2 * inv);
    }
  }
}

/** A band along the curve y = f(x) for x in [xa, xb]: bone with a cortical rim, added into `mu`. */
function band(mu: Float32Array, xa: number, xb: number, f: (x: number) => number, width: number, core: number, rim: number, left: number, right: number): void {
  const lo = Math.max(0, Math.floor(Math.min(xa, xb)));
  const hi = Math.min(N - 1, Math.ceil(Math.max(xa, xb)));
  for (let x = lo; x <= hi; x++) {
    if (x < left || x > right) continue;
    const yc = f(x);
    const taper = clamp01(Math.min(x - lo, hi - x) / 25);
    for (let y = Math.max(0, Math.floor(yc - width / 2 - 2)); y <= Math.min(N - 1, Math.ceil(yc + width / 2 + 2)); y++) {
      const d = Math.abs(y - yc) / (width / 2);
      if (d >= 1.08) continue;
      const inside = d < 1 ? core * Math.sqrt(1 - d * d) : 0;
      const cortex = rim * Math.exp(-((d - 0.9) ** 2) / 0.004);
      const i = y * N + x;
      mu[i] = (mu[i] as number) + taper * (inside + cortex);
    }
  }
}

/**
 * Renders one family-B phantom: 1024 x 1024 8-bit pixels and the boxes of its findings (1024 frame). Pure: the same
 * plan gives the same bytes.
 *
 * @example
 * ```ts
 * const { pixels, boxes } = renderPhantomB({ findings: ['Effusion', 'Nodule'], patientSeed: 7, seed: 99 });
 * boxes; // [{ finding: 'Effusion', x, y, w, h }, { finding: 'Nodule', ... }]
 * ```
 */
export function renderPhantomB(plan: PhantomBPlan): RenderedPhantom {
  // Two streams: `rng` draws the image (positioning, exposure, texture, noise), `frng` the findings, so that the same
  // image without a finding is the same picture, and a finding changes only the pixels inside its box.
  const rng = sfc32(plan.seed);
  const frng = sfc32((plan.seed ^ 0x68e31da4) >>> 0);
  const has = (f: PhantomFinding): boolean => plan.findings.includes(f);
  const A = makeAnatomy(plan.patientSeed, rng, has('Cardiomegaly') ? between(frng, 0.53, 0.64) : undefined);
  const mu = new Float32Array(N * N);
  const tissue = new Float32Array(N * N); // lung markings and parenchyma, added where the lung holds air
  const air = new Float32Array(N * N); // lung air thickness, 0..1
  const keep = new Float32Array(N * N).fill(1); // 1 - what effusion or pneumothorax takes away from the markings
  const p: PolarPoint = { theta: 0, rho: 0, edge: 0, pxPerUnit: 0 };
  const side = (): number => (frng() < 0.5 ? 0 : 1);

  // Body: a chord profile across a torso that narrows to the neck above the shoulders.
  const bodyDensity = between(rng, 0.8, 0.95);
  const neckY = A.top - 95;
  for (let y = 0; y < N; y++) {
    const shoulder = clamp01((y - neckY) / 110);
    const a = A.half * lerp(0.34, 1.13, shoulder * shoulder * (3 - 2 * shoulder)) * (1 - 0.06 * clamp01((y - A.top - A.lungHeight) / 300));
    for (let x = 0; x < N; x++) {
      const q = (x - A.midX) / a;
      if (q * q < 1) mu[y * N + x] = bodyDensity * Math.sqrt(Math.sqrt(1 - q * q));
    }
  }

  // Lungs: air thickness grows with the depth inside the outline.
  const airDepth = between(rng, 35, 60);
  for (const lung of A.lungs) {
    for (let y = lung.y0; y <= lung.y1; y++) {
      for (let x = lung.x0; x <= lung.x1; x++) {
        const d = depthInside(lung, x, y, p);
        if (d <= 0) continue;
        const i = y * N + x;
        air[i] = Math.max(air[i] as number, Math.sqrt(clamp01(d / airDepth)));
      }
    }
  }

  // Parenchyma and vessels (in `tissue`): a three-octave texture and branching trees from each hilum.
  const n1 = valueNoise(rng, 64);
  const n2 = valueNoise(rng, 22);
  const n3 = valueNoise(rng, 7);
  const textureAmp = between(rng, 0.02, 0.04);
  for (const lung of A.lungs) {
    for (let y = lung.y0; y <= lung.y1; y++) {
      for (let x = lung.x0; x <= lung.x1; x++) {
        const i = y * N + x;
        if ((air[i] as number) <= 0) continue;
        tissue[i] = 0.035 + textureAmp * (0.5 * n1(x, y) + 0.35 * n2(x, y) + 0.25 * n3(x, y));
      }
    }
  }
  const vesselGain = between(rng, 0.05, 0.09);
  A.lungs.forEach((lung, li) => {
    const hx = lung.cx + lung.dir * -0.8 * lung.wx;
    const hy = lung.cy - 0.08 * lung.wy;
    const grow = (x: number, y: number, angle: number, length: number, width: number, depth: number): void => {
      const ex = x + Math.cos(angle) * length;
      const ey = y + Math.sin(angle) * length;
      if (depthInside(lung, ex, ey, p) < 6) return;
      stroke(tissue, x, y, ex, ey, Math.max(0.7, width / 2), vesselGain * Math.sqrt(width / 7));
      if (depth >= 6) return;
      const branches = rng() < 0.72 ? 2 : 1;
      for (let b = 0; b < branches; b++) {
        const turn = (branches === 2 ? (b === 0 ? -1 : 1) : gauss(rng) * 0.5) * between(rng, 0.2, 0.6);
        grow(ex, ey, angle + turn, length * between(rng, 0.72, 0.88), width * 0.72, depth + 1);
      }
    };
    const trunks = 5 + Math.floor(rng() * 3);
    for (let t = 0; t < trunks; t++) {
      // Angles spread from up-medial over lateral to down; `dir` makes them lateral for either lung.
      const base = lerp(-1.9, 1.5, (t + rng() * 0.6) / trunks);
      const angle = li === 0 ? Math.PI - base : base;
      grow(hx, hy, angle, 70 * between(rng, 0.85, 1.15), 7 * between(rng, 0.8, 1.2), 0);
    }
  });

  // Pneumothorax: a lucent rim between the chest wall and the collapsed lung's edge (visceral pleural line), no
  // markings in it; from just medial of the apex down the lateral wall, tapering at both ends.
  const boxes: FindingBox[] = [];
  let ptxLung = -1;
  const ptxMask = new Uint8Array(N * N);
  if (has('Pneumothorax')) {
    ptxLung = side();
    const lung = A.lungs[ptxLung] as Outline;
    const thetaStart = -Math.PI / 2 - between(frng, 0.25, 0.55);
    const thetaEnd = between(frng, -0.25, 0.55);
    const depthMax = between(frng, 45, 130);
    const lucency = between(frng, 0.14, 0.2);
    const lineGain = between(frng, 0.15, 0.25);
    const lineSigma = between(frng, 1.0, 1.8);
    const extent = new Extent();
    for (let y = lung.y0; y <= lung.y1; y++) {
      for (let x = lung.x0; x <= lung.x1; x++) {
        const d = depthInside(lung, x, y, p);
        if (d <= 0) continue;
        const t = (p.theta - thetaStart) / (thetaEnd - thetaStart);
        if (t <= 0 || t >= 1) continue;
        const delta = depthMax * Math.pow(Math.sin(Math.PI * t), 0.7);
        const i = y * N + x;
        if (d < delta) {
          keep[i] = 0;
          ptxMask[i] = 1;
          mu[i] = (mu[i] as number) - lucency * (air[i] as number);
          extent.add(x, y);
        }
        const line = d - delta;
        if (delta > 1 && Math.abs(line) < 4 * lineSigma) {
          mu[i] = (mu[i] as number) + lineGain * Math.min(1, delta / 12) * Math.exp(-(line * line) / (2 * lineSigma * lineSigma));
          extent.add(x, y);
        }
      }
    }
    if (!extent.empty) boxes.push(extent.box('Pneumothorax'));
  }

  // Effusion: basal fluid; its surface is a meniscus, highest at the lateral wall, lower medially; the fluid thickens
  // with depth below the surface up to soft-tissue density (it replaces the lung's air), hiding the markings.
  const fluidMask = new Uint8Array(N * N);
  if (has('Effusion')) {
    const li = ptxLung === -1 ? side() : 1 - ptxLung;
    const lung = A.lungs[li] as Outline;
    const bottom = lung.cy + lung.wy * 0.93;
    const height = bottom - (lung.cy - lung.wy);
    const fill = between(frng, 0.2, 0.5);
    const lateralY = bottom - fill * height;
    const medialDrop = between(frng, 0.3, 0.7) * fill * height;
    const lateralX = lung.cx + lung.dir * lung.wx;
    const medialX = lung.cx - lung.dir * lung.wx;
    const soft = between(frng, 10, 30);
    const ramp = between(frng, 30, 90);
    const density = between(frng, 1.0, 1.15);
    const extent = new Extent();
    for (let y = Math.max(0, Math.floor(lateralY - soft)); y <= lung.y1; y++) {
      for (let x = lung.x0; x <= lung.x1; x++) {
        const i = y * N + x;
        const a = air[i] as number;
        if (a <= 0) continue;
        const t = clamp01((x - lateralX) / (medialX - lateralX));
        const surface = lateralY + medialDrop * Math.pow(t, 1.5);
        const below = y - surface;
        if (below <= -soft) continue;
        const edge = clamp01((below + soft) / (2 * soft));
        const f = edge * Math.pow(clamp01((below + soft) / ramp), 0.6);
        if (f <= 0.02) continue;
        const lungAir = 0.6 * a;
        mu[i] = (mu[i] as number) + density * lungAir * f;
        keep[i] = Math.min(keep[i] as number, 1 - f);
        fluidMask[i] = 1;
        extent.add(x, y);
      }
    }
    if (!extent.empty) boxes.push(extent.box('Effusion'));
  }

  // Lungs into mu: air removes tissue, markings come back where the lung still holds air.
  const lungAir = between(rng, 0.55, 0.65);
  for (let i = 0; i < N * N; i++) {
    const a = air[i] as number;
    if (a > 0) mu[i] = (mu[i] as number) - lungAir * a + (tissue[i] as number) * a * (keep[i] as number);
  }

  // Trachea and main bronchi (air), vertebral column, heart, ribs, clavicles, gastric bubble.
  const carinaY = A.top + 0.3 * A.lungHeight;
  stroke(mu, A.midX, 0, A.midX + 4, carinaY, 11, -0.22);
  stroke(mu, A.midX + 4, carinaY + 8, A.midX - 0.3 * A.half, carinaY + 90, 7, -0.16);
  stroke(mu, A.midX + 4, carinaY + 8, A.midX + 0.32 * A.half, carinaY + 110, 7, -0.16);

  const vertebra = 64 * (A.half / 395);
  const disc = 13 * (A.half / 395);
  const spineHalf = 50 * (A.half / 395);
  const bone = between(rng, 0.14, 0.2);
  for (let y = 0; y < N; y++) {
    const phase = (y - A.top + 1000 * vertebra) % (vertebra + disc);
    const inBody = phase < vertebra ? 1 : 0.35;
    for (let x = Math.floor(A.midX - spineHalf - 2); x <= Math.ceil(A.midX + spineHalf + 2); x++) {
      const q = Math.abs(x - A.midX) / spineHalf;
      if (q >= 1) continue;
      const i = y * N + x;
      mu[i] = (mu[i] as number) + bone * inBody * (0.7 + 0.5 * q * q);
    }
  }

  const heartGain = between(rng, 0.3, 0.4) * Math.sqrt(A.heartThick);
  const heartExtent = new Extent();
  const h = A.heart;
  for (let y = h.y0; y <= h.y1; y++) {
    for (let x = h.x0; x <= h.x1; x++) {
      polarOf(h, x, y, p);
      if (p.rho >= p.edge) continue;
      const r = p.rho / p.edge;
      const d = (p.edge - p.rho) * p.pxPerUnit;
      const i = y * N + x;
      // Below the left dome the heart merges with the abdomen's soft tissue: it fades out there.
      const fade = clamp01((A.domeLeftY + 12 - y) / 12);
      if (fade <= 0) continue;
      mu[i] = (mu[i] as number) + heartGain * Math.sqrt(1 - r * r) * clamp01(d / 6) * fade;
      heartExtent.add(x, y);
    }
  }
  if (has('Cardiomegaly')) boxes.push(heartExtent.box('Cardiomegaly'));

  const ribCore = between(rng, 0.04, 0.07);
  const ribRim = between(rng, 0.02, 0.04);
  const ribWidth = 30 * (A.half / 395);
  const ribStep = A.lungHeight / 9.2;
  for (const s of [-1, 1]) {
    const startX = A.midX + s * 45;
    const endX = A.midX + s * A.half * 1.04;
    for (let k = 0; k < 10; k++) {
      const y0 = A.top - 35 + k * ribStep + 6 * gauss(rng);
      const drop = between(rng, 60, 95) + 8 * k;
      const f = (x: number): number => {
        const t = Math.abs(x - startX) / (A.half * 1.0);
        return y0 - 35 * Math.sin(Math.PI * Math.min(t, 1) * 0.9) + drop * t * t;
      };
      band(mu, startX, endX, f, ribWidth, ribCore, ribRim, 0, N - 1);
      // Anterior rib: fainter, descending medially from the lateral wall.
      const ay = y0 + 40;
      const g = (x: number): number => ay + 95 * (1 - Math.abs(x - A.midX) / A.half);
      band(mu, A.midX + s * A.half * 0.3, endX, g, ribWidth * 0.8, ribCore * 0.45, ribRim * 0.3, 0, N - 1);
    }
    const clavicle = (x: number): number => A.top - 15 - 50 * (Math.abs(x - A.midX) / A.half) + 30 * (Math.abs(x - A.midX) / A.half) ** 2;
    band(mu, A.midX + s * 55, A.midX + s * A.half * 1.05, clavicle, 34 * (A.half / 395), 0.14, 0.06, 0, N - 1);
  }
  if (rng() < 0.7) {
    const bx = A.midX + 0.45 * A.half;
    const by = A.domeLeftY + between(rng, 45, 80);
    const rx = between(rng, 40, 70);
    const ry = rx * between(rng, 0.5, 0.7);
    for (let y = Math.floor(by - ry); y <= Math.ceil(by + ry); y++) {
      for (let x = Math.floor(bx - rx); x <= Math.ceil(bx + rx); x++) {
        if (x < 0 || y < 0 || x >= N || y >= N) continue;
        const q = ((x - bx) / rx) ** 2 + ((y - by) / ry) ** 2;
        if (q < 1 && y > by - ry * 0.2) mu[y * N + x] = (mu[y * N + x] as number) - 0.2 * Math.sqrt(1 - q);
      }
    }
  }

  // Nodule and mass: spheres (a mass: overlapping lobes) inside a lung, away from fluid and pneumothorax.
  const inLung = (x: number, y: number, margin: number): boolean => {
    if (x < 0 || y < 0 || x >= N || y >= N) return false;
    return A.lungs.some((l) => depthInside(l, x, y, p) > margin);
  };
  const free = (x: number, y: number): boolean => {
    const i = Math.round(y) * N + Math.round(x);
    return !ptxMask[i] && !fluidMask[i];
  };
  const place = (radius: number, inside: number): [number, number] | undefined => {
    for (let attempt = 0; attempt < 400; attempt++) {
      const lung = A.lungs[side()] as Outline;
      const x = between(frng, lung.x0, lung.x1);
      const y = between(frng, lung.y0, lung.y1);
      if (!inLung(x, y, Math.min(radius * 0.5, 40)) || !free(x, y)) continue;
      let ok = 0;
      for (let k = 0; k < 12; k++) {
        const a = (k / 12) * 2 * Math.PI;
        const px = x + Math.cos(a) * radius;
        const py = y + Math.sin(a) * radius;
        if (inLung(px, py, -4) && px >= 0 && py >= 0 && px < N && py < N && free(px, py)) ok++;
      }
      if (ok / 12 >= inside) return [x, y];
    }
    return undefined;
  };
  const sphere = (cx: number, cy: number, radius: number, gain: number, harmonics: number, extent: Extent): void => {
    const phase = Array.from({ length: 6 }, () => frng() * 2 * Math.PI);
    const amp = Array.from({ length: 6 }, () => harmonics * frng());
    const reach = radius * (1 + harmonics * 6) + 2;
    for (let y = Math.max(0, Math.floor(cy - reach)); y <= Math.min(N - 1, Math.ceil(cy + reach)); y++) {
      for (let x = Math.max(0, Math.floor(cx - reach)); x <= Math.min(N - 1, Math.ceil(cx + reach)); x++) {
        const a = Math.atan2(y - cy, x - cx);
        let r = radius;
        for (let k = 0; k < 6; k++) r += radius * (amp[k] as number) * Math.cos((k + 2) * a + (phase[k] as number));
        const q = Math.hypot(x - cx, y - cy) / r;
        if (q >= 1) continue;
        const i = y * N + x;
        mu[i] = (mu[i] as number) + gain * Math.sqrt(1 - q * q);
        extent.add(x, y);
      }
    }
  };
  if (has('Mass')) {
    const radius = (logBetween(frng, 30, 65) / PHANTOM_B_SPACING_MM) / 2;
    const at = place(radius * 0.8, 0.7);
    if (at) {
      const extent = new Extent();
      const lobes = 2 + Math.floor(frng() * 3);
      const gain = between(frng, 0.3, 0.42);
      sphere(at[0], at[1], radius * 0.62, gain, 0.03, extent);
      for (let k = 1; k < lobes; k++) {
        const a = frng() * 2 * Math.PI;
        const d = radius * between(frng, 0.25, 0.45);
        sphere(at[0] + Math.cos(a) * d, at[1] + Math.sin(a) * d, radius * between(frng, 0.35, 0.55), gain * between(frng, 0.6, 0.9), 0.04, extent);
      }
      boxes.push(extent.box('Mass'));
    }
  }
  if (has('Nodule')) {
    const radius = (logBetween(frng, 5, 15) / PHANTOM_B_SPACING_MM) / 2;
    const at = place(radius, 0.9);
    if (at) {
      const extent = new Extent();
      const calcified = frng() < 0.25;
      const gain = calcified ? between(frng, 0.42, 0.56) : between(frng, 0.3, 0.45);
      sphere(at[0], at[1], radius, gain, calcified ? 0.01 : 0.025, extent);
      boxes.push(extent.box('Nodule'));
    }
  }

  // Development through the film curve, then noise and a side marker.
  const m0 = between(rng, 0.62, 0.76);
  const latitude = between(rng, 0.2, 0.28);
  const quantum = between(rng, 2, 5);
  const fine = valueNoise(rng, 3);
  const fineAmp = between(rng, 0.5, 2);
  const rowStripe = Float32Array.from({ length: N }, () => 0.6 * gauss(rng));
  // Quantum noise from a table of normal deviates, read from a random start with a random odd stride per row.
  const table = new Float32Array(1 << 16);
  for (let i = 0; i < table.length; i++) table[i] = gauss(rng);
  const pixels = new Uint8Array(N * N);
  const markerX = rng() < 0.5 ? 40 + Math.floor(rng() * 40) : N - 110 + Math.floor(rng() * 40);
  const markerY = 40 + Math.floor(rng() * 60);
  for (let y = 0; y < N; y++) {
    let k = Math.floor(rng() * 65536);
    const stride = 1 + 2 * Math.floor(rng() * 4096);
    for (let x = 0; x < N; x++) {
      const i = y * N + x;
      let v = 255 / (1 + Math.exp(-((mu[i] as number) - m0) / latitude));
      k = (k + stride) & 65535;
      v += quantum * Math.sqrt((v + 20) / 275) * (table[k] as number) + fineAmp * fine(x, y) + (rowStripe[y] as number);
      if (x >= markerX && x < markerX + 34 && y >= markerY && y < markerY + 44 && (x - markerX < 9 || y - markerY > 34)) v = 245;
      pixels[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  return { pixels, boxes: PHANTOM_FINDINGS.flatMap((f) => boxes.filter((b) => b.finding === f)) };
}

/** Options of {@link planPhantomsB} (those of family A's planner, for the same command line). */
export interface PhantomBOptions {
  n: number;
  seed?: number;
  /** Fraction of images without a finding. Default 0.35. */
  healthy?: number;
  /** Fraction of patients in the test list. Default 0.25. */
  testFraction?: number;
}

/** Relative frequency of each planted finding in family B. */
const FINDING_WEIGHTS: Readonly<Record<PhantomFinding, number>> = { Cardiomegaly: 1.0, Effusion: 1.1, Mass: 0.9, Nodule: 1.2, Pneumothorax: 0.9 };

/**
 * Plans a family-B set: patients with 1-4 follow-ups sharing one anatomy, 1-3 findings per abnormal image drawn by
 * weight, patient-level test list. Pure and seeded (its own PRNG, not family A's).
 *
 * @example
 * ```ts
 * planPhantomsB({ n: 10, seed: 3 })[0]?.imageIndex; // '00000001_000.png'
 * ```
 */
export function planPhantomsB(options: PhantomBOptions): PhantomBEntry[] {
  const { n } = options;
  if (!Number.isInteger(n) || n < 1) throw new PhantomError(`expected a positive integer image count, found ${n}`);
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new PhantomError(`expected an integer seed, found ${seed}`);
  const healthy = options.healthy ?? 0.35;
  const testFraction = options.testFraction ?? 0.25;
  const rng = sfc32((seed ^ 0x5bd1e995) >>> 0);
  const entries: PhantomBEntry[] = [];
  let patientId = 0;
  while (entries.length < n) {
    patientId++;
    const r = rng();
    const followUps = Math.min(r < 0.4 ? 1 : r < 0.7 ? 2 : r < 0.9 ? 3 : 4, n - entries.length);
    const test = rng() < testFraction;
    const gender = rng() < 0.5 ? 'F' : 'M';
    const age = 18 + Math.floor(rng() * 70);
    const patientSeed = Math.floor(rng() * 2 ** 32);
    for (let f = 0; f < followUps; f++) {
      const findings: PhantomFinding[] = [];
      if (rng() >= healthy) {
        const c = rng();
        const count = c < 0.55 ? 1 : c < 0.85 ? 2 : 3;
        const pool = [...PHANTOM_FINDINGS] as PhantomFinding[];
        for (let k = 0; k < count; k++) {
          const total = pool.reduce((a, x) => a + FINDING_WEIGHTS[x], 0);
          let pick = rng() * total;
          let j = 0;
          while (j < pool.length - 1 && pick >= FINDING_WEIGHTS[pool[j] as PhantomFinding]) pick -= FINDING_WEIGHTS[pool[j++] as PhantomFinding];
          findings.push(pool.splice(j, 1)[0] as PhantomFinding);
        }
      }
      findings.sort();
      entries.push({
        imageIndex: `${String(patientId).padStart(8, '0')}_${String(f).padStart(3, '0')}.png`,
        patientId,
        followUp: f,
        age: age + f,
        gender,
        view: rng() < 0.75 ? 'PA' : 'AP',
        findings,
        seed: Math.floor(rng() * 2 ** 32),
        patientSeed,
        test,
      });
    }
  }
  const setTest = (id: number, value: boolean): void => entries.forEach((e) => (e.patientId === id ? (e.test = value) : undefined));
  if (entries.length > 1 && !entries.some((e) => e.test)) setTest((entries[entries.length - 1] as PhantomBEntry).patientId, true);
  if (entries.length > 1 && entries.every((e) => e.test)) setTest((entries[0] as PhantomBEntry).patientId, false);
  return entries;
}

async function renderInWorkersB(plans: readonly PhantomBPlan[], workers: number, onRendered: (index: number, r: RenderedPhantom) => Promise<void>): Promise<void> {
  const pool = Array.from({ length: Math.min(workers, plans.length) }, () => startModuleWorker('phantom-b-worker', import.meta.url));
  let next = 0;
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const feed = (): void => {
              if (next >= plans.length) return resolve();
              const index = next++;
              const plan = plans[index] as PhantomBPlan;
              worker.postMessage({ index, plan: { findings: plan.findings, patientSeed: plan.patientSeed, seed: plan.seed } });
            };
            worker.on('message', (m: { index: number; pixels?: Uint8Array; boxes?: FindingBox[]; error?: string }) => {
              if (m.error !== undefined || m.pixels === undefined || m.boxes === undefined) {
                reject(new PhantomError(`rendering family-B phantom ${m.index} failed: ${m.error ?? 'no pixels'}`));
                return;
              }
              onRendered(m.index, { pixels: m.pixels, boxes: m.boxes }).then(feed, reject);
            });
            worker.on('error', (cause) => reject(new PhantomError(`a family-B phantom worker crashed: ${cause.message}`, { cause })));
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}

/**
 * Writes a family-B phantom set in the NIH layout (as `makePhantoms` does for family A: `images/*.png`,
 * `Data_Entry.csv`, `BBox_List.csv`, `train_val_list.txt`, `test_list.txt`, and `phantoms.json` with `style: "b"`),
 * staged beside `out` and moved into place when complete. From 32 images on, rendering runs on worker threads.
 *
 * @example
 * ```ts
 * await makePhantomsB({ out: 'out/phantoms-b', n: 900, seed: 1 });
 * ```
 */
export async function makePhantomsB(options: MakePhantomsOptions): Promise<PhantomDataset> {
  const entries = planPhantomsB(options);
  await claimOutputFolder(options.out, PHANTOM_OUTPUT, options.force === true, 'phantoms');
  const dir = stagingFolderFor(options.out);
  await rm(dir, { recursive: true, force: true });
  const imagesDir = join(dir, 'images');
  try {
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
      await sharp(pixels, { raw: { width: N, height: N, channels: 1 } })
        .toColourspace('b-w')
        .png({ compressionLevel: 3 })
        .toFile(join(imagesDir, (entries[index] as PhantomBEntry).imageIndex));
      rendered[index] = boxes;
      done++;
      options.onProgress?.(done, entries.length);
    };
    const workers = options.workers ?? (entries.length >= 32 ? Math.min(4, availableParallelism()) : 1);
    if (workers > 1) await renderInWorkersB(entries, workers, write);
    else for (let i = 0; i < entries.length; i++) await write(i, renderPhantomB(entries[i] as PhantomBEntry));

    const dataRows = [DATA_ENTRY_HEADER];
    const boxRows = [BBOX_LIST_HEADER];
    const counts: Record<string, number> = Object.fromEntries(PHANTOM_FINDINGS.map((f) => [f, 0]));
    const labelled = entries.map((e, i) => ({ e, boxes: rendered[i] ?? [] }));
    for (const { e, boxes } of labelled) {
      // A finding that could not be placed (no room left in the lungs) is not written as a label either.
      const findings = e.findings.filter((f) => boxes.some((b) => b.finding === f));
      dataRows.push([e.imageIndex, findings.length > 0 ? findings.join('|') : 'No Finding', e.followUp, e.patientId, e.age, e.gender, e.view, N, N, PHANTOM_B_SPACING_MM, PHANTOM_B_SPACING_MM].join(','));
      for (const f of findings) counts[f] = (counts[f] ?? 0) + 1;
      for (const b of boxes) boxRows.push([e.imageIndex, b.finding, b.x, b.y, b.w, b.h].join(','));
    }
    await writeFile(join(dir, 'Data_Entry.csv'), `${dataRows.join('\n')}\n`);
    await writeFile(join(dir, 'BBox_List.csv'), `${boxRows.join('\n')}\n`);
    await writeFile(join(dir, 'train_val_list.txt'), `${entries.filter((e) => !e.test).map((e) => e.imageIndex).join('\n')}\n`);
    await writeFile(join(dir, 'test_list.txt'), `${entries.filter((e) => e.test).map((e) => e.imageIndex).join('\n')}\n`);
    const plan = { version: 1, style: 'b', n: options.n, seed: options.seed ?? 1, healthy: options.healthy ?? null, testFraction: options.testFraction ?? null };
    await writeFile(join(dir, 'phantoms.json'), `${JSON.stringify(plan, null, 2)}\n`);
    await replaceEntries(dir, options.out, PHANTOM_OUTPUT.own);
    return {
      out: options.out,
      images: entries.length,
      boxes: boxRows.length - 1,
      testImages: entries.filter((e) => e.test).length,
      counts,
      dataEntry: join(options.out, 'Data_Entry.csv'),
      bboxList: join(options.out, 'BBox_List.csv'),
      trainValList: join(options.out, 'train_val_list.txt'),
      testList: join(options.out, 'test_list.txt'),
      imagesDir: join(options.out, 'images'),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
