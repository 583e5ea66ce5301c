// The public API of @cxr8/labeler: what the READMEs and docs use (listed in the root README, section "Library API
// (`@cxr8/labeler`)"). test/public-api.test.ts pins the list: a new export goes there and into that section.

// Findings and label sets (docs/label-sets.md).
export { FINDINGS_8, FINDINGS_14, NO_FINDING } from './findings.js';
export type { Finding, Label, LabelSet, LabelSetDefinition, NihFinding } from './findings.js';
export { readLabelSetFile, resolveLabelSet, validateLabelSet } from './label-sets.js';

// Labeling a report: createLabeler, labelReport, traceReport, assessMention (README "Labeling reports").
export { createLabeler, labelReport, traceReport } from './pipeline.js';
export type { SentenceTrace } from './pipeline.js';
export type { SectionName } from './sections.js';
export { assessMention } from './assess.js';
export type { Evidence, LabeledReport, Labeler, LabelerOptions, LabelValue, MentionStatus, ReportInput } from './types.js';

// Typed errors: every failure of the functions here is one of these.
export {
  LabelerError,
  LexiconError,
  RuleError,
  ReportParseError,
  EvaluationInputError,
  LabelerArgumentError,
  InputError,
  NothingToLabelError,
  OutputError,
  UsageError,
  WorkerError,
} from './errors.js';

// Files in, labels out: the label-reports run and its evaluate subcommand (docs/architecture/labeler-io.md, "Library").
export { labelFiles } from './label-files.js';
export type { LabelFilesOptions, LabelSummary } from './label-files.js';
export { evaluateFiles } from './evaluate-files.js';
export type { EvaluateFilesOptions } from './evaluate-files.js';
export type { StdinFormat } from './readers/discover.js';

// Scoring against a gold standard.
export { evaluate, formatEvaluation, parseGoldCsv, parsePredictionCsv } from './evaluate.js';
export type { ClassScore, Evaluation, LabelTable, PredictionTable, Score } from './evaluate.js';

// Readers: every input format as one stream of reports or failures; OpenI XML; the project's one RFC 4180 CSV parser.
export { readReports } from './readers/index.js';
export type { InputFailure, ReadItem, ReaderOptions, ReadReportsOptions, ReportRecord } from './readers/index.js';
export { parseOpenIXml } from './readers/openi-xml.js';
export type { OpenIReport, OpenISection } from './readers/openi-xml.js';
export { CsvParser, csvField, parseCsvRecords, streamCsvRecords } from './readers/csv.js';
export type { CsvParserOptions, CsvRecord } from './readers/csv.js';

// Writers: the csv, jsonl, chexpert and nih layouts, pure functions to text.
export { CHEXPERT_COLUMNS, CHEXPERT_MAPPING, OUTPUT_FORMATS, createWriter, nihFindingLabels } from './writers/index.js';
export type { OutputFormat, ReportWriter, WriterOptions } from './writers/index.js';

// The exit codes of every cxr8 command (label-reports, build-dataset, cxr8-train).
export { EXIT, EXIT_CODE_MEANINGS, formatExitCodes } from './exit-codes.js';
export type { ExitCode } from './exit-codes.js';

// ---------------------------------------------------------------------------------------------------------------
// For the other cxr8 packages (@cxr8/dataset-builder, @cxr8/trainer), not a user API: what their src imports by
// package name. They may change with those packages; do not build on them.
// ---------------------------------------------------------------------------------------------------------------
// The report readers the builder keys its rows with (docs/architecture/dataset-builder.md, "Text encoding").
export { reasonOf } from './readers/index.js';
export { otherSeparatorHint, readCsvRecordChunks } from './readers/csv.js';
export type { CsvFileOptions } from './readers/csv.js';
export { readJsonLines } from './readers/jsonl.js';
export type { JsonLineReader } from './readers/jsonl.js';
export { readTextReport, readUtf8Pieces } from './readers/text.js';
export type { InvalidByte, TextPiece } from './readers/text.js';
// Label-set and lexicon lookups of the builder's --labels / --lexicons checks.
export { LABEL_SET_ALIASES, isLabelSetPath, labelSetFiles } from './label-sets.js';
export { defaultLexiconDir, lexiconFilesIn } from './lexicon.js';
// One worker bootstrap, one atomic write, one progress redraw, one flag suggester for all three packages.
export { startModuleWorker } from './worker-start.js';
export { writeAtomic } from './write-atomic.js';
export { makeDirectory, makeDirectorySync } from './make-dir.js';
export { createStatusLine, formatDuration } from './progress.js';
export type { StatusLine, StatusLineOptions } from './progress.js';
export { suggestFlag } from './cli.js';
