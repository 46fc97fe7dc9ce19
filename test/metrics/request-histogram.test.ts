import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createRequestHistogram } from '../../src/metrics/request-histogram.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const ROUTES = ['/feed.xml', '/feed.json', '/', '/stories/:id'];
const STATUSES = ['200', '304', '404', '503'];

/** The same observations through prom-client's Histogram and through createRequestHistogram, as /metrics text. */
async function both(observations: { route: string; status: string; seconds: number }[]): Promise<[string, string]> {
  const reference = new Registry();
  const ours = new Registry();
  const name = 'khabar_http_request_duration_seconds';
  const help = 'HTTP answers by route template and status.';
  const histogram = new Histogram({ name, help, labelNames: ['route', 'status'] as const, buckets: BUCKETS, registers: [reference] });
  const fast = createRequestHistogram({ name, help, buckets: BUCKETS, registers: [ours] });
  const children = new Map<string, ReturnType<typeof fast.child>>();
  for (const { route, status, seconds } of observations) {
    histogram.labels(route, status).observe(seconds);
    const key = `${route} ${status}`;
    if (!children.has(key)) children.set(key, fast.child(route, status));
    children.get(key)!.observe(seconds);
  }
  return [await reference.metrics(), await ours.metrics()];
}

describe('createRequestHistogram', () => {
  it('writes what prom-client writes for a Histogram with the same observations, bucket edges included', async () => {
    const [reference, ours] = await both([
      { route: '/feed.xml', status: '304', seconds: 0.0003 },
      { route: '/feed.xml', status: '304', seconds: 0.0005 },
      { route: '/feed.xml', status: '200', seconds: 0.004 },
      { route: '/', status: '200', seconds: 3 },
    ]);
    expect(ours).toBe(reference);
    expect(ours).toContain('khabar_http_request_duration_seconds_bucket{le="0.0005",route="/feed.xml",status="304"} 2');
    expect(ours).toContain('khabar_http_request_duration_seconds_count{route="/",status="200"} 1');
  });

  it('agrees with prom-client on any stream of observations (property)', async () => {
    const observation = fc.record({
      route: fc.constantFrom(...ROUTES),
      status: fc.constantFrom(...STATUSES),
      seconds: fc.oneof(fc.constantFrom(...BUCKETS), fc.double({ min: 0, max: 5, noNaN: true })),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(observation, { maxLength: 60 }), async (observations) => {
        const [reference, ours] = await both(observations);
        expect(ours).toBe(reference);
      }),
      { numRuns: 100 },
    );
  });

  it('shows a label set only once it has been observed, as prom-client does', async () => {
    const registry = new Registry();
    const fast = createRequestHistogram({ name: 'h', help: 'h', buckets: BUCKETS, registers: [registry] });
    const child = fast.child('/feed.xml', '200');
    expect(await registry.metrics()).not.toContain('h_count');
    child.observe(0.001);
    expect(await registry.metrics()).toContain('h_count{route="/feed.xml",status="200"} 1');
  });
});
