/**
 * One error type for the whole service. `code` is stable (logs, feed health columns and tests match on it);
 * `message` is for people; `cause` keeps the original error.
 */
export const errorCodes = [
  // configuration
  'CONFIG_ENV_INVALID',
  'CONFIG_FILE_NOT_FOUND',
  'CONFIG_YAML_INVALID',
  'CONFIG_INVALID',
  // fetching
  'FETCH_TIMEOUT',
  'FETCH_NETWORK',
  'FETCH_HTTP_STATUS',
  'FETCH_RATE_LIMITED',
  'FETCH_TOO_LARGE',
  'FETCH_TOO_MANY_REDIRECTS',
  'FETCH_BAD_URL',
  /** A link in a feed led to a loopback, private or link-local address (full-text pages). */
  'FETCH_FORBIDDEN_ADDRESS',
  /** The fetch was cut short by shutdown: not the feed's fault. */
  'FETCH_ABORTED',
  // decoding and parsing
  'DECODE_UNSUPPORTED_CHARSET',
  'PARSE_INVALID_XML',
  'PARSE_NOT_A_FEED',
  // storage
  'DB_UNAVAILABLE',
  'DB_LOCKED',
  'DB_MIGRATION_FAILED',
  // input to the cluster and import-opml commands
  'CLUSTER_INPUT_INVALID',
  'OPML_INVALID',
  // anything else
  'INTERNAL',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface KhabarErrorOptions {
  cause?: unknown;
  /** Extra machine-readable facts (file, line, field, status, retryAfterSeconds, …). */
  details?: Record<string, unknown>;
}

export class KhabarError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: KhabarErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KhabarError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isKhabarError(err: unknown): err is KhabarError {
  return err instanceof KhabarError;
}

/** Wraps anything thrown into a KhabarError, keeping the original as `cause`. */
export function toKhabarError(err: unknown, fallback: ErrorCode = 'INTERNAL'): KhabarError {
  if (err instanceof KhabarError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new KhabarError(fallback, message, { cause: err });
}
