/**
 * A fixed pool of worker threads running tasks.ts, with a bounded queue: `run()` resolves when its task is done, and
 * the pipeline keeps at most `capacity` tasks in flight (see `mapOrdered`), so memory stays bounded however large the
 * export. With `workers: 0` tasks run inline on the main thread (tests, small exports).
 */
import { Worker } from 'node:worker_threads';
import { WorkerError } from './errors.js';
import { runTask } from './tasks.js';
import type { Task, TaskResult } from './tasks.js';

/** Runs tasks, in worker threads or inline. */
export interface TaskRunner {
  /** Tasks that may be in flight at once without growing memory. */
  readonly capacity: number;
  run(task: Task): Promise<TaskResult>;
  close(): Promise<void>;
}

function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url));
  // Running from source under tsx (tests): Node 20 does not carry --import hooks into worker threads, so the worker
  // registers tsx itself before loading worker.ts.
  const url = new URL('./worker.ts', import.meta.url).href;
  return new Worker(`import('tsx/esm/api').then((m) => m.register()).then(() => import(${JSON.stringify(url)}))`, { eval: true });
}

/**
 * Starts `workers` threads (0 = inline).
 *
 * @example
 * ```ts
 * const pool = createPool(4);
 * const result = await pool.run({ kind: 'header', path, file });
 * await pool.close();
 * ```
 */
export function createPool(workers: number): TaskRunner {
  if (workers <= 0) {
    return { capacity: 2, run: runTask, close: async () => {} };
  }
  interface Slot {
    worker: Worker;
    busy: boolean;
  }
  const pending = new Map<number, { resolve: (r: TaskResult) => void; reject: (e: Error) => void; slot: Slot }>();
  const queue: { id: number; task: Task }[] = [];
  const slots: Slot[] = [];
  let nextId = 0;
  let failed: Error | undefined;
  const dispatch = (): void => {
    for (const slot of slots) {
      if (slot.busy) continue;
      const next = queue.shift();
      if (!next) return;
      slot.busy = true;
      const p = pending.get(next.id);
      if (p) p.slot = slot;
      slot.worker.postMessage(next);
    }
  };
  for (let i = 0; i < workers; i++) {
    const worker = startWorker();
    const slot: Slot = { worker, busy: false };
    worker.on('message', (message: { id: number; result: TaskResult }) => {
      const p = pending.get(message.id);
      pending.delete(message.id);
      slot.busy = false;
      p?.resolve(message.result);
      dispatch();
    });
    worker.on('error', (cause) => {
      failed = new WorkerError(`a worker thread died (${cause.message})`, { cause });
      for (const [id, p] of pending) {
        if (p.slot === slot) {
          pending.delete(id);
          p.reject(failed);
        }
      }
    });
    slots.push(slot);
  }
  return {
    capacity: workers * 2,
    run(task) {
      if (failed) return Promise.reject(failed);
      return new Promise<TaskResult>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject, slot: slots[0] as Slot });
        queue.push({ id, task });
        dispatch();
      });
    },
    async close() {
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

/**
 * Maps `items` through `fn` with at most `limit` calls in flight, yielding results in input order. Memory holds at
 * most `limit` results, which bounds the pipeline whatever the input size.
 *
 * @example
 * ```ts
 * for await (const [file, result] of mapOrdered(files, 8, (f) => pool.run(taskOf(f)))) record(file, result);
 * ```
 */
export async function* mapOrdered<T, R>(items: AsyncIterable<T> | Iterable<T>, limit: number, fn: (item: T) => Promise<R>): AsyncGenerator<[T, R]> {
  const window: { item: T; promise: Promise<R> }[] = [];
  for await (const item of items) {
    window.push({ item, promise: fn(item) });
    if (window.length >= limit) {
      const head = window.shift() as { item: T; promise: Promise<R> };
      yield [head.item, await head.promise];
    }
  }
  while (window.length > 0) {
    const head = window.shift() as { item: T; promise: Promise<R> };
    yield [head.item, await head.promise];
  }
}
