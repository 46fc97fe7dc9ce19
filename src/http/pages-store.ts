import type { PageStory } from '../publish/render-home-page.js';
import type { SourceFacts } from '../publish/render-status-page.js';

export interface StoryListQuery {
  /** Only stories a feed of this category carried; null: all. */
  category: string | null;
  /** Stories after this one in the list (older); null: from the newest. */
  beforeId: number | null;
  limit: number;
}

/**
 * What the home, search and status pages read from storage (create-db-pages-store.ts). Part of the FeedStore, each
 * optional: a store without them (tools, tests of the feeds) serves the feeds and the small autodiscovery page only.
 */
export interface PagesStore {
  /** Newest stories first, `limit` of them after `beforeId`. */
  loadHomeStories?(query: StoryListQuery): Promise<PageStory[]>;
  /** Stories a copy of which holds every term (searchTerms of the query), newest first. */
  searchStories?(terms: readonly string[], page: { beforeId: number | null; limit: number }): Promise<PageStory[]>;
  /** Every source's health and activity, counted up to `now`. */
  loadSourceStatus?(now: Date): Promise<SourceFacts[]>;
  /** Changes when any fact of loadSourceStatus could have (the clock aside). */
  sourceStatusVersion?(): Promise<string>;
}
