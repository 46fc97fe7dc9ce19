import { buildMergedFeed, type MergedFeedSettings } from '../publish/build-merged-feed.js';
import type { FeedQuery } from '../http/feed-store.js';
import type { MergedFeed } from '../publish/types.js';
import type { Database } from './client.js';
import { loadPublishedStories, publishedVersion } from './queries/load-published-stories.js';

/** The HTTP layer's view of the database: a cheap change marker and the merged feed itself. */
export function createDbFeedStore(db: Database, settings: MergedFeedSettings) {
  return {
    version: function feedStoreVersion(): Promise<string> {
      return publishedVersion(db);
    },
    load: async function feedStoreLoad(query: FeedQuery): Promise<MergedFeed> {
      return buildMergedFeed(await loadPublishedStories(db, query.limit, query.category), settings);
    },
  };
}
