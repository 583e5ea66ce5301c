/**
 * `npm run bench` (in packages/dataset-builder): DICOM-to-PNG throughput and peak memory, against a pydicom + Pillow
 * peer doing the same steps on the same files.
 *
 * The input: N (default 40) uncompressed 16-bit radiographs of 2500 x 2048 (12 bits stored, Explicit VR Little
 * Endian, a window in the header, about 10 MB each), written with our `writeDicom` into `.bench/` (git-ignored) and
 * reused by later runs.
 *
 * Paths measured, each in a fresh process (so that peak RSS is its own), with 1 and 2 workers:
 * - `ours`: read, parseDicom, decodeFrame, renderFrameToGray8 (modality + VOI + polarity LUT), resize to 1024 and
 *   PNG with sharp (encodeGray8Png defaults: adaptive filters, zlib level 4; the peer uses Pillow's level 6, and the
 *   table's PNG KB column compares the sizes), write the PNG, one SQLite insert per image (better-sqlite3, WAL, synchronous=NORMAL). Workers are
 *   worker threads with sharp.concurrency(1), so N workers use about N cores; the main thread owns the database.
 * - `peer`: bench/peer_pydicom.py under /usr/bin/python3 (Debian's python3-pydicom and python3-pil): the same steps,
 *   multiprocessing workers, the parent owns the database. Skipped with a message when pydicom is absent.
 * - `pipeline`: `buildDataset` (src/pipeline.ts) on the same folder with its `reports.csv` (one short report per
 *   study), shards off: discovery, header index, selection, de-identification, SQLite, labeling, rendering, naming,
 *   the NIH exports.
 * - `pipeline+shards`: the same build with `--shard-size` (default 224): the render task also spools each PNG's
 *   pixels at the shard size, and the shards stage packs them. Its baseline is `pipeline`, so the ratio is the cost
 *   of writing shards.
 * The rows of our code have their CPU seconds over the timed part (user + sys of the process and its worker threads),
 * the figure to trust on a shared machine; the peer's workers are other processes, so it has none. It also checks that ours and the peer produce the same picture (mean absolute
 * difference of the first PNG).
 *
 * Options: --images N, --workers 1,2, --size 1024, --shard-size 224, --skip-peer, --skip-pipeline, --keep (keep the
 * outputs), --repeat N (best of N interleaved runs per configuration, for a shared machine).
 *
 * @example
 * ```sh
 * npm run bench -w packages/dataset-builder -- --images 20 --workers 1,2
 * ```
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { parseDicom } from '../src/dicom/parse.js';
import { decodeFrame } from '../src/dicom/decode.js';
import { encodeGray8Png, renderFrameToGray8 } from '../src/dicom/render.js';
import { writeDicom } from '../src/dicom/write.js';
import { SopClass, TransferSyntax } from '../src/dicom/dictionary.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const packageDir = resolve(here, '..');
const benchDir = join(packageDir, '.bench');
const ROWS = 2500;
const COLUMNS = 2048;
const PYTHON = '/usr/bin/python3';

interface Args {
  images: number;
  workers: number[];
  size: number;
  shardSize: number;
  skipPeer: boolean;
  skipPipeline: boolean;
  keep: boolean;
  repeat: number;
  child?: ChildKind;
  dicom?: string;
  out?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { images: 40, workers: [1, 2], size: 1024, shardSize: 224, skipPeer: false, skipPipeline: false, keep: false, repeat: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`bench: ${a} expects a value`);
      return v;
    };
    if (a === '--images') args.images = Number(next());
    else if (a === '--workers') args.workers = next().split(',').map(Number);
    else if (a === '--size') args.size = Number(next());
    else if (a === '--shard-size') args.shardSize = Number(next());
    else if (a === '--skip-peer') args.skipPeer = true;
    else if (a === '--skip-pipeline') args.skipPipeline = true;
    else if (a === '--keep') args.keep = true;
    else if (a === '--repeat') args.repeat = Math.max(1, Number(next()));
    else if (a === '--child') args.child = next() as ChildKind;
    else if (a === '--dicom') args.dicom = next();
    else if (a === '--out') args.out = next();
    else throw new Error(`bench: unknown option ${a}; expected --images N, --workers 1,2, --size N, --shard-size N, --skip-peer, --skip-pipeline, --keep, --repeat N`);
  }
  return args;
}

// --- Input generation ------------------------------------------------------------------------------------------------

function soft(d: number, width: number): number {
  return 1 / (1 + Math.exp(d / width));
}

/** A smooth chest-like attenuation map (0..1) at full size, computed once. */
function chestBase(): Float32Array {
  const out = new Float32Array(ROWS * COLUMNS);
  for (let r = 0; r < ROWS; r++) {
    const v = r / (ROWS - 1);
    for (let c = 0; c < COLUMNS; c++) {
      const u = c / (COLUMNS - 1);
      const body = soft(Math.hypot((u - 0.5) / 0.46, (v - 0.58) / 0.55) - 1, 0.03);
      const lungs = Math.max(
        soft(Math.hypot((u - 0.31) / 0.14, (v - 0.46) / 0.3) - 1, 0.04),
        soft(Math.hypot((u - 0.69) / 0.14, (v - 0.46) / 0.3) - 1, 0.04),
      );
      const spine = soft(Math.abs(u - 0.5) - 0.045, 0.02);
      const heart = soft(Math.hypot((u - 0.56) / 0.13, (v - 0.62) / 0.12) - 1, 0.04);
      const ribs = Math.max(0, Math.sin((v + 0.25 * (u - 0.5) ** 2) * 55)) ** 8 * lungs * 0.12;
      const diaphragm = soft(-(v - 0.74) / 0.015, 1) * body;
      out[r * COLUMNS + c] = Math.max(0, Math.min(1, body * 0.55 - lungs * 0.38 + spine * 0.2 + heart * 0.3 + ribs + diaphragm * 0.25));
    }
  }
  return out;
}

/** One short report per study of the input (accession BENCH1 ... BENCHn), so that its images enter the dataset. */
async function ensureReports(dir: string, count: number): Promise<void> {
  if (existsSync(join(dir, 'reports.csv'))) return;
  const texts = ['IMPRESSION: Cardiomegaly.', 'FINDINGS: Small left pleural effusion.', 'IMPRESSION: No acute disease.'];
  const rows = Array.from({ length: count }, (_, i) => `BENCH${i + 1},"${texts[i % texts.length]}"`);
  await writeFile(join(dir, 'reports.csv'), ['accession_number,report_text', ...rows].join('\n'));
}

async function ensureInput(count: number): Promise<string> {
  const dir = join(benchDir, `radiographs-${count}-${ROWS}x${COLUMNS}`);
  if (existsSync(join(dir, '.complete'))) {
    await ensureReports(dir, count);
    return dir;
  }
  await rm(dir, { recursive: true, force: true });
  const files = join(dir, 'dicom');
  await mkdir(files, { recursive: true });
  process.stderr.write(`bench: writing ${count} radiographs of ${ROWS}x${COLUMNS} (16-bit, uncompressed) to ${dir} ...\n`);
  const base = chestBase();
  let seed = 12345;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const pixels = new Uint16Array(ROWS * COLUMNS);
  for (let i = 0; i < count; i++) {
    const gain = 3000 + (i % 7) * 50;
    for (let k = 0; k < pixels.length; k++) pixels[k] = Math.max(0, Math.min(4095, Math.round(300 + gain * base[k]! + (random() - 0.5) * 24)));
    const bytes = await writeDicom({
      transferSyntax: TransferSyntax.ExplicitVRLittleEndian,
      elements: {
        SOPClassUID: SopClass.ComputedRadiography,
        SOPInstanceUID: `2.25.777.${i + 1}`,
        StudyInstanceUID: `2.25.777.1000.${i + 1}`,
        SeriesInstanceUID: `2.25.777.2000.${i + 1}`,
        PatientID: `BENCH-${String(i % 13).padStart(4, '0')}`,
        PatientName: `BENCH^PATIENT${i % 13}`,
        PatientSex: i % 2 ? 'M' : 'F',
        PatientAge: '050Y',
        AccessionNumber: `BENCH${i + 1}`,
        StudyDate: `2020${String((i % 12) + 1).padStart(2, '0')}15`,
        Modality: 'CR',
        BodyPartExamined: 'CHEST',
        ViewPosition: 'PA',
        WindowCenter: 1900,
        WindowWidth: 3400,
        ImagerPixelSpacing: [0.139, 0.139],
      },
      pixels: { data: pixels, rows: ROWS, columns: COLUMNS, bitsStored: 12 },
    });
    await writeFile(join(files, `IM${String(i).padStart(5, '0')}`), bytes);
  }
  await ensureReports(dir, count);
  await writeFile(join(dir, '.complete'), '');
  return dir;
}

// --- Our path ----------------------------------------------------------------------------------------------------------

interface Rendered {
  name: string;
  rows: number;
  columns: number;
  pngBytes: number;
}

async function renderOne(path: string, name: string, out: string, size: number): Promise<Rendered> {
  const bytes = await readFile(path);
  const parsed = parseDicom(bytes, path);
  const frame = await decodeFrame(parsed);
  const gray = renderFrameToGray8(frame, parsed.pixel, path);
  const png = await encodeGray8Png(gray, frame.columns, frame.rows, { size });
  await writeFile(join(out, `${name}.png`), png);
  return { name, rows: frame.rows, columns: frame.columns, pngBytes: png.length };
}

function workerMain(): void {
  const { out, size } = workerData as { out: string; size: number };
  sharp.concurrency(1);
  parentPort!.on('message', (msg: { path: string; name: string } | null) => {
    if (msg === null) {
      process.exit(0);
    }
    renderOne(msg.path, msg.name, out, size).then(
      (r) => parentPort!.postMessage(r),
      (e: unknown) => parentPort!.postMessage({ error: String(e) }),
    );
  });
  parentPort!.postMessage({ ready: true });
}

/** User + sys CPU seconds since `since` (a `process.cpuUsage()`), the worker threads included: they are this process. */
function cpuSecondsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

async function runOurs(dicom: string, out: string, workers: number, size: number): Promise<{ images: number; seconds: number; cpuS: number; pngKb: number }> {
  await mkdir(out, { recursive: true });
  const files = (await readdir(dicom)).sort();
  const db = new Database(join(out, 'ours.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS images (name TEXT PRIMARY KEY, rows INTEGER, columns INTEGER, png_bytes INTEGER); DELETE FROM images;');
  const insert = db.prepare('INSERT OR REPLACE INTO images VALUES (?, ?, ?, ?)');
  // The clock starts when every worker thread has loaded (tsx + modules, ~0.5 s each under tsx; paid once per run).
  let started = performance.now();
  let cpuStart = process.cpuUsage();
  let ready = 0;
  let next = 0;
  let done = 0;
  let pngBytes = 0;
  await new Promise<void>((resolveAll, reject) => {
    // Node 20 does not carry --import hooks (tsx) into worker threads: the worker registers tsx, then loads this file.
    const source = `import('tsx/esm/api').then((m) => m.register()).then(() => import(${JSON.stringify(import.meta.url)}))`;
    const pool = Array.from({ length: workers }, () => new Worker(source, { eval: true, workerData: { out, size } }));
    const feed = (w: Worker) => {
      const f = files[next++];
      w.postMessage(f === undefined ? null : { path: join(dicom, f), name: f });
    };
    for (const w of pool) {
      w.on('error', reject);
      w.on('message', (m: Rendered | { ready: true } | { error: string }) => {
        if ('error' in m) return reject(new Error(m.error));
        if ('ready' in m) {
          if (++ready === workers) {
            started = performance.now();
            cpuStart = process.cpuUsage();
            for (const idle of pool) feed(idle);
          }
          return;
        }
        insert.run(m.name, m.rows, m.columns, m.pngBytes);
        pngBytes += m.pngBytes;
        done++;
        if (done === files.length) resolveAll();
        feed(w);
      });
    }
  });
  const seconds = (performance.now() - started) / 1000;
  const cpuS = cpuSecondsSince(cpuStart);
  db.close();
  return { images: done, seconds, cpuS, pngKb: pngBytes / done / 1024 };
}

/** A `buildDataset` of the input with its reports; `shardSize` 0: no shards. */
async function runPipeline(dicom: string, out: string, workers: number, size: number, shardSize: number): Promise<{ images: number; seconds: number; cpuS: number; shards?: number }> {
  const pipelinePath = join(packageDir, 'src/pipeline.ts');
  const { buildDataset } = (await import(pipelinePath)) as {
    buildDataset: (o: Record<string, unknown>) => Promise<{ images: { rendered: number; renderedThisRun: number }; shards?: { records: number } }>;
  };
  await rm(out, { recursive: true, force: true });
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const reports = [join(dicom, '..', 'reports.csv')];
  const summary = await buildDataset({ dicomDir: dicom, reports, out: join(out, 'dataset'), keyFile: join(out, 'private.sqlite'), workers, size, shardSize, progress: null });
  const seconds = (performance.now() - started) / 1000;
  const cpuS = cpuSecondsSince(cpuStart);
  if (shardSize > 0 && summary.shards?.records !== summary.images.renderedThisRun) {
    throw new Error(`bench: expected a shard record per rendered image (${summary.images.renderedThisRun}), found ${summary.shards?.records ?? 0}`);
  }
  return { images: summary.images.renderedThisRun, seconds, cpuS, ...(summary.shards ? { shards: summary.shards.records } : {}) };
}

// --- Orchestration -----------------------------------------------------------------------------------------------------

/** What a child process runs: our render path, or a build without (`pipeline`) or with shards. */
type ChildKind = 'ours' | 'pipeline' | 'pipeline+shards';

/** The row each row is compared with (its `vs` column); the peer's own row has none. */
const BASELINE: Record<string, string> = { ours: 'peer', pipeline: 'peer', 'pipeline+shards': 'pipeline' };

interface Row {
  path: string;
  workers: number;
  images: number;
  seconds: number;
  rate: number;
  /** User + sys CPU seconds of the run (undefined for the peer, whose workers are other processes). */
  cpuS?: number;
  rssMb: number;
  pngKb?: number;
  note?: string;
}

function runChild(kind: ChildKind, dicom: string, out: string, workers: number, size: number, shardSize: number): Row {
  const result = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--child', kind, '--dicom', dicom, '--out', out, '--workers', String(workers), '--size', String(size), '--shard-size', String(shardSize)],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (result.status !== 0) throw new Error(`bench: ${kind} with ${workers} workers failed:\n${result.stderr}`);
  const line = result.stdout.trim().split('\n').pop()!;
  const r = JSON.parse(line) as { images: number; seconds: number; cpuS: number; peakRssMb: number; pngKb?: number };
  return { path: kind, workers, images: r.images, seconds: r.seconds, rate: r.images / r.seconds, cpuS: r.cpuS, rssMb: r.peakRssMb, ...(r.pngKb ? { pngKb: r.pngKb } : {}) };
}

function peerAvailable(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} is absent`;
  const probe = spawnSync(PYTHON, ['-c', 'import pydicom, PIL, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    return `pydicom/Pillow are not installed for ${PYTHON}: apt-get install -y python3-pydicom python3-pil`;
  }
  return undefined;
}

function runPeer(dicom: string, out: string, workers: number, size: number): Row {
  const result = spawnSync(PYTHON, [join(here, 'peer_pydicom.py'), '--dicom', dicom, '--out', out, '--workers', String(workers), '--size', String(size)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (result.status !== 0) throw new Error(`bench: the pydicom peer failed:\n${result.stderr}`);
  const r = JSON.parse(result.stdout.trim().split('\n').pop()!) as { images: number; seconds: number; peak_rss_mb: number; png_kb: number; pydicom: string; pillow: string };
  return { path: 'peer', workers, images: r.images, seconds: r.seconds, rate: r.images / r.seconds, rssMb: r.peak_rss_mb, pngKb: r.png_kb, note: `pydicom ${r.pydicom}, Pillow ${r.pillow}` };
}

async function meanAbsDiff(a: string, b: string): Promise<number> {
  const [x, y] = await Promise.all([a, b].map((p) => sharp(p).raw().toBuffer()));
  if (!x || !y || x.length !== y.length) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i]! - y[i]!);
  return sum / x.length;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.child) {
    const workers = args.workers[0] ?? 1;
    const r = args.child === 'ours'
      ? await runOurs(args.dicom!, args.out!, workers, args.size)
      : await runPipeline(args.dicom!, args.out!, workers, args.size, args.child === 'pipeline+shards' ? args.shardSize : 0);
    // maxRSS counts the worker threads too: they live in this process.
    console.log(JSON.stringify({ ...r, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
    return;
  }
  const input = await ensureInput(args.images);
  const dicom = join(input, 'dicom');
  const outRoot = join(benchDir, 'out');
  await rm(outRoot, { recursive: true, force: true });
  const peerProblem = args.skipPeer ? 'skipped (--skip-peer)' : peerAvailable();
  const pipelineProblem = args.skipPipeline
    ? 'skipped (--skip-pipeline)'
    : existsSync(join(packageDir, 'src/pipeline.ts'))
      ? undefined
      : 'src/pipeline.ts does not exist yet';
  const rows: Row[] = [];
  // On a shared machine, --repeat N keeps the best of N runs of each configuration (runs interleaved).
  const best = (runs: Row[]): Row => runs.reduce((a, b) => (b.rate > a.rate ? b : a));
  for (const w of args.workers) {
    const ours: Row[] = [];
    const peer: Row[] = [];
    const pipeline: Row[] = [];
    const sharded: Row[] = [];
    const build = (kind: 'pipeline' | 'pipeline+shards', runs: Row[]): void => {
      try {
        runs.push(runChild(kind, dicom, join(outRoot, `${kind}-${w}`), w, args.size, args.shardSize));
      } catch (e) {
        runs.push({ path: kind, workers: w, images: 0, seconds: 0, rate: 0, rssMb: 0, note: `failed: ${String(e).split('\n')[1] ?? e}` });
      }
    };
    for (let r = 0; r < args.repeat; r++) {
      ours.push(runChild('ours', dicom, join(outRoot, `ours-${w}`), w, args.size, 0));
      if (!peerProblem) peer.push(runPeer(dicom, join(outRoot, `peer-${w}`), w, args.size));
      if (!pipelineProblem) {
        build('pipeline', pipeline);
        build('pipeline+shards', sharded);
      }
    }
    for (const runs of [ours, peer, pipeline, sharded]) if (runs.length) rows.push(best(runs));
  }

  const cpu = (await import('node:os')).cpus();
  console.log(`\nDICOM -> ${args.size}x${args.size} PNG + SQLite (pipeline+shards: and ${args.shardSize}px shards), best of ${args.repeat}, ${args.images} uncompressed 16-bit CR images of ${COLUMNS}x${ROWS} (12 bits stored)`);
  console.log(`machine: ${cpu.length} x ${cpu[0]?.model ?? 'cpu'}, node ${process.version}, sharp ${sharp.versions.sharp ?? ''} (libvips ${sharp.versions.vips})\n`);
  // `vs`: images/s over the baseline's (BASELINE), with the CPU seconds over the baseline's where both have them.
  const header = ['path', 'workers', 'images', 'seconds', 'CPU s', 'images/s', 'peak RSS MB', 'PNG KB', 'vs'];
  const table = rows.map((r) => {
    const name = BASELINE[r.path];
    const base = rows.find((p) => p.path === name && p.workers === r.workers && p.rate > 0);
    const cpu = base?.cpuS !== undefined && r.cpuS !== undefined ? `, CPU ${(r.cpuS / base.cpuS).toFixed(2)}x` : '';
    const ratio = base && r.rate > 0 ? `${(r.rate / base.rate).toFixed(2)}x ${name}${cpu}` : '';
    return [r.path, String(r.workers), String(r.images), r.seconds.toFixed(2), r.cpuS !== undefined ? r.cpuS.toFixed(2) : '', r.rate.toFixed(2), r.rssMb.toFixed(0), r.pngKb ? r.pngKb.toFixed(0) : '', ratio + (r.note ? ` ${r.note}` : '')];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const t of table) console.log(line(t));
  const ours1 = rows.find((r) => r.path === 'ours' && r.workers === 1);
  const ours2 = rows.find((r) => r.path === 'ours' && r.workers === 2);
  if (ours1 && ours2) console.log(`\nours: 2 workers / 1 worker = ${(ours2.rate / ours1.rate).toFixed(2)}x`);
  if (peerProblem) console.log(`peer: ${peerProblem}`);
  else {
    const w = args.workers[0]!;
    const first = (await readdir(dicom)).sort()[0]!;
    const diff = await meanAbsDiff(join(outRoot, `ours-${w}`, `${first}.png`), join(outRoot, `peer-${w}`, `${first}.png`));
    console.log(`same picture: mean |ours - peer| over the first PNG = ${diff.toFixed(3)} grey levels (of 255)`);
  }
  if (pipelineProblem) console.log(`pipeline: ${pipelineProblem}`);
  if (!args.keep) await rm(outRoot, { recursive: true, force: true });
  // bench/fuzz.ts: seeded mutants of the fixtures and the NEMA radiograph through buildDataset (exit 1 on a miss).
  if (!(await (await import('./fuzz.js')).runFuzzBench()).passed) process.exitCode = 1;
  // bench/scrub.ts: the report-text scrubber on the planted corpora, the OpenI dev reports (token loss) and its speed.
  if (!(await (await import('./scrub.js')).runScrubBench({ reports: 100_000, seed: 1, cases: 60 }))) process.exitCode = 1;
  // bench/label-sets.ts: a build, a re-run and rebuilds with other label sets (relabeled in place).
  await (await import('./label-sets.js')).runLabelSetBench(2000);
}

if (isMainThread) {
  await main();
} else {
  workerMain();
}
