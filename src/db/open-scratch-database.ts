import { randomBytes } from 'node:crypto';
import { openDatabase, type DatabaseHandle } from './client.js';
import { migrateDatabase } from './migrate.js';

export interface ScratchDatabase {
  handle: DatabaseHandle;
  /** The per-run database's URL; null on PGlite. */
  url: string | null;
  /** Closes and removes it. Idempotent. */
  drop(): Promise<void>;
}

export interface ScratchDatabaseOptions {
  /** Name prefix of the database created on the server. */
  prefix?: string;
  poolMax?: number;
}

/**
 * A throwaway, migrated database that touches no one's data (`cluster --db`, tests, benchmarks): a new database on
 * the server `serverUrl` names, dropped by drop(), or in-memory PGlite when `serverUrl` is null.
 */
export async function openScratchDatabase(serverUrl: string | null, options: ScratchDatabaseOptions = {}): Promise<ScratchDatabase> {
  if (!serverUrl) {
    const handle = await openDatabase({ dataDir: 'memory://' });
    await migrateDatabase(handle);
    return { handle, url: null, drop: () => handle.close() };
  }
  const { default: postgres } = await import('postgres');
  const name = `${options.prefix ?? 'khabar_scratch'}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  const dropDatabase = async () => {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  };
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let handle: DatabaseHandle;
  try {
    handle = await openDatabase({ databaseUrl: url.toString(), dataDir: 'unused', poolMax: options.poolMax ?? 2 });
    await migrateDatabase(handle, url.toString());
  } catch (err) {
    await dropDatabase().catch(() => {});
    throw err;
  }
  let dropped: Promise<void> | null = null;
  return {
    handle,
    url: url.toString(),
    drop: () =>
      (dropped ??= (async () => {
        await handle.close();
        await dropDatabase();
      })()),
  };
}
