/**
 * Named SQL of `images` (one row per selected frontal image; store.ts). Prepared once per connection by store.ts
 * `statements`.
 */

/** Statements over `images`. */
export const IMAGES_SQL = {
  /** A changed file's image renders again. */
  rerender: "UPDATE images SET png_status = 'pending' WHERE source_key = ? AND png_status IN ('done', 'failed')",
  bySourceKey: 'SELECT id, patient_id, file FROM images WHERE source_key = ?',
  delete: 'DELETE FROM images WHERE id = ?',
  /** A new image, unnamed (the name stage names it once it is in the dataset). */
  insert: `INSERT INTO images (patient_id, study_id, view, age_years, split, original_width, original_height,
      pixel_spacing_x, pixel_spacing_y, png_status, source_key)
    VALUES (@patient_id, @study_id, @view, @age_years, @split, @original_width, @original_height,
      @pixel_spacing_x, @pixel_spacing_y, 'pending', @source_key)`,
  update: `UPDATE images SET study_id = @study_id, view = @view,
      age_years = @age_years, split = @split, pixel_spacing_x = @pixel_spacing_x, pixel_spacing_y = @pixel_spacing_y,
      original_width = coalesce(original_width, @original_width), original_height = coalesce(original_height, @original_height)
    WHERE id = @id`,
  /** An image marked failed without a render failure row renders again. */
  retryUnrecordedFailures: `UPDATE images SET png_status = 'pending' WHERE png_status = 'failed' AND NOT EXISTS (
               SELECT 1 FROM failures f JOIN private.sources s ON s.ref = f.file
               WHERE f.stage = 'render' AND s.sop_key = images.source_key)`,
  /** The image ids of a study (pluck). */
  idsOfStudy: 'SELECT id FROM images WHERE study_id = ?',
  setLabelDigest: 'UPDATE images SET label_digest = ? WHERE id = ?',
  setSplitOfPatient: 'UPDATE images SET split = ? WHERE patient_id = ? AND split <> ?',
  /** Images to render, in id order. */
  toRender: "SELECT i.id, i.image_index, i.source_key FROM images i WHERE i.png_status = 'pending' ORDER BY i.id",
  setRendered: "UPDATE images SET png_status = 'done', file = ?, width = ?, height = ?, original_width = ?, original_height = ? WHERE id = ?",
  setFailed: "UPDATE images SET png_status = 'failed' WHERE id = ?",
  setPending: "UPDATE images SET png_status = 'pending' WHERE id = ?",
  /** Images that entered the dataset unnamed, in naming order (patient, study, series, instance, acquisition, path). */
  toName: `SELECT i.id, i.patient_id FROM images i JOIN studies st ON st.id = i.study_id
       LEFT JOIN private.sources src ON src.path = (SELECT min(s.path) FROM private.sources s WHERE s.sop_key = i.source_key AND s.status = 'image')
       WHERE i.image_index IS NULL AND i.png_status = 'done' AND st.has_report = 1
       ORDER BY i.patient_id, st.seq, src.series_number IS NULL, src.series_number, src.instance_number IS NULL, src.instance_number,
                coalesce(src.acquired, ''), src.path, i.id`,
  /** A patient's next follow-up number (pluck). */
  nextFollowup: 'SELECT coalesce(max(followup), -1) + 1 FROM images WHERE patient_id = ?',
  setName: 'UPDATE images SET image_index = ?, followup = ? WHERE id = ?',
  /** Named images whose PNG is not yet at its name. */
  toMove: "SELECT id, file, image_index FROM images WHERE image_index IS NOT NULL AND png_status = 'done' AND file IS NOT image_index",
  setFile: 'UPDATE images SET file = ? WHERE id = ?',
} as const;
