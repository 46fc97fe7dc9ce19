/**
 * Serving throughput of the feed endpoints over loopback: 200 (identity, gzip, brotli) and 304, with plain
 * keep-alive http requests, bounded in count and time. Prints figures; not a test.
 *
 *   npx tsx bench/bench-serve.ts [stories=200] [seconds-per-case=4]
 *
 * Story texts come from the real Arabic feeds in ../shared/feeds when present (synthetic repeated text compresses
 * far better than news does, which flatters the gzip/brotli figures).
 */
import { serve } from '@hono/node-server';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Parser from 'rss-parser';
import { createApp } from '../src/http/create-app.js';
import type { FeedStore } from '../src/http/feed-store.js';
import { silentLogger } from '../src/logger.js';
import { encodeFeed } from '../src/publish/encode-feed.js';
import { renderRss } from '../src/publish/render-rss.js';
import type { MergedFeed, PublishedStory } from '../src/publish/types.js';

const storyCount = Number(process.argv[2] ?? 200);
const secondsPerCase = Number(process.argv[3] ?? 4);
const maxRequestsPerCase = 200_000;
const connections = 32;

const paragraph = 'استقبل ولي العهد في جدة اليوم رئيس الوزراء، وجرى خلال الاستقبال استعراض العلاقات الثنائية وفرص تطويرها في مختلف المجالات. ';
const outlets = ['واس', 'الشرق الأوسط', 'العين الإخبارية', 'سكاي نيوز عربية', 'الجزيرة نت'];

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
  for (const file of files) {
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

function stories(count: number, texts: Text[]): PublishedStory[] {
  const base = Date.parse('2026-11-28T12:00:00Z');
  return Array.from({ length: count }, (_, i) => ({
    id: `st_${count - i}`,
    title: texts.length > 0 ? texts[i % texts.length].title : `خبر رقم ${count - i}: ${paragraph.slice(0, 60)}`,
    link: `https://www.spa.gov.sa/news/${count - i}`,
    contentHtml: texts.length > 0 ? texts[i % texts.length].html : `<p>${paragraph.repeat(3)}${i}</p><p>${paragraph}</p>`,
    summary: '',
    publishedAt: new Date(base - i * 600_000),
    updatedAt: new Date(base - i * 600_000 + 60_000),
    category: 'سياسة',
    author: null,
    sources: outlets.slice(0, 1 + (i % outlets.length)).map((name, j) => ({
      feedId: `f${j}`,
      name,
      link: `https://outlet${j}.example/${count - i}`,
      publishedAt: new Date(base - i * 600_000),
    })),
  }));
}

const texts = await realTexts();
const all = stories(storyCount, texts);
const store: FeedStore = {
  version: async () => 'v1',
  load: async ({ limit }): Promise<MergedFeed> => ({
    title: 'خبر',
    description: 'bench',
    language: 'ar',
    homeUrl: 'http://127.0.0.1/',
    feedUrls: { rss: '', atom: '', json: '' },
    updatedAt: all[0]?.updatedAt ?? null,
    stories: all.slice(0, limit),
  }),
};

function request(agent: http.Agent, port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function runCase(port: number, name: string, path: string, headers: Record<string, string>, expected: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const deadline = performance.now() + secondsPerCase * 1000;
  let done = 0;
  let wrong = 0;
  const started = performance.now();
  async function worker(): Promise<void> {
    while (performance.now() < deadline && done < maxRequestsPerCase) {
      done += 1;
      if ((await request(agent, port, path, headers)) !== expected) wrong += 1;
    }
  }
  await Promise.all(Array.from({ length: connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  console.log(`${name.padEnd(28)} ${String(Math.round(done / seconds)).padStart(7)} req/s  (${done} requests, ${wrong} unexpected status)`);
}

async function main(): Promise<void> {
  const feed = await store.load({ limit: storyCount, category: null });
  let t = performance.now();
  const text = renderRss(feed);
  const renderMs = performance.now() - t;
  t = performance.now();
  const encoded = await encodeFeed({ text, contentType: 'application/rss+xml', versionKey: 'v1', updatedAt: feed.updatedAt });
  const encodeMs = performance.now() - t;
  console.log(`texts: ${texts.length > 0 ? `${texts.length} real items from ../shared/feeds` : 'synthetic'}`);
  console.log(`${storyCount} stories: RSS ${(encoded.body.length / 1024).toFixed(0)} KB, gzip ${(encoded.gzip.length / 1024).toFixed(0)} KB, br ${(encoded.br.length / 1024).toFixed(0)} KB; render ${renderMs.toFixed(1)} ms, encode ${encodeMs.toFixed(1)} ms (once per change)`);

  const app = createApp({ feedStore: store, logger: silentLogger(), config: { publicUrl: 'http://127.0.0.1', feedTitle: 'خبر', cacheSeconds: 30, defaultLimit: storyCount } });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  const warm = await fetch(`http://127.0.0.1:${port}/feed.xml`);
  const etag = warm.headers.get('etag') ?? '';
  await warm.arrayBuffer();

  console.log(`loopback, ${connections} keep-alive connections, ${secondsPerCase} s per case (client and server share the cores)`);
  await runCase(port, '200 identity /feed.xml', '/feed.xml', {}, 200);
  await runCase(port, '200 gzip /feed.xml', '/feed.xml', { 'Accept-Encoding': 'gzip' }, 200);
  await runCase(port, '200 br /feed.xml', '/feed.xml', { 'Accept-Encoding': 'br' }, 200);
  await runCase(port, '304 If-None-Match', '/feed.xml', { 'If-None-Match': etag }, 304);
  await new Promise((resolve) => server.close(resolve));
}

await main();
