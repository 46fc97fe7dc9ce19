import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { feedStates } from '../schema.js';
import { MAX_ERROR_MESSAGE_CHARS } from '../../config/limits.js';
import { storableText } from '../../domain/storable-text.js';
import { shortErrorMessage } from '../../errors.js';

export type FetchOutcome =
  | {
      kind: 'ok' | 'not-modified';
      etag: string | null;
      lastModified: string | null;
      httpStatus: number;
      newItems: number;
      charset: string | null;
      nextFetchAt: Date;
    }
  | {
      kind: 'error';
      code: string;
      message: string;
      httpStatus: number | null;
      nextFetchAt: Date;
    };

/** The error columns of a failure: one short storable line, never SQL, parameters or article text. */
function errorColumns(outcome: Extract<FetchOutcome, { kind: 'error' }>, failedAt: Date | null = null) {
  const at = failedAt === null ? sql`now()` : sql`${failedAt.toISOString()}::timestamptz`;
  return {
    // The first failure of a streak starts it; a streak older than this column stays without a start (null).
    failingSince: sql`case when ${feedStates.consecutiveFailures} = 0 then ${at} else ${feedStates.failingSince} end`,
    lastErrorCode: outcome.code,
    lastErrorMessage: storableText(shortErrorMessage(outcome.message, MAX_ERROR_MESSAGE_CHARS)),
    consecutiveFailures: sql`${feedStates.consecutiveFailures} + 1`,
  };
}

/**
 * A failure written late, after the database refused it at the time (refresh-feed.ts): only while nothing newer was
 * recorded (no later fetch, by this process or a replica) and without touching the lease, which is no longer its.
 */
export async function recordLateFailure(db: Database, feedId: string, outcome: Extract<FetchOutcome, { kind: 'error' }>, failedAt: Date): Promise<void> {
  await db
    .update(feedStates)
    .set({
      lastFetchedAt: failedAt,
      nextFetchAt: outcome.nextFetchAt,
      lastOutcome: 'error',
      lastHttpStatus: outcome.httpStatus,
      ...errorColumns(outcome, failedAt),
      updatedAt: sql`now()`,
    })
    .where(and(eq(feedStates.feedId, feedId), or(isNull(feedStates.lastFetchedAt), lt(feedStates.lastFetchedAt, failedAt))));
}

/** Writes a fetch's outcome into the feed's health columns and releases its claim. */
export async function recordFetchOutcome(db: Database, feedId: string, outcome: FetchOutcome): Promise<void> {
  const common = {
    leaseUntil: null,
    leaseOwner: null,
    lastFetchedAt: sql`now()`,
    nextFetchAt: outcome.nextFetchAt,
    lastOutcome: outcome.kind,
    lastHttpStatus: outcome.httpStatus,
    updatedAt: sql`now()`,
  };
  if (outcome.kind === 'error') {
    await db
      .update(feedStates)
      .set({
        ...common,
        ...errorColumns(outcome),
      })
      .where(eq(feedStates.feedId, feedId));
    return;
  }
  await db
    .update(feedStates)
    .set({
      ...common,
      etag: outcome.etag,
      lastModified: outcome.lastModified,
      lastSuccessAt: sql`now()`,
      lastErrorCode: null,
      lastErrorMessage: null,
      consecutiveFailures: 0,
      failingSince: null,
      lastNewItems: outcome.newItems,
      ...(outcome.charset ? { lastCharset: outcome.charset } : {}),
    })
    .where(eq(feedStates.feedId, feedId));
}

/** Gives a claimed feed back untouched (its fetch was interrupted by shutdown). */
export async function releaseFeed(db: Database, feedId: string): Promise<void> {
  await db.update(feedStates).set({ leaseUntil: null, leaseOwner: null }).where(eq(feedStates.feedId, feedId));
}
