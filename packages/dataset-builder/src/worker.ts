/**
 * The body of a `--workers` thread: receives `{ id, task }` messages, runs each with `runTask` (tasks.ts) and posts
 * `{ id, result }` back, after one `{ ready: true }` when loaded. Shard pixels are transferred, not copied.
 */
import { parentPort } from 'node:worker_threads';
import sharp from 'sharp';
import { runTask } from './tasks.js';
import type { Task } from './tasks.js';

if (!parentPort) throw new Error('@cxr8/dataset-builder: worker.ts must run in a worker thread');
// One libvips thread per worker: N workers then use about N cores instead of N x cores.
sharp.concurrency(1);
const port = parentPort;
// Ready: the pool sends tasks (and starts their time limit) only now, so a thread's start-up is not counted.
port.postMessage({ ready: true });
port.on('message', (message: { id: number; task: Task }) => {
  void runTask(message.task).then((result) => {
    const transfer = result.ok && result.kind === 'shard' ? [result.pixels.buffer as ArrayBuffer] : [];
    port.postMessage({ id: message.id, result }, transfer);
  });
});
