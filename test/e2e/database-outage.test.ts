import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDbFeedStore } from '../../src/create-db-feed-store.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { items } from '../../src/db/schema.js';
import { createApp } from '../../src/http/create-app.js';
import { silentLogger } from '../../src/logger.js';
import type { RefreshDeps } from '../../src/pipeline/refresh-feed.js';
import { startWorker } from '../../src/worker/schedule.js';
import { rss2, rssItems } from '../helpers/arabic-feeds.js';
import { feedSource, testRefreshDeps } from '../helpers/test-sources.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';

describe.each(testBackends())('when the database goes away (%s)', (backend) => {
  let server: FixtureServer;
  let t: TestDatabase;
  let deps: RefreshDeps;

  beforeAll(async () => {
    server = await startFixtureServer({ '/rss.xml': { body: rss2(rssItems.slice(0, 1)), contentType: 'application/rss+xml' } });
    t = await createTestDatabase(backend);
    await syncFeeds(t.handle.db, [
      feedSource('a', 'أ', server.url('/rss.xml')),
    ]);
    deps = testRefreshDeps(t.handle.db);
  });

  afterAll(async () => {
    await t?.drop();
    await server?.close();
  });

  it.skipIf(backend !== 'postgres')('reconnects after the server drops every connection', async () => {
    await t.handle.db.execute(sql`select 1`);
    const admin = postgres(process.env.TEST_DATABASE_URL!, { max: 1, onnotice: () => {} });
    const dbName = new URL(t.url!).pathname.slice(1);
    await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${dbName} and pid <> pg_backend_pid()`;
    await admin.end();
    const worker = startWorker(deps, { schedule: '0 0 1 1 *', concurrency: 1, runAtStart: false });
    await worker.runPass();
    await worker.stop();
    expect(await t.handle.db.select().from(items)).toHaveLength(1);
  });

  it('keeps serving the last good feed and keeps the worker alive while the database is down', async () => {
    const app = createApp({
      feedStore: createDbFeedStore(t.handle.db, { title: 'خبر', description: '', language: 'ar', publicUrl: 'http://khabar.test' }),
      logger: silentLogger(),
      config: { publicUrl: 'http://khabar.test', feedTitle: 'خبر', cacheSeconds: 0 },
      health: async () => {
        try {
          await t.handle.db.execute(sql`select 1`);
          return { ok: true };
        } catch {
          return { ok: false };
        }
      },
    });
    if (backend === 'pglite') {
      const worker = startWorker(deps, { schedule: '0 0 1 1 *', concurrency: 1, runAtStart: false });
      await worker.runPass();
      await worker.stop();
    }
    const before = await app.request('/feed.xml');
    expect(before.status).toBe(200);
    const bytes = await before.text();

    await t.handle.close(); // the database is gone

    const during = await app.request('/feed.xml');
    expect(during.status).toBe(200);
    expect(await during.text()).toBe(bytes);
    expect((await new Parser().parseString(bytes)).items[0].title).toBe(rssItems[0].title);
    expect((await app.request('/readyz')).status).toBe(503);
    expect((await app.request('/healthz')).status).toBe(200);

    // A pass against a dead database fails, is logged, and does not take the process down.
    const worker = startWorker(deps, { schedule: '0 0 1 1 *', concurrency: 1, runAtStart: false });
    await expect(worker.runPass()).resolves.toBeUndefined();
    await worker.stop();
  });
});
