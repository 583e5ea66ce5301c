import test from 'ava';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverDicom, emptyDiscoverCounts, isDicomDirName } from '../src/discover.js';
import { writeDicomSync } from '../src/dicom/write.js';
import { TransferSyntax } from '../src/dicom/dictionary.js';

const dicom = (preamble: boolean): Uint8Array =>
  writeDicomSync({ transferSyntax: TransferSyntax.ExplicitVRLittleEndian, preamble, elements: { SOPInstanceUID: '1.2.3', Modality: 'CR' } });

test('DICOM files are found by content in any folder layout, whatever their names', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'cxr8-discover-'));
  await mkdir(join(root, 'a', 'b', 'c'), { recursive: true });
  await writeFile(join(root, 'a', 'b', 'c', 'IM0001'), dicom(true));
  await writeFile(join(root, 'a', 'image.dcm'), dicom(true));
  await writeFile(join(root, 'bare'), dicom(false));
  await writeFile(join(root, 'fake.dcm'), 'not dicom at all, despite the name');
  await writeFile(join(root, 'DICOMDIR'), dicom(true));
  await writeFile(join(root, 'empty'), '');
  const counts = emptyDiscoverCounts();
  const found: string[] = [];
  for await (const f of discoverDicom(root, { counts })) found.push(f.relPath);
  t.deepEqual(found, ['bare', 'a/image.dcm', 'a/b/c/IM0001']);
  t.deepEqual(counts, { files: 6, dicom: 3, nonDicom: 2, dicomDir: 1, unreadable: 0 });
});

test('a missing export folder is a usage error naming the path', async (t) => {
  const iterate = async (): Promise<void> => {
    for await (const _ of discoverDicom('/nonexistent/export')) void _;
  };
  await t.throwsAsync(iterate, { message: /\/nonexistent\/export: expected a folder of DICOM files/ });
});

test('DICOMDIR is recognised by name in any case', (t) => {
  t.true(isDicomDirName('dicomdir'));
  t.false(isDicomDirName('DICOMDIR.txt'));
});

test('symbolic links are followed to files and folders, a cycle is walked once, a dangling link is unreadable', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'cxr8-discover-links-'));
  const store = await mkdtemp(join(tmpdir(), 'cxr8-discover-store-'));
  await writeFile(join(store, 'blob1'), dicom(true));
  await mkdir(join(store, 'series'));
  await writeFile(join(store, 'series', 'IM1'), dicom(true));
  await mkdir(join(root, 'study'));
  await symlink(join(store, 'blob1'), join(root, 'study', 'linked.dcm')); // a link to a file
  await symlink(join(store, 'series'), join(root, 'study', 'series')); // a link to a folder
  await symlink(root, join(root, 'study', 'loop')); // a cycle back to the root
  await symlink(join(store, 'gone'), join(root, 'study', 'dangling.dcm')); // points at nothing
  const counts = emptyDiscoverCounts();
  const unreadable: [string, string, boolean][] = [];
  const found: string[] = [];
  for await (const f of discoverDicom(root, { counts, onUnreadable: (p, why, folder) => unreadable.push([p, why, folder]) })) found.push(f.relPath);
  t.deepEqual(found, ['study/linked.dcm', 'study/series/IM1']);
  t.deepEqual(unreadable, [['study/dangling.dcm', 'ENOENT', false]]);
  t.is(counts.unreadable, 1);
  t.is(counts.dicom, 2);
});
