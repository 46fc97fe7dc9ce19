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
  /** Parsing (or reader view on a page) ran past its time budget; the parse worker was stopped. */
  'PARSE_TOO_SLOW',
  /** Parsing ran out of the parse worker's memory limit. */
  'PARSE_TOO_COMPLEX',
  /** The parse worker died for another reason. */
  'PARSE_WORKER_FAILED',
  // storage
  'DB_UNAVAILABLE',
  'DB_LOCKED',
  'DB_MIGRATION_FAILED',
  // publishing
  /** A WebSub hub refused a publish ping, or never answered, after every retry (ingest is never held up by it). */
  'WEBSUB_PING_FAILED',
  // input to the cluster and import-opml commands
  'CLUSTER_INPUT_INVALID',
  'OPML_INVALID',
  // khabar story split | merge
  /** No story has this id (or it was merged into another: the message names it). */
  'STORY_NOT_FOUND',
  /** The item is not a member of the story named. */
  'STORY_ITEM_NOT_IN_STORY',
  /** A story merged with itself. */
  'STORY_MERGE_SELF',
  /** The item and what joined through it are the whole story: nothing would be left. */
  'STORY_SPLIT_WHOLE',
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

/** Wraps anything thrown into a KhabarError, keeping the original as `cause` (and its message short: shortErrorMessage). */
export function toKhabarError(err: unknown, fallback: ErrorCode = 'INTERNAL'): KhabarError {
  if (err instanceof KhabarError) return err;
  return new KhabarError(fallback, shortErrorMessage(err, 1000), { cause: err });
}

/**
 * One short human line for storage and `status`: the error's own sentence, or for a failed database query the
 * driver's reason (never the SQL text or its parameters, which can hold whole articles), cut to `maxChars`.
 */
export function shortErrorMessage(err: unknown, maxChars = 300): string {
  let message = err instanceof Error ? err.message : String(err);
  // drizzle wraps driver errors as "Failed query: <sql>\nparams: <values>" with the driver's error as the cause.
  if (/^Failed query:/.test(message)) {
    const cause = err instanceof Error ? err.cause : undefined;
    message = cause instanceof Error ? `database error: ${cause.message}` : 'database error';
  }
  const line = (message.split('\n', 1)[0] ?? '').replace(/\s+/g, ' ').trim() || 'unknown error';
  return line.length > maxChars ? `${line.slice(0, maxChars - 1)}…` : line;
}
