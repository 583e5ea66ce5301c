import test from 'ava';
import { Writable } from 'node:stream';
import { createLabelProgress, createStatusLine, formatDuration, progressLine } from '../src/progress.js';

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

/** A clock the test moves by hand. */
const clock = () => {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

test('formatDuration writes hours and minutes, minutes and seconds, or seconds', (t) => {
  t.deepEqual([formatDuration(3725), formatDuration(185), formatDuration(42), formatDuration(Number.NaN)], ['1h02m', '3m05s', '42s', '?']);
});

test('progressLine gives count, failures, rate, share read and time left', (t) => {
  t.is(progressLine({ reports: 50000, failed: 2, seconds: 5, bytes: 25, totalBytes: 100 }), 'label-reports: 50,000 reports, 2 failed, 10,000/s, 25%, 15s left');
});

test('progressLine without a known total (standard input) gives no share and no time left', (t) => {
  t.is(progressLine({ reports: 10, failed: 0, seconds: 1, bytes: 5, totalBytes: Number.NaN }), 'label-reports: 10 reports, 10/s');
});

test('a status line is due once per interval, not before', (t) => {
  const c = clock();
  const status = createStatusLine({ stream: new Capture(false), logIntervalMs: 1000, now: c.now });
  const due: boolean[] = [];
  for (const step of [500, 499, 1, 999, 1]) {
    c.advance(step);
    due.push(status.due());
  }
  t.deepEqual(due, [false, false, true, false, true]);
});

test('with drawFirst a status line is due at once', (t) => {
  t.true(createStatusLine({ stream: new Capture(false), drawFirst: true, now: clock().now }).due());
});

test('on a terminal a status line redraws in place and ends with a line break', (t) => {
  const tty = new Capture(true);
  const status = createStatusLine({ stream: tty });
  status.draw('a');
  status.draw('b', true);
  t.is(tty.text, '\r\x1b[Ka\r\x1b[Kb\n');
});

test('off a terminal a status line prints whole lines', (t) => {
  const log = new Capture(false);
  const status = createStatusLine({ stream: log });
  status.draw('a');
  status.draw('b', true);
  t.is(log.text, 'a\nb\n');
});

test('a status line without a stream draws nothing', (t) => {
  t.notThrows(() => createStatusLine({ stream: null }).draw('a', true));
});

test('the label-reports progress line is printed every 5 s in a log', (t) => {
  const c = clock();
  const log = new Capture(false);
  const progress = createLabelProgress({ stream: log, now: c.now, totalBytes: 100 });
  progress.addBytes(50);
  c.advance(4000);
  progress.update(10, 0);
  c.advance(1000);
  progress.update(20, 0);
  t.is(log.text, 'label-reports: 20 reports, 4/s, 50%, 5s left\n');
});
