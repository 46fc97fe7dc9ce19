import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/create-app.js';
import type { FeedStore } from '../../src/http/feed-store.js';
import { silentLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics/create-metrics.js';
import { sampleFeed, sampleStories } from '../publish/sample-feed.js';
import { parsePrometheusText, sampleValue } from '../metrics/prometheus-text.js';

const store: FeedStore = {
  version: async () => 'v1',
  load: async (query) => sampleFeed(sampleStories().slice(0, query.limit)),
};

describe('feed routes with metrics', () => {
  it('still answer a fresh feed synchronously, and count it under its route', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = createApp({ feedStore: store, logger: silentLogger(), config: { publicUrl: 'http://khabar.test', feedTitle: 'خبر', cacheSeconds: 60 }, metrics });
    // The first request builds the feed (and waits for the security headers); later ones are answered from memory.
    expect((await app.request('/feed.json')).status).toBe(200);
    const answer = app.fetch(new Request('http://khabar.test/feed.json', { headers: { 'if-none-match': '"nothing"' } }));
    expect(answer).toBeInstanceOf(Response);
    expect((answer as Response).status).toBe(200);
    // HEAD goes through Hono's own async wrapper (without metrics too); it is counted all the same.
    expect((await app.request('/feed.json', { method: 'HEAD' })).status).toBe(200);

    const text = parsePrometheusText(await metrics.render());
    expect(sampleValue(text, 'khabar_http_request_duration_seconds_count', { route: '/feed.json', status: '200' })).toBe(3);
    expect(sampleValue(text, 'khabar_feed_cache_rebuilds_total')).toBe(1);
    expect(sampleValue(text, 'khabar_feed_cache_hits_total')).toBe(2);
    // Bad queries are counted under the route too, never under their raw query.
    expect((await app.request('/feed.json?limit=abc')).status).toBe(400);
    const after = parsePrometheusText(await metrics.render());
    expect(sampleValue(after, 'khabar_http_request_duration_seconds_count', { route: '/feed.json', status: '400' })).toBe(1);
  });
});
