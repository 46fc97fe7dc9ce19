import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createWebsubPinger, type WebsubPingerOptions, type WebsubPingOutcome } from '../../src/websub/create-websub-pinger.js';
import { startRecordingHub, type RecordingHub } from '../helpers/recording-hub.js';

const topicA = 'http://khabar.test/feed.xml';
const topicB = 'http://khabar.test/feed.atom';
const arabicTopic = `http://khabar.test/feed.json?category=${encodeURIComponent('رياضة')}`;

describe('createWebsubPinger against a local hub', () => {
  let hub: RecordingHub;
  let logs: Array<Record<string, unknown>>;
  let outcomes: WebsubPingOutcome[];
  const pingers: Array<ReturnType<typeof createWebsubPinger>> = [];

  beforeEach(async () => {
    hub = await startRecordingHub();
    logs = [];
    outcomes = [];
  });

  afterEach(async () => {
    await Promise.all(pingers.splice(0).map((p) => p.close(0)));
    await hub.close();
  });

  function pinger(overrides: Partial<WebsubPingerOptions> = {}) {
    const p = createWebsubPinger({
      hubUrl: hub.url,
      logger: createLogger('debug', { write: (line: string) => void logs.push(JSON.parse(line)) }),
      userAgent: 'khabar-test',
      batchDelayMs: 20,
      backoffBaseMs: 40,
      backoffMaxMs: 1000,
      timeoutMs: 2000,
      maxAttempts: 4,
      metrics: { pinged: (outcome) => void outcomes.push(outcome) },
      ...overrides,
    });
    pingers.push(p);
    return p;
  }

  it('sends one form-encoded POST, hub.mode=publish and every topic once as a repeated hub.url', async () => {
    const p = pinger();
    p.ping([topicA, topicB]);
    p.ping([topicA, arabicTopic]);
    p.ping([topicB]);
    await p.idle();
    expect(hub.pings).toHaveLength(1);
    const [ping] = hub.pings;
    expect(ping.method).toBe('POST');
    expect(ping.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(ping.headers['user-agent']).toBe('khabar-test');
    expect(ping.mode).toBe('publish');
    expect(ping.topics).toEqual([topicA, topicB, arabicTopic]);
    expect(outcomes).toEqual(['ok']);
    expect(logs.find((l) => l.msg === 'websub ping sent')).toMatchObject({ level: 30, hub: hub.url, topics: 3, attempts: 1, status: 204 });
  });

  it('splits many topics over several requests', async () => {
    const p = pinger({ maxTopicsPerRequest: 2 });
    p.ping(['http://k.test/1', 'http://k.test/2', 'http://k.test/3']);
    await p.idle();
    expect(hub.pings.map((x) => x.topics)).toEqual([['http://k.test/1', 'http://k.test/2'], ['http://k.test/3']]);
  });

  it('retries after 500s with a back-off that doubles, then delivers', async () => {
    hub.answer(500, 503, 500);
    const p = pinger();
    p.ping([topicA]);
    await p.idle();
    expect(hub.pings.map((x) => x.status)).toEqual([500, 503, 500, 204]);
    expect(hub.pings.every((x) => x.topics.join() === topicA)).toBe(true);
    const gaps = hub.pings.slice(1).map((x, i) => x.at - hub.pings[i].at);
    // 40, 80, 160 ms (timers fire no earlier than asked; a little slack for the clock's granularity)
    expect(gaps[0]).toBeGreaterThanOrEqual(38);
    expect(gaps[1]).toBeGreaterThanOrEqual(78);
    expect(gaps[2]).toBeGreaterThanOrEqual(158);
    expect(outcomes).toEqual(['retry', 'retry', 'retry', 'ok']);
    expect(logs.filter((l) => l.msg === 'websub ping attempt failed; retrying').map((l) => l.retry_in_ms)).toEqual([40, 80, 160]);
  });

  it('gives up after maxAttempts, logging WEBSUB_PING_FAILED, and never throws into or holds up the caller', async () => {
    hub.defaultAnswer = { status: 500, body: 'hub is down', delayMs: 50 };
    const p = pinger({ maxAttempts: 3 });
    const started = performance.now();
    expect(() => p.ping([topicA])).not.toThrow();
    expect(performance.now() - started).toBeLessThan(20);
    await p.idle();
    expect(hub.pings).toHaveLength(3);
    expect(outcomes).toEqual(['retry', 'retry', 'failed']);
    expect(logs.find((l) => l.msg === 'websub ping failed')).toMatchObject({
      level: 40,
      code: 'WEBSUB_PING_FAILED',
      hub: hub.url,
      topics: 1,
      attempts: 3,
      status: 500,
      error: 'hub answered 500: hub is down',
    });
  });

  it('does not retry a refusal (4xx) or a redirect, which would turn the POST into a GET', async () => {
    hub.answer({ status: 400, body: 'hub.url is not a topic' }, { status: 302, headers: { location: 'https://elsewhere.example/hub' } });
    const p = pinger();
    p.ping([topicA]);
    await p.idle();
    p.ping([topicB]);
    await p.idle();
    expect(hub.pings.map((x) => x.status)).toEqual([400, 302]);
    expect(outcomes).toEqual(['failed', 'failed']);
    const failures = logs.filter((l) => l.code === 'WEBSUB_PING_FAILED').map((l) => l.error);
    expect(failures[0]).toBe('hub answered 400: hub.url is not a topic');
    expect(failures[1]).toMatch(/redirecting to https:\/\/elsewhere\.example\/hub: set websub_hub/);
  });

  it('retries a 429 no sooner than its Retry-After (capped)', async () => {
    hub.answer({ status: 429, headers: { 'retry-after': '0.3' } });
    const p = pinger();
    p.ping([topicA]);
    await p.idle();
    expect(hub.pings.map((x) => x.status)).toEqual([429, 204]);
    expect(hub.pings[1].at - hub.pings[0].at).toBeGreaterThanOrEqual(295);
  });

  it('times out a hub that does not answer, and tries again', async () => {
    hub.answer({ status: 204, delayMs: 1000 });
    const p = pinger({ timeoutMs: 100 });
    p.ping([topicA]);
    await p.idle();
    expect(hub.pings).toHaveLength(2);
    expect(outcomes).toEqual(['retry', 'ok']);
    expect(logs.find((l) => l.msg === 'websub ping attempt failed; retrying')).toMatchObject({ status: null, error: 'no answer from the hub within 100 ms' });
  });

  it('survives a hub that refuses connections', async () => {
    const closedPort = await freePort();
    const p = pinger({ hubUrl: `http://127.0.0.1:${closedPort}/hub`, maxAttempts: 2 });
    expect(() => p.ping([topicA])).not.toThrow();
    await p.idle();
    expect(outcomes).toEqual(['retry', 'failed']);
    expect(logs.find((l) => l.code === 'WEBSUB_PING_FAILED')?.error).toMatch(/ECONNREFUSED/);
  });

  it('coalesces: a ping waiting for its retry absorbs newer changes; one on the wire is followed by another', async () => {
    hub.answer(500);
    const p = pinger({ backoffBaseMs: 200 });
    p.ping([topicA]);
    await hub.waitForPings(1);
    await new Promise((r) => setTimeout(r, 30)); // the 500 has come back: the retry waits
    p.ping([topicA]);
    p.ping([topicA, topicB]);
    await p.idle();
    // The retry carried A; B, new, got its own request. A was not sent a third time.
    expect(hub.topics().filter((t) => t === topicA)).toHaveLength(2);
    expect(hub.topics().filter((t) => t === topicB)).toHaveLength(1);

    hub.pings.splice(0);
    hub.answer({ status: 204, delayMs: 150 });
    p.ping([topicA]);
    await hub.waitForPings(1);
    p.ping([topicA]); // changed again while the hub may already be fetching: it must hear of it once more
    await p.idle();
    expect(hub.pings.map((x) => x.topics)).toEqual([[topicA], [topicA]]);
  });

  it('close() sends what waits for its batch at once, and within the grace delivers it', async () => {
    const p = pinger({ batchDelayMs: 60_000 });
    p.ping([topicA]);
    await p.close(2000);
    expect(hub.pings.map((x) => x.topics)).toEqual([[topicA]]);
    p.ping([topicB]); // closed: ignored
    await new Promise((r) => setTimeout(r, 50));
    expect(hub.pings).toHaveLength(1);
  });

  it('close() past the grace aborts the request on the wire and drops retries, with one log line', async () => {
    hub.defaultAnswer = { status: 500, delayMs: 5_000 };
    const p = pinger();
    p.ping([topicA, topicB]);
    await hub.waitForPings(1);
    const started = performance.now();
    await p.close(100);
    expect(performance.now() - started).toBeLessThan(1000);
    await p.idle();
    expect(logs.find((l) => l.msg === 'websub pings dropped at shutdown')).toMatchObject({ code: 'WEBSUB_PING_FAILED', topics: 2 });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
