/**
 * What storage knows of one source's health and activity (db/queries/load-source-status.ts reads it; the status page
 * and /api/feeds render it).
 */
export interface SourceFacts {
  id: string;
  name: string;
  /** The address from the database: the renderer decides whether it may be shown. */
  url: string;
  category: string | null;
  enabled: boolean;
  /** 'new' | 'ok' | 'not-modified' | 'error' */
  lastOutcome: string;
  consecutiveFailures: number;
  /** First failure of the current streak; null when working, or for a streak older than the column. */
  failingSince: Date | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  lastFetchedAt: Date | null;
  lastSuccessAt: Date | null;
  nextFetchAt: Date | null;
  /** Items that appeared (published, else fetched) per clock hour, oldest first, the last being the current hour. */
  itemsPerHour: number[];
  /** Items that appeared in the 24 hours before `now`. */
  itemsLast24h: number;
  /** Items stored in the last JOINED_SHARE_DAYS days, and how many of them joined a story another outlet began. */
  recentItems: number;
  joinedItems: number;
}
