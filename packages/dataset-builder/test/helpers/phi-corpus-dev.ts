/**
 * Clinical-token loss of the report-text scrubber on the OpenI dev reports (../shared/data/openi-dev/reports): those
 * reports are already de-identified (XXXX marks what was removed), so every token the scrubber removes from them is a
 * clinical word lost. Used by test/scrub.test.ts and bench/scrub.ts.
 *
 * @example
 * ```ts
 * const reports = await readDevReports();
 * if (reports) measureTokenLoss(reports.map((r) => r.text)).share; // 0.0007
 * ```
 */
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOpenIXml } from '@cxr8/labeler';
import { findPhi } from '../../src/scrub.js';
import type { HeaderIdentifiers, PhiSpan } from '../../src/scrub.js';

/** The dev reports folder (CXR8_OPENI_DEV overrides). */
export const DEV_REPORTS_DIR = process.env.CXR8_OPENI_DEV
  ? join(process.env.CXR8_OPENI_DEV, 'reports')
  : resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../../shared/data/openi-dev/reports');

/** Every dev report's text (sections joined as the labeler reads them), or undefined when the data is absent. */
export async function readDevReports(dir = DEV_REPORTS_DIR): Promise<{ id: string; text: string }[] | undefined> {
  if (!existsSync(dir)) return undefined;
  const names = (await readdir(dir)).filter((n) => n.endsWith('.xml')).sort();
  const out: { id: string; text: string }[] = [];
  for (const n of names) {
    const r = parseOpenIXml(await readFile(join(dir, n), 'utf8'), n);
    out.push({ id: r.id, text: r.text });
  }
  return out;
}

/**
 * The clinical sentences of the labeler's test fixtures (packages/labeler/test/fixtures/*.jsonl: challenge
 * snippets and clinical sentences written for this project, no identifier in them): a second clinical text, in the
 * repository, for token loss.
 */
export async function readLabelerSentences(): Promise<string[]> {
  const dir = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../labeler/test/fixtures');
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  // Several fixtures repeat a sentence once per concept: each sentence counts once.
  for (const n of (await readdir(dir)).filter((f) => f.endsWith('.jsonl')).sort()) {
    for (const line of (await readFile(join(dir, n), 'utf8')).split('\n')) {
      if (line.trim() === '') continue;
      const o = JSON.parse(line) as { text?: unknown; sentence?: unknown };
      const text = typeof o.text === 'string' ? o.text : o.sentence;
      if (typeof text === 'string') out.push(text);
    }
  }
  return [...new Set(out)];
}

export interface TokenLoss {
  /** Whitespace-separated tokens in all texts. */
  tokens: number;
  /** Tokens with at least one character inside a removed span. */
  removed: number;
  /** removed / tokens. */
  share: number;
  /** What was removed, most frequent first: [string, kind, count]. */
  top: [string, string, number][];
  /** Reports scrubbed per second (findPhi only). */
  reportsPerSecond: number;
}

/** Scrubs each text and counts the tokens that lose characters. */
export function measureTokenLoss(texts: readonly string[], header: HeaderIdentifiers = {}): TokenLoss {
  let tokens = 0;
  let removed = 0;
  const counts = new Map<string, [string, string, number]>();
  const spansOf: PhiSpan[][] = [];
  const t0 = process.hrtime.bigint();
  for (const text of texts) spansOf.push(findPhi(text, header));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  texts.forEach((text, k) => {
    const spans = spansOf[k]!;
    for (const m of text.matchAll(/\S+/g)) {
      tokens++;
      const s = m.index;
      const e = s + m[0].length;
      if (spans.some((p) => p.start < e && p.end > s)) removed++;
    }
    for (const p of spans) {
      const key = `${p.kind}\u0000${text.slice(p.start, p.end)}`;
      const c = counts.get(key);
      if (c) c[2]++;
      else counts.set(key, [text.slice(p.start, p.end), p.kind, 1]);
    }
  });
  const top = [...counts.values()].sort((a, b) => b[2] - a[2]);
  return { tokens, removed, share: tokens ? removed / tokens : 0, top, reportsPerSecond: seconds > 0 ? texts.length / seconds : Infinity };
}
