import type { Database } from '../db/client.js';
import { loadStoryCategories } from '../db/queries/load-story-categories.js';
import { shortErrorMessage } from '../errors.js';
import type { StoriesChanged } from '../pipeline/refresh-feed.js';
import { createWebsubPinger, type WebsubPingerOptions } from './create-websub-pinger.js';
import { websubTopics } from './websub-topics.js';

export interface WebsubPublisherOptions extends WebsubPingerOptions {
  db: Database;
  /** PUBLIC_URL: the base of the feeds' self links, which are the topics. */
  publicUrl: string;
  /**
   * The categories the app serves now (every feeds.yaml category, disabled feeds' included). A category found on a
   * story but no longer configured is a 404 to the hub, so it is not pinged.
   */
  categories: () => ReadonlySet<string>;
}

/** A refresh's StoriesChanged, or an operator's `khabar story split | merge` (no feed): the committed stories. */
export type ChangedStories = Omit<StoriesChanged, 'feedId'> & Partial<Pick<StoriesChanged, 'feedId'>>;

export interface WebsubPublisher {
  readonly hubUrl: string;
  /** For RefreshDeps.onStoriesChanged and the story commands: returns at once, the pings follow in the background. */
  storiesChanged(change: ChangedStories): void;
  /** Resolves once every change told so far has been pinged (or given up on). */
  idle(): Promise<void>;
  /** As WebsubPinger.close; category look-ups still running are waited for within the same grace. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Turns committed story changes into publish pings: the merged feed's three formats always, and those of each
 * category a changed story is shown under — the categories of every outlet that carried it, not only the refreshed
 * feed's, since a story joined by one outlet changes in the category feeds of the others too (its outlet list). The
 * categories are read after the commit, off the ingest path; if that read fails, every configured category is pinged
 * (a needless ping costs the hub one fetch; a missing one leaves subscribers waiting for their next poll).
 */
export function createWebsubPublisher(options: WebsubPublisherOptions): WebsubPublisher {
  const pinger = createWebsubPinger(options);
  const log = options.logger.child({ component: 'websub', hub: options.hubUrl });
  /** Stories whose categories are still to be read: one read at a time, each taking every story told meanwhile. */
  const unread = new Set<number>();
  let reading: Promise<void> | null = null;
  let closed = false;

  function storiesChanged(change: ChangedStories): void {
    if (closed || change.storyIds.length === 0) return;
    pinger.ping(websubTopics(options.publicUrl, [null]));
    if (options.categories().size === 0) return;
    for (const id of change.storyIds) unread.add(id);
    reading ??= readCategories()
      .catch((err: unknown) => log.error({ error: shortErrorMessage(err) }, 'websub: category pings failed'))
      .finally(() => (reading = null));
  }

  async function readCategories(): Promise<void> {
    while (unread.size > 0) {
      const storyIds = [...unread];
      unread.clear();
      const known = options.categories();
      const categories = await loadStoryCategories(options.db, storyIds).catch((err: unknown) => {
        log.warn({ stories: storyIds.length, error: shortErrorMessage(err) }, 'websub: categories of changed stories unknown; pinging every category');
        return [...known];
      });
      pinger.ping(websubTopics(options.publicUrl, categories.filter((c) => known.has(c))));
    }
  }

  async function idle(): Promise<void> {
    while (reading) await reading;
    await pinger.idle();
    // A change told while the pinger was busy.
    if (reading) return idle();
  }

  async function close(graceMs = 0): Promise<void> {
    closed = true;
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    if (reading) await Promise.race([reading, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    await pinger.close(Math.max(0, graceMs - (Date.now() - started)));
  }

  return { hubUrl: options.hubUrl, storiesChanged, idle, close };
}
