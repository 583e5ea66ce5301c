/**
 * The NIH format of ChestX-ray14's `Data_Entry_2017.csv`, first two columns: `Image Index,Finding Labels`. The labels
 * follow the csv format's columns, so the two formats never disagree:
 *
 * - the findings that are 1, joined by "|" in the label set's order (ChestX-ray14's by default), when there is one;
 * - else "No Finding" when the csv's No Finding is 1;
 * - else "" (empty): nothing is positive but something is uncertain or abnormal beyond the findings (No Finding 0 or
 *   -1), e.g. "Possible mass." (Mass -1). Writing "No Finding" there would call a suspected mass normal.
 *
 * Uncertain (-1) findings are positive only under `--uncertain positive` (the labeler has then made them 1). The
 * report id fills the `Image Index` column.
 */
import { NO_FINDING } from '../findings.js';
import { labelSetColumns } from '../label-sets.js';
import type { LabeledReport } from '../types.js';
import { csvField } from '../readers/csv.js';
import type { ReportWriter, WriterOptions } from './index.js';

/**
 * The `Finding Labels` value of a labeled report.
 *
 * @example
 * ```ts
 * nihFindingLabels({ id: 'r', labels: { Effusion: 1, Atelectasis: 1, Edema: 0 }, evidence: [] });  // "Atelectasis|Effusion"
 * nihFindingLabels({ id: 'r', labels: { Edema: 0, 'No Finding': 1 }, evidence: [] });               // "No Finding"
 * nihFindingLabels({ id: 'r', labels: { Mass: -1, 'No Finding': 0 }, evidence: [] });               // ""
 * ```
 */
export function nihFindingLabels(report: LabeledReport, labelSet: WriterOptions['labelSet'] | readonly string[] = '14'): string {
  const findings = Array.isArray(labelSet) ? (labelSet as readonly string[]) : labelSetColumns(labelSet as WriterOptions['labelSet']);
  const positives = findings.filter((f) => report.labels[f] === 1);
  if (positives.length > 0) return positives.join('|');
  return report.labels[NO_FINDING] === 1 ? NO_FINDING : '';
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
  const findings = options.findings ?? labelSetColumns(options.labelSet ?? 'nih14');
  return {
    header: 'Image Index,Finding Labels\n',
    row(report: LabeledReport): string {
      return `${csvField(report.id)},${nihFindingLabels(report, findings)}\n`;
    },
  };
}
