import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * JSON lines. The service logs to stdout (container convention); CLI commands log to stderr so stdout
 * carries only the command's output.
 */
export function createLogger(level: LogLevel, stream: 'stdout' | 'stderr' | DestinationStream = 'stdout'): Logger {
  const destination =
    stream === 'stdout' ? pino.destination({ fd: 1, sync: false }) : stream === 'stderr' ? pino.destination({ fd: 2, sync: true }) : stream;
  return pino({ level, base: { service: 'khabar' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

/** A logger that drops everything: for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
