/**
 * What the three cxr8 command lines (`label-reports`, `build-dataset`, `cxr8-train`) parse their arguments with: one
 * yargs build, one help width, one parser configuration. Exported as `@cxr8/labeler/cli-yargs` for the other two
 * packages; the exit codes they print are in exit-codes.ts.
 */
import { createRequire } from 'node:module';

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
