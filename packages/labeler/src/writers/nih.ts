/**
 * The NIH format of ChestX-ray14's `Data_Entry_2017.csv`, first two columns: `Image Index,Finding Labels`, where the
 * labels are the positive findings joined by "|" in ChestX-ray14 order, or "No Finding" when there is none (NIH's
 * meaning: none of the 14, as in the released metadata). Uncertain (-1) findings are not positive here; choose
 * `--uncertain positive` to count them. The report id fills the `Image Index` column.
 */
import { findingsOf, NO_FINDING } from '../findings.js';
import type { LabeledReport } from '../types.js';
import { csvField } from '../readers/csv.js';
import type { ReportWriter, WriterOptions } from './index.js';

/**
 * The `Finding Labels` value of a labeled report.
 *
 * @example
 * ```ts
 * nihFindingLabels({ id: 'r', labels: { Effusion: 1, Atelectasis: 1, Edema: 0 }, evidence: [] }); // "Atelectasis|Effusion"
 * nihFindingLabels({ id: 'r', labels: { Edema: -1 }, evidence: [] });                             // "No Finding"
 * ```
 */
export function nihFindingLabels(report: LabeledReport, labelSet: WriterOptions['labelSet'] = '14'): string {
  const positives = findingsOf(labelSet).filter((f) => report.labels[f] === 1);
  return positives.length > 0 ? positives.join('|') : NO_FINDING;
}

/**
 * Creates the nih writer.
 *
 * @example
 * ```ts
 * createNihWriter().row({ id: '00000001_000.png', labels: { Cardiomegaly: 1 }, evidence: [] }, '');
 * // "00000001_000.png,Cardiomegaly\n"
 * ```
 */
export function createNihWriter(options: WriterOptions = {}): ReportWriter {
  return {
    header: 'Image Index,Finding Labels\n',
    row(report: LabeledReport): string {
      return `${csvField(report.id)},${nihFindingLabels(report, options.labelSet)}\n`;
    },
  };
}
