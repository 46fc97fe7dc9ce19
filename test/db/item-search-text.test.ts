import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { items, itemSearch, SEARCH_DROP, SEARCH_FOLD_FROM, searchTextSql0010 } from '../../src/db/schema.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';
import { feedSource } from '../helpers/test-sources.js';

// Every folded and every dropped character, each between letters, at the ends, and in runs; Latin capitals for lower().
const every = [...SEARCH_FOLD_FROM, ...SEARCH_DROP];
const texts = [
  { title: 'أَحْمَدُ ٱلـكـبـيـر', text: 'Al-Hayat ١٢٣٫٥ ۴۵ مصطفى مدرسة' },
  { title: every.join(''), text: every.map((ch) => `ب${ch}ت`).join(' ') },
  { title: `${SEARCH_DROP}x${SEARCH_DROP}`, text: `\u200f${'ـ'.repeat(30)}\ufeffقال\u00adالوزير${SEARCH_FOLD_FROM}` },
  { title: 'Plain ASCII Only', text: 'x'.repeat(2500) + 'أ' },
];

describe.each(testBackends())('the search text the items trigger writes on %s', (backend) => {
  let scratch: TestDatabase;
  beforeAll(async () => {
    scratch = await createTestDatabase(backend);
    await syncFeeds(scratch.handle.db, [feedSource('f', 'ف', 'http://127.0.0.1:9/f')]);
  }, 60_000);
  afterAll(() => scratch?.drop());

  it('is what migration 0010 wrote: marks and invisible characters dropped, letters and digits folded, lower case', async () => {
    const db = scratch.handle.db;
    const rows = await db
      .insert(items)
      .values(texts.map((t, i) => ({ feedId: 'f', entryKey: `e${i}`, title: t.title, contentText: t.text })))
      .returning({ id: items.id });
    const stored = await queryRows<{ id: string | number; got: string; expected: string }>(
      db,
      sql.raw(`select i.id, s.search_text as got, ${searchTextSql0010('i."title"', 'i."content_text"')} as expected
               from items i join item_search s on s.item_id = i.id order by i.id`),
    );
    expect(stored).toHaveLength(rows.length);
    for (const r of stored) expect(r.got).toBe(r.expected);
    expect(stored[0].got).toBe('احمد الكبير al-hayat 123.5 45 مصطفي مدرسه');
    // Only the fold targets and the letters between them are left of the list of every special character.
    expect(stored[1].got.startsWith('ااااييكهءء01234567890123456789.')).toBe(true);
    expect(stored[2].got).toBe('x قالالوزيرااااييكهءء01234567890123456789.');
  });

  it('follows a correction of the headline', async () => {
    const db = scratch.handle.db;
    const [row] = await db.insert(items).values({ feedId: 'f', entryKey: 'corrected', title: 'قديم', contentText: '' }).returning({ id: items.id });
    await db.update(items).set({ title: 'جَدِيد' }).where(eq(items.id, row.id));
    const [search] = await db.select().from(itemSearch).where(eq(itemSearch.itemId, row.id));
    expect(search.searchText).toBe('جديد ');
  });
});
