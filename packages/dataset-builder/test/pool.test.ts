/**
 * The worker pool's per-file time limit (issue 10, item 6: no hang): a task past the limit fails alone with a reason
 * naming the limit, its thread is replaced, and the next task runs on the new thread.
 */
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool } from '../src/pool.js';
import { writeDicom } from '../src/dicom/write.js';
import { TransferSyntax } from '../src/dicom/dictionary.js';
import { isCleanReason } from '../src/errors.js';
import { crElements, gradient } from './dicom/helpers.js';

test('a task past the time limit fails with its reason, and the pool goes on with a fresh thread', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cxr8-pool-'));
  const pool = createPool(1, { taskTimeoutMs: 50 });
  try {
    // A 4096 x 4096 radiograph rendered at 1024: well over the limit; a 16 x 16 one: far under it.
    const big = join(dir, 'big.dcm');
    const small = join(dir, 'small.dcm');
    await writeFile(big, await writeDicom({ transferSyntax: TransferSyntax.ExplicitVRLittleEndian, elements: crElements(), pixels: { data: gradient(4096, 4096), rows: 4096, columns: 4096, bitsStored: 12 } }));
    await writeFile(small, await writeDicom({ transferSyntax: TransferSyntax.ExplicitVRLittleEndian, elements: crElements(), pixels: { data: gradient(16, 16), rows: 16, columns: 16, bitsStored: 12 } }));
    const slow = await pool.run({ kind: 'render', path: big, file: 'dicom:big', outPath: join(dir, 'big.png'), size: 1024 });
    t.false(slow.ok);
    const reason = slow.ok ? '' : slow.reason;
    t.regex(reason, /^took longer than 0\.05 s, the limit per file; expected the file to be read, decoded or rendered well within it/);
    t.true(isCleanReason(reason));
    const next = await pool.run({ kind: 'header', path: small, file: 'dicom:small' });
    t.true(next.ok && next.kind === 'header' && next.header.rows === 16, JSON.stringify(next));
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
});
