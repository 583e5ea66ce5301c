import test from 'ava';
import { createProgress, formatDuration, progressLine } from '../src/progress.js';

/**
 * Runs a progress of `total` items on a captured stream and a hand-moved clock: each step advances the clock by `ms`,
 * then ticks once; `done()` last. Returns what was written.
 */
function drawn(isTTY: boolean, label: string, total: number, stepsMs: number[]): string {
  let t = 0;
  const out = { isTTY, text: '', write: (s: string) => ((out.text += s), true) };
  const progress = createProgress({ label, total, stream: out as unknown as NodeJS.WriteStream, now: () => t });
  for (const ms of stepsMs) {
    t += ms;
    progress.tick();
  }
  progress.done();
  return out.text;
}

test('formatDuration (shared with @cxr8/labeler) writes hours and minutes, minutes and seconds, or seconds', (t) => {
  t.deepEqual([formatDuration(3725), formatDuration(185), formatDuration(42)], ['1h02m', '3m05s', '42s']);
});

test('progressLine draws a bar, count/total, rate and time left', (t) => {
  t.is(progressLine('render', 50, 200, 10), 'render [#####...............]  50/200  5.0/s  30s left');
  t.is(progressLine('index', 1234, undefined, 2), 'index 1234  617/s  2s');
});

test('createProgress in a log draws the first tick, then a line every 5 s, and a final line', (t) => {
  t.is(
    drawn(false, 'label', 4, [1000, 1000, 4000]),
    [
      'label [#####...............] 1/4  1.0/s  3s left',
      'label [###############.....] 3/4  0.5/s  2s left',
      'label [###############.....] 3/4  0.5/s  2s left',
      '',
    ].join('\n'),
  );
});

test('createProgress on a terminal redraws in place at most every 100 ms and ends the final line', (t) => {
  t.is(
    drawn(true, 'render', 2, [1000, 50]),
    '\r\x1b[Krender [##########..........] 1/2  1.0/s  1s left\r\x1b[Krender [####################] 2/2  1.9/s  0s left\n',
  );
});
