/**
 * Seeded mutants of DICOM files for the fuzz test (test/fuzz.test.ts) and the fuzz benchmark (bench/fuzz.ts): bit
 * flips (anywhere, or in the header), truncations, corrupted element lengths, random tails. Every mutant is a
 * deterministic function of the seed, so a failure can be replayed; and the checks both share: a build over the
 * mutants ends with a summary, every file is accounted for, and no reason carries raw JavaScript error text.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isCleanReason } from '../../src/errors.js';
import type { BuildSummary } from '../../src/pipeline.js';
import { mulberry32 } from '../../src/random.js';

/** The kinds of mutation. */
export const MUTATIONS = ['bit-flips', 'header-flips', 'truncation', 'corrupt-length', 'random-tail'] as const;
export type Mutation = (typeof MUTATIONS)[number];

/** A small, fast, seedable PRNG (mulberry32, the project's one copy): uniform in [0, 1). */
export const prng: (seed: number) => () => number = mulberry32;

// Groups whose elements an image header always has (little endian on disk): where length fields are worth hitting.
const GROUPS = [0x0002, 0x0008, 0x0010, 0x0018, 0x0020, 0x0028, 0x0040, 0x0054, 0x7fe0, 0xfffe];
const NASTY_LENGTHS = [0, 1, 3, 0xffff, 0xfffe, 0xffffffff, 0xfffffffe, 0x7fffffff, 0x80000000];

/** Positions (even) where a tag of one of {@link GROUPS} starts, little or big endian. */
function tagPositions(bytes: Uint8Array): number[] {
  const out: number[] = [];
  const end = Math.min(bytes.length - 8, 1 << 20);
  for (let i = 0; i < end; i += 2) {
    const le = bytes[i]! | (bytes[i + 1]! << 8);
    const be = (bytes[i]! << 8) | bytes[i + 1]!;
    if (GROUPS.includes(le) || GROUPS.includes(be)) out.push(i);
  }
  return out;
}

/**
 * One mutant of `source`, by `kind`, drawn from `random`.
 *
 * @example
 * ```ts
 * const random = prng(42);
 * const bytes = mutate(original, 'truncation', random);
 * ```
 */
export function mutate(source: Uint8Array, kind: Mutation, random: () => number): Uint8Array {
  const int = (n: number): number => Math.floor(random() * n);
  switch (kind) {
    case 'bit-flips':
    case 'header-flips': {
      const out = source.slice();
      const span = kind === 'header-flips' ? Math.min(out.length, 2048) : out.length;
      const flips = 1 + int(16);
      for (let k = 0; k < flips; k++) {
        const i = int(span);
        out[i] = out[i]! ^ (1 << int(8));
      }
      return out;
    }
    case 'truncation':
      return source.slice(0, int(source.length));
    case 'corrupt-length': {
      const out = source.slice();
      const tags = tagPositions(out);
      const view = new DataView(out.buffer);
      const hits = 1 + int(3);
      for (let k = 0; k < hits && tags.length > 0; k++) {
        const at = tags[int(tags.length)]!;
        // Implicit VR: 4-byte length at +4; explicit short VR: 2 bytes at +6; explicit long VR: 4 bytes at +8.
        const where = [4, 6, 8][int(3)]!;
        const value = random() < 0.6 ? NASTY_LENGTHS[int(NASTY_LENGTHS.length)]! : int(source.length * 2);
        const littleEndian = random() < 0.8;
        if (where === 6 && at + 8 <= out.length) view.setUint16(at + 6, value & 0xffff, littleEndian);
        else if (at + where + 4 <= out.length) view.setUint32(at + where, value >>> 0, littleEndian);
      }
      return out;
    }
    case 'random-tail': {
      const keep = Math.floor(source.length * (0.25 + 0.75 * random()));
      const tail = int(4096);
      const out = new Uint8Array(keep + tail);
      out.set(source.subarray(0, keep));
      for (let i = keep; i < out.length; i++) out[i] = int(256);
      return out;
    }
  }
}

/**
 * `bytes` with every occurrence of the ASCII string `uid` replaced by another of the same length, derived from
 * `index` (the data set's SOP Instance UID and the File Meta copy of it): each mutant is then an instance of its
 * own, so every one is decoded, rather than most being skipped as duplicates of the first copy that renders.
 *
 * @example
 * ```ts
 * renumberUid(bytes, '2.25.1234567890.1.1.1', 7); // ... '2.25.1234567890.90007' ...
 * ```
 */
export function renumberUid(bytes: Uint8Array, uid: string, index: number): Uint8Array {
  if (uid.length < 8) return bytes;
  const suffix = `9${String(index).padStart(5, '0')}`;
  const next = Buffer.from(uid.slice(0, uid.length - suffix.length) + suffix, 'latin1');
  const needle = Buffer.from(uid, 'latin1');
  const out = Buffer.from(bytes);
  for (let at = out.indexOf(needle); at >= 0; at = out.indexOf(needle, at + needle.length)) next.copy(out, at);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** One written mutant: where, of what, how. */
export interface MutantInfo {
  path: string;
  source: string;
  transferSyntax: string;
  kind: Mutation;
}

/**
 * Writes `perSource` mutants of each source (cycling through the mutation kinds) under `dir`, one folder per
 * source; returns what was written.
 *
 * @example
 * ```ts
 * const mutants = await writeMutants(dir, [{ name: 'jls', bytes, transferSyntax: '1.2.840.10008.1.2.4.80' }], 20, 7);
 * ```
 */
export async function writeMutants(
  dir: string,
  sources: readonly { name: string; bytes: Uint8Array; transferSyntax: string; sopInstanceUid?: string }[],
  perSource: number,
  seed: number,
): Promise<MutantInfo[]> {
  const random = prng(seed);
  const out: MutantInfo[] = [];
  let index = 0;
  for (const [s, source] of sources.entries()) {
    const folder = `s${String(s).padStart(2, '0')}`;
    await mkdir(join(dir, folder), { recursive: true });
    for (let m = 0; m < perSource; m++) {
      const kind = MUTATIONS[m % MUTATIONS.length]!;
      const path = `${folder}/m${String(m).padStart(4, '0')}-${kind}`;
      // One mutant in eight keeps the source's SOP Instance UID: copies of one instance, for the copy logic.
      const base = source.sopInstanceUid && m % 8 !== 7 ? renumberUid(source.bytes, source.sopInstanceUid, index++) : source.bytes;
      await writeFile(join(dir, path), mutate(base, kind, random));
      out.push({ path, source: source.name, transferSyntax: source.transferSyntax, kind });
    }
  }
  return out;
}

/** What {@link auditBuild} found: counts, and the problems (an empty list is a pass). */
export interface BuildAudit {
  files: number;
  /** By outcome: image (in the dataset or rendered), duplicate, excluded, failed, report, not-dicom. */
  outcomes: Record<string, number>;
  /** Reasons that carry raw JavaScript error text. */
  rawReasons: string[];
  /** Reasons saying a file ran past the per-file time limit. */
  hangs: string[];
  /** Files in none of images, excluded, failures, reports, or the non-DICOM count. */
  unaccounted: string[];
}

/**
 * Checks a finished build over `files` (paths relative to `--dicom`): every file accounted for, every reason clean.
 *
 * @example
 * ```ts
 * const audit = auditBuild(summary, mutants.map((m) => m.path));
 * t.deepEqual(audit.unaccounted, []);
 * ```
 */
export function auditBuild(summary: BuildSummary, files: readonly string[]): BuildAudit {
  const db = new Database(join(summary.out, 'dataset.sqlite'), { readonly: true });
  try {
    db.prepare('ATTACH DATABASE ? AS private').run(summary.keyFile);
    const sources = new Map(
      (db.prepare('SELECT path, ref, status, sop_key FROM private.sources').all() as { path: string; ref: string; status: string; sop_key: string | null }[]).map((r) => [r.path, r]),
    );
    const excluded = new Map((db.prepare('SELECT file, reason FROM excluded').all() as { file: string; reason: string }[]).map((r) => [r.file, r.reason]));
    const failures = new Map<string, string>();
    const reasons: string[] = [...excluded.values()];
    for (const r of db.prepare('SELECT file, reason FROM failures').all() as { file: string; reason: string }[]) {
      failures.set(r.file, r.reason);
      reasons.push(r.reason);
    }
    const rendered = new Set(db.prepare("SELECT source_key FROM images WHERE png_status = 'done'").pluck().all() as string[]);
    const outcomes: Record<string, number> = {};
    const unaccounted: string[] = [];
    const count = (k: string): void => {
      outcomes[k] = (outcomes[k] ?? 0) + 1;
    };
    let notInIndex = 0;
    const kept = new Set<string>();
    for (const path of files) {
      const s = sources.get(path);
      if (!s) {
        notInIndex++;
        count('not-dicom');
        continue;
      }
      if (failures.has(s.ref)) count('failed');
      else if (excluded.has(s.ref)) count(excluded.get(s.ref)!.startsWith('duplicate:') ? 'duplicate' : 'excluded');
      else if (s.status === 'image' && s.sop_key !== null && rendered.has(s.sop_key)) {
        // One copy per rendered image is the image; any other copy must be an excluded duplicate or a failure.
        if (kept.has(s.sop_key)) unaccounted.push(`${path} (a second copy of a rendered image, neither excluded nor failed)`);
        kept.add(s.sop_key);
        count('image');
      }
      else if (s.status === 'report') count('report');
      else unaccounted.push(`${path} (status ${s.status})`);
    }
    // Files outside the index must be the ones discovery counted as not DICOM (or DICOMDIR, unreadable).
    const skipped = summary.files.nonDicom + summary.files.dicomDir + summary.files.unreadable;
    if (notInIndex !== skipped) unaccounted.push(`${notInIndex} files outside the index, but discovery skipped ${skipped}`);
    if (summary.files.seen !== files.length) unaccounted.push(`discovery saw ${summary.files.seen} files of ${files.length}`);
    return {
      files: files.length,
      outcomes,
      rawReasons: reasons.filter((r) => !isCleanReason(r)),
      hangs: reasons.filter((r) => /took longer than/.test(r)),
      unaccounted,
    };
  } finally {
    db.close();
  }
}
