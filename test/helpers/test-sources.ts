import type { Database } from '../../src/db/client.js';
import { silentLogger } from '../../src/logger.js';
import type { RefreshDeps } from '../../src/pipeline/refresh-feed.js';
import { singletonStoryAssigner, type StoryAssigner } from '../../src/pipeline/story-assigner.js';
import type { FeedSource } from '../../src/domain/feed-source.js';

/** A feed as feeds.yaml would give it, with the defaults filled in. */
export function feedSource(id: string, name: string, url: string, overrides: Partial<FeedSource> = {}): FeedSource {
  return { id, name, url, category: null, language: 'ar', priority: 0, refreshMinutes: null, enabled: true, fullText: false, ...overrides };
}

/** What the worker needs, with short test limits; every item its own story unless an assigner is given. */
export function testRefreshDeps(db: Database, assigner: StoryAssigner = singletonStoryAssigner): RefreshDeps {
  return {
    db,
    assigner,
    logger: silentLogger(),
    options: { timeoutMs: 5000, maxBytes: 1_000_000, maxRedirects: 3, userAgent: 'khabar-test', itemsPerFeed: 100 },
  };
}
