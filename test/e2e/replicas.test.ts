import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { runCli } from '../helpers/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

/*
 * Replicas on one Postgres: three real `khabar fetch --once` processes share 200 local feeds full of copies (each feed
 * carries copies of reports that every other feed also carries, under its own headline). However the processes
 * interleave, every entry is stored once, every item has a story, and the copies of one report make exactly one story.
 */

const FEEDS = 200;
const REPORTS = 40;
const PER_FEED = 5;

// Distinct reports from a seeded generator over a word list: no two share a run of three words by more than chance.
const vocabulary =
  'وزير رئيس مجلس حكومة برلمان مدينة محافظة جامعة شركة مشروع اتفاق قرار اجتماع زيارة معرض مؤتمر مستشفى مدرسة طريق ميناء مطار سوق بنك صندوق لجنة هيئة مركز برنامج خطة تقرير دراسة بيان حملة مبادرة شراكة تعاون استثمار تنمية صحة تعليم نقل طاقة مياه زراعة صناعة سياحة رياضة ثقافة بيئة أمن عدل اقتصاد'.split(' ');
function report(n: number): string {
  let seed = 2654435761 * (n + 1);
  const next = () => {
    seed = (Math.imul(seed ^ (seed >>> 15), 2246822519) + 0x9e3779b9) >>> 0;
    return seed;
  };
  const sentences = Array.from({ length: 6 }, () => `${Array.from({ length: 14 }, () => vocabulary[next() % vocabulary.length]).join(' ')}.`);
  return sentences.join(' ');
}

function feedXml(feed: number, base: string): string {
  const items = Array.from({ length: PER_FEED }, (_, i) => {
    const r = (feed * 7 + i * 11) % REPORTS;
    const link = `${base}/feed-${feed}/item-${i}`;
    const date = new Date(Date.UTC(2026, 10, 30, 8, r)).toUTCString();
    return `<item><title>عنوان المصدر ${feed} للخبر ${r}</title><link>${link}</link><guid>${link}</guid><pubDate>${date}</pubDate><description>${report(r)}</description></item>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>مصدر ${feed}</title>${items.join('')}</channel></rss>`;
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('three fetch --once replicas on one Postgres', () => {
  let dir: string;
  let server: FixtureServer;
  let scratch: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'khabar-replicas-'));
    server = await startFixtureServer({});
    for (let f = 0; f < FEEDS; f++) server.route(`/feed-${f}.xml`, { body: feedXml(f, 'https://outlet.example'), contentType: 'application/rss+xml; charset=utf-8' });
    const feedsFile = path.join(dir, 'feeds.yaml');
    writeFileSync(
      feedsFile,
      `settings:\n  concurrency: 4\nfeeds:\n${Array.from({ length: FEEDS }, (_, f) => `  - id: feed-${f}\n    name: مصدر ${f}\n    url: ${server.url(`/feed-${f}.xml`)}\n`).join('')}`,
    );
    scratch = await createTestDatabase('postgres');
    env = { FEEDS_FILE: feedsFile, DATABASE_URL: scratch.url!, PARSE_WORKERS: '1' };
  }, 60_000);

  afterAll(async () => {
    await scratch?.drop();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('store every entry once, put every item in a story, and make one story per report', async () => {
    const runs = await Promise.all([1, 2, 3].map(() => runCli(['fetch', '--once'], env)));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const db = scratch.handle.db;
    const [counts] = await queryRows<{ items: string; distinct_entries: string; without_story: string; stories: string }>(
      db,
      sql`select count(*) as items, count(distinct (feed_id, entry_key)) as distinct_entries,
                 count(*) filter (where story_id is null) as without_story, count(distinct story_id) as stories from items`,
    );
    expect(Number(counts!.items)).toBe(FEEDS * PER_FEED);
    expect(Number(counts!.distinct_entries)).toBe(FEEDS * PER_FEED);
    expect(Number(counts!.without_story)).toBe(0);
    // Each report's copies are one story: as many stories as reports, each holding every copy of its report.
    expect(Number(counts!.stories)).toBe(REPORTS);
    const sizes = await queryRows<{ n: string }>(db, sql`select count(*) as n from items group by story_id`);
    expect(new Set(sizes.map((s) => Number(s.n)))).toEqual(new Set([(FEEDS * PER_FEED) / REPORTS]));
    // Each process refreshes every feed once (fetch --once); between them each entry was new exactly once.
    const newItems = runs.flatMap((r) => [...r.stdout.matchAll(/^feed-\d+: (\d+) new items/gm)].map((m) => Number(m[1])));
    expect(newItems.reduce((a, b) => a + b, 0)).toBe(FEEDS * PER_FEED);
  }, 180_000);
});
