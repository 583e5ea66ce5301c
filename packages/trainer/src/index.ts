// Evaluation, heatmaps, localization, phantoms, report, CLI (issue 4).
export { rocAuc, rocCurve } from './metrics/auc.js';
export type { RocCurve } from './metrics/auc.js';
export {
  iobb,
  iou,
  intersectionArea,
  scoreLocalization,
  localize,
  thresholdKey,
  IOBB_THRESHOLDS,
  IOU_THRESHOLDS,
} from './metrics/localization.js';
export type { Box, FindingBox, LocalizationItem, LocalizationScore, LocalizationTable, LocalizationResult } from './metrics/localization.js';
export {
  classActivationMap,
  upsampleBilinear,
  scaleTo255,
  labelComponents,
  regionsOf,
  heatmapBoxes,
  heatmapOf,
  boxesOfImage,
  classActivationMaps,
  createUpsampler,
  createRegionScratch,
  thresholdRegions,
  createHeatmapBoxer,
  scaleTo255Into,
  PAPER_THRESHOLDS,
  BOX_PROTOCOLS,
  DEFAULT_BOX_PROTOCOL,
  chooseRegions,
} from './heatmap.js';
export type {
  FeatureMap,
  PredictionLayer,
  Map2D,
  HeatmapBox,
  BoxOptions,
  HeatmapOptions,
  Components,
  Region,
  Upsampler,
  RegionScratch,
  HeatmapBoxer,
  BoxProtocol,
  BoxProtocolName,
  RegionChoice,
} from './heatmap.js';
export {
  makePhantoms,
  planPhantoms,
  renderPhantom,
  mulberry32,
  PHANTOM_FINDINGS,
  PHANTOM_SIZE,
  DATA_ENTRY_HEADER,
  BBOX_LIST_HEADER,
  PHANTOM_OUTPUT,
} from './phantoms.js';
export type { PhantomFinding, PhantomPlan, RenderedPhantom, PhantomEntry, PhantomOptions, PhantomDataset, MakePhantomsOptions, Random } from './phantoms.js';
export { makePhantomsB, planPhantomsB, renderPhantomB, sfc32, PHANTOM_B_SPACING_MM, PHANTOM_B_VERSION } from './phantoms-b.js';
export type { PhantomBPlan, PhantomBEntry, PhantomBOptions } from './phantoms-b.js';
export { evaluate, EVALUATION_OUTPUT } from './evaluate.js';
export type { EvaluateOptions, EvaluateResult } from './evaluate.js';
export {
  renderReport,
  aucTable,
  localizationTable,
  drawRoc,
  drawOverlay,
  drawLine,
  drawRect,
  fillRect,
  createCanvas,
  writeCanvasPng,
  labelsSvg,
  canRenderText,
  LABEL_FONTS,
  OVERLAY_COLOURS,
  PAPER_CITATION,
  writeReport,
  jet,
  CURVE_COLOURS,
  PAPER_AUC_CXR8,
  PAPER_AUC_CXR14,
  PAPER_IOBB_ACC,
} from './report.js';
export type { Metrics, ReportContext, Canvas, Rgb, OverlayInput, TextLabel, RocSeries, RocDecoration } from './report.js';
export { main, parseFlags, COMMAND_HELP } from './cli.js';
export type { Flags, FlagSpec, FlagType, CliIo } from './cli.js';
export { MetricInputError, UsageError, EvaluationError, PhantomError } from './errors.js';
// Backends, gradient kernels, model, loss, data and training (issue 4).
export { describeBackend, initBackend, wasmDistFolder, BACKEND_NAMES } from './backend.js';
export { loadNativeConv, nativeConvThreads, nativeKernelInfo, registerNativeConvKernels, setNativeConvThreads, NATIVE_ADDON_PATH } from './native.js';
export type { NativeConvAddon } from './native.js';
export type { BackendName } from './backend.js';
export {
  registerWasmGradientKernels,
  WASM_GRADIENT_KERNELS,
  conv2dBackpropFilterAsConv,
  conv2dBackpropInputAsConv,
  spreadOnGrid,
  depthwiseBackpropFilterByOffsets,
  depthwiseBackpropInputByOffsets,
} from './kernels/index.js';
export { lsePool, DEFAULT_LSE_R } from './lse-pooling.js';
export { weightedCrossEntropy, plainCrossEntropy, lossFor, batchBetas, LOSS_KINDS } from './loss.js';
export type { LossKind } from './loss.js';
export {
  createModel,
  createModelAsync,
  convBiasActivation,
  loadModel,
  defaultModelConfig,
  validateModelConfig,
  fileSystemModelHandler,
  saveLayersModelToDir,
  BUILTIN_BACKBONES,
  DEFAULT_MODEL_CONFIG,
  INPUT_NORMS,
  OUTPUT_STRIDES,
  normalizeImages,
} from './model.js';
export type { CxrModel, ModelConfig, ModelOutput, BuiltinBackbone, PretrainedBackbone, InputNorm, OutputStride } from './model.js';
export { batches, countRecords, datasetFindings, createRng, augmentImages, disposeBatch, DEFAULT_AUGMENT } from './data.js';
export type { Batch, BatchOptions, AugmentOptions } from './data.js';
export { train, learningRateAt, resolveBackbone, mergeResumeOptions, Adam, DEFAULT_TRAIN_OPTIONS } from './train.js';
export type { TrainOptions, TrainResult, EpochMetrics, RecordedOptions, RecordedDataset, RunRecord } from './train.js';
export { BackendError, ModelError, DataError, TrainError, RefusedError, InterruptedError } from './errors.js';
export { claimOutputFolder, inspectFolder, replaceEntries, stagingFolderFor } from './safe-output.js';
export type { FolderState, OutputKind } from './safe-output.js';
export { createGradientPool, defaultWorkerCount } from './train-workers.js';
export type { GradientPool } from './train-workers.js';
export type { BatchCounts, LossFunction } from './loss.js';
