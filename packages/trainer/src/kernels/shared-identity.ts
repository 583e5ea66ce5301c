/**
 * Identity for the wasm backend without a copy. TensorFlow.js clones every tensor it saves for a gradient
 * (`engine.clone` runs the Identity kernel), and wasm's Identity copies the whole buffer: about 90 copies of
 * activations per training step of the default model (22 ms of 825 on one thread, measured with
 * bench/profile-step.ts). Tensors are immutable and the wasm backend counts references per buffer (its Reshape already
 * shares), so the clone can share the buffer, as the cpu backend's Identity does.
 *
 * Public API (stable): `registerSharedIdentity(backendName?)`.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';

interface RefCountingBackend {
  incRef(dataId: unknown): void;
}

const registeredOn = new Set<string>();

/**
 * Replaces the backend's Identity by one that shares the input's buffer (strings keep the backend's own kernel).
 * Idempotent; returns false when the backend has no Identity kernel to replace.
 *
 * @example
 * ```ts
 * registerSharedIdentity('wasm');
 * await tf.setBackend('wasm'); // tf.clone(x) no longer copies x
 * ```
 */
export function registerSharedIdentity(backendName = 'wasm'): boolean {
  if (registeredOn.has(backendName)) return true;
  const old = tf.getKernel(tf.Identity, backendName);
  if (old === undefined) return false;
  tf.unregisterKernel(tf.Identity, backendName);
  const kernelFunc: KernelFunc = (args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === 'string') return old.kernelFunc(args);
    (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
  tf.registerKernel({ kernelName: tf.Identity, backendName, kernelFunc, setupFunc: old.setupFunc, disposeFunc: old.disposeFunc });
  registeredOn.add(backendName);
  return true;
}
