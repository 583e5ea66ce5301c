/**
 * Where one training step's time goes: every wasm kernel (native convolutions, LSE pooling, element-wise ops, Adam) is
 * wrapped and its CPU time summed, for one step of the throughput bench's model (resnet-tiny, 224 px, batch 16,
 * 8 findings), then the same for the forward pass. CPU time (process.cpuUsage), so that on a shared machine the
 * numbers say what the work costs rather than how long it waited; wall time is printed beside it, for the step and
 * for each kernel (a kernel's wall below its CPU: its threads overlapped; near it on 2 threads: one of them waited).
 *
 *   node --import=tsx packages/trainer/bench/profile-step.ts [threads = 1]     env: BY_SHAPE=1 (convolutions by shape),
 *                                                                              QUIET=1 (totals only), CXR8_KERNEL=name
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { lossFor } from '../src/loss.js';
import { createModel, defaultModelConfig } from '../src/model.js';
import { Adam } from '../src/train.js';
import { setNativeConvThreads } from '../src/native.js';

const threads = Number(process.argv[2] ?? 1);
/** Milliseconds of CPU time of this process (all its threads): on a shared machine, what the work cost, not the wait. */
const clock = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
await initBackend('wasm');
setNativeConvThreads(threads);
const FINDINGS = ['Atelectasis', 'Cardiomegaly', 'Effusion', 'Infiltration', 'Mass', 'Nodule', 'Pneumonia', 'Pneumothorax'];
const model = createModel(defaultModelConfig(FINDINGS, { imageSize: 224 }));
const n = 16;
const images = tf.randomUniform([n, 224, 224, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
const labels = tf.cast(tf.greater(tf.randomUniform([n, 8], 0, 1, 'float32', 2), 0.7), 'float32') as tf.Tensor2D;
const loss = lossFor('weighted');
const adam = new Adam(model.trainableVariables);
const times = new Map<string, { ms: number; wall: number; count: number }>();
let phase = '';
// wrap every wasm kernel
const registry = (tf as unknown as { getKernelsForBackend(name: string): tf.KernelConfig[] }).getKernelsForBackend('wasm');
for (const k of registry) {
  const old = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, 'wasm');
  tf.registerKernel({ ...k, kernelFunc: (args: Parameters<tf.KernelFunc>[0]) => {
    const t0 = clock();
    const w0 = performance.now();
    const r = old(args);
    const dt = clock() - t0;
    const dw = performance.now() - w0;
    const ins = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const byShape = process.env.BY_SHAPE !== undefined && (k.kernelName.startsWith('Conv') || k.kernelName === 'FusedConv2D');
    const shape = byShape ? ` ${JSON.stringify((ins.x ?? ins.dy)?.shape)} f${JSON.stringify(ins.filter?.shape ?? (args.attrs as { filterShape?: number[] }).filterShape)}` : '';
    const key = `${phase}:${k.kernelName}${shape}`;
    const e = times.get(key) ?? { ms: 0, wall: 0, count: 0 };
    e.ms += dt; e.wall += dw; e.count++;
    times.set(key, e);
    return r;
  } });
}
const trainStep = async () => {
  const value = tf.tidy(() => {
    phase = 'grad';
    const { value: v, grads } = tf.variableGrads(() => loss(model.forward(images, true).logits, labels), model.trainableVariables);
    phase = 'adam';
    adam.apply(model.trainableVariables.map((x) => grads[x.name] as tf.Tensor), 1e-4);
    phase = 'dispose';
    return v;
  });
  await value.data();
  value.dispose();
};
await trainStep(); await trainStep();
times.clear();
const steps = 4;
const t0 = performance.now();
const c0 = clock();
for (let i = 0; i < steps; i++) await trainStep();
const total = (performance.now() - t0) / steps;
const totalCpu = (clock() - c0) / steps;
/** Prints each kernel's CPU and wall ms per step (wall < CPU: its threads overlapped); returns the CPU total. */
const printTimes = (): number => {
  const rows = [...times].map(([k, v]) => [k, v.ms / steps, v.wall / steps, v.count / steps] as const).sort((a, b) => b[1] - a[1]);
  let sum = 0;
  for (const [k, ms, wall, c] of rows) {
    sum += ms;
    if (ms > 0.3 && !process.env.QUIET) console.log(`${k.padEnd(70)} ${ms.toFixed(1).padStart(7)} ms CPU ${wall.toFixed(1).padStart(7)} ms wall  x${c}`);
  }
  return sum;
};
const sum = printTimes();
console.log(`train: kernels ${sum.toFixed(1)} ms CPU; step ${totalCpu.toFixed(1)} ms CPU = ${((n * 1000) / totalCpu).toFixed(1)} images per CPU-second (wall ${total.toFixed(1)} ms = ${((n * 1000) / total).toFixed(1)} images/s)`);
// forward
phase = 'fwd'; times.clear();
const f0 = performance.now();
const fc0 = clock();
for (let i = 0; i < steps; i++) { const o = model.forward(images, false); await o.probs.data(); tf.dispose([o.logits, o.probs, o.features]); }
const ft = (performance.now() - f0) / steps;
const ftCpu = (clock() - fc0) / steps;
printTimes();
console.log(`forward: ${ftCpu.toFixed(1)} ms CPU = ${((n * 1000) / ftCpu).toFixed(1)} images per CPU-second (wall ${ft.toFixed(1)} ms = ${((n * 1000) / ft).toFixed(1)} images/s)`);
