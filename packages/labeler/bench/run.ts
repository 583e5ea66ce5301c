/**
 * The labeler benchmark (`npm run bench` in packages/labeler): speed, memory and accuracy of `label-reports`
 * against named baselines. Writes the table to stdout and to bench/results.md.
 *
 *   node --import=tsx bench/run.ts [--reports 300000] [--repeat 3] [--memory 1000000] [--memory-only] [--skip-speed]
 *
 * - Speed: the 1,540 OpenI dev reports replicated to `--reports` (default 300,000, at least 50,000) in a JSONL file,
 *   labeled end to end by `labelFiles` (read, parse, label, format, write a csv) in a fresh child process with
 *   `--workers 1` (one core: everything on one thread) and `--workers 2`. Process start and labeler compilation are
 *   excluded (timed apart); the rate is reports over the seconds from the first read to the last write, best of
 *   `--repeat` runs (default 3), since the machine may be shared. 300,000 rather than 50,000 by default: every labeling
 *   thread JIT-compiles the labeler on its own, and on a 1.2 s run that warm-up (on V8's background threads) is a
 *   third of the CPU and hides the scaling (50,000: 1.2-1.4x with 2 workers; 300,000: 1.56x wall, 1.65x projected).
 * - Scaling: besides wall time (which on a shared machine says how many cores the run obtained), the CPU seconds of
 *   each thread: the main thread (reading, batching, writing) and each labeling thread (`threadCpuSeconds` from
 *   /proc/thread-self). "projected reports/s on free cores" is reports over the wall time the run would take if no
 *   other process competed: its threads' CPU spread over the cores, but no less than its busiest thread. The ratio of
 *   the 2-worker projection to the 1-worker one is the scaling that the load of the moment cannot hide.
 * - Memory: the child's peak resident set size (all threads). `--memory N` adds a run over N reports (e.g. 1,000,000)
 *   to check that memory stays flat; `--memory-only` runs just that check (no 1- and 2-worker speed runs; accuracy is
 *   still measured).
 * - Accuracy: the dev set's XML folder labeled with `labelFiles`, scored with `evaluate`.
 *
 * - Accuracy against both golds, per class: NegBio's gold.csv and gold-adjudicated.csv (ANNOTATION.md conventions).
 * - Clinical negation: `assessMention` on test/fixtures/clinical-sentences.jsonl (held out) and clinical-dev.jsonl.
 * - CheXpert's Fracture and Support Devices (label set chexpert) against the MeSH majors of the dev XML (bench/mesh.ts),
 *   on all reports, the tuning part and the held-back part (every 5th id); targets (issue 9): held-back F1 >= 0.90
 *   and >= 0.80.
 *
 * Baselines: NegBio and the CheXpert labeler publish about 3-5 reports/s per core (parsing dominates; mention
 * matching alone ~3,000/s); the paper's labeler reaches micro-F1 .873 over 14 findings on OpenI. Targets (issue 8):
 * >= 30,000 reports/s on one thread, memory flat (< 300 MB for a million reports); adjudicated micro-F1 over 13
 * >= 0.99, No Finding >= 0.995, every class with 10 or more positives >= 0.95; clinical negated F1 >= 0.95.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { evaluateFiles } from '../src/evaluate-files.js';
import { assessMention } from '../src/assess.js';
import type { Evaluation } from '../src/evaluate.js';
import { labelFiles } from '../src/label-files.js';
import { hasOpenIDev, openIDevPaths, PAPER_F1, readOpenIDev } from '../test/helpers/openi-dev.js';
import type { OpenIDev } from '../test/helpers/openi-dev.js';
import { createLabeler } from '../src/pipeline.js';
import type { ReportRecord } from '../src/readers/records.js';
import { meshTable, readMeshMajors, scoreMesh } from './mesh.js';

interface ChildJob {
  input: string;
  out: string;
  workers: number;
}

interface SpeedRun {
  kind: 'one' | 'two' | 'memory';
  name: string;
  r: ChildResult;
}

interface ChildResult {
  labeled: number;
  failed: number;
  seconds: number;
  startupSeconds: number;
  cpuSeconds: number;
  /** CPU seconds of the main thread (all the work with 1 worker; reading and writing with 2). */
  mainThreadCpuSeconds: number;
  /** CPU seconds of each labeling thread (the main thread with 1 worker). */
  threadCpuSeconds: number[];
  peakRssMb: number;
}

const DEV = openIDevPaths();

/**
 * Reports per second if the run had its cores to itself: the process's CPU seconds (every thread, GC helpers
 * included) spread over `cores`, and no less than its busiest thread's CPU seconds. NaN when the thread times are
 * unknown (not Linux).
 */
function projectedRate(r: ChildResult, workers: number, cores: number): number {
  const threads = workers === 1 ? [r.mainThreadCpuSeconds] : [r.mainThreadCpuSeconds, ...r.threadCpuSeconds];
  if (threads.length === 0 || threads.some((s) => !Number.isFinite(s))) return Number.NaN;
  return r.labeled / Math.max(r.cpuSeconds / cores, ...threads);
}

/** In the child: one labelFiles run, timed, with the process's peak RSS. */
async function child(job: ChildJob): Promise<void> {
  const t0 = performance.now();
  const summary = await labelFiles({ inputs: [job.input], out: job.out, workers: job.workers, format: 'csv' });
  const total = (performance.now() - t0) / 1000;
  const result: ChildResult = {
    labeled: summary.labeled,
    failed: summary.failed,
    seconds: summary.seconds,
    startupSeconds: total - summary.seconds,
    cpuSeconds: summary.cpuSeconds,
    mainThreadCpuSeconds: summary.mainThreadCpuSeconds,
    threadCpuSeconds: summary.threadCpuSeconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(job: ChildJob): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) reject(new Error(`bench child (workers ${job.workers}) exited with code ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as ChildResult);
    });
  });
}

/** Writes `count` reports, cycling over `reports` with unique ids, as JSONL. */
async function writeReplicated(path: string, reports: readonly ReportRecord[], count: number): Promise<number> {
  const stream = createWriteStream(path);
  let chunk = '';
  for (let i = 0; i < count; i++) {
    const r = reports[i % reports.length] as ReportRecord;
    chunk += `${JSON.stringify({ id: `${r.id}#${Math.floor(i / reports.length)}`, text: r.text })}\n`;
    if (chunk.length > 1 << 20) {
      if (!stream.write(chunk)) await new Promise<void>((ok) => stream.once('drain', () => ok()));
      chunk = '';
    }
  }
  stream.write(chunk);
  await new Promise<void>((ok, fail) => stream.end((e?: Error | null) => (e ? fail(e) : ok())));
  return (await stat(path)).size;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const f3 = (n: number): string => n.toFixed(3);
const mark = (ok: boolean): string => (ok ? 'met' : '**not met**');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      reports: { type: 'string', default: '300000' },
      repeat: { type: 'string', default: '3' },
      memory: { type: 'string' },
      'skip-speed': { type: 'boolean' },
      'memory-only': { type: 'boolean' },
    },
  });
  if (values.child) return child(JSON.parse(values.child) as ChildJob);
  if (!hasOpenIDev(DEV)) {
    console.log(`labeler bench: skipped, ${DEV.reports} and gold.csv are not here (see ../shared/data/README.md)`);
    return;
  }
  const count = Math.max(50_000, Number(values.reports));
  const memoryCount = values.memory === undefined ? 0 : Number(values.memory);
  const tmp = await mkdtemp(join(tmpdir(), 'cxr8-labeler-bench-'));
  const lines: string[] = [];
  let figures: Figures | undefined;
  try {
    // Accuracy, and the XML folder end to end (1,540 files: file reads and XML parsing included).
    const devCsv = join(tmp, 'dev.csv');
    let dev = await labelFiles({ inputs: [DEV.reports], out: devCsv, workers: 1 });
    const evaluation = await evaluateFiles({ gold: DEV.gold, pred: devCsv });
    const adjudicated = existsSync(DEV.goldAdjudicated) ? await evaluateFiles({ gold: DEV.goldAdjudicated, pred: devCsv }) : null;
    const clinical = scoreClinical();
    // The XML folder's rate: best of 3 warm runs (the first run above also warms the JIT).
    for (let i = 0; i < 3; i++) {
      const run = await labelFiles({ inputs: [DEV.reports], out: devCsv, workers: 1 });
      if (run.labeled / run.cpuSeconds > dev.labeled / dev.cpuSeconds) dev = run;
    }

    const reports = readOpenIDev(DEV).reports.filter((r) => r.text.trim().length > 0);

    const speed: SpeedRun[] = [];
    if (!values['skip-speed'] && !values['memory-only']) {
      const input = join(tmp, 'replicated.jsonl');
      const bytes = await writeReplicated(input, reports, count);
      const repeat = Math.max(1, Number(values.repeat));
      // Best of `repeat` runs, 1 and 2 workers alternating: the machine may be shared, and the fastest run of each is
      // the least disturbed one.
      const best = new Map<number, ChildResult>();
      for (let i = 0; i < repeat; i++) {
        for (const workers of [1, 2]) {
          const run = await runChild({ input, out: join(tmp, `out-${workers}.csv`), workers });
          const r = best.get(workers);
          if (!r || run.labeled / run.seconds > r.labeled / r.seconds) best.set(workers, run);
          await rm(join(tmp, `out-${workers}.csv`), { force: true });
        }
      }
      for (const [workers, r] of best) {
        speed.push({ kind: workers === 1 ? 'one' : 'two', name: `--workers ${workers}, ${fmt(count)} reports (${fmt(bytes / 1e6, 1)} MB JSONL), best of ${repeat}`, r });
      }
    }
    if (!values['skip-speed'] && memoryCount > 0) {
      const big = join(tmp, 'memory.jsonl');
      const bigBytes = await writeReplicated(big, reports, memoryCount);
      const r = await runChild({ input: big, out: join(tmp, 'out-memory.csv'), workers: 1 });
      speed.push({ kind: 'memory', name: `--workers 1, ${fmt(memoryCount)} reports (${fmt(bigBytes / 1e6, 0)} MB JSONL)`, r });
    }
    lines.push(...table(dev, evaluation, speed, memoryCount), ...accuracyTable(evaluation, adjudicated), ...clinicalTable(clinical));
    // CheXpert's Fracture and Support Devices (label set chexpert) against the MeSH majors of the XML (issue 9).
    lines.push(...meshTable(scoreMesh(readOpenIDev(DEV).reports, readMeshMajors(DEV.reports))));
    const one = speed.find((x) => x.kind === 'one');
    if (one) figures = { raw: evaluation, adjudicated, clinical, one: one.r, two: speed.find((x) => x.kind === 'two')?.r, count };
    const conflicts = goldConflicts(readOpenIDev(DEV));
    if (conflicts) {
      await writeFile(new URL('./gold-conflicts.csv', import.meta.url), conflicts.csv);
      lines.push('', conflicts.summary);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const text = lines.join('\n');
  console.log(text);
  await writeFile(new URL('./results.md', import.meta.url), `${text}\n`);
  if (figures) await writeReadmeFigures(figures);
}

interface Figures {
  raw: Evaluation;
  adjudicated: Evaluation | null;
  clinical: ClinicalScore[];
  one: ChildResult;
  two: ChildResult | undefined;
  count: number;
}

const README = new URL('../../../README.md', import.meta.url);
const FIGURES_START = '<!-- labeler-figures: written by npm run bench -w packages/labeler; do not edit by hand -->';
const FIGURES_END = '<!-- /labeler-figures -->';

/**
 * The README's one statement of the labeler's figures, rewritten by every full bench run (one with the speed runs)
 * between FIGURES_START and FIGURES_END, so that the README never holds two sets of numbers.
 */
async function writeReadmeFigures(f: Figures): Promise<void> {
  const readme = readFileSync(README, 'utf8');
  const start = readme.indexOf(FIGURES_START);
  const end = readme.indexOf(FIGURES_END);
  if (start < 0 || end < start) {
    console.log(`labeler bench: README.md has no ${FIGURES_START} block; figures not written there`);
    return;
  }
  const m = (e: Evaluation['micro']) => e.f1.toFixed(3);
  const nf = (e: Evaluation | null) => (e?.noFinding ? e.noFinding.f1.toFixed(3) : 'n/a');
  const held = f.clinical.filter((c) => c.name.startsWith('clinical-sentences'));
  const date = new Date().toISOString().slice(0, 10);
  const parts = [
    `Measured ${date} by \`npm run bench -w packages/labeler\` (full table: [packages/labeler/bench/results.md](packages/labeler/bench/results.md)).`,
    `On the ${fmt(f.raw.reports)} OpenI dev reports, micro-F1 over the 13 findings without Hernia is` +
      (f.adjudicated ? ` ${m(f.adjudicated.microWithoutHernia)} against the adjudicated gold (No Finding ${nf(f.adjudicated)}) and` : '') +
      ` ${m(f.raw.microWithoutHernia)} against NegBio's gold (No Finding ${nf(f.raw)}; over 14 findings ${m(f.raw.micro)}, the paper's .873).`,
    held.length > 0
      ? `\`assessMention\` on held-out clinical sentences (written by others, not by the rules' authors): ${held.map((h) => `${h.name}, ${fmt(h.lines)} lines: accuracy ${h.accuracy.toFixed(3)}, negated-class F1 ${h.f1.toFixed(3)}`).join('; ')}.`
      : '',
    `Speed end to end (read JSONL, label, write csv) over ${fmt(f.count)} reports: ${fmt(f.one.labeled / f.one.seconds)} reports/s on one thread` +
      ` (${fmt(f.one.labeled / f.one.cpuSeconds)} per CPU-second), peak RSS ${fmt(f.one.peakRssMb)} MB` +
      (f.two ? `; ${fmt(f.two.labeled / f.two.seconds)} reports/s with \`--workers 2\`` : '') +
      `, load average ${loadavg()[0]!.toFixed(1)}. NegBio and the CheXpert labeler publish 3-5 reports/s per core.`,
  ].filter((p) => p !== '');
  const block = `${FIGURES_START}\n${parts.join('\n')}\n`;
  await writeFile(README, readme.slice(0, start) + block + readme.slice(end));
}

function table(
  dev: { labeled: number; failed: number; seconds: number; cpuSeconds: number; mainThreadCpuSeconds: number },
  _ev: Evaluation,
  speed: SpeedRun[],
  memoryCount: number,
): string[] {
  const out: string[] = [];
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  out.push(`# Labeler benchmark`, '');
  out.push(`${new Date().toISOString()}, Node ${process.version}, ${cpus().length} cores (${cpu}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}.`, '');
  out.push('## Speed and memory (end to end: read JSONL, label, write csv; process start and compilation excluded)', '');
  out.push(
    '| run | reports/s | reports per CPU-s | seconds | cores busy | CPU s: main thread | CPU s: each labeling thread | projected reports/s on free cores | startup s | peak RSS MB | target | baseline |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  );
  const cores = cpus().length;
  const one = speed.find((s) => s.kind === 'one');
  const oneRate = one ? one.r.labeled / one.r.seconds : 0;
  const oneProjected = one ? projectedRate(one.r, 1, cores) : Number.NaN;
  for (const { kind, name, r } of speed) {
    const rate = r.labeled / r.seconds;
    const perCpu = r.labeled / r.cpuSeconds;
    const workers = kind === 'two' ? 2 : 1;
    const projected = projectedRate(r, workers, cores);
    const threadCpu = workers === 1 ? '(the main thread)' : r.threadCpuSeconds.map((s) => s.toFixed(2)).join(' + ');
    let target: string;
    if (kind === 'one') {
      target =
        rate >= 30_000
          ? '>= 30,000/s on one thread (issue 8): met'
          : perCpu >= 30_000
            ? '>= 30,000/s on one thread (issue 8): met per CPU-second; the wall rate was held back by other load'
            : '>= 30,000/s on one thread (issue 8): **not met**';
    } else if (kind === 'two') {
      const efficiency = one ? perCpu / (one.r.labeled / one.r.cpuSeconds) : 0;
      const labelCpu = r.threadCpuSeconds.reduce((a, b) => a + b, 0);
      target =
        `near-linear: ${(projected / oneProjected).toFixed(2)}x of 1 worker projected on ${cores} free cores ` +
        `(labeling threads ${labelCpu.toFixed(2)} CPU s in all vs ${one ? one.r.mainThreadCpuSeconds.toFixed(2) : '?'} for 1 worker; ` +
        `wall ${(rate / oneRate).toFixed(2)}x on ${(r.cpuSeconds / r.seconds).toFixed(2)} cores obtained; ${Math.round(efficiency * 100)}% of 1 worker's reports per CPU-s)`;
    } else {
      target = `< 300 MB for ${fmt(memoryCount)}: ${mark(r.peakRssMb < 300)}`;
    }
    out.push(
      `| ${name} | ${fmt(rate)} | ${fmt(perCpu)} | ${r.seconds.toFixed(2)} | ${(r.cpuSeconds / r.seconds).toFixed(2)} | ${r.mainThreadCpuSeconds.toFixed(2)} | ${threadCpu} | ${Number.isFinite(projected) ? fmt(projected) : 'n/a'} | ${r.startupSeconds.toFixed(2)} | ${fmt(r.peakRssMb)} | ${target} | NegBio / CheXpert labeler: 3-5/s per core |`,
    );
  }
  if (speed.length === 0) out.push('| (skipped: --skip-speed) | | | | | | | | | | | |');
  if (memoryCount === 0) out.push('| memory check | not run | | | | | | | | | < 300 MB for 1,000,000 | run with --memory 1000000 |');
  out.push(
    `| OpenI dev XML folder, --workers 1 (${fmt(dev.labeled)} files, reads and XML parsing included), best of 3 in-process | ${fmt(dev.labeled / dev.seconds)} | ${fmt(dev.labeled / dev.cpuSeconds)} | ${dev.seconds.toFixed(2)} | ${(dev.cpuSeconds / dev.seconds).toFixed(2)} | ${dev.mainThreadCpuSeconds.toFixed(2)} | (the main thread) | | | | | |`,
  );
  out.push('');
  out.push('"cores busy" is CPU seconds over wall seconds (all threads of the process, GC and I/O helpers included). "reports');
  out.push('per CPU-s" is reports over those CPU seconds. "CPU s: main thread" and "each labeling thread" are per-thread CPU times');
  out.push('(/proc/thread-self/schedstat): with 1 worker the main thread does everything; with 2 it reads, batches and writes while');
  out.push('two worker threads label. "projected reports/s on free cores" = reports / max(process CPU seconds / cores, the');
  out.push('busiest thread\'s CPU seconds): the wall rate the run would reach with the cores to itself (GC and I/O helper threads');
  out.push('count against the cores too). On a shared machine the wall rate says how many cores the run obtained (see the load');
  out.push('average above); the thread times say how the work divides: the labeling scales linearly when each of 2 labeling');
  out.push('threads does half the 1-worker labeling work and the main thread stays well below it; the projection says what');
  out.push('that gives on this machine\'s cores, next to the main thread and the GC.');
  out.push('');
  return out;
}

/** Per class and totals against NegBio's gold (raw) and the adjudicated gold, with the targets of issue 8. */
function accuracyTable(raw: Evaluation, adj: Evaluation | null): string[] {
  const out: string[] = [''];
  out.push(`## Accuracy on ../shared/data/openi-dev (${fmt(raw.reports)} reports; ${raw.missing.length} without prediction; -1 counts as not positive)`, '');
  out.push(
    'Two golds: NegBio\'s `gold.csv` (the public benchmark of the paper) and `gold-adjudicated.csv` (its disagreements with the labeler of 2026-11 decided by two readers following ANNOTATION.md; where the two agreed, the raw value stands). Hernia is scored apart (never marked in gold.csv, marked in the adjudicated gold only where a disagreement was read).',
    '',
  );
  out.push('| label | raw P | raw R | raw F1 | raw support | adjudicated P | adjudicated R | adjudicated F1 | adjudicated support | paper F1 | issue 8 target (adjudicated) |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const c of raw.classes) {
    const a = adj?.classes.find((x) => x.label === c.label);
    const paper = PAPER_F1[c.label];
    let target = '';
    if (c.label === 'Hernia') target = 'scored apart';
    else if (c.label === 'No Finding') target = a ? `>= 0.995: ${mark(a.f1 >= 0.995)}` : '';
    else if (a && a.support >= 10) target = `>= 0.95 (>= 10 positives): ${mark(a.f1 >= 0.95)}`;
    const adjCells = a ? `${f3(a.precision)} | ${f3(a.recall)} | ${f3(a.f1)} | ${a.support}` : ' | | | ';
    out.push(`| ${c.label} | ${f3(c.precision)} | ${f3(c.recall)} | ${f3(c.f1)} | ${c.support} | ${adjCells} | ${paper === undefined ? '' : paper.toFixed(2)} | ${target} |`);
  }
  const row = (name: string, r: Evaluation['micro'], x: Evaluation['micro'] | undefined, paper: string, target: string) =>
    `| ${name} | ${f3(r.precision)} | ${f3(r.recall)} | ${f3(r.f1)} | ${r.support} | ${x ? `${f3(x.precision)} | ${f3(x.recall)} | ${f3(x.f1)} | ${x.support}` : ' | | | '} | ${paper} | ${target} |`;
  const m13 = adj?.microWithoutHernia;
  out.push(row('**micro, 13 without Hernia**', raw.microWithoutHernia, m13, '', m13 ? `>= 0.99: ${mark(m13.f1 >= 0.99)}; raw held back >= 0.91` : ''));
  out.push(row('micro, 14 findings', raw.micro, adj?.micro, '0.873', ''));
  out.push(row('macro, 13 without Hernia', raw.macroWithoutHernia, adj?.macroWithoutHernia, '', ''));
  out.push('');
  out.push('Baselines: the paper (ChestX-ray8, 14-class micro F1 .873 on OpenI; MetaMap .807); NegBio / CheXpert labeler 3-5 reports/s per core (PAPER.md section 1).');
  return out;
}

interface ClinicalScore {
  name: string;
  lines: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
}

/**
 * Every (report, finding) of the 13 where the labeler and the adjudicated gold disagree, as a CSV for the readers
 * (report id, finding, both golds, the labeler's value and the rule that decided it; no report text, which stays in
 * ../shared/data), and a one-line summary by the labeler's deciding rule: a value of -1 named by a hedge or an
 * alternative rule is a mention ANNOTATION.md codes -1 that the gold codes 1 because no reader saw it.
 */
function goldConflicts(dev: OpenIDev): { csv: string; summary: string } | null {
  if (!dev.adjudicated) return null;
  const labeler = createLabeler();
  const rows = ['id,finding,gold_adjudicated,gold_negbio,labeler,rule'];
  const byRule = new Map<string, number>();
  for (const report of dev.reports) {
    const gold = dev.adjudicated.get(report.id);
    if (!gold) continue;
    const result = labeler.label(report);
    for (const [finding, goldValue] of Object.entries(gold)) {
      if (finding === 'Hernia' || finding === 'No Finding') continue;
      const value = (result.labels as Record<string, number | undefined>)[finding];
      const present = value === 1 ? 1 : 0;
      if (present === goldValue) continue;
      const deciding = result.evidence.find((e) => e.label === finding && e.value === value);
      const rule = deciding?.rule ?? (value === undefined ? 'not-mentioned' : value === 1 ? 'asserted' : '');
      const key = `${goldValue === 1 ? 'gold 1' : 'gold 0'}, labeler ${value ?? 'blank'} (${rule})`;
      byRule.set(key, (byRule.get(key) ?? 0) + 1);
      rows.push([report.id, finding, goldValue, dev.gold.get(report.id)?.[finding as keyof typeof gold] ?? '', value ?? '', rule].join(','));
    }
  }
  const counts = [...byRule].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`);
  return {
    csv: `${rows.join('\n')}\n`,
    summary: `Disagreements with the adjudicated gold over 13 findings (${rows.length - 1}; listed in bench/gold-conflicts.csv): ${counts.join('; ')}`,
  };
}

/** `assessMention` on the clinical challenge sets of test/fixtures (the held-out one and the dev one), when present. */
function scoreClinical(): ClinicalScore[] {
  const out: ClinicalScore[] = [];
  for (const name of ['clinical-sentences.jsonl', 'clinical-sentences-2.jsonl', 'clinical-dev.jsonl']) {
    const path = fileURLToPath(new URL(`../test/fixtures/${name}`, import.meta.url));
    if (!existsSync(path)) continue;
    const rows = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
    let right = 0;
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const line of rows) {
      const c = JSON.parse(line) as { sentence: string; concept: string; occurrence: number; expected: string };
      const span = wordSpan(c.sentence, c.concept, c.occurrence);
      const got = span ? assessMention(c.sentence, span).status : null;
      if (got === c.expected) right++;
      if (got === 'negative' && c.expected === 'negative') tp++;
      else if (got === 'negative') fp++;
      else if (c.expected === 'negative') fn++;
    }
    const precision = tp / (tp + fp || 1);
    const recall = tp / (tp + fn || 1);
    out.push({ name, lines: rows.length, accuracy: right / (rows.length || 1), precision, recall, f1: (2 * precision * recall) / (precision + recall || 1) });
  }
  return out;
}

/** The `occurrence`-th (1-based) whole-word, case-insensitive occurrence of `concept` in `sentence`. */
function wordSpan(sentence: string, concept: string, occurrence: number): { start: number; end: number } | null {
  const hay = sentence.toLowerCase();
  const needle = concept.toLowerCase();
  const word = (ch: string | undefined) => ch !== undefined && /[a-z0-9]/.test(ch);
  let seen = 0;
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) {
    if (word(hay[at - 1]) || word(hay[at + needle.length])) continue;
    if (++seen >= Math.max(1, occurrence)) return { start: at, end: at + needle.length };
  }
  return null;
}

function clinicalTable(scores: ClinicalScore[]): string[] {
  const out: string[] = ['', '## Clinical negation with `assessMention` (test/fixtures/clinical-*.jsonl)', ''];
  if (scores.length === 0) return [...out, 'No clinical challenge set found.'];
  out.push('| set | lines | accuracy | negated P | negated R | negated F1 | target |', '|---|---:|---:|---:|---:|---:|---|');
  for (const s of scores) {
    out.push(`| ${s.name} | ${s.lines} | ${f3(s.accuracy)} | ${f3(s.precision)} | ${f3(s.recall)} | ${f3(s.f1)} | negated F1 >= 0.95: ${mark(s.f1 >= 0.95)} |`);
  }
  return out;
}

await main();
