/**
 * The paper's model (PAPER.md section 3): backbone -> transition convolution to an S x S x D map -> LSE pooling ->
 * prediction layer (D x C) -> per-class sigmoid. Written with tf ops on named variables (not the layers API), so that
 * the forward pass, the gradients and the saved weights are all explicit.
 *
 * Public API (stable):
 * - `createModel(config: ModelConfig): CxrModel` for built-in backbones (synchronous);
 *   `createModelAsync(config): Promise<CxrModel>` for any backbone, including a pretrained one given by path.
 * - `loadModel(dir): Promise<CxrModel>` reads `config.json` + `weights.json` + `weights.bin` written by `model.save(dir)`.
 * - `CxrModel.forward(images [N,H,W,1] in 0..1, training?)` -> `{ logits [N,C], probs [N,C], features [N,S,S,D] }`;
 *   `predictionWeights()` -> `{ kernel [D,C], bias [C] }` (for class activation maps: CAM_c = features . kernel[:, c]);
 *   `trainableVariables`, `featureSize` (S), `save(dir)`, `dispose()`.
 *   For frozen pretrained backbones: `backboneFeatures(images)` and `head(backboneFeatures, training)`, so the trainer
 *   can compute backbone features once and train only the head.
 * - `ModelConfig`, `BuiltinBackbone`, `BUILTIN_BACKBONES`, `PretrainedBackbone`, `DEFAULT_MODEL_CONFIG`,
 *   `defaultModelConfig(findings, overrides?)`, `fileSystemModelHandler(path)`, `saveLayersModelToDir(model, dir)`.
 *
 * Built-in backbones are ResNet-style networks trained from scratch, sized for a CPU. Normalisation-free: each
 * residual branch ends in a zero-initialised convolution (as in Fixup, Zhang et al. 2019), so every block starts as
 * its shortcut and deep stacks train without batch statistics, which keeps the step cheap on CPU and makes training
 * independent of the batch size. Convolutions run as one FusedConv2D kernel (convolution + bias + ReLU) with a custom
 * gradient (`convBiasActivation`).
 *
 * | backbone       | stem       | stages (width x blocks, stride)      | output stride (S = imageSize / it) |
 * |----------------|------------|--------------------------------------|------------------------------------|
 * | `resnet-tiny`  | 4x4/2, 16  | 32x1 /2, 64x1 /2 (or /1), 128x1 /1 (or /2) | 8 (4 or 16 with outputStride) |
 * | `resnet-small` | 4x4/2, 32  | 48x2 /2, 96x2 /2 (or /1), 192x2 /1 (or /2) | 8 (4 or 16 with outputStride) |
 *
 * `outputStride: 4` keeps the second stage at full resolution too: a map twice as fine (32 x 32 at 128 px) for
 * findings smaller than a stride-8 cell, at about 3.3x the convolution work.
 *
 * A block is conv (3x3, or 4x4 when strided) + ReLU, conv 3x3, plus a shortcut (identity, or a 1x1 / 2x2-strided
 * convolution when the shape changes), then ReLU. Strided convolutions have even kernels so that the transition map's
 * cells are centred: cell (i, j) of an S x S map covers the image around ((j + 0.5), (i + 0.5)) * imageSize / S, which
 * is what class activation maps up-sampled with half-pixel centres assume (no offset to correct).
 */
import * as tf from '@tensorflow/tfjs';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { makeDirectory, writeAtomic } from '@cxr8/labeler';
import { dirname, join } from 'node:path';
import { ModelError } from './errors.js';
import { DEFAULT_LSE_R, lsePool } from './lse-pooling.js';
import { NATIVE_ADD_RELU_KERNEL, NATIVE_CONV_INPUT_GRADIENT_RELU_KERNEL, NATIVE_RELU_GRADIENT_KERNEL, NATIVE_STANDARDIZE_KERNEL } from './native.js';

/** The built-in, from-scratch backbones. */
export type BuiltinBackbone = 'resnet-tiny' | 'resnet-small';

/** Every built-in backbone name. */
export const BUILTIN_BACKBONES: readonly BuiltinBackbone[] = ['resnet-tiny', 'resnet-small'];

/**
 * A pretrained TensorFlow.js layers or graph model used as the backbone: `path` is its `model.json` (or the folder
 * holding it). Its output must be a [N, h, w, c] feature map. Grayscale images are repeated to its input channels and
 * scaled from 0..1 to `inputRange` (default [0, 1]). `frozen`: its weights are not trained (and the trainer caches its
 * features); otherwise a layers model is fine-tuned (graph models cannot be: their weights are constants).
 */
export interface PretrainedBackbone {
  path: string;
  frozen: boolean;
  inputRange?: [number, number];
}

/** Everything that defines a model's shape. Saved as `config.json` next to the weights. */
export interface ModelConfig {
  backbone: BuiltinBackbone | PretrainedBackbone;
  /** Height and width of the input images. */
  imageSize: number;
  /** Finding names, one output per finding, in this order. */
  findings: string[];
  /** D, the depth of the transition layer's output. */
  transitionDepth: number;
  /** r of LSE pooling. */
  lseR: number;
  /**
   * Activation of the transition layer: `'relu'` (non-negative features, as in class activation maps) or `'linear'`.
   * Default `'relu'`.
   */
  transitionActivation?: 'relu' | 'linear';
  /**
   * Built-in backbones: 8 (default), 4 (a map twice as fine for small findings, about 3.3x slower) or 16 (faster).
   * Ignored for pretrained backbones.
   */
  outputStride?: OutputStride;
  /**
   * Input scaling of built-in backbones: `'image'` standardises each image by its own mean and standard deviation
   * (what new models use: films of any exposure or brightness start alike), `'fixed'` is `(x - 0.5) * 4` (saved
   * models without the field). Ignored for pretrained backbones, which scale to their own `inputRange`.
   */
  inputNorm?: InputNorm;
  /** Seed of the weight initialisation (default 1). */
  seed?: number;
}

/** Output strides of the built-in backbones (ModelConfig.outputStride). */
export type OutputStride = 4 | 8 | 16;

/** Every output stride a built-in backbone can have. */
export const OUTPUT_STRIDES: readonly OutputStride[] = [4, 8, 16];

/** Defaults of everything but the findings. */
export const DEFAULT_MODEL_CONFIG: Omit<ModelConfig, 'findings'> = {
  backbone: 'resnet-tiny',
  imageSize: 224,
  transitionDepth: 128,
  lseR: DEFAULT_LSE_R,
  transitionActivation: 'relu',
  outputStride: 8,
  inputNorm: 'image',
  seed: 1,
};

/**
 * A full config from the defaults, the findings and any overrides.
 *
 * @example
 * ```ts
 * const config = defaultModelConfig(['Atelectasis', 'Cardiomegaly'], { imageSize: 128 });
 * ```
 */
export function defaultModelConfig(findings: string[], overrides: Partial<ModelConfig> = {}): ModelConfig {
  return { ...DEFAULT_MODEL_CONFIG, ...overrides, findings: [...findings] };
}

/** What `forward` returns. All tensors belong to the caller (dispose them, or run inside tf.tidy). */
export interface ModelOutput {
  /** [N, C] prediction-layer outputs before the sigmoid. */
  logits: tf.Tensor2D;
  /** [N, C] per-class probabilities. */
  probs: tf.Tensor2D;
  /** [N, S, S, D] transition-layer activations (for class activation maps). */
  features: tf.Tensor4D;
}

/** The model. */
export interface CxrModel {
  readonly config: ModelConfig;
  /** S, the height and width of the transition map. */
  readonly featureSize: number;
  /** Whether the backbone is a frozen pretrained one (train the head on cached `backboneFeatures`). */
  readonly backboneFrozen: boolean;
  /** Variables the optimiser updates. */
  readonly trainableVariables: tf.Variable[];
  /** Every variable that is saved, by name. */
  readonly namedVariables: ReadonlyMap<string, tf.Variable>;
  forward(images: tf.Tensor4D, training?: boolean): ModelOutput;
  /** The backbone's output for images [N,H,W,1] in 0..1. */
  backboneFeatures(images: tf.Tensor4D, training?: boolean): tf.Tensor4D;
  /** Transition, pooling and prediction from backbone features. */
  head(backboneFeatures: tf.Tensor4D, training?: boolean): ModelOutput;
  /** The prediction layer: kernel [D, C], bias [C]. The variables themselves: do not dispose them. */
  predictionWeights(): { kernel: tf.Tensor2D; bias: tf.Tensor1D };
  /** Writes config.json, weights.json and weights.bin into `dir` (each file atomically). */
  save(dir: string): Promise<void>;
  /** Reads weights written by `save` (same config) into this model's variables. */
  loadWeights(dir: string): Promise<void>;
  dispose(): void;
}

interface Stage {
  width: number;
  blocks: number;
  stride: number;
}

interface BackboneSpec {
  stem: number;
  stages: Stage[];
}

function backboneSpec(name: BuiltinBackbone, outputStride: OutputStride): BackboneSpec {
  const middle = outputStride === 4 ? 1 : 2;
  const last = outputStride === 16 ? 2 : 1;
  if (name === 'resnet-tiny') {
    return { stem: 16, stages: [{ width: 32, blocks: 1, stride: 2 }, { width: 64, blocks: 1, stride: middle }, { width: 128, blocks: 1, stride: last }] };
  }
  if (name === 'resnet-small') {
    return { stem: 32, stages: [{ width: 48, blocks: 2, stride: 2 }, { width: 96, blocks: 2, stride: middle }, { width: 192, blocks: 2, stride: last }] };
  }
  throw new ModelError(`unknown backbone "${String(name)}": expected one of ${BUILTIN_BACKBONES.join(', ')} or { path, frozen }`);
}

/** Validates a config; throws ModelError naming the first bad field. */
export function validateModelConfig(config: ModelConfig): void {
  const bad = (field: string, expected: string, found: unknown) => {
    throw new ModelError(`invalid model config: expected ${field} to be ${expected}, found ${JSON.stringify(found)}`);
  };
  if (!Number.isInteger(config.imageSize) || config.imageSize < 16) bad('imageSize', 'an integer >= 16', config.imageSize);
  if (!Array.isArray(config.findings) || config.findings.length === 0) bad('findings', 'a non-empty array of names', config.findings);
  if (!Number.isInteger(config.transitionDepth) || config.transitionDepth < 1) bad('transitionDepth', 'a positive integer', config.transitionDepth);
  if (!(config.lseR > 0)) bad('lseR', 'a number > 0 (the paper uses 10)', config.lseR);
  if (config.transitionActivation !== undefined && config.transitionActivation !== 'relu' && config.transitionActivation !== 'linear') {
    bad('transitionActivation', "'relu' or 'linear'", config.transitionActivation);
  }
  if (config.outputStride !== undefined && !OUTPUT_STRIDES.includes(config.outputStride)) {
    bad('outputStride', OUTPUT_STRIDES.join(', ').replace(/, (\d+)$/, ' or $1'), config.outputStride);
  }
  if (config.inputNorm !== undefined && !INPUT_NORMS.includes(config.inputNorm)) bad('inputNorm', "'image' or 'fixed'", config.inputNorm);
  if (typeof config.backbone === 'string') {
    backboneSpec(config.backbone, 8);
    const stride = config.outputStride ?? 8;
    if (config.imageSize % stride !== 0) bad('imageSize', `a multiple of the output stride ${stride}`, config.imageSize);
  } else if (typeof config.backbone !== 'object' || config.backbone === null || typeof config.backbone.path !== 'string') {
    bad('backbone', `one of ${BUILTIN_BACKBONES.join(', ')} or { path: string, frozen: boolean }`, config.backbone);
  }
}

/** Deterministic He-normal initialiser: variable number `k` of a model with seed `seed`. */
function heNormal(shape: number[], fanIn: number, seed: number, k: number): tf.Tensor {
  return tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed * 1000 + k);
}

type Activation = 'relu' | 'linear';

/** Input scalings of the built-in backbones (ModelConfig.inputNorm). */
export const INPUT_NORMS = ['image', 'fixed'] as const;
export type InputNorm = (typeof INPUT_NORMS)[number];

/**
 * Scales a batch of 0..1 grey images [N, H, W, 1] for a built-in backbone. `'image'`: each image minus its mean,
 * divided by its standard deviation (+ 1e-5, so a flat image gives zeros); `'fixed'`: `(x - 0.5) * 4`.
 *
 * @example
 * ```ts
 * const x = normalizeImages(images, 'image'); // every image: mean 0, standard deviation 1
 * ```
 */
export function normalizeImages(images: tf.Tensor4D, norm: InputNorm): tf.Tensor4D {
  return tf.tidy(() => {
    if (norm === 'fixed') return tf.mul(tf.sub(images, 0.5), 4) as tf.Tensor4D;
    if (images.dtype === 'float32' && tf.getKernel(NATIVE_STANDARDIZE_KERNEL, tf.getBackend()) !== undefined) return standardizeNative(images);
    const { mean, variance } = tf.moments(images, [1, 2, 3], true);
    return tf.div(tf.sub(images, mean), tf.add(tf.sqrt(variance), STANDARDIZE_EPSILON)) as tf.Tensor4D;
  });
}

/** Added to each image's standard deviation by `normalizeImages('image')`. */
const STANDARDIZE_EPSILON = 1e-5;

/**
 * `normalizeImages(images, 'image')` in one native pass per image, with its gradient written out (the input gradient
 * is taken by the cell-offset measurement): with c = x - mean, sd the standard deviation, s = sd + epsilon and P the
 * values per image, dx = (dy - mean(dy)) / s - c * sum(dy c) / (P sd s^2) (0 for a flat image, where c = 0).
 */
function standardizeNative(images: tf.Tensor4D): tf.Tensor4D {
  const op = tf.customGrad(((x: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([x]);
    const value = tf.engine().runKernel(NATIVE_STANDARDIZE_KERNEL, { x }, { epsilon: STANDARDIZE_EPSILON }) as tf.Tensor4D;
    const gradFunc = (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
      const input = saved[0] as tf.Tensor4D;
      const axes = [1, 2, 3];
      const { mean, variance } = tf.moments(input, axes, true);
      const centred = tf.sub(input, mean);
      const sd = tf.sqrt(variance);
      const s = tf.add(sd, STANDARDIZE_EPSILON);
      const positions = input.shape[1] * input.shape[2] * input.shape[3];
      const first = tf.div(tf.sub(dy, tf.mean(dy, axes, true)), s);
      const projection = tf.divNoNan(tf.sum(tf.mul(dy, centred), axes, true), tf.mul(tf.mul(sd, tf.square(s)), positions));
      return tf.sub(first, tf.mul(centred, projection));
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(images) as tf.Tensor4D;
}

class Variables {
  readonly map = new Map<string, tf.Variable>();
  private count = 0;
  constructor(private readonly seed: number) {}

  conv(name: string, k: number, cin: number, cout: number, zero = false): void {
    const index = this.count++;
    tf.tidy(() => {
      const kernel = zero ? tf.zeros([k, k, cin, cout]) : heNormal([k, k, cin, cout], k * k * cin, this.seed, index);
      this.map.set(`${name}/kernel`, tf.variable(kernel, true));
      this.map.set(`${name}/bias`, tf.variable(tf.zeros([cout]), true));
    });
  }

  dense(name: string, cin: number, cout: number): void {
    const index = this.count++;
    tf.tidy(() => {
      const kernel = tf.randomNormal([cin, cout], 0, Math.sqrt(1 / cin), 'float32', this.seed * 1000 + index);
      this.map.set(`${name}/kernel`, tf.variable(kernel, true));
      this.map.set(`${name}/bias`, tf.variable(tf.zeros([cout]), true));
    });
  }

  get(name: string): tf.Variable {
    const v = this.map.get(name);
    if (v === undefined) throw new ModelError(`internal: no variable "${name}"`);
    return v;
  }
}

/**
 * The gradient of FusedConv2D (tfjs registers none: tf.fused.conv2d runs as three unfused ops whenever gradients are
 * recorded) for what `convBiasActivation` runs: NHWC, no dilation, linear or ReLU. A registered gradient's inputs are
 * computed on demand, so a convolution whose input needs no gradient (the stem's, on the images) skips its input
 * gradient, the most expensive of the three there (Ci = 1).
 */
const FUSED_CONV_GRADIENT: tf.GradConfig = {
  kernelName: tf.FusedConv2D,
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const a = attrs as unknown as tf.FusedConv2DAttrs;
    const dilations = typeof a.dilations === 'number' ? [a.dilations] : (a.dilations ?? [1]);
    if ((a.activation !== 'relu' && a.activation !== 'linear') || a.dataFormat === 'NCHW' || dilations.some((d) => d !== 1)) {
      throw new ModelError(
        `FusedConv2D gradient: expected activation relu or linear, NHWC and no dilation (convBiasActivation), found ${a.activation}, ${a.dataFormat}, dilations ${JSON.stringify(a.dilations)}`,
      );
    }
    // One ReLU mask for the three gradients, made once (in one native pass where the kernel is registered).
    const g = a.activation === 'linear' ? (dy as tf.Tensor4D) : reluGradient(dy as tf.Tensor4D, y);
    const common = { strides: a.strides, pad: a.pad, dataFormat: 'NHWC' as const, dimRoundingMode: a.dimRoundingMode };
    // An input that is a ReLU's output (only convBiasActivation's caller knows) gets its input gradient masked by it as
    // it is written, with the sums of the producing convolution's bias gradient: that ReLU's gradient is then free.
    const fuseRelu = (attrs as { inputIsRelu?: boolean }).inputIsRelu === true && x.dtype === 'float32' && tf.getKernel(NATIVE_CONV_INPUT_GRADIENT_RELU_KERNEL, tf.getBackend()) !== undefined;
    return {
      x: () =>
        fuseRelu
          ? (tf.engine().runKernel(NATIVE_CONV_INPUT_GRADIENT_RELU_KERNEL, { dy: g, filter, y: x }, { ...common, inputShape: x.shape }) as tf.Tensor4D)
          : (tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: g, filter }, { ...common, inputShape: x.shape }) as tf.Tensor4D),
      filter: () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: g }, { ...common, filterShape: filter.shape }) as tf.Tensor4D,
      bias: () => tf.sum(g, [0, 1, 2]),
    };
  },
};

/** dy where y > 0, else 0. */
function reluGradient(dy: tf.Tensor4D, y: tf.Tensor4D): tf.Tensor4D {
  if (dy.dtype === 'float32' && tf.getKernel(NATIVE_RELU_GRADIENT_KERNEL, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(NATIVE_RELU_GRADIENT_KERNEL, { dy, y }) as tf.Tensor4D;
  }
  return tf.mul(dy, tf.step(y));
}

/**
 * relu(a + b) for a residual block's output, with its gradient written out: one ReLU mask (native where registered),
 * given to both inputs, instead of tfjs's relu gradient (cast, step, multiply) and the add's. The forward is one
 * native pass where registered (add, then relu, otherwise).
 */
function addRelu(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D {
  const op = tf.customGrad(((x: tf.Tensor4D, y: tf.Tensor4D, save: tf.GradSaveFunc) => {
    const native = x.dtype === 'float32' && y.dtype === 'float32' && tf.getKernel(NATIVE_ADD_RELU_KERNEL, tf.getBackend()) !== undefined;
    const out = native ? (tf.engine().runKernel(NATIVE_ADD_RELU_KERNEL, { a: x, b: y }) as tf.Tensor4D) : (tf.relu(tf.add(x, y)) as tf.Tensor4D);
    save([out]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const g = reluGradient(dy, saved[0] as tf.Tensor4D);
        return [g, tf.clone(g)]; // two tensors: the engine disposes each input's gradient on its own
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(a, b) as tf.Tensor4D;
}

let fusedGradientRegistered = false;

/**
 * Convolution ('same' padding) + bias + activation as one op: one FusedConv2D kernel, whose gradient (registered
 * here, see FUSED_CONV_GRADIENT) calls the two convolution gradients and a bias sum directly, each only when needed.
 * tf.fused.conv2d instead runs as three unfused ops (and takes three gradients) whenever gradients are recorded,
 * which costs a pass over the activations each. `inputIsRelu`: x is a ReLU's output (a convBiasActivation's or a
 * residual sum's) whose gradient is only wanted through that ReLU: its input gradient is then masked as it is written
 * (see NATIVE_CONV_INPUT_GRADIENT_RELU_KERNEL), the same values the ReLU's gradient gives, and that gradient is free.
 *
 * @example
 * ```ts
 * const y = convBiasActivation(x, kernel, bias, 2, 'relu'); // [N, H/2, W/2, Co]
 * ```
 */
export function convBiasActivation(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D,
  stride: number,
  activation: Activation,
  inputIsRelu = false,
): tf.Tensor4D {
  if (!fusedGradientRegistered) {
    tf.registerGradient(FUSED_CONV_GRADIENT);
    fusedGradientRegistered = true;
  }
  const attrs = {
    strides: [stride, stride] as [number, number],
    pad: 'same' as const,
    dataFormat: 'NHWC' as const,
    dilations: [1, 1] as [number, number],
    activation,
    inputIsRelu,
  };
  return tf.engine().runKernel(tf.FusedConv2D, { x, filter, bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

function conv(vars: Variables, name: string, x: tf.Tensor4D, stride: number, activation: Activation, inputIsRelu = false): tf.Tensor4D {
  return convBiasActivation(x, vars.get(`${name}/kernel`) as tf.Tensor4D, vars.get(`${name}/bias`) as tf.Tensor1D, stride, activation, inputIsRelu);
}

interface Backbone {
  variables: Map<string, tf.Variable>;
  trainable: tf.Variable[];
  frozen: boolean;
  outChannels: number;
  outputStride: number;
  apply(images: tf.Tensor4D, training: boolean): tf.Tensor4D;
  dispose(): void;
}

function builtinBackbone(name: BuiltinBackbone, outputStride: OutputStride, seed: number, inputNorm: InputNorm): Backbone {
  const spec = backboneSpec(name, outputStride);
  const vars = new Variables(seed);
  // Stride-2 convolutions use even kernels (4x4 main, 2x2 shortcut) so that every output cell is centred on its
  // 2x2 input patch: cell k of the stride-8 map is centred at input pixel (k + 0.5) * 8, as half-pixel up-sampling
  // assumes. A 3x3 stride-2 'same' convolution shifts the grid by half an input pixel per layer (3.5 px at stride 8).
  vars.conv('stem', 4, 1, spec.stem);
  interface Block {
    name: string;
    stride: number;
    projection: boolean;
  }
  const blocks: Block[] = [];
  let cin = spec.stem;
  spec.stages.forEach((stage, s) => {
    for (let b = 0; b < stage.blocks; b++) {
      const name = `stage${s + 1}/block${b + 1}`;
      const stride = b === 0 ? stage.stride : 1;
      const projection = stride !== 1 || cin !== stage.width;
      vars.conv(`${name}/conv1`, stride === 2 ? 4 : 3, cin, stage.width);
      vars.conv(`${name}/conv2`, 3, stage.width, stage.width, true);
      if (projection) vars.conv(`${name}/shortcut`, stride === 2 ? 2 : 1, cin, stage.width);
      blocks.push({ name, stride, projection });
      cin = stage.width;
    }
  });
  const variables = new Map([...vars.map].map(([k, v]) => [`backbone/${k}`, v] as const));
  return {
    variables,
    trainable: [...variables.values()],
    frozen: false,
    outChannels: cin,
    outputStride: 2 * spec.stages.reduce((a, s) => a * s.stride, 1),
    apply(images) {
      // 0..1 gray to zero mean, unit variance (per image by default).
      let h = conv(vars, 'stem', normalizeImages(images, inputNorm), 2, 'relu');
      for (const block of blocks) {
        const a = conv(vars, `${block.name}/conv1`, h, block.stride, 'relu');
        const b = conv(vars, `${block.name}/conv2`, a, 1, 'linear', true); // a: a ReLU's output, used here only
        const shortcut = block.projection ? conv(vars, `${block.name}/shortcut`, h, block.stride, 'linear') : h;
        h = addRelu(b, shortcut);
      }
      return h;
    },
    dispose() {
      for (const v of variables.values()) v.dispose();
    },
  };
}

/**
 * An IOHandler that loads a TensorFlow.js model (`model.json` + its weight files) from the file system, because the
 * plain tfjs package has no `file://` handler in Node. `path` is the model.json or its folder.
 *
 * @example
 * ```ts
 * const model = await tf.loadLayersModel(fileSystemModelHandler('models/mobilenet/model.json'));
 * ```
 */
export function fileSystemModelHandler(path: string): tf.io.IOHandler {
  return {
    load: async () => {
      let jsonPath = path;
      try {
        if ((await stat(path)).isDirectory()) jsonPath = join(path, 'model.json');
      } catch (cause) {
        throw new ModelError(`${path}: cannot read the pretrained model (expected a model.json or its folder)`, { cause });
      }
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(await readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
      } catch (cause) {
        throw new ModelError(`${jsonPath}: not a TensorFlow.js model.json`, { cause });
      }
      const folder = dirname(jsonPath);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const file of group.paths) {
            const bytes = await readFile(join(folder, file));
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

/**
 * Saves a layers model as `model.json` + `weights.bin` in `dir` (what `fileSystemModelHandler` reads).
 *
 * @example
 * ```ts
 * await saveLayersModelToDir(tf.sequential({ layers: [...] }), 'models/tiny');
 * ```
 */
export async function saveLayersModelToDir(model: tf.LayersModel, dir: string): Promise<void> {
  await makeDirectory(dir);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const bytes = data === undefined ? new Uint8Array(0) : new Uint8Array(tf.io.concatenateArrayBuffers(Array.isArray(data) ? data : [data]));
      await writeFile(join(dir, 'weights.bin'), bytes);
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: bytes.byteLength } };
    }),
  );
}

async function pretrainedBackbone(spec: PretrainedBackbone, imageSize: number): Promise<Backbone> {
  const handler = fileSystemModelHandler(spec.path);
  const artifacts = await handler.load!();
  const isGraph = artifacts.format === 'graph-model' || (artifacts.modelTopology as { node?: unknown } | undefined)?.node !== undefined;
  const [lo, hi] = spec.inputRange ?? [0, 1];
  const fromMemory = tf.io.fromMemory(artifacts);
  let run: (x: tf.Tensor4D, training: boolean) => tf.Tensor;
  let inputChannels: number;
  let trainable: tf.Variable[] = [];
  const variables = new Map<string, tf.Variable>();
  let dispose: () => void;
  if (isGraph) {
    if (!spec.frozen) {
      throw new ModelError(`${spec.path}: a graph model cannot be fine-tuned (its weights are constants); use frozen: true or a layers model`);
    }
    const graph = await tf.loadGraphModel(fromMemory);
    inputChannels = graph.inputs[0]?.shape?.[3] ?? 3;
    run = (x) => {
      const out = graph.predict(x);
      const first = Array.isArray(out) ? out[0] : out instanceof tf.Tensor ? out : Object.values(out)[0];
      if (first === undefined) throw new ModelError(`${spec.path}: the graph model returned no output`);
      return first;
    };
    dispose = () => graph.dispose();
  } else {
    const layers = await tf.loadLayersModel(fromMemory);
    const shape = layers.inputs[0]?.shape;
    inputChannels = shape?.[3] ?? 3;
    layers.trainable = !spec.frozen;
    // Saved by position (layer weight names get a per-load suffix); a frozen backbone is read from its path instead.
    if (!spec.frozen) layers.weights.forEach((w, i) => variables.set(`backbone/${String(i).padStart(4, '0')}`, w.read() as tf.Variable));
    if (!spec.frozen) trainable = layers.trainableWeights.map((w) => w.read() as tf.Variable);
    run = (x, training) => layers.apply(x, { training }) as tf.Tensor;
    dispose = () => layers.dispose();
  }
  const prepare = (images: tf.Tensor4D): tf.Tensor4D => {
    let x = hi === 1 && lo === 0 ? images : (tf.add(tf.mul(images, hi - lo), lo) as tf.Tensor4D);
    if (inputChannels > 1) x = tf.tile(x, [1, 1, 1, inputChannels]);
    return x;
  };
  const probe = tf.tidy(() => run(prepare(tf.zeros([1, imageSize, imageSize, 1])), false).shape);
  if (probe.length !== 4) {
    throw new ModelError(
      `${spec.path}: expected the backbone to output a [N, h, w, c] feature map, found shape [${probe.join(', ')}] (cut the model before its pooling and dense layers)`,
    );
  }
  const h = probe[1] as number;
  return {
    variables,
    trainable,
    frozen: spec.frozen,
    outChannels: probe[3] as number,
    outputStride: imageSize / h,
    apply: (images, training) => run(prepare(images), training && !spec.frozen) as tf.Tensor4D,
    dispose,
  };
}

/** tf.tidy for a ModelOutput (keeps its three tensors, disposes the intermediates). */
function tidyOutput(fn: () => ModelOutput): ModelOutput {
  const [logits, probs, features] = tf.tidy(() => {
    const out = fn();
    return [out.logits, out.probs, out.features];
  });
  return { logits: logits as tf.Tensor2D, probs: probs as tf.Tensor2D, features: features as tf.Tensor4D };
}

function assemble(config: ModelConfig, backbone: Backbone): CxrModel {
  const seed = config.seed ?? 1;
  const head = new Variables(seed + 7919);
  head.conv('transition', 1, backbone.outChannels, config.transitionDepth);
  head.dense('prediction', config.transitionDepth, config.findings.length);
  const namedVariables = new Map<string, tf.Variable>([...backbone.variables, ...head.map]);
  const trainableVariables = [...backbone.trainable, ...head.map.values()];
  const featureSize = Math.round(config.imageSize / backbone.outputStride);
  const c = config.findings.length;

  const runHead = (feats: tf.Tensor4D): ModelOutput => {
    const features = conv(head, 'transition', feats, 1, config.transitionActivation ?? 'relu');
    const pooled = lsePool(features, config.lseR);
    const logits = tf.add(tf.matMul(pooled, head.get('prediction/kernel')), head.get('prediction/bias')) as tf.Tensor2D;
    return { logits, probs: tf.sigmoid(logits), features };
  };
  const checkImages = (images: tf.Tensor4D): void => {
    const [, hgt, wid, ch] = images.shape;
    if (images.rank !== 4 || hgt !== config.imageSize || wid !== config.imageSize || ch !== 1) {
      throw new ModelError(
        `forward: expected images of shape [N, ${config.imageSize}, ${config.imageSize}, 1], found [${images.shape.join(', ')}]`,
      );
    }
  };

  const model: CxrModel = {
    config,
    featureSize,
    backboneFrozen: backbone.frozen,
    trainableVariables,
    namedVariables,
    forward(images, training = false) {
      checkImages(images);
      return tidyOutput(() => runHead(backbone.apply(images, training)));
    },
    backboneFeatures(images, training = false) {
      checkImages(images);
      return tf.tidy(() => backbone.apply(images, training));
    },
    head(feats) {
      return tidyOutput(() => runHead(feats));
    },
    predictionWeights() {
      return { kernel: head.get('prediction/kernel') as tf.Tensor2D, bias: head.get('prediction/bias') as tf.Tensor1D };
    },
    async save(dir) {
      await saveWeights(dir, config, namedVariables);
    },
    async loadWeights(dir) {
      await loadWeightsInto(dir, namedVariables);
    },
    dispose() {
      backbone.dispose();
      for (const v of head.map.values()) v.dispose();
    },
  };
  return model;
}

/**
 * Builds a model with a built-in backbone, initialised from `config.seed`. Throws ModelError for a pretrained backbone
 * (loading it is asynchronous: use `createModelAsync`).
 *
 * @example
 * ```ts
 * const model = createModel(defaultModelConfig(['Mass', 'Nodule'], { imageSize: 128 }));
 * const { probs, features } = model.forward(tf.zeros([2, 128, 128, 1])); // [2, 2], [2, 16, 16, 128]
 * ```
 */
export function createModel(config: ModelConfig): CxrModel {
  validateModelConfig(config);
  if (typeof config.backbone !== 'string') {
    throw new ModelError(`createModel: a pretrained backbone (${config.backbone.path}) is loaded asynchronously; use createModelAsync`);
  }
  return assemble(config, builtinBackbone(config.backbone, config.outputStride ?? 8, config.seed ?? 1, config.inputNorm ?? 'fixed'));
}

/**
 * Builds a model with any backbone: a built-in one, or a pretrained TF.js layers/graph model read from disk.
 *
 * @example
 * ```ts
 * const model = await createModelAsync({ ...defaultModelConfig(findings), backbone: { path: 'models/mobilenet', frozen: true } });
 * ```
 */
export async function createModelAsync(config: ModelConfig): Promise<CxrModel> {
  validateModelConfig(config);
  if (typeof config.backbone === 'string') return createModel(config);
  return assemble(config, await pretrainedBackbone(config.backbone, config.imageSize));
}

interface WeightEntry {
  name: string;
  shape: number[];
  offset: number;
}

/** Writes the model's weights and config, each file atomically (`writeAtomic`). */
async function saveWeights(dir: string, config: ModelConfig, variables: ReadonlyMap<string, tf.Variable>): Promise<void> {
  await makeDirectory(dir);
  const entries: WeightEntry[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const [name, v] of variables) {
    const data = (await v.data()) as Float32Array;
    entries.push({ name, shape: [...v.shape], offset });
    chunks.push(data);
    offset += data.length;
  }
  const all = new Float32Array(offset);
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.length;
  }
  await writeAtomic(join(dir, 'weights.bin'), new Uint8Array(all.buffer));
  await writeAtomic(join(dir, 'weights.json'), JSON.stringify({ version: 1, dtype: 'float32', weights: entries }, null, 1));
  await writeAtomic(join(dir, 'config.json'), JSON.stringify({ version: 1, model: config }, null, 2));
}

async function loadWeightsInto(dir: string, variables: ReadonlyMap<string, tf.Variable>): Promise<void> {
  let entries: WeightEntry[];
  let bytes: Buffer;
  try {
    entries = (JSON.parse(await readFile(join(dir, 'weights.json'), 'utf8')) as { weights: WeightEntry[] }).weights;
    bytes = await readFile(join(dir, 'weights.bin'));
  } catch (cause) {
    throw new ModelError(`${dir}: cannot read weights.json and weights.bin (save the model there first)`, { cause });
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const byName = new Map(entries.map((e) => [e.name, e]));
  for (const [name, v] of variables) {
    const e = byName.get(name);
    if (e === undefined) throw new ModelError(`${dir}/weights.json: expected a weight "${name}", found none`);
    if (e.shape.join(',') !== v.shape.join(',')) {
      throw new ModelError(`${dir}/weights.json: expected "${name}" of shape [${v.shape.join(', ')}], found [${e.shape.join(', ')}]`);
    }
    const size = v.size;
    if (e.offset + size > all.length) throw new ModelError(`${dir}/weights.bin: truncated (weight "${name}" ends past the file)`);
    tf.tidy(() => v.assign(tf.tensor(all.subarray(e.offset, e.offset + size), v.shape, 'float32')));
  }
}

/**
 * Loads a model saved with `model.save(dir)` (a run folder: `config.json`, `weights.json`, `weights.bin`).
 *
 * @example
 * ```ts
 * const model = await loadModel('runs/r1');
 * const { probs } = model.forward(images);
 * ```
 */
export async function loadModel(dir: string): Promise<CxrModel> {
  let config: ModelConfig;
  try {
    config = (JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { model: ModelConfig }).model;
    // Models saved before `transitionActivation` existed had a linear transition layer.
    if (config.transitionActivation === undefined) config.transitionActivation = 'linear';
  } catch (cause) {
    const listing = await readdir(dir).catch(() => [] as string[]);
    throw new ModelError(`${dir}: cannot read config.json (found ${listing.length ? listing.join(', ') : 'no files'})`, { cause });
  }
  const model = await createModelAsync(config);
  try {
    await model.loadWeights(dir);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}
