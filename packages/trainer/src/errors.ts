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
