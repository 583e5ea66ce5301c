/**
 * Worker thread of `makePhantoms`: renders phantoms (pure, see `renderPhantom`) so that every core draws.
 *
 * Messages in: `{ index, plan: PhantomPlan }`. Out: `{ index, pixels, boxes }` (pixels transferred) or
 * `{ index, error }`.
 */
import { parentPort } from 'node:worker_threads';
import { renderPhantom } from './phantoms.js';
import type { PhantomPlan } from './phantoms.js';

parentPort?.on('message', ({ index, plan }: { index: number; plan: PhantomPlan }) => {
  try {
    const { pixels, boxes } = renderPhantom(plan);
    parentPort?.postMessage({ index, pixels, boxes }, [pixels.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort?.postMessage({ index, error: (error as Error).message });
  }
});
