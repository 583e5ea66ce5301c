/**
 * The report-text scrubber (src/scrub.ts) measured, as a table (also run by `npm run bench`):
 *
 * - the planted corpus (test/helpers/phi-corpus.ts, seeded): identifiers planted and left, by class, and clinical
 *   phrases damaged;
 * - the held-out planted sets (test/helpers/phi-heldout.ts and phi-heldout-2.ts), when present: the same;
 * - clinical-token loss on the 1,540 OpenI dev reports (already de-identified, so every removed token is a loss):
 *   tokens removed, share, the strings removed most often;
 * - speed: reports per second over N reports (the dev reports repeated; default 100,000), without header
 *   identifiers and with a different header per report (each one compiled: the worst case of a real build).
 *
 * Options: --reports N, --seed S, --cases N (planted corpus size).
 *
 * @example
 * ```sh
 * node --import=tsx bench/scrub.ts --reports 100000
 * ```
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findPhi, scrubReportText } from '../src/scrub.js';
import type { HeaderIdentifiers } from '../src/scrub.js';
import { headerIdentifiersOf, makePhiCorpus } from '../test/helpers/phi-corpus.js';
import type { PhiCase } from '../test/helpers/phi-corpus.js';
import { measureTokenLoss, readDevReports, readLabelerSentences } from '../test/helpers/phi-corpus-dev.js';

/** Options of {@link runScrubBench}. */
export interface ScrubBenchOptions {
  reports: number;
  seed: number;
  cases: number;
}

interface PlantedSet {
  header: HeaderIdentifiers;
  text: string;
  planted: { text: string; kind: string }[];
  keep: string[];
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const isLeft = (out: string, planted: string): boolean => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRe(planted)}(?![\\p{L}\\p{N}])`, 'u').test(out);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Planted and left by class, and keep strings damaged. */
function scorePlanted(cases: readonly PlantedSet[]): { rows: string[][]; planted: number; left: number; damaged: number; examples: string[] } {
  const byKind = new Map<string, [number, number]>();
  let planted = 0;
  let left = 0;
  let damaged = 0;
  const examples: string[] = [];
  for (const c of cases) {
    const out = scrubReportText(c.text, c.header);
    for (const p of c.planted) {
      const k = byKind.get(p.kind) ?? [0, 0];
      byKind.set(p.kind, k);
      k[0]++;
      planted++;
      if (isLeft(out, p.text)) {
        k[1]++;
        left++;
        if (examples.length < 20) examples.push(`left ${p.kind} ${JSON.stringify(p.text)}: ${out.slice(0, 200)}`);
      }
    }
    for (const k of c.keep) {
      if (!out.includes(k)) {
        damaged++;
        if (examples.length < 20) examples.push(`damaged ${JSON.stringify(k)}: ${out.slice(0, 200)}`);
      }
    }
  }
  const rows = [...byKind.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([kind, [n, l]]) => [kind, String(n), String(n - l), String(l)]);
  return { rows, planted, left, damaged, examples };
}

/** Loads a held-out set when its file exists (each is written apart from the scrubber). */
async function heldOut(name: 'phi-heldout' | 'phi-heldout-2'): Promise<PlantedSet[] | undefined> {
  const path = fileURLToPath(new URL(`../test/helpers/${name}.ts`, import.meta.url));
  if (!existsSync(path)) return undefined;
  const mod = (await import(`../test/helpers/${name}.js`)) as { HELD_OUT_CASES: readonly PhiCase[] };
  return mod.HELD_OUT_CASES.map((c) => ({ header: headerIdentifiersOf(c.header), text: c.text, planted: c.planted, keep: c.keep }));
}

/**
 * Runs the measurements and prints the tables; returns whether the targets hold (0 left, loss < 0.5%).
 *
 * @example
 * ```ts
 * await runScrubBench({ reports: 100_000, seed: 1, cases: 60 });
 * ```
 */
export async function runScrubBench(options: ScrubBenchOptions): Promise<boolean> {
  let ok = true;
  const corpus = makePhiCorpus(options.seed, options.cases).map((c) => ({ header: headerIdentifiersOf(c.header), text: c.text, planted: c.planted, keep: c.keep }));
  const sets: [string, PlantedSet[]][] = [[`planted corpus (seed ${options.seed}, ${options.cases} reports)`, corpus]];
  const held = await heldOut('phi-heldout');
  if (held) sets.push([`held-out planted set (${held.length} reports)`, held]);
  const held2 = await heldOut('phi-heldout-2');
  if (held2) sets.push([`second held-out planted set (${held2.length} reports)`, held2]);
  for (const [name, cases] of sets) {
    const s = scorePlanted(cases);
    console.log(`\nReport-text scrubber, ${name}: ${s.planted} identifiers planted, ${s.left} left, ${s.damaged} clinical phrases damaged\n`);
    console.log(table(['class', 'planted', 'removed', 'left'], s.rows));
    for (const e of s.examples) console.log(`  ${e}`);
    if (s.left > 0) ok = false;
  }
  if (!held) console.log('\nheld-out planted set: test/helpers/phi-heldout.ts is absent');

  const sentences = await readLabelerSentences();
  if (sentences.length > 0) {
    const l = measureTokenLoss(sentences);
    console.log(`\nClinical-token loss on the labeler's ${sentences.length} clinical test sentences: ${l.removed} of ${l.tokens} tokens removed (${(l.share * 100).toFixed(3)}%): ${l.top.slice(0, 5).map(([s, k, n]) => `${JSON.stringify(s)} ${k} x${n}`).join(', ')}`);
    if (l.share >= 0.005) ok = false;
  }
  const dev = await readDevReports();
  if (!dev) {
    console.log('\nOpenI dev reports: ../shared/data/openi-dev/reports is absent (skipped)');
    return ok;
  }
  const loss = measureTokenLoss(dev.map((r) => r.text));
  console.log(`\nClinical-token loss on ${dev.length} OpenI dev reports: ${loss.removed} of ${loss.tokens} tokens removed (${(loss.share * 100).toFixed(3)}%, target < 0.5%)\n`);
  console.log(table(['removed string', 'kind', 'count'], loss.top.slice(0, 15).map(([s, k, n]) => [JSON.stringify(s), k, String(n)])));
  if (loss.share >= 0.005) ok = false;

  // Speed: the dev reports repeated to N, first without header identifiers, then with a new header per report.
  const texts = Array.from({ length: options.reports }, (_, i) => dev[i % dev.length]!.text);
  const headers = makePhiCorpus(options.seed + 1, 500).map((c) => c.header);
  const speed: string[][] = [];
  for (const mode of ['no header identifiers', 'a different header per report'] as const) {
    for (const t of texts.slice(0, 2000)) findPhi(t);
    const t0 = process.hrtime.bigint();
    let chars = 0;
    texts.forEach((t, i) => {
      const h = headers[i % headers.length]!;
      const header = mode === 'no header identifiers' ? {} : headerIdentifiersOf({ ...h, patientName: `${h.patientName}${i}`, referring: h.referring, performing: h.performing });
      chars += findPhi(t, header).length;
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    speed.push([mode, String(texts.length), seconds.toFixed(2), Math.round(texts.length / seconds).toLocaleString('en-US'), String(chars)]);
  }
  console.log(`\nSpeed (one thread, ${process.version})\n`);
  console.log(table(['headers', 'reports', 'seconds', 'reports/s', 'spans found'], speed));
  return ok;
}

function parseArgs(argv: string[]): ScrubBenchOptions {
  const o: ScrubBenchOptions = { reports: 100_000, seed: 1, cases: 60 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = Number(argv[i + 1]);
    if (a === '--reports') o.reports = v;
    else if (a === '--seed') o.seed = v;
    else if (a === '--cases') o.cases = v;
    else throw new Error(`bench/scrub: unknown option ${a}; expected --reports N, --seed S, --cases N`);
    i++;
  }
  return o;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const ok = await runScrubBench(parseArgs(process.argv.slice(2)));
  process.exitCode = ok ? 0 : 1;
}
