import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { feedStates } from '../../src/db/schema.js';
import type { RefreshDeps } from '../../src/pipeline/refresh-feed.js';
import { refreshDueFeeds } from '../../src/worker/refresh-due-feeds.js';
import { rss2 } from '../helpers/arabic-feeds.js';
import { feedSource, testRefreshDeps } from '../helpers/test-sources.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';

/**
 * A pass claims a few feeds at a time (one claim for several runners: a claim is a transaction of four statements,
 * which one feed a claim made most of a pass where every feed answers 304); every feed is still refreshed once a pass,
 * and feeds claimed but not started when the pass stops go back at once instead of waiting out their lease.
 */
describe.each(testBackends())('claiming feeds in small batches (%s)', (backend) => {
  const count = 11;
  let server: FixtureServer;
  let t: TestDatabase;
  let deps: RefreshDeps;
  const paths = Array.from({ length: count }, (_, i) => `/f${i}.xml`);

  beforeAll(async () => {
    server = await startFixtureServer(Object.fromEntries(paths.map((p) => [p, { body: rss2([]), contentType: 'application/rss+xml', delayMs: 30 }])));
    t = await createTestDatabase(backend);
    await syncFeeds(t.handle.db, paths.map((p, i) => feedSource(`f${i}`, `مصدر ${i}`, server.url(p))));
    deps = testRefreshDeps(t.handle.db);
  });
  afterAll(async () => {
    await t?.drop();
    await server?.close();
  });

  it('refreshes every feed exactly once in a pass', async () => {
    server.clearRequests();
    const summary = await refreshDueFeeds(deps, { concurrency: 3, ignoreSchedule: true });
    expect(summary.feeds).toBe(count);
    for (const p of paths) expect(server.requestsTo(p)).toHaveLength(1);
  });

});

describe('claimed feeds a stopped pass had not started', () => {
  // Four runners take f00–f03; f00 is quick, so its runner claims f04–f07 and takes f04 (quick too) while the others
  // are still on f01–f03 (slow). The pass stops at the second result: f05–f07 were claimed and never started.
  const delays = [10, 2000, 2000, 2000, 10, 10, 10, 10, 10];
  const paths = delays.map((_, i) => `/g${String(i).padStart(2, '0')}.xml`);
  let server: FixtureServer;
  let t: TestDatabase;

  beforeAll(async () => {
    server = await startFixtureServer(Object.fromEntries(paths.map((p, i) => [p, { body: rss2([]), contentType: 'application/rss+xml', delayMs: delays[i] }])));
    t = await createTestDatabase('pglite');
    await syncFeeds(t.handle.db, paths.map((p, i) => feedSource(`g${String(i).padStart(2, '0')}`, `مصدر ${i}`, server.url(p))));
    // Claimed in this order.
    await t.handle.db.update(feedStates).set({ nextFetchAt: sql`'2026-01-01'::timestamptz + (substr(feed_id, 2)::int * interval '1 minute')` });
  });
  afterAll(async () => {
    await t?.drop();
    await server?.close();
  });

  it('go back at once, not when their lease ends', async () => {
    const stop = new AbortController();
    let results = 0;
    const summary = await refreshDueFeeds(testRefreshDeps(t.handle.db), {
      concurrency: 4,
      ignoreSchedule: true,
      signal: stop.signal,
      onResult: () => void (++results === 2 && stop.abort()),
    });
    expect(summary.feeds).toBe(5);
    expect(server.requestsTo('/g05.xml')).toHaveLength(0);
    const states = await t.handle.db.select().from(feedStates);
    expect(states.filter((s) => s.leaseUntil !== null).map((s) => s.feedId)).toEqual([]);
  });
});
