/**
 * Worker thread of `makePhantomsB`: renders family-B phantoms (pure, see `renderPhantomB`) so that every core draws.
 *
 * Messages in: `{ index, plan: PhantomBPlan }`. Out: `{ index, pixels, boxes }` (pixels transferred) or
 * `{ index, error }`.
 */
import { parentPort } from 'node:worker_threads';
import { renderPhantomB } from './phantoms-b.js';
import type { PhantomBPlan } from './phantoms-b.js';

parentPort?.on('message', ({ index, plan }: { index: number; plan: PhantomBPlan }) => {
  try {
    const { pixels, boxes } = renderPhantomB(plan);
    parentPort?.postMessage({ index, pixels, boxes }, [pixels.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort?.postMessage({ index, error: (error as Error).message });
  }
});
