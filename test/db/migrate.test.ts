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

  it('stores new long texts and fingerprints with lz4 where the server has it, and reads them back whole', async () => {
    const t = await createTestDatabase('postgres');
    try {
      const { db } = t.handle;
      const columns = await queryRows<{ col: string; compression: string }>(
        db,
        sql`select c.relname || '.' || a.attname as col, a.attcompression::text as compression from pg_attribute a join pg_class c on c.oid = a.attrelid
            where (c.relname, a.attname) in (('items', 'content_html'), ('items', 'content_text'), ('item_search', 'search_text'), ('dedup_entries', 'fingerprint_packed'))
            order by 1`,
      );
      expect(columns).toEqual(['dedup_entries.fingerprint_packed', 'item_search.search_text', 'items.content_html', 'items.content_text'].map((col) => ({ col, compression: 'l' })));
      const long = 'خبر طويل عن افتتاح معرض الكتاب في الرياض '.repeat(400);
      await db.execute(sql`insert into feeds (id, name, url) values ('lz4', 'lz4', 'http://127.0.0.1:9/')`);
      await db.execute(sql`insert into items (feed_id, entry_key, title, content_html, content_text, fetched_at) values ('lz4', 'k', 't', ${long}, ${long}, now())`);
      const [row] = await queryRows<{ text: string; method: string }>(db, sql`select content_text as text, pg_column_compression(content_text) as method from items where entry_key = 'k'`);
      expect(row).toEqual({ text: long, method: 'lz4' });
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
