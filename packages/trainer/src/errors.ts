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
