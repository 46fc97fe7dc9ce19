import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { isKhabarError, type ErrorCode, shortErrorMessage } from '../errors.js';
import type { Logger } from '../logger.js';

interface Mapped {
  status: 500 | 503;
  message: string;
  retryAfterSeconds?: number;
}

const defaultRetryAfterSeconds = 30;

/** Clients get a fixed sentence per code; the error's own message (which may name hosts or SQL) stays in the log. */
function mapCode(code: ErrorCode, details: Record<string, unknown>): Mapped {
  const retry = typeof details.retryAfterSeconds === 'number' && details.retryAfterSeconds > 0 ? Math.ceil(details.retryAfterSeconds) : defaultRetryAfterSeconds;
  switch (code) {
    case 'DB_UNAVAILABLE':
      return { status: 503, message: 'the news store is unavailable, try again later', retryAfterSeconds: retry };
    case 'DB_LOCKED':
    case 'DB_MIGRATION_FAILED':
      return { status: 503, message: 'the news store is not ready, try again later', retryAfterSeconds: retry };
    default:
      return { status: 500, message: 'internal error' };
  }
}

/** What a failed request is answered with, as status, code, the fixed sentence and Retry-After. */
export interface ErrorReply extends Mapped {
  code: ErrorCode;
}

export function errorReplyFor(err: unknown): ErrorReply {
  const code: ErrorCode = isKhabarError(err) ? err.code : 'INTERNAL';
  return { code, ...mapCode(code, isKhabarError(err) ? err.details : {}) };
}

export interface RequestFields {
  request_id: string | undefined;
  method: string;
  path: string;
}

/** Logged once per failed request: the short message at error, the whole error at debug. */
export function logRequestFailure(logger: Logger, request: RequestFields, err: unknown, reply: ErrorReply): void {
  logger.error({ ...request, code: reply.code, status: reply.status, error: shortErrorMessage(err) }, 'request failed');
  logger.debug({ ...request, err }, 'request failure detail');
}

/** The app's single error handler: KhabarError codes become statuses, everything is logged once, no stack leaves. */
export function onError(logger: Logger): ErrorHandler {
  return function handleError(err: Error, c: Context): Response {
    const request = { request_id: c.get('requestId') as string | undefined, method: c.req.method, path: c.req.path };
    if (err instanceof HTTPException) {
      logger.info({ ...request, status: err.status, err }, 'request rejected');
      return err.getResponse();
    }
    const reply = errorReplyFor(err);
    logRequestFailure(logger, request, err, reply);
    c.header('Cache-Control', 'no-store');
    if (reply.retryAfterSeconds !== undefined) c.header('Retry-After', String(reply.retryAfterSeconds));
    return c.json({ error: { code: reply.code, message: reply.message } }, reply.status);
  };
}
