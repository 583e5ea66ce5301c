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

// ---------------------------------------------------------------------------------------------------------------------
// DICOM reading, decoding and rendering (src/dicom/**). Each carries a short machine-readable `reason`, suited to the
// `failures` table, and names the file.

/** Machine-readable reasons of the DICOM errors, one per class below. */
export type DicomFailureReason =
  | 'not-dicom'
  | 'truncated'
  | 'malformed'
  | 'no-pixel-data'
  | 'absurd-dimensions'
  | 'invalid-pixel-module'
  | 'unsupported-transfer-syntax'
  | 'unsupported-photometric'
  | 'decode-failed'
  | 'blank-image';

/** Base class of every error about one DICOM file. */
export class DicomError extends BuilderError {
  readonly reason: DicomFailureReason;
  constructor(reason: DicomFailureReason, message: string, options: { file?: string; cause?: unknown } = {}) {
    super(message, options);
    this.reason = reason;
  }
}

/** The bytes are not a DICOM file: no `DICM` after a 128-byte preamble and no plausible bare data set. */
export class NotDicomError extends DicomError {
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super('not-dicom', message, options);
  }
}

/** The file ends inside an element, an item or the pixel data. */
export class TruncatedDicomError extends DicomError {
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super('truncated', message, options);
  }
}

/** The data set breaks the encoding rules of PS3.5 (a bad VR, an odd length, a missing delimiter...). */
export class MalformedDicomError extends DicomError {
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super('malformed', message, options);
  }
}

/** The data set has no Pixel Data (7FE0,0010), e.g. a structured report or a DICOMDIR. */
export class NoPixelDataError extends DicomError {
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super('no-pixel-data', message, options);
  }
}

/** Rows, Columns or Number of Frames are zero, missing or too large to be an image. */
export class AbsurdDimensionsError extends DicomError {
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super('absurd-dimensions', message, options);
  }
}

/** The Image Pixel module (PS3.3 C.7.6.3) is inconsistent: bits, samples, or a pixel data length that does not fit. */
export class InvalidPixelModuleError extends DicomError {
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super('invalid-pixel-module', message, options);
  }
}

/** The Transfer Syntax is not one this package decodes; `uid` names it. */
export class UnsupportedTransferSyntaxError extends DicomError {
  readonly uid: string;
  constructor(uid: string, options: { file?: string; cause?: unknown } = {}) {
    super(
      'unsupported-transfer-syntax',
      `unsupported transfer syntax ${uid || '(none)'}: expected one of native (1.2.840.10008.1.2, .1.2.1, .1.2.2, ` +
        `.1.2.1.99), RLE (.1.2.5), JPEG (.4.50, .4.51, .4.57, .4.70), JPEG-LS (.4.80, .4.81) or JPEG 2000 (.4.90, .4.91)`,
      options,
    );
    this.uid = uid;
  }
}

/** The Photometric Interpretation cannot be rendered to grayscale (e.g. PALETTE COLOR). */
export class UnsupportedPhotometricError extends DicomError {
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super('unsupported-photometric', message, options);
  }
}

/** A codec failed on the compressed frame, or its output does not match the header. */
export class PixelDecodeError extends DicomError {
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super('decode-failed', message, options);
  }
}

/**
 * The image renders to (nearly) one gray level: a Rescale Slope of 0, constant stored values, or a window that maps
 * the whole stored range to one level. Such a picture carries no anatomy, so it is a failure, not a dataset image.
 */
export class BlankImageError extends DicomError {
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super('blank-image', message, options);
  }
}

/**
 * A command-line argument or option that cannot be used: a missing required flag, a folder that does not exist, a
 * malformed `--split`. The CLI maps it to exit code 2.
 */
export class UsageError extends BuilderError {}

/**
 * A rebuild that an existing dataset refuses because a given option differs from the one it records: `--size`,
 * `--keep-report-text`, `--seed` or `--split` (the PNGs, labels or patient splits already made would mix two
 * settings). The message names the option, both values and what to do; nothing has been written. The CLI maps it
 * to exit code 3: the arguments are well-formed, but this dataset cannot be built with them.
 */
export class RebuildRefusedError extends BuilderError {
  /** The refused option, as its flag (`--size`, `--keep-report-text`, `--seed`, `--split`). */
  readonly option: string;
  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.option = option;
  }
}

/** A reports source (CSV, JSONL, folder of .txt) that cannot be read as reports at all. */
export class ReportSourceError extends BuilderError {}

/** A file of the public NIH release (Data_Entry, BBox_List, split lists) that does not have the expected layout. */
export class NihFormatError extends BuilderError {}

/** The private key file (the HMAC key and pseudonym table) is unreadable, or placed inside the dataset folder. */
export class KeyFileError extends BuilderError {}

/**
 * An input that holds nothing to do: a `--dicom` folder without a DICOM file, an `--images` folder without any of the
 * listed PNGs, a `--reports` source without a report. The message names what was looked for, where, and how much
 * was looked at. The CLI maps it to exit code 3.
 */
export class NothingToDoError extends BuilderError {}

/**
 * `--out` cannot be used: it names a file, or a folder that holds something other than this package's own output
 * (without `--force`), or a dataset of another kind. The CLI maps it to exit code 3; nothing has been written.
 */
export class OutputFolderError extends BuilderError {}

/** The dataset database cannot be opened or has an unexpected schema version. */
export class StoreError extends BuilderError {}

/** A worker thread died or answered something that is not a task result. */
export class WorkerError extends BuilderError {}

/** `writeDicom` was asked for something it cannot write (an unknown keyword, a value that does not fit its VR...). */
export class DicomWriteError extends BuilderError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(`writeDicom: ${message}`, options);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Reasons from thrown values. A failure reason is stored and shown to operators: it says what was expected and what
// was found, and never carries the text of a JavaScript exception from inside a codec or a parser ("Cannot read
// properties of undefined ...", a stack frame), which tells the reader nothing about the file.

/** Text that marks a JavaScript runtime error (a bug or an unguarded read), not a description of the input. */
export const RAW_ERROR_TEXT =
  /\bundefined\b|\bnull\b|\bNaN\b|TypeError|RangeError|ReferenceError|SyntaxError|InternalError|Cannot read|Cannot set|Cannot convert|is not a function|is not defined|is not iterable|is not a constructor|Maximum call stack|Invalid array length|Invalid typed array length|out of bounds|outside the bounds|\bat .+:\d+:\d+/;

const RUNTIME_ERRORS = ['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'EvalError', 'URIError', 'InternalError'];

/**
 * The message of a thrown value when it describes the input (a codec's own message, a system error), trimmed to
 * one line; `undefined` when it is a JavaScript runtime error or raw error text, which a reason must not quote.
 *
 * @example
 * ```ts
 * thrownText(new Error('marker was not found')); // 'marker was not found'
 * thrownText(new TypeError("Cannot read properties of undefined (reading 'x')")); // undefined
 * thrownText(5324176); // undefined (an embind exception pointer)
 * ```
 */
export function thrownText(thrown: unknown): string | undefined {
  let text: string;
  if (thrown instanceof Error) {
    if (RUNTIME_ERRORS.includes(thrown.name) || RUNTIME_ERRORS.some((n) => thrown.constructor?.name === n)) return undefined;
    text = thrown.message;
  } else if (typeof thrown === 'string') {
    text = thrown;
  } else {
    return undefined;
  }
  text = (text.split('\n')[0] ?? '').replace(/^\[?error\]?:?\s*/i, '').trim();
  if (text === '' || RAW_ERROR_TEXT.test(text)) return undefined;
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/**
 * Whether a failure reason is free of raw JavaScript error text (what the fuzz tests assert of every reason).
 *
 * @example
 * ```ts
 * isCleanReason('truncated: expected 4096 bytes of pixel data; found 1200'); // true
 * isCleanReason("Cannot read properties of undefined (reading 'length')"); // false
 * ```
 */
export function isCleanReason(reason: string): boolean {
  return reason.trim() !== '' && !RAW_ERROR_TEXT.test(reason) && !/\n\s*at /.test(reason);
}
