/**
 * Output formats of `label-reports`: each writer turns a labeled report into text, with a header written once.
 *
 * | format     | columns                                                                   | values                     |
 * |------------|---------------------------------------------------------------------------|----------------------------|
 * | `csv`      | `id`, the label set's findings (14 by default), `No Finding`              | 1, 0, -1, blank            |
 * | `jsonl`    | `{"id", "labels": {label: value}, "evidence": [...]}` a line              | 1, 0, -1 (absent = blank)  |
 * | `chexpert` | the CheXpert labeler's `Reports` + its 14 observations (see chexpert.ts)  | 1.0, 0.0, -1.0, blank      |
 * | `nih`      | `Image Index,Finding Labels` as in NIH's Data_Entry_2017.csv               | `A|B` or `No Finding`      |
 *
 * Writers are pure: `row()` returns a string, so worker threads can format their own rows and the main thread only
 * concatenates them in order.
 */
import type { LabelSet } from '../findings.js';
import { labelSetColumns } from '../label-sets.js';
import type { LabeledReport } from '../types.js';
import { createChexpertWriter } from './chexpert.js';
import { createCsvWriter } from './csv.js';
import { createJsonlWriter } from './jsonl.js';
import { createNihWriter } from './nih.js';

/** The output formats, as `--format` spells them. */
export const OUTPUT_FORMATS = ['csv', 'jsonl', 'chexpert', 'nih'] as const;

/** One of {@link OUTPUT_FORMATS}. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Formats labeled reports. */
export interface ReportWriter {
  /** Text written once before the first row (with its line break), or "" when the format has none. */
  readonly header: string;
  /** One report as text, ending with a line break. `text` is the report text (the chexpert format prints it). */
  row(report: LabeledReport, text: string): string;
}

/** Options of the writers. */
export interface WriterOptions {
  /** The findings that get a column, in order (a labeler's `findings`); wins over `labelSet`. */
  findings?: readonly string[];
  /** A label set by name or alias ('14' default, '8', 'chexpert', ...) or parsed: its findings get a column. */
  labelSet?: LabelSet;
}

/**
 * The finding columns of writer options: `findings`, else those of `labelSet` (default nih14).
 *
 * @example
 * ```ts
 * writerColumns({ labelSet: '8' }).length; // 8
 * ```
 */
export function writerColumns(options: WriterOptions = {}): readonly string[] {
  return options.findings ?? labelSetColumns(options.labelSet ?? 'nih14');
}

/**
 * True when `value` is one of {@link OUTPUT_FORMATS}.
 *
 * @example
 * ```ts
 * isOutputFormat('nih'); // true
 * ```
 */
export function isOutputFormat(value: string): value is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(value);
}

/**
 * Creates the writer of an output format.
 *
 * @example
 * ```ts
 * const writer = createWriter('csv', { labelSet: '8' });
 * process.stdout.write(writer.header + writer.row(createLabeler().label({ id: 'r1', text }), text));
 * ```
 */
export function createWriter(format: OutputFormat, options: WriterOptions = {}): ReportWriter {
  switch (format) {
    case 'csv':
      return createCsvWriter(options);
    case 'jsonl':
      return createJsonlWriter(options);
    case 'chexpert':
      return createChexpertWriter(options);
    case 'nih':
      return createNihWriter(options);
  }
}

export { createChexpertWriter, CHEXPERT_COLUMNS, CHEXPERT_MAPPING } from './chexpert.js';
export { createCsvWriter, csvHeader } from './csv.js';
export { createJsonlWriter } from './jsonl.js';
export { createNihWriter, nihFindingLabels } from './nih.js';
