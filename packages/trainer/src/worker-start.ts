/**
 * Starting a worker thread on a module of this package, from compiled code or from the TypeScript sources.
 *
 * Public API (internal to the package): `startModuleWorker(name, base)`.
 */
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on the module `name` (without extension) next to the module whose `import.meta.url` is
 * `base`. From compiled code it runs `name.js`; from sources (tests, tsx) the worker first registers tsx's loader
 * itself, because loaders given with --import do not reach worker threads in Node 20.
 *
 * @example
 * ```ts
 * const worker = startModuleWorker('gradient-worker', import.meta.url);
 * ```
 */
export function startModuleWorker(name: string, base: string): Worker {
  if (!base.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, base));
  const entry = new URL(`./${name}.ts`, base).href;
  const code = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true });
}
