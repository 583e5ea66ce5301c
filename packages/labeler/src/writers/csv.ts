/**
 * The labeler's csv format: `id`, one column per finding of the label set in its order (ChestX-ray14's by default),
 * then `No Finding`; values 1 (positive), 0 (negative), -1 (uncertain) or blank (not mentioned).
 */
import { NO_FINDING, type Label } from '../findings.js';
import { labelSetColumns } from '../label-sets.js';
import type { LabeledReport } from '../types.js';
import { csvField } from '../readers/csv.js';
import type { ReportWriter, WriterOptions } from './index.js';

/**
 * The csv header of a label set, without a line break.
 *
 * @example
 * ```ts
 * csvHeader('8'); // "id,Atelectasis,Cardiomegaly,Effusion,Infiltration,Mass,Nodule,Pneumonia,Pneumothorax,No Finding"
 * ```
 */
export function csvHeader(labelSet: WriterOptions['labelSet'] = '14'): string {
  return ['id', ...labelSetColumns(labelSet), NO_FINDING].join(',');
}

/**
 * Creates the csv writer.
 *
 * @example
 * ```ts
 * const w = createCsvWriter();
 * w.row({ id: 'CXR1', labels: { Effusion: 1, 'No Finding': undefined }, evidence: [] }, '');
 * // "CXR1,,,1,,,,,,,,,,,,\n"
 * ```
 */
export function createCsvWriter(options: WriterOptions = {}): ReportWriter {
  const findings = options.findings ?? labelSetColumns(options.labelSet ?? 'nih14');
  const labels: readonly Label[] = [...findings, NO_FINDING];
  return {
    header: `${['id', ...labels].map(csvField).join(',')}\n`,
    row(report: LabeledReport): string {
      let line = csvField(report.id);
      for (const label of labels) {
        const value = report.labels[label];
        line += value === undefined ? ',' : `,${value}`;
      }
      return `${line}\n`;
    },
  };
}
