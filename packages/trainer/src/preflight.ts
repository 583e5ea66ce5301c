/**
 * Checks that run before any work: a `--data` folder that is not a dataset, a dataset whose shards are missing or cut
 * short, and a `--run` folder that holds no model are named with what was expected and what was found, before a
 * backend starts, before a run folder is written and before an epoch is spent (a missing val shard used to fail only
 * after the first epoch had trained).
 *
 * - `checkDatasetFolder(data, splits)`: the folder, `shards/manifest.json`, and every shard it lists for `splits`
 *   (present, a shard file, at least as long as its records need);
 * - `checkRunFolder(run)`: `config.json`, `weights.json` and `weights.bin`, or what the folder is instead.
 *
 * Only cheap checks (stat, the manifest, 8 bytes per shard): a shard cut inside a record is still found by the reader,
 * which names the file.
 */
import { open, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, EvaluationError } from './errors.js';

/** The 8 bytes every shard file starts with (`@cxr8/dataset-builder` shards.ts). */
const SHARD_MAGIC = 'CXR8SHD1';

interface ManifestShard {
  file: string;
  split: string;
  count: number;
}

/** A list of folder entries for a message: `a, b, c, ... (12 entries)`. */
function listEntries(entries: readonly string[]): string {
  if (entries.length === 0) return 'an empty folder';
  return entries.slice(0, 6).join(', ') + (entries.length > 6 ? `, ... (${entries.length} entries)` : '');
}

async function entriesOf(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((e) => !e.startsWith('.')).sort();
}

const errno = (error: unknown): string | undefined => (error as { code?: string } | undefined)?.code;

/** What a folder that lacks `shards/manifest.json` looks like, and what to run instead. */
function notADataset(data: string, entries: readonly string[]): string {
  const has = (name: string): boolean => entries.includes(name);
  if (has('dataset.sqlite')) {
    return `${data}: expected a dataset with training shards (shards/manifest.json), found a dataset built without them ` +
      '(--shard-size 0?): build it again with shards, e.g. build-dataset ... --shard-size 224';
  }
  if (has('Data_Entry.csv') && has('images')) {
    return `${data}: expected a dataset folder written by build-dataset (dataset.sqlite, shards/manifest.json), found an image set in ` +
      'the NIH layout (Data_Entry.csv, images/; e.g. cxr8-train phantoms): turn it into a dataset first with build-dataset import-nih ' +
      `--data-entry ${join(data, 'Data_Entry.csv')} --bbox ${join(data, 'BBox_List.csv')} --train-val-list ${join(data, 'train_val_list.txt')} ` +
      `--test-list ${join(data, 'test_list.txt')} --images ${join(data, 'images')} --out DATASET_DIR`;
  }
  if (has('config.json') && (has('weights.json') || has('train.json'))) {
    return `${data}: expected a dataset folder written by build-dataset, found a run folder of cxr8-train (config.json): ` +
      'give the run as --run, and the dataset it was trained on as --data';
  }
  return `${data}: expected a dataset folder written by build-dataset (dataset.sqlite, shards/manifest.json), found ${listEntries(entries)}`;
}

/**
 * Checks a `--data` folder before anything is done with it, and returns its manifest's shards. Throws a
 * {@link DataError} that names the folder or file, says what was expected and what was found, and what to run when
 * the folder is another kind of ours (an NIH-layout image set, a run folder, a dataset without shards).
 *
 * @example
 * ```ts
 * await checkDatasetFolder('out/phantoms', ['train', 'val']);
 * // DataError: out/phantoms: expected a dataset folder written by build-dataset ..., found an image set in the NIH layout ...
 * ```
 */
export async function checkDatasetFolder(data: string, splits: readonly string[]): Promise<ManifestShard[]> {
  const info = await stat(data).catch((error: unknown) => error as Error);
  if (info instanceof Error) {
    throw new DataError(
      errno(info) === 'ENOENT'
        ? `${data}: expected a dataset folder written by build-dataset, found no such folder`
        : `${data}: expected a readable dataset folder, found: ${info.message}`,
    );
  }
  if (!info.isDirectory()) throw new DataError(`${data}: expected a dataset folder written by build-dataset, found a file`);
  const manifestPath = join(data, 'shards', 'manifest.json');
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (error) {
    if (errno(error) === 'ENOENT') throw new DataError(notADataset(data, await entriesOf(data)));
    throw new DataError(`${manifestPath}: expected a readable shard manifest, found: ${(error as Error).message}`, { cause: error });
  }
  let manifest: { size?: unknown; findings?: unknown; shards?: unknown };
  try {
    manifest = JSON.parse(text) as typeof manifest;
  } catch (cause) {
    throw new DataError(
      `${manifestPath}: expected the JSON shard manifest build-dataset writes, found a file that is not JSON: ` +
        'build the dataset again (its shards are rewritten)',
      { cause },
    );
  }
  const size = manifest.size;
  const shards = manifest.shards;
  if (typeof size !== 'number' || !(size > 0) || !Array.isArray(manifest.findings) || !Array.isArray(shards)) {
    throw new DataError(`${manifestPath}: expected a shard manifest with "size", "findings" and "shards", found ${text.length > 120 ? `${text.slice(0, 117)}...` : text.trim()}`);
  }
  const listed = shards.filter((s): s is ManifestShard => typeof s === 'object' && s !== null && typeof s.file === 'string' && typeof s.count === 'number');
  const findings = manifest.findings.length;
  // The least a record takes: length u32, id length u16, a 1-byte id, the labels, box count u16, the pixels.
  const minRecord = 4 + 2 + 1 + findings + 2 + size * size;
  const problems: string[] = [];
  for (const shard of listed) {
    if (!splits.includes(shard.split)) continue;
    const path = join(data, 'shards', shard.file);
    const file = await stat(path).catch((error: unknown) => error as Error);
    if (file instanceof Error) {
      problems.push(`${shard.file} (${shard.split}, ${shard.count} images): ${errno(file) === 'ENOENT' ? 'missing' : file.message}`);
      continue;
    }
    if (!file.isFile()) {
      problems.push(`${shard.file}: expected a shard file, found a folder`);
      continue;
    }
    const least = SHARD_MAGIC.length + 4 + minRecord * shard.count;
    if (file.size < least) {
      problems.push(`${shard.file}: expected at least ${least.toLocaleString('en-US')} bytes for ${shard.count} images of ${size} px, found ${file.size.toLocaleString('en-US')} (cut short?)`);
      continue;
    }
    const magic = await readMagic(path);
    if (magic !== SHARD_MAGIC) problems.push(`${shard.file}: expected a shard file (it starts with ${SHARD_MAGIC}), found other bytes`);
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; and ${problems.length - 5} more` : '');
    throw new DataError(
      `${join(data, 'shards')}: expected every shard that manifest.json lists for ${splits.join(' and ')}, found ` +
        `${problems.length} not usable: ${shown}. nothing was written; build the dataset again to rewrite its shards`,
    );
  }
  return listed;
}

async function readMagic(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SHARD_MAGIC.length);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('latin1');
  } finally {
    await handle.close();
  }
}

/**
 * Checks a `--run` folder before an evaluation: it must hold a saved model (`config.json`, `weights.json`,
 * `weights.bin`). Throws an {@link EvaluationError} that says what the folder holds instead: nothing, a run that
 * finished no epoch yet, a dataset, an evaluation.
 *
 * @example
 * ```ts
 * await checkRunFolder('runs/typo');
 * // EvaluationError: runs/typo: expected a run folder written by cxr8-train train (config.json, weights.json, weights.bin), found no such folder
 * ```
 */
export async function checkRunFolder(run: string): Promise<void> {
  const expected = `expected a run folder written by cxr8-train train (config.json, weights.json, weights.bin)`;
  const info = await stat(run).catch((error: unknown) => error as Error);
  if (info instanceof Error) {
    throw new EvaluationError(`${run}: ${expected}, found ${errno(info) === 'ENOENT' ? 'no such folder' : info.message}`);
  }
  if (!info.isDirectory()) {
    throw new EvaluationError(`${run}: ${expected}, found a file${run.endsWith('.json') ? ' (give the folder that holds it)' : ''}`);
  }
  const entries = await entriesOf(run);
  const model = ['config.json', 'weights.json', 'weights.bin'];
  if (model.every((m) => entries.includes(m))) return;
  const has = (name: string): boolean => entries.includes(name);
  let found: string;
  if (has('train.json') && !has('config.json')) {
    found = 'a run that has not finished its first epoch yet (train.json, no model): let it finish an epoch, or train it again';
  } else if (has('dataset.sqlite') || has('shards')) {
    found = 'a dataset folder: give it as --data, and the run trained on it as --run';
  } else if (has('metrics.json') && has('predictions.csv')) {
    found = 'an evaluation (metrics.json, predictions.csv): give the run folder it was made from';
  } else if (has('checkpoint') && !has('config.json')) {
    found = `a run with a checkpoint but no best model: evaluate ${join(run, 'checkpoint')}, or resume the run`;
  } else {
    const missing = model.filter((m) => !entries.includes(m));
    found = `${listEntries(entries)}${entries.length > 0 ? ` (no ${missing.join(', no ')})` : ''}`;
  }
  throw new EvaluationError(`${run}: ${expected}, found ${found}`);
}
