import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reasonOf, runTask } from '../src/tasks.js';

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
