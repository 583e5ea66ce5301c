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
  | 'decode-failed';

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
 * A command-line argument or option that cannot be used: a missing required flag, a folder that does not exist, a
 * malformed `--split`. The CLI maps it to exit code 2.
 */
export class UsageError extends BuilderError {}

/** A reports source (CSV, JSONL, folder of .txt) that cannot be read as reports at all. */
export class ReportSourceError extends BuilderError {}

/** A file of the public NIH release (Data_Entry, BBox_List, split lists) that does not have the expected layout. */
export class NihFormatError extends BuilderError {}

/** The private key file (the HMAC key and pseudonym table) is unreadable, or placed inside the dataset folder. */
export class KeyFileError extends BuilderError {}

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
