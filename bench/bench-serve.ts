/**
 * Serving the feed beside bare node:http, each server in its own process and the load client in a third (wrk, else
 * autocannon if it is installed): the same prebuilt bytes and ETag, with the same Content-Type, Content-Encoding, Vary,
 * Cache-Control and Last-Modified, from khabar's app (createApp on @hono/node-server, as `khabar serve` runs it) and
 * from a bare `http.createServer` that only picks the variant and compares the ETag. Runs alternate khabar / bare per
 * case, so drift on this 2-core machine hits both sides alike; the ratio is the figure to trust. Prints figures; not a test.
 *
 *   npm run bench:serve -- [--seconds 5] [--rounds 2] [--connections 64] [--threads 2] [--kb 180]
 *                          [--cases identity,br,gzip,304] [--only khabar|bare] [--profile DIR] [--trace-gc FILE]
 *                          [--bare-headers same|all] [--node-arg FLAG]... [--pages home,story|none]
 *
 * Beside the feed, two pages khabar only serves (so no bare peer): the home page `/` (30 stories, 3–5 outlets each)
 * and one story page `/stories/{id}` (6 copies, each adding and cutting a sentence), for identity, br and 304. Their
 * runs follow the feed's in each round, and the table prints the bare feed server's figures of the same run beside
 * them for context. The home page says «منذ ٣ دقائق», so its bytes and ETag change once a minute as in production: a
 * 304 run during which the ETag moved is run again.
 *
 * --profile writes each server process's CPU profile (node --cpu-prof) under DIR/khabar and DIR/bare; --trace-gc writes
 * khabar's GC trace to FILE. --bare-headers all has the bare server send every header khabar sends (security, CORS, a
 * new request id each time), which tells what the header set costs from what khabar's own code costs.
 * Story texts come from the real Arabic feeds in ../shared/feeds when present (synthetic repeated text compresses far
 * better than news does, which flatters the gzip/brotli figures); stories carry as many of them as it takes to make
 * the 50-story default page about --kb kilobytes.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, openSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import Parser from 'rss-parser';
import { createApp } from '../src/http/create-app.js';
import { createMetrics } from '../src/metrics/create-metrics.js';
import type { FeedStore } from '../src/http/feed-store.js';
import { createLogger } from '../src/logger.js';
import { htmlToText } from '../src/pipeline/html-to-text.js';
import type { PageStory } from '../src/publish/render-home-page.js';
import type { StoryPage, StoryPageMember } from '../src/publish/render-story-page.js';
import { escapeHtml } from '../src/publish/feed-text.js';
import { renderRss } from '../src/publish/render-rss.js';
import type { MergedFeed, PublishedStory } from '../src/publish/types.js';

const STORIES = 50; // khabar's default page
const CACHE_SECONDS = 30; // as main.ts serves
/** The store's change marker is one small query on the server; answered after this long. */
const VERSION_QUERY_MS = 2;

interface Options {
  seconds: number;
  rounds: number;
  connections: number;
  threads: number;
  kb: number;
  cases: CaseName[];
  only: 'khabar' | 'bare' | null;
  profile: string | null;
  traceGc: string | null;
  bareHeaders: 'same' | 'all';
  /** More flags for khabar's server process (e.g. --heap-prof). */
  nodeArgs: string[];
  /** The khabar-only pages run beside the feed. */
  pages: PageName[];
}

type PageName = 'home' | 'story';
const ALL_PAGES: PageName[] = ['home', 'story'];
/** The cases the pages are run for (gzip is the feed's alone). */
const PAGE_CASES: CaseName[] = ['identity', 'br', '304'];
/** The story page's story, also the newest on the home page. */
const STORY_ID = 60;
const HOME_STORIES = 60;
const pagePath = (page: PageName): string => (page === 'home' ? '/' : `/stories/${STORY_ID}`);

type CaseName = 'identity' | 'br' | 'gzip' | '304';
const ALL_CASES: CaseName[] = ['identity', 'br', 'gzip', '304'];

function parseOptions(argv: string[]): Options {
  const options: Options = { seconds: 5, rounds: 2, connections: 64, threads: 2, kb: 180, cases: ALL_CASES, only: null, profile: null, traceGc: null, bareHeaders: 'same', nodeArgs: [], pages: ALL_PAGES };
  for (let i = 0; i < argv.length; i += 1) {
    const name = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${name} needs a value`);
    i += 1;
    if (name === '--seconds') options.seconds = Number(value);
    else if (name === '--rounds') options.rounds = Number(value);
    else if (name === '--connections') options.connections = Number(value);
    else if (name === '--threads') options.threads = Number(value);
    else if (name === '--kb') options.kb = Number(value);
    else if (name === '--cases') options.cases = value.split(',').map((c) => c.trim()) as CaseName[];
    else if (name === '--only') options.only = value as 'khabar' | 'bare';
    else if (name === '--profile') options.profile = value;
    else if (name === '--trace-gc') options.traceGc = value;
    else if (name === '--bare-headers') options.bareHeaders = value === 'all' ? 'all' : 'same';
    else if (name === '--node-arg') options.nodeArgs.push(value);
    else if (name === '--pages') options.pages = value === 'none' ? [] : (value.split(',').map((p) => p.trim()) as PageName[]);
    else throw new Error(`unknown option ${name}`);
  }
  for (const c of options.cases) if (!ALL_CASES.includes(c)) throw new Error(`unknown case ${c}`);
  for (const p of options.pages) if (!ALL_PAGES.includes(p)) throw new Error(`unknown page ${p}`);
  return options;
}

// ---------------------------------------------------------------------------------------------------------------
// The feed: real texts, several outlets per story.

interface Text {
  title: string;
  html: string;
  /** The whole article as plain text, one paragraph a line (the dev set's; the feeds carry only leads). */
  full?: string;
}

async function realTexts(): Promise<Text[]> {
  const dir = new URL('../../shared/feeds/', import.meta.url);
  const texts: Text[] = [];
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((name) => name.endsWith('.xml') && name.includes('utf8'));
  } catch {
    return texts;
  }
  const parser = new Parser();
  for (const file of files.sort()) {
    try {
      const parsed = await parser.parseString(readFileSync(new URL(file, dir), 'utf8'));
      for (const item of parsed.items) {
        const html = (item as { 'content:encoded'?: string })['content:encoded'] ?? item.content ?? '';
        if (item.title && html) texts.push({ title: item.title, html });
      }
    } catch {
      // a fixture that does not parse is simply not used
    }
  }
  return texts;
}

/**
 * The sample feeds hold only ~25 KB of distinct text; repeated across a 180 KB page it would compress far better than
 * a real page does. The dedup dev set's full articles (real outlets' copy) fill the rest, each used once.
 */
async function devTexts(max: number): Promise<Text[]> {
  const file = new URL('../../shared/eval/dedup-dev/dev-items-full.jsonl.gz', import.meta.url);
  const texts: Text[] = [];
  try {
    const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()) });
    for await (const line of lines) {
      const item = JSON.parse(line) as { title?: string; content?: string };
      if (!item.title || !item.content) continue;
      // The lead paragraphs only: whole articles would overshoot a page size by several KB a story.
      let html = '';
      for (const p of item.content.split('\n')) {
        if (p.trim() !== '' && html.length < 600) html += `<p>${escapeHtml(p.trim())}</p>`;
      }
      texts.push({ title: item.title, html, full: item.content });
      if (texts.length >= max) break;
    }
    lines.close();
  } catch {
    // no dev set: the feeds' texts are used alone
  }
  return texts;
}

const paragraph = 'استقبل ولي العهد في جدة اليوم رئيس الوزراء، وجرى خلال الاستقبال استعراض العلاقات الثنائية وفرص تطويرها في مختلف المجالات. ';
const outlets = ['واس', 'الشرق الأوسط', 'العين الإخبارية', 'سكاي نيوز عربية', 'الجزيرة نت', 'هسبريس', 'سي إن إن بالعربية'];
const categories = ['سياسة', 'اقتصاد', 'رياضة', 'ثقافة'];

/** `count` stories, each made of distinct texts from the pool until its HTML holds `htmlBytes` (texts repeat only once the pool is used up). */
function stories(count: number, texts: Text[], htmlBytes: number): PublishedStory[] {
  const base = Date.parse('2026-11-28T12:00:00Z');
  let next = 0;
  const take = (): Text => (texts.length > 0 ? texts[next++ % texts.length] : { title: `خبر رقم ${next++}: ${paragraph.slice(0, 60)}`, html: `<p>${paragraph.repeat(3)}${next}</p>` });
  return Array.from({ length: count }, (_, i) => {
    const first = take();
    let html = first.html;
    while (Buffer.byteLength(html) < htmlBytes) html += `\n${take().html}`;
    return {
      id: `st_${count - i}`,
      title: first.title,
      link: `https://www.spa.gov.sa/news/${count - i}`,
      contentHtml: html,
      summary: '',
      publishedAt: new Date(base - i * 600_000),
      updatedAt: new Date(base - i * 600_000 + 60_000),
      category: categories[i % categories.length],
      author: null,
      sources: outlets.slice(0, 1 + (i % outlets.length)).map((name, j) => ({
        feedId: `f${j}`,
        name,
        link: `https://outlet${j}.example/${count - i}`,
        publishedAt: new Date(base - i * 600_000),
      })),
    };
  });
}

function mergedFeed(all: PublishedStory[]): MergedFeed {
  return { title: 'خبر', description: 'bench', language: 'ar', homeUrl: 'http://127.0.0.1/', feedUrls: { rss: '', atom: '', json: '' }, updatedAt: all[0]?.updatedAt ?? null, stories: all };
}

/** Stories with as much real text as makes the default page about `kb` kilobytes of RSS. */
async function benchStories(kb: number): Promise<{ all: PublishedStory[]; feedTexts: number; devTexts: number; texts: Text[] }> {
  const fromFeeds = await realTexts();
  const fromDev = await devTexts(STORIES * 4);
  const texts = [...fromFeeds, ...fromDev];
  for (let htmlBytes = 256; ; htmlBytes += 128) {
    const all = stories(STORIES, texts, htmlBytes);
    if (Buffer.byteLength(renderRss(mergedFeed(all))) >= kb * 1024 * 0.98 || htmlBytes > 64 * 1024) return { all, feedTexts: fromFeeds.length, devTexts: fromDev.length, texts };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The pages' data: the home page's story list and one story page, from the same texts.

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/**
 * The home page's stories, newest (highest id) first, as load-home-stories gives them: a 320-character lead of the
 * representative's text, 3–5 outlets each, first seen 7 minutes apart from `newest` back.
 */
function homeStories(texts: Text[], newest: number): PageStory[] {
  return Array.from({ length: HOME_STORIES }, (_, i) => {
    const text = texts.length > 0 ? texts[i % texts.length] : { title: `خبر رقم ${i + 1}`, html: `<p>${paragraph.repeat(3)}</p>` };
    const id = HOME_STORIES - i;
    return {
      id,
      title: oneLine(text.title),
      lead: oneLine(htmlToText(text.html)).slice(0, 320).trim(),
      firstSeenAt: new Date(newest - i * 7 * 60_000),
      outlets: outlets.slice(i % 3, (i % 3) + 3 + (i % 3)).map((name, j) => ({ name, link: `https://outlet${(i % 3) + j}.example/${id}` })),
    };
  });
}

/** Sentences of one paragraph, their marks kept: a run of marks ends one when whitespace or the end follows (not «1.79»). */
const sentencesOf = (line: string): string[] => line.match(/.+?(?:[.!?؟…]+(?=\s|$)|$)/g)?.map((s) => s.trim()).filter((s) => s !== '') ?? [];

/**
 * One story of 6 copies from 6 outlets: the representative is a whole dev-set article (the first of 8 to 30
 * sentences; else the longest text there is); each other copy cuts one of its sentences and adds one from another
 * article, at different places, as republications do.
 */
function storyPage(texts: Text[], firstSeen: number): StoryPage {
  const bodyOf = (t: Text): string[][] =>
    (t.full ?? htmlToText(t.html))
      .split('\n')
      .map(sentencesOf)
      .filter((p) => p.length > 0);
  const count = (t: Text) => bodyOf(t).flat().length;
  const base =
    texts.find((t) => t.full !== undefined && count(t) >= 8 && count(t) <= 30) ??
    [...texts].sort((a, b) => count(b) - count(a))[0] ?? { title: 'خبر', html: `<p>${paragraph.repeat(8)}</p>` };
  const others = texts.filter((t) => t !== base).flatMap((t) => bodyOf(t).flat());
  const paragraphs = bodyOf(base);
  const members: StoryPageMember[] = outlets.slice(0, 6).map((outlet, k) => {
    const copy = paragraphs.map((p) => [...p]);
    if (k > 0) {
      // Cut sentence 2k (counted over the paragraphs), add another article's sentence to paragraph k.
      let at = (k * 2) % Math.max(1, copy.flat().length);
      for (const p of copy) {
        if (at < p.length) {
          p.splice(at, 1);
          break;
        }
        at -= p.length;
      }
      const added = others[k % Math.max(1, others.length)] ?? `${paragraph.trim()} (${k})`;
      const target = copy[k % copy.length] ?? copy[0];
      target?.splice(Math.min(1, target.length), 0, added);
    }
    return {
      itemId: 1000 + k,
      feedId: `f${k}`,
      outlet,
      title: k % 2 === 0 ? oneLine(base.title) : `${oneLine(base.title)} (${outlet})`,
      link: `https://outlet${k}.example/${STORY_ID}`,
      contentText: copy.map((p) => p.join(' ')).filter((p) => p !== '').join('\n'),
      author: k === 2 ? 'مراسل الوكالة' : null,
      publishedAt: new Date(firstSeen + k * 4 * 60_000),
      fetchedAt: new Date(firstSeen + k * 4 * 60_000 + 90_000),
    };
  });
  return {
    storyId: STORY_ID,
    firstSeenAt: new Date(firstSeen),
    updatedAt: new Date(firstSeen + 5 * 4 * 60_000 + 90_000),
    representativeItemId: members[0]!.itemId,
    members,
    memberCount: members.length,
    outletCount: members.length,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The two servers, each run as a child process of this script.

type ChildMessage = { port: number } | { cpuMicros: number };

async function khabarServer(kb: number): Promise<void> {
  const { all, texts } = await benchStories(kb);
  // The newest story first seen 3 minutes before start-up, so the home page reads «منذ ٣ دقائق» and on.
  const started = Date.now() - 3 * 60_000;
  const home = homeStories(texts, started);
  const story = storyPage(texts, started);
  const store: FeedStore = {
    version: async () => {
      await sleep(VERSION_QUERY_MS);
      return 'v1';
    },
    load: async ({ limit, category }) => {
      await sleep(VERSION_QUERY_MS * 5);
      return mergedFeed(all.filter((s) => category === null || s.category === category).slice(0, limit));
    },
    // Each one query on the server, as load does.
    loadHomeStories: async ({ category, beforeId, limit }) => {
      await sleep(VERSION_QUERY_MS * 5);
      return home.filter((s, i) => (category === null || categories[i % categories.length] === category) && (beforeId === null || s.id < beforeId)).slice(0, limit);
    },
    loadStoryPage: async (storyId) => {
      await sleep(VERSION_QUERY_MS * 5);
      return storyId === STORY_ID ? story : null;
    },
  };
  // As main.ts builds it: the service logger on stdout (the parent sends it to /dev/null or the GC trace file),
  // twelve enabled sources with their categories.
  const logger = createLogger('info', 'stdout');
  const sources = Array.from({ length: 12 }, (_, i) => ({ name: `مصدر ${i + 1}`, url: `https://outlet${i}.example/rss`, category: categories[i % categories.length], language: 'ar' }));
  // With the process's metrics, as main.ts builds it: every answer is counted and timed under its route.
  const app = createApp({
    feedStore: store,
    logger,
    metrics: createMetrics({ logger }),
    config: { publicUrl: 'http://127.0.0.1:3000', feedTitle: 'خبر', cacheSeconds: CACHE_SECONDS, sources, categories },
  });
  // The listener `khabar serve` listens with (main.ts): fresh feeds answered on Node's response, the rest through Hono.
  const server = http.createServer(app.nodeListener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  childReady(server);
}

interface Variant {
  body: Buffer;
  headers: Record<string, string>;
  /** The 304's headers. */
  notModified: Record<string, string>;
  etag: string;
}

async function bareServer(): Promise<void> {
  const variants = await new Promise<Record<'identity' | 'gzip' | 'br', Variant>>((resolve) => process.once('message', (m) => resolve(m as never)));
  for (const v of Object.values(variants)) v.body = Buffer.from(v.body);
  const etags = new Set(Object.values(variants).map((v) => v.etag));
  const withRequestId = 'x-request-id' in variants.identity.headers;
  const server = http.createServer(function bare(req, res) {
    const accept = req.headers['accept-encoding'] ?? '';
    const variant = accept.includes('br') ? variants.br : accept.includes('gzip') ? variants.gzip : variants.identity;
    const ifNoneMatch = req.headers['if-none-match'];
    const requestId = withRequestId ? { 'x-request-id': randomUUID() } : null;
    if (ifNoneMatch !== undefined && etags.has(ifNoneMatch)) {
      res.writeHead(304, requestId ? { ...variant.notModified, ...requestId } : variant.notModified);
      res.end();
      return;
    }
    res.writeHead(200, requestId ? { ...variant.headers, ...requestId } : variant.headers);
    res.end(variant.body);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  childReady(server);
}

function childReady(server: http.Server): void {
  process.send!({ port: (server.address() as AddressInfo).port } satisfies ChildMessage);
  // A normal exit, so that --cpu-prof writes its profile.
  process.on('message', (m) => {
    if (m === 'stop') {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    } else if (m === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send!({ cpuMicros: user + system } satisfies ChildMessage);
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The parent: starts both servers, copies khabar's bytes to the bare one, alternates load runs.

const here = fileURLToPath(import.meta.url);

function startChild(role: string, args: string[], execArgv: string[], stdout: number | 'ignore', first?: unknown): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(here, [role, ...args], { execArgv: [...process.execArgv, ...execArgv], stdio: ['ignore', stdout, 'inherit', 'ipc'], serialization: 'advanced' });
  if (first !== undefined) child.send(first as never);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code} before listening`)));
    child.on('message', (m: ChildMessage) => {
      if ('port' in m) resolve({ child, port: m.port });
    });
  });
}

/** The server process's CPU time so far (user + system), in microseconds. */
function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (m: ChildMessage) => {
      if ('cpuMicros' in m) {
        child.off('message', onMessage);
        resolve(m.cpuMicros);
      }
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.send('stop');
    setTimeout(() => child.kill(), 10_000).unref();
  });
}

function rawGet(port: number, headers: Record<string, string>, path = '/feed.xml'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const SAME_HEADERS = ['content-type', 'content-encoding', 'vary', 'etag', 'cache-control', 'last-modified', 'content-length'];
/** Node's own, sent by both servers alike. */
const CONNECTION_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

/**
 * What khabar sends for one coding. `all`: every header, the request id included (the bare server makes a new one
 * per request), to tell the cost of the header set itself from that of khabar's code.
 */
async function variantFrom(port: number, acceptEncoding: string | null, which: 'same' | 'all' = 'same'): Promise<Variant> {
  const pick = (headers: http.IncomingHttpHeaders, names: string[] | null): Record<string, string> => {
    const picked: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value === 'string' && (names ? names.includes(name) : !CONNECTION_HEADERS.has(name))) picked[name] = value;
    }
    return picked;
  };
  const coding: Record<string, string> = acceptEncoding ? { 'Accept-Encoding': acceptEncoding } : {};
  const res = await rawGet(port, coding);
  if (res.status !== 200) throw new Error(`khabar answered ${res.status}`);
  const headers = pick(res.headers, which === 'all' ? null : SAME_HEADERS);
  const revalidated = await rawGet(port, { ...coding, 'If-None-Match': headers.etag! });
  const notModified = pick(revalidated.headers, which === 'all' ? null : ['etag', 'vary', 'cache-control', 'last-modified']);
  return { body: res.body, headers, notModified, etag: headers.etag! };
}

/** A page that does not answer as khabar serves it: the bench stops with this message alone. */
class PageCheckError extends Error {}

/** One GET per coding and a revalidation: 200, text/html, an ETag, brotli when asked, 304 on the ETag. Returns the sizes and the ETag. */
async function checkPage(port: number, page: PageName): Promise<{ identity: number; br: number; etag: string }> {
  const path = pagePath(page);
  const fail = (what: string) => new PageCheckError(`bench:serve: GET ${path} on khabar ${what}; the page targets need the app to serve it (--pages none skips them)`);
  const res = await rawGet(port, {}, path);
  if (res.status !== 200) throw fail(`answered ${res.status}, not 200`);
  if (!String(res.headers['content-type'] ?? '').startsWith('text/html')) throw fail(`sent Content-Type ${res.headers['content-type'] ?? '(none)'}, not text/html`);
  const etag = res.headers.etag;
  if (!etag) throw fail('sent no ETag');
  const br = await rawGet(port, { 'Accept-Encoding': 'br' }, path);
  if (br.status !== 200 || br.headers['content-encoding'] !== 'br' || !br.headers.etag) throw fail(`with Accept-Encoding: br answered ${br.status}, Content-Encoding ${br.headers['content-encoding'] ?? '(none)'}`);
  const nm = await rawGet(port, { 'If-None-Match': etag }, path);
  if (nm.status !== 304) throw fail(`with If-None-Match: ${etag} answered ${nm.status}, not 304`);
  return { identity: res.body.length, br: br.body.length, etag };
}

/** The page's ETag now (the home page's moves once a minute). */
async function etagOf(port: number, page: PageName): Promise<string> {
  const res = await rawGet(port, {}, pagePath(page));
  if (res.status !== 200 || !res.headers.etag) throw new PageCheckError(`bench:serve: GET ${pagePath(page)} on khabar answered ${res.status}${res.headers.etag ? '' : ' without an ETag'}`);
  return res.headers.etag;
}

const caseHeaders = (name: CaseName, etag: string): Record<string, string> =>
  name === 'br' ? { 'Accept-Encoding': 'br' } : name === 'gzip' ? { 'Accept-Encoding': 'gzip' } : name === '304' ? { 'If-None-Match': etag } : {};

interface Run {
  rps: number;
  /** Server CPU (user + system) per request answered. */
  cpuMicrosPerRequest?: number;
  p50: number;
  p99: number;
  bad: number;
}

function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk --version exits 1 after printing its version
    return (err as { status?: number }).status === 1;
  }
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited with ${code}: ${out}`))));
  });
}

function wrkMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) return Number.NaN;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2] as 'us' | 'ms' | 's' | 'm'];
}

async function load(tool: 'wrk' | 'autocannon', port: number, headers: Record<string, string>, o: Options, seconds: number, path = '/feed.xml'): Promise<Run> {
  const url = `http://127.0.0.1:${port}${path}`;
  const h = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  if (tool === 'wrk') {
    const out = await run('wrk', [`-t${o.threads}`, `-c${o.connections}`, `-d${seconds}s`, '--latency', ...h, url]);
    const pct = (p: string) => wrkMs(new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(out)?.[1] ?? '');
    const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
    const bad = non2xx + (errors ? errors.slice(1).reduce((s, n) => s + Number(n), 0) : 0);
    return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]), p50: pct('50'), p99: pct('99'), bad };
  }
  const out = await run('npx', ['--no-install', 'autocannon', '-j', '-c', String(o.connections), '-d', String(seconds), ...h, url]);
  const r = JSON.parse(out.slice(out.indexOf('{'))) as { requests: { average: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number };
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, bad: r.errors };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (n: number, width = 7): string => String(Math.round(n)).padStart(width);
const ms = (n: number): string => `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`.padStart(9);

async function main(o: Options): Promise<void> {
  const tool = hasWrk() ? 'wrk' : 'autocannon';
  if (tool === 'autocannon') {
    try {
      execFileSync('npx', ['--no-install', 'autocannon', '--version'], { stdio: 'ignore' });
    } catch {
      throw new Error('neither wrk nor autocannon found: apt-get install -y --no-install-recommends wrk');
    }
  }
  const { all, feedTexts, devTexts: dev } = await benchStories(o.kb);
  console.log(`texts: ${feedTexts + dev > 0 ? `${feedTexts} real items from ../shared/feeds, then up to ${dev} articles of ../shared/eval/dedup-dev, each used once` : 'synthetic'}; ${all.length} stories (the default page)`);

  const khabarArgs: string[] = [];
  if (o.profile) khabarArgs.push('--cpu-prof', '--cpu-prof-dir', `${o.profile}/khabar`);
  if (o.traceGc) khabarArgs.push('--trace-gc');
  khabarArgs.push(...o.nodeArgs);
  const khabar = await startChild('--khabar-server', [String(o.kb)], khabarArgs, o.traceGc ? openSync(o.traceGc, 'w') : 'ignore');
  try {
    const identity = await variantFrom(khabar.port, null, o.bareHeaders);
    const variants = { identity, gzip: await variantFrom(khabar.port, 'gzip', o.bareHeaders), br: await variantFrom(khabar.port, 'br', o.bareHeaders) };
    const bare = await startChild('--bare-server', [], o.profile ? ['--cpu-prof', '--cpu-prof-dir', `${o.profile}/bare`] : [], 'ignore', variants);
    try {
      // The bare server must send exactly what khabar sends, or the comparison means nothing.
      for (const [coding, v] of Object.entries(variants)) {
        const got = await variantFrom(bare.port, coding === 'identity' ? null : coding, o.bareHeaders);
        const hash = (b: Buffer) => createHash('sha256').update(b).digest('hex');
        if (hash(got.body) !== hash(v.body) || SAME_HEADERS.some((h) => got.headers[h] !== v.headers[h])) throw new Error(`bare ${coding} differs from khabar`);
        if (Object.keys(v.notModified).some((h) => h !== 'x-request-id' && got.notModified[h] !== v.notModified[h])) throw new Error(`bare ${coding} 304 differs from khabar`);
      }
      for (const port of [khabar.port, bare.port]) {
        const nm = await rawGet(port, { 'If-None-Match': identity.etag });
        if (nm.status !== 304) throw new Error(`expected 304, got ${nm.status}`);
      }
      const kbOf = (b: Buffer) => `${(b.length / 1024).toFixed(0)} KB`;
      console.log(`/feed.xml: identity ${kbOf(identity.body)}, gzip ${kbOf(variants.gzip.body)}, br ${kbOf(variants.br.body)}; ETag ${identity.etag}`);
      const pages = o.only === 'bare' ? [] : o.pages;
      const pageCases = o.cases.filter((c) => PAGE_CASES.includes(c));
      for (const page of pages) {
        const checked = await checkPage(khabar.port, page);
        const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
        console.log(`${pagePath(page)}: identity ${kb(checked.identity)}, br ${kb(checked.br)}; ETag ${checked.etag} (${page === 'home' ? `${HOME_STORIES / 2} stories of 3–5 outlets` : '6 copies, each adding and cutting a sentence'}; khabar only)`);
      }
      console.log(`load: ${tool} -t${o.threads} -c${o.connections}, ${o.seconds} s a run, ${o.rounds} rounds alternating khabar / bare, each server in its own process; bare sends ${o.bareHeaders === 'all' ? 'every header khabar sends' : 'the same bytes, ETag and entity headers'}`);

      const sides = o.only ? [o.only] : (['khabar', 'bare'] as const);
      const portOf = { khabar: khabar.port, bare: bare.port };
      const childOf = { khabar: khabar.child, bare: bare.child };
      for (const side of sides) await load(tool, portOf[side], {}, o, 2); // warm-up: JIT, sockets
      for (const page of pages) await load(tool, khabar.port, {}, o, 2, pagePath(page));
      const results: Record<string, Record<string, Run[]>> = {};
      const line = (name: CaseName, who: string, round: number, r: Run, note = '') =>
        console.log(`  ${name.padEnd(8)} ${who.padEnd(6)} round ${round + 1}: ${fmt(r.rps)} req/s  p50 ${ms(r.p50)}  p99 ${ms(r.p99)}  server CPU ${r.cpuMicrosPerRequest!.toFixed(1)} µs/request${r.bad ? `  (${r.bad} errors or unexpected statuses)` : ''}${note}`);
      for (const name of o.cases) {
        results[name] = { khabar: [], bare: [], home: [], story: [] };
        for (let round = 0; round < o.rounds; round += 1) {
          for (const side of sides) {
            const cpuBefore = await cpuOf(childOf[side]);
            const r = await load(tool, portOf[side], caseHeaders(name, identity.etag), o, o.seconds);
            r.cpuMicrosPerRequest = ((await cpuOf(childOf[side])) - cpuBefore) / (r.rps * o.seconds);
            results[name][side].push(r);
            line(name, side, round, r);
          }
          // The pages after the feed in the same round, so drift hits them as it hits the feed's pair.
          if (!pageCases.includes(name)) continue;
          for (const page of pages) {
            for (let attempt = 1; ; attempt += 1) {
              const etag = name === '304' ? await etagOf(khabar.port, page) : '';
              const cpuBefore = await cpuOf(khabar.child);
              const r = await load(tool, khabar.port, caseHeaders(name, etag), o, o.seconds, pagePath(page));
              r.cpuMicrosPerRequest = ((await cpuOf(khabar.child)) - cpuBefore) / (r.rps * o.seconds);
              // A 304 run is only one if the ETag held: the home page's moves once a minute, and wrk counts 200s as fine.
              const moved = name === '304' && (await etagOf(khabar.port, page)) !== etag;
              if (moved && attempt < 3) {
                line(name, page, round, r, '  (ETag moved during the run: some were 200s; run again)');
                continue;
              }
              results[name][page].push(r);
              line(name, page, round, r, moved ? '  (ETag moved during the run again: kept)' : '');
              break;
            }
          }
        }
      }
      console.log('\nmedians of the rounds');
      console.log(`${'case'.padEnd(9)}| ${'khabar req/s'.padStart(12)} ${'p50'.padStart(9)} ${'p99'.padStart(9)} | ${'bare req/s'.padStart(10)} ${'p50'.padStart(9)} ${'p99'.padStart(9)} | khabar/bare`);
      for (const name of o.cases) {
        const k = results[name].khabar;
        const b = results[name].bare;
        const side = (rs: Run[], w: number) => (rs.length ? `${fmt(median(rs.map((r) => r.rps)), w)} ${ms(median(rs.map((r) => r.p50)))} ${ms(median(rs.map((r) => r.p99)))}` : `${'–'.padStart(w)} ${'–'.padStart(9)} ${'–'.padStart(9)}`);
        const ratio = k.length && b.length ? (median(k.map((r) => r.rps)) / median(b.map((r) => r.rps))).toFixed(2) : '–';
        const cpu = (rs: Run[]) => (rs.length ? median(rs.map((r) => r.cpuMicrosPerRequest ?? Number.NaN)).toFixed(1) : '–');
        console.log(`${name.padEnd(9)}| ${side(k, 12)} | ${side(b, 10)} | ${ratio.padStart(6)}x   (server CPU µs/request: khabar ${cpu(k)}, bare ${cpu(b)})`);
      }
      if (pages.length > 0 && pageCases.length > 0) {
        const width = Math.max(5, ...pages.map((p) => pagePath(p).length + 1));
        console.log(`\npages, khabar only (no bare peer); for context, the bare /feed.xml server's medians of this run for the same case`);
        console.log(`${'page'.padEnd(width)}${'case'.padEnd(9)}| ${'khabar req/s'.padStart(12)} ${'p50'.padStart(9)} ${'p99'.padStart(9)} | ${'bare feed'.padStart(10)} ${'p50'.padStart(9)} ${'p99'.padStart(9)} | server CPU µs/request`);
        for (const page of pages) {
          for (const name of pageCases) {
            const k = results[name][page];
            const b = results[name].bare;
            const side = (rs: Run[], w: number) => (rs.length ? `${fmt(median(rs.map((r) => r.rps)), w)} ${ms(median(rs.map((r) => r.p50)))} ${ms(median(rs.map((r) => r.p99)))}` : `${'–'.padStart(w)} ${'–'.padStart(9)} ${'–'.padStart(9)}`);
            const cpu = k.length ? median(k.map((r) => r.cpuMicrosPerRequest ?? Number.NaN)).toFixed(1) : '–';
            console.log(`${pagePath(page).padEnd(width)}${name.padEnd(9)}| ${side(k, 12)} | ${side(b, 10)} | ${cpu}`);
          }
        }
      }
    } finally {
      await stopChild(bare.child);
    }
  } finally {
    await stopChild(khabar.child);
  }
  if (o.profile) console.log(`CPU profiles in ${o.profile}/khabar and ${o.profile}/bare`);
}

const role = process.argv[2];
if (role === '--khabar-server') await khabarServer(Number(process.argv[3]));
else if (role === '--bare-server') await bareServer();
else {
  try {
    await main(parseOptions(process.argv.slice(2)));
  } catch (err) {
    if (!(err instanceof PageCheckError)) throw err;
    console.error(err.message);
    process.exitCode = 1;
  }
}
