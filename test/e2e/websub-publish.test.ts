/**
 * WebSub publishing end to end: worker refreshes against local feeds, with settings.websub_hub pointing at a local hub
 * that records its pings. Exactly one ping per feed URL a refresh changed (the merged feed's three formats, and those
 * of each category the changed stories are shown under), none when a refresh stores nothing new, and a hub that fails
 * never holds up ingest. The topics pinged are the self links the served feeds carry.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDbFeedStore } from '../../src/create-db-feed-store.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { items } from '../../src/db/schema.js';
import { createWorkerStoryAssigner } from '../../src/dedup/create-worker-story-assigner.js';
import { createApp } from '../../src/http/create-app.js';
import { silentLogger } from '../../src/logger.js';
import type { RefreshDeps } from '../../src/pipeline/refresh-feed.js';
import { createWebsubPublisher, type WebsubPublisher } from '../../src/websub/create-websub-publisher.js';
import { refreshDueFeeds } from '../../src/worker/refresh-due-feeds.js';
import { agencyCopy, republishedCopy, thirdReport, unrelatedReport } from '../helpers/agency-report.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { startRecordingHub, type RecordingHub } from '../helpers/recording-hub.js';
import { rssWith } from '../helpers/rss-with.js';
import { freePort, runCli, spawnCli } from '../helpers/run-cli.js';
import { waitFor } from '../helpers/wait-for.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';
import { feedSource, testRefreshDeps } from '../helpers/test-sources.js';

const publicUrl = 'http://khabar.test';
const economy = 'اقتصاد';
const sport = 'رياضة';
const culture = 'ثقافة';
const topicsOf = (category: string | null) => {
  const query = category === null ? '' : `?category=${encodeURIComponent(category)}`;
  return ['feed.xml', 'feed.atom', 'feed.json'].map((f) => `${publicUrl}/${f}${query}`);
};
const rss = 'application/rss+xml; charset=utf-8';

describe.each(testBackends())('WebSub publish pings after refreshes (%s)', (backend) => {
  let server: FixtureServer;
  let hub: RecordingHub;
  let t: TestDatabase;
  let publisher: WebsubPublisher;
  let deps: RefreshDeps;
  // Longer than any pass here takes from its first store to its last, so one pass is one batch whatever the machine's
  // load: "exactly once" is then the pinger's coalescing, not luck.
  const batchDelayMs = 2000;

  beforeAll(async () => {
    server = await startFixtureServer({
      // Validators: the second pass gets a 304.
      '/agency.xml': { body: rssWith([{ ...agencyCopy(), link: 'https://agency.example/water/1', date: 'Sun, 29 Nov 2026 06:00:00 GMT' }]), contentType: rss, etag: '"agency-1"' },
      // No validators: the second pass reads the same entries again.
      '/sport.xml': { body: rssWith([{ ...thirdReport(), link: 'https://sport.example/sat/1', date: 'Sun, 29 Nov 2026 06:10:00 GMT' }]), contentType: rss },
      '/daily.xml': { body: rssWith([]), contentType: rss },
    });
    hub = await startRecordingHub();
    t = await createTestDatabase(backend);
    await syncFeeds(t.handle.db, [
      feedSource('agency', 'وكالة الأنباء', server.url('/agency.xml'), { category: economy }),
      feedSource('sport', 'الرياضي', server.url('/sport.xml'), { category: sport }),
      feedSource('daily', 'الصحيفة اليومية', server.url('/daily.xml')),
    ]);
    publisher = createWebsubPublisher({
      hubUrl: hub.url,
      db: t.handle.db,
      publicUrl,
      // culture is configured but nothing of it changes: never pinged.
      categories: () => new Set([economy, sport, culture]),
      logger: silentLogger(),
      batchDelayMs,
      backoffBaseMs: 50,
      maxAttempts: 2,
      timeoutMs: 3000,
    });
    deps = { ...testRefreshDeps(t.handle.db, createWorkerStoryAssigner(t.handle.db, { windowHours: 72 })), onStoriesChanged: publisher.storiesChanged };
  });

  afterAll(async () => {
    await publisher?.close(0);
    await t?.drop();
    await hub?.close();
    await server?.close();
  });

  const pass = () => refreshDueFeeds(deps, { concurrency: 3, ignoreSchedule: true });
  /** Every change the pass told (each one tracked, category look-ups included) has been pinged or given up on. */
  const settled = async () => {
    await publisher.idle();
    await new Promise((r) => setTimeout(r, 100));
    await publisher.idle();
  };
  const sorted = (list: string[]) => [...list].sort();

  it('pings each changed feed URL exactly once: the merged feed and the categories of the new stories', async () => {
    const summary = await pass();
    expect(summary).toMatchObject({ ok: 3, newItems: 2 });
    await settled();
    expect(hub.pings.every((p) => p.mode === 'publish' && p.method === 'POST')).toBe(true);
    expect(sorted(hub.topics())).toEqual(sorted([...topicsOf(null), ...topicsOf(economy), ...topicsOf(sport)]));
  });

  it('pings the self links the served feeds carry, and the feeds name the hub', async () => {
    const app = createApp({
      feedStore: createDbFeedStore(t.handle.db, { title: 'خبر', description: '', language: 'ar', publicUrl, websubHub: hub.url }),
      logger: silentLogger(),
      config: { publicUrl, feedTitle: 'خبر', cacheSeconds: 0, categories: [economy, sport, culture] },
    });
    const parser = new Parser<{ links: Array<{ $: { rel: string; href: string } }> }>({ customFields: { feed: [['atom:link', 'links', { keepArray: true }]] as never } });
    for (const category of [null, economy, sport]) {
      const xml = await (await app.request(category === null ? '/feed.xml' : `/feed.xml?category=${encodeURIComponent(category)}`)).text();
      const links = (await parser.parseString(xml)).links.map((l) => l.$);
      expect(links).toContainEqual({ rel: 'hub', href: hub.url });
      expect(hub.topics()).toContain(links.find((l) => l.rel === 'self')!.href);
    }
    const json = (await (await app.request(`/feed.json?category=${encodeURIComponent(sport)}`)).json()) as { feed_url: string; hubs: unknown };
    expect(json.hubs).toEqual([{ type: 'WebSub', url: hub.url }]);
    expect(hub.topics()).toContain(json.feed_url);
  });

  it('sends nothing when a refresh stores nothing new (a 304, the same entries, an empty feed)', async () => {
    const before = hub.pings.length;
    server.clearRequests();
    const summary = await pass();
    expect(summary).toMatchObject({ feeds: 3, notModified: 1, newItems: 0 });
    await settled();
    expect(hub.pings.length).toBe(before);
  });

  it("an outlet joining a story pings every category the story is shown under, not only the outlet's own", async () => {
    hub.pings.splice(0);
    // daily has no category; its copy of the agency's report joins a story the economy feed shows.
    server.route('/daily.xml', {
      body: rssWith([
        { ...republishedCopy(), link: 'https://daily.example/news/55', date: 'Sun, 29 Nov 2026 07:30:00 GMT' },
        { ...unrelatedReport(), link: 'https://daily.example/news/56', date: 'Sun, 29 Nov 2026 07:45:00 GMT' },
      ]),
      contentType: rss,
    });
    const summary = await pass();
    expect(summary).toMatchObject({ newItems: 2 });
    await settled();
    expect(sorted(hub.topics())).toEqual(sorted([...topicsOf(null), ...topicsOf(economy)]));
  });

  it('an outlet correcting an entry pings its feeds', async () => {
    hub.pings.splice(0);
    server.route('/sport.xml', {
      body: rssWith([{ ...thirdReport(), title: 'إطلاق قمر صناعي عربي جديد لرصد الطقس', link: 'https://sport.example/sat/1', date: 'Sun, 29 Nov 2026 06:10:00 GMT' }]),
      contentType: rss,
    });
    await pass();
    await settled();
    expect(sorted(hub.topics())).toEqual(sorted([...topicsOf(null), ...topicsOf(sport)]));
  });

  it('a failing hub never holds up ingest: the pass ends at once, the items are stored, the ping is given up on', async () => {
    hub.pings.splice(0);
    hub.defaultAnswer = { status: 500, delayMs: 2000 };
    server.route('/sport.xml', {
      body: rssWith([{ title: 'نتائج الجولة الأخيرة من الدوري', html: '<p>انتهت الجولة الأخيرة من الدوري بفوز الفريق المتصدر على ضيفه بثلاثة أهداف نظيفة في مباراة مثيرة.</p>', link: 'https://sport.example/league/9', date: 'Sun, 29 Nov 2026 09:00:00 GMT' }]),
      contentType: rss,
    });
    const started = performance.now();
    const summary = await pass();
    const passMs = performance.now() - started;
    expect(summary).toMatchObject({ newItems: 1 });
    const stored = await t.handle.db.select({ link: items.link }).from(items);
    expect(stored.map((r) => r.link)).toContain('https://sport.example/league/9');
    // The hub takes 2 s to answer each of its two attempts; the pass did not wait for either.
    expect(passMs).toBeLessThan(1500);
    await publisher.idle();
    expect(hub.pings.map((p) => p.status)).toEqual([500, 500]);
    hub.defaultAnswer = 204;
  }, 30_000);
});

describe('khabar fetch --once with settings.websub_hub', () => {
  let dir: string;
  let server: FixtureServer;
  let hub: RecordingHub;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'khabar-websub-'));
    server = await startFixtureServer({
      '/sport.xml': { body: rssWith([{ ...thirdReport(), link: 'https://sport.example/sat/1', date: 'Sun, 29 Nov 2026 06:10:00 GMT' }]), contentType: rss, etag: '"s1"' },
      '/agency.xml': { body: rssWith([{ ...agencyCopy(), link: 'https://agency.example/water/1', date: 'Sun, 29 Nov 2026 06:00:00 GMT' }]), contentType: rss },
    });
    hub = await startRecordingHub();
  });

  afterAll(async () => {
    await hub?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pings what the pass stored before it exits, and nothing on a pass that stores nothing', async () => {
    const feedsFile = path.join(dir, 'feeds.yaml');
    writeFileSync(
      feedsFile,
      [
        'settings:',
        `  websub_hub: ${hub.url}`,
        'feeds:',
        '  - id: sport',
        '    name: الرياضي',
        `    url: ${server.url('/sport.xml')}`,
        `    category: ${sport}`,
        '  - id: agency',
        '    name: وكالة الأنباء',
        `    url: ${server.url('/agency.xml')}`,
        '',
      ].join('\n'),
    );
    const env = { FEEDS_FILE: feedsFile, DATA_DIR: path.join(dir, 'data'), PUBLIC_URL: `${publicUrl}/` };
    const first = await runCli(['fetch', '--once'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('2 new items');
    // Exited only after its ping: already recorded, one request, every topic once.
    expect(hub.pings).toHaveLength(1);
    expect(sorted(hub.topics())).toEqual(sorted([...topicsOf(null), ...topicsOf(sport)]));
    expect(hub.pings[0].headers['user-agent']).toMatch(/^khabar\//);

    const second = await runCli(['fetch', '--once'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('0 new items');
    expect(hub.pings).toHaveLength(1);
  }, 120_000);

  const sorted = (list: string[]) => [...list].sort();
});

describe('khabar start with websub_hub added and removed by a reload', () => {
  let dir: string;
  let server: FixtureServer;
  let hub: RecordingHub;
  const entry = (n: number) => ({ title: `خبر رياضي رقم ${n} عن نتائج الدوري`, html: `<p>تفاصيل الخبر الرياضي رقم ${n}: ${'فاز الفريق المتصدر في مباراة مثيرة. '.repeat(n)}</p>`, link: `https://sport.example/${n}`, date: `Sun, 29 Nov 2026 0${n}:00:00 GMT` });
  const serve = (...ns: number[]) => server.route('/sport.xml', { body: rssWith(ns.map(entry)), contentType: rss });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'khabar-websub-start-'));
    server = await startFixtureServer({});
    serve(1);
    hub = await startRecordingHub();
  });

  afterAll(async () => {
    await hub?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('advertises and pings the hub from the reload on, without restarting the worker; and stops when it is removed', async () => {
    const feedsFile = path.join(dir, 'feeds.yaml');
    const yaml = (hubLine: string[]) =>
      ['settings:', '  schedule: "*/2 * * * * *"', ...hubLine, 'feeds:', '  - id: sport', '    name: الرياضي', `    url: ${server.url('/sport.xml')}`, `    category: ${sport}`, ''].join('\n');
    const replace = (text: string) => {
      writeFileSync(`${feedsFile}.tmp`, text);
      renameSync(`${feedsFile}.tmp`, feedsFile);
    };
    writeFileSync(feedsFile, yaml([]));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const child = spawnCli(['start'], { FEEDS_FILE: feedsFile, DATA_DIR: path.join(dir, 'data'), PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: publicUrl, LOG_LEVEL: 'info' });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const logs = () => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const feedXml = async () => (await fetch(`${base}/feed.xml`)).text();
    const fetches = () => server.requestsTo('/sport.xml').length;
    // The served feeds are cached for max-age (30 s): progress is read from the log.
    const stored = () => logs().filter((l) => l.msg === 'feed refreshed' && l.new_items === 1).length;
    try {
      await waitFor(async () => (await fetch(`${base}/healthz`)).ok, 60_000);
      await waitFor(async () => stored() === 1, 30_000);
      expect(await feedXml()).not.toContain('rel="hub"');

      replace(yaml([`  websub_hub: ${hub.url}`]));
      await waitFor(async () => logs().some((l) => l.msg === 'feeds file reloaded'), 30_000);
      expect(logs().find((l) => l.msg === 'feeds file reloaded')).toMatchObject({ settings: ['websubHub'], worker_restarted: false });
      expect(await feedXml()).toContain(`<atom:link href="${hub.url}" rel="hub"/>`);
      // Passes that store nothing new ping nothing.
      const before = fetches();
      await waitFor(async () => fetches() >= before + 2, 30_000);
      expect(hub.pings).toHaveLength(0);

      serve(1, 2);
      await hub.waitForPings(1, 30_000);
      // A few more passes of the same entries: still one ping per topic.
      const after = fetches();
      await waitFor(async () => fetches() >= after + 2, 30_000);
      expect(sorted(hub.topics())).toEqual(sorted([...topicsOf(null), ...topicsOf(sport)]));

      replace(yaml([]));
      await waitFor(async () => logs().filter((l) => l.msg === 'feeds file reloaded').length >= 2, 30_000);
      expect(await feedXml()).not.toContain('rel="hub"');
      serve(1, 2, 3);
      await waitFor(async () => stored() === 3, 30_000);
      await new Promise((r) => setTimeout(r, 1500));
      expect(hub.pings).toHaveLength(1);
    } catch (err) {
      console.error(`khabar stdout:\n${stdout}\nstderr:\n${stderr}`);
      throw err;
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 180_000);

  const sorted = (list: string[]) => [...list].sort();
});
