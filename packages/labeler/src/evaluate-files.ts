/**
 * `evaluateFiles`: the `label-reports evaluate` subcommand as an async function. Reads a gold-standard csv (the format
 * of `../shared/data/openi-dev/gold.csv`) and a prediction csv (the labeler's csv output), and scores them with
 * `evaluate` (per class P/R/F1, micro and macro totals).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EvaluationInputError } from './errors.js';
import { evaluate, parseGoldCsv, parsePredictionCsv, type Evaluation } from './evaluate.js';
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
  const gold = parseGoldCsv(goldText, options.gold);
  const pred = parsePredictionCsv(predText, options.pred);
  const evaluation = evaluate(gold, pred, options.uncertainAs ? { uncertainAs: options.uncertainAs } : {});
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
