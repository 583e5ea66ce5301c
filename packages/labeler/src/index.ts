export { FINDINGS_8, FINDINGS_14, NO_FINDING, findingsOf, isFinding } from './findings.js';
export type { Finding, Label, LabelSet, LabelSetDefinition, NihFinding } from './findings.js';
export {
  BUILTIN_LABEL_SETS,
  LABEL_SET_ALIASES,
  bindLabelSet,
  isLabelSetPath,
  labelSetColumns,
  labelSetFiles,
  readLabelSetFile,
  resolveLabelSet,
  validateLabelSet,
} from './label-sets.js';
export type { BoundLabelSet } from './label-sets.js';
export type {
  Evidence,
  LabeledReport,
  Labeler,
  LabelerOptions,
  LabelValue,
  MentionStatus,
  ReportInput,
} from './types.js';
export {
  LabelerError,
  LexiconError,
  RuleError,
  ReportParseError,
  EvaluationInputError,
  LabelerArgumentError,
} from './errors.js';
export { createLabeler, labelReport, compileLexicons, labelWith, traceReport } from './pipeline.js';
export type { CompiledLexicons, SentenceTrace } from './pipeline.js';
export { assessMention, decide } from './assess.js';
export type { Assessment } from './assess.js';
export { splitSections, selectSections } from './sections.js';
export type { Section, SectionName, SectionPolicy } from './sections.js';
export { splitSentences } from './sentences.js';
export type { SentenceSpan } from './sentences.js';
export { tokenize } from './tokens.js';
export type { Token, TokenKind } from './tokens.js';
export { loadLexicons, defaultLexiconDir, lexiconFilesIn, parseTerm, checkFindingNames, nameKey } from './lexicon.js';
export type { Lexicons, FindingLexicon, LexiconConcept, AbnormalityGroup, NormalStatement } from './lexicon.js';
export { compileTrie, findMentions } from './match.js';
export type { Mention, MatchEntry, MatchKind } from './match.js';
export { loadRules, validateRuleFile, compileTriggers, RULE_KINDS, DIRECTIONS, SCOPES } from './rules.js';
export type { Rule, RuleKind, Direction, Scope } from './rules.js';
export { findTriggers } from './structure.js';
export type { Trigger } from './structure.js';
export { aggregate, blocksNoFinding, ONLY_HEDGED_RULE } from './aggregate.js';
export type { AggregateOptions, UncertaintyPolicy } from './aggregate.js';
export { parseOpenIXml } from './readers/openi-xml.js';
export type { OpenIReport, OpenISection } from './readers/openi-xml.js';
export { parseGoldCsv, parsePredictionCsv, parseCsv, evaluate, formatEvaluation } from './evaluate.js';
export type { Evaluation, ClassScore, Score, LabelTable, PredictionTable } from './evaluate.js';
export { hasOpenIDev, openIDevPaths, PAPER_F1, readOpenIDev } from './openi-benchmark.js';
export type { OpenIDev, OpenIDevPaths } from './openi-benchmark.js';

// The label-reports CLI's building blocks: inputs, outputs, worker threads (see docs/architecture/labeler-io.md).
export { InputError, NothingToLabelError, OutputError, UsageError, WorkerError } from './errors.js';
export { labelFiles } from './label-files.js';
export type { LabelFilesOptions, LabelSummary } from './label-files.js';
export { evaluateFiles } from './evaluate-files.js';
export type { EvaluateFilesOptions } from './evaluate-files.js';
export { createLabelingEngine } from './workers.js';
export type { LabelingEngine, LabelingEngineOptions } from './workers.js';
export type { BatchResult } from './batch.js';
export { isEmptyReport } from './batch.js';
export { readInputFile, readOpenIReport, readReportChunks, readReports, reasonOf } from './readers/index.js';
export type { InputFailure, ReadItem, ReaderOptions, ReadReportsOptions, ReportRecord } from './readers/index.js';
export { discoverInputs, globToRegExp, inputFormatOf, isGlobPattern, STDIN_FORMATS, STDIN_INPUT, STDIN_NAME } from './readers/discover.js';
export type { Discovered, DiscoveredFile, InputFormat, StdinFormat } from './readers/discover.js';
export { checkRunSettings, readResumePoint, readRunSettings, resumeKey, runSettings, writeRunSettings } from './resume.js';
export type { ResumePoint, RunSettings } from './resume.js';
export { threadCpuSeconds } from './thread-cpu.js';
// Shared with the builder and the trainer: one worker bootstrap, one atomic write.
export { startModuleWorker } from './worker-start.js';
export { writeAtomic } from './write-atomic.js';
// Progress display shared with other packages (the dataset builder's progress bar can draw through createStatusLine).
export { createLabelProgress, createStatusLine, formatDuration, progressLine } from './progress.js';
export type { LabelProgress, LabelProgressOptions, StatusLine, StatusLineOptions } from './progress.js';
export { CsvParser, csvField, otherSeparatorHint, parseCsvRecords, readCsvChunks, readCsvRecordChunks, readCsvReports, streamCsvRecords } from './readers/csv.js';
export type { CsvFileOptions, CsvParserOptions, CsvRecord } from './readers/csv.js';
export { parseJsonlReport, readJsonLines, readJsonlChunks, readJsonlReports } from './readers/jsonl.js';
export type { JsonLineReader } from './readers/jsonl.js';
export { decodeUtf8, invalidUtf8Reason, isGzipFile, readTextReport, readTextStream, readUtf8Pieces, utf16Reason } from './readers/text.js';
export type { InvalidByte, TextPiece } from './readers/text.js';
export { CHEXPERT_COLUMNS, CHEXPERT_MAPPING, OUTPUT_FORMATS, createWriter, csvHeader, isOutputFormat, nihFindingLabels, writerColumns } from './writers/index.js';
export type { OutputFormat, ReportWriter, WriterOptions } from './writers/index.js';
export { suggestFlag } from './cli.js';
export { EXIT, EXIT_CODE_MEANINGS, formatExitCodes } from './exit-codes.js';
export type { ExitCode } from './exit-codes.js';
