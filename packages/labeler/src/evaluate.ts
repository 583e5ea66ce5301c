/**
 * Evaluation of predicted labels against a gold standard: per-class precision, recall, F1 and support, with micro and
 * macro totals over the 14 findings, and over the 13 without Hernia (the OpenI gold standard never marks Hernia,
 * see ../shared/data/README.md), plus No Finding.
 *
 * Gold files have the format of `../shared/data/openi-dev/gold.csv`: `filename` (the report id), the 14 findings
 * and `normal` (No Finding), 1 = present. Prediction files have the labeler's csv format: `id`, the 14 findings and
 * `No Finding`, values 1, 0, -1 or blank. Only 1 counts as a positive prediction (unless `uncertainAs: 'positive'`,
 * which counts a finding's -1 as positive; a No Finding of -1 is never a prediction of normal).
 * A prediction file may hold any subset of those label columns (the 8 of `--labels 8`): only the labels it has a
 * column for are scored, and the evaluation lists the others as `unscored`.
 */
import { EvaluationInputError } from './errors.js';
import { parseCsvRecords } from './readers/csv.js';
import { FINDINGS_14, NO_FINDING, type Finding, type Label } from './findings.js';
import type { LabelValue } from './types.js';

/** Labels of each report, by report id. A missing label means blank (not mentioned). */
export type LabelTable = Map<string, Partial<Record<Label, LabelValue>>>;

/** A prediction table with the labels its file has a column for (what `evaluate` scores). */
export type PredictionTable = LabelTable & { readonly labels: readonly Label[] };

/** Counts and scores of one class (or a total). */
export interface Score {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  /** Number of gold positives. */
  support: number;
}

/** The score of one label. */
export interface ClassScore extends Score {
  label: Label;
}

/** Result of `evaluate`. */
export interface Evaluation {
  /** The scored labels: the 14 findings in NIH order, then No Finding, or those of them the predictions have. */
  classes: ClassScore[];
  /** The scored labels, in the order of `classes`. */
  labels: Label[];
  /** Labels not scored because the prediction file has no column for them (e.g. 6 findings of a `--labels 8` file). */
  unscored: Label[];
  /** Predicted labels not scored because the gold standard has no column for them (a site's Scoliosis against NIH's gold). */
  notInGold: Label[];
  /** Micro and macro totals over the scored findings (the 14, or fewer: see `labels`). */
  micro: Score;
  macro: Score;
  /** Micro and macro totals over the scored findings without Hernia (13 of the 14). */
  microWithoutHernia: Score;
  macroWithoutHernia: Score;
  /** Absent when Hernia is not scored. */
  hernia?: ClassScore;
  /** Absent when No Finding is not scored. */
  noFinding?: ClassScore;
  /** Reports scored (all gold reports). */
  reports: number;
  /** Gold ids with no prediction (scored as all blank). */
  missing: string[];
  /** Predicted ids not in the gold standard (ignored). */
  extra: string[];
}

/**
 * Parses csv text (RFC 4180: quoted fields, doubled quotes, CRLF) into rows of fields, with the one CSV parser of the
 * package ({@link parseCsvRecords}, readers/csv.ts); blank lines are skipped. An unterminated quote is an
 * {@link EvaluationInputError} naming the line where the quote opened.
 *
 * @example
 * ```ts
 * parseCsv('a,b\n"x, y",2\n'); // [['a','b'], ['x, y','2']]
 * ```
 */
export function parseCsv(text: string, file?: string): string[][] {
  const records = parseCsvRecords(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const last = records[records.length - 1];
  if (last?.error?.startsWith('expected a closing quote')) throw new EvaluationInputError(last.error, where(file));
  return records.map((r) => r.fields);
}

function where(file?: string): { file?: string } {
  return file === undefined ? {} : { file };
}

/**
 * The label columns of a header: every column but the id and No Finding columns, named as NIH spells a finding when
 * the header spells one of the 14 another way ("pleural thickening" is Pleural_Thickening), else as the header has it
 * (a site's "Scoliosis", CheXpert's "Pleural Effusion").
 *
 * @example
 * ```ts
 * labelColumns(['id', 'cardiomegaly', 'Scoliosis', 'No Finding'], 0, 3); // [[1, 'Cardiomegaly'], [2, 'Scoliosis']]
 * ```
 */
export function labelColumns(header: readonly string[], idCol: number, noFindingCol: number): Array<[number, Label]> {
  const cols: Array<[number, Label]> = [];
  header.forEach((h, k) => {
    if (k === idCol || k === noFindingCol || h === '') return;
    const key = h.toLowerCase().replace(/[_\s]+/g, ' ');
    const nih = FINDINGS_14.find((f) => f.toLowerCase().replace('_', ' ') === key);
    cols.push([k, nih ?? h]);
  });
  return cols;
}

/** A cell that is a label value: 1, 0, -1 (optionally as 1.0, 0.0, -1.0) or blank. */
const LABEL_CELL = /^(|1|0|-1|1\.0|0\.0|-1\.0)$/;

function parseTable(text: string, idColumns: readonly string[], noFindingColumns: readonly string[], gold: boolean, file?: string): PredictionTable {
  const rows = parseCsv(text, file);
  const header = rows[0];
  if (!header) throw new EvaluationInputError('expected a header row, found an empty file', where(file));
  const norm = header.map((h) => h.trim());
  const lower = norm.map((h) => h.toLowerCase());
  const idCol = lower.findIndex((h) => idColumns.includes(h));
  if (idCol < 0) {
    throw new EvaluationInputError(
      `expected an id column (${idColumns.map((c) => `"${c}"`).join(' or ')}) in the header, found ${norm.join(',')}`,
      where(file),
    );
  }
  const nf = lower.findIndex((h) => noFindingColumns.includes(h));
  // A column of another name whose cells are not all label values (a "text" or "Reports" column) is no label column.
  const cols = labelColumns(norm, idCol, nf).filter(
    ([k, label]) => (FINDINGS_14 as readonly string[]).includes(label) || rows.slice(1).every((row) => LABEL_CELL.test(row[k]?.trim() ?? '')),
  );
  const nih = cols.filter(([, label]) => (FINDINGS_14 as readonly string[]).includes(label)).length;
  // A gold standard of the NIH findings must score every one of them (a missing column would score as no positives);
  // a gold standard of other findings (a site's set, CheXpert's observations) scores the columns it has.
  const missing = FINDINGS_14.find((f) => !cols.some(([, label]) => label === f));
  if (gold && nih >= FINDINGS_14.length / 2 && missing !== undefined) {
    throw new EvaluationInputError(
      `expected a column for every finding (${FINDINGS_14.join(',')}), found no "${missing}" in header ${norm.join(',')}`,
      where(file),
    );
  }
  if (nf >= 0) cols.push([nf, NO_FINDING]);
  if (cols.length === 0) {
    throw new EvaluationInputError(
      `expected at least one label column (${[...FINDINGS_14, NO_FINDING].join(',')}, or the findings of a label set), found header ${norm.join(',')}`,
      where(file),
    );
  }
  // A gold file without a No Finding column still scores it (as all 0), as before; a prediction file scores its columns.
  const labels: Label[] = cols.map(([, label]) => label);
  if (gold && nf < 0) labels.push(NO_FINDING);
  const table = Object.assign(new Map(), { labels }) as PredictionTable;
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r]!;
    if (row.length !== header.length) {
      throw new EvaluationInputError(`row ${r + 1}: expected ${header.length} fields, found ${row.length}`, where(file));
    }
    const id = row[idCol]!.trim();
    if (!id) throw new EvaluationInputError(`row ${r + 1}: expected a report id, found an empty field`, where(file));
    const labels: Partial<Record<Label, LabelValue>> = {};
    for (const [k, label] of cols) {
      const v = row[k]!.trim();
      if (v === '') {
        if (gold) labels[label] = 0;
        continue;
      }
      const n = v === '1' || v === '1.0' ? 1 : v === '0' || v === '0.0' ? 0 : v === '-1' || v === '-1.0' ? -1 : null;
      if (n === null) {
        throw new EvaluationInputError(`row ${r + 1}, column "${norm[k]}": expected 1, 0, -1 or blank, found "${v}"`, where(file));
      }
      labels[label] = n;
    }
    if (table.has(id)) throw new EvaluationInputError(`row ${r + 1}: expected unique ids, found "${id}" twice`, where(file));
    table.set(id, labels);
  }
  return table;
}

/**
 * Parses a gold-standard csv in the format of `../shared/data/openi-dev/gold.csv` (`filename`, 14 findings,
 * `normal`); blank cells are 0.
 *
 * @example
 * ```ts
 * parseGoldCsv(readFileSync('gold.csv', 'utf8')).get('CXR100'); // { Atelectasis: 0, ..., 'No Finding': 1 }
 * ```
 */
export function parseGoldCsv(text: string, file?: string): LabelTable {
  return parseTable(text, ['filename', 'id', 'uid', 'report', 'image index'], ['normal', 'no finding'], true, file);
}

/**
 * Parses a prediction csv in the labeler's csv format (`id`, 14 findings, `No Finding`; 1, 0, -1 or blank). Any
 * subset of the label columns is accepted (`--labels 8` writes 8 findings and No Finding); the table's `labels` lists
 * the ones present, and `evaluate` scores only those. Other columns are ignored.
 *
 * @example
 * ```ts
 * parsePredictionCsv('id,Atelectasis,...,Hernia,No Finding\nCXR1,1,,,,,,,,,,,,,,0\n').get('CXR1')?.Atelectasis; // 1
 * parsePredictionCsv('id,Effusion,No Finding\nCXR1,1,0\n').labels; // ['Effusion', 'No Finding']
 * ```
 */
export function parsePredictionCsv(text: string, file?: string): PredictionTable {
  return parseTable(text, ['id', 'filename'], ['no finding', 'normal'], false, file);
}

function score(tp: number, fp: number, fn: number): Score {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, precision, recall, f1, support: tp + fn };
}

function totals(classes: readonly ClassScore[]): { micro: Score; macro: Score } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const c of classes) {
    tp += c.tp;
    fp += c.fp;
    fn += c.fn;
  }
  const n = classes.length || 1;
  const macro = {
    ...score(tp, fp, fn),
    precision: classes.reduce((s, c) => s + c.precision, 0) / n,
    recall: classes.reduce((s, c) => s + c.recall, 0) / n,
    f1: classes.reduce((s, c) => s + c.f1, 0) / n,
  };
  return { micro: score(tp, fp, fn), macro };
}

/**
 * Scores predictions against gold labels. Every gold report is scored; a gold report without a prediction counts as
 * all blank. A prediction is positive only when its value is 1 (or, for a finding, -1 with `uncertainAs: 'positive'`;
 * a No Finding of -1, where the only abnormality is hedged, is never counted as normal under either option). The labels
 * scored are `options.labels`, else the prediction table's own `labels` (from {@link parsePredictionCsv}: the
 * columns its file has), else all 14 findings and No Finding; the others are listed in `unscored`.
 *
 * @example
 * ```ts
 * const ev = evaluate(parseGoldCsv(goldText), parsePredictionCsv(predText));
 * ev.microWithoutHernia.f1; // e.g. 0.96
 * ```
 */
export function evaluate(
  gold: LabelTable,
  pred: LabelTable,
  options: { uncertainAs?: 'negative' | 'positive'; labels?: readonly Label[]; aliases?: ReadonlyMap<string, string>; predFile?: string } = {},
): Evaluation {
  const uncertainPositive = options.uncertainAs === 'positive';
  const all: readonly Label[] = (gold as Partial<PredictionTable>).labels ?? [...FINDINGS_14, NO_FINDING];
  const predicted: readonly Label[] = options.labels ?? (pred as Partial<PredictionTable>).labels ?? all;
  // One concept under two names (Effusion / Pleural Effusion): a prediction column counts for the gold column of
  // the same concept.
  const concept = (l: string): string => {
    const key = l.toLowerCase().replace(/[_\s]+/g, ' ').trim();
    return options.aliases?.get(key) ?? key;
  };
  const predColumn = new Map<string, Label>(predicted.map((l) => [concept(l), l]));
  const labels = all.filter((l) => predColumn.has(concept(l)));
  const unscored = all.filter((l) => !predColumn.has(concept(l)));
  if (labels.length === 0) {
    throw new EvaluationInputError(
      `expected the predictions to have a column for at least one gold label (${all.join(', ')}), found none (the predictions have ${predicted.join(', ')})`,
      where(options.predFile),
    );
  }
  const goldConcepts = new Set(all.map(concept));
  const notInGold = predicted.filter((l) => !goldConcepts.has(concept(l)));
  const counts = labels.map(() => ({ tp: 0, fp: 0, fn: 0 }));
  const missing: string[] = [];
  for (const [id, g] of gold) {
    const p = pred.get(id);
    if (!p) missing.push(id);
    labels.forEach((label, k) => {
      const gv = g[label] === 1;
      const v = p?.[predColumn.get(concept(label))!];
      // A No Finding of -1 (the only abnormality is hedged) is never a prediction of "normal": under
      // `uncertainAs: 'positive'` the hedged abnormality is present, under 'negative' -1 is no positive.
      const pv = v === 1 || (uncertainPositive && v === -1 && label !== NO_FINDING);
      const c = counts[k]!;
      if (gv && pv) c.tp++;
      else if (pv) c.fp++;
      else if (gv) c.fn++;
    });
  }
  const extra = [...pred.keys()].filter((id) => !gold.has(id));
  const classes: ClassScore[] = labels.map((label, k) => {
    const c = counts[k]!;
    return { label, ...score(c.tp, c.fp, c.fn) };
  });
  const findings = classes.filter((c) => c.label !== NO_FINDING);
  const without = findings.filter((c) => c.label !== ('Hernia' satisfies Finding));
  const both = totals(findings);
  const w = totals(without);
  const hernia = classes.find((c) => c.label === 'Hernia');
  const noFinding = classes.find((c) => c.label === NO_FINDING);
  return {
    classes,
    labels,
    unscored,
    micro: both.micro,
    macro: both.macro,
    microWithoutHernia: w.micro,
    macroWithoutHernia: w.macro,
    ...(hernia ? { hernia } : {}),
    ...(noFinding ? { noFinding } : {}),
    reports: gold.size,
    notInGold,
    missing,
    extra,
  };
}

/**
 * Formats an evaluation as a fixed-width table.
 *
 * @example
 * ```ts
 * console.log(formatEvaluation(evaluate(gold, pred)));
 * ```
 */
export function formatEvaluation(ev: Evaluation): string {
  const f = (x: number) => x.toFixed(3);
  const line = (name: string, s: Score) =>
    `${name.padEnd(28)} ${f(s.precision)}  ${f(s.recall)}  ${f(s.f1)}  ${String(s.support).padStart(7)}  ${String(s.tp).padStart(5)} ${String(s.fp).padStart(5)} ${String(s.fn).padStart(5)}`;
  const out = [`${'label'.padEnd(28)} prec.  recall  F1       support     tp    fp    fn`];
  for (const c of ev.classes) out.push(line(c.label, c));
  const n = ev.classes.filter((c) => c.label !== NO_FINDING).length;
  out.push(line(`micro (${n} findings)`, ev.micro), line(`macro (${n} findings)`, ev.macro));
  if (ev.hernia) {
    out.push(line(`micro (${n - 1}, without Hernia)`, ev.microWithoutHernia), line(`macro (${n - 1}, without Hernia)`, ev.macroWithoutHernia));
  }
  if (ev.unscored.length > 0) {
    out.push(`scored: the ${ev.labels.length} labels the predictions have a column for; not scored (no column): ${ev.unscored.join(', ')}`);
  }
  if (ev.notInGold.length > 0) {
    out.push(`not scored (no gold column): ${ev.notInGold.join(', ')}`);
  }
  out.push(`reports: ${ev.reports}; without prediction: ${ev.missing.length}; not in gold: ${ev.extra.length}`);
  return out.join('\n');
}
