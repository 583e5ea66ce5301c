/**
 * Stage 4 of `buildDataset`, assign: patients, studies and image rows of the dataset from the private index
 * (deidentify.ts, splits.ts, copies.ts).
 */
import { createHmac } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { dropExcludedImages, keptCopy } from '../copies.js';
import { mergeHeaderIdentifiers, parseHeaderIdentifiers, scrubReportText } from '../scrub.js';
import { assignSplit } from '../splits.js';
import type { SplitFractions } from '../splits.js';
import { statements } from '../store.js';
import { REPORTS_SQL, UNMATCHED_REPORTS_SQL, reportTextFor } from '../sql/reports.js';
import { SOURCES_SQL } from '../sql/sources.js';
import { PATIENTS_SQL } from '../sql/patients.js';
import { STUDIES_SQL } from '../sql/studies.js';
import { IMAGES_SQL } from '../sql/images.js';
import { EXCLUDED_SQL, FAILURES_SQL } from '../sql/failures.js';
import type { StageContext } from './context.js';

interface SourceImage {
  path: string;
  study_time: string | null;
  series_number: number | null;
  instance_number: number | null;
  acquired: string | null;
  ref: string;
  sop_key: string;
  patient_key: string;
  study_key: string;
  accession_key: string;
  study_date: string | null;
  age_years: number | null;
  sex: string | null;
  view: string;
  rows: number | null;
  columns: number | null;
  spacing_x: number | null;
  spacing_y: number | null;
  scrub: string | null;
  /** splits.ts `patientDigest`; NULL in an index made before it (re-read once, see store.ts). */
  patient_digest: string | null;
  /** What this copy did in the render stage (copies.ts): NULL, 'rendered', or why it does not render. */
  reason: string | null;
}

/** What the assign stage found. */
export interface AssignCounts {
  selected: number;
  excluded: number;
  duplicates: number;
  withoutReport: number;
  reportsWithoutImage: number;
}

/** A DICOM time (TM, PS3.5 6.2: "HHMMSS.FFFFFF", or the old "HH:MM:SS") as comparable digits; '' when absent. */
function timeKey(value: string | null): string {
  return (value ?? '').replaceAll(':', '').trim();
}

/** When a study was made, as a sortable string: its earliest Study Date, then Study Time, of its images. */
function whenOf(list: readonly SourceImage[]): string {
  return list.reduce((m, s) => {
    const w = `${s.study_date ?? ''} ${timeKey(s.study_time)}`;
    return w < m ? w : m;
  }, '\uffff');
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Images of one study in acquisition order: Series Number, Instance Number, Acquisition DateTime, then path. */
function compareInStudy(a: SourceImage, b: SourceImage): number {
  const num = (x: number | null, y: number | null): number => (x === y ? 0 : x === null ? 1 : y === null ? -1 : x - y);
  return num(a.series_number, b.series_number) || num(a.instance_number, b.instance_number) || compareText(a.acquired ?? '', b.acquired ?? '') || compareText(a.path, b.path);
}

/** Options of {@link assignStage}. */
export interface AssignOptions {
  /** The split seed (`--seed`). */
  seed: string;
  /** The split fractions (`--split`). */
  split: SplitFractions;
  /** `--stratify`: new patients get a provisional ('pending') hash split, dealt out after labeling (split.ts). */
  stratify: boolean;
  /** `--keep-report-text`: store each study's report, scrubbed (scrub.ts). */
  keepReportText: boolean;
}

/** The first 32 hex digits of HMAC-SHA-256(key, text): a report's digest, keyed so that it cannot be looked up. */
function keyDigest(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('hex').slice(0, 32);
}

/** `items` grouped by `keyOf`, groups and items in first-seen order. */
function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * The copy of each instance that gives its image the header fields: the one that rendered, else the first in path
 * order not known to fail (copies.ts); the others are duplicates (the render stage tries them when it does not
 * render, and settleCopies records the duplicates once that is known).
 */
function canonicalCopies(sources: readonly SourceImage[]): { canonical: Map<string, SourceImage>; duplicates: { ref: string; reason: string }[] } {
  const canonical = new Map<string, SourceImage>();
  const duplicates: { ref: string; reason: string }[] = [];
  for (const [sop, list] of groupBy(sources, (s) => s.sop_key)) {
    const kept = keptCopy(list) ?? (list[0] as SourceImage);
    canonical.set(sop, kept);
    for (const s of list) if (s !== kept) duplicates.push({ ref: s.ref, reason: `duplicate: same SOP Instance UID as ${kept.ref}` });
  }
  return { canonical, duplicates };
}

/**
 * New patients in the order they get pseudonyms: by their first study's date and time; ties broken by the export's
 * patient digest, not the keyed hash, so that every build names them alike.
 */
function freshPatients(byPatient: ReadonlyMap<string, readonly SourceImage[]>, existing: ReadonlyMap<string, number>): string[] {
  return [...byPatient.entries()]
    .filter(([k]) => !existing.has(k))
    .map(([k, list]) => ({ k, when: whenOf(list), digest: list[0]?.patient_digest ?? '' }))
    .sort((a, b) => compareText(a.when, b.when) || compareText(a.digest, b.digest) || compareText(a.k, b.k))
    .map((f) => f.k);
}

/** A patient's studies: Study Date, then Study Time; the keyed hash of the UID only breaks exact ties. */
function orderedStudies(list: readonly SourceImage[]): { k: string; l: SourceImage[] }[] {
  const studyKeyOf = (s: SourceImage): string => s.study_key || `sop:${s.sop_key}`;
  return [...groupBy(list, studyKeyOf).entries()].map(([k, l]) => ({ k, l, when: whenOf(l) })).sort((a, b) => compareText(a.when, b.when) || compareText(a.k, b.k));
}

/** What writing one study's rows adds to the stage's results. */
interface StudyWrites {
  counts: AssignCounts;
  /** `source\0position` of the reports joined to a study. */
  matchedReports: Set<string>;
  /** PNGs of images that now name another patient: removed after the transaction. */
  stalePngs: string[];
}

/**
 * Writes one study (its report joined, scrubbed with `--keep-report-text`), its private link, and its images
 * (existing rows updated; a new image, or one whose file now names another patient, inserted unnamed).
 */
function writeStudy(ctx: StageContext, options: AssignOptions, patient: { pseudonym: number; split: string }, study: { k: string; l: SourceImage[] }, seq: number, out: StudyWrites): void {
  const { db, key } = ctx;
  const studiesQ = statements(db, STUDIES_SQL);
  const imagesQ = statements(db, IMAGES_SQL);
  const first = study.l[0] as SourceImage;
  const report = reportTextFor(db, first.accession_key, first.study_key);
  if (report) for (const id of report.ids) out.matchedReports.add(`${id.source}\u0000${id.position}`);
  let reportText: string | null = null;
  // Every image's header of the study (their physicians, operators, stations differ) goes to the scrubber.
  const scrub = options.keepReportText ? JSON.stringify(mergeHeaderIdentifiers(study.l.map((s) => parseHeaderIdentifiers(s.scrub)))) : first.scrub;
  if (report && options.keepReportText) reportText = scrubReportText(report.text, parseHeaderIdentifiers(scrub));
  studiesQ.upsert.run({
    patient_id: patient.pseudonym,
    seq,
    source_key: study.k,
    age_years: first.age_years,
    has_report: report ? 1 : 0,
    report_digest: report ? keyDigest(key, report.text) : null,
    report_text: reportText,
  });
  studiesQ.upsertLink.run(study.k, first.accession_key, scrub);
  const sid = studiesQ.idOf.pluck().get(study.k) as number;
  for (const img of [...study.l].sort(compareInStudy)) {
    out.counts.selected++;
    if (!report) out.counts.withoutReport++;
    const row = {
      patient_id: patient.pseudonym,
      study_id: sid,
      view: img.view,
      age_years: img.age_years,
      split: patient.split,
      original_width: img.columns,
      original_height: img.rows,
      pixel_spacing_x: img.spacing_x,
      pixel_spacing_y: img.spacing_y,
      source_key: img.sop_key,
    };
    const old = imagesQ.bySourceKey.get(img.sop_key) as { id: number; patient_id: number; file: string | null } | undefined;
    if (old && old.patient_id === patient.pseudonym) {
      imagesQ.update.run({ ...row, id: old.id });
      continue;
    }
    // A new image, or one whose file now names another patient: (re)inserted unnamed, rendered again.
    if (old) {
      if (old.file) out.stalePngs.push(old.file);
      imagesQ.delete.run(old.id);
    }
    // Images are inserted unnamed: the name stage names them once they are in the dataset (rendered, with a report).
    imagesQ.insert.run(row);
  }
}

/**
 * The `excluded` table and the failures re-derived from the private index: duplicates and excluded objects recorded,
 * stale rows dropped, unrecorded render failures rendered again, parse failures synchronised (with two WAL databases
 * a commit is atomic per file, so a kill between the two could otherwise lose, or keep a stale, failure row).
 * Returns how many objects are excluded.
 */
function syncExcludedAndFailures(ctx: StageContext, duplicates: readonly { ref: string; reason: string }[], canonical: ReadonlyMap<string, SourceImage>): number {
  const { db } = ctx;
  const excludedQ = statements(db, EXCLUDED_SQL);
  const failuresQ = statements(db, FAILURES_SQL);
  for (const d of duplicates) excludedQ.upsert.run(d.ref, d.reason);
  const excluded = statements(db, SOURCES_SQL).excluded.all() as { ref: string; reason: string }[];
  for (const e of excluded) excludedQ.upsert.run(e.ref, e.reason);
  // Files that are no longer excluded (changed on disk) or no longer in the export leave the table, and so do the
  // render failures of files gone (re-derived here: the index stage's pruning commits per database file).
  excludedQ.deleteStale.run();
  failuresQ.deleteRenderOfGone.run();
  for (const ref of new Set([...canonical.values()].map((c) => c.ref))) excludedQ.deleteOfFile.run(ref);
  // An image marked failed whose failure row is gone (its file changed; the two databases committed apart) is
  // rendered again rather than left failed without a reason.
  statements(db, IMAGES_SQL).retryUnrecordedFailures.run();
  failuresQ.syncParse.run();
  failuresQ.deleteStaleParse.run();
  return excluded.length;
}

/**
 * `unmatched_reports` anew: a report is "without an image" when it joined no study and no DICOM object of the export
 * (selected, excluded or failed) has its accession number or study UID; reports of excluded studies (a hand, a CT)
 * are simply not used. Returns how many.
 */
function recordUnmatchedReports(ctx: StageContext, matchedReports: ReadonlySet<string>): number {
  const { db } = ctx;
  const src = statements(db, SOURCES_SQL);
  const unmatched = statements(db, UNMATCHED_REPORTS_SQL);
  unmatched.deleteAll.run();
  const knownAccessions = new Set(src.accessionKeys.pluck().all() as string[]);
  const knownStudies = new Set(src.studyKeys.pluck().all() as string[]);
  let count = 0;
  for (const r of statements(db, REPORTS_SQL).keys.all() as { source: string; position: number; accession_key: string; study_key: string }[]) {
    const known = (r.accession_key !== '' && knownAccessions.has(r.accession_key)) || (r.study_key !== '' && knownStudies.has(r.study_key));
    if (!matchedReports.has(`${r.source}\u0000${r.position}`) && !known) {
      unmatched.insert.run(r.source, r.position);
      count++;
    }
  }
  return count;
}

/**
 * Stage 4, assign: one transaction that derives, from the private index and reports, the copies of each instance,
 * pseudonyms (existing ones kept), studies in Study Date then Study Time order, unnamed image rows, the report join,
 * hash splits for new patients (recorded splits kept), excluded objects and reports without an image; then images
 * whose every copy is now excluded leave the dataset with their PNGs (copies.ts `dropExcludedImages`).
 *
 * @example
 * ```ts
 * const assigned = await assignStage(ctx, { seed: 'cxr8', split: DEFAULT_SPLIT, stratify: false, keepReportText: false });
 * assigned.selected; // 9 frontal chest images
 * ```
 */
export async function assignStage(ctx: StageContext, options: AssignOptions): Promise<AssignCounts> {
  const { db } = ctx;
  const patientsQ = statements(db, PATIENTS_SQL);
  const { canonical, duplicates } = canonicalCopies(statements(db, SOURCES_SQL).images.all() as SourceImage[]);
  const byPatient = groupBy(canonical.values(), (s) => s.patient_key);
  // Pseudonyms: existing ones are kept; new patients are numbered after them in the order of their first study.
  const existing = new Map<string, number>();
  for (const r of patientsQ.pseudonyms.iterate() as Iterable<{ patient_key: string; pseudonym: number }>) existing.set(r.patient_key, r.pseudonym);
  let next = (patientsQ.maxPseudonym.get() as { m: number | null }).m ?? 0;
  const fresh = freshPatients(byPatient, existing);
  const writes: StudyWrites = {
    counts: { selected: 0, excluded: 0, duplicates: duplicates.length, withoutReport: 0, reportsWithoutImage: 0 },
    matchedReports: new Set<string>(),
    stalePngs: [],
  };
  db.transaction(() => {
    for (const k of fresh) {
      next++;
      patientsQ.insertPseudonym.run(k, next);
      existing.set(k, next);
    }
    if (!options.stratify) patientsQ.settlePending.run();
    const patients = [...byPatient.entries()].sort((a, b) => (existing.get(a[0]) ?? 0) - (existing.get(b[0]) ?? 0));
    for (const [patientKey, list] of patients) {
      const pseudonym = existing.get(patientKey) as number;
      const sex = list.map((s) => s.sex ?? '').find((s) => s !== '') ?? '';
      // A patient's split, once recorded, is kept (splits.ts): a new patient gets its hash split of the export's
      // patient identity (the pseudonym only where no digest is indexed), provisional ('pending') under --stratify.
      const digest = list.map((s) => s.patient_digest ?? '').find((d) => d !== '') ?? '';
      patientsQ.upsert.run(pseudonym, sex, assignSplit(digest !== '' ? digest : pseudonym, options.seed, options.split), options.stratify ? 'pending' : 'hash');
      const split = patientsQ.splitOf.pluck().get(pseudonym) as string;
      orderedStudies(list).forEach((study, seq) => writeStudy(ctx, options, { pseudonym, split }, study, seq, writes));
    }
    writes.counts.excluded = syncExcludedAndFailures(ctx, duplicates, canonical);
    writes.counts.reportsWithoutImage = recordUnmatchedReports(ctx, writes.matchedReports);
  })();
  for (const name of writes.stalePngs) await rm(join(ctx.out, 'images', name), { force: true });
  // Images now excluded (selection options changed, a file changed) leave the dataset with their PNGs.
  for (const file of dropExcludedImages(db)) await rm(join(ctx.out, 'images', file), { force: true });
  return writes.counts;
}

