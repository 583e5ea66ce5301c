// The public API of @cxr8/dataset-builder: what the READMEs and docs use (listed in packages/dataset-builder/README.md,
// "API"). test/public-api.test.ts pins the list: a new export goes there and into the README.

// Building a dataset and importing the NIH release (README: "The library does the same").
export { buildDataset } from './pipeline.js';
export type { BuildOptions, BuildSummary } from './pipeline.js';
export type { ReportColumns, ReportLabeler } from './reports.js';
export type { SplitFractions } from './splits.js';
export { importNih } from './import-nih.js';
export type { ImportNihOptions, ImportNihSummary } from './import-nih.js';
// The command line: main(argv, io) returns the exit code and writes only through io.
export { main } from './cli.js';
export type { CliIo } from './cli.js';

// The shard format the trainer streams (docs/ARCHITECTURE.md, "The shard format"): reader and writer.
export {
  LABEL_NOT_MENTIONED,
  ShardFormatError,
  ShardWriter,
  readShard,
  readShardHeader,
  readShardManifest,
  readSplit,
  writeShardManifest,
} from './shards.js';
export type { Split, ShardHeader, ShardBox, ShardRecord, ShardManifest } from './shards.js';

// DICOM: read, decode, render to 8-bit grayscale or PNG, write (docs/architecture/dicom.md).
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
export { decodeFrame, isSupportedTransferSyntax, SUPPORTED_TRANSFER_SYNTAXES } from './dicom/decode.js';
export type { DecodedFrame, PixelArray } from './dicom/decode.js';
export { renderToGray8, renderToPng } from './dicom/render.js';
export type { PngOptions } from './dicom/render.js';
export { writeDicom, writeDicomSync } from './dicom/write.js';
export type { WriteDicomInput, WriteDicomPixels, DicomItem, DicomValue } from './dicom/write.js';
export { Tag, TransferSyntax, SopClass } from './dicom/dictionary.js';

// Typed errors: every failure of the functions here is one of these.
export {
  BuilderError,
  UsageError,
  RebuildRefusedError,
  ReportSourceError,
  NihFormatError,
  KeyFileError,
  StoreError,
  WorkerError,
  NothingToDoError,
  OutputFolderError,
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
} from './errors.js';
export type { DicomFailureReason } from './errors.js';

// ---------------------------------------------------------------------------------------------------------------
// For the other cxr8 packages (@cxr8/trainer), not a user API: what their src imports by package name. They may
// change with those packages; do not build on them.
// ---------------------------------------------------------------------------------------------------------------
// The NIH release's CSV headers and the seeded generator the trainer's phantoms write NIH-layout data with.
export { DATA_ENTRY_HEADER, BBOX_HEADER } from './exports/nih.js';
export { mulberry32 } from './random.js';
