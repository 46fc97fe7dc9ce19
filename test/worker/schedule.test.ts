import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { feedStates } from '../../src/db/schema.js';
import type { RefreshDeps } from '../../src/pipeline/refresh-feed.js';
import { startWorker } from '../../src/worker/schedule.js';
import { refreshDueFeeds } from '../../src/worker/refresh-due-feeds.js';
import { rss2 } from '../helpers/arabic-feeds.js';
import { feedSource, testRefreshDeps } from '../helpers/test-sources.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

describe('the worker', () => {
  let server: FixtureServer;
  let t: TestDatabase;
  let deps: RefreshDeps;

  beforeAll(async () => {
    server = await startFixtureServer({
      '/slow.xml': { body: rss2(), contentType: 'application/rss+xml', delayMs: 300 },
      '/fast.xml': { body: rss2([]), contentType: 'application/rss+xml' },
      '/stuck.xml': { body: rss2(), contentType: 'application/rss+xml', delayMs: 20_000 },
    });
    t = await createTestDatabase('pglite');
    await syncFeeds(t.handle.db, [
      feedSource('slow', 'بطيء', server.url('/slow.xml'), { refreshMinutes: 60 }),
      feedSource('fast', 'سريع', server.url('/fast.xml'), { refreshMinutes: 60 }),
    ]);
    deps = testRefreshDeps(t.handle.db);
  });

  afterAll(async () => {
    await t?.drop();
    await server?.close();
  });

  it('never overlaps passes in one process, and refreshes only what is due', async () => {
    const worker = startWorker(deps, { schedule: '0 0 1 1 *', concurrency: 2, runAtStart: false });
    try {
      const [a, b] = [worker.runPass(), worker.runPass()];
      expect(a).toBe(b); // the second call joins the pass in flight
      await a;
      expect(server.requestsTo('/slow.xml')).toHaveLength(1);
      expect(server.requestsTo('/fast.xml')).toHaveLength(1);
      // Both feeds were refreshed and are not due for an hour: another pass fetches nothing.
      await worker.runPass();
      expect(server.requests).toHaveLength(2);
    } finally {
      await worker.stop();
    }
    const states = await t.handle.db.select().from(feedStates);
    for (const s of states) {
      expect(s.lastOutcome).toBe('ok');
      expect(s.leaseUntil).toBeNull();
      expect(s.nextFetchAt.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    }
  });

  it('ticks on its node-cron schedule', async () => {
    server.clearRequests();
    await refreshDueFeeds(deps, { concurrency: 1, ignoreSchedule: true }); // make sure both have validators-free state
    server.clearRequests();
    await t.handle.db.update(feedStates).set({ nextFetchAt: new Date(0) });
    const worker = startWorker(deps, { schedule: '* * * * * *', concurrency: 2, runAtStart: false });
    try {
      const deadline = Date.now() + 5000;
      while (server.requests.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await worker.stop();
    }
    expect(server.requestsTo('/fast.xml').length).toBeGreaterThanOrEqual(1);
  });

  it('aborts fetches in flight on stop and hands their feeds back untouched', async () => {
    await syncFeeds(t.handle.db, [
      feedSource('stuck', 'عالق', server.url('/stuck.xml')),
    ]);
    await t.handle.db.update(feedStates).set({ nextFetchAt: new Date(Date.now() + 3_600_000) });
    await t.handle.db.update(feedStates).set({ nextFetchAt: new Date(0) }).where(eq(feedStates.feedId, 'stuck'));
    const worker = startWorker(deps, { schedule: '0 0 1 1 *', concurrency: 1, runAtStart: false });
    const pass = worker.runPass();
    while (server.requestsTo('/stuck.xml').length === 0) await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    await worker.stop();
    await pass;
    expect(Date.now() - started).toBeLessThan(5000); // not the 20 s the source would take
    const [state] = await t.handle.db.select().from(feedStates).where(eq(feedStates.feedId, 'stuck'));
    expect(state.leaseUntil).toBeNull();
    expect(state.consecutiveFailures).toBe(0);
    expect(state.lastOutcome).toBe('new');
  });
});
