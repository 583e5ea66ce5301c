/**
 * The one atomic file write of the project: the labeler's outputs, the builder's exports and the trainer's model,
 * metrics and run records are written through it.
 */
import { rename, writeFile } from 'node:fs/promises';

/**
 * Writes `data` to `path` through `path.partial` and a rename (atomic on one file system), so that a reader, or a
 * run that resumes after a crash, never finds half a file under the final name.
 *
 * @example
 * ```ts
 * await writeAtomic('out/demo/test_list.txt', '00000003_000.png\n');
 * await writeAtomic('runs/x/weights.bin', new Uint8Array(weights.buffer));
 * ```
 */
export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const partial = `${path}.partial`;
  await writeFile(partial, data);
  await rename(partial, path);
}
