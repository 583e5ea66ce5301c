/**
 * Stage 3 of `buildDataset`, reports: the report sources and SR documents into the private `reports` table
 * (reports.ts reads the sources through the labeler's readers, which also check their bytes).
 */
import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { hmacId } from '../deidentify.js';
import { isBlankReport, readReportSource } from '../reports.js';
import type { ReportColumns, ReportProblem } from '../reports.js';
import { batcher, recordFailure, statements } from '../store.js';
import { REPORTS_SQL } from '../sql/reports.js';
import { FAILURES_SQL } from '../sql/failures.js';
import { SOURCES_SQL } from '../sql/sources.js';
import type { StageContext } from './context.js';

/** What the reports stage read. */
export interface ReportCounts {
  read: number;
  problems: number;
  sr: number;
  /** Empty or headings-only reports (labeled like any other: No Finding 1). */
  empty: number;
  /** Later rows of a source with the accession (else study UID) of an earlier row of it: joined to that row. */
  addenda: number;
  /** Reports with the accession number (else study UID) of an earlier source's, or repeating a joined text: not used. */
  duplicates: number;
  /** `source:position` of the later rows (addenda and duplicates), the first {@link REPEATED_ROWS_SHOWN}. */
  repeatedRows: string[];
}

/** How many later rows of an accession the summary names. */
const REPEATED_ROWS_SHOWN = 20;
/** What joins a report and its addendum: a blank line. */
const ADDENDUM_JOIN = '\n\n';

/** Options of {@link reportsStage}. */
export interface ReportsOptions {
  /** `--reports` sources in the order given. */
  sources: readonly string[];
  /** Column names of CSV / JSONL reports (`--report-columns`). */
  columns: ReportColumns;
}

/**
 * Stage 3, reports: every `--reports` source, then every SR document's text, into the private `reports` table, one
 * report per accession number (else study UID): later rows of one source are its addenda, joined in file order; a
 * later source's report of that accession is a duplicate, not used. Unusable rows go to `failures`.
 *
 * @example
 * ```ts
 * const reports = await reportsStage(ctx, { sources: ['reports.csv'], columns: DEFAULT_REPORT_COLUMNS });
 * reports.read; // 9
 * ```
 */
export async function reportsStage(ctx: StageContext, options: ReportsOptions): Promise<ReportCounts> {
  const { db, key } = ctx;
  const { sources, columns } = options;
  const problems: ReportProblem[] = [];
  const counts: ReportCounts = { read: 0, problems: 0, sr: 0, empty: 0, addenda: 0, duplicates: 0, repeatedRows: [] };
  // One report per accession number (else study UID). Rows of one source with the same accession are one report
  // and its addenda, as RIS exports write them: joined in file order with a blank line between (a text that repeats
  // one already joined is not added again). A later source's (or SR document's) report of that accession is not used.
  const seenIds = new Map<string, { label: string; position: number; texts: Set<string> }>();
  const textKey = (text: string): string => createHash('sha256').update(text.trim()).digest('hex').slice(0, 16);
  const reports = statements(db, REPORTS_SQL);
  const join = reports.append;
  /** 'first', 'addendum' (joined to the first row) or 'duplicate' (not used). */
  const place = (label: string, position: number, accessionKey: string, studyKey: string, text: string): 'first' | 'addendum' | 'duplicate' => {
    const id = accessionKey !== '' ? `a:${accessionKey}` : `s:${studyKey}`;
    const first = seenIds.get(id);
    if (!first) {
      seenIds.set(id, { label, position, texts: new Set([textKey(text)]) });
      return 'first';
    }
    if (counts.repeatedRows.length < REPEATED_ROWS_SHOWN) counts.repeatedRows.push(`${label}:${position}`);
    const key = textKey(text);
    if (first.label !== label || first.texts.has(key)) {
      counts.duplicates++;
      return 'duplicate';
    }
    first.texts.add(key);
    counts.addenda++;
    batch.add(() => join.run(ADDENDUM_JOIN, text, first.label, first.position));
    return 'addendum';
  };
  // Reports are re-read on every run (they are small next to the images, and may have been corrected); they are
  // inserted in batches as they stream in, so memory does not grow with the number of reports.
  const insert = reports.insert;
  reports.deleteAll.run();
  statements(db, FAILURES_SQL).deleteReports.run();
  const batch = batcher(db, 1000);
  let read = 0;
  const labels = new Set<string>();
  for (const source of sources) {
    // Listings name a source by its file name; a second source with the same name gets "#2", "#3", ...
    let label = basename(source);
    for (let i = 2; labels.has(label); i++) label = `${basename(source)}#${i}`;
    labels.add(label);
    const before = problems.length;
    for await (const r of readReportSource(resolve(source), columns, problems)) {
      const row = [label, r.position, hmacId(key, r.accession), hmacId(key, r.studyUid), r.text] as const;
      if (place(label, r.position, row[2], row[3], r.text) !== 'first') continue;
      batch.add(() => insert.run(...row));
      read++;
      if (isBlankReport(r.text)) counts.empty++;
    }
    for (const p of problems.slice(before)) p.source = label;
  }
  const srs = statements(db, SOURCES_SQL).srDocuments.all() as {
    ref: string;
    accession_key: string;
    study_key: string;
    sr_text: string | null;
  }[];
  let position = 0;
  for (const sr of srs) {
    position++;
    // An SR document without text is an empty report, labeled like any other (reports.ts, isBlankReport).
    const row = ['dicom-sr', position, sr.accession_key, sr.study_key, sr.sr_text ?? ''] as const;
    // SR documents are a source of their own: a second SR of an accession is an addendum too.
    if (place('dicom-sr', position, row[2], row[3], row[4]) !== 'first') continue;
    batch.add(() => insert.run(...row));
    read++;
    counts.sr++;
    if (isBlankReport(row[4])) counts.empty++;
  }
  for (const p of problems) batch.add(() => recordFailure(db, `${p.source}:${p.position}`, 'reports', p.reason));
  batch.flush();
  counts.read = read;
  counts.problems = problems.length;
  return counts;
}

