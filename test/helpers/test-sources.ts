import type { Database } from '../../src/db/client.js';
import { silentLogger } from '../../src/logger.js';
import { createParsePool, type ParsePool } from '../../src/pipeline/parse-pool.js';
import type { RefreshDeps } from '../../src/pipeline/refresh-feed.js';
import { singletonStoryAssigner, type StoryAssigner } from '../../src/pipeline/story-assigner.js';
import type { FeedSource } from '../../src/domain/feed-source.js';

/** A feed as feeds.yaml would give it, with the defaults filled in. */
export function feedSource(id: string, name: string, url: string, overrides: Partial<FeedSource> = {}): FeedSource {
  return { id, name, url, category: null, language: 'ar', priority: 0, refreshMinutes: null, enabled: true, fullText: false, ...overrides };
}

let sharedParser: ParsePool | null = null;

/** One parse pool for a test file's process (its workers are unref'd: they never keep the process alive). */
export function testParsePool(): ParsePool {
  sharedParser ??= createParsePool({ size: 2 });
  return sharedParser;
}

/** What the worker needs, with short test limits; every item its own story unless an assigner is given. */
export function testRefreshDeps(db: Database, assigner: StoryAssigner = singletonStoryAssigner): RefreshDeps {
  return {
    db,
    assigner,
    parser: testParsePool(),
    logger: silentLogger(),
    options: { timeoutMs: 5000, maxBytes: 1_000_000, maxRedirects: 3, userAgent: 'khabar-test', itemsPerFeed: 100 },
  };
}
