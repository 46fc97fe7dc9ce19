/**
 * Serving the feed beside bare node:http, each server in its own process and the load client in a third (wrk, else
 * autocannon if it is installed): the same prebuilt bytes and ETag, with the same Content-Type, Content-Encoding, Vary,
 * Cache-Control and Last-Modified, from khabar's app (createApp on @hono/node-server, as `khabar serve` runs it) and
 * from a bare `http.createServer` that only picks the variant and compares the ETag. Runs alternate khabar / bare per
 * case, so drift on this 2-core machine hits both sides alike; the ratio is the figure to trust. Prints figures; not a test.
 *
 *   npm run bench:serve -- [--seconds 5] [--rounds 2] [--connections 64] [--threads 2] [--kb 180]
 *                          [--cases identity,br,gzip,304] [--only khabar|bare] [--profile DIR] [--trace-gc FILE]
 *                          [--bare-headers same|all] [--node-arg FLAG]...
 *
 * --profile writes each server process's CPU profile (node --cpu-prof) under DIR/khabar and DIR/bare; --trace-gc writes
 * khabar's GC trace to FILE. --bare-headers all has the bare server send every header khabar sends (security, CORS, a
 * new request id each time), which tells what the header set costs from what khabar's own code costs.
 * Story texts come from the real Arabic feeds in ../shared/feeds when present (synthetic repeated text compresses far
 * better than news does, which flatters the gzip/brotli figures); stories carry as many of them as it takes to make
 * the 50-story default page about --kb kilobytes.
 */
import { serve } from '@hono/node-server';
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
import type { FeedStore } from '../src/http/feed-store.js';
import { createLogger } from '../src/logger.js';
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
}

type CaseName = 'identity' | 'br' | 'gzip' | '304';
const ALL_CASES: CaseName[] = ['identity', 'br', 'gzip', '304'];

function parseOptions(argv: string[]): Options {
  const options: Options = { seconds: 5, rounds: 2, connections: 64, threads: 2, kb: 180, cases: ALL_CASES, only: null, profile: null, traceGc: null, bareHeaders: 'same', nodeArgs: [] };
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
    else throw new Error(`unknown option ${name}`);
  }
  for (const c of options.cases) if (!ALL_CASES.includes(c)) throw new Error(`unknown case ${c}`);
  return options;
}

// ---------------------------------------------------------------------------------------------------------------
// The feed: real texts, several outlets per story.

interface Text {
  title: string;
  html: string;
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
      texts.push({ title: item.title, html });
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
async function benchStories(kb: number): Promise<{ all: PublishedStory[]; feedTexts: number; devTexts: number }> {
  const fromFeeds = await realTexts();
  const fromDev = await devTexts(STORIES * 4);
  const texts = [...fromFeeds, ...fromDev];
  for (let htmlBytes = 256; ; htmlBytes += 128) {
    const all = stories(STORIES, texts, htmlBytes);
    if (Buffer.byteLength(renderRss(mergedFeed(all))) >= kb * 1024 * 0.98 || htmlBytes > 64 * 1024) return { all, feedTexts: fromFeeds.length, devTexts: fromDev.length };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The two servers, each run as a child process of this script.

type ChildMessage = { port: number } | { cpuMicros: number };

async function khabarServer(kb: number): Promise<void> {
  const { all } = await benchStories(kb);
  const store: FeedStore = {
    version: async () => {
      await sleep(VERSION_QUERY_MS);
      return 'v1';
    },
    load: async ({ limit, category }) => {
      await sleep(VERSION_QUERY_MS * 5);
      return mergedFeed(all.filter((s) => category === null || s.category === category).slice(0, limit));
    },
  };
  // As main.ts builds it: the service logger on stdout (the parent sends it to /dev/null or the GC trace file),
  // twelve enabled sources with their categories.
  const logger = createLogger('info', 'stdout');
  const sources = Array.from({ length: 12 }, (_, i) => ({ name: `مصدر ${i + 1}`, url: `https://outlet${i}.example/rss`, category: categories[i % categories.length], language: 'ar' }));
  const app = createApp({
    feedStore: store,
    logger,
    config: { publicUrl: 'http://127.0.0.1:3000', feedTitle: 'خبر', cacheSeconds: CACHE_SECONDS, sources, categories },
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  childReady(server as http.Server);
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

function rawGet(port: number, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/feed.xml', headers, agent: false }, (res) => {
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

async function load(tool: 'wrk' | 'autocannon', port: number, headers: Record<string, string>, o: Options, seconds: number): Promise<Run> {
  const url = `http://127.0.0.1:${port}/feed.xml`;
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
      console.log(`load: ${tool} -t${o.threads} -c${o.connections}, ${o.seconds} s a run, ${o.rounds} rounds alternating khabar / bare, each server in its own process; bare sends ${o.bareHeaders === 'all' ? 'every header khabar sends' : 'the same bytes, ETag and entity headers'}`);

      const sides = o.only ? [o.only] : (['khabar', 'bare'] as const);
      const portOf = { khabar: khabar.port, bare: bare.port };
      const childOf = { khabar: khabar.child, bare: bare.child };
      for (const side of sides) await load(tool, portOf[side], {}, o, 2); // warm-up: JIT, sockets
      const results: Record<string, Record<string, Run[]>> = {};
      for (const name of o.cases) {
        results[name] = { khabar: [], bare: [] };
        for (let round = 0; round < o.rounds; round += 1) {
          for (const side of sides) {
            const cpuBefore = await cpuOf(childOf[side]);
            const r = await load(tool, portOf[side], caseHeaders(name, identity.etag), o, o.seconds);
            r.cpuMicrosPerRequest = ((await cpuOf(childOf[side])) - cpuBefore) / (r.rps * o.seconds);
            results[name][side].push(r);
            console.log(`  ${name.padEnd(8)} ${side.padEnd(6)} round ${round + 1}: ${fmt(r.rps)} req/s  p50 ${ms(r.p50)}  p99 ${ms(r.p99)}  server CPU ${r.cpuMicrosPerRequest.toFixed(1)} µs/request${r.bad ? `  (${r.bad} errors or unexpected statuses)` : ''}`);
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
else await main(parseOptions(process.argv.slice(2)));
