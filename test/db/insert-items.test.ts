import { inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { insertItems } from '../../src/db/queries/insert-items.js';
import { items } from '../../src/db/schema.js';
import type { Item } from '../../src/domain/item.js';
import { testBackends, useTestDatabase } from '../helpers/test-db.js';
import { feedSource } from '../helpers/test-sources.js';

function item(n: number, overrides: Partial<Item> = {}): Item {
  return {
    feedId: 'a',
    entryKey: `key-${n}`,
    guid: `guid-${n}`,
    link: `https://example.com/${n}`,
    canonicalLink: `https://example.com/${n}`,
    title: `خبر ${n}`,
    contentHtml: `<p>نص ${n}</p>`,
    contentText: `نص ${n}`,
    publishedAt: new Date(Date.UTC(2026, 0, 1, 0, n)),
    author: `كاتب ${n}`,
    sourceDigest: `v2:${n}`,
    ...overrides,
  };
}

describe.each(testBackends())('insertItems on %s', (backend) => {
  const scratch = useTestDatabase(backend, [feedSource('a', 'أ', 'http://127.0.0.1:9/a.xml')]);

  it('returns exactly the rows it stored, as a read gives them back: nulls, quotes, backslashes, braces and line breaks intact', async () => {
    const { db } = scratch.current.handle;
    const fetchedAt = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    await insertItems(db, [item(1)], fetchedAt);
    const batch = [
      item(1, { title: 'already stored: not returned' }),
      item(2, { guid: null, link: null, canonicalLink: null, author: null, publishedAt: null, sourceDigest: null }),
      item(3, { title: 'NULL', contentText: 'a "quoted" \\ back\\slash {brace}, comma\nسطر ثان', contentHtml: '<p title="x">"}{\\</p>', author: '' }),
      item(4, { sourceDigest: undefined }),
    ];
    const returned = await insertItems(db, batch, fetchedAt);
    expect(returned.map((r) => r.entryKey)).toEqual(['key-2', 'key-3', 'key-4']);
    const stored = await db.select().from(items).where(inArray(items.id, returned.map((r) => r.id)));
    const byId = new Map(stored.map((r) => [r.id, r]));
    for (const row of returned) expect(row).toEqual(byId.get(row.id));
    expect(byId.get(returned[0].id)).toMatchObject({ guid: null, link: null, canonicalLink: null, author: null, publishedAt: null, sourceDigest: null, storyId: null });
    expect(byId.get(returned[1].id)).toMatchObject({ title: 'NULL', contentText: batch[2].contentText, contentHtml: batch[2].contentHtml, author: '' });
  });
});
