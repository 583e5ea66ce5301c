/**
 * The jsonl format: one object a line, `{"id", "labels", "evidence"}`. `labels` holds the mentioned labels only (in
 * column order; an absent label was not mentioned) and `evidence` every decision with its span, sentence, section,
 * concept and rule, as `LabeledReport` defines them.
 */
import { NO_FINDING, type Label } from '../findings.js';
import { labelSetColumns } from '../label-sets.js';
import type { LabeledReport, LabelValue } from '../types.js';
import type { ReportWriter, WriterOptions } from './index.js';

/**
 * Creates the jsonl writer.
 *
 * @example
 * ```ts
 * createJsonlWriter().row({ id: 'CXR1', labels: { Effusion: 0 }, evidence: [] }, '');
 * // '{"id":"CXR1","labels":{"Effusion":0},"evidence":[]}\n'
 * ```
 */
export function createJsonlWriter(options: WriterOptions = {}): ReportWriter {
  const labels: readonly Label[] = [...(options.findings ?? labelSetColumns(options.labelSet ?? 'nih14')), NO_FINDING];
  return {
    header: '',
    row(report: LabeledReport): string {
      const ordered: Partial<Record<Label, LabelValue>> = {};
      for (const label of labels) {
        const value = report.labels[label];
        if (value !== undefined) ordered[label] = value;
      }
      const evidence = report.evidence.filter((e) => labels.includes(e.label));
      return `${JSON.stringify({ id: report.id, labels: ordered, evidence })}\n`;
    },
  };
}
