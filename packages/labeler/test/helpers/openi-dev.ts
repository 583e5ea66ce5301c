/**
 * The OpenI dev set (`../shared/data/openi-dev`: `reports/*.xml`, `gold.csv` (NegBio's) and `gold-adjudicated.csv`
 * (every disagreement between that gold and the labeler of 2026-11 decided by two readers following
 * ../shared/docs/ANNOTATION.md), see ../shared/data/README.md):
 * where it is and how to read it, shared by the accuracy tests (`test/openi-eval.test.ts`, `test/consistency.test.ts`,
 * `test/label-sets.test.ts`) and the benchmark (`bench/run.ts`). A test helper: it reads `../shared/data` next to the
 * repository, so it is not part of the package's `src` nor of its API.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseGoldCsv, type LabelTable } from '../../src/evaluate.js';
import { readOpenIReport } from '../../src/readers/index.js';
import type { InputFailure, ReportRecord } from '../../src/readers/records.js';

/**
 * The paper's F1 per class on OpenI (PAPER.md section 1: the 8 classes with "their method", and Normal as
 * `No Finding`): the bar the accuracy test and the benchmark compare the labeler against.
 *
 * @example
 * ```ts
 * const below = evaluation.classes.filter((c) => (PAPER_F1[c.label] ?? 0) > c.f1);
 * ```
 */
export const PAPER_F1: Readonly<Record<string, number>> = {
  Atelectasis: 0.91,
  Cardiomegaly: 0.88,
  Effusion: 0.87,
  Infiltration: 0.8,
  Mass: 0.52,
  Nodule: 0.75,
  Pneumonia: 0.77,
  Pneumothorax: 0.86,
  'No Finding': 0.93,
};

/** Where the OpenI dev set is. */
export interface OpenIDevPaths {
  /** The `openi-dev` folder. */
  dir: string;
  /** Its folder of OpenI XML reports. */
  reports: string;
  /** Its gold-standard csv (NegBio's, the public benchmark). */
  gold: string;
  /** The adjudicated gold standard (the conventions of ANNOTATION.md); may be absent. */
  goldAdjudicated: string;
}

/**
 * The paths of the OpenI dev set: `$CXR8_SHARED_DATA/openi-dev` (`CXR8_DATA` is read too, for older scripts), else
 * `../shared/data/openi-dev` next to the repository (this module is `packages/labeler/test/helpers` in it). The
 * folder may be absent: see {@link hasOpenIDev}.
 *
 * @example
 * ```ts
 * openIDevPaths().gold; // "/work/shared/data/openi-dev/gold.csv"
 * ```
 */
export function openIDevPaths(env: NodeJS.ProcessEnv = process.env): OpenIDevPaths {
  const shared = env['CXR8_SHARED_DATA'] ?? env['CXR8_DATA'] ?? fileURLToPath(new URL('../../../../../shared/data/', import.meta.url));
  const dir = resolve(shared, 'openi-dev');
  return { dir, reports: join(dir, 'reports'), gold: join(dir, 'gold.csv'), goldAdjudicated: join(dir, 'gold-adjudicated.csv') };
}

/**
 * True when the OpenI dev set's reports folder and gold csv are both there (tests and the benchmark skip otherwise).
 *
 * @example
 * ```ts
 * if (!hasOpenIDev()) console.log('skipped: ../shared/data/openi-dev is absent');
 * ```
 */
export function hasOpenIDev(paths: OpenIDevPaths = openIDevPaths()): boolean {
  return existsSync(paths.reports) && existsSync(paths.gold);
}

/** The OpenI dev set, read. */
export interface OpenIDev {
  /** Every report, in file-name order, with `label-reports`' OpenI reader (id = the `uId`; a few have empty text). */
  reports: ReportRecord[];
  /** Report files that could not be read or parsed. */
  failures: InputFailure[];
  /** The gold standard, by report id. */
  gold: LabelTable;
  /** The adjudicated gold standard, by report id, when `gold-adjudicated.csv` is there. */
  adjudicated?: LabelTable;
}

/**
 * Reads the OpenI dev set: its reports (sorted by file name, read as `label-reports` reads `.xml` inputs) and its
 * gold standards (gold.csv, and gold-adjudicated.csv when present). Throws an `EvaluationInputError` when a gold csv
 * cannot be parsed.
 *
 * @example
 * ```ts
 * const { reports, gold } = readOpenIDev();
 * const labeler = createLabeler();
 * const pred = new Map(reports.map((r) => [r.id, labeler.label(r).labels]));
 * console.log(formatEvaluation(evaluate(gold, pred)));
 * ```
 */
export function readOpenIDev(paths: OpenIDevPaths = openIDevPaths()): OpenIDev {
  const reports: ReportRecord[] = [];
  const failures: InputFailure[] = [];
  const names = readdirSync(paths.reports).filter((n) => n.toLowerCase().endsWith('.xml')).sort();
  for (const name of names) {
    const item = readOpenIReport(join(paths.reports, name), name);
    if (item.report) reports.push(item.report);
    else failures.push(item.failure);
  }
  const gold = parseGoldCsv(readFileSync(paths.gold, 'utf8'), paths.gold);
  if (!existsSync(paths.goldAdjudicated)) return { reports, failures, gold };
  return { reports, failures, gold, adjudicated: parseGoldCsv(readFileSync(paths.goldAdjudicated, 'utf8'), paths.goldAdjudicated) };
}
