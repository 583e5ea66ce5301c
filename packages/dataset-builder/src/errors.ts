/**
 * Typed errors of @cxr8/dataset-builder. Every message is prefixed with the package name and says what was expected
 * and what was found; the file at fault is named where there is one.
 */

/** Base class of every error this package throws. `file` names the input at fault, when there is one. */
export class BuilderError extends Error {
  readonly file: string | undefined;
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super(`@cxr8/dataset-builder: ${options.file ? `${options.file}: ` : ''}${message}`, { cause: options.cause });
    this.name = new.target.name;
    this.file = options.file;
  }
}
