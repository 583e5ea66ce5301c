/**
 * `evaluateFiles`: the `label-reports evaluate` subcommand as an async function. Reads a gold-standard csv (the format
 * of `../shared/data/openi-dev/gold.csv`) and a prediction csv (the labeler's csv output), and scores them with
 * `evaluate` (per class P/R/F1, micro and macro totals).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EvaluationInputError } from './errors.js';
import { evaluate, parseGoldCsv, parsePredictionCsv, type Evaluation } from './evaluate.js';
import { defaultLexiconDir, loadLexicons, nameKey } from './lexicon.js';
import { describeFsError } from './readers/discover.js';
import { decodeUtf8 } from './readers/text.js';

/** Options of {@link evaluateFiles}. */
export interface EvaluateFilesOptions {
  /** Gold-standard csv: `filename` (or `id`), the 14 findings, `normal` (or `No Finding`); 1 = present. */
  gold: string;
  /** Prediction csv in the labeler's csv format. */
  pred: string;
  /** Folder the paths are resolved against. Default `process.cwd()`. */
  cwd?: string;
  /** Count uncertain (-1) predictions as positive or negative (default negative: only 1 is positive). */
  uncertainAs?: 'negative' | 'positive';
  /**
   * Score gold reports that have no prediction as all blank (default false: a prediction file that lacks some gold
   * ids is an `EvaluationInputError` naming how many and a few of them, since scoring them as negatives would give
   * figures for reports that were never labeled).
   */
  allowMissing?: boolean;
}

/**
 * The other names of the bundled findings (`names` in a finding file: "pleural effusion" -> "effusion"), keyed and
 * valued as {@link nameKey} writes names, so that `evaluate` scores a chexpert-set prediction against an NIH gold.
 *
 * @example
 * ```ts
 * findingAliases().get('pleural effusion'); // 'effusion'
 * ```
 */
export function findingAliases(): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of loadLexicons([defaultLexiconDir()]).findings) for (const n of f.names) out.set(nameKey(n), nameKey(f.finding));
  return out;
}

/** How many missing ids an error shows. */
const SHOWN_MISSING = 5;

async function readCsvText(path: string, name: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new EvaluationInputError(`expected a readable csv file, found: ${describeFsError(cause)}`, { file: name, cause });
  }
  if (bytes.length === 0) throw new EvaluationInputError('expected a header row and rows, found an empty file (0 bytes)', { file: name });
  const decoded = decodeUtf8(bytes);
  if (decoded.error !== undefined) throw new EvaluationInputError(decoded.error, { file: name });
  return decoded.text;
}

/** The cells of a csv file's first line, trimmed and lower-cased (no quotes are expected in a header of ours). */
function headerCells(text: string): string[] {
  const end = text.search(/\r?\n/);
  return (end < 0 ? text : text.slice(0, end))
    .replace(/^\uFEFF/, '')
    .split(',')
    .map((c) => c.trim().replace(/^"(.*)"$/, '$1').toLowerCase());
}

/** The id columns that `evaluate` reads in a gold or prediction file. */
const ID_COLUMNS: readonly string[] = ['id', 'filename', 'uid', 'report', 'image index'];

/** label-reports' csv output (`id`, the findings, `No Finding`), which is what --pred expects. */
const isLabelerCsv = (cells: readonly string[]): boolean => cells[0] === 'id' && cells.includes('no finding') && !cells.includes('normal');
/** A gold standard in the layout of openi-dev/gold.csv (`filename`, the findings, `normal`). */
const isGoldCsv = (cells: readonly string[]): boolean => cells[0] === 'filename' || cells.includes('normal');

/**
 * Names a file that is in another layout than `evaluate` reads, before it is parsed: JSON lines, the chexpert or nih
 * output of label-reports (no id column, or the findings in one column), and a gold and a prediction file given the
 * other way round (which would score without an error, with precision and recall swapped). Returns the error, or
 * undefined when the layout is the expected one.
 *
 * @example
 * ```ts
 * checkEvaluateLayout({ gold: 'gold.csv', pred: 'labels.jsonl' }, goldText, '{"id":"CXR1","labels":{}}\n');
 * // EvaluationInputError: labels.jsonl: expected a csv file ..., found JSON lines (the --format jsonl output?) ...
 * ```
 */
export function checkEvaluateLayout(names: { gold: string; pred: string }, goldText: string, predText: string): EvaluationInputError | undefined {
  const csvHint = 'write the predictions with --format csv (the default), e.g. label-reports REPORTS --out labels.csv';
  for (const [role, name, text] of [['gold', names.gold, goldText], ['pred', names.pred, predText]] as const) {
    const expected =
      role === 'gold'
        ? 'expected a gold-standard csv (filename or id, one column per finding, normal)'
        : "expected a prediction csv in label-reports' csv format (id, one column per finding, No Finding)";
    const hint = role === 'pred' ? `: ${csvHint}` : '';
    if (/^\uFEFF?\s*[{[]/.test(text)) {
      return new EvaluationInputError(`${expected}, found JSON${role === 'pred' ? ' lines (the --format jsonl output?)' : ''}${hint}`, { file: name });
    }
    const cells = headerCells(text);
    // CheXpert's layout has a Reports column and no id; a csv of the chexpert set (`--labels chexpert`) has an id.
    if (cells[0] === 'reports' || (cells.includes('enlarged cardiomediastinum') && !cells.some((c) => ID_COLUMNS.includes(c)))) {
      return new EvaluationInputError(`${expected}, found the CheXpert layout (the --format chexpert output), which has no report ids${hint}`, { file: name });
    }
    if (cells.includes('finding labels')) {
      return new EvaluationInputError(`${expected}, found the NIH layout (Image Index,Finding Labels; the --format nih output), with every finding in one column${hint}`, { file: name });
    }
  }
  const gold = headerCells(goldText);
  const pred = headerCells(predText);
  if (isLabelerCsv(gold) && isGoldCsv(pred) && !isGoldCsv(gold)) {
    return new EvaluationInputError(
      `expected a gold standard for --gold, found label-reports' csv output (id, ..., No Finding), while --pred ${names.pred} is a gold standard ` +
        `(${pred[0]}, ..., normal): the two look swapped, which would score with precision and recall exchanged; ` +
        `run with --gold ${names.pred} --pred ${names.gold}`,
      { file: names.gold },
    );
  }
  return undefined;
}

/**
 * Reads and scores a prediction csv against a gold csv. Throws an `EvaluationInputError` naming the file when one
 * cannot be read or parsed, and, unless `allowMissing`, when the predictions lack some gold reports.
 *
 * @example
 * ```ts
 * const ev = await evaluateFiles({ gold: '../shared/data/openi-dev/gold.csv', pred: 'labels.csv' });
 * console.log(formatEvaluation(ev));
 * ```
 */
export async function evaluateFiles(options: EvaluateFilesOptions): Promise<Evaluation> {
  const cwd = options.cwd ?? process.cwd();
  const [goldText, predText] = await Promise.all([
    readCsvText(resolve(cwd, options.gold), options.gold),
    readCsvText(resolve(cwd, options.pred), options.pred),
  ]);
  const layout = checkEvaluateLayout(options, goldText, predText);
  if (layout) throw layout;
  const gold = parseGoldCsv(goldText, options.gold);
  const pred = parsePredictionCsv(predText, options.pred);
  const evaluation = evaluate(gold, pred, { ...(options.uncertainAs ? { uncertainAs: options.uncertainAs } : {}), aliases: findingAliases(), predFile: options.pred });
  const missing = evaluation.missing;
  if (missing.length > 0 && options.allowMissing !== true) {
    const shown = missing.slice(0, SHOWN_MISSING).join(', ') + (missing.length > SHOWN_MISSING ? ', ...' : '');
    throw new EvaluationInputError(
      `expected a prediction for each of the ${evaluation.reports.toLocaleString('en-US')} gold reports, found none for ` +
        `${missing.length.toLocaleString('en-US')} (${shown}); label them too, or pass --allow-missing to score them as blank (not mentioned)`,
      { file: options.pred },
    );
  }
  return evaluation;
}
