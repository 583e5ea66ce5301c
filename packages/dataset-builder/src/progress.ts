/**
 * A progress line on stderr for long stages: count, total, rate and time left.
 *
 * On a terminal the line redraws in place (at most 10 times a second); elsewhere (CI logs, files) one line is printed
 * every few seconds, so logs stay short. A silent progress (`stream: null`) is used by tests and the library API.
 *
 * The throttled redraw and {@link formatDuration} are `@cxr8/labeler`'s (`createStatusLine`, `formatDuration`); this
 * module adds the builder's own line: a bar, count/total, rate and time left.
 */
import { createStatusLine, formatDuration } from '@cxr8/labeler';

export { formatDuration };

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
  // Terminal: at most 10 redraws a second; logs: a line every 5 s. The first tick draws at once.
  const status = createStatusLine({ stream, ttyIntervalMs: 100, logIntervalMs: 5000, drawFirst: true, now });
  let total = options.total;
  let count = 0;
  const draw = (final: boolean): void => {
    if (!stream) return;
    status.draw(progressLine(options.label, count, total, (now() - start) / 1000), final);
  };
  return {
    tick(n = 1) {
      count += n;
      if (status.due()) draw(false);
    },
    setTotal(value) {
      total = value;
    },
    done() {
      draw(true);
    },
  };
}
