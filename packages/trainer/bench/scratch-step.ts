import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { createModel, defaultModelConfig } from '../src/model.js';
import { weightedCrossEntropy } from '../src/loss.js';
const backend = await initBackend((process.env.B as 'wasm') ?? undefined);
const size = Number(process.env.S ?? 224), bs = Number(process.env.N ?? 16);
const model = createModel(defaultModelConfig(['a','b','c','d','e','f','g','h'], { imageSize: size }));
const x = tf.randomUniform([bs, size, size, 1]) as tf.Tensor4D;
const y = tf.cast(tf.greater(tf.randomUniform([bs, 8]), 0.7), 'float32') as tf.Tensor2D;
console.log(backend, model.featureSize);
for (let i = 0; i < 4; i++) {
  let t = Date.now();
  const o = model.forward(x); await o.probs.data(); tf.dispose([o.logits, o.probs, o.features]);
  const fwd = Date.now() - t; t = Date.now();
  const { value, grads } = tf.variableGrads(() => weightedCrossEntropy(model.forward(x, true).logits, y), model.trainableVariables);
  await value.data(); for (const g of Object.values(grads)) await g.data();
  tf.dispose([value, ...Object.values(grads)]);
  const step = Date.now() - t;
  console.log(`fwd ${fwd}ms ${(bs*1000/fwd).toFixed(1)} img/s  train ${step}ms ${(bs*1000/step).toFixed(1)} img/s  tensors ${tf.memory().numTensors}`);
}
if (process.env.PROF) {
  const prof = await tf.profile(() => { const { value, grads } = tf.variableGrads(() => weightedCrossEntropy(model.forward(x, true).logits, y), model.trainableVariables); return [value, ...Object.values(grads)]; });
  const by = new Map<string, number>();
  const nested = new Set(['Conv2D','Transpose','Slice','PadV2','Reverse','StridedSlice','Pack','Reshape','Identity','Concat']);
  let total = 0;
  for (const k of prof.kernels) { if (nested.has(k.name) || k.name.endsWith('__op')) continue; const key = k.name.startsWith('Conv2DBack') || k.name === 'FusedConv2D' ? k.name + JSON.stringify(k.inputShapes) : k.name; total += k.kernelTimeMs as number; by.set(key, (by.get(key) ?? 0) + (k.kernelTimeMs as number)); }
  console.log('total top-level', total);
  for (const [k, v] of [...by].sort((a,b)=>b[1]-a[1]).slice(0,30)) console.log(v.toFixed(0).padStart(6), k);
}
