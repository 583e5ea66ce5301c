/**
 * Backend selection: which TensorFlow.js backend runs the model.
 *
 * Public API (stable):
 * - `initBackend(name?: BackendName): Promise<string>` picks, starts and returns the backend name
 *   (`'tensorflow'`, `'wasm'` or `'cpu'`).
 * - `describeBackend(name: string): string`, e.g. "wasm + native convolutions (avx2-fma, 2 threads)".
 * - `BackendName`, `BACKEND_NAMES`.
 *
 * Order when no name is given:
 * 1. `@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node` (native libtensorflow). They are not dependencies of
 *    this package: their install downloads libtensorflow from outside the npm registry, which must not break
 *    `npm ci`. Install one yourself (`npm install @tensorflow/tfjs-node -w packages/trainer`) and it is used.
 * 2. `@tensorflow/tfjs-backend-wasm` (XNNPACK, SIMD). Its `.wasm` files are loaded from the package's `dist`
 *    folder. Threads are not available in Node (tfjs issue #3830: the threaded build starts its workers from blob
 *    URLs, which Node's `worker_threads` refuses), so wasm runs on one core. The gradient kernels it lacks are
 *    registered from `./kernels/` (see `registerWasmGradientKernels`).
 *    Where the native convolution kernels are built (`./native.ts`, compiled at install), they replace wasm's
 *    convolutions and their gradients: training about 3x and the forward pass about 2x faster on one core, and they
 *    use every core. Identity (which tfjs runs to keep every tensor saved for a gradient) shares the buffer
 *    instead of copying it (`registerSharedIdentity`).
 * 3. `'cpu'` (plain JavaScript; slow, but the reference the kernels are checked against).
 *
 * `describeBackend(name)` says in words what runs (printed by the CLI at start).
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { BackendError } from './errors.js';
import { registerSharedIdentity, registerWasmGradientKernels } from './kernels/index.js';
import { nativeKernelInfo, registerNativeConvKernels } from './native.js';

/** Backends `initBackend` can start. `'tensorflow'` means tfjs-node-gpu or tfjs-node. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** Every accepted value of `BackendName`, in the order tried by default. */
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/** Imports the first installed native binding; returns its name, or undefined when none is installed. */
async function tryNative(): Promise<{ found?: string; errors: string[] }> {
  const errors: string[] = [];
  for (const pkg of NATIVE_PACKAGES) {
    try {
      const specifier: string = pkg; // a variable, so that TypeScript does not require the package to exist
      await import(specifier);
      if (tf.findBackend('tensorflow') !== null && (await tf.setBackend('tensorflow'))) return { found: pkg, errors };
      errors.push(`${pkg}: imported, but the 'tensorflow' backend did not start (two copies of @tensorflow/tfjs-core?)`);
    } catch (cause) {
      errors.push(`${pkg}: ${(cause as Error).message.split('\n')[0]}`);
    }
  }
  return { errors };
}

/** The folder holding `tfjs-backend-wasm*.wasm`, with a trailing slash. */
export function wasmDistFolder(): string {
  const require = createRequire(import.meta.url);
  return `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`;
}

async function startWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(wasmDistFolder());
  registerWasmGradientKernels();
  registerNativeConvKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
  await tf.ready();
  registerSharedIdentity('wasm'); // after the backend's own kernels are registered

}

/**
 * Starts a TensorFlow.js backend and returns its name. With no `name`, tries `tensorflow` (tfjs-node-gpu, then
 * tfjs-node, when installed), then `wasm`, then `cpu`. A named backend that cannot start throws `BackendError`.
 *
 * @example
 * ```ts
 * const backend = await initBackend();          // 'wasm' on a machine without tfjs-node
 * const reference = await initBackend('cpu');  // the plain JavaScript backend
 * ```
 */
export async function initBackend(name?: BackendName): Promise<string> {
  if (name !== undefined && !BACKEND_NAMES.includes(name)) {
    throw new BackendError(`unknown backend "${String(name)}": expected one of ${BACKEND_NAMES.join(', ')}`);
  }
  if (name === undefined || name === 'tensorflow') {
    const native = await tryNative();
    if (native.found !== undefined) return tf.getBackend();
    if (name === 'tensorflow') {
      throw new BackendError(
        `backend "tensorflow" requested, but no native binding could be loaded (${native.errors.join('; ')}); ` +
          'install @tensorflow/tfjs-node or use --backend wasm',
      );
    }
  }
  if (name === undefined || name === 'wasm') {
    try {
      await startWasm();
      return tf.getBackend();
    } catch (cause) {
      if (name === 'wasm') {
        throw new BackendError(`backend "wasm" could not start: ${(cause as Error).message}`, { cause });
      }
    }
  }
  if (!(await tf.setBackend('cpu'))) throw new BackendError('backend "cpu" could not start');
  await tf.ready();
  return tf.getBackend();
}

/**
 * The backend in words, with the convolution kernels wasm uses.
 *
 * @example
 * ```ts
 * describeBackend(await initBackend()); // 'wasm + native convolutions (avx2-fma, 2 threads)'
 * ```
 */
export function describeBackend(name: string): string {
  if (name !== 'wasm') return name;
  const native = nativeKernelInfo();
  return native.native ? `wasm + ${native.detail}` : `wasm (${native.detail}; convolutions run in wasm)`;
}
