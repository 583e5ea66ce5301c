/**
 * Typed errors of @cxr8/trainer. Every message is prefixed with the package name and says what was expected and what
 * was found.
 */

/** Base class of every error this package throws. */
export class TrainerError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(`@cxr8/trainer: ${message}`, options);
    this.name = new.target.name;
  }
}

/** Inputs to a metric (AUC, IoBB, localization) that are not what it expects: lengths differ, NaN scores, bad labels. */
export class MetricInputError extends TrainerError {}

/** A command line that cannot be run: unknown subcommand or flag, missing or malformed value. Exit code 2. */
export class UsageError extends TrainerError {}

/** An evaluation that cannot run: the run folder has no model, the split has no images, the output is unwritable. */
export class EvaluationError extends TrainerError {}

/** Phantom generation that cannot run: bad count or seed, an unwritable output folder. */
export class PhantomError extends TrainerError {}

/** The requested TensorFlow.js backend cannot be started (not installed, or failed to initialise). */
export class BackendError extends TrainerError {}

/** A model configuration, a saved model or a pretrained backbone is invalid or cannot be read. */
export class ModelError extends TrainerError {}

/** Training input (a dataset folder, its shards, a batch) is not what the trainer expects. */
export class DataError extends TrainerError {}

/** Training options are invalid, or a run folder (checkpoint, metrics) cannot be used or resumed. */
export class TrainError extends TrainerError {}

/**
 * A run that would destroy or mix up existing work and is refused before anything is changed: an output folder that
 * holds a trained run (without --resume or --force) or something other than our output, options on --resume that
 * differ from the run's recorded ones, an image size larger than the shards'. Exit code 3; the message says how to go
 * on (e.g. `--resume`, another `--out`, `--force`).
 */
export class RefusedError extends TrainerError {}

/**
 * A run stopped by SIGINT (Ctrl-C) or an aborted `signal`. Exit code 130; the message says what was kept and how to
 * continue (`--resume` for training).
 */
export class InterruptedError extends TrainerError {
  /** Whether a checkpoint is left that `--resume` continues from. */
  readonly resumable: boolean;
  constructor(message: string, options: { cause?: unknown; resumable?: boolean } = {}) {
    super(message, options);
    this.resumable = options.resumable === true;
  }
}
