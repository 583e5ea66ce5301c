export {
  SHARD_MAGIC,
  LABEL_NOT_MENTIONED,
  ShardFormatError,
  ShardWriter,
  encodeShardHeader,
  encodeShardRecord,
  decodeShardRecord,
  readShard,
  readShardHeader,
  readShardManifest,
  writeShardManifest,
  readSplit,
} from './shards.js';
export type { Split, ShardHeader, ShardBox, ShardRecord, ShardManifest } from './shards.js';
// DICOM reading, decoding, rendering and writing (src/dicom/**; docs/architecture/dicom.md).
export { isDicom, parseDicom, DicomDataSet } from './dicom/parse.js';
export type {
  ParsedDicom,
  ParseOptions,
  DicomHeader,
  PixelModule,
  DicomLut,
  DicomWindow,
  DicomElement,
  Fragment,
  PixelDataLocation,
} from './dicom/parse.js';
export {
  decodeFrame,
  checkPixelModule,
  isSupportedTransferSyntax,
  SUPPORTED_TRANSFER_SYNTAXES,
  MAX_DIMENSION,
  MAX_PIXELS,
} from './dicom/decode.js';
export type { DecodedFrame, PixelArray } from './dicom/decode.js';
export {
  renderFrameToGray8,
  resizeGray8,
  encodeGray8Png,
  renderToGray8,
  renderToPng,
  voiLinear,
  voiLinearExact,
  voiSigmoid,
  checkNotBlank,
} from './dicom/render.js';
export type { PngOptions } from './dicom/render.js';
export { writeDicom, writeDicomSync, IMPLEMENTATION_CLASS_UID } from './dicom/write.js';
export type { WriteDicomInput, WriteDicomPixels, DicomItem, DicomValue } from './dicom/write.js';
export { Tag, TransferSyntax, SopClass, formatTag } from './dicom/dictionary.js';
export {
  DicomError,
  NotDicomError,
  TruncatedDicomError,
  MalformedDicomError,
  NoPixelDataError,
  AbsurdDimensionsError,
  InvalidPixelModuleError,
  UnsupportedTransferSyntaxError,
  UnsupportedPhotometricError,
  PixelDecodeError,
  BlankImageError,
  DicomWriteError,
  thrownText,
  isCleanReason,
} from './errors.js';
export type { DicomFailureReason } from './errors.js';
export { BuilderError, UsageError, ReportSourceError, NihFormatError, KeyFileError, StoreError, WorkerError, NothingToDoError, OutputFolderError } from './errors.js';
export { buildDataset, defaultWorkers, fileRef } from './pipeline.js';
export type { BuildOptions, BuildSummary } from './pipeline.js';
export { importNih, readDataEntry, readBboxList, readImageList, normalizeNihFinding } from './import-nih.js';
export type { ImportNihOptions, ImportNihSummary, NihEntry } from './import-nih.js';
export { discoverDicom, emptyDiscoverCounts, isDicomDirName, ownOutputPaths } from './discover.js';
export type { DiscoveredFile, DiscoverCounts, DiscoverOptions } from './discover.js';
export { selectImage, viewFromText, identifiablePixels } from './select.js';
export type { Selection, SelectableHeader, SelectionOptions, FrontalView } from './select.js';
export { hmacId, imageIndexName, ageInYears, normalizeSex, defaultKeyFile, assertOutsideDataset, scrubText, parseDicomDate } from './deidentify.js';
export { scrubReportText, findPhi, applySpans, scrubExcerpt, scrubEvidence, scrubbedOffset, headerIdentifiersOf, parseHeaderIdentifiers, mergeHeaderIdentifiers, PLACEHOLDERS, SCRUBBER_VERSION } from './scrub.js';
export type { HeaderIdentifiers, PhiKind, PhiSpan, QuotingEvidence, ScrubbableHeader } from './scrub.js';
export { readReportSource, readTextChunks, invalidByteReason, checkReportSources, parseReportColumns, storedReportLabels, loadDefaultLabeler, isBlankReport, datasetLabels, DEFAULT_REPORT_COLUMNS, DATASET_LABELS } from './reports.js';
export { loadBuildLabelSet, labelSetDigest, readRecordedLabelSet, recordedLabelSetOf, recordLabelSet, DEFAULT_LABEL_SET } from './label-set.js';
export type { BuildLabelSet, LabelSetOptions, RecordedLabelSet } from './label-set.js';
export { checkOutFolder, assertDicomPresent, checkKeyMatchesDataset, keyId, resolveRecordedOptions, DEFAULT_RECORDED_OPTIONS } from './run-setup.js';
export type { RecordedOptions, DatasetKind } from './run-setup.js';
export type { ReportRecord, ReportProblem, ReportColumns, ReportLabeler, ReportLabels, StoredEvidence } from './reports.js';
export { parseSplitSpec, patientHash, patientDigest, assignSplit, splitOfPosition, stratifiedSplits, stratumOf, DEFAULT_SPLIT } from './splits.js';
export type { SplitFractions } from './splits.js';
export { openStore, setMeta, getMeta, recordFailure, DATASET_SCHEMA, PRIVATE_SCHEMA, SCHEMA_VERSION } from './store.js';
export type { Store } from './store.js';
export { writeNihExports, dataEntryCsv, splitLists, bboxCsv, bboxLabelName, DATA_ENTRY_HEADER, BBOX_HEADER } from './exports/nih.js';
export { writeChexpertCsv, chexpertCsv } from './exports/chexpert.js';
export { writeDatasetShards, shardFindings } from './exports/shards.js';
export type { ShardsSummary, ShardOptions } from './exports/shards.js';
export { createProgress, progressLine, formatDuration } from './progress.js';
export type { Progress, ProgressOptions } from './progress.js';
export { main } from './cli.js';
export { mulberry32 } from './random.js';
