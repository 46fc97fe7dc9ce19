/**
 * Ingest benchmark: N feeds × M real Arabic items served on 127.0.0.1, one `fetch --once`-style pass that stores
 * everything (first pass), then a pass where every feed answers 304. Prints figures; not a test.
 *
 *   npm run bench:ingest -- [--feeds 500] [--items 30] [--concurrency 8] [--corpus dev|samples]
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:ingest   # server Postgres (own database)
 *   npm run bench:ingest -- --pglite-folder   # PGlite in a new folder, as a first `npm start` (default: in memory)
 *
 * Each pass prints the share of its time spent holding the story-assignment lock (exclusive: the ceiling on what more
 * workers or replicas can overlap). On server Postgres it then times the first pass as 1 and as --replicas (3)
 * `khabar fetch --once` processes at once on a fresh database each (--replicas 1 skips that), printing each process's
 * peak RSS, and then the all-304 pass as one more such process (start-up included); --pglite-process adds one such
 * process on embedded PGlite. Where Debian's newsboat is installed (`apt-get install newsboat`; `--newsboat no` skips it),
 * it then reads the same feeds as the issue measured it (`reload-threads 2`, a new cache, then a pass of 304s), so the
 * `fetch --once` lines and newsboat's come from one run.
 *
 * --corpus dev (default when ../shared/eval/dedup-dev is there): the 15,042 real Saudi articles of the dedup dev set,
 * full text, in publication order, dealt round-robin to the feeds — a real duplicate rate for the story assigner.
 * --corpus samples: the ~70 items of ../shared/feeds repeated with per-feed links (every item a copy: dedup's worst case).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { openDatabase, type DatabaseHandle } from '../src/db/client.js';
import { migrateDatabase } from '../src/db/migrate.js';
import { applyHeapGrowth } from '../src/apply-heap-growth.js';
import { loadEnv } from '../src/config/env.js';
import { openScratchDatabase } from '../src/db/open-scratch-database.js';
import { syncFeeds } from '../src/db/queries/sync-feeds.js';
import { createWorkerStoryAssigner } from '../src/dedup/create-worker-story-assigner.js';
import { silentLogger } from '../src/logger.js';
import { parseFeed } from '../src/pipeline/parse-feed.js';
import type { FeedSource } from '../src/domain/feed-source.js';
import { refreshDueFeeds } from '../src/worker/refresh-due-feeds.js';
import { createParsePool } from '../src/pipeline/parse-pool.js';

const devSet = '../shared/eval/dedup-dev/dev-items-full.jsonl.gz';
const NEWSBOAT = '/usr/bin/newsboat';
const { values } = parseArgs({
  options: {
    feeds: { type: 'string', default: '500' },
    items: { type: 'string', default: '30' },
    concurrency: { type: 'string', default: '8' },
    /** Also time the first pass as 1 and as N `fetch --once` processes on one server database (needs BENCH_DATABASE_URL). */
    replicas: { type: 'string', default: '3' },
    /** Also run one `khabar fetch --once` process on embedded PGlite (no DATABASE_URL, a fresh DATA_DIR) and print its peak RSS. */
    'pglite-process': { type: 'boolean', default: false },
    corpus: { type: 'string', default: existsSync(devSet) ? 'dev' : 'samples' },
    samples: { type: 'string', default: '../shared/feeds' },
    /** PGlite in a new temporary folder (what `npm start` opens on a bare machine) instead of in memory. */
    'pglite-folder': { type: 'boolean', default: false },
    /** The newsboat reader (C++, SQLite) on the same feeds, first pass and all-304 pass: `auto` (when installed) or `no`. */
    newsboat: { type: 'string', default: 'auto' },
  },
});
const feedCount = Number(values.feeds);
const itemsPerFeed = Number(values.items);

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface SampleItem {
  title: string;
  html: string;
  date: Date;
  link?: string;
}

function loadDevItems(): SampleItem[] {
  return gunzipSync(readFileSync(devSet))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { id: string; title: string; content: string; published: string })
    .map((d) => ({
      title: d.title,
      html: d.content.split('\n').filter(Boolean).map((p) => `<p>${escape(p)}</p>`).join(''),
      date: new Date(d.published),
      link: `https://dev.example/${d.id}`,
    }));
}

async function loadSampleItems(): Promise<SampleItem[]> {
  if (values.corpus === 'dev') return loadDevItems();
  const out: SampleItem[] = [];
  for (const file of readdirSync(values.samples!).filter((f) => f.includes('rss2'))) {
    const parsed = await parseFeed(readFileSync(path.join(values.samples!, file), 'utf8'));
    for (const e of parsed.entries) out.push({ title: e.title ?? '', html: e.contentHtml ?? e.summaryHtml ?? '', date: e.publishedAt ?? new Date() });
  }
  return out;
}

function renderFeed(feed: number, samples: SampleItem[]): Buffer {
  const items = Array.from({ length: itemsPerFeed }, (_, i) => {
    // Round-robin: feed f carries items f, f + N, f + 2N, … of the stream.
    const n = i * feedCount + feed;
    const s = samples[n % samples.length];
    const link = s.link && n < samples.length ? s.link : `https://outlet${feed}.example/news/${i}`;
    const date = s.link ? s.date : new Date(s.date.getTime() - i * 60_000);
    return `<item><title>${escape(s.title)}</title><link>${link}</link><guid>${link}</guid><pubDate>${date.toUTCString()}</pubDate><description>${escape(s.html)}</description></item>`;
  });
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>outlet ${feed}</title><link>https://outlet${feed}.example/</link><description>d</description>${items.join('')}</channel></rss>`);
}

async function main(): Promise<void> {
  // As the service does (HEAP_GROWTH_PERCENT), so this process's peak RSS is the service's kind of figure.
  applyHeapGrowth(loadEnv());
  const samples = await loadSampleItems();
  const bodies = Array.from({ length: feedCount }, (_, i) => renderFeed(i, samples));
  const etags = bodies.map((b) => `"${createHash('sha1').update(b).digest('hex').slice(0, 16)}"`);
  const server = createServer((req, res) => {
    const n = Number((req.url ?? '').replace(/\D/g, ''));
    if (req.headers['if-none-match'] === etags[n]) return void res.writeHead(304, { etag: etags[n] }).end();
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag: etags[n] }).end(bodies[n]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const scratch = values['pglite-folder'] && !process.env.BENCH_DATABASE_URL
    ? await openPgliteFolder()
    : await openScratchDatabase(process.env.BENCH_DATABASE_URL ?? null, { prefix: 'khabar_bench', poolMax: 10 });
  const { handle } = scratch;
  const kind = scratch.url ? 'server Postgres' : values['pglite-folder'] ? 'PGlite (new folder, as `npm start`)' : 'PGlite (in memory)';
  const sources: FeedSource[] = bodies.map((_, i) => ({
    id: `feed-${i}`,
    name: `outlet ${i}`,
    url: `http://127.0.0.1:${port}/${i}`,
    category: null,
    language: 'ar',
    priority: 0,
    refreshMinutes: null,
    enabled: true,
    fullText: false,
  }));
  await syncFeeds(handle.db, sources);
  let lockHeldMs = 0;
  const deps = {
    db: handle.db,
    assigner: createWorkerStoryAssigner(handle.db, { windowHours: 72 }),
    parser: createParsePool(),
    logger: silentLogger(),
    onAssignmentLockHeld: (ms: number) => (lockHeldMs += ms),
    options: { timeoutMs: 20_000, maxBytes: 5 * 1024 * 1024, maxRedirects: 5, userAgent: 'khabar-bench', itemsPerFeed: 200 },
  };
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
  const totalBytes = bodies.reduce((n, b) => n + b.length, 0);
  console.log(
    `khabar ingest: ${feedCount} feeds × ${itemsPerFeed} items (${mb(totalBytes)}, corpus ${values.corpus}), concurrency ${values.concurrency}, ${kind}`,
  );
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  for (const label of ['first pass (all new)', 'second pass (all 304)']) {
    const backendsBefore = await backendCpu(handle);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    // How long the main thread's turns ran (a lock holder's next step waits behind whatever else is running).
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    lockHeldMs = 0;
    const failures = new Map<string, number>();
    const summary = await refreshDueFeeds(deps, {
      concurrency: Number(values.concurrency),
      ignoreSchedule: true,
      onResult: (r) => r.outcome === 'error' && failures.set(`${r.code}: ${r.message}`, (failures.get(`${r.code}: ${r.message}`) ?? 0) + 1),
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `${label}: ${seconds.toFixed(2)} s, ${summary.newItems} new items (${(summary.newItems / seconds).toFixed(0)} items/s), ` +
        `${summary.ok} ok, ${summary.notModified} not modified, ${summary.failed} failed; ` +
        // The lock is exclusive: this share of the pass is the ceiling on what more workers or replicas can overlap.
        `assignment lock held ${(lockHeldMs / 1000).toFixed(2)} s (${((100 * lockHeldMs) / (seconds * 1000)).toFixed(0)} % of the pass)`,
    );
    loopDelay.disable();
    const cpu = process.cpuUsage(cpuBefore);
    console.log(
      `  this process's CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (parse workers included); ` +
        `event-loop delay p50 ${(loopDelay.percentile(50) / 1e6).toFixed(0)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms, max ${(loopDelay.max / 1e6).toFixed(0)} ms`,
    );
    const backends = await backendCpu(handle);
    if (backends && backendsBefore) {
      let ms = 0;
      for (const [pid, now] of backends) ms += now - (backendsBefore.get(pid) ?? 0);
      console.log(`  Postgres backends' CPU ${(ms / 1000).toFixed(1)} s (this database's ${backends.size} connections, from /proc)`);
    }
    for (const [failure, count] of failures) console.log(`  failed ×${count}: ${failure}`);
  }
  clearInterval(sampler);
  console.log(`peak RSS ${mb(peakRss)} (this process, parse workers included)`);
  await deps.parser.close();
  await scratch.drop();
  const replicas = Number(values.replicas);
  if (replicas > 1) {
    if (!process.env.BENCH_DATABASE_URL) console.log('replicas: skipped (needs BENCH_DATABASE_URL: PGlite is one process)');
    else for (const n of [1, replicas]) await replicaPass(n, sources);
  }
  if (values['pglite-process']) await pgliteProcessPass(sources);
  if (values.newsboat !== 'no' && existsSync(NEWSBOAT)) await newsboatPasses(sources);
  server.close();
}

/**
 * CPU used so far by each server backend connected to the bench's database (ms, from /proc), or null where that cannot
 * be read (PGlite, a server on another machine). A backend that ends during a pass takes its CPU with it; the pool's
 * connections stay open for the whole run, so the figure is the pass's Postgres CPU.
 */
async function backendCpu(handle: DatabaseHandle): Promise<Map<number, number> | null> {
  if (handle.kind !== 'postgres' || !existsSync('/proc/self/stat')) return null;
  const rows = (await handle.db.execute(sql`select pid from pg_stat_activity where datname = current_database()`)) as unknown as { pid: number }[];
  const ticksMs = 10; // USER_HZ is 100 on Linux
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      out.set(pid, (Number(fields[11]) + Number(fields[12])) * ticksMs);
    } catch {
      return null; // not this machine's server
    }
  }
  return out;
}

/** A new PGlite folder, migrated, removed by drop(): the database `npm start` creates on its first run. */
async function openPgliteFolder(): Promise<{ handle: DatabaseHandle; url: null; drop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'khabar-bench-pglite-'));
  const handle = await openDatabase({ dataDir: dir });
  await migrateDatabase(handle);
  return { handle, url: null, drop: () => handle.close().finally(() => rmSync(dir, { recursive: true, force: true })) };
}

/** feeds.yaml for the CLI passes: the bench's feeds, its concurrency. */
function writeFeedsFile(dir: string, sources: FeedSource[]): string {
  const feedsFile = path.join(dir, 'feeds.yaml');
  writeFileSync(
    feedsFile,
    `settings:\n  concurrency: ${values.concurrency}\n  items_per_feed: 200\nfeeds:\n${sources.map((f) => `  - id: ${f.id}\n    name: ${f.name}\n    url: ${f.url}\n`).join('')}`,
  );
  return feedsFile;
}

/** The built CLI when there is one (what the container runs), else the sources through tsx (heavier: ~+60 MB a thread). */
function cliCommand(): { args: string[]; label: string } {
  const built = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));
  return existsSync(built)
    ? { args: [built], label: 'dist/src/cli.js' }
    : { args: ['--import', 'tsx', fileURLToPath(new URL('../src/cli.ts', import.meta.url))], label: 'tsx sources' };
}

/** GNU time, where installed: each process's peak RSS (its threads and children included). */
const TIME_BIN = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** `cmd args` as spawned under GNU time writing the peak RSS to `rssFile` (as is without GNU time). */
function underTime(cmd: string, args: string[], rssFile: string): [string, string[]] {
  return TIME_BIN ? [TIME_BIN, ['-f', '%M', '-o', rssFile, cmd, ...args]] : [cmd, args];
}

/** The peak RSS GNU time wrote, as `N MB`. */
function peakRss(rssFile: string): string {
  return `${Math.round(Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024)} MB`;
}

/**
 * The first pass as one `khabar fetch --once` process on embedded PGlite: no DATABASE_URL, a fresh DATA_DIR (so the
 * figure includes creating the database), peak RSS from GNU time.
 */
async function pgliteProcessPass(sources: FeedSource[]): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'khabar-bench-'));
  const env: NodeJS.ProcessEnv = { ...process.env, FEEDS_FILE: writeFeedsFile(dir, sources), LOG_LEVEL: 'warn', DATA_DIR: dir };
  delete env.DATABASE_URL;
  const cli = cliCommand();
  const [cmd, argv] = underTime(process.execPath, [...cli.args, 'fetch', '--once'], path.join(dir, 'rss'));
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => spawn(cmd, argv, { env, stdio: 'ignore' }).on('close', resolve));
  const seconds = (performance.now() - started) / 1000;
  const rss = TIME_BIN ? `, peak RSS ${peakRss(path.join(dir, 'rss'))} (${cli.label}, PGlite in a fresh DATA_DIR)` : '';
  console.log(`1 fetch --once process on PGlite: ${seconds.toFixed(2)} s, exit code ${code}${rss}`);
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The newsboat reader (Debian's, C++ and SQLite) on the same feeds, as the issue measured it: `reload-threads 2`, a
 * first pass into a new cache and a second where every feed answers 304, each one `newsboat -x reload` process (wall
 * time, start-up included; peak RSS from GNU time). Compare with the `fetch --once` process lines above: the same run.
 */
async function newsboatPasses(sources: FeedSource[]): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'khabar-bench-newsboat-'));
  const urls = path.join(dir, 'urls');
  const config = path.join(dir, 'config');
  const cache = path.join(dir, 'cache.db');
  writeFileSync(urls, sources.map((f) => f.url).join('\n') + '\n');
  writeFileSync(config, 'reload-threads 2\nmax-items 0\n');
  const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir };
  for (const label of ['first pass (all new)', 'pass where every feed answers 304']) {
    const rssFile = path.join(dir, 'rss');
    const [cmd, argv] = underTime(NEWSBOAT, ['-x', 'reload', '-u', urls, '-C', config, '-c', cache], rssFile);
    const started = performance.now();
    const code = await new Promise<number | null>((resolve) => spawn(cmd, argv, { env, stdio: 'ignore' }).on('close', resolve));
    const seconds = (performance.now() - started) / 1000;
    let items = '?';
    try {
      items = execFileSync('/usr/bin/python3', ['-c', 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from rss_item").fetchone()[0])', cache], { encoding: 'utf8' }).trim();
    } catch {
      // No python3: the item count is left out.
    }
    const rss = TIME_BIN ? `, peak RSS ${peakRss(rssFile)}` : '';
    const rate = label.startsWith('first') && items !== '?' ? ` (${(Number(items) / seconds).toFixed(0)} items/s)` : '';
    console.log(`newsboat ${label}: ${seconds.toFixed(2)} s, ${items} items in its cache${rate}, exit code ${code}${rss}`);
  }
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The first pass as `khabar fetch --once` processes on one fresh database, `n` of them at once (replicas sharing the
 * feeds through SKIP LOCKED claims), wall time from the first start to the last exit (start-up included).
 */
async function replicaPass(n: number, sources: FeedSource[]): Promise<void> {
  const scratch = await openScratchDatabase(process.env.BENCH_DATABASE_URL!, { prefix: 'khabar_bench', poolMax: 2 });
  const dir = mkdtempSync(path.join(tmpdir(), 'khabar-bench-'));
  const env = { ...process.env, FEEDS_FILE: writeFeedsFile(dir, sources), DATABASE_URL: scratch.url!, LOG_LEVEL: 'warn', DATA_DIR: dir };
  const cli = cliCommand();
  const cliArgs = cli.args;
  const started = performance.now();
  const runProcess = (i: number | string) => {
    const [cmd, argv] = underTime(process.execPath, [...cliArgs, 'fetch', '--once'], path.join(dir, `rss-${i}`));
    return new Promise<number | null>((resolve) => spawn(cmd, argv, { env, stdio: 'ignore' }).on('close', resolve));
  };
  const peakOf = (i: number | string) => peakRss(path.join(dir, `rss-${i}`));
  const codes = await Promise.all(Array.from({ length: n }, (_, i) => runProcess(i)));
  const seconds = (performance.now() - started) / 1000;
  const rss = TIME_BIN ? Array.from({ length: n }, (_, i) => peakOf(i)) : [];
  const { default: postgres } = await import('postgres');
  const client = postgres(scratch.url!, { max: 1, onnotice: () => {} });
  const [{ items }] = await client<{ items: string }[]>`select count(*)::text as items from items`;
  await client.end();
  console.log(`${n} fetch --once process${n > 1 ? 'es' : ''} at once: ${seconds.toFixed(2)} s, ${items} items (${(Number(items) / seconds).toFixed(0)} items/s), exit codes ${codes.join(' ')}` +
      (rss.length ? `, peak RSS ${rss.join(' ')} (${cli.label})` : ''),
  );
  if (n === 1) {
    // The same feeds again from a new process: every feed answers 304. Start-up, config sync and exit included (the
    // issue's whole-process figure; the in-process pass above leaves them out).
    const again = performance.now();
    const code = await runProcess('304');
    console.log(
      `1 fetch --once process, every feed 304: ${((performance.now() - again) / 1000).toFixed(2)} s, exit code ${code}` +
        (TIME_BIN ? `, peak RSS ${peakOf('304')}` : ''),
    );
  }
  await scratch.drop();
  rmSync(dir, { recursive: true, force: true });
}

await main();
