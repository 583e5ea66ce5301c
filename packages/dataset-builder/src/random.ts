/**
 * mulberry32: a small, fast, seedable 32-bit PRNG, uniform in [0, 1); the same seed gives the same sequence on every
 * platform. The one copy the project uses for seeded synthetic data (test exports, fuzz mutants, the fixture export,
 * the trainer's phantoms and shuffling): never for anything secret (keys come from `crypto`).
 *
 * @example
 * ```ts
 * import { mulberry32 } from '@cxr8/dataset-builder';
 * const rng = mulberry32(7);
 * rng(); // 0..1, the same every run
 * ```
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
