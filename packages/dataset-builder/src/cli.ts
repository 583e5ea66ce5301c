/**
 * The `build-dataset` command line: argument parsing only. The work is done by `buildDataset` (pipeline.ts) and
 * `importNih` (import-nih.ts); one top-level catch maps errors to exit codes:
 *
 * | code | meaning |
 * |---|---|
 * | 0 | done, nothing failed |
 * | 1 | done, but some items failed (listed in the `failures` table; the summary says how many) |
 * | 2 | bad usage: unknown flag, missing or malformed argument |
 * | 3 | an input or output could not be used at all (reports file, NIH file, database, key file, labeler lexicon) |
 * | 70 | an unexpected internal error (a bug: please report it with the message) |
 */
import { parseArgs } from 'node:util';
import { BuilderError, UsageError } from './errors.js';
import { buildDataset } from './pipeline.js';
import type { BuildSummary } from './pipeline.js';
import { importNih } from './import-nih.js';
import type { ImportNihSummary } from './import-nih.js';
import { parseSplitSpec } from './splits.js';
import { parseReportColumns } from './reports.js';

const VERSION = '0.1.0';

export const BUILD_HELP = `build-dataset: a PACS export (DICOM + reports) to a de-identified, labeled, patient-split chest X-ray dataset

Usage:
  build-dataset --dicom DIR [--reports FILE_OR_DIR ...] --out DIR [options]
  build-dataset import-nih --data-entry Data_Entry_2017.csv [--bbox BBox_List_2017.csv]
                [--train-val-list train_val_list.txt --test-list test_list.txt] [--images DIR] --out DIR [options]

Build options:
  --dicom DIR             the DICOM export; files are found by content, in any folder layout (required)
  --reports PATH          reports: a CSV, a JSONL file, or a folder of <accession>.txt; repeatable.
                          DICOM SR documents in the --dicom tree are read as reports too
  --report-columns SPEC   CSV/JSONL column names, e.g. accession=acc_no,text=report,study_uid=suid
                          (default accession=accession_number,text=report_text,study_uid=study_instance_uid)
  --out DIR               the dataset folder to write or resume (required)
  --key-file PATH         the private key file (HMAC key, pseudonym table, export index); must be outside --out.
                          Default: <out>.cxr8-private.sqlite beside the dataset folder. Keep it private; keep it to
                          rebuild with the same pseudonyms
  --size N                PNG size in pixels (default 1024, as NIH)
  --keep-report-text      store report text (identifiers and dates replaced by XXXX) in studies.report_text
  --stratify              stratify the patient split by label (deterministic, but not stable when data is added)

Common options:
  --seed S                split seed (default cxr8, or the one the dataset was split with)
  --split T,V,E           train,val,test percentages (default 70,10,20); import-nih uses T:V inside train_val
  --shard-size N          shard image size (default 224; 0 = no shards)
  --shard-records N       images per shard file (default 1000)
  --workers N             worker threads for decoding and PNG writing (default: cores - 1; 0 = main thread)
  --quiet                 no progress lines on stderr
  --json                  print the summary as JSON
  -h, --help              this help
  --version               the version

import-nih options:
  --data-entry FILE       Data_Entry_2017.csv or _v2020 (.csv.gz accepted) (required)
  --bbox FILE             BBox_List_2017.csv
  --train-val-list FILE   official train_val_list.txt (with --test-list)
  --test-list FILE        official test_list.txt (with --train-val-list)
  --images DIR            folder of the release PNGs (searched recursively); with it, shards are written

Exit codes: 0 ok; 1 some items failed (see the failures table); 2 bad usage; 3 unusable input or output; 70 bug.
`;

function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name}: expected a non-negative integer, found "${value}"`);
  return n;
}

function formatBuild(s: BuildSummary): string {
  const lines = [
    `build-dataset: ${s.out}`,
    `  files      ${s.files.seen} seen: ${s.files.dicom} DICOM, ${s.files.nonDicom} not DICOM, ${s.files.dicomDir} DICOMDIR, ${s.files.unreadable} unreadable; ${s.files.indexedThisRun} indexed now, ${s.files.skippedAsDone} already done${s.files.removed > 0 ? `, ${s.files.removed} gone from the export` : ''}`,
    `  images     ${s.images.selected} frontal chest images selected, ${s.images.excluded} excluded, ${s.images.duplicates} duplicates; ${s.images.inDataset} in the dataset (rendered and labeled); ${s.images.rendered} rendered (${s.images.renderedThisRun} now)`,
    `  reports    ${s.reports.read} read (${s.reports.srDocuments} SR documents), ${s.reports.problems} unusable; ${s.images.withoutReport} images without a report, ${s.reports.withoutImage} reports without an image`,
    `  labels     ${s.labeledThisRun} studies labeled now`,
    `  patients   ${s.patients}; images train ${s.splits.train}, val ${s.splits.val}, test ${s.splits.test}`,
    `  shards     ${s.shards ? `${s.shards.shards} files, ${s.shards.records} images at ${s.shards.size}px${s.shards.skipped ? ' (up to date)' : ''}` : 'none'}`,
    `  key file   ${s.keyFile} (private: keep it outside the shared dataset)`,
    `  failed     ${s.failed}${s.failed > 0 ? ' (SELECT * FROM failures in dataset.sqlite)' : ''}`,
    `  time       ${s.seconds.toFixed(1)} s`,
  ];
  for (const f of s.failures) lines.push(`  ! ${f.stage} ${f.file}${f.path ? ` (${f.path})` : ''}: ${f.reason}`);
  if (s.failed > s.failures.length) lines.push(`  ! ... and ${s.failed - s.failures.length} more`);
  return `${lines.join('\n')}\n`;
}

function formatImport(s: ImportNihSummary): string {
  const lines = [
    `build-dataset import-nih: ${s.out}`,
    `  images     ${s.images} of ${s.patients} patients; train_val ${s.trainVal} (train ${s.splits.train}, val ${s.splits.val}), test ${s.test}`,
    `  boxes      ${s.boxes}`,
    `  pngs       ${s.pngs ? `${s.pngs.found} found, ${s.pngs.missing} missing` : 'metadata only (no --images)'}`,
    `  shards     ${s.shards ? `${s.shards.shards} files, ${s.shards.records} images at ${s.shards.size}px${s.shards.skipped ? ' (up to date)' : ''}` : 'none'}`,
    `  failed     ${s.failed}${s.failed > 0 ? ' (SELECT * FROM failures in dataset.sqlite)' : ''}`,
    `  time       ${s.seconds.toFixed(1)} s`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Where `main` writes; replaceable in tests. */
export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
}

/**
 * Runs the command line and returns the exit code (never throws, never calls process.exit).
 *
 * @example
 * ```ts
 * process.exitCode = await main(['--dicom', 'fixtures/pacs/dicom', '--reports', 'fixtures/pacs/reports.csv', '--out', 'out/demo']);
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    const command = argv[0] === 'import-nih' ? 'import-nih' : argv[0] === 'build' ? 'build' : 'build';
    const rest = argv[0] === 'import-nih' || argv[0] === 'build' ? argv.slice(1) : argv;
    let parsed;
    try {
      parsed = parseArgs({
        args: [...rest],
        strict: true,
        allowPositionals: false,
        options: {
          dicom: { type: 'string' },
          reports: { type: 'string', multiple: true },
          'report-columns': { type: 'string' },
          out: { type: 'string' },
          'key-file': { type: 'string' },
          size: { type: 'string' },
          'keep-report-text': { type: 'boolean' },
          stratify: { type: 'boolean' },
          seed: { type: 'string' },
          split: { type: 'string' },
          'shard-size': { type: 'string' },
          'shard-records': { type: 'string' },
          workers: { type: 'string' },
          quiet: { type: 'boolean' },
          json: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
          version: { type: 'boolean' },
          'data-entry': { type: 'string' },
          bbox: { type: 'string' },
          'train-val-list': { type: 'string' },
          'test-list': { type: 'string' },
          images: { type: 'string' },
        },
      });
    } catch (cause) {
      throw new UsageError(`${(cause as Error).message} (see --help)`, { cause });
    }
    const v = parsed.values;
    if (v.help) {
      io.stdout.write(BUILD_HELP);
      return 0;
    }
    if (v.version) {
      io.stdout.write(`${VERSION}\n`);
      return 0;
    }
    const progress = v.quiet ? null : (io.stderr as NodeJS.WriteStream);
    const common = {
      seed: v.seed,
      split: v.split !== undefined ? parseSplitSpec(v.split) : undefined,
      shardSize: intOption('shard-size', v['shard-size']),
      shardRecords: intOption('shard-records', v['shard-records']),
      workers: intOption('workers', v.workers),
      progress,
    };
    if (command === 'import-nih') {
      if (!v['data-entry']) throw new UsageError('import-nih: --data-entry is required (the path of Data_Entry_2017.csv); see --help');
      if (!v.out) throw new UsageError('import-nih: --out is required (the dataset folder to write); see --help');
      const summary = await importNih({
        dataEntry: v['data-entry'],
        bbox: v.bbox,
        trainValList: v['train-val-list'],
        testList: v['test-list'],
        images: v.images,
        out: v.out,
        ...stripUndefined(common),
      });
      io.stdout.write(v.json ? `${JSON.stringify(summary, null, 2)}\n` : formatImport(summary));
      return summary.failed > 0 ? 1 : 0;
    }
    if (!v.dicom) throw new UsageError('--dicom is required (the folder of the DICOM export), e.g. --dicom fixtures/pacs/dicom; see --help');
    if (!v.out) throw new UsageError('--out is required (the dataset folder to write), e.g. --out out/demo; see --help');
    const summary = await buildDataset({
      dicomDir: v.dicom,
      reports: v.reports ?? [],
      reportColumns: parseReportColumns(v['report-columns']),
      out: v.out,
      ...stripUndefined({ keyFile: v['key-file'], size: intOption('size', v.size), keepReportText: v['keep-report-text'], stratify: v.stratify, ...common }),
    });
    io.stdout.write(v.json ? `${JSON.stringify(summary, null, 2)}\n` : formatBuild(summary));
    return summary.failed > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message}\n`);
      return 2;
    }
    if (error instanceof BuilderError || (error instanceof Error && error.message.startsWith('@cxr8/'))) {
      // Typed errors of this package and of @cxr8/labeler (a bad lexicon file, say) name the input at fault.
      io.stderr.write(`${error.message}\n`);
      return 3;
    }
    io.stderr.write(`@cxr8/dataset-builder: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 70;
  }
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
