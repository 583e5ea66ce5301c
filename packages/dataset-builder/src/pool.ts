/**
 * A fixed pool of worker threads running tasks.ts, with a bounded queue: `run()` resolves when its task is done, and
 * the pipeline keeps at most `capacity` tasks in flight (see `mapOrdered`), so memory stays bounded however large the
 * export. With `workers: 0` tasks run inline on the main thread (tests, small exports).
 *
 * A task that runs longer than `taskTimeoutMs` (a decoder looping on crafted data) fails with a reason naming the
 * limit; its thread is terminated and replaced. Inline tasks cannot be interrupted (the limit applies to threads).
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '@cxr8/labeler';
import { WorkerError, thrownText } from './errors.js';
import { runTask } from './tasks.js';
import type { Task, TaskResult } from './tasks.js';

/** Runs tasks, in worker threads or inline. */
export interface TaskRunner {
  /** Tasks that may be in flight at once without growing memory. */
  readonly capacity: number;
  run(task: Task): Promise<TaskResult>;
  close(): Promise<void>;
}

/** Starts one thread on worker.ts (the labeler's bootstrap: compiled, or the sources under tsx). */
function startWorker(): Worker {
  return startModuleWorker('worker', import.meta.url);
}

/** Options of {@link createPool}. */
export interface PoolOptions {
  /** The longest one task may run in a worker thread before it fails (default {@link DEFAULT_TASK_TIMEOUT_MS}). */
  taskTimeoutMs?: number;
}

/** Default per-task time limit: far above any real radiograph (a 2140x1760 JPEG 2000 decodes in well under 1 s). */
export const DEFAULT_TASK_TIMEOUT_MS = 120_000;

/**
 * Starts `workers` threads (0 = inline).
 *
 * @example
 * ```ts
 * const pool = createPool(4, { taskTimeoutMs: 60_000 });
 * const result = await pool.run({ kind: 'header', path, file });
 * await pool.close();
 * ```
 */
export function createPool(workers: number, options: PoolOptions = {}): TaskRunner {
  const timeoutMs = options.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS;
  if (workers <= 0) {
    return { capacity: 2, run: runTask, close: async () => {} };
  }
  interface Slot {
    worker: Worker;
    /** The id of the task the worker is running, if any. */
    current: number | undefined;
    /** Worker restarts after a crash; a pool whose workers keep dying gives up. */
    restarts: number;
    /** The time limit of the running task. */
    timer: NodeJS.Timeout | undefined;
    /** Whether the thread has loaded (its `{ ready: true }` came): tasks go only to ready threads. */
    ready: boolean;
  }
  const pending = new Map<number, (r: TaskResult) => void>();
  const queue: { id: number; task: Task }[] = [];
  const slots: Slot[] = [];
  let nextId = 0;
  let closed = false;
  let fatal: Error | undefined;
  const dispatch = (): void => {
    for (const slot of slots) {
      if (slot.current !== undefined || !slot.ready) continue;
      const next = queue.shift();
      if (!next) return;
      slot.current = next.id;
      slot.worker.postMessage(next);
      const id = next.id;
      slot.timer = setTimeout(() => timedOut(slot, id), timeoutMs);
    }
  };
  // A task past its limit fails alone: its thread is replaced (not counted as a crash) and the run goes on.
  const timedOut = (slot: Slot, id: number): void => {
    if (closed || slot.current !== id) return;
    slot.current = undefined;
    slot.timer = undefined;
    const resolve = pending.get(id);
    pending.delete(id);
    resolve?.({ ok: false, reason: `took longer than ${timeoutMs / 1000} s, the limit per file; expected the file to be read, decoded or rendered well within it (a decoder looping on damaged data?)` });
    const old = slot.worker;
    old.removeAllListeners();
    old.on('error', () => {});
    void old.terminate();
    slot.worker = startWorker();
    slot.ready = false;
    attach(slot);
    dispatch();
  };
  const attach = (slot: Slot): void => {
    slot.worker.on('message', (message: { id: number; result: TaskResult } | { ready: true }) => {
      if ('ready' in message) {
        slot.ready = true;
        dispatch();
        return;
      }
      const resolve = pending.get(message.id);
      pending.delete(message.id);
      slot.current = undefined;
      clearTimeout(slot.timer);
      slot.timer = undefined;
      resolve?.(message.result);
      dispatch();
    });
    // A thread that dies (a native codec crash, out of memory) fails only the task it was running: that file is
    // recorded as failed, a new thread takes the slot, and the run goes on.
    const died = (reason: string): void => {
      if (closed) return;
      const id = slot.current;
      slot.current = undefined;
      clearTimeout(slot.timer);
      slot.timer = undefined;
      if (id !== undefined) {
        const resolve = pending.get(id);
        pending.delete(id);
        resolve?.({ ok: false, reason: `the worker thread died while processing this file (${reason}); expected the decoder to finish or to fail with a reason` });
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
      slot.ready = false;
      attach(slot);
      dispatch();
    };
    slot.worker.on('error', (cause) => died(thrownText(cause) ?? 'an uncaught error in the thread'));
    slot.worker.on('exit', (code) => died(`exit code ${code}`));
  };
  for (let i = 0; i < workers; i++) {
    const slot: Slot = { worker: startWorker(), current: undefined, restarts: 0, timer: undefined, ready: false };
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
      for (const slot of slots) clearTimeout(slot.timer);
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
