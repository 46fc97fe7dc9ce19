/**
 * Errors that say "the connection or the server hiccupped", not "the query is wrong": a pooled connection the server
 * closed (restart, failover, pg_terminate_backend), a refused connect while it comes back, a serialization failure or
 * deadlock. postgres.js reconnects by itself; the statement that met the dead socket is the one to run again.
 */
const transientCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08003',
  '08006',
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

export function isTransientDbError(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && transientCodes.has(e.code)) return true;
  }
  return false;
}

export interface RetryOptions {
  attempts?: number;
  delayMs?: number;
}

/** Runs an idempotent database operation again after a transient failure (3 attempts, 200 ms then 400 ms apart). */
export async function retryTransient<T>(operation: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 3;
  const delayMs = options.delayMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (err) {
      if (attempt >= attempts || !isTransientDbError(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, delayMs * 2 ** (attempt - 1)));
    }
  }
}
