import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWordCountMemo } from '../../src/dedup/create-word-count-memo.js';
import { writeWordCounts } from '../../src/dedup/pg-candidate-index.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';

/**
 * The worker reads the stored word counts (idf statistics) a batch needs through a memo, so a word is read once between
 * two writes of the counts, not once per batch that carries it (about 15,000 words a batch of 50 articles).
 */
describe.each(testBackends())('the word count memo (%s)', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(async () => {
    await t?.drop();
  });
  const set = (word: number, entries: number) =>
    t.handle.db.execute(sql`insert into dedup_word_counts (word, entries) values (${word}, ${entries}) on conflict (word) do update set entries = excluded.entries`);

  it('gives the stored counts, keeps them until counts are written, then reads them again', async () => {
    const { db } = t.handle;
    await writeWordCounts(db, { words: new Map([[1, 3], [2, 5]]), entries: 7 });
    const memo = createWordCountMemo();
    const first = await memo.read(db, [1, 2, 3]);
    expect(first.total).toBe(7);
    expect([...first.counts]).toEqual([[1, 3], [2, 5], [3, 0]]);
    expect(memo.size).toBe(3);
    // Another process changes a count: the memo answers from what it read (no statement), until the next write.
    await set(1, 40);
    expect((await memo.read(db, [1, 3])).counts.get(1)).toBe(3);
    memo.written();
    expect(memo.size).toBe(0);
    expect((await memo.read(db, [1])).counts.get(1)).toBe(40);
  });

  it("moves the counts it holds by this process's own writes, and sees others' writes once it is older than its age bound", async () => {
    const { db } = t.handle;
    await set(30, 2);
    let clock = 0;
    const memo = createWordCountMemo(1000, 60_000, () => clock);
    const before = await memo.read(db, [30, 31]);
    memo.writing();
    await writeWordCounts(db, { words: new Map([[30, 1], [31, 4]]), entries: 3 });
    memo.written({ words: new Map([[30, 1], [31, 4]]), entries: 3 });
    const after = await memo.read(db, [30, 31]);
    expect([after.counts.get(30), after.counts.get(31), after.total]).toEqual([3, 4, before.total + 3]);
    await set(30, 50); // another process
    expect((await memo.read(db, [30])).counts.get(30)).toBe(3);
    clock = 60_001;
    expect((await memo.read(db, [30])).counts.get(30)).toBe(50);
  });

  it('uses but does not keep a read that was under way when counts were written', async () => {
    const { db } = t.handle;
    await set(10, 1);
    const memo = createWordCountMemo();
    const reading = memo.read(db, [10]);
    memo.written();
    expect((await reading).counts.get(10)).toBe(1);
    expect(memo.size).toBe(0);
  });

  it('starts over rather than grow past its bound', async () => {
    const { db } = t.handle;
    const memo = createWordCountMemo(3);
    await memo.read(db, [21, 22, 23]);
    expect(memo.size).toBe(3);
    const next = await memo.read(db, [21, 24]);
    expect([...next.counts.keys()].sort()).toEqual([21, 24]);
    expect(memo.size).toBeLessThanOrEqual(3);
  });
});
