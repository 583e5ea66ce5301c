/**
 * A noisy gold for CheXpert's Fracture and Support Devices on the OpenI dev reports (issue 9): the MeSH major
 * headings of each XML (`<MeSH><major>`, indexed by the Indiana annotators; the labeler never reads them).
 *
 * - Fracture: a major heading "Fractures, Bone" (any subheading: "Fractures, Bone/ribs/left/healed").
 * - Support Devices: "Catheters, Indwelling", "Implanted Medical Device", "Tube, Inserted", "Stents", "Medical
 *   Device". "Surgical Instruments" (clips, sternotomy wires) is not a support device in CheXpert's sense, and neither
 *   are "Breast Implants".
 *
 * The reports are split by id: every 5th id (CXR5, CXR10, ...) is held back, never read while the Fracture and
 * Support Devices lexicons were tuned; the rest is the tuning part. A prediction is positive when its value is 1.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLabeler } from '../src/pipeline.js';
import type { ReportRecord } from '../src/readers/records.js';
import type { Score } from '../src/evaluate.js';

/** The MeSH major headings (before the first "/") that stand for each CheXpert observation. */
export const MESH_GOLD: Readonly<Record<'Fracture' | 'Support Devices', readonly string[]>> = {
  Fracture: ['Fractures, Bone'],
  'Support Devices': ['Catheters, Indwelling', 'Implanted Medical Device', 'Tube, Inserted', 'Stents', 'Medical Device'],
};

/** Counts and scores of one observation on one part. */
export interface MeshScore extends Omit<Score, 'support'> {
  finding: string;
  part: 'all' | 'tuning' | 'held back';
  reports: number;
  /** Disagreements, as "id: labeler value / MeSH majors". */
  disagreements: string[];
}

/** True for an id held back from tuning: every 5th (the number in "CXR35" is a multiple of 5). */
export function isHeldBack(id: string): boolean {
  const n = Number(/\d+/.exec(id)?.[0] ?? NaN);
  return Number.isFinite(n) && n % 5 === 0;
}

/** The MeSH major headings of each report, by report id ("CXR" + the file's number, as the uId). */
export function readMeshMajors(reportsDir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const name of readdirSync(reportsDir).filter((n) => n.endsWith('.xml'))) {
    const xml = readFileSync(join(reportsDir, name), 'utf8');
    const id = /<uId id="([^"]+)"/.exec(xml)?.[1];
    if (!id) continue;
    out.set(id, [...xml.matchAll(/<major>([^<]*)<\/major>/g)].map((m) => m[1]!.trim()));
  }
  return out;
}

/**
 * Labels the reports with the chexpert set and scores Fracture and Support Devices against the MeSH gold, on all
 * reports, the tuning part and the held-back part.
 */
export function scoreMesh(reports: readonly ReportRecord[], majors: ReadonlyMap<string, readonly string[]>): MeshScore[] {
  const labeler = createLabeler({ labelSet: 'chexpert' });
  const labels = new Map(reports.map((r) => [r.id, labeler.label(r).labels]));
  const scores: MeshScore[] = [];
  for (const finding of ['Fracture', 'Support Devices'] as const) {
    for (const part of ['all', 'tuning', 'held back'] as const) {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      let n = 0;
      const disagreements: string[] = [];
      for (const r of reports) {
        if (part !== 'all' && isHeldBack(r.id) !== (part === 'held back')) continue;
        n++;
        const m = majors.get(r.id) ?? [];
        const gold = m.some((h) => MESH_GOLD[finding].includes(h.split('/')[0]!.trim()));
        const v = labels.get(r.id)?.[finding];
        const pred = v === 1;
        if (gold && pred) tp++;
        else if (pred) fp++;
        else if (gold) fn++;
        if (gold !== pred) disagreements.push(`${r.id}: labeler ${v ?? 'blank'} / MeSH ${m.join('; ') || '(none)'}`);
      }
      const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
      const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
      const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
      scores.push({ finding, part, reports: n, tp, fp, fn, precision, recall, f1, disagreements });
    }
  }
  return scores;
}

/** The targets of issue 9 on the held-back part. */
export const MESH_TARGETS: Readonly<Record<string, number>> = { Fracture: 0.9, 'Support Devices': 0.8 };

/** The MeSH table of the bench's results. */
export function meshTable(scores: readonly MeshScore[]): string[] {
  const f = (x: number) => x.toFixed(3);
  const out = [
    '',
    '### CheXpert observations against the MeSH majors (label set chexpert; noisy gold, see bench/mesh.ts)',
    '',
    '| observation | part | reports | P | R | F1 | tp | fp | fn | target (held back) |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const s of scores) {
    const target = s.part === 'held back' ? `F1 >= ${MESH_TARGETS[s.finding]!.toFixed(2)}: ${s.f1 >= MESH_TARGETS[s.finding]! ? 'met' : '**not met**'}` : '';
    out.push(`| ${s.finding} | ${s.part} | ${s.reports} | ${f(s.precision)} | ${f(s.recall)} | ${f(s.f1)} | ${s.tp} | ${s.fp} | ${s.fn} | ${target} |`);
  }
  out.push('', 'Held back: every 5th report id (CXR5, CXR10, ...), not read while the Fracture and Support Devices lexicons were tuned.');
  return out;
}
