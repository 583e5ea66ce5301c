/**
 * The progress line of `label-reports` on stderr: reports labeled, failures, rate, share of input bytes read and time
 * left. On a terminal the line redraws in place (at most 5 times a second); elsewhere (a log file, CI) one line is
 * printed every 5 seconds. Time left is estimated from the bytes read against the total input size, the one measure
 * known in advance for every input format (a CSV's row count is not).
 *
 * {@link formatDuration} and {@link createStatusLine} (the throttled redraw) are exported from `@cxr8/labeler` for
 * other packages' progress lines.
 */

/** A running progress line. */
export interface LabelProgress {
  /** Adds input bytes read. */
  addBytes(n: number): void;
  /** Sets the reports labeled and the inputs failed so far; redraws when due. */
  update(reports: number, failed: number): void;
  /** Draws the final line. */
  done(): void;
}

/** Options of {@link createLabelProgress}. */
export interface LabelProgressOptions {
  /** Where to draw. */
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  /** Total input size in bytes, when known. */
  totalBytes?: number;
  /** Clock in milliseconds, for tests. Default `performance.now`. */
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
 * Renders one progress line (pure).
 *
 * @example
 * ```ts
 * progressLine({ reports: 50000, failed: 2, seconds: 5, bytes: 25, totalBytes: 100 });
 * // "label-reports: 50,000 reports, 2 failed, 10,000/s, 25%, 15s left"
 * ```
 */
export function progressLine(state: { reports: number; failed: number; seconds: number; bytes: number; totalBytes?: number | undefined }): string {
  const rate = state.seconds > 0 ? state.reports / state.seconds : 0;
  const parts = [`${state.reports.toLocaleString('en-US')} reports`];
  if (state.failed > 0) parts.push(`${state.failed.toLocaleString('en-US')} failed`);
  parts.push(`${Math.round(rate).toLocaleString('en-US')}/s`);
  if (state.totalBytes !== undefined && state.totalBytes > 0) {
    const share = Math.min(1, state.bytes / state.totalBytes);
    parts.push(`${Math.floor(share * 100)}%`);
    const left = share > 0 ? (state.seconds * (1 - share)) / share : Number.NaN;
    parts.push(`${formatDuration(left)} left`);
  }
  return `label-reports: ${parts.join(', ')}`;
}

/** A throttled status line: see {@link createStatusLine}. */
export interface StatusLine {
  /** True when a redraw is due (the interval has passed since the last draw); marks the time when it is. */
  due(): boolean;
  /** Draws `line`: in place on a terminal (`final` ends it with a line break), as one log line elsewhere. */
  draw(line: string, final?: boolean): void;
}

/** Options of {@link createStatusLine}. */
export interface StatusLineOptions {
  /** Where to draw; `null` draws nothing. */
  stream: (NodeJS.WritableStream & { isTTY?: boolean }) | null;
  /** Milliseconds between redraws on a terminal. Default 200. */
  ttyIntervalMs?: number;
  /** Milliseconds between log lines when the stream is not a terminal (a log file, CI). Default 5000. */
  logIntervalMs?: number;
  /** True: the first `due()` is true at once; false (default): only after one interval. */
  drawFirst?: boolean;
  /** Clock in milliseconds, for tests. Default `performance.now`. */
  now?: () => number;
}

/**
 * The part of a progress display that does not depend on what is counted: on a terminal the line redraws in place
 * (`\r` and clear to end of line) at most every `ttyIntervalMs`; elsewhere one line is printed every `logIntervalMs`,
 * so logs stay short. `label-reports` draws its progress with it; any long stage can (the dataset builder's progress
 * bar is the same loop with its own line).
 *
 * @example
 * ```ts
 * const status = createStatusLine({ stream: process.stderr });
 * for (const [i, f] of files.entries()) { work(f); if (status.due()) status.draw(`${i + 1}/${files.length}`); }
 * status.draw(`${files.length}/${files.length}`, true);
 * ```
 */
export function createStatusLine(options: StatusLineOptions): StatusLine {
  const now = options.now ?? (() => performance.now());
  const stream = options.stream;
  const tty = stream?.isTTY === true;
  const interval = tty ? (options.ttyIntervalMs ?? 200) : (options.logIntervalMs ?? 5000);
  let last = options.drawFirst ? Number.NEGATIVE_INFINITY : now();
  return {
    due() {
      const t = now();
      if (t - last < interval) return false;
      last = t;
      return true;
    },
    draw(line, final = false) {
      if (!stream) return;
      stream.write(tty ? `\r\x1b[K${line}${final ? '\n' : ''}` : `${line}\n`);
    },
  };
}

/**
 * Starts a progress line.
 *
 * @example
 * ```ts
 * const progress = createLabelProgress({ stream: process.stderr, totalBytes: 12_000_000 });
 * progress.addBytes(4096); progress.update(10, 0); progress.done();
 * ```
 */
export function createLabelProgress(options: LabelProgressOptions): LabelProgress {
  const now = options.now ?? (() => performance.now());
  const status = createStatusLine({ stream: options.stream, now });
  const start = now();
  let bytes = 0;
  let reports = 0;
  let failed = 0;
  const line = (): string => progressLine({ reports, failed, seconds: (now() - start) / 1000, bytes, totalBytes: options.totalBytes });
  return {
    addBytes(n) {
      bytes += n;
    },
    update(r, f) {
      reports = r;
      failed = f;
      if (status.due()) status.draw(line());
    },
    done() {
      status.draw(line(), true);
    },
  };
}
