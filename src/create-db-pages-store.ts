import type { Database } from './db/client.js';
import { loadHomeStories } from './db/queries/load-home-stories.js';
import { loadSourceStatus, sourceStatusVersion } from './db/queries/load-source-status.js';
import { searchStories } from './db/queries/search-stories.js';
import type { PagesStore, StoryListQuery } from './http/pages-store.js';

/** The pages' view of the database (home, search, status); joined into createDbFeedStore. */
export function createDbPagesStore(db: Database): Required<PagesStore> {
  return {
    loadHomeStories: (query: StoryListQuery) => loadHomeStories(db, query),
    searchStories: (terms, page) => searchStories(db, terms, page),
    loadSourceStatus: (now) => loadSourceStatus(db, now),
    sourceStatusVersion: () => sourceStatusVersion(db),
  };
}
