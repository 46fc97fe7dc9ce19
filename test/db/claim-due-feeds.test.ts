import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { claimDueFeeds, leaseOwnerOf, loadLeaseHolders, releaseLeftLeases } from '../../src/db/queries/claim-due-feeds.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { feedStates } from '../../src/db/schema.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';
import { feedSource } from '../helpers/test-sources.js';

describe.each(testBackends())('feed leases (%s)', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
    await syncFeeds(t.handle.db, [feedSource('a', 'أ', 'http://127.0.0.1:9/a'), feedSource('b', 'ب', 'http://127.0.0.1:9/b')]);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('names its owner as hostname:pid', () => {
    expect(leaseOwnerOf('news-1', 4242)).toBe('news-1:4242');
    expect(leaseOwnerOf()).toMatch(new RegExp(`:${process.pid}$`));
  });

  it('stores who holds a claim and until when, and lists only the leases in force', async () => {
    const [claimed] = await claimDueFeeds(t.handle.db, { limit: 1, leaseSeconds: 300, owner: 'worker-1:77', feedIds: ['a'] });
    expect(claimed!.state.leaseOwner).toBe('worker-1:77');
    expect(claimed!.state.leaseUntil!.getTime()).toBeGreaterThan(Date.now() + 200_000);
    // Leased: another claimer does not get it.
    expect(await claimDueFeeds(t.handle.db, { limit: 5, leaseSeconds: 300, owner: 'worker-2:88', feedIds: ['a'] })).toEqual([]);
    await t.handle.db.update(feedStates).set({ leaseUntil: sql`now() - interval '1 second'`, leaseOwner: 'gone:1' }).where(eq(feedStates.feedId, 'b'));
    const holders = await loadLeaseHolders(t.handle.db, ['a', 'b']);
    expect([...holders.keys()]).toEqual(['a']);
    expect(holders.get('a')).toEqual({ owner: 'worker-1:77', until: claimed!.state.leaseUntil });
    expect(await loadLeaseHolders(t.handle.db, [])).toEqual(new Map());
  });

  it('releaseLeftLeases ends every lease and its owner', async () => {
    await t.handle.db.update(feedStates).set({ leaseUntil: sql`now() + interval '5 minutes'`, leaseOwner: 'dead:1' });
    expect(await releaseLeftLeases(t.handle.db)).toBe(2);
    const states = await t.handle.db.select().from(feedStates);
    expect(states.map((s) => [s.leaseUntil, s.leaseOwner])).toEqual([
      [null, null],
      [null, null],
    ]);
    const claimed = await claimDueFeeds(t.handle.db, { limit: 5, leaseSeconds: 60, owner: 'next:2', ignoreSchedule: true });
    expect(claimed.map((c) => c.feed.id).sort()).toEqual(['a', 'b']);
  });
});

describe('releaseLeftLeases before migrations', () => {
  it('does nothing on a database without the tables yet', async () => {
    const handle = await openDatabase({ dataDir: 'memory://' });
    try {
      expect(await releaseLeftLeases(handle.db)).toBe(0);
    } finally {
      await handle.close();
    }
  });

  it('ends the leases of a schema from before lease_owner (migration 0005)', async () => {
    const t = await createTestDatabase('pglite');
    try {
      await syncFeeds(t.handle.db, [feedSource('a', 'أ', 'http://127.0.0.1:9/a')]);
      await t.handle.db.execute(sql`alter table feed_states drop column lease_owner`);
      await t.handle.db.execute(sql`update feed_states set lease_until = now() + interval '5 minutes'`);
      expect(await releaseLeftLeases(t.handle.db)).toBe(1);
      const rows = await t.handle.db.execute(sql`select count(*)::int as n from feed_states where lease_until is not null`);
      expect((rows as unknown as { rows: { n: number }[] }).rows[0]!.n).toBe(0);
    } finally {
      await t.drop();
    }
  });
});

describe.each(testBackends())('claiming due feeds (%s)', (backend) => {
  let t: TestDatabase;
  const ids = Array.from({ length: 12 }, (_, i) => `f${String(i).padStart(2, '0')}`);
  beforeAll(async () => {
    t = await createTestDatabase(backend);
    await syncFeeds(t.handle.db, ids.map((id) => feedSource(id, id, `http://127.0.0.1:9/${id}`)));
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('takes the most overdue first, skips leased, excluded and not-yet-due feeds, and gives each claim to one claimer', async () => {
    const db = t.handle.db;
    // f00 most overdue, then f01, …; f11 not due for an hour; f10 leased by someone else.
    for (const [i, id] of ids.entries()) {
      await db
        .update(feedStates)
        .set({ nextFetchAt: sql`now() + make_interval(mins => ${id === 'f11' ? 60 : i - 100})` })
        .where(eq(feedStates.feedId, id));
    }
    await db.update(feedStates).set({ leaseUntil: sql`now() + interval '10 minutes'`, leaseOwner: 'other:1' }).where(eq(feedStates.feedId, 'f10'));

    const first = await claimDueFeeds(db, { limit: 3, leaseSeconds: 60, owner: 'me:1', excludeIds: ['f00'] });
    expect(first.map((c) => c.feed.id)).toEqual(['f01', 'f02', 'f03']);
    expect(first[0]!.state).toMatchObject({ leaseOwner: 'me:1' });
    expect(first[0]!.feed).toMatchObject({ id: 'f01', url: 'http://127.0.0.1:9/f01', enabled: true });

    // Claimers at once (server Postgres: each on its own connection): every due, free feed goes to exactly one.
    const claims = await Promise.all(Array.from({ length: 4 }, (_, n) => claimDueFeeds(db, { limit: 2, leaseSeconds: 60, owner: `w:${n}` })));
    const taken = claims.flat().map((c) => c.feed.id);
    expect(new Set(taken).size).toBe(taken.length);
    expect(taken.sort()).toEqual(['f00', 'f04', 'f05', 'f06', 'f07', 'f08', 'f09']);
    expect(await claimDueFeeds(db, { limit: 5, leaseSeconds: 60, owner: 'late:1' })).toEqual([]);
    // fetch --once ignores the schedule, not the leases.
    expect((await claimDueFeeds(db, { limit: 5, leaseSeconds: 60, owner: 'once:1', ignoreSchedule: true })).map((c) => c.feed.id)).toEqual(['f11']);
  });
});
