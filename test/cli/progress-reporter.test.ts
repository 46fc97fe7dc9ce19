import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgressReporter, type ProgressStream } from '../../src/cli-progress/create-progress-reporter.js';

function fakeStream(tty: boolean, columns?: number): { stream: ProgressStream; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY: tty || undefined, columns });
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  return { stream, text: () => chunks.join('') };
}

describe('createProgressReporter', () => {
  afterEach(() => vi.useRealTimers());

  it('on a terminal: one line redrawn in place with \\r and erase-to-end, at most every 100 ms, cleared at the end', async () => {
    let now = 0;
    let n = 0;
    const { stream, text } = fakeStream(true, 40);
    const p = createProgressReporter({ stream, render: () => `step ${n}`, clock: () => now });
    p.tick(); // first draw right away
    n = 1;
    now = 50;
    p.tick(); // too soon
    n = 2;
    now = 150;
    p.tick();
    p.pause(() => stream.write('a line of stdout\n'));
    p.finish('done');
    await new Promise((r) => setImmediate(r));
    expect(text()).toBe('\r\x1b[Kstep 0\r\x1b[Kstep 2\r\x1b[Ka line of stdout\n\r\x1b[Kstep 2\r\x1b[Kdone\n');
  });

  it('on a terminal: cuts the line to the terminal width so it never wraps', async () => {
    const { stream, text } = fakeStream(true, 10);
    const p = createProgressReporter({ stream, render: () => 'x'.repeat(50), clock: () => 0 });
    p.tick();
    p.finish();
    await new Promise((r) => setImmediate(r));
    expect(text()).toBe(`\r\x1b[K${'x'.repeat(9)}\r\x1b[K`);
  });

  it('elsewhere: plain lines once per interval, the summary at the end, no control characters', async () => {
    let now = 0;
    let n = 0;
    const { stream, text } = fakeStream(false);
    const p = createProgressReporter({ stream, render: () => `step ${n}`, intervalMs: 1000, clock: () => now });
    for (n = 1; n <= 25; n++) {
      now = n * 100;
      p.tick();
    }
    p.pause(() => stream.write('stdout line\n'));
    p.finish('summary');
    p.finish('again'); // idempotent
    p.tick();
    await new Promise((r) => setImmediate(r));
    expect(text()).toBe('step 10\nstep 20\nstdout line\nsummary\n');
    expect(text()).not.toMatch(/[\r\u001b]/);
  });

  it('elsewhere: the timer writes a line while nothing ticks (a slow feed), and stops at finish', async () => {
    vi.useFakeTimers();
    const { stream, text } = fakeStream(false);
    const p = createProgressReporter({ stream, render: () => 'waiting', intervalMs: 1000, clock: () => Date.now() });
    vi.advanceTimersByTime(3500);
    p.finish();
    vi.advanceTimersByTime(5000);
    vi.useRealTimers();
    await new Promise((r) => setImmediate(r));
    expect(text()).toBe('waiting\nwaiting\nwaiting\n');
  });
});
