import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDbFeedStore } from '../../src/create-db-feed-store.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { createWorkerStoryAssigner } from '../../src/dedup/create-worker-story-assigner.js';
import { createApp } from '../../src/http/create-app.js';
import { silentLogger } from '../../src/logger.js';
import { createMetrics, type Metrics } from '../../src/metrics/create-metrics.js';
import { refreshDueFeeds } from '../../src/worker/refresh-due-feeds.js';
import { brokenXml, rss2, rssItems } from '../helpers/arabic-feeds.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';
import { feedSource, testRefreshDeps } from '../helpers/test-sources.js';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';
import { agencyCopy, republishedCopy } from '../helpers/agency-report.js';

function reportFeed(outlet: string, copy: { title: string; html: string }): string {
  const link = `https://${outlet}.example.com/news/1`;
  return rss2([{ title: copy.title, link, guid: link, body: copy.html, date: new Date(Date.now() - 3_600_000).toUTCString() }], outlet);
}

const TOKEN = 'scrape-token-of-some-length';

describe.each(testBackends())('/metrics on a real refresh (%s)', (backend) => {
  let server: FixtureServer;
  let t: TestDatabase;
  let metrics: Metrics;

  beforeAll(async () => {
    server = await startFixtureServer({
      '/good.xml': { body: rss2(rssItems.slice(0, 2)), contentType: 'application/rss+xml' },
      '/broken.xml': { body: brokenXml, contentType: 'application/rss+xml' },
      '/agency.xml': { body: reportFeed('agency', agencyCopy()), contentType: 'application/rss+xml' },
      '/republished.xml': { body: reportFeed('copy', republishedCopy()), contentType: 'application/rss+xml' },
    });
    t = await createTestDatabase(backend);
    // Two outlets with the same reports: the second one's items join the first one's stories.
    await syncFeeds(t.handle.db, [
      feedSource('first', 'الأول', server.url('/good.xml')),
      feedSource('broken', 'مكسور', server.url('/broken.xml')),
    ]);
    metrics = createMetrics({ db: t.handle.db, logger: silentLogger() });
  });

  afterAll(async () => {
    await t?.drop();
    await server?.close();
  });

  function appWith(token: string | null) {
    return createApp({
      feedStore: createDbFeedStore(t.handle.db, { title: 'خبر', description: '', language: 'ar', publicUrl: 'http://khabar.test' }),
      logger: silentLogger(),
      config: { publicUrl: 'http://khabar.test', feedTitle: 'خبر', cacheSeconds: 60, metricsToken: token },
      metrics,
    });
  }

  async function scrape(app = appWith(null)) {
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return parsePrometheusText(await res.text());
  }

  it('parses, and moves as feeds succeed and fail', async () => {
    const before = await scrape();
    expect(before.types.get('khabar_fetches_total')).toBe('counter');
    expect(before.types.get('khabar_fetch_duration_seconds')).toBe('histogram');
    expect(before.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(before.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(sampleValue(before, 'khabar_stories')).toBe(0);
    expect(sampleValue(before, 'khabar_fetches_total', { outcome: 'ok', code: '' })).toBeUndefined();

    const deps = { ...testRefreshDeps(t.handle.db, createWorkerStoryAssigner(t.handle.db, { windowHours: 72 })) };
    await refreshDueFeeds(deps, { concurrency: 2, metrics });

    const after = await scrape();
    expect(sampleValue(after, 'khabar_fetches_total', { outcome: 'ok', code: '' })).toBe(1);
    const errors = after.samples.filter((s) => s.name === 'khabar_fetches_total' && s.labels.outcome === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].labels.code).toMatch(/^PARSE_/);
    expect(errors[0].value).toBe(1);
    expect(sampleValue(after, 'khabar_fetch_duration_seconds_count', { outcome: 'ok' })).toBe(1);
    expect(sampleValue(after, 'khabar_fetch_duration_seconds_count', { outcome: 'error' })).toBe(1);
    expect(sampleValue(after, 'khabar_items_stored_total', { source: 'first' })).toBe(2);
    expect(sampleValue(after, 'khabar_items_started_story_total', { source: 'first' })).toBe(2);
    expect(sampleValue(after, 'khabar_items_joined_story_total', { source: 'first' })).toBe(0);
    expect(sampleValue(after, 'khabar_stories')).toBe(2);
    expect(sampleValue(after, 'khabar_feeds_failing')).toBe(1);
    expect(sampleValue(after, 'khabar_feeds_backing_off')).toBe(1);

    // An agency report, then an outlet republishing it: the copy joins the agency's story.
    await syncFeeds(t.handle.db, [
      feedSource('first', 'الأول', server.url('/good.xml')),
      feedSource('broken', 'مكسور', server.url('/broken.xml')),
      feedSource('agency', 'الوكالة', server.url('/agency.xml')),
      feedSource('outlet', 'الصحيفة', server.url('/republished.xml')),
    ]);
    await refreshDueFeeds(deps, { concurrency: 1, metrics, feedIds: ['agency'] });
    await refreshDueFeeds(deps, { concurrency: 1, metrics, feedIds: ['outlet'] });
    const joined = await scrape();
    expect(sampleValue(joined, 'khabar_items_started_story_total', { source: 'agency' })).toBe(1);
    expect(sampleValue(joined, 'khabar_items_stored_total', { source: 'outlet' })).toBe(1);
    expect(sampleValue(joined, 'khabar_items_joined_story_total', { source: 'outlet' })).toBe(1);
    expect(sampleValue(joined, 'khabar_items_started_story_total', { source: 'outlet' })).toBe(0);
    expect(sampleValue(joined, 'khabar_stories')).toBe(3);
    expect(sampleValue(joined, 'khabar_fetches_total', { outcome: 'ok', code: '' })).toBe(3);
  });

  it('counts HTTP answers by route template and feed-cache hits and rebuilds, across apps', async () => {
    const app = appWith(null);
    expect((await app.request('/feed.xml')).status).toBe(200);
    expect((await app.request('/feed.xml')).status).toBe(200);
    expect((await app.request('/feed.xml?limit=10')).status).toBe(200);
    expect((await app.request('/no/such/page')).status).toBe(404);
    expect((await app.request('/stories/12345')).status).toBe(404);
    const text = await scrape(app);
    const count = (route: string, status: string) => sampleValue(text, 'khabar_http_request_duration_seconds_count', { route, status });
    expect(count('/feed.xml', '200')).toBe(3);
    expect(count('unmatched', '404')).toBe(1);
    expect(count('/stories/:id', '404')).toBe(1);
    // Never a raw path.
    expect(text.samples.some((s) => s.labels.route?.includes('12345') || s.labels.route?.includes('no/such'))).toBe(false);
    expect(sampleValue(text, 'khabar_feed_cache_rebuilds_total')).toBe(2);
    expect(sampleValue(text, 'khabar_feed_cache_hits_total')).toBe(1);

    // A new app (a config reload) over the same registry: the counts carry on.
    const rebuilt = appWith(null);
    expect((await rebuilt.request('/feed.xml')).status).toBe(200);
    const later = await scrape(rebuilt);
    expect(sampleValue(later, 'khabar_feed_cache_rebuilds_total')).toBe(3);
    expect(sampleValue(later, 'khabar_http_request_duration_seconds_count', { route: '/feed.xml', status: '200' })).toBe(4);
  });

  it('needs the bearer token when METRICS_TOKEN is set', async () => {
    const app = appWith(TOKEN);
    const none = await app.request('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await app.request('/metrics', { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    expect((await app.request('/metrics', { headers: { authorization: 'Bearer short' } })).status).toBe(401);
    expect((await app.request('/metrics', { headers: { authorization: TOKEN } })).status).toBe(401);
    const ok = await app.request('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(parsePrometheusText(await ok.text()).types.get('khabar_fetches_total')).toBe('counter');
  });
});

describe('createMetrics', () => {
  it('keeps one registry per call, so two apps in one process do not share counts', async () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    a.feedCache.hit();
    expect(sampleValue(parsePrometheusText(await a.render()), 'khabar_feed_cache_hits_total')).toBe(1);
    expect(sampleValue(parsePrometheusText(await b.render()), 'khabar_feed_cache_hits_total')).toBe(0);
  });

  it('counts retention deletions and the last pass', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.retentionPruned({ stories: 3, items: 7 });
    m.retentionPruned({ stories: 1, items: 2 });
    m.passFinished(1_800_000_000_000);
    const text = parsePrometheusText(await m.render());
    expect(sampleValue(text, 'khabar_retention_deleted_stories_total')).toBe(4);
    expect(sampleValue(text, 'khabar_retention_deleted_items_total')).toBe(9);
    expect(sampleValue(text, 'khabar_worker_last_pass_timestamp_seconds')).toBe(1_800_000_000);
  });

  it('counts WebSub pings by outcome, every outcome present from the start', async () => {
    const m = createMetrics({ defaultMetrics: false });
    const before = parsePrometheusText(await m.render());
    for (const outcome of ['ok', 'retry', 'failed']) expect(sampleValue(before, 'khabar_websub_pings_total', { outcome })).toBe(0);
    m.websub.pinged('retry');
    m.websub.pinged('retry');
    m.websub.pinged('ok');
    const text = parsePrometheusText(await m.render());
    expect(text.types.get('khabar_websub_pings_total')).toBe('counter');
    expect(sampleValue(text, 'khabar_websub_pings_total', { outcome: 'ok' })).toBe(1);
    expect(sampleValue(text, 'khabar_websub_pings_total', { outcome: 'retry' })).toBe(2);
    expect(sampleValue(text, 'khabar_websub_pings_total', { outcome: 'failed' })).toBe(0);
  });
});
