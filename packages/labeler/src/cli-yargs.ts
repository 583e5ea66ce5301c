/**
 * What the three cxr8 command lines (`label-reports`, `build-dataset`, `cxr8-train`) parse their arguments with: one
 * yargs build, one help width, one parser configuration. Exported as `@cxr8/labeler/cli-yargs` for the other two
 * packages; the exit codes they print are in exit-codes.ts.
 */
import { createRequire } from 'node:module';
import type { Options } from 'yargs';

/**
 * yargs 17 loaded through `require`: the CommonJS build lays the help out with wrap-ansi, at word boundaries; the ES
 * module build's layout cuts words in two at the column limit ("repeatabl" / "e").
 *
 * @example
 * ```ts
 * yargs().scriptName('label-reports').wrap(HELP_WIDTH).parserConfiguration(PARSER_CONFIGURATION).exitProcess(false);
 * ```
 */
export const yargs = createRequire(import.meta.url)('yargs') as typeof import('yargs').default;

/** The columns of every generated help, whatever the terminal's width (so that each README can quote it). */
export const HELP_WIDTH = 110;

/**
 * yargs-parser settings: no camelCase twins (`--idColumn`), no `--no-` negations (a `--no-progress` is a flag of its
 * own), no dotted objects, no array that swallows the arguments after it, values as typed (`--seed 007` stays text).
 */
export const PARSER_CONFIGURATION = {
  'camel-case-expansion': false,
  'boolean-negation': false,
  'dot-notation': false,
  'greedy-arrays': false,
  'parse-numbers': false,
  'parse-positional-numbers': false,
} as const;

/** A flag given twice keeps its last value, as `node:util`'s parser did (the `coerce` of the option builders below). */
export const lastOf = (value: unknown): unknown => (Array.isArray(value) ? value.at(-1) : value);

/**
 * A flag that takes one text value (the last, when given twice), with its default as the help shows it.
 *
 * @example
 * ```ts
 * const options = { out: textOption('write to FILE', 'standard output') };
 * ```
 */
export function textOption(describe: string, defaultDescription?: string): Options {
  return { type: 'string', requiresArg: true, coerce: lastOf, describe, ...(defaultDescription !== undefined ? { defaultDescription } : {}) };
}

/** A {@link textOption} the command cannot run without (yargs reports it missing). */
export function requiredOption(describe: string): Options {
  return { ...textOption(describe), demandOption: true };
}

/** A flag that may be given several times, each with one text value (`--lexicons A --lexicons B`). */
export function repeatableOption(describe: string, defaultDescription: string): Options {
  return { type: 'string', array: true, requiresArg: true, describe, defaultDescription };
}

/**
 * Edit distance (insertions, deletions, substitutions, transpositions of neighbours), for the commands' "did you
 * mean" suggestions.
 *
 * @example
 * ```ts
 * editDistance('--ouput', '--output'); // 1
 * editDistance('evalute', 'evaluate'); // 1
 * ```
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}
