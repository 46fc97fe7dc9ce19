import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { readDedupPosition } from '../../src/db/queries/dedup-generation.js';
import { pruneDedupIndex } from '../../src/db/queries/prune-dedup-index.js';
import { createStoryAssigner, type DedupInput } from '../../src/dedup/assign-story.js';
import { createPgStoryAssigner } from '../../src/dedup/create-pg-story-assigner.js';
import { createMemoryCandidateIndex } from '../../src/dedup/memory-candidate-index.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';

const base = [
  'عقد وزير الخارجية اجتماعا موسعا مع نظيره العماني في مسقط اليوم لبحث تطورات الأوضاع في المنطقة',
  'وتناول الجانبان سبل تعزيز التعاون الثنائي في المجالات الاقتصادية والتجارية والاستثمارية بين البلدين',
  'وأكد الوزير أن العلاقات بين البلدين تشهد تطورا ملحوظا في مختلف المجالات خلال السنوات الأخيرة',
  'من جانبه أشاد الوزير العماني بالدور الذي تقوم به المملكة في دعم الأمن والاستقرار في المنطقة',
];
const other = [
  'أعلنت وزارة الصحة تسجيل انخفاض في عدد حالات الإصابة بالإنفلونزا الموسمية خلال الأسبوع الماضي',
  'وقالت الوزارة في بيان إن حملة التطعيم الوطنية شملت أكثر من مليون شخص في مختلف المناطق',
  'ودعت المواطنين إلى مراجعة المراكز الصحية القريبة للحصول على اللقاح مجانا قبل نهاية الشهر',
];

/** A small stream: copies of two reports (edited the ways outlets edit), and unrelated items in between. */
function stream(): DedupInput[] {
  const t0 = Date.UTC(2026, 10, 1, 8);
  const at = (h: number) => new Date(t0 + h * 3_600_000);
  const items: DedupInput[] = [
    { id: 'a1', source: 'spa', title: 'وزير الخارجية يلتقي نظيره العماني', text: base.join('\n'), publishedAt: at(0) },
    { id: 'b1', source: 'health', title: 'انخفاض حالات الإنفلونزا', text: other.join('\n'), publishedAt: at(1) },
    { id: 'a2', source: 'okaz', title: 'مباحثات سعودية عمانية في مسقط', text: base.slice(0, 3).join('\n'), publishedAt: at(2) },
    { id: 'c1', source: 'misc', title: 'طقس اليوم', text: 'أمطار رعدية متوقعة على المرتفعات الجنوبية مع رياح نشطة مثيرة للأتربة', publishedAt: at(2) },
    { id: 'b2', source: 'riyadh', title: 'الصحة: تراجع الإنفلونزا', text: `${other.join('\n')}\nاظهر المزيد`, publishedAt: at(3) },
    { id: 'a3', source: 'madina', title: 'الوزير يبحث مع نظيره العماني التعاون', text: base.join('\n').replace(/أ/g, 'ا'), publishedAt: at(5) },
    { id: 'a4', source: 'late', title: 'وزير الخارجية يلتقي نظيره العماني', text: base.join('\n'), publishedAt: at(200) },
  ];
  return items;
}

describe.each(testBackends())('the Postgres candidate index on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('gives exactly the stories the in-memory index gives on the same stream', async () => {
    const memory = createStoryAssigner(createMemoryCandidateIndex());
    const pg = createPgStoryAssigner(t.handle.db);
    const fromMemory: string[] = [];
    const fromPg: string[] = [];
    for (const input of stream()) {
      fromMemory.push((await memory.assign(input)).storyId);
      fromPg.push((await pg.assign(input)).storyId);
    }
    expect(fromPg).toEqual(fromMemory);
    // And the stories are the ones a reader expects: copies together, other news apart, nothing outside the window.
    const story = Object.fromEntries(stream().map((s, i) => [s.id, fromPg[i]]));
    expect(story.a2).toBe(story.a1);
    expect(story.b2).toBe(story.b1);
    expect(story.b1).not.toBe(story.a1);
    expect(story.c1).toBe('c1');
    expect(story.a4).toBe('a4');
  });
});

describe.each(testBackends())('pruning the Postgres index on %s', (backend) => {
  it('drops old keys, keeps recent ones and every entry', async () => {
    const t = await createTestDatabase(backend);
    try {
      const pg = createPgStoryAssigner(t.handle.db);
      for (const input of stream()) await pg.assign(input);
      const count = async (query: string) => Number((await queryRows<{ n: number }>(t.handle.db, sql.raw(query)))[0].n);
      const keys = () => count('select coalesce(sum(cardinality(keys)), 0)::int as n from dedup_entries');
      const keysBefore = await keys();
      const generation = async () => (await readDedupPosition(t.handle.db)).generation;
      const generationBefore = await generation();
      const removed = await pruneDedupIndex(t.handle.db, new Date(Date.UTC(2026, 10, 5)));
      expect(removed).toBeGreaterThan(0);
      expect(await keys()).toBe(keysBefore - removed!);
      expect(await keys()).toBeGreaterThan(0); // a4, 200 h later, keeps its keys
      expect(await count('select count(*)::int as n from dedup_entries')).toBe(stream().length);
      // Worker processes hold the keys in memory: the generation tells them to read them again.
      expect(await generation()).toBeGreaterThan(generationBefore);
    } finally {
      await t.drop();
    }
  });
});
