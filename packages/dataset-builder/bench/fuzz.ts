/**
 * The fuzz benchmark (issue 10, item 6): many seeded mutants (bit flips, header bit flips, truncations, corrupted
 * lengths, random tails; test/helpers/mutants.ts) of every DICOM file of fixtures/pacs and, when
 * ../shared/data/dicom-codecs is present, of the NEMA WG04 radiograph (2140 x 1760) in its six transfer syntaxes,
 * built by `buildDataset` with 2 worker threads in a child process. Asserted, and printed as a table:
 *
 * - the run ends with a summary (the child exits 0 or 1 with its JSON), 0 crashes (worker threads that died);
 * - every file is accounted for (in images, excluded, failures, reports, or counted as not DICOM);
 * - no reason carries raw JavaScript error text; no file runs into the per-file time limit (no hang);
 * - peak RSS of the build process (main thread and workers) under 1 GB.
 *
 * Options: --per-source N (fixture mutants per file, default 50), --nema-per-source N (default 30), --seed S,
 * --workers N (default 2), --timeout-s S (per-file limit, default 60), --keep. Exit code 1 when a target is missed.
 *
 * @example
 * ```sh
 * node --import=tsx bench/fuzz.ts --per-source 50 --nema-per-source 30     # also run by `npm run bench`
 * ```
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { isDicom, parseDicom } from '../src/dicom/parse.js';
import { buildDataset } from '../src/pipeline.js';
import type { BuildSummary } from '../src/pipeline.js';
import { auditBuild, writeMutants } from '../test/helpers/mutants.js';
import type { MutantInfo } from '../test/helpers/mutants.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const packageDir = resolve(here, '..');
const repoRoot = resolve(packageDir, '../..');
const sharedData = process.env['CXR8_SHARED_DATA'] ?? resolve(repoRoot, '../shared/data');
const RSS_LIMIT_MB = 1024;

/** Options of {@link runFuzzBench}. */
export interface FuzzOptions {
  perSource: number;
  nemaPerSource: number;
  seed: number;
  workers: number;
  timeoutSeconds: number;
  keep: boolean;
}

const DEFAULTS: FuzzOptions = { perSource: 50, nemaPerSource: 30, seed: 20261202, workers: 2, timeoutSeconds: 60, keep: false };

function parseFuzzArgs(argv: readonly string[]): FuzzOptions & { child?: { dicom: string; out: string } } {
  const o: FuzzOptions & { child?: { dicom: string; out: string } } = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`bench/fuzz: ${a} expects a value`);
      return v;
    };
    if (a === '--per-source') o.perSource = Number(next());
    else if (a === '--nema-per-source') o.nemaPerSource = Number(next());
    else if (a === '--seed') o.seed = Number(next());
    else if (a === '--workers') o.workers = Number(next());
    else if (a === '--timeout-s') o.timeoutSeconds = Number(next());
    else if (a === '--keep') o.keep = true;
    else if (a === '--child') o.child = { dicom: next(), out: next() };
    else throw new Error(`bench/fuzz: unknown option ${a} (expected --per-source, --nema-per-source, --seed, --workers, --timeout-s, --keep)`);
  }
  return o;
}

interface Source {
  name: string;
  bytes: Uint8Array;
  transferSyntax: string;
  sopInstanceUid?: string;
}

function withUid(s: Omit<Source, 'sopInstanceUid'>): Source {
  const uid = parseDicom(s.bytes, s.name, { stopAtPixelData: true }).header.sopInstanceUid;
  return uid ? { ...s, sopInstanceUid: uid } : s;
}

function fixtureSources(): Source[] {
  const fixtures = join(repoRoot, 'fixtures/pacs');
  const manifest = JSON.parse(readFileSync(join(fixtures, 'MANIFEST.json'), 'utf8')) as { files: { path: string; transferSyntax?: string }[] };
  return manifest.files
    .filter((f) => f.path.startsWith('dicom/'))
    .map((f) => ({ name: f.path, bytes: new Uint8Array(readFileSync(join(fixtures, f.path))), transferSyntax: f.transferSyntax ?? '' }))
    .filter((f) => isDicom(f.bytes.subarray(0, 132)))
    .map(withUid);
}

/**
 * The NEMA radiograph is a hip (Body Part Examined HIP, Study Description HIP JOINT), which selection excludes before
 * decoding. Its header strings are rewritten in place, at the same lengths, to a frontal chest (LUNG, "CHEST PA"), so
 * that its mutants reach the decoders.
 */
function asFrontalChest(bytes: Uint8Array): Uint8Array {
  const out = Buffer.from(bytes);
  const swap = (from: string, to: string): void => {
    const needle = Buffer.from(from, 'latin1');
    for (let at = out.indexOf(needle); at >= 0; at = out.indexOf(needle, at + needle.length)) out.write(to, at, 'latin1');
  };
  swap('CS\x04\x00HIP ', 'CS\x04\x00LUNG');
  swap('HIP JOINT', 'CHEST PA ');
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

function nemaSources(): Source[] {
  const dir = join(sharedData, 'dicom-codecs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.dcm'))
    .sort()
    .map((n) => {
      const bytes = asFrontalChest(new Uint8Array(readFileSync(join(dir, n))));
      return withUid({ name: n, bytes, transferSyntax: parseDicom(bytes, n, { stopAtPixelData: true }).header.transferSyntaxUid });
    });
}

/** The child: one build over the mutants; prints the summary and the process's peak RSS (threads included). */
async function childMain(dicom: string, out: string, o: FuzzOptions): Promise<void> {
  const summary = await buildDataset({
    dicomDir: dicom,
    out,
    size: 256,
    shardSize: 0,
    workers: o.workers,
    taskTimeoutMs: o.timeoutSeconds * 1000,
    progress: null,
    force: true,
  });
  console.log(JSON.stringify({ summary, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}

/** The result of one fuzz benchmark run. */
export interface FuzzResult {
  passed: boolean;
  mutants: number;
  syntaxes: number;
  crashes: number;
  hangs: number;
  rawReasons: number;
  unaccounted: number;
  peakRssMb: number;
  seconds: number;
  outcomes: Record<string, number>;
}

/**
 * Writes the mutants, builds them in a child process, audits the result and prints the table.
 *
 * @example
 * ```ts
 * const { passed } = await runFuzzBench({ perSource: 50 });
 * ```
 */
export async function runFuzzBench(options: Partial<FuzzOptions> = {}): Promise<FuzzResult> {
  const o = { ...DEFAULTS, ...options };
  const root = join(packageDir, '.bench', `fuzz-${o.seed}`);
  await rm(root, { recursive: true, force: true });
  const dicom = join(root, 'dicom');
  await mkdir(dicom, { recursive: true });
  const fixtures = fixtureSources();
  const nema = nemaSources();
  const mutants: MutantInfo[] = [
    ...(await writeMutants(join(dicom, 'fixtures'), fixtures, o.perSource, o.seed)).map((m) => ({ ...m, path: `fixtures/${m.path}` })),
    ...(await writeMutants(join(dicom, 'nema'), nema, o.nemaPerSource, o.seed + 1)).map((m) => ({ ...m, path: `nema/${m.path}` })),
  ];
  const started = Date.now();
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--child', dicom, join(root, 'out'), '--workers', String(o.workers), '--timeout-s', String(o.timeoutSeconds)],
    { encoding: 'utf8', maxBuffer: 1 << 26, timeout: 30 * 60_000 },
  );
  const seconds = (Date.now() - started) / 1000;
  const line = child.stdout?.trim().split('\n').pop() ?? '';
  let parsed: { summary: BuildSummary; peakRssMb: number } | undefined;
  try {
    parsed = JSON.parse(line) as { summary: BuildSummary; peakRssMb: number };
  } catch {
    parsed = undefined;
  }
  const syntaxes = new Set(mutants.map((m) => m.transferSyntax).filter((s) => s !== '')).size;
  if (!parsed) {
    console.log(`\nfuzz: the build ended without a summary (exit ${child.status}, signal ${child.signal}):\n${child.stderr?.slice(-4000)}`);
    return { passed: false, mutants: mutants.length, syntaxes, crashes: 1, hangs: 0, rawReasons: 0, unaccounted: mutants.length, peakRssMb: 0, seconds, outcomes: {} };
  }
  const audit = auditBuild(parsed.summary, mutants.map((m) => m.path));
  const db = new Database(join(root, 'out', 'dataset.sqlite'), { readonly: true });
  const reasons = db.prepare('SELECT stage, reason FROM failures').all() as { stage: string; reason: string }[];
  db.close();
  const crashes = reasons.filter((r) => /worker thread died/.test(r.reason)).length;
  // The most frequent kinds of failure reason (numbers and references folded), to read what the decoders say.
  const kinds = new Map<string, number>();
  for (const r of reasons) {
    const k = `${r.stage}: ${r.reason.replace(/dicom:[0-9a-f]{12}/g, 'REF').replace(/\d+/g, 'N').slice(0, 110)}`;
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  const result: FuzzResult = {
    passed: false,
    mutants: mutants.length,
    syntaxes,
    crashes,
    hangs: audit.hangs.length,
    rawReasons: audit.rawReasons.length,
    unaccounted: audit.unaccounted.length,
    peakRssMb: parsed.peakRssMb,
    seconds,
    outcomes: audit.outcomes,
  };
  result.passed = crashes === 0 && result.hangs === 0 && result.rawReasons === 0 && result.unaccounted === 0 && result.peakRssMb < RSS_LIMIT_MB;
  console.log(`\nfuzz: ${mutants.length} mutants (${fixtures.length} fixture files x ${o.perSource}, ${nema.length} NEMA files x ${o.nemaPerSource}; ${syntaxes} transfer syntaxes; seed ${o.seed}), --workers ${o.workers}, ${o.timeoutSeconds} s per file`);
  const rows: [string, string, string][] = [
    ['run ends with a summary', 'yes', 'yes'],
    ['crashes (worker threads died)', String(crashes), '0'],
    ['hangs (files past the time limit)', String(result.hangs), '0'],
    ['reasons with raw JavaScript error text', String(result.rawReasons), '0'],
    ['files not accounted for', String(result.unaccounted), '0'],
    ['peak RSS, MB', result.peakRssMb.toFixed(0), `< ${RSS_LIMIT_MB}`],
    ['wall time, s', seconds.toFixed(1), ''],
    ['outcomes', Object.entries(audit.outcomes).map(([k, v]) => `${k} ${v}`).join(', '), ''],
  ];
  console.log('| check | measured | target |\n|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log('\nfailure reasons, most frequent first:');
  for (const [k, v] of [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${String(v).padStart(5)}  ${k}`);
  for (const r of audit.rawReasons.slice(0, 10)) console.log(`  RAW: ${r}`);
  for (const r of audit.unaccounted.slice(0, 10)) console.log(`  UNACCOUNTED: ${r}`);
  console.log(`fuzz: ${result.passed ? 'all targets met' : 'TARGET MISSED'}`);
  if (!o.keep) await rm(root, { recursive: true, force: true });
  return result;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = parseFuzzArgs(process.argv.slice(2));
  if (args.child) await childMain(args.child.dicom, args.child.out, args);
  else if (!(await runFuzzBench(args)).passed) process.exitCode = 1;
}
