/**
 * The Postgres candidate index at scale: stored items vs. lookup latency. Prints figures; not a test.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/bench-dedup-pg.ts [--sizes 10000,100000,1000000]
 *
 * The dev set's full-text stream is clustered in memory once, recording what the assigner stores (entries, index keys)
 * and the lookups it makes for the last 1,000 items. Entries are bulk-loaded into a fresh database, then replicated
 * with salted keys and shifted publication times (one dev-set's worth per 11 days, as a steady stream would be) up
 * to each size; the recorded lookups are replayed (findCandidates + getItems), and p50/p95/p99 are printed with the
 * index's size. The default sizes stop at 100k; the 1M step takes long (tens of minutes) and is kept out of CI.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { parseClusterLine } from '../src/commands/cluster.js';
import { queryRows } from '../src/db/client.js';
import { openScratchDatabase } from '../src/db/open-scratch-database.js';
import { createStoryAssigner, type DedupInput } from '../src/dedup/assign-story.js';
import type { CandidateIndex, CandidateQuery, IndexedItem } from '../src/dedup/candidate-index.js';
import { FINGERPRINT_VERSION } from '../src/dedup/fingerprint.js';
import { createMemoryCandidateIndex } from '../src/dedup/memory-candidate-index.js';
import { loadPgBatchIndex } from '../src/dedup/pg-batch-index.js';
import { createWindowKeyMirror, keepMsFor } from '../src/dedup/create-window-key-mirror.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    dev: { type: 'string', default: '../shared/eval/dedup-dev' },
    queries: { type: 'string', default: '1000' },
  },
});

interface Recorded {
  entries: Array<{ item: IndexedItem; keys: number[] }>;
  queries: CandidateQuery[];
}

async function record(items: DedupInput[], queryCount: number): Promise<Recorded> {
  const memory = createMemoryCandidateIndex();
  const recorded: Recorded = { entries: [], queries: [] };
  let n = 0;
  const spy: CandidateIndex = {
    ...memory,
    findCandidates: (q) => {
      if (n >= items.length - queryCount) recorded.queries.push(q);
      return memory.findCandidates(q);
    },
    add: (item, keys, words) => {
      if (n < items.length - queryCount) recorded.entries.push({ item, keys });
      return memory.add(item, keys, words);
    },
  };
  const assigner = createStoryAssigner(spy);
  for (const item of items) {
    await assigner.assign(item);
    n++;
  }
  return recorded;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function main(): Promise<void> {
  const adminUrl = process.env.BENCH_DATABASE_URL;
  const file = `${values.dev}/dev-items-full.jsonl.gz`;
  if (!adminUrl || !existsSync(file)) {
    console.log('postgres lookup: skipped (set BENCH_DATABASE_URL to a server Postgres, and keep ../shared/eval/dedup-dev beside the checkout)');
    return;
  }
  const items = gunzipSync(readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => parseClusterLine(l, i + 1));
  const { entries, queries } = await record(items, Number(values.queries));
  const span = items[items.length - 1].publishedAt!.getTime() - items[0].publishedAt!.getTime() + 86_400_000;

  const scratch = await openScratchDatabase(adminUrl, { prefix: 'khabar_bench' });
  try {
    const db = scratch.handle.db;
    // Copy 0: the real entries, in batches (one statement each). A first size below one dev set keeps its newest entries
    // (where the replayed lookups, the stream's last items, find their candidates).
    const firstSize = Math.min(...values.sizes!.split(',').map(Number));
    const real = firstSize < entries.length ? entries.slice(entries.length - firstSize) : entries;
    for (let i = 0; i < real.length; i += 500) {
      const batch = real.slice(i, i + 500);
      await db.execute(sql`
        insert into dedup_entries (item_key, story_key, source, published_at, fingerprint_version, fingerprint, keys)
          select x.item_key, x.story_key, x.source, x.published_at, ${FINGERPRINT_VERSION}, x.fingerprint, x.keys
          from jsonb_to_recordset(${JSON.stringify(
            batch.map((b) => ({
              item_key: b.item.id,
              story_key: b.item.storyId,
              source: b.item.source,
              published_at: new Date(b.item.publishedAt).toISOString(),
              fingerprint: b.item.fingerprint,
              keys: [...new Set(b.keys)],
            })),
          )}::jsonb) as x(item_key text, story_key text, source text, published_at timestamptz, fingerprint jsonb, keys int4[])`);
    }
    const base = real.length;
    console.log(`postgres lookup: ${base} real entries per copy (of ${entries.length}), ${queries.length} recorded lookups replayed per size`);
    let stored = base;
    let copies = 0;
    for (const size of values.sizes!.split(',').map(Number)) {
      const loadStarted = performance.now();
      while (stored < size) {
        // One more copy: salted keys (no false sharing with the originals) and times moved one span later.
        const copy = ++copies;
        const take = Math.min(base, size - stored);
        await db.execute(sql`
          insert into dedup_entries (item_key, story_key, source, published_at, fingerprint_version, fingerprint, keys)
          select item_key || '#' || ${copy}, story_key || '#' || ${copy}, source,
                 published_at + make_interval(secs => ${(copy * span) / 1000}), ${FINGERPRINT_VERSION}, fingerprint,
                 array(select k # ${(copy * 0x9e3779b1) | 0} from unnest(keys) as k)
          from dedup_entries where item_key not like '%#%' order by seq limit ${take}`);
        stored += take;
      }
      await db.execute(sql`vacuum analyze dedup_entries`).catch(() => db.execute(sql`analyze dedup_entries`));
      const loadSeconds = (performance.now() - loadStarted) / 1000;
      const times: number[] = [];
      // The worker process's copy of the stored keys: read for the lookups' windows by the first lookup (a process's
      // start), then kept up to date (nothing is added here, so a refresh reads nothing).
      const mirror = createWindowKeyMirror({ keepMs: keepMsFor(72) });
      const windowStarted = performance.now();
      await mirror.read(db, Math.min(...queries.map((q) => q.fromMs)), () => undefined);
      const windowMs = performance.now() - windowStarted;
      for (const q of [...queries, ...queries].slice(0, queries.length * 2)) {
        const t = performance.now();
        // What the worker reads for an item (a batch of one): its position, postings from the copy, likely candidates
        // and their stories' first members, then the candidates it asks for.
        const index = await loadPgBatchIndex(db, [q], { total: 0, counts: new Map() }, 7, undefined, undefined, undefined, mirror);
        index.setCurrent(0);
        const hits = await index.findCandidates(q);
        await index.getItems(hits.map((h) => h.id));
        times.push(performance.now() - t);
      }
      const measured = times.slice(queries.length).sort((a, b) => a - b); // second round: warm cache
      const [sizes] = await queryRows<{ keys: string; total: string; rows: string }>(
        db,
        sql`select pg_size_pretty(pg_total_relation_size('dedup_entries')) as total,
                   (select sum(cardinality(keys)) from dedup_entries)::text as rows`,
      );
      const held = mirror.size();
      console.log(
        `  ${stored.toLocaleString('en')} items: lookup p50 ${quantile(measured, 0.5).toFixed(2)} ms, ` +
          `p95 ${quantile(measured, 0.95).toFixed(2)} ms, p99 ${quantile(measured, 0.99).toFixed(2)} ms; ` +
          `${sizes.rows} keys stored, entries ${sizes.total}; the window read into memory in ${windowMs.toFixed(0)} ms ` +
          `(${held.entries} entries, ${held.keys} keys, ${(held.bytes / 1024 / 1024).toFixed(0)} MB of arrays); loaded in ${loadSeconds.toFixed(0)} s`,
      );
    }
  } finally {
    await scratch.drop();
  }
}

await main();
