import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { createTestDatabase } from '../helpers/test-db.js';

describe.skipIf(!process.env.TEST_DATABASE_URL)('migrations on server Postgres', () => {
  it('lets several processes migrate one database at once (advisory lock) and is idempotent', async () => {
    const t = await createTestDatabase('postgres');
    try {
      // createTestDatabase migrated once already; start from scratch to race the real DDL.
      await t.handle.db.execute(sql`drop schema public cascade; create schema public; drop schema if exists drizzle cascade`);
      const handles = await Promise.all([1, 2, 3].map(() => openDatabase({ databaseUrl: t.url!, dataDir: 'unused', poolMax: 1 })));
      try {
        await Promise.all(handles.map((h) => migrateDatabase(h, t.url)));
        await migrateDatabase(handles[0], t.url);
      } finally {
        await Promise.all(handles.map((h) => h.close()));
      }
      const tables = await queryRows<{ table_name: string }>(
        t.handle.db,
        sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
      );
      expect(tables.map((r) => r.table_name)).toEqual(expect.arrayContaining(['feed_states', 'feeds', 'items', 'stories']));
      const applied = await queryRows<{ n: number }>(t.handle.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
      expect(applied[0].n).toBeGreaterThan(0);
    } finally {
      await t.drop();
    }
  });

  it('names the server when it cannot connect', async () => {
    await expect(openDatabase({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none', dataDir: 'unused' })).rejects.toMatchObject({
      code: 'DB_UNAVAILABLE',
      message: expect.stringContaining('127.0.0.1:1'),
    });
  });
});
