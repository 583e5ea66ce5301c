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

/**
 * The exit-code table as the help texts print it: one line a code, `  CODE  MEANING`.
 *
 * @example
 * ```ts
 * formatExitCodes().split('\n')[0]; // '  0    done'
 * ```
 */
export function formatExitCodes(): string {
  return Object.entries(EXIT_CODE_MEANINGS)
    .map(([code, meaning]) => `  ${code.padEnd(4)} ${meaning}`)
    .join('\n');
}
