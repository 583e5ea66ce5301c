/**
 * The entry of one `--workers` thread: compiles a labeler and a writer once, then labels the batches the pool sends,
 * answering each with its formatted rows. Started by `workers.ts`; not meant to be imported.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { labelBatch } from './batch.js';
import { createLabeler } from './pipeline.js';
import { threadCpuSeconds } from './thread-cpu.js';
import type { WorkerSetup, WorkerReply, WorkerTask } from './workers.js';
import { createWriter } from './writers/index.js';

const port = parentPort;
if (port) {
  const setup = workerData as WorkerSetup;
  try {
    const labeler = createLabeler(setup.labeler);
    const writer = createWriter(setup.format, { findings: labeler.findings });
    port.on('message', (task: WorkerTask) => {
      const result = labelBatch(labeler, writer, task.reports);
      const reply: WorkerReply = { kind: 'done', id: task.id, result, cpu: threadCpuSeconds() };
      port.postMessage(reply);
    });
    port.postMessage({ kind: 'ready', cpu: threadCpuSeconds() } satisfies WorkerReply);
  } catch (error) {
    port.postMessage({ kind: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
  }
}
