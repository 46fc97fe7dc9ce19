import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../../src/db/client.js';
import { bumpDedupGeneration } from '../../src/db/queries/dedup-generation.js';
import { intArray } from '../../src/dedup/pg-candidate-index.js';
import { createWindowKeyMirror, type WindowKeyMirror } from '../../src/dedup/create-window-key-mirror.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';

/**
 * The worker's in-memory copy of the stored inverted index must answer exactly what the stored keys say — the entries
 * carrying a key inside a window, or "too common" past the bound — whatever was committed since, whatever window is
 * asked, and after anything that rewrites entries. A wrong answer here is a copy that misses its story.
 */
const H = 3_600_000;
const t0 = Date.UTC(2026, 10, 20);

interface Row {
  seq: number;
  at: number;
  keys: number[];
}

async function addEntry(db: Database, id: string, hours: number, keys: number[]): Promise<Row> {
  const [r] = await queryRows<{ seq: string | number }>(
    db,
    sql`insert into dedup_entries (item_key, story_key, source, published_at, fingerprint_version, keys)
        values (${id}, ${id}, 'src', ${new Date(t0 + hours * H).toISOString()}::timestamptz, 1, ${intArray(keys)}::int4[]) returning seq`,
  );
  return { seq: Number(r.seq), at: t0 + hours * H, keys };
}

/** What the stored rows say, by a plain scan: the reference. */
function expected(rows: Row[], key: number, from: number, to: number, max: number): number[] | null {
  const seqs = rows.filter((r) => r.keys.includes(key) && r.at >= from && r.at <= to).map((r) => r.seq);
  return seqs.length > max ? null : seqs.sort((a, b) => a - b);
}

async function answer(m: WindowKeyMirror, db: Database, key: number, from: number, to: number, max: number): Promise<number[] | null> {
  const seqs = await m.read(db, from, (p) => p.postings(key, from, to, max));
  return seqs === null ? null : [...seqs].sort((a, b) => a - b);
}

describe.each(testBackends())('the in-memory copy of the stored index keys (%s)', (backend) => {
  let t: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
    db = t.handle.db;
  });
  afterAll(async () => {
    await t?.drop();
  });
  beforeEach(async () => {
    await db.execute(sql`delete from dedup_entries`);
  });

  it('answers the entries carrying a key in the window asked, and null once more than the bound do', async () => {
    const rows = [await addEntry(db, 'a', 0, [1, 2, 3]), await addEntry(db, 'b', 10, [2, 3]), await addEntry(db, 'c', 100, [3])];
    const m = createWindowKeyMirror({ keepMs: 1_000 * H });
    await m.refresh(db);
    expect(await answer(m, db, 2, t0 - 72 * H, t0 + 72 * H, 10)).toEqual(expected(rows, 2, t0 - 72 * H, t0 + 72 * H, 10));
    expect(await answer(m, db, 3, t0 - 72 * H, t0 + 72 * H, 10)).toEqual([rows[0].seq, rows[1].seq]); // c is outside
    expect(await answer(m, db, 3, t0 - 72 * H, t0 + 200 * H, 2)).toBeNull(); // three carry it: too common
    expect(await answer(m, db, 9, t0 - 72 * H, t0 + 72 * H, 10)).toEqual([]);
  });

  it('holds what other processes committed after one refresh, and nothing rolled back', async () => {
    const m = createWindowKeyMirror({ keepMs: 1_000 * H });
    await m.refresh(db);
    expect(await answer(m, db, 5, t0 - 72 * H, t0 + 72 * H, 10)).toEqual([]);
    const a = await addEntry(db, 'a', 1, [5]);
    await db
      .transaction(async (tx) => {
        await addEntry(tx as unknown as Database, 'rolled-back', 1, [5]);
        throw new Error('rollback');
      })
      .catch(() => undefined);
    const b = await addEntry(db, 'b', 2, [5, 6]);
    const position = await m.refresh(db);
    expect(position.maxSeq).toBe(b.seq);
    expect(await answer(m, db, 5, t0 - 72 * H, t0 + 72 * H, 10)).toEqual([a.seq, b.seq]);
  });

  it('reads an older window when an old item asks for it, and drops entries far behind the windows asked', async () => {
    const old = await addEntry(db, 'old', -500, [7]);
    const recent = await addEntry(db, 'recent', 0, [7]);
    const m = createWindowKeyMirror({ keepMs: 100 * H });
    await m.refresh(db);
    expect(await answer(m, db, 7, t0 - 72 * H, t0 + 72 * H, 10)).toEqual([recent.seq]);
    expect(m.size().entries).toBe(1); // only the window asked was read
    expect(await answer(m, db, 7, t0 - 572 * H, t0 - 428 * H, 10)).toEqual([old.seq]);
    expect(await answer(m, db, 7, t0 - 572 * H, t0 + 72 * H, 10)).toEqual([old.seq, recent.seq]);
    // Windows move on: what lies more than keepMs before the newest window is dropped, and read again if asked.
    const later = await addEntry(db, 'later', 400, [7]);
    await m.refresh(db);
    expect(await answer(m, db, 7, t0 + 328 * H, t0 + 472 * H, 10)).toEqual([later.seq]);
    expect(m.size().entries).toBe(1);
    expect(await answer(m, db, 7, t0 - 572 * H, t0 + 472 * H, 10)).toEqual([old.seq, recent.seq, later.seq]);
  });

  it('reads everything again when the generation moved (a reindex rewrote keys, retention deleted entries)', async () => {
    const a = await addEntry(db, 'a', 0, [11]);
    const b = await addEntry(db, 'b', 1, [11]);
    const m = createWindowKeyMirror({ keepMs: 1_000 * H });
    await m.refresh(db);
    expect(await answer(m, db, 11, t0 - 72 * H, t0 + 72 * H, 10)).toEqual([a.seq, b.seq]);
    await db.transaction(async (tx) => {
      await bumpDedupGeneration(tx as unknown as Database);
      await tx.execute(sql`update dedup_entries set keys = '{12}' where seq = ${a.seq}`);
      await tx.execute(sql`delete from dedup_entries where seq = ${b.seq}`);
    });
    await m.refresh(db);
    expect(await answer(m, db, 11, t0 - 72 * H, t0 + 72 * H, 10)).toEqual([]);
    expect(await answer(m, db, 12, t0 - 72 * H, t0 + 72 * H, 10)).toEqual([a.seq]);
  });

  it('reads a window of many entries in slices and still answers all of them', async () => {
    // 1,700 entries, each carrying key 20 and one of 17 others: more rows than one slice applied between event-loop turns.
    await db.execute(sql`insert into dedup_entries (item_key, story_key, source, published_at, fingerprint_version, keys)
      select 'n' || i, 'n' || i, 's', ${new Date(t0).toISOString()}::timestamptz + make_interval(mins => i), 1, array[20, 100 + i % 17]
      from generate_series(1, 1700) as i`);
    const m = createWindowKeyMirror({ keepMs: 1_000 * H });
    await m.refresh(db);
    expect(await answer(m, db, 103, t0 - 72 * H, t0 + 72 * H, 1_000)).toHaveLength(100);
    expect(await answer(m, db, 20, t0 - 72 * H, t0 + 72 * H, 2_000)).toHaveLength(1_700);
    expect(await answer(m, db, 20, t0 - 72 * H, t0 + 72 * H, 1_699)).toBeNull();
    expect(m.size()).toMatchObject({ entries: 1_700, keys: 3_400 });
  });

  it('gives what a scan of the stored keys gives, for any entries, refreshes, windows and bounds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            // Tens of hours, so windows often start or end exactly on an entry.
            hours: fc.integer({ min: -30, max: 30 }).map((n) => n * 10),
            keys: fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { maxLength: 5 }),
            refreshAfter: fc.boolean(),
          }),
          { maxLength: 25 },
        ),
        fc.array(fc.record({ key: fc.integer({ min: 1, max: 12 }), at: fc.integer({ min: -30, max: 30 }).map((n) => n * 10), span: fc.integer({ min: 0, max: 15 }).map((n) => n * 10), max: fc.integer({ min: 0, max: 6 }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        async (entries, asks) => {
          await db.execute(sql`delete from dedup_entries`);
          const m = createWindowKeyMirror({ keepMs: 50 * H });
          await m.refresh(db);
          const rows: Row[] = [];
          let i = 0;
          for (const e of entries) {
            rows.push(await addEntry(db, `e${i++}`, e.hours, e.keys));
            if (e.refreshAfter) {
              await m.refresh(db);
              const ask = asks[i % asks.length];
              await answer(m, db, ask.key, t0 + (ask.at - ask.span) * H, t0 + (ask.at + ask.span) * H, ask.max);
            }
          }
          await m.refresh(db);
          for (const ask of asks) {
            const from = t0 + (ask.at - ask.span) * H;
            const to = t0 + (ask.at + ask.span) * H;
            expect(await answer(m, db, ask.key, from, to, ask.max)).toEqual(expected(rows, ask.key, from, to, ask.max));
          }
        },
      ),
      { numRuns: backend === 'pglite' ? 15 : 40 },
    );
  });
});
