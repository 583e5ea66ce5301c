/**
 * The exit codes of every cxr8 command (`label-reports`, `build-dataset`, `cxr8-train`), written here once. The other
 * packages import them from `@cxr8/labeler`; each CLI's help and each README print {@link formatExitCodes}.
 *
 * | code | name          | meaning                                                                                  |
 * |------|---------------|------------------------------------------------------------------------------------------|
 * | 0    | `ok`          | done                                                                                     |
 * | 1    | `someFailed`  | some items failed (each named on stderr with its reason), the rest done                  |
 * | 2    | `usage`       | usage error: an unknown flag or command, another subcommand's flag, a bad or missing value |
 * | 3    | `unusable`    | unusable input or output: a path that does not exist or cannot be read or written, a     |
 * |      |               | folder that is not a dataset, nothing to work on; what was there is left as it was       |
 * | 70   | `internal`    | internal error (a bug: please report it with the stack printed)                          |
 * | 130  | `interrupted` | interrupted (Ctrl-C); the work done is kept and the command says how to resume           |
 *
 * 70 is sysexits.h's EX_SOFTWARE; 130 is the shell's 128 + SIGINT.
 *
 * @example
 * ```ts
 * import { EXIT } from '@cxr8/labeler';
 * process.exitCode = summary.failed > 0 ? EXIT.someFailed : EXIT.ok;
 * ```
 */
export const EXIT = { ok: 0, someFailed: 1, usage: 2, unusable: 3, internal: 70, interrupted: 130 } as const;

/** One of the exit codes in {@link EXIT}. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What each exit code means, in the words every help text and README uses. */
export const EXIT_CODE_MEANINGS: Readonly<Record<ExitCode, string>> = {
  0: 'done',
  1: 'some items failed (each is named on stderr with its reason), the rest done',
  2: "usage error (an unknown flag or command, another subcommand's flag, a bad or missing value)",
  3: 'unusable input or output (a path that does not exist or cannot be read or written, a folder that is not a dataset, nothing to work on); what was there is left as it was',
  70: 'internal error (a bug: please report it with the stack printed)',
  130: 'interrupted (Ctrl-C); the work done is kept and the command says how to resume',
};

/** How far the lines after a meaning's first are indented: under its text, past `  CODE `. */
const MEANING_COLUMN = '  130  '.length;

/**
 * A line cut at its single spaces (a run of spaces, as in `  0    done`, is never cut) so that no line is longer than
 * `width`, where the words allow; the lines after the first are indented by `hang` spaces.
 */
function wrapHanging(line: string, width: number, hang: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of line.split(/(?<=\S) (?=\S)/)) {
    if (current !== '' && current.length + 1 + word.length > width) {
      lines.push(current);
      current = `${' '.repeat(hang)}${word}`;
    } else {
      current = current === '' ? word : `${current} ${word}`;
    }
  }
  return [...lines, current];
}

/**
 * The exit-code table as the help texts and READMEs print it: one entry a code, `  CODE  MEANING`. With `width`, a
 * meaning too long for the line goes on under itself (the lines after the first indented to the meaning's column);
 * without it, one line a code.
 *
 * @example
 * ```ts
 * formatExitCodes().split('\n')[0]; // '  0    done'
 * formatExitCodes(110).split('\n')[4]; // '       a dataset, nothing to work on); what was there is left as it was'
 * ```
 */
export function formatExitCodes(width = Number.POSITIVE_INFINITY): string {
  return Object.entries(EXIT_CODE_MEANINGS)
    .flatMap(([code, meaning]) => wrapHanging(`  ${code.padEnd(4)} ${meaning}`, width, MEANING_COLUMN))
    .join('\n');
}
