import { randomBytes } from 'node:crypto';
import { loadEnv } from '../config/env.js';
import { openDatabase, type DatabaseHandle } from './client.js';
import { migrateDatabase } from './migrate.js';

export interface ScratchDatabase {
  handle: DatabaseHandle;
  drop(): Promise<void>;
}

/**
 * A throwaway, migrated database for commands that must not touch the service's data (`cluster --db`): a new database
 * on the DATABASE_URL server, dropped by drop(), or in-memory PGlite when DATABASE_URL is unset.
 */
export async function openScratchDatabase(): Promise<ScratchDatabase> {
  const env = loadEnv();
  if (!env.databaseUrl) {
    const handle = await openDatabase({ dataDir: 'memory://' });
    await migrateDatabase(handle);
    return { handle, drop: () => handle.close() };
  }
  const { default: postgres } = await import('postgres');
  const name = `khabar_scratch_${randomBytes(6).toString('hex')}`;
  const admin = postgres(env.databaseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(env.databaseUrl);
  url.pathname = `/${name}`;
  try {
    const handle = await openDatabase({ databaseUrl: url.toString(), dataDir: env.dataDir, poolMax: 2 });
    await migrateDatabase(handle, url.toString());
    return {
      handle,
      drop: async () => {
        await handle.close();
        await admin.unsafe(`drop database if exists "${name}" with (force)`);
        await admin.end();
      },
    };
  } catch (err) {
    await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
    await admin.end();
    throw err;
  }
}
