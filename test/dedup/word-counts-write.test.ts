import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { createWorkerStoryAssigner } from '../../src/dedup/create-worker-story-assigner.js';
import { intArray, writeWordCounts } from '../../src/dedup/pg-candidate-index.js';
import type { Item } from '../../src/domain/item.js';
import { storeItems } from '../../src/pipeline/store-items.js';
import { refreshDueFeeds } from '../../src/worker/refresh-due-feeds.js';
import { testBackends, useTestDatabase } from '../helpers/test-db.js';
import { feedSource, testRefreshDeps } from '../helpers/test-sources.js';

/**
 * The worker's assigner writes dedup's word counts (idf statistics: one row per distinct word, on rows every worker
 * updates) gathered over many stores and at the end of each pass, not after every store; until then its own reads
 * count them.
 */
const texts = [
  'أعلنت هيئة الطيران المدني تشغيل مبنى الركاب الجديد في مطار جدة اعتبارا من الأسبوع المقبل بطاقة ثلاثين مليون مسافر',
  'افتتح أمير المنطقة الشرقية معرض الكتاب الدولي في الدمام بمشاركة خمسمئة دار نشر من عشرين دولة',
  'قررت وزارة التعليم تمديد إجازة منتصف العام الدراسي أسبوعا إضافيا لطلاب المرحلة الابتدائية في جميع المناطق',
];

function item(n: number): Item {
  const link = `https://example.com/w/${n}`;
  return {
    feedId: 'a',
    entryKey: link,
    guid: null,
    link,
    canonicalLink: link,
    title: `خبر ${n}`,
    contentHtml: `<p>${texts[n % texts.length]}</p>`,
    contentText: texts[n % texts.length],
    publishedAt: new Date(Date.UTC(2026, 10, 20, 9, n)),
    author: null,
  };
}

describe.each(testBackends())('dedup word counts from the worker (%s)', (backend) => {
  const scratch = useTestDatabase(backend, [feedSource('a', 'أ', 'http://127.0.0.1:9/a.xml')]);

  const written = async () => {
    const [row] = await queryRows<{ words: number; entries: number | null }>(
      scratch.current.handle.db,
      sql`select (select count(*)::int from dedup_word_counts) as words, (select entries::int from dedup_stats where id = 1) as entries`,
    );
    return { words: Number(row.words), entries: row.entries === null ? 0 : Number(row.entries) };
  };

  it('are kept back after each store and written whole by flush, once', async () => {
    const { db } = scratch.current.handle;
    const assigner = createWorkerStoryAssigner(db, { windowHours: 72 });
    await storeItems(db, [item(0), item(1)], assigner);
    await storeItems(db, [item(2)], assigner);
    expect(await written()).toEqual({ words: 0, entries: 0 });
    await assigner.flush!(db);
    const after = await written();
    expect(after.entries).toBe(3);
    const distinct = new Set(texts.join(' ').split(' ')).size;
    // Word hashes of three texts with no word in common: about as many rows as distinct words (normalization may fold a few).
    expect(after.words).toBeGreaterThan(distinct * 0.8);
    const [{ total }] = await queryRows<{ total: number }>(db, sql`select sum(entries)::int as total from dedup_word_counts`);
    await assigner.flush!(db);
    expect(await written()).toEqual(after);
    const [{ again }] = await queryRows<{ again: number }>(db, sql`select sum(entries)::int as again from dedup_word_counts`);
    expect(Number(again)).toBe(Number(total));
  });

  it('are written at the end of every worker pass', async () => {
    const { db } = scratch.current.handle;
    await db.execute(sql`update feeds set enabled = false`);
    const flushed: unknown[] = [];
    const deps = testRefreshDeps(db, { place: async (_db, rows) => rows.map(() => ({ kind: 'new' })), flush: async (d) => void flushed.push(d) });
    await refreshDueFeeds(deps, { concurrency: 2, ignoreSchedule: true });
    expect(flushed).toEqual([db]);
  });

  /** The stored counts of `words` as [word, entries], after clearing them (the database is shared by the tests). */
  const countsOf = async (words: number[]) => {
    const { db } = scratch.current.handle;
    await db.execute(sql`delete from dedup_word_counts where word = any(${intArray(words)}::int4[])`);
    return async () =>
      (await queryRows<{ word: number; entries: number }>(db, sql`select word, entries::int as entries from dedup_word_counts where word = any(${intArray(words)}::int4[]) order by word`)).map((r) => [Number(r.word), Number(r.entries)]);
  };

  it('are written in chunks of words when a write is large, adding up as one write would', async () => {
    const { db } = scratch.current.handle;
    const counts = await countsOf([-(2 ** 31), -7, 5, 9, 42, 100, 2 ** 31 - 1]);
    const entriesBefore = (await written()).entries;
    await writeWordCounts(db, { words: new Map([[5, 1], [-7, 2]]), entries: 2 });
    // Seven words in chunks of two: three upserts, then the last chunk with the entries total.
    await writeWordCounts(db, { words: new Map([[9, 1], [5, 3], [-7, 1], [100, 2], [-(2 ** 31), 1], [2 ** 31 - 1, 4], [42, 1]]), entries: 5 }, 2);
    expect(await counts()).toEqual([[-(2 ** 31), 1], [-7, 3], [5, 4], [9, 1], [42, 1], [100, 2], [2 ** 31 - 1, 4]]);
    expect((await written()).entries - entriesBefore).toBe(7);
  });

  it('are written in chunks inside the caller transaction too (cluster --db writes them under its lock)', async () => {
    const { db } = scratch.current.handle;
    const words = [11, 12, 13, 14, 15];
    const counts = await countsOf(words);
    const entriesBefore = (await written()).entries;
    await db.transaction(async (tx) => {
      await writeWordCounts(tx as unknown as typeof db, { words: new Map(words.map((w) => [w, w - 10])), entries: 3 }, 2);
    });
    expect(await counts()).toEqual(words.map((w) => [w, w - 10]));
    expect((await written()).entries - entriesBefore).toBe(3);
  });
});
