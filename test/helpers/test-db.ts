import { afterAll, beforeAll } from 'vitest';
import { openScratchDatabase, type ScratchDatabase } from '../../src/db/open-scratch-database.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import type { FeedSource } from '../../src/domain/feed-source.js';

export type Backend = 'pglite' | 'postgres';

/** PGlite always; server Postgres too when TEST_DATABASE_URL names a server the tests may create databases on. */
export function testBackends(): Backend[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export type TestDatabase = ScratchDatabase;

/**
 * A fresh, migrated database. On server Postgres each call creates its own database (drizzle's SQL names `public`, so a
 * schema per test would not isolate) and drop() removes it; on PGlite an in-memory instance.
 */
export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') return openScratchDatabase(null);
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  return openScratchDatabase(adminUrl, { prefix: 'khabar_test', poolMax: 5 });
}

/**
 * For a describe block: a fresh database per backend, with these sources synced, made before the block's tests and
 * dropped after them. Read `.current` inside the tests.
 */
export function useTestDatabase(backend: Backend, sources: readonly FeedSource[] = []): { readonly current: TestDatabase } {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(backend);
    if (sources.length) await syncFeeds(db.handle.db, [...sources]);
  });
  afterAll(async () => {
    await db?.drop();
  });
  return {
    get current() {
      if (!db) throw new Error('the test database is made in beforeAll');
      return db;
    },
  };
}
