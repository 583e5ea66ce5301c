/**
 * The labeling engine behind `label-reports`: batches of reports in, formatted rows out, either on the calling
 * thread (`workers: 1`) or on a pool of `worker_threads` (`workers: N`, N >= 2).
 *
 * Each worker compiles its own labeler once and formats its own rows, so only report text goes in and output text
 * comes out (no structured clone of evidence). Batches are answered by promises that the caller awaits in submission
 * order, which keeps the output order equal to the input order whatever worker finishes first.
 */
import type { Worker } from 'node:worker_threads';
import { labelBatch, type BatchResult } from './batch.js';
import { WorkerError } from './errors.js';
import { createLabeler } from './pipeline.js';
import type { ReportRecord } from './readers/records.js';
import type { LabelerOptions } from './types.js';
import { startModuleWorker } from './worker-start.js';
import { createWriter, type OutputFormat } from './writers/index.js';

/** Options of {@link createLabelingEngine}. */
export interface LabelingEngineOptions {
  /** Output format of the rows. */
  format: OutputFormat;
  /** Labeler options (label set, sections, lexicon folders, uncertainty policy). */
  labeler?: LabelerOptions;
  /** 1 (default): label on the calling thread; N >= 2: a pool of N worker threads. */
  workers?: number;
}

/** Labels batches of reports. */
export interface LabelingEngine {
  /** The output format's header (written once, before the first batch). */
  readonly header: string;
  /** Threads labeling (1 = the calling thread). */
  readonly workers: number;
  /** Labels and formats one batch. Results come back in any order; await them in submission order. */
  label(reports: ReportRecord[]): Promise<BatchResult>;
  /**
   * CPU seconds each worker thread has used so far (as of its last answered batch), one entry per thread; empty with
   * `workers: 1`, where the calling thread labels. See `thread-cpu.ts`.
   */
  threadCpuSeconds(): number[];
  /** Stops the worker threads. */
  close(): Promise<void>;
}

/** What a worker thread is started with (structured-cloneable). @internal */
export interface WorkerSetup {
  format: OutputFormat;
  labeler: LabelerOptions;
}

/** A batch sent to a worker thread. @internal */
export interface WorkerTask {
  id: number;
  reports: ReportRecord[];
}

/** A worker thread's message. @internal */
export type WorkerReply =
  | { kind: 'ready'; cpu: number }
  | { kind: 'failed'; message: string }
  | { kind: 'done'; id: number; result: BatchResult; cpu: number };

/**
 * Creates the labeling engine. The labeler is compiled on the calling thread first, so that an invalid option or
 * lexicon fails here with its typed error; with `workers >= 2`, every thread compiles its own copy and the call
 * resolves when all are ready.
 *
 * @example
 * ```ts
 * const engine = await createLabelingEngine({ format: 'csv', workers: 2 });
 * const result = await engine.label([{ id: 'r1', text: 'Small left effusion.', source: 'r1.txt' }]);
 * process.stdout.write(engine.header + result.output);
 * await engine.close();
 * ```
 */
export async function createLabelingEngine(options: LabelingEngineOptions): Promise<LabelingEngine> {
  const labelerOptions: LabelerOptions = { ...(options.labeler ?? {}) };
  const workers = Math.max(1, Math.floor(options.workers ?? 1));
  const labeler = createLabeler(labelerOptions);
  const writer = createWriter(options.format, { findings: labeler.findings });
  if (workers === 1) {
    return {
      header: writer.header,
      workers: 1,
      label: async (reports) => labelBatch(labeler, writer, reports),
      threadCpuSeconds: () => [],
      close: async () => {},
    };
  }
  const pool = await startPool(workers, { format: options.format, labeler: labelerOptions });
  return { header: writer.header, workers, label: (reports) => pool.run(reports), threadCpuSeconds: () => [...pool.cpu], close: () => pool.close() };
}

interface Task {
  id: number;
  reports: ReportRecord[];
  resolve: (result: BatchResult) => void;
  reject: (error: Error) => void;
}

interface Pool {
  run(reports: ReportRecord[]): Promise<BatchResult>;
  /** Each thread's CPU seconds as of its last reply. */
  readonly cpu: number[];
  close(): Promise<void>;
}

/** Starts one worker thread on `label-worker` (worker-start.ts: compiled, or the sources under tsx). */
function startWorker(setup: WorkerSetup): Worker {
  return startModuleWorker('label-worker', import.meta.url, { workerData: setup });
}

async function startPool(size: number, setup: WorkerSetup): Promise<Pool> {
  const idle: Worker[] = [];
  const busy = new Map<Worker, Task>();
  const queue: Task[] = [];
  let broken: Error | undefined;
  let closing = false;
  let nextId = 0;
  const cpu = Array.from({ length: size }, () => Number.NaN);

  const dispatch = (): void => {
    while (idle.length > 0 && queue.length > 0) {
      const worker = idle.pop() as Worker;
      const task = queue.shift() as Task;
      busy.set(worker, task);
      worker.postMessage({ id: task.id, reports: task.reports } satisfies WorkerTask);
    }
  };
  const fail = (error: Error): void => {
    broken ??= error;
    for (const task of [...busy.values(), ...queue]) task.reject(broken);
    busy.clear();
    queue.length = 0;
  };

  const threads: Worker[] = [];
  const ready = Array.from({ length: size }, (_, index) => {
    const worker = startWorker(setup);
    threads.push(worker);
    return new Promise<void>((resolveReady, rejectReady) => {
      worker.on('message', (reply: WorkerReply) => {
        if (reply.kind === 'ready') {
          cpu[index] = reply.cpu;
          idle.push(worker);
          resolveReady();
          dispatch();
        } else if (reply.kind === 'failed') {
          const error = new WorkerError(`expected worker ${index + 1} to compile the labeler, found: ${reply.message}`);
          rejectReady(error);
          fail(error);
        } else {
          cpu[index] = reply.cpu;
          const task = busy.get(worker);
          busy.delete(worker);
          idle.push(worker);
          task?.resolve(reply.result);
          dispatch();
        }
      });
      worker.on('error', (cause) => {
        const error = new WorkerError(`expected worker ${index + 1} to keep running, found it crashed: ${cause.message}`, { cause });
        rejectReady(error);
        fail(error);
      });
      worker.on('exit', (code) => {
        if (closing) return;
        const error = new WorkerError(`expected worker ${index + 1} to keep running, found it exited with code ${code}`);
        rejectReady(error);
        fail(error);
      });
    });
  });
  const close = async (): Promise<void> => {
    closing = true;
    await Promise.all(threads.map((t) => t.terminate()));
  };
  try {
    await Promise.all(ready);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    run(reports) {
      if (broken) return Promise.reject(broken);
      return new Promise<BatchResult>((resolve, reject) => {
        queue.push({ id: nextId++, reports, resolve, reject });
        dispatch();
      });
    },
    cpu,
    close,
  };
}
