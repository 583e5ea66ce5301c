import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { conv2dBackpropFilterAsConv } from '../src/kernels/conv2d-backprop-filter.js';
await initBackend('wasm');
async function time(f: () => tf.Tensor) { let best = 1e9; for (let i = 0; i < 3; i++) { const t = performance.now(); const r = f(); await r.data(); r.dispose(); best = Math.min(best, performance.now() - t); } return best; }
function offsets(x: tf.Tensor4D, dy: tf.Tensor4D, k: number, s: number, stacked: boolean) {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(x.shape, [k,k,x.shape[3],dy.shape[3]], s, 1, 'same');
    const { top, bottom, left, right } = info.padInfo;
    const [n] = x.shape; const ci = x.shape[3], co = dy.shape[3]; const ho = info.outHeight, wo = info.outWidth;
    let hp = x.shape[1] + top + bottom, wp = x.shape[2] + left + right;
    const eh = (s - hp % s) % s, ew = (s - wp % s) % s;
    const xp = tf.pad(x, [[0,0],[top,bottom+eh],[left,right+ew],[0,0]]); hp += eh; wp += ew;
    const ph = tf.transpose(tf.reshape(xp, [n, hp/s, s, wp/s, s, ci]), [2,4,5,0,1,3]); // [s,s,ci,n,hp/s,wp/s]
    const dy2 = tf.reshape(dy, [n*ho*wo, co]);
    const parts: tf.Tensor[] = [];
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
      const w = tf.slice(ph, [i % s, j % s, 0, 0, Math.floor(i/s), Math.floor(j/s)], [1,1,ci,n,ho,wo]);
      parts.push(stacked ? tf.reshape(w, [ci, n*ho*wo]) : tf.matMul(tf.reshape(w, [ci, n*ho*wo]), dy2));
    }
    if (stacked) return tf.reshape(tf.matMul(tf.concat(parts, 0), dy2), [k,k,ci,co]);
    return tf.reshape(tf.stack(parts), [k,k,ci,co]);
  });
}
const shapes: [number, number, number, number, number, number][] = [[16,224,1,16,2,3],[16,112,16,32,2,3],[16,56,32,32,1,3],[16,56,32,64,2,3],[16,28,64,64,1,3],[16,28,64,128,1,3],[16,28,128,128,1,3]];
for (const [n,h,ci,co,s,k] of shapes) {
  const x = tf.randomNormal([n,h,h,ci]) as tf.Tensor4D; const w = tf.randomNormal([k,k,ci,co]) as tf.Tensor4D;
  const y = tf.conv2d(x, w, s, 'same'); const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
  const ref = conv2dBackpropFilterAsConv(x, dy, [k,k,ci,co], s, 'same');
  const e1 = tf.max(tf.abs(tf.sub(ref, offsets(x,dy,k,s,false)))).dataSync()[0]; const e2 = tf.max(tf.abs(tf.sub(ref, offsets(x,dy,k,s,true)))).dataSync()[0];
  console.log(JSON.stringify([n,h,ci,co,s]), 'fwd', (await time(() => tf.conv2d(x,w,s,'same'))).toFixed(0), 'A conv', (await time(() => conv2dBackpropFilterAsConv(x, dy, [k,k,ci,co], s, 'same'))).toFixed(0), 'B offsets', (await time(() => offsets(x,dy,k,s,false))).toFixed(0), 'C stacked', (await time(() => offsets(x,dy,k,s,true))).toFixed(0), 'err', e1.toExponential(1), e2.toExponential(1));
}
