import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getMeta, openStore, recordFailure, SCHEMA_VERSION } from '../src/store.js';

test('a new store has the documented tables, foreign keys on and WAL', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-store-'));
  const store = openStore(join(dir, 'dataset.sqlite'), join(dir, 'private.sqlite'));
  const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
  t.deepEqual(tables, ['boxes', 'excluded', 'failures', 'images', 'labels', 'meta', 'patients', 'runs', 'studies', 'unmatched_reports']);
  const privateTables = store.db.prepare("SELECT name FROM private.sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
  t.deepEqual(privateTables, ['meta', 'patients', 'reports', 'sources', 'study_links']);
  t.is(store.db.pragma('foreign_keys', { simple: true }), 1);
  t.is(store.db.pragma('journal_mode', { simple: true }), 'wal');
  t.is(getMeta(store.db, 'schema_version'), String(SCHEMA_VERSION));
  t.throws(() => store.db.prepare("INSERT INTO images (image_index, patient_id, study_id, followup, view, split, source_key) VALUES ('x.png', 99, 99, 0, 'PA', 'train', 'k')").run(), {
    any: true,
    code: 'SQLITE_CONSTRAINT_FOREIGNKEY',
  });
  store.close();
});

test('a failure recorded twice for the same file and stage is one row with the latest reason', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-store-'));
  const store = openStore(join(dir, 'dataset.sqlite'));
  recordFailure(store.db, 'dicom:abc', 'render', 'first');
  recordFailure(store.db, 'dicom:abc', 'render', 'second');
  t.deepEqual(store.db.prepare('SELECT * FROM failures').all(), [{ file: 'dicom:abc', stage: 'render', reason: 'second' }]);
  store.close();
});

test('a label value outside 1, 0, -1 is refused by the schema', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-store-'));
  const store = openStore(join(dir, 'dataset.sqlite'));
  const db = store.db;
  db.prepare("INSERT INTO patients (id, sex, split) VALUES (1, 'F', 'train')").run();
  db.prepare("INSERT INTO studies (patient_id, seq, source_key) VALUES (1, 0, 's')").run();
  db.prepare("INSERT INTO images (image_index, patient_id, study_id, followup, view, split, source_key) VALUES ('00000001_000.png', 1, 1, 0, 'PA', 'train', 'k')").run();
  t.throws(() => db.prepare("INSERT INTO labels (image_id, finding, value) VALUES (1, 'Mass', 2)").run(), { any: true, code: 'SQLITE_CONSTRAINT_CHECK' });
  store.close();
});

test('a version 1 dataset is migrated in place: names, labels and splits kept, images may be unnamed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-store-v1-'));
  const path = join(dir, 'dataset.sqlite');
  const Database = (await import('better-sqlite3')).default;
  const v1 = new Database(path);
  v1.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta VALUES ('schema_version', '1');
    CREATE TABLE patients (id INTEGER PRIMARY KEY, sex TEXT NOT NULL DEFAULT '', split TEXT NOT NULL);
    CREATE TABLE studies (id INTEGER PRIMARY KEY, patient_id INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE, seq INTEGER NOT NULL,
      source_key TEXT NOT NULL UNIQUE, age_years INTEGER, has_report INTEGER NOT NULL DEFAULT 0, report_digest TEXT, report_text TEXT);
    CREATE TABLE images (id INTEGER PRIMARY KEY, image_index TEXT NOT NULL UNIQUE, patient_id INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
      study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE, followup INTEGER NOT NULL, view TEXT NOT NULL, age_years INTEGER,
      split TEXT NOT NULL, file TEXT, width INTEGER, height INTEGER, original_width INTEGER, original_height INTEGER, pixel_spacing_x REAL,
      pixel_spacing_y REAL, png_status TEXT NOT NULL DEFAULT 'pending', label_digest TEXT, source_key TEXT NOT NULL UNIQUE);
    CREATE TABLE labels (image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE, finding TEXT NOT NULL, value INTEGER NOT NULL,
      evidence TEXT NOT NULL DEFAULT '[]', PRIMARY KEY (image_id, finding)) WITHOUT ROWID;
    INSERT INTO patients VALUES (1, 'F', 'test');
    INSERT INTO studies VALUES (1, 1, 0, 's1', 50, 1, 'd', NULL);
    INSERT INTO images (id, image_index, patient_id, study_id, followup, view, split, png_status, source_key) VALUES (1, '00000001_000.png', 1, 1, 0, 'PA', 'test', 'done', 'k1');
    INSERT INTO labels VALUES (1, 'Hernia', 1, '[]');`);
  v1.close();
  const store = openStore(path, join(dir, 'private.sqlite'));
  t.is(getMeta(store.db, 'schema_version'), String(SCHEMA_VERSION));
  t.deepEqual(store.db.prepare('SELECT id, split, split_method FROM patients').all(), [{ id: 1, split: 'test', split_method: 'hash' }]);
  t.is(store.db.prepare('SELECT image_index FROM images WHERE id = 1').pluck().get(), '00000001_000.png');
  t.is(store.db.prepare('SELECT count(*) FROM labels').pluck().get(), 1);
  store.db.prepare("INSERT INTO images (patient_id, study_id, view, split, source_key) VALUES (1, 1, 'PA', 'test', 'k2')").run();
  t.deepEqual(store.db.pragma('foreign_key_check'), []);
  store.close();
});
