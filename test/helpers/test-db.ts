import { openScratchDatabase, type ScratchDatabase } from '../../src/db/open-scratch-database.js';

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
