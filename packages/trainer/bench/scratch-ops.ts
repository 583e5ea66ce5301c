import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
await initBackend('wasm');
async function time(f: () => tf.Tensor) { let best = 1e9; for (let i = 0; i < 6; i++) { const t = performance.now(); const r = f(); await r.data(); r.dispose(); best = Math.min(best, performance.now() - t); } return best; }
for (const [n,h,ci,co] of [[16,28,128,128],[16,28,64,128],[16,56,16,32]] as const) {
  const x = tf.randomNormal([n,h,h,ci]) as tf.Tensor4D; const w = tf.randomNormal([1,1,ci,co]) as tf.Tensor4D;
  const dy = tf.randomNormal([n,h,h,co]) as tf.Tensor4D;
  const rows = n*h*h;
  const fwd = await time(() => tf.conv2d(x, w, 1, 'same'));
  const mm = await time(() => tf.tidy(() => tf.matMul(tf.reshape(tf.transpose(x, [3,0,1,2]), [ci, rows]), tf.reshape(dy, [rows, co]))));
  const mmT = await time(() => tf.tidy(() => tf.matMul(tf.transpose(tf.reshape(dy, [rows, co])), tf.reshape(x, [rows, ci]))));
  const trick = await time(() => tf.tidy(() => tf.conv2d(tf.transpose(x, [3,1,2,0]) as tf.Tensor4D, tf.transpose(dy, [1,2,0,3]) as tf.Tensor4D, 1, 'valid')));
  const tr = await time(() => tf.transpose(x, [3,0,1,2]));
  console.log(JSON.stringify([n,h,ci,co]), `fwd ${fwd.toFixed(1)} mm ${mm.toFixed(1)} mm(dyT) ${mmT.toFixed(1)} trick ${trick.toFixed(1)} transpose ${tr.toFixed(1)}`);
}
