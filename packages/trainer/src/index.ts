// The public API of @cxr8/trainer: what the READMEs and docs use (listed in packages/trainer/README.md, "API").
// test/public-api.test.ts pins the list: a new export goes there and into the README. No other cxr8 package
// imports this one, so there is no section for them.

// Training (README: "The library does the same": train({ data, out, ... }); train({ loss: 'plain' }) in the root README).
export { train } from './train.js';
export type { TrainOptions, TrainResult, EpochMetrics, RecordedOptions } from './train.js';
export type { LossKind } from './loss.js';
export type { BuiltinBackbone, CxrModel, InputNorm, OutputStride, PretrainedBackbone } from './model.js';

// Evaluation: AUC, heatmaps, boxes, localization, report.md (evaluate({ data, run, split, out, ... })).
export { evaluate } from './evaluate.js';
export type { EvaluateOptions, EvaluateResult } from './evaluate.js';
export type { Metrics } from './report.js';
export type { BoxProtocolName } from './heatmap.js';

// Phantom data sets in the NIH layout: family A (makePhantoms) and family B (makePhantomsB, `--style b`).
export { makePhantoms } from './phantoms.js';
export type { MakePhantomsOptions, PhantomDataset, PhantomOptions } from './phantoms.js';
export { makePhantomsB } from './phantoms-b.js';

// The command line: main(argv, io) returns the exit code and writes only through io.
export { main } from './cli.js';
export type { CliIo } from './cli.js';

// Typed errors: every failure of the functions here is one of these.
export {
  TrainerError,
  BackendError,
  DataError,
  EvaluationError,
  InterruptedError,
  MetricInputError,
  ModelError,
  PhantomError,
  RefusedError,
  TrainError,
  UsageError,
} from './errors.js';
