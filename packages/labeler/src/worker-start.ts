/**
 * The one worker-thread bootstrap of the project: starts a thread on a module next to the caller, from compiled code
 * or from the TypeScript sources. The labeler's `--workers` pool, the builder's task pool and the trainer's gradient
 * and phantom workers all start their threads here.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on the module `name` (without extension) next to the module whose `import.meta.url` is
 * `base`, with `options` (`workerData`, `resourceLimits`, ...). From compiled code it runs `name.js`; from the
 * sources (tests, benches, tsx) the thread first registers tsx's loader itself and then imports `name.ts`, because
 * loaders given with `--import` do not reach worker threads in Node 20.
 *
 * @example
 * ```ts
 * const worker = startModuleWorker('label-worker', import.meta.url, { workerData: setup });
 * worker.on('message', (reply) => console.log(reply));
 * ```
 */
export function startModuleWorker(name: string, base: string, options: WorkerOptions = {}): Worker {
  if (!base.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, base), options);
  const entry = new URL(`./${name}.ts`, base).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { ...options, eval: true });
}
