/**
 * CPU time of the calling thread (main thread or worker thread), for judging how a multi-threaded run scales: on a
 * machine shared with other work, wall time says how many cores a run obtained, while each thread's CPU time says how
 * much work it did. Node 20 has no per-thread CPU clock (`process.cpuUsage()` counts every thread of the process;
 * `process.threadCpuUsage` came in Node 23.9), so this reads Linux's `/proc/thread-self/schedstat` (nanoseconds on
 * the CPU), or `/proc/thread-self/stat` (clock ticks) where schedstat is off.
 */
import { readFileSync } from 'node:fs';

let source: 'schedstat' | 'stat' | 'none' | undefined;

/**
 * Seconds the calling thread has run on a CPU since it started, or NaN where the platform does not say (not Linux).
 *
 * @example
 * ```ts
 * const before = threadCpuSeconds();
 * work();
 * console.log(`${(threadCpuSeconds() - before).toFixed(3)} s of CPU on this thread`);
 * ```
 */
export function threadCpuSeconds(): number {
  if (source === undefined || source === 'schedstat') {
    try {
      const ns = Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
      if (Number.isFinite(ns) && (ns > 0 || source === 'schedstat')) {
        source = 'schedstat';
        return ns / 1e9;
      }
    } catch {
      // no schedstat: fall through
    }
  }
  if (source === undefined || source === 'stat') {
    try {
      const stat = readFileSync('/proc/thread-self/stat', 'utf8');
      // Fields after the command name (which is in parentheses and may hold spaces): utime and stime are fields 14, 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      if (Number.isFinite(ticks)) {
        source = 'stat';
        return ticks / 100; // USER_HZ is 100 on every Linux architecture Node runs on
      }
    } catch {
      // not Linux
    }
  }
  source = 'none';
  return Number.NaN;
}
