import type { Logger } from './logger.js';

export interface ShutdownOptions {
  logger: Logger;
  timeoutMs: number;
  /** Steps run in order (stop taking work, drain, close the database). */
  steps: Array<{ name: string; run: () => Promise<void> }>;
  exit?: (code: number) => void;
}

/**
 * Graceful first, forced after the timeout; idempotent (a second signal while draining forces the exit).
 * Returns the trigger so tests and other callers can shut down without a signal.
 */
export function installShutdown(options: ShutdownOptions): (reason: string) => Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let running: Promise<void> | null = null;

  function shutdown(reason: string): Promise<void> {
    if (running) {
      options.logger.warn({ reason }, 'second shutdown request: exiting now');
      exit(1);
      return running;
    }
    options.logger.info({ reason, timeout_ms: options.timeoutMs }, 'shutting down');
    const timer = setTimeout(() => {
      options.logger.error({ timeout_ms: options.timeoutMs }, 'graceful shutdown timed out: forcing exit');
      exit(1);
    }, options.timeoutMs);
    timer.unref();
    running = (async function gracefulShutdown() {
      let code = 0;
      for (const step of options.steps) {
        try {
          await step.run();
        } catch (err) {
          code = 1;
          options.logger.error({ err, step: step.name }, 'shutdown step failed');
        }
      }
      clearTimeout(timer);
      options.logger.info('stopped');
      options.logger.flush?.();
      exit(code);
    })();
    return running;
  }

  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  return shutdown;
}
