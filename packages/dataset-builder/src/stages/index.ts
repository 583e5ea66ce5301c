/**
 * Stage 2 of `buildDataset`, index: the DICOM files of the export, their headers and their classification (frontal
 * chest image, SR report, excluded with a reason, failed) in the private `sources` table (discover.ts, tasks.ts
 * `header`, select.ts).
 */
import { discoverDicom } from '../discover.js';
import type { DiscoverCounts, DiscoveredFile } from '../discover.js';
import { selectImage } from '../select.js';
import type { SelectionOptions } from '../select.js';
import { ageInYears, hmacId, normalizeSex } from '../deidentify.js';
import { headerIdentifiersOf } from '../scrub.js';
import { patientDigest } from '../splits.js';
import { batcher, recordFailure, statements } from '../store.js';
import { PRIVATE_META_SQL, SOURCES_SQL } from '../sql/sources.js';
import { IMAGES_SQL } from '../sql/images.js';
import { EXCLUDED_SQL, FAILURES_SQL } from '../sql/failures.js';
import { mapOrdered } from '../pool.js';
import type { HeaderInfo } from '../tasks.js';
import { createProgress } from '../progress.js';
import type { StageContext } from './context.js';

/** What the index stage did. */
export interface IndexCounts {
  /** Files whose header was read this run. */
  indexed: number;
  /** Files indexed before with the same size and mtime. */
  skipped: number;
  /** Files of an earlier run no longer in the export. */
  removed: number;
}

/**
 * The de-identified reference of a source file, used in `failures` and `excluded` instead of its path (folder names
 * of exports often carry patient names): "dicom:" and 12 hex digits of a keyed hash of the path.
 *
 * @example
 * ```ts
 * fileRef(key, 'DOE^JANE/IM0001'); // 'dicom:5c1e0a9b3f2d'
 * ```
 */
export function fileRef(key: Buffer, relPath: string): string {
  return `dicom:${hmacId(key, `path:${relPath}`).slice(0, 12)}`;
}

/** The `sources` row of a file whose header was read: its classification and the keyed links. */
function indexRow(key: Buffer, file: DiscoveredFile, header: HeaderInfo, keepScrub: boolean, selectionOptions: SelectionOptions = {}): Record<string, unknown> {
  const selection = selectImage(header, selectionOptions);
  const spacing = header.pixelSpacing ?? header.imagerPixelSpacing;
  const base = {
    path: file.relPath,
    ref: fileRef(key, file.relPath),
    size: file.size,
    mtime_ms: file.mtimeMs,
    sop_key: hmacId(key, header.sopInstanceUid),
    patient_key: hmacId(key, header.patientId) || hmacId(key, `name:${header.patientName}`),
    // What the split hashes (splits.ts): from the export alone, so that two fresh builds split alike.
    patient_digest: patientDigest(header.patientId, header.patientName),
    study_key: hmacId(key, header.studyInstanceUid),
    accession_key: hmacId(key, header.accessionNumber),
    study_date: header.studyDate,
    study_time: header.studyTime,
    series_number: header.seriesNumber ?? null,
    instance_number: header.instanceNumber ?? null,
    acquired: header.acquisitionDateTime || null,
    age_years: ageInYears(header.patientAge, header.patientBirthDate, header.studyDate) ?? null,
    sex: normalizeSex(header.patientSex),
    view: null as string | null,
    rows: header.rows || null,
    columns: header.columns || null,
    // Pixel Spacing is [row, column] = [y, x] (PS3.3 10.7.1.3).
    spacing_x: spacing ? spacing[1] : null,
    spacing_y: spacing ? spacing[0] : null,
    sr_text: null as string | null,
    scrub: keepScrub ? JSON.stringify(headerIdentifiersOf(header)) : null,
    status: 'image',
    reason: null as string | null,
  };
  if (selection.kind === 'report') return { ...base, status: 'report', sr_text: header.srText ?? '' };
  if (selection.kind === 'excluded') return { ...base, status: 'excluded', reason: selection.reason };
  if (!header.hasPixelData) return { ...base, status: 'failed', reason: 'no Pixel Data (7FE0,0010) in an image object' };
  if (header.sopInstanceUid.trim() === '') return { ...base, status: 'failed', reason: 'no SOP Instance UID (0008,0018)' };
  return { ...base, view: selection.view };
}

/** Options of {@link indexStage}. */
export interface IndexOptions {
  /** Filled with what the walk found (discover.ts). */
  counts: DiscoverCounts;
  /** Keep the header identifiers the report scrubber needs (`--keep-report-text`). */
  keepScrub: boolean;
  /** `--allow-burned-in`, `--assume-chest` (select.ts). */
  selection?: SelectionOptions;
  /** Paths never walked: the build's own output (discover.ts `ownOutputPaths`). */
  exclude?: readonly string[];
}

/**
 * Stage 2, index: walks `--dicom`, parses the headers of new or changed files in the pool and classifies each
 * (select.ts) into the private `sources` table; files gone from the export leave it after a complete walk.
 *
 * @example
 * ```ts
 * const counts = emptyDiscoverCounts();
 * const index = await indexStage(ctx, { counts, keepScrub: false });
 * index.indexed; // 12 on a first run, 0 on a re-run of an unchanged export
 * ```
 */
export async function indexStage(ctx: StageContext, options: IndexOptions): Promise<IndexCounts> {
  const { db, key, dicomDir, pool } = ctx;
  const { counts, keepScrub } = options;
  const selectionOptions = options.selection ?? {};
  const exclude = options.exclude ?? [];
  const progressStream = ctx.progress;
  // Selection options (--allow-burned-in, --assume-chest) other than the index was classified with: every file's
  // header is read again (once) to classify it anew; an unchanged file keeps its PNG and its copy outcome.
  const selectionText = JSON.stringify({ allowBurnedIn: selectionOptions.allowBurnedIn ?? false, assumeChest: selectionOptions.assumeChest ?? false });
  const sources = statements(db, SOURCES_SQL);
  const meta = statements(db, PRIVATE_META_SQL);
  const failures = statements(db, FAILURES_SQL);
  const reselect = (meta.selection.pluck().get() as string | undefined) !== selectionText;
  const reread = new Set<string>();
  const known = sources.byPath;
  const upsert = sources.upsert;
  const clearFailure = failures.clearParseAndRender;
  // A file that changed on disk is rendered again (its old PNG, or its old failure, no longer holds).
  const rerender = statements(db, IMAGES_SQL).rerender;
  const result: IndexCounts = { indexed: 0, skipped: 0, removed: 0 };
  const progress = createProgress({ label: 'index', stream: progressStream });
  // Every path seen by this walk: after a complete walk, files gone from the export leave the index.
  const seen = new Set<string>();
  let unreadableFolder = false;
  const failedRow = (relPath: string, size: number, mtimeMs: number, reason: string): Record<string, unknown> => ({
    path: relPath, ref: fileRef(key, relPath), size, mtime_ms: mtimeMs, status: 'failed', reason, sop_key: null, patient_key: null, study_key: null,
    accession_key: null, study_date: null, study_time: null, series_number: null, instance_number: null, acquired: null, age_years: null, sex: null, view: null,
    rows: null, columns: null, spacing_x: null, spacing_y: null, sr_text: null, scrub: null, patient_digest: null,
  });
  const batch = batcher(db, 200);
  // An unreadable file or folder is a failed row of the index (so a failure with its reason, re-derived each run);
  // it is tried again on every run, and leaves the index once readable.
  const onUnreadable = (relPath: string, reason: string, isFolder: boolean): void => {
    if (isFolder) unreadableFolder = true;
    const path = relPath || '.';
    seen.add(path);
    const row = failedRow(path, -1, -1, `cannot read the ${isFolder ? 'folder' : 'file'} (${reason})`);
    batch.add(() => {
      upsert.run(row);
      recordFailure(db, String(row.ref), 'parse', String(row.reason));
    });
  };
  async function* todo(): AsyncGenerator<DiscoveredFile> {
    for await (const file of discoverDicom(dicomDir, { counts, onUnreadable, exclude })) {
      seen.add(file.relPath);
      const row = known.get(file.relPath) as { size: number; mtime_ms: number; scrub: string | null; status: string } | undefined;
      if (row && row.size === file.size && row.mtime_ms === file.mtimeMs) {
        // Indexed by a run without --keep-report-text, or by a version that kept fewer header identifiers (a plain
        // list): read once more for the identifiers the scrubber needs.
        const needsScrub = keepScrub && (row.scrub === null || row.scrub.startsWith('[')) && row.status !== 'failed';
        if (!reselect && !needsScrub) {
          result.skipped++;
          progress.tick();
          continue;
        }
        reread.add(file.relPath);
      }
      yield file;
    }
  }
  // Workers name the file by its reference, so that no error message carries the path.
  for await (const [file, r] of mapOrdered(todo(), pool.capacity, (f) => pool.run({ kind: 'header', path: f.path, file: fileRef(key, f.relPath) }))) {
    result.indexed++;
    progress.tick();
    const ref = fileRef(key, file.relPath);
    if (r.ok && r.kind === 'header') {
      const row = indexRow(key, file, r.header, keepScrub, selectionOptions);
      // A file read again only to reclassify it keeps its render outcome while it stays an image.
      const unchanged = reread.has(file.relPath);
      batch.add(() => {
        if (!unchanged || row.status !== 'image') clearFailure.run(ref);
        upsert.run(row);
        if (row.sop_key && !unchanged) rerender.run(row.sop_key);
        if (row.status === 'failed') recordFailure(db, ref, 'parse', String(row.reason));
      });
    } else {
      const reason = r.ok ? 'expected a DICOM header from the reader; found another kind of task result' : r.reason;
      // The instance a broken file names in its File Meta group, if any: a copy of an image another file renders
      // is a duplicate, not a failure (copies.ts, settleCopies).
      const sop = !r.ok && r.sopInstanceUid ? hmacId(key, r.sopInstanceUid) : null;
      batch.add(() => {
        clearFailure.run(ref);
        upsert.run({ ...failedRow(file.relPath, file.size, file.mtimeMs, reason), sop_key: sop });
        recordFailure(db, ref, 'parse', reason);
      });
    }
  }
  batch.flush();
  // Files deleted from the export (or moved: a move is a deletion and a new file) leave the private index, with
  // their failures; not after a walk that could not read a folder (its files were not seen, not deleted).
  if (!unreadableFolder) {
    const gone = (sources.pathsAndRefs.all() as { path: string; ref: string }[]).filter((r) => !seen.has(r.path));
    const forget = sources.deleteByPath;
    const forgetFailures = failures.deleteOfFile;
    const forgetExcluded = statements(db, EXCLUDED_SQL).deleteOfFile;
    for (const r of gone) {
      batch.add(() => {
        forget.run(r.path);
        forgetFailures.run(r.ref);
        forgetExcluded.run(r.ref);
      });
    }
    batch.flush();
    result.removed = gone.length;
    meta.setSelection.run(selectionText);
  }
  progress.done();
  return result;
}

