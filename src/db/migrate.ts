import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KhabarError } from '../errors.js';
import { ADVISORY_LOCKS } from './advisory-locks.js';
import type { DatabaseHandle } from './client.js';

/** A fixed number: the key of the advisory lock that serializes migrations across processes. */
const MIGRATION_LOCK_KEY = ADVISORY_LOCKS.migration;

/** drizzle/ sits at the package root both when running src/ through tsx and dist/src/ compiled. */
export function migrationsFolder(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'drizzle');
    if (existsSync(path.join(candidate, 'meta', '_journal.json'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new KhabarError('DB_MIGRATION_FAILED', 'cannot find the drizzle/ migrations folder');
}

/**
 * Applies pending migrations. On server Postgres it runs on its own single connection under an advisory lock, so
 * replicas starting at once take turns instead of racing on the same DDL.
 */
export async function migrateDatabase(handle: DatabaseHandle, databaseUrl?: string | null): Promise<void> {
  const folder = migrationsFolder();
  try {
    if (handle.kind === 'pglite') {
      const { migrate } = await import('drizzle-orm/pglite/migrator');
      await migrate(handle.db as never, { migrationsFolder: folder });
      return;
    }
    if (!databaseUrl) throw new KhabarError('DB_MIGRATION_FAILED', 'migrating server Postgres needs its URL');
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    const client = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
    try {
      await client`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
      try {
        await migrate(drizzle({ client }), { migrationsFolder: folder });
      } finally {
        await client`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
      }
    } finally {
      await client.end({ timeout: 5 });
    }
  } catch (err) {
    if (err instanceof KhabarError) throw err;
    throw new KhabarError('DB_MIGRATION_FAILED', `database migration failed: ${(err as Error).message}`, { cause: err });
  }
}
