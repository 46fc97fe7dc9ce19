import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaseOwnerOf, loadLeaseHolders } from '../../src/db/queries/claim-due-feeds.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { refreshDueFeeds } from '../../src/worker/refresh-due-feeds.js';
import { rss2 } from '../helpers/arabic-feeds.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';
import { feedSource, testRefreshDeps } from '../helpers/test-sources.js';

describe.each(testBackends())('refreshDueFeeds leases (%s)', (backend) => {
  let server: FixtureServer;
  let t: TestDatabase;
  beforeAll(async () => {
    server = await startFixtureServer({ '/slow.xml': { body: rss2(), contentType: 'application/rss+xml', delayMs: 1500 } });
    t = await createTestDatabase(backend);
    await syncFeeds(t.handle.db, [feedSource('slow', 'بطيء', server.url('/slow.xml'))]);
  });
  afterAll(async () => {
    await t?.drop();
    await server?.close();
  });

  it('holds each feed it refreshes under this process’s hostname:pid, and gives the lease back after', async () => {
    const pass = refreshDueFeeds(testRefreshDeps(t.handle.db), { concurrency: 1, ignoreSchedule: true });
    let holders = await loadLeaseHolders(t.handle.db, ['slow']);
    for (let i = 0; i < 50 && holders.size === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      holders = await loadLeaseHolders(t.handle.db, ['slow']);
    }
    expect(holders.get('slow')?.owner).toBe(leaseOwnerOf());
    expect((await pass).ok).toBe(1);
    expect(await loadLeaseHolders(t.handle.db, ['slow'])).toEqual(new Map());
  });
});
