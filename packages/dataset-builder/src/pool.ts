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
    /** The id of the task the worker is running, if any. */
    current: number | undefined;
    /** Worker restarts after a crash; a pool whose workers keep dying gives up. */
    restarts: number;
  }
  const pending = new Map<number, (r: TaskResult) => void>();
  const queue: { id: number; task: Task }[] = [];
  const slots: Slot[] = [];
  let nextId = 0;
  let closed = false;
  let fatal: Error | undefined;
  const dispatch = (): void => {
    for (const slot of slots) {
      if (slot.current !== undefined) continue;
      const next = queue.shift();
      if (!next) return;
      slot.current = next.id;
      slot.worker.postMessage(next);
    }
  };
  const attach = (slot: Slot): void => {
    slot.worker.on('message', (message: { id: number; result: TaskResult }) => {
      const resolve = pending.get(message.id);
      pending.delete(message.id);
      slot.current = undefined;
      resolve?.(message.result);
      dispatch();
    });
    // A thread that dies (a native codec crash, out of memory) fails only the task it was running: that file is
    // recorded as failed, a new thread takes the slot, and the run goes on.
    const died = (reason: string): void => {
      if (closed) return;
      const id = slot.current;
      slot.current = undefined;
      if (id !== undefined) {
        const resolve = pending.get(id);
        pending.delete(id);
        resolve?.({ ok: false, reason: `the worker thread died while processing this file (${reason})` });
      }
      if (++slot.restarts > 10) {
        fatal = new WorkerError(`worker threads keep dying (last: ${reason}); expected at most 10 restarts per thread`);
        for (const [pid, resolve] of pending) {
          pending.delete(pid);
          resolve({ ok: false, reason: fatal.message });
        }
        return;
      }
      slot.worker.removeAllListeners();
      slot.worker = startWorker();
      attach(slot);
      dispatch();
    };
    slot.worker.on('error', (cause) => died(cause.message));
    slot.worker.on('exit', (code) => died(`exit code ${code}`));
  };
  for (let i = 0; i < workers; i++) {
    const slot: Slot = { worker: startWorker(), current: undefined, restarts: 0 };
    attach(slot);
    slots.push(slot);
  }
  return {
    capacity: workers * 2,
    run(task) {
      if (fatal) return Promise.reject(fatal);
      return new Promise<TaskResult>((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        queue.push({ id, task });
        dispatch();
      });
    },
    async close() {
      closed = true;
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
