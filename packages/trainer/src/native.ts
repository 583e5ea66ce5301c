/**
 * Native convolution kernels for the wasm backend: Conv2D, FusedConv2D (bias, ReLU), Conv2DBackpropInput and
 * Conv2DBackpropFilter run in C (`native/cxr8_conv.c`: cache-blocked matrix products with an AVX-512 or AVX2+FMA
 * micro-kernel chosen at run time, on every core; direct convolutions where Ci <= 4) directly on the wasm backend's
 * memory, so nothing is copied. Everything else (the element-wise ops,
 * pooling, the loss, autodiff, the optimiser) stays in TensorFlow.js on wasm. XNNPACK in wasm is limited to 128-bit
 * SIMD without fused multiply-add; these kernels run at about twice its rate on one core, and use the others.
 *
 * The addon is compiled when the package installs (`scripts/build-native.mjs`, with the system's C compiler and
 * Node's headers). Where that fails, or with `CXR8_NATIVE=0`, the wasm kernels of `./kernels/` are used instead;
 * `nativeKernelInfo()` says which.
 *
 * Public API (stable): `loadNativeConv()`, `nativeKernelInfo()`, `registerNativeConvKernels(threads?)`,
 * `nativeConvThreads()`, `setNativeConvThreads(n)`, `nativeAdamStep(slots, hyper)`, `NativeConvAddon`, `NativeKernelName`,
 * `NATIVE_KERNEL_NAMES`, `AdamSlot`, `AdamHyper`.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { TrainerError } from './errors.js';

/** The micro-kernels of the addon: AVX-512 (16 x 16), AVX2 + FMA (6 x 16), portable C (6 x 16, 4 lanes). */
export type NativeKernelName = 'avx512' | 'avx2-fma' | 'generic';

/** Every micro-kernel name, fastest first. */
export const NATIVE_KERNEL_NAMES: readonly NativeKernelName[] = ['avx512', 'avx2-fma', 'generic'];

/** The compiled addon. */
export interface NativeConvAddon {
  /** Version of the calling convention (CXR8_NATIVE_ABI in native/cxr8_conv.c). */
  abi?: number;
  /**
   * op 0 = forward, 1 = input gradient, 2 = filter gradient, 3 = column sums, 4 = LSE pooling, 5 = ReLU gradient (with
   * `sums`: also its column sums, the bias gradient), 6 = sum (+ ReLU), 7 = per-image standardisation; params: see
   * native/cxr8_conv.c.
   */
  conv(op: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7, heap: ArrayBuffer, params: Float64Array, sums?: Float32Array): void;
  /** Adam's update of every variable in one pass each (params: count, beta1, beta2, epsilon, rate, threads, then size and 7 offsets per variable). */
  adam(heap: ArrayBuffer, params: Float64Array): void;
  /** 'avx512', 'avx2-fma' or 'generic': the micro-kernel in use (the best this CPU runs, chosen at load). */
  kernel(): string;
  /** Switches the micro-kernel (tests run each); false when this CPU lacks it. */
  setKernel(name: NativeKernelName): boolean;
  /** 3x3 stride-1 'same' convolutions through Winograd F(2x2, 3x3) (true, the default; CXR8_WINOGRAD=0 at load: false) or im2col; returns the previous setting. */
  setWinograd(on: boolean): boolean;
}

/** The calling convention this file speaks (CXR8_NATIVE_ABI in native/cxr8_conv.c). */
const NATIVE_ABI = 6;

/** Where the addon is built; `CXR8_NATIVE_ADDON=path` loads another build instead (the AddressSanitizer check). */
export const NATIVE_ADDON_PATH = process.env.CXR8_NATIVE_ADDON || fileURLToPath(new URL('../native/build/cxr8_conv.node', import.meta.url));

let addon: NativeConvAddon | null | undefined;
let loadError = '';

/**
 * The addon, or null when it is not built, cannot load, or `CXR8_NATIVE=0`. Loaded once.
 *
 * @example
 * ```ts
 * const native = loadNativeConv(); // null on a machine where the install could not compile it
 * ```
 */
export function loadNativeConv(): NativeConvAddon | null {
  if (addon !== undefined) return addon;
  if (process.env.CXR8_NATIVE === '0') {
    loadError = 'disabled by CXR8_NATIVE=0';
    addon = null;
    return addon;
  }
  try {
    const loaded = createRequire(import.meta.url)(NATIVE_ADDON_PATH) as NativeConvAddon;
    if (loaded.abi !== NATIVE_ABI) {
      loadError = `${NATIVE_ADDON_PATH} was built from another version of native/cxr8_conv.c (calling convention ${String(loaded.abi ?? 1)}, expected ${NATIVE_ABI}); run npm run build:native -w packages/trainer`;
      addon = null;
      return addon;
    }
    addon = loaded;
  } catch (cause) {
    loadError = `${NATIVE_ADDON_PATH}: ${(cause as Error).message.split('\n')[0]} (run npm run build:native -w packages/trainer)`;
    addon = null;
  }
  return addon;
}

/** Which convolution kernels are in use, in words (printed at start). */
export function nativeKernelInfo(): { native: boolean; detail: string } {
  const loaded = loadNativeConv();
  if (loaded === null) return { native: false, detail: `native kernels not loaded: ${loadError}` };
  return { native: true, detail: `native convolutions (${loaded.kernel()}, ${threads} thread${threads > 1 ? 's' : ''})` };
}

let threads = Math.max(1, availableParallelism());

/** Threads each native convolution uses (default: the number of cores). */
export function nativeConvThreads(): number {
  return threads;
}

/** Sets the threads of every later native convolution (1 in gradient workers, which already use one core each). */
export function setNativeConvThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new TrainerError(`native threads: expected a positive integer, found ${n}`);
  threads = n;
}

// The wasm backend's internals the kernels use (public members of BackendWasm in tfjs-backend-wasm 4.x).
interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  getMemoryOffset(dataId: unknown): number;
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  incRef(dataId: unknown): void;
}

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

const P = {
  n: 0, h: 1, w: 2, ci: 3, kh: 4, kw: 5, co: 6, ho: 7, wo: 8, sh: 9, sw: 10, pt: 11, pl: 12, relu: 13,
  x: 14, filter: 15, bias: 16, dy: 17, out: 18, threads: 19, r: 20,
} as const;
const PARAM_COUNT = 21;

/**
 * Name of the native LSE pooling kernel (registered on wasm with the convolutions): input x [N, positions, D], attr
 * r; outputs [pooled [N, D], weights [N, positions, D]] where weights = softmax over the positions of r x, the
 * gradient of the pooled value. `lsePool` uses it where it is registered.
 */
export const NATIVE_LSE_KERNEL = 'Cxr8LsePool';

/**
 * Name of the native ReLU gradient kernel (registered on wasm): inputs dy and y (the ReLU's output, same shape);
 * output dy where y > 0, else 0, in one pass on every core (tfjs: step(y), then a multiply); dy itself (no pass) where
 * dy is a `NATIVE_CONV_INPUT_GRADIENT_RELU_KERNEL` output already masked by this y. `convBiasActivation`'s gradient
 * uses it where it is registered.
 */
export const NATIVE_RELU_GRADIENT_KERNEL = 'Cxr8ReluGrad';

/**
 * Name of the native input standardisation kernel (registered on wasm): input x [N, ...] float32, attr epsilon; output
 * each image (x[n]) minus its mean, divided by its standard deviation (population) + epsilon, in one threaded call
 * (tfjs: Mean, Sub, Square, Mean, Sqrt, Add, RealDiv). `normalizeImages` uses it where it is registered.
 */
export const NATIVE_STANDARDIZE_KERNEL = 'Cxr8StandardizeImages';

/**
 * Name of the native input gradient fused with a ReLU gradient (registered on wasm): inputs dy, filter and y (the
 * convolution's input, the output of a ReLU), attrs those of Conv2DBackpropInput; output the input gradient where y > 0,
 * else 0, and its column sums (the bias gradient of the convolution that made y) in the same pass over each image. The
 * ReLU gradient of y then returns it as it is. `convBiasActivation(..., inputIsRelu = true)`'s gradient uses it.
 */
export const NATIVE_CONV_INPUT_GRADIENT_RELU_KERNEL = 'Cxr8Conv2DBackpropInputRelu';

/** Name of the native relu(a + b) kernel (registered on wasm; inputs a, b of one shape): a residual block's output. */
export const NATIVE_ADD_RELU_KERNEL = 'Cxr8AddRelu';

/**
 * Name of the native Adam kernel (registered on wasm): inputs x0, m0, v0, g0, x1, ... (a variable, its two moments and
 * its gradient, float32, one shape each), attrs beta1, beta2, epsilon, rate; outputs [x0', m0', v0', x1', ...], every
 * variable's update in one call (tfjs: 12 kernels per variable). `nativeAdamStep` runs it.
 */
export const NATIVE_ADAM_KERNEL = 'Cxr8Adam';

/** Widest last axis whose column sums (bias gradient) the native ReLU gradient computes as it goes. */
const FUSED_BIAS_MAX_COLUMNS = 4096;

/**
 * The column sums of each native ReLU gradient's output (over every axis but the last: the bias gradient of the
 * convolution it feeds), computed in the same pass, keyed by the output's dataId: a later Sum of that tensor over those
 * axes returns them instead of reading it again. Tensors are immutable, so the sums stay true while the dataId lives.
 */
const reluGradientSums = new WeakMap<object, Float32Array>();

/** Same-shape float32 adds at least this large run natively (threaded); smaller ones and broadcasts stay on wasm. */
const NATIVE_ADD_MIN_SIZE = 65536;

/** The shape parameters of a convolution of `inputShape` by `filterShape`, or null when the native path cannot run it. */
function convParams(
  inputShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  pad: Pad,
  dilations: number | [number, number] | undefined,
  rounding: 'floor' | 'round' | 'ceil' | undefined,
  dataFormat: string | undefined,
): { params: Float64Array; outShape: number[] } | null {
  if (dataFormat === 'NCHW') return null;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations ?? 1,
    pad,
    rounding,
    false,
    'channelsLast',
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || info.inChannels !== filterShape[2]) return null;
  const params = new Float64Array(PARAM_COUNT);
  params[P.n] = info.batchSize;
  params[P.h] = info.inHeight;
  params[P.w] = info.inWidth;
  params[P.ci] = info.inChannels;
  params[P.kh] = info.filterHeight;
  params[P.kw] = info.filterWidth;
  params[P.co] = info.outChannels;
  params[P.ho] = info.outHeight;
  params[P.wo] = info.outWidth;
  params[P.sh] = info.strideHeight;
  params[P.sw] = info.strideWidth;
  params[P.pt] = info.padInfo.top;
  params[P.pl] = info.padInfo.left;
  params[P.bias] = -1;
  params[P.x] = -1;
  params[P.filter] = -1;
  params[P.dy] = -1;
  return { params, outShape: info.outShape };
}

function offset(backend: WasmBackend, info: TensorInfo | undefined): number {
  if (info === undefined) throw new TrainerError('native convolution: a kernel input is missing');
  return heapOffset(backend, info);
}

/** A tensor's byte offset in the wasm heap, as an unsigned number (a wasm32 pointer past 2 GB may read as negative). */
function heapOffset(backend: WasmBackend, info: TensorInfo): number {
  return backend.getMemoryOffset(info.dataId) >>> 0;
}

function run(native: NativeConvAddon, backend: WasmBackend, op: NativeCall['op'], params: Float64Array, outShape: number[]): TensorInfo {
  const out = backend.makeOutput(outShape, 'float32');
  params[P.out] = heapOffset(backend, out);
  params[P.threads] = threads;
  // The heap's buffer is read after the output is allocated: allocation may grow (and replace) the wasm memory.
  native.conv(op, backend.wasm.HEAPU8.buffer as ArrayBuffer, params);
  return out;
}

const registeredOn = new Set<string>();

/** The native call of Conv2DBackpropInput (dy, filter, attrs), or null where it does not cover the configuration. */
function inputGradientPlan(dy: TensorInfo | undefined, filter: TensorInfo | undefined, attrs: NamedAttrMap): NativeCall | null {
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  if (dy === undefined || filter === undefined || !allFloat(dy, filter)) return null;
  const shape = convParams(a.inputShape, filter.shape, a.strides, a.pad as Pad, 1, a.dimRoundingMode, a.dataFormat);
  if (shape === null || shape.outShape.some((d, i) => d !== dy.shape[i])) return null;
  return { op: 1, params: shape.params, outShape: [...a.inputShape], tensors: { dy, filter } };
}

/**
 * Outputs of `NATIVE_CONV_INPUT_GRADIENT_RELU_KERNEL` (keyed by dataId): the dataId of the ReLU output they are already
 * masked by, so that the ReLU gradient of that output (dy, y) returns dy itself instead of masking it again.
 */
const maskedBy = new WeakMap<object, object>();

/**
 * What a kernel asks of the addon: the op, its parameters (offsets filled in from `tensors`) and the output shape; or,
 * with `values`, no call: the output is those values (a bias gradient the ReLU gradient already summed).
 */
interface NativeCall {
  op: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;
  params: Float64Array;
  outShape: number[];
  tensors: Partial<Record<'x' | 'filter' | 'bias' | 'dy', TensorInfo>>;
  values?: Float32Array;
}

/** A new wasm tensor of `shape` holding `values`. */
function outputOf(backend: WasmBackend, shape: number[], values: Float32Array): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  new Float32Array(backend.wasm.HEAPU8.buffer, heapOffset(backend, out), values.length).set(values);
  return out;
}

function allFloat(...infos: (TensorInfo | undefined)[]): boolean {
  return infos.every((t) => t === undefined || t.dtype === 'float32');
}

/**
 * Registers the native kernels on the wasm backend in place of its Conv2D, FusedConv2D, Conv2DBackpropInput and
 * Conv2DBackpropFilter (configurations they do not cover, e.g. dilations, NCHW or activations other than ReLU, go to
 * the kernels they replace), and of Sum over every axis but the last (a bias gradient: wasm transposes the whole tensor
 * first; a Sum of a native ReLU gradient's output returns the sums that kernel made in its pass), and of same-shape
 * float32 Add of 64 Ki values or more; adds `NATIVE_LSE_KERNEL` (LSE pooling with its softmax weights),
 * `NATIVE_RELU_GRADIENT_KERNEL`, `NATIVE_CONV_INPUT_GRADIENT_RELU_KERNEL`, `NATIVE_ADD_RELU_KERNEL`,
 * `NATIVE_STANDARDIZE_KERNEL` and `NATIVE_ADAM_KERNEL`. Returns false, registering nothing, when the addon is not loaded; a second call does nothing. Call after the wasm
 * gradient kernels are registered, before or after tf.setBackend('wasm').
 *
 * @example
 * ```ts
 * registerWasmGradientKernels();
 * registerNativeConvKernels(); // true where the addon is built
 * ```
 */
export function registerNativeConvKernels(backendName = 'wasm'): boolean {
  const native = loadNativeConv();
  if (native === null) return false;
  if (registeredOn.has(backendName)) return true;
  registeredOn.add(backendName);
  // Each kernel: a plan for the native call, or null for configurations it does not cover (those go to the kernel it
  // replaces, whose setupFunc, where wasm binds its C function, is kept).
  const replace = (kernelName: string, plan: (inputs: NamedTensorInfoMap, attrs: NamedAttrMap) => NativeCall | null) => {
    const old = tf.getKernel(kernelName, backendName);
    if (old !== undefined) tf.unregisterKernel(kernelName, backendName);
    const kernelFunc: KernelFunc = (args) => {
      const call = plan(args.inputs, args.attrs ?? {});
      if (call === null) {
        if (old === undefined) throw new TrainerError(`${kernelName}: this configuration is not supported natively and wasm has no kernel for it`);
        return old.kernelFunc(args);
      }
      const b = args.backend as unknown as WasmBackend;
      if (call.values !== undefined) return outputOf(b, call.outShape, call.values);
      for (const [slot, info] of Object.entries(call.tensors) as [keyof typeof call.tensors, TensorInfo][]) call.params[P[slot]] = offset(b, info);
      return run(native, b, call.op, call.params, call.outShape);
    };
    tf.registerKernel({ kernelName, backendName, kernelFunc, setupFunc: old?.setupFunc, disposeFunc: old?.disposeFunc });
  };

  replace(tf.Conv2D, ({ x, filter }, attrs) => {
    const a = attrs as unknown as tf.Conv2DAttrs;
    if (x === undefined || filter === undefined || !allFloat(x, filter)) return null;
    const shape = convParams(x.shape, filter.shape, a.strides, a.pad as Pad, a.dilations, a.dimRoundingMode, a.dataFormat);
    return shape && { op: 0, params: shape.params, outShape: shape.outShape, tensors: { x, filter } };
  });

  replace(tf.FusedConv2D, ({ x, filter, bias, preluActivationWeights }, attrs) => {
    const a = attrs as unknown as tf.FusedConv2DAttrs;
    if (x === undefined || filter === undefined || preluActivationWeights !== undefined || !allFloat(x, filter, bias)) return null;
    if (a.activation !== 'linear' && a.activation !== 'relu') return null;
    if (bias !== undefined && (bias.shape.length !== 1 || bias.shape[0] !== filter.shape[3])) return null;
    const shape = convParams(x.shape, filter.shape, a.strides, a.pad as Pad, a.dilations, a.dimRoundingMode, a.dataFormat);
    if (shape === null) return null;
    shape.params[P.relu] = a.activation === 'relu' ? 1 : 0;
    return { op: 0, params: shape.params, outShape: shape.outShape, tensors: bias === undefined ? { x, filter } : { x, filter, bias } };
  });

  replace(tf.Conv2DBackpropInput, ({ dy, filter }, attrs) => inputGradientPlan(dy, filter, attrs));

  replace(tf.Conv2DBackpropFilter, ({ x, dy }, attrs) => {
    const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (x === undefined || dy === undefined || !allFloat(x, dy)) return null;
    const shape = convParams(x.shape, a.filterShape, a.strides, a.pad as Pad, 1, a.dimRoundingMode, a.dataFormat);
    if (shape === null || shape.outShape.some((d, i) => d !== dy.shape[i])) return null;
    return { op: 2, params: shape.params, outShape: [...a.filterShape], tensors: { x, dy } };
  });

  replace(tf.Sum, ({ x }, attrs) => {
    const a = attrs as unknown as tf.SumAttrs;
    if (x === undefined || x.dtype !== 'float32' || x.shape.length < 2) return null;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(a.axis, x.shape).sort((p, q) => p - q);
    const cols = x.shape[rank - 1] as number;
    if (axes.length !== rank - 1 || axes.some((axis, i) => axis !== i) || cols < 1) return null;
    const params = new Float64Array(PARAM_COUNT).fill(-1);
    params[P.n] = x.shape.slice(0, -1).reduce((p, q) => p * q, 1);
    params[P.co] = cols;
    const outShape = a.keepDims ? [...x.shape.slice(0, -1).map(() => 1), cols] : [cols];
    const values = reluGradientSums.get(x.dataId as object);
    return { op: 3, params, outShape, tensors: { x }, values: values?.length === cols ? values : undefined };
  });

  // Same-shape float32 adds (residual sums, gradient accumulation), threaded; everything else to wasm's Add.
  const sameShapeSum = (a: TensorInfo | undefined, b: TensorInfo | undefined, relu: boolean): NativeCall | null => {
    if (a === undefined || b === undefined || a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.join() !== b.shape.join()) return null;
    const count = a.shape.reduce((p, q) => p * q, 1);
    if (!relu && count < NATIVE_ADD_MIN_SIZE) return null;
    const params = new Float64Array(PARAM_COUNT).fill(-1);
    params[P.n] = count;
    params[P.relu] = relu ? 1 : 0;
    return { op: 6, params, outShape: [...a.shape], tensors: { dy: a, x: b } };
  };
  replace(tf.Add, ({ a, b }) => sameShapeSum(a, b, false));
  replace(NATIVE_ADD_RELU_KERNEL, ({ a, b }) => {
    const call = sameShapeSum(a, b, true);
    if (call === null) throw new TrainerError(`${NATIVE_ADD_RELU_KERNEL}: expected float32 a and b of one shape, found ${a?.dtype} [${a?.shape.join(', ')}] and ${b?.dtype} [${b?.shape.join(', ')}]`);
    return call;
  });

  replace(NATIVE_STANDARDIZE_KERNEL, ({ x }, attrs) => {
    const epsilon = (attrs as { epsilon?: number }).epsilon ?? 0;
    if (x === undefined || x.dtype !== 'float32' || x.shape.length < 2 || !(epsilon >= 0)) {
      throw new TrainerError(`${NATIVE_STANDARDIZE_KERNEL}: expected a float32 [N, ...] tensor and epsilon >= 0, found ${x?.dtype} [${x?.shape.join(', ')}], epsilon ${epsilon}`);
    }
    const params = new Float64Array(PARAM_COUNT).fill(-1);
    params[P.n] = x.shape[0] as number;
    params[P.h] = x.shape.slice(1).reduce((p, q) => p * q, 1);
    params[P.r] = epsilon;
    return { op: 7, params, outShape: [...x.shape], tensors: { x } };
  });

  // LSE pooling: max, exponentials, sums, the pooled value and the softmax weights in three passes, on every core.
  const lseKernel: KernelFunc = (args) => {
    const x = args.inputs.x as TensorInfo;
    const r = (args.attrs as { r: number }).r;
    const [n, positions, depth] = x.shape as [number, number, number];
    if (x.shape.length !== 3 || x.dtype !== 'float32' || !(r > 0)) {
      throw new TrainerError(`${NATIVE_LSE_KERNEL}: expected a float32 [N, positions, D] tensor and r > 0, found ${x.dtype} [${x.shape.join(', ')}], r = ${r}`);
    }
    const b = args.backend as unknown as WasmBackend;
    const pooled = b.makeOutput([n, depth], 'float32');
    const weights = b.makeOutput([n, positions, depth], 'float32');
    const params = new Float64Array(PARAM_COUNT).fill(-1);
    params[P.n] = n;
    params[P.h] = positions;
    params[P.co] = depth;
    params[P.r] = r;
    params[P.x] = heapOffset(b, x);
    params[P.out] = heapOffset(b, pooled);
    params[P.dy] = heapOffset(b, weights);
    params[P.threads] = threads;
    native.conv(4, b.wasm.HEAPU8.buffer as ArrayBuffer, params);
    return [pooled, weights];
  };
  tf.registerKernel({ kernelName: NATIVE_LSE_KERNEL, backendName, kernelFunc: lseKernel });

  const inputGradientRelu: KernelFunc = (args) => {
    const { dy, filter, y } = args.inputs;
    const call = inputGradientPlan(dy, filter, args.attrs ?? {});
    if (call === null || y === undefined || y.dtype !== 'float32' || y.shape.join() !== call.outShape.join()) {
      throw new TrainerError(`${NATIVE_CONV_INPUT_GRADIENT_RELU_KERNEL}: expected float32 dy, filter and y (the input's shape, NHWC, no dilation), found y ${y?.dtype} [${y?.shape.join(', ')}]`);
    }
    const b = args.backend as unknown as WasmBackend;
    for (const [slot, info] of Object.entries(call.tensors) as [keyof typeof call.tensors, TensorInfo][]) call.params[P[slot]] = offset(b, info);
    call.params[P.x] = heapOffset(b, y);
    const out = b.makeOutput(call.outShape, 'float32');
    call.params[P.out] = heapOffset(b, out);
    call.params[P.threads] = threads;
    const sums = new Float32Array(call.outShape.at(-1) as number);
    native.conv(1, b.wasm.HEAPU8.buffer as ArrayBuffer, call.params, sums);
    reluGradientSums.set(out.dataId as object, sums);
    maskedBy.set(out.dataId as object, y.dataId as object);
    return out;
  };
  tf.registerKernel({ kernelName: NATIVE_CONV_INPUT_GRADIENT_RELU_KERNEL, backendName, kernelFunc: inputGradientRelu });

  const reluGradient: KernelFunc = (args) => {
    const dy = args.inputs.dy as TensorInfo;
    const y = args.inputs.y as TensorInfo;
    if (dy.dtype !== 'float32' || y.dtype !== 'float32' || dy.shape.join() !== y.shape.join()) {
      throw new TrainerError(`${NATIVE_RELU_GRADIENT_KERNEL}: expected float32 dy and y of one shape, found ${dy.dtype} [${dy.shape.join(', ')}] and ${y.dtype} [${y.shape.join(', ')}]`);
    }
    const b = args.backend as unknown as WasmBackend;
    if (maskedBy.get(dy.dataId as object) === y.dataId) {
      // already masked by y (and summed) as the input gradient was written: the same data, one more reference
      b.incRef(dy.dataId);
      return { dataId: dy.dataId, shape: [...dy.shape], dtype: dy.dtype };
    }
    const out = b.makeOutput([...dy.shape], 'float32');
    const params = new Float64Array(PARAM_COUNT).fill(-1);
    params[P.n] = dy.shape.reduce((p, q) => p * q, 1);
    params[P.dy] = heapOffset(b, dy);
    params[P.x] = heapOffset(b, y);
    params[P.out] = heapOffset(b, out);
    params[P.threads] = threads;
    const cols = dy.shape.at(-1) ?? 0;
    if (dy.shape.length < 2 || cols < 1 || cols > FUSED_BIAS_MAX_COLUMNS) {
      native.conv(5, b.wasm.HEAPU8.buffer as ArrayBuffer, params);
      return out;
    }
    // The bias gradient of the convolution this feeds, in the same pass (Sum returns it, see reluGradientSums).
    const sums = new Float32Array(cols);
    params[P.co] = cols;
    native.conv(5, b.wasm.HEAPU8.buffer as ArrayBuffer, params, sums);
    reluGradientSums.set(out.dataId as object, sums);
    return out;
  };
  tf.registerKernel({ kernelName: NATIVE_RELU_GRADIENT_KERNEL, backendName, kernelFunc: reluGradient });

  tf.registerKernel({ kernelName: NATIVE_ADAM_KERNEL, backendName, kernelFunc: (args) => adamKernel(native, args) });
  return true;
}

/** Values per variable in the addon's Adam parameters (size, x, m, v, g, x', m', v'), after a header of 6. */
const ADAM_PER_VARIABLE = 8;
const ADAM_HEADER = 6;

/** The Cxr8Adam kernel: allocates every output, then one native call updates every variable. */
function adamKernel(native: NativeConvAddon, args: Parameters<KernelFunc>[0]): TensorInfo[] {
  const a = args.attrs as unknown as AdamHyper;
  const b = args.backend as unknown as WasmBackend;
  const count = Object.keys(args.inputs).length / 4;
  const slots = Array.from({ length: count }, (_, i) => ['x', 'm', 'v', 'g'].map((k) => args.inputs[`${k}${i}`]));
  slots.forEach((slot, i) => {
    const [x] = slot;
    if (x === undefined || slot.some((t) => t === undefined || t.dtype !== 'float32' || t.shape.join() !== x.shape.join())) {
      throw new TrainerError(`${NATIVE_ADAM_KERNEL}: variable ${i}: expected float32 x${i}, m${i}, v${i}, g${i} of one shape`);
    }
  });
  const outputs = slots.flatMap((slot) => [0, 1, 2].map(() => b.makeOutput([...(slot[0] as TensorInfo).shape], 'float32')));
  const params = new Float64Array(ADAM_HEADER + ADAM_PER_VARIABLE * count);
  params.set([count, a.beta1, a.beta2, a.epsilon, a.rate, threads]);
  slots.forEach((slot, i) => {
    const at = ADAM_HEADER + ADAM_PER_VARIABLE * i;
    params[at] = (slot[0] as TensorInfo).shape.reduce((p, q) => p * q, 1);
    slot.forEach((t, j) => (params[at + 1 + j] = heapOffset(b, t as TensorInfo)));
    for (let j = 0; j < 3; j++) params[at + 5 + j] = heapOffset(b, outputs[3 * i + j] as TensorInfo);
  });
  // The heap's buffer is read after every output is allocated (allocation may grow and replace the wasm memory).
  native.adam(b.wasm.HEAPU8.buffer as ArrayBuffer, params);
  return outputs;
}

/** Adam's hyper-parameters for one step: the moments' decays, epsilon, and the step's bias-corrected rate. */
export interface AdamHyper {
  beta1: number;
  beta2: number;
  epsilon: number;
  rate: number;
}

/** One variable's part of an Adam step: the variable, its moments (updated too) and its gradient. */
export interface AdamSlot {
  x: tf.Variable;
  m: tf.Variable;
  v: tf.Variable;
  g: tf.Tensor;
}

/**
 * One Adam step for every slot in one native call (m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 * x -= m / (sqrt(v) + eps) * rate, in float32), each variable assigned its new value. Returns false, changing nothing,
 * where `NATIVE_ADAM_KERNEL` is not registered on the current backend or a tensor is not float32 of its variable's
 * shape; the caller then runs its tfjs ops.
 *
 * @example
 * ```ts
 * if (!nativeAdamStep(slots, { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, rate })) updateWithTfjs();
 * ```
 */
export function nativeAdamStep(slots: readonly AdamSlot[], hyper: AdamHyper): boolean {
  if (slots.length === 0 || tf.getKernel(NATIVE_ADAM_KERNEL, tf.getBackend()) === undefined) return false;
  const fits = (s: AdamSlot) => [s.x, s.m, s.v, s.g].every((t) => t.dtype === 'float32' && tf.util.arraysEqual(t.shape, s.x.shape));
  if (!slots.every(fits)) return false;
  const inputs: Record<string, tf.Tensor> = {};
  slots.forEach((s, i) => Object.assign(inputs, { [`x${i}`]: s.x, [`m${i}`]: s.m, [`v${i}`]: s.v, [`g${i}`]: s.g }));
  tf.tidy(() => {
    const out = tf.engine().runKernel(NATIVE_ADAM_KERNEL, inputs, { ...hyper } as unknown as NamedAttrMap) as tf.Tensor[];
    slots.forEach((s, i) => {
      s.x.assign(out[3 * i] as tf.Tensor);
      s.m.assign(out[3 * i + 1] as tf.Tensor);
      s.v.assign(out[3 * i + 2] as tf.Tensor);
    });
  });
  return true;
}
