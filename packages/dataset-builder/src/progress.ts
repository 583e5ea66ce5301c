/**
 * A progress line on stderr for long stages: count, total, rate and time left.
 *
 * On a terminal the line redraws in place (at most 10 times a second); elsewhere (CI logs, files) one line is printed
 * every few seconds, so logs stay short. A silent progress (`stream: null`) is used by tests and the library API.
 */

/** A running progress indicator. */
export interface Progress {
  /** Adds `n` (default 1) finished items. */
  tick(n?: number): void;
  /** Sets a new total, e.g. when discovery finds more files. */
  setTotal(total: number | undefined): void;
  /** Prints the final line. */
  done(): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Stage name printed first, e.g. "render". */
  label: string;
  /** Items expected; unknown totals print no bar and no time left. */
  total?: number;
  /** Where to draw; `null` draws nothing. Default: process.stderr. */
  stream?: NodeJS.WriteStream | null;
  /** Clock in milliseconds, for tests. */
  now?: () => number;
}

/**
 * Formats seconds as "1h02m", "3m05s" or "42s".
 *
 * @example
 * ```ts
 * formatDuration(185); // "3m05s"
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * Renders one progress line (pure, for tests and for {@link createProgress}).
 *
 * @example
 * ```ts
 * progressLine('render', 50, 200, 10); // "render [#####...............]  50/200  5.0/s  30s left"
 * ```
 */
export function progressLine(label: string, count: number, total: number | undefined, elapsedSeconds: number): string {
  const rate = elapsedSeconds > 0 ? count / elapsedSeconds : 0;
  const rateText = `${rate >= 100 ? rate.toFixed(0) : rate.toFixed(1)}/s`;
  if (total === undefined || total <= 0) return `${label} ${count}  ${rateText}  ${formatDuration(elapsedSeconds)}`;
  const width = 20;
  const filled = Math.min(width, Math.round((count / total) * width));
  const left = rate > 0 ? formatDuration((total - count) / rate) : '?';
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(count).padStart(String(total).length)}/${total}  ${rateText}  ${left} left`;
}

/**
 * Starts a progress indicator.
 *
 * @example
 * ```ts
 * const progress = createProgress({ label: 'render', total: files.length });
 * for (const f of files) { await render(f); progress.tick(); }
 * progress.done();
 * ```
 */
export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream === undefined ? process.stderr : options.stream;
  const now = options.now ?? (() => Date.now());
  const start = now();
  const tty = stream?.isTTY === true;
  const interval = tty ? 100 : 5000;
  let total = options.total;
  let count = 0;
  let last = 0;
  const draw = (final: boolean): void => {
    if (!stream) return;
    const line = progressLine(options.label, count, total, (now() - start) / 1000);
    if (tty) stream.write(`\r\x1b[K${line}${final ? '\n' : ''}`);
    else stream.write(`${line}\n`);
  };
  return {
    tick(n = 1) {
      count += n;
      const t = now();
      if (t - last >= interval) {
        last = t;
        draw(false);
      }
    },
    setTotal(value) {
      total = value;
    },
    done() {
      draw(true);
    },
  };
}
