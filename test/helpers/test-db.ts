import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, type DatabaseHandle } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';

export type Backend = 'pglite' | 'postgres';

/** PGlite always; server Postgres too when TEST_DATABASE_URL names a server the tests may create databases on. */
export function testBackends(): Backend[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase {
  handle: DatabaseHandle;
  /** The URL of the per-run database (postgres backend only). */
  url: string | null;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database. On server Postgres each call creates its own database (drizzle's SQL names `public`, so a
 * schema per test would not isolate) and drop() removes it; on PGlite an in-memory instance.
 */
export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const handle = await openDatabase({ dataDir: 'memory://' });
    await migrateDatabase(handle);
    return { handle, url: null, drop: () => handle.close() };
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `khabar_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ databaseUrl: url.toString(), dataDir: 'unused', poolMax: 5 });
  await migrateDatabase(handle, url.toString());
  let dropped: Promise<void> | null = null;
  return {
    handle,
    url: url.toString(),
    drop: () =>
      (dropped ??= (async () => {
        await handle.close();
        const admin2 = postgres(adminUrl, { max: 1, onnotice: () => {} });
        await admin2.unsafe(`drop database if exists "${name}" with (force)`);
        await admin2.end();
      })()),
  };
}
