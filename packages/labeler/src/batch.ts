/**
 * Labels a batch of reports and formats them: the unit of work of the main thread and of each worker thread.
 */
import type { InputFailure, ReportRecord } from './readers/records.js';
import { splitSections } from './sections.js';
import type { Labeler } from './types.js';
import type { ReportWriter } from './writers/index.js';

/** The formatted output of a batch, and the reports the labeler failed on. */
export interface BatchResult {
  /** The rows of the labeled reports, in batch order. */
  output: string;
  /** Reports labeled. */
  labeled: number;
  /** Of those, reports that were empty or held only section headings ({@link isEmptyReport}). */
  empty: number;
  /** Reports the labeler threw on (each named with its source); they have no row. */
  failures: InputFailure[];
}

/**
 * True when a report has no text to label: empty, blank, or section headings only ("FINDINGS:\nIMPRESSION:"). Such a
 * report is labeled like any other (nothing abnormal is stated: No Finding 1, as the OpenI gold standard marks its 11
 * empty dev reports normal); the run counts them so that a column of blanks in an export does not pass unseen.
 *
 * @example
 * ```ts
 * isEmptyReport('FINDINGS:\nIMPRESSION:\n'); // true
 * isEmptyReport('IMPRESSION: Normal.');       // false
 * ```
 */
export function isEmptyReport(text: string): boolean {
  if (!/[\p{L}\p{N}]/u.test(text)) return true;
  return splitSections(text).every((s) => !/[\p{L}\p{N}]/u.test(text.slice(s.start, s.end)));
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
  let empty = 0;
  const failures: InputFailure[] = [];
  for (const report of reports) {
    try {
      output += writer.row(labeler.label({ id: report.id, text: report.text }), report.text);
      labeled++;
      if (isEmptyReport(report.text)) empty++;
    } catch (error) {
      const message = error instanceof Error ? error.message.replace(/^@cxr8\/labeler: /, '') : String(error);
      failures.push({ source: report.source, reason: `the labeler failed on this report: ${message}` });
    }
  }
  return { output, labeled, empty, failures };
}
