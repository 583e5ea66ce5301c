/**
 * Copies of one image. An export often holds one instance several times (a re-export, a study sent twice, a copy
 * in a teaching folder): files with one SOP Instance UID are one image. The dataset keeps the first copy in path order
 * that renders; the others are recorded in `excluded` as duplicates of it. A copy that does not render (truncated,
 * damaged) is a failure only when no copy of the instance renders: then every copy is a `failures` row with its own
 * reason. A file whose header cannot be parsed but whose File Meta group names the instance (a copy truncated inside its
 * header) counts as a copy too: a duplicate when another copy renders, else the parse failure it is.
 *
 * What each copy did is kept in the private index, per file, in `sources.reason` of its `image` row:
 *
 * | `reason` | meaning |
 * |---|---|
 * | NULL | not tried yet (or the file changed since, which resets it) |
 * | `rendered` | this copy rendered the image's PNG |
 * | any other text | why this copy does not render |
 *
 * So a rerun knows the kept copy without rendering again; a new copy of a failed image makes the image render again
 * (the index stage marks it pending) and the new copy is tried; a kept copy that leaves the export leaves its PNG in
 * the dataset (the pixels were good), and the copies left are recorded as duplicates of the copy that is gone.
 * Attempts go one copy per task, so a copy that kills its worker thread or runs past the time limit fails alone and
 * the next copy is tried on a fresh thread, with any number of workers.
 */
import type { Database as Db } from 'better-sqlite3';

/** `sources.reason` of the copy that rendered the image. */
export const RENDERED = 'rendered';

/** One copy of an image: its path (relative to the export), its reference, and what it did. */
export interface CopyRow {
  path: string;
  ref: string;
  reason: string | null;
}

/** Whether a copy's recorded outcome is a failure to render. */
export function copyFailed(copy: Pick<CopyRow, 'reason'>): boolean {
  return copy.reason !== null && copy.reason !== RENDERED;
}

/**
 * The order in which to try an image's copies: path order, except that copies already known not to render go last
 * (they are unchanged since they failed: the index resets the outcome of a changed file). The first that renders in
 * this order is the first in path order that renders, as a fresh build would keep.
 *
 * @example
 * ```ts
 * renderOrder([{ path: 'a', ref: 'dicom:1', reason: 'truncated: ...' }, { path: 'b', ref: 'dicom:2', reason: null }]);
 * // [b, a]
 * ```
 */
export function renderOrder<T extends CopyRow>(copies: readonly T[]): T[] {
  const sorted = [...copies].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return [...sorted.filter((c) => !copyFailed(c)), ...sorted.filter(copyFailed)];
}

/**
 * The copy an image is built from: the one that rendered, else the first in path order not known to fail;
 * undefined when every copy is known to fail.
 *
 * @example
 * ```ts
 * keptCopy([{ path: 'a', ref: 'dicom:1', reason: 'truncated' }, { path: 'b', ref: 'dicom:2', reason: 'rendered' }]); // b
 * ```
 */
export function keptCopy<T extends CopyRow>(copies: readonly T[]): T | undefined {
  const sorted = [...copies].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return sorted.find((c) => c.reason === RENDERED) ?? sorted.find((c) => !copyFailed(c));
}

/**
 * The reason recorded in `excluded` for a copy that is not the kept one.
 *
 * @example
 * ```ts
 * duplicateReason({ path: 'b', ref: 'dicom:2', reason: null }, 'dicom:1'); // 'duplicate: same SOP Instance UID as dicom:1'
 * ```
 */
export function duplicateReason(copy: CopyRow, keptRef: string | undefined): string {
  const of = keptRef ?? 'the copy this image was rendered from (no longer in the export)';
  return `duplicate: same SOP Instance UID as ${of}${copyFailed(copy) ? `; this copy does not render (${copy.reason})` : ''}`;
}

/**
 * Records, after the render stage, which copy of each image is kept: every other copy is an `excluded` duplicate of
 * it, unless no copy renders (the image failed), when each copy is a failure of its own instead. Rows of earlier runs
 * are replaced, so the table follows the copies present now. Returns the number of duplicates.
 *
 * @example
 * ```ts
 * const { duplicates } = settleCopies(db); // after renderStage
 * ```
 */
export function settleCopies(db: Db): { duplicates: number } {
  const rows = db
    .prepare(
      `SELECT s.sop_key, s.path, s.ref, s.reason, i.png_status FROM private.sources s
       LEFT JOIN images i ON i.source_key = s.sop_key
       WHERE s.status = 'image' ORDER BY s.sop_key, s.path`,
    )
    .all() as (CopyRow & { sop_key: string; png_status: string | null })[];
  const groups = new Map<string, typeof rows>();
  for (const r of rows) {
    const g = groups.get(r.sop_key);
    if (g) g.push(r);
    else groups.set(r.sop_key, [r]);
  }
  const duplicates: { ref: string; reason: string }[] = [];
  for (const copies of groups.values()) {
    const status = copies[0]!.png_status;
    // No copy renders: each copy is its own failure (written by the render stage), none a duplicate.
    if (status === 'failed') continue;
    const kept = keptCopy(copies);
    // Every copy known to fail while the image has its PNG: it was rendered from a copy since removed.
    const keptRef = kept?.ref ?? (status === 'done' ? undefined : copies[0]!.ref);
    for (const c of copies) if (c.ref !== keptRef) duplicates.push({ ref: c.ref, reason: duplicateReason(c, keptRef) });
  }
  // Files whose header cannot be parsed but whose File Meta group names an instance another copy rendered: broken
  // copies, so duplicates rather than failures.
  const brokenCopies = db
    .prepare(
      `SELECT s.ref, s.reason, (SELECT c.ref FROM private.sources c WHERE c.sop_key = s.sop_key AND c.status = 'image' ORDER BY c.reason = '${RENDERED}' DESC, c.path LIMIT 1) AS kept
       FROM private.sources s JOIN images i ON i.source_key = s.sop_key
       WHERE s.status = 'failed' AND s.sop_key IS NOT NULL AND s.sop_key <> '' AND i.png_status = 'done' ORDER BY s.path`,
    )
    .all() as { ref: string; reason: string | null; kept: string | null }[];
  for (const b of brokenCopies) {
    duplicates.push({ ref: b.ref, reason: duplicateReason({ path: '', ref: b.ref, reason: b.reason ?? 'its header cannot be read' }, b.kept ?? undefined) });
  }
  const insert = db.prepare('INSERT INTO excluded (file, reason) VALUES (?, ?) ON CONFLICT(file) DO UPDATE SET reason = excluded.reason');
  const dropParseFailure = db.prepare("DELETE FROM failures WHERE file = ? AND stage = 'parse'");
  db.transaction(() => {
    db.exec("DELETE FROM excluded WHERE reason LIKE 'duplicate:%'");
    for (const d of duplicates) insert.run(d.ref, d.reason);
    for (const b of brokenCopies) dropParseFailure.run(b.ref);
    // An image with its PNG has no failed copy: failures of its copies (from runs before a good copy came) go.
    db.exec(`DELETE FROM failures WHERE stage = 'render' AND file IN (
               SELECT s.ref FROM private.sources s JOIN images i ON i.source_key = s.sop_key WHERE i.png_status = 'done')`);
  })();
  return { duplicates: duplicates.length };
}

/**
 * Removes from the dataset the images whose every copy is now excluded (a file re-read under other selection
 * options, e.g. a burned-in image built with `--allow-burned-in` and rebuilt without it, or a file changed into a
 * lateral): their rows go (labels and boxes with them) and their PNG files are returned for deletion. An image whose
 * files are merely gone from the export stays (its PNG was rendered from pixels that were selected).
 *
 * @example
 * ```ts
 * for (const file of dropExcludedImages(db)) await rm(join(out, 'images', file), { force: true });
 * ```
 */
export function dropExcludedImages(db: Db): string[] {
  const where = `NOT EXISTS (SELECT 1 FROM private.sources s WHERE s.sop_key = images.source_key AND s.status = 'image')
                 AND EXISTS (SELECT 1 FROM private.sources s WHERE s.sop_key = images.source_key AND s.status = 'excluded')`;
  return db.transaction(() => {
    const files = db.prepare(`SELECT file FROM images WHERE file IS NOT NULL AND ${where}`).pluck().all() as string[];
    db.prepare(`DELETE FROM images WHERE ${where}`).run();
    return files;
  })();
}

/**
 * The kind of an exclusion reason, for counting: its text before the first parenthesis or colon.
 *
 * @example
 * ```ts
 * exclusionKind('not a frontal view (ViewPosition LL)'); // 'not a frontal view'
 * exclusionKind('duplicate: same SOP Instance UID as dicom:5c1e0a9b3f2d'); // 'duplicate'
 * ```
 */
export function exclusionKind(reason: string): string {
  const cut = reason.search(/ \(|:/);
  return (cut < 0 ? reason : reason.slice(0, cut)).trim();
}

/**
 * The `excluded` table counted by kind of reason, most frequent first (then by name).
 *
 * @example
 * ```ts
 * excludedByReason(db); // [{ reason: 'not a frontal view', count: 3 }, { reason: 'duplicate', count: 1 }]
 * ```
 */
export function excludedByReason(db: Db): { reason: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const reason of db.prepare('SELECT reason FROM excluded').pluck().iterate() as Iterable<string>) {
    const kind = exclusionKind(reason);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
}
