/** The stream progress goes to: stderr. `isTTY` and `columns` are read as Node sets them on a terminal. */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export interface ProgressReporterOptions {
  stream: ProgressStream;
  /** The current line, built when it is drawn (see formatProgress). */
  render: () => string;
  /** Not on a terminal: a plain line at most this often (default 10 s; KHABAR_PROGRESS_INTERVAL_MS). */
  intervalMs?: number;
  /** For tests: milliseconds now. */
  clock?: () => number;
}

export interface ProgressReporter {
  /** Something changed: on a terminal the line is redrawn (at most every 100 ms); elsewhere a line is due after intervalMs. */
  tick(): void;
  /** Runs `write` with the terminal line cleared, then draws it again: for output to stdout, which may be the same terminal. */
  pause(write: () => void): void;
  /** Stops the timer and clears the terminal line; then writes `summary` as a plain line when given. Idempotent. */
  finish(summary?: string): void;
}

export const DEFAULT_PROGRESS_INTERVAL_MS = 10_000;
/** A terminal line is redrawn at most this often, and at least this often while nothing happens (the rate falls). */
const TTY_REDRAW_MS = 100;
const TTY_IDLE_REDRAW_MS = 1_000;
/** Carriage return, then erase to the end of the line (CSI K). */
const CLEAR_LINE = '\r\x1b[K';

/**
 * Progress on stderr, never stdout. On a terminal one line updated in place; elsewhere (CI logs, pipes, files) plain
 * lines every intervalMs, so a log holds no control characters and does not fill with redraws.
 */
export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  const { stream, render } = options;
  const clock = options.clock ?? (() => performance.now());
  const tty = stream.isTTY === true;
  const intervalMs = options.intervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  let last = clock();
  let drawn = false;
  let finished = false;

  function draw(): void {
    // Wider than the terminal, the line would wrap and \r would only return to its last row.
    const width = (stream.columns ?? 80) - 1;
    const text = render();
    stream.write(CLEAR_LINE + (width > 0 && text.length > width ? text.slice(0, width) : text));
    drawn = true;
    last = clock();
  }

  function line(): void {
    stream.write(`${render()}\n`);
    last = clock();
  }

  const timer = setInterval(
    () => {
      if (finished) return;
      if (tty) draw();
      else if (clock() - last >= intervalMs) line();
    },
    tty ? TTY_IDLE_REDRAW_MS : intervalMs,
  );
  // Progress never keeps a finished command alive.
  timer.unref();

  return {
    tick() {
      if (finished) return;
      if (tty) {
        if (!drawn || clock() - last >= TTY_REDRAW_MS) draw();
      } else if (clock() - last >= intervalMs) line();
    },
    pause(write) {
      if (!tty || !drawn || finished) return write();
      stream.write(CLEAR_LINE);
      write();
      draw();
    },
    finish(summary) {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      if (tty && drawn) stream.write(CLEAR_LINE);
      if (summary !== undefined) stream.write(`${summary}\n`);
    },
  };
}
