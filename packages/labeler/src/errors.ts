/**
 * Typed errors of @cxr8/labeler. Every message is prefixed with the package name and says what was expected and
 * what was found; the file at fault is named where there is one.
 *
 * @example
 * ```ts
 * try { parseOpenIXml('<x/>', 'a.xml'); } catch (e) { if (e instanceof ReportParseError) console.error(e.file); }
 * ```
 */
import type { LabelSummary } from './label-files.js';

/** Base class of every error this package throws. `file` names the input at fault, when there is one. */
export class LabelerError extends Error {
  readonly file: string | undefined;
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super(`@cxr8/labeler: ${options.file ? `${options.file}: ` : ''}${message}`, { cause: options.cause });
    this.name = new.target.name;
    this.file = options.file;
  }
}

/** A lexicon file (`lexicons/findings/*.json`, `lexicons/abnormalities.json`, ...) is missing, unreadable or invalid. */
export class LexiconError extends LabelerError {}

/** A rule file (`lexicons/rules/*.json`) is unreadable or has an invalid rule (unknown key, unknown value). */
export class RuleError extends LabelerError {}

/** A report could not be parsed (e.g. malformed OpenI XML). */
export class ReportParseError extends LabelerError {}

/** A gold-standard or prediction csv could not be parsed. */
export class EvaluationInputError extends LabelerError {}

/** The labeler was called with an invalid argument (e.g. a mention span outside the sentence). */
export class LabelerArgumentError extends LabelerError {}

/**
 * An input of `label-reports` could not be found, read or parsed (missing file, empty file, invalid UTF-8, malformed
 * CSV row, bad JSONL line). Recorded per input; the run goes on with the rest.
 */
export class InputError extends LabelerError {}

/** The command line of `label-reports` is invalid (unknown flag, bad value, missing argument). Exit code 2. */
export class UsageError extends LabelerError {}

/**
 * A `label-reports` run labeled nothing: no input matched, the inputs held no report (a wrong `--text-column`), or
 * every report failed. The output file is left as it was. Exit code 3. `summary` says what the run saw.
 */
export class NothingToLabelError extends LabelerError {
  readonly summary: LabelSummary;
  constructor(message: string, summary: LabelSummary) {
    super(message);
    this.summary = summary;
  }
}

/** The labeled output could not be written (unwritable `--out`, a full disk, a closed pipe). */
export class OutputError extends LabelerError {}

/** A worker thread of `--workers N` failed to start or crashed. */
export class WorkerError extends LabelerError {}
