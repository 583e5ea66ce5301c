/**
 * Stage 5 of `buildDataset`, label: the studies' reports through the build's labeler (`@cxr8/labeler`, label-set.ts),
 * into `labels`.
 */
import { storedReportLabels } from '../reports.js';
import type { ReportLabeler } from '../reports.js';
import { SCRUBBER_VERSION, parseHeaderIdentifiers, scrubEvidence } from '../scrub.js';
import { batcher, statements } from '../store.js';
import { reportTextFor } from '../sql/reports.js';
import { STUDIES_SQL } from '../sql/studies.js';
import { IMAGES_SQL } from '../sql/images.js';
import { LABELS_SQL } from '../sql/labels.js';
import { createProgress } from '../progress.js';
import type { StageContext } from './context.js';

/** Options of {@link labelStage}. */
export interface LabelOptions {
  /** The build's labeler (label-set.ts `loadBuildLabelSet`). */
  labeler: ReportLabeler;
  /** `--keep-report-text`: evidence keeps its sentences, scrubbed. */
  keepText: boolean;
  /** The label set's digest (set and lexicons): another set relabels every study in place. */
  labelSetDigest: string;
}

/**
 * Stage 5, label: each study whose report (or label set, or scrubber version) changed is labeled once; its labels
 * (1 / 0 / -1 with evidence) go to each of its images. Returns how many studies were labeled.
 *
 * @example
 * ```ts
 * labelStage(ctx, { labeler: labelSet.labeler, keepText: false, labelSetDigest: labelSet.digest }); // 9, then 0 on a re-run
 * ```
 */
export function labelStage(ctx: StageContext, options: LabelOptions): number {
  const { db } = ctx;
  const { labeler, keepText, labelSetDigest } = options;
  const progressStream = ctx.progress;
  // Evidence with sentences is keyed by the scrubber's version too: a new scrubber, or the flag turned on or off,
  // labels the studies again (sentences scrubbed anew, or dropped). So is the label set (its findings, rules and
  // lexicons, label-set.ts): another set relabels every study in place, old rows replaced.
  const digestSuffix = `${keepText ? `:text-${SCRUBBER_VERSION}` : ''}:labels-${labelSetDigest.slice(0, 16)}`;
  const todo = statements(db, STUDIES_SQL).toLabel.all(digestSuffix) as { id: number; source_key: string; report_digest: string; accession_key: string | null; scrub: string | null }[];
  if (todo.length === 0) return 0;
  const images = statements(db, IMAGES_SQL);
  const labels = statements(db, LABELS_SQL);
  const imagesOf = images.idsOfStudy.pluck();
  const clear = labels.deleteOfImage;
  const insert = labels.insert;
  const done = images.setLabelDigest;
  const batch = batcher(db, 100);
  const progress = createProgress({ label: 'label', total: todo.length, stream: progressStream });
  for (const study of todo) {
    const report = reportTextFor(db, study.accession_key ?? '', study.source_key);
    if (!report) continue;
    const labeled = storedReportLabels(labeler, `study-${study.id}`, report.text, keepText);
    // Sentences and mentions are stored as they read in the scrubbed report (scrub.ts), never as written.
    const header = keepText ? parseHeaderIdentifiers(study.scrub) : {};
    const result = keepText ? { labels: labeled.labels.map((l) => ({ ...l, evidence: scrubEvidence(report.text, header, l.evidence) })) } : labeled;
    const imageIds = imagesOf.all(study.id) as number[];
    batch.add(() => {
      for (const imageId of imageIds) {
        clear.run(imageId);
        for (const l of result.labels) insert.run(imageId, l.finding, l.value, JSON.stringify(l.evidence));
        done.run(study.report_digest + digestSuffix, imageId);
      }
    });
    progress.tick();
  }
  batch.flush();
  progress.done();
  return todo.length;
}

