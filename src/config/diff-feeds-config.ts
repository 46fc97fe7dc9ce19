import type { FeedSource } from '../domain/feed-source.js';
import type { FeedsConfig, FeedSettings } from './feeds-file.js';

/** What a reload of feeds.yaml changes: feed ids, and the names of the `settings:` fields that differ. */
export interface FeedsConfigDiff {
  added: string[];
  removed: string[];
  /** Feeds in both files with any field different (name, url, category, enabled, …). */
  changed: string[];
  /** FeedSettings field names, e.g. `concurrency`, `title`. */
  settings: Array<keyof FeedSettings>;
  /** Nothing at all differs. */
  unchanged: boolean;
}

/**
 * Settings the worker was started with: a change to any of them restarts it. Title and description are the feeds';
 * the WebSub hub is swapped in place (main.ts), so a new hub takes the next ping without a worker restart.
 */
export const workerSettings: ReadonlyArray<keyof FeedSettings> = [
  'schedule',
  'concurrency',
  'timeoutSeconds',
  'maxBytes',
  'maxRedirects',
  'userAgent',
  'itemsPerFeed',
  'dedupWindowHours',
  'retentionDays',
];

/** Compares two validated configs; ids are listed in the order of the file they come from. */
export function diffFeedsConfig(previous: FeedsConfig, next: FeedsConfig): FeedsConfigDiff {
  const before = new Map(previous.feeds.map((f) => [f.id, f]));
  const after = new Set(next.feeds.map((f) => f.id));
  const added: string[] = [];
  const changed: string[] = [];
  for (const feed of next.feeds) {
    const old = before.get(feed.id);
    if (!old) added.push(feed.id);
    else if (!sameFeed(old, feed)) changed.push(feed.id);
  }
  const removed = previous.feeds.filter((f) => !after.has(f.id)).map((f) => f.id);
  const settings = (Object.keys(next.settings) as Array<keyof FeedSettings>).filter((key) => previous.settings[key] !== next.settings[key]);
  return { added, removed, changed, settings, unchanged: added.length + removed.length + changed.length + settings.length === 0 };
}

function sameFeed(a: FeedSource, b: FeedSource): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof FeedSource>;
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}
