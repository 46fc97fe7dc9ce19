import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { readDedupPosition } from '../../src/db/queries/dedup-generation.js';
import { migrationsFolder } from '../../src/db/migrate.js';
import { createTestDatabase, testBackends } from '../helpers/test-db.js';

/**
 * Migration 0016 moves each dedup entry's index keys from its dedup_keys rows to dedup_entries.keys. An upgraded
 * database must keep every stored entry findable by the keys it had: a key lost here is a copy that starts a second story.
 */
describe.each(testBackends())('the entry keys migration (%s)', (backend) => {
  it('gives each entry the keys its rows held, leaves pruned entries without, and moves the generation', async () => {
    const t = await createTestDatabase(backend);
    try {
      const db = t.handle.db;
      // The layout before 0016: key rows beside the entries.
      await db.execute(sql`create table dedup_keys (key integer not null, published_at timestamptz not null, seq bigint not null, primary key (key, published_at, seq))`);
      const entry = async (id: string, keys: number[]) => {
        const [r] = await queryRows<{ seq: string | number }>(
          db,
          sql`insert into dedup_entries (item_key, story_key, source, published_at, fingerprint_version) values (${id}, ${id}, 's', now(), 1) returning seq`,
        );
        for (const k of keys) await db.execute(sql`insert into dedup_keys (key, published_at, seq) values (${k}, now(), ${r.seq})`);
      };
      await entry('a', [30, -7, 12]);
      await entry('b', [12]);
      await entry('pruned', []);
      const before = (await readDedupPosition(db)).generation;

      const statements = readFileSync(path.join(migrationsFolder(), '0016_entry_keys_array.sql'), 'utf8')
        .split('--> statement-breakpoint')
        .filter((s) => !/ADD COLUMN/.test(s));
      for (const s of statements) await db.execute(sql.raw(s));

      const rows = await queryRows<{ item_key: string; keys: number[] | string | null }>(db, sql`select item_key, keys from dedup_entries order by seq`);
      const keys = (v: number[] | string | null) => (v === null ? null : (typeof v === 'string' ? v.slice(1, -1).split(',') : v).map(Number).sort((x, y) => x - y));
      expect(rows.map((r) => [r.item_key, keys(r.keys)])).toEqual([
        ['a', [-7, 12, 30]],
        ['b', [12]],
        ['pruned', null],
      ]);
      expect((await readDedupPosition(db)).generation).toBeGreaterThan(before);
      const [left] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from pg_tables where tablename = 'dedup_keys'`);
      expect(Number(left.n)).toBe(0);
    } finally {
      await t.drop();
    }
  });
});
