/** Deterministic values in [-1, 1) from a seed (a small integer hash; the same on every machine). */
export function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

/** The largest error relative to 1 + |expected| over two arrays of the same length. */
export function maxError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    worst = Math.max(worst, Math.abs((actual[i] as number) - e) / (1 + Math.abs(e)));
  }
  return worst;
}

/** A convolution test case: input and filter shapes ([N, H, W, C] and [kh, kw, Ci, Co]), strides and padding. */
export interface ConvCase {
  name: string;
  x: [number, number, number, number];
  f: [number, number, number, number];
  strides: number;
  pad: 'same' | 'valid';
}
