/**
 * Gradient kernels the wasm backend of tfjs 4.22 lacks, registered so that the model trains on wasm.
 *
 * Public API (stable): `registerWasmGradientKernels(): string[]` (idempotent; returns the names it registered) and
 * `WASM_GRADIENT_KERNELS` (the kernel names this module provides).
 *
 * Found by training the model on wasm: Conv2DBackpropFilter (every convolution's weight gradient) is missing, and
 * wasm's Conv2DBackpropInput is a plain loop ten times slower than the forward convolution, so ours replaces it.
 * Depthwise convolutions' two gradients are added for MobileNet-style pretrained backbones. Everything else the
 * model's backward pass uses (MaxPoolGrad, AvgPoolGrad, ResizeBilinearGrad, Step for ReLU, the reductions and
 * element-wise ops) ships with tfjs-backend-wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './depthwise-backprop.js';

/** Names of the kernels `registerWasmGradientKernels` provides. */
export const WASM_GRADIENT_KERNELS: readonly string[] = [
  tf.Conv2DBackpropFilter,
  tf.Conv2DBackpropInput,
  tf.DepthwiseConv2dNativeBackpropFilter,
  tf.DepthwiseConv2dNativeBackpropInput,
];

/** Kernels wasm ships, but so slowly that ours replace them. */
const REPLACED = new Set<string>([tf.Conv2DBackpropInput]);
const registeredHere = new Set<string>();

/**
 * Registers, for the wasm backend, each kernel of `WASM_GRADIENT_KERNELS` that is not registered yet (a later tfjs
 * that ships its own keeps it), and replaces wasm's slow Conv2DBackpropInput. Safe to call more than once.
 *
 * @example
 * ```ts
 * registerWasmGradientKernels(); // ['Conv2DBackpropFilter', ...] the first time, [] afterwards
 * await tf.setBackend('wasm');
 * ```
 */
export function registerWasmGradientKernels(backendName = 'wasm'): string[] {
  const registered: string[] = [];
  for (const config of [
    conv2dBackpropFilterConfig(backendName),
    conv2dBackpropInputConfig(backendName),
    depthwiseBackpropFilterConfig(backendName),
    depthwiseBackpropInputConfig(backendName),
  ]) {
    const key = `${backendName}/${config.kernelName}`;
    if (registeredHere.has(key)) continue;
    const existing = tf.getKernel(config.kernelName, backendName);
    if (existing !== undefined && !REPLACED.has(config.kernelName)) continue;
    if (existing !== undefined) tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel(config);
    registeredHere.add(key);
    registered.push(config.kernelName);
  }
  return registered;
}

export { conv2dBackpropFilterAsConv, conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
export { conv2dBackpropInputAsConv, conv2dBackpropInputConfig, spreadOnGrid } from './conv2d-backprop-input.js';
export {
  depthwiseBackpropFilterByOffsets,
  depthwiseBackpropInputByOffsets,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
} from './depthwise-backprop.js';
export { registerSharedIdentity } from './shared-identity.js';
