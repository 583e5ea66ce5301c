import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reasonOf, runTask, taskFailureReason } from '../src/tasks.js';
import { isCleanReason } from '../src/errors.js';

test('a task that fails names its file by reference, never by a path that may carry a patient name', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-tasks-'));
  const path = join(dir, 'DOE^JANE', 'IM0001');
  for (const task of [
    { kind: 'header', path, file: 'dicom:0123456789ab' } as const,
    { kind: 'render', path, file: 'dicom:0123456789ab', outPath: join(dir, 'out.png'), size: 8 } as const,
  ]) {
    const r = await runTask(task);
    t.false(r.ok);
    if (!r.ok) {
      t.false(r.reason.includes('DOE^JANE'), r.reason);
      t.regex(r.reason, /ENOENT.*dicom:0123456789ab/);
    }
  }
});

test('reasonOf drops the package prefix and the file name', (t) => {
  t.is(reasonOf(new Error('@cxr8/dataset-builder: dicom:ab12: truncated'), 'dicom:ab12'), 'truncated');
});

test('a JavaScript error inside a task becomes a reason saying what was expected, never the exception text', (t) => {
  const raw = taskFailureReason(new TypeError("Cannot read properties of undefined (reading 'index')"), 'render', 'dicom:ab12');
  t.is(raw, 'expected pixel data that decodes and renders to a PNG; found data that stops the renderer (an internal error, not a description of the file)');
  t.true(isCleanReason(raw));
  // A library's own words are kept; typed errors and system errors keep their message.
  t.is(taskFailureReason(new Error('Input buffer contains unsupported image format'), 'shard', 'x.png'), 'expected a PNG that resizes to the shard size; found data that stops the PNG reader (Input buffer contains unsupported image format)');
  const enoent = Object.assign(new Error("ENOENT: no such file or directory, open 'dicom:ab12'"), { code: 'ENOENT' });
  t.is(taskFailureReason(enoent, 'header', 'dicom:ab12'), "ENOENT: no such file or directory, open 'dicom:ab12'");
});
