import { createMetrics } from '../../src/metrics/create-metrics.js';
import { parsePrometheusText, sampleValue } from '../metrics/prometheus-text.js';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { createWorkerStoryAssigner } from '../../src/dedup/create-worker-story-assigner.js';
import { FINGERPRINT_VERSION, type Fingerprint } from '../../src/dedup/fingerprint.js';
import { storedFingerprint } from '../../src/dedup/pg-candidate-index.js';
import { hasStaleEntries, reindexStaleEntries } from '../../src/dedup/reindex-stale-entries.js';
import { storeItems } from '../../src/pipeline/store-items.js';
import { agencyCopy, republishedCopy, unrelatedReport, reportItem } from '../helpers/agency-report.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';
import { feedSource, testRefreshDeps } from '../helpers/test-sources.js';
import { startWorker } from '../../src/worker/schedule.js';
import { startFixtureServer } from '../helpers/fixture-server.js';

const HOUR = 3_600_000;

const item = reportItem;

type Snapshot = { entries: { item_key: string; fingerprint: Fingerprint; fingerprint_version: number }[]; keys: number[]; words: [number, number][] };

async function snapshot(t: TestDatabase): Promise<Snapshot> {
  const { db } = t.handle;
  const entries = await queryRows<{ item_key: string; fingerprint_packed: Uint8Array | string | null; fingerprint: unknown; fingerprint_version: number }>(
    db,
    sql`select item_key, fingerprint_packed, fingerprint, fingerprint_version from dedup_entries order by seq`,
  );
  const keys = await queryRows<{ key: number; seq: string }>(db, sql`select k as key, seq from dedup_entries, unnest(keys) as k order by seq, k`);
  const words = await queryRows<{ word: number; entries: number }>(db, sql`select word, entries from dedup_word_counts order by word`);
  return {
    entries: entries.map((e) => ({ item_key: e.item_key, fingerprint_version: e.fingerprint_version, fingerprint: storedFingerprint(e.fingerprint_packed, e.fingerprint) })),
    keys: keys.map((k) => Number(k.key)),
    words: words.map((w) => [Number(w.word), Number(w.entries)]),
  };
}

/**
 * What an older release left behind: the same items hashed with other seeds (every hash xor-ed), the old version, and
 * the fingerprint as jsonb (before packed fingerprints), so the reindex also proves it reads and replaces that form.
 */
async function ageIndex(t: TestDatabase): Promise<void> {
  const { db } = t.handle;
  const salt = 0x5a5a5a5a;
  const rows = await queryRows<{ seq: string; fingerprint_packed: Uint8Array | string | null; fingerprint: unknown }>(db, sql`select seq, fingerprint_packed, fingerprint from dedup_entries`);
  for (const row of rows) {
    const fp: Fingerprint = storedFingerprint(row.fingerprint_packed, row.fingerprint);
    const x = (a: Int32Array) => Array.from(a, (h) => h ^ salt);
    const old = { ...fp, words: x(fp.words), stems: x(fp.stems), sentenceEnds: Array.from(fp.sentenceEnds), numbers: x(fp.numbers) };
    await db.execute(sql`update dedup_entries set fingerprint = ${JSON.stringify(old)}::jsonb, fingerprint_packed = null, fingerprint_version = ${FINGERPRINT_VERSION - 1} where seq = ${row.seq}`);
  }
  await db.execute(sql`update dedup_entries set keys = array(select k # ${salt} from unnest(keys) as k)`);
  await db.execute(sql`update dedup_word_counts set word = word # ${salt}`);
}

describe.each(testBackends())('reindexing dedup entries after a fingerprint change, on %s', (backend) => {
  let t: TestDatabase;
  const now = Date.now();
  const since = new Date(now - 144 * HOUR);

  beforeEach(async () => {
    t = await createTestDatabase(backend);
    await syncFeeds(t.handle.db, [feedSource('wire', 'الوكالة', 'http://127.0.0.1:9/w'), feedSource('daily', 'اليومية', 'http://127.0.0.1:9/d')]);
  });
  afterEach(async () => {
    await t?.drop();
  });

  it('recomputes exactly what the current release stores, so a new copy joins the story stored before the upgrade', async () => {
    const { db } = t.handle;
    const assigner = createWorkerStoryAssigner(db, { windowHours: 72 });
    await storeItems(db, [item('wire', 1, agencyCopy(), new Date(now - 5 * HOUR)), item('wire', 2, unrelatedReport(), new Date(now - 4 * HOUR))], assigner);
    // The word counts as the end of a worker pass writes them.
    await assigner.flush!(db);
    const fresh = await snapshot(t);

    await ageIndex(t);
    expect(await hasStaleEntries(db, since)).toBe(true);
    const aged = await snapshot(t);
    expect(aged.keys).not.toEqual(fresh.keys);

    const progress = await reindexStaleEntries(db, { since, batchSize: 1 });
    expect(progress).toEqual({ reindexed: 2, skipped: 0 });
    expect(await hasStaleEntries(db, since)).toBe(false);
    expect(await snapshot(t)).toEqual(fresh);

    // After the upgrade, another outlet's copy finds the report stored before it.
    const [stored] = await queryRows<{ story_id: string }>(db, sql`select story_id from items where link = 'https://wire.example/news/1'`);
    await storeItems(db, [item('daily', 3, republishedCopy(), new Date(now - HOUR))], createWorkerStoryAssigner(db, { windowHours: 72 }));
    const [copy] = await queryRows<{ story_id: string }>(db, sql`select story_id from items where link = 'https://daily.example/news/3'`);
    expect(copy.story_id).toBe(stored.story_id);
  });

  it('without the reindex, the same copy would start a second story (what the reindex prevents)', async () => {
    const { db } = t.handle;
    await storeItems(db, [item('wire', 1, agencyCopy(), new Date(now - 5 * HOUR))], createWorkerStoryAssigner(db, { windowHours: 72 }));
    await ageIndex(t);
    await storeItems(db, [item('daily', 3, republishedCopy(), new Date(now - HOUR))], createWorkerStoryAssigner(db, { windowHours: 72 }));
    const rows = await queryRows<{ n: number }>(db, sql`select count(distinct story_id)::int as n from items`);
    expect(Number(rows[0].n)).toBe(2);
  });

  it("never rewrites a newer release's entries (a rolling deploy: the older replica must not undo the upgrade)", async () => {
    const { db } = t.handle;
    await storeItems(db, [item('wire', 1, agencyCopy(), new Date(now - 5 * HOUR))], createWorkerStoryAssigner(db, { windowHours: 72 }));
    await db.execute(sql`update dedup_entries set fingerprint_version = ${FINGERPRINT_VERSION + 1}`);
    const before = await snapshot(t);
    expect(await hasStaleEntries(db, since)).toBe(false);
    expect(await reindexStaleEntries(db, { since })).toEqual({ reindexed: 0, skipped: 0 });
    expect(await snapshot(t)).toEqual(before);
  });

  it('leaves entries older than `since` and entries with no stored item as they are', async () => {
    const { db } = t.handle;
    const assigner = createWorkerStoryAssigner(db, { windowHours: 72 });
    await storeItems(db, [item('wire', 1, agencyCopy(), new Date(now - 300 * HOUR)), item('wire', 2, unrelatedReport(), new Date(now - 2 * HOUR))], assigner);
    // An entry `khabar cluster --db` would write: no item behind it.
    await db.execute(
      sql`insert into dedup_entries (item_key, story_key, source, published_at, fingerprint_version, fingerprint)
          values ('jsonl-7', 'jsonl-7', 'wire', ${new Date(now - HOUR).toISOString()}::timestamptz, ${FINGERPRINT_VERSION - 1}, '{"words":[1,2,3],"titleWords":0,"sentenceEnds":[3],"stems":[1,2,3],"numbers":[]}'::jsonb)`,
    );
    await ageIndex(t);
    const progress = await reindexStaleEntries(db, { since, batchSize: 1 });
    expect(progress).toEqual({ reindexed: 1, skipped: 1 });
    const versions = await queryRows<{ item_key: string; fingerprint_version: number }>(db, sql`select item_key, fingerprint_version from dedup_entries order by published_at`);
    expect(versions.map((v) => Number(v.fingerprint_version))).toEqual([FINGERPRINT_VERSION - 1, FINGERPRINT_VERSION, FINGERPRINT_VERSION - 1]);
    // Nothing left it could recompute: the hourly check stays quiet about the entry with no item.
    expect(await hasStaleEntries(db, since)).toBe(false);
  });

  it("is done by the worker's first pass, before it stores anything", async () => {
    const { db } = t.handle;
    const metrics = createMetrics({ defaultMetrics: false });
    await storeItems(db, [item('wire', 1, agencyCopy(), new Date(now - 5 * HOUR))], createWorkerStoryAssigner(db, { windowHours: 72 }));
    await ageIndex(t);
    // The first pass after the upgrade fetches another outlet's copy of the report stored before it.
    const copy = republishedCopy();
    const server = await startFixtureServer({
      '/daily.xml': {
        contentType: 'application/rss+xml; charset=utf-8',
        body: `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>d</title><link>https://daily.example/</link><description>d</description><item><title>${copy.title}</title><link>https://daily.example/news/3</link><pubDate>${new Date(now - HOUR).toUTCString()}</pubDate><description><![CDATA[${copy.html}]]></description></item></channel></rss>`,
      },
    });
    try {
      await syncFeeds(db, [feedSource('wire', 'الوكالة', 'http://127.0.0.1:9/w', { enabled: false }), feedSource('daily', 'اليومية', server.url('/daily.xml'))]);
      const worker = startWorker(testRefreshDeps(db, createWorkerStoryAssigner(db, { windowHours: 72 })), { schedule: '0 0 1 1 *', concurrency: 1, dedupWindowHours: 72, runAtStart: false, metrics });
      try {
        await worker.runPass();
      } finally {
        await worker.stop();
      }
    } finally {
      await server.close();
    }
    const stories = await queryRows<{ link: string; story_id: string }>(db, sql`select link, story_id from items order by id`);
    expect(stories.map((r) => r.link)).toEqual(['https://wire.example/news/1', 'https://daily.example/news/3']);
    expect(stories[1].story_id).toBe(stories[0].story_id);
    expect(await hasStaleEntries(db, since)).toBe(false);
    // The run is counted (/metrics), with the entries it recomputed.
    const text = parsePrometheusText(await metrics.render());
    expect(sampleValue(text, 'khabar_dedup_reindex_runs_total', { outcome: 'done' })).toBe(1);
    expect(sampleValue(text, 'khabar_dedup_reindexed_entries_total')).toBe(1);
  });
});
