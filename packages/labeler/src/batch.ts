/**
 * Labels a batch of reports and formats them: the unit of work of the main thread and of each worker thread.
 */
import type { InputFailure, ReportRecord } from './readers/records.js';
import type { Labeler } from './types.js';
import type { ReportWriter } from './writers/index.js';

/** The formatted output of a batch, and the reports the labeler failed on. */
export interface BatchResult {
  /** The rows of the labeled reports, in batch order. */
  output: string;
  /** Reports labeled. */
  labeled: number;
  /** Reports the labeler threw on (each named with its source); they have no row. */
  failures: InputFailure[];
}

/**
 * Labels and formats a batch. A report the labeler throws on becomes a failure; the others are labeled.
 *
 * @example
 * ```ts
 * const result = labelBatch(createLabeler(), createWriter('csv'), [{ id: 'r1', text: 'No effusion.', source: 'a.txt' }]);
 * result.output; // "r1,,,0,,,,,,,,,,,,\n"
 * ```
 */
export function labelBatch(labeler: Labeler, writer: ReportWriter, reports: readonly ReportRecord[]): BatchResult {
  let output = '';
  let labeled = 0;
  const failures: InputFailure[] = [];
  for (const report of reports) {
    try {
      output += writer.row(labeler.label({ id: report.id, text: report.text }), report.text);
      labeled++;
    } catch (error) {
      const message = error instanceof Error ? error.message.replace(/^@cxr8\/labeler: /, '') : String(error);
      failures.push({ source: report.source, reason: `the labeler failed on this report: ${message}` });
    }
  }
  return { output, labeled, failures };
}
