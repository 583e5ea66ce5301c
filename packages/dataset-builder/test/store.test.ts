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
