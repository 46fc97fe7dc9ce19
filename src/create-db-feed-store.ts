import { buildMergedFeed, type MergedFeedSettings } from './publish/build-merged-feed.js';
import type { FeedQuery } from './http/feed-store.js';
import type { MergedFeed } from './publish/types.js';
import type { Database } from './db/client.js';
import { loadPublishedStories, publishedVersion } from './db/queries/load-published-stories.js';
import { loadStoryPage } from './db/queries/load-story-page.js';
import { mergedInto } from './db/queries/story-overrides.js';
import type { StoryPage } from './publish/render-story-page.js';
import { createDbPagesStore } from './create-db-pages-store.js';

/**
 * The HTTP layer's view of the database: a cheap change marker and the merged feed itself. Part of the composition
 * root (with main.ts): it joins storage (db/) with the pure renderers' input (publish/), which neither depends on.
 */
export function createDbFeedStore(db: Database, settings: MergedFeedSettings) {
  return {
    version: function feedStoreVersion(): Promise<string> {
      return publishedVersion(db);
    },
    load: async function feedStoreLoad(query: FeedQuery): Promise<MergedFeed> {
      return buildMergedFeed(await loadPublishedStories(db, query.limit, query.category), settings);
    },
    loadStoryPage: function feedStoreLoadStoryPage(storyId: number): Promise<StoryPage | null> {
      return loadStoryPage(db, storyId);
    },
    mergedInto: function feedStoreMergedInto(storyId: number): Promise<number | null> {
      return mergedInto(db, storyId);
    },
    ...createDbPagesStore(db),
  };
}
