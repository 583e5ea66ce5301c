/**
 * The labeler's csv format: `id`, one column per finding in ChestX-ray14 order, then `No Finding`; values 1
 * (positive), 0 (negative), -1 (uncertain) or blank (not mentioned). With the 8-class option, the 8 ChestX-ray8
 * findings only.
 */
import { findingsOf, NO_FINDING, type Label } from '../findings.js';
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
  return ['id', ...findingsOf(labelSet), NO_FINDING].join(',');
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
  const labels: readonly Label[] = [...findingsOf(options.labelSet), NO_FINDING];
  return {
    header: `${csvHeader(options.labelSet)}\n`,
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
