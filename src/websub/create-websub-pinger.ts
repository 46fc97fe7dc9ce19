import { shortErrorMessage, type ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';

const PING_FAILED: ErrorCode = 'WEBSUB_PING_FAILED';

/** Each attempt's outcome: delivered, failed and tried again later, or failed for good (given up). */
export type WebsubPingOutcome = 'ok' | 'retry' | 'failed';

export interface WebsubPingMetrics {
  /** One request to the hub ended so. */
  pinged(outcome: WebsubPingOutcome): void;
}

export interface WebsubPingerOptions {
  /** The hub's publish endpoint (feeds.yaml `websub_hub`). */
  hubUrl: string;
  logger: Logger;
  userAgent?: string;
  /**
   * A topic's first change waits this long before its ping goes out, so the changes of a worker pass (feeds finishing
   * one after another) make one request per topic instead of one per feed. Default 1000 ms.
   */
  batchDelayMs?: number;
  /** Per request, response included. Default 10 s. */
  timeoutMs?: number;
  /** Requests per ping before giving up on it (the first included). Default 6. */
  maxAttempts?: number;
  /** Back-off after the n-th failed attempt: base × 2^(n-1), at most the cap. Default 1 s and 60 s. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** `hub.url` values per request; more topics are split over several requests. Default 50. */
  maxTopicsPerRequest?: number;
  metrics?: WebsubPingMetrics;
}

export interface WebsubPinger {
  readonly hubUrl: string;
  /**
   * Queues a publish ping for these topic URLs and returns at once: never throws, never waits for the hub. A topic
   * whose ping is still waiting (for its batch, or for a retry) is already covered: the hub fetches the topic when
   * the ping arrives and sees this change too. A topic whose ping is on the wire gets another one after it.
   */
  ping(topicUrls: Iterable<string>): void;
  /** Resolves once nothing is queued, waiting or on the wire. */
  idle(): Promise<void>;
  /**
   * Takes no more pings, sends what waits for its batch now, and waits up to `graceMs` (retries included) for
   * everything to be delivered or given up; past it, requests on the wire are aborted and waiting retries dropped
   * (logged). Idempotent.
   */
  close(graceMs?: number): Promise<void>;
}

interface Delivery {
  topics: string[];
  attempts: number;
  state: 'waiting' | 'sending';
  timer: NodeJS.Timeout | null;
}

type AttemptResult = { ok: true; status: number } | { ok: false; retry: boolean; status: number | null; error: string; retryAfterMs: number | null };

/**
 * Publish pings to a WebSub hub (W3C WebSub 2018; the publish request itself is the PubSubHubbub 0.4 convention the
 * spec leaves to hubs): a form-encoded POST of `hub.mode=publish` with one `hub.url` per topic, repeated in one
 * request as Google's hub (pubsubhubbub.appspot.com), Superfeedr and WebSub.rocks accept. A 2xx is delivery. Network
 * errors, timeouts, 408, 429 and 5xx are retried with exponential back-off (Retry-After honoured up to the cap);
 * any other answer, a redirect included (a POST redirected becomes a GET without the form), fails at once. Either
 * way the caller never sees it: failures are logged with code WEBSUB_PING_FAILED and counted.
 */
export function createWebsubPinger(options: WebsubPingerOptions): WebsubPinger {
  const log = options.logger.child({ component: 'websub', hub: options.hubUrl });
  const batchDelayMs = options.batchDelayMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 6);
  const backoffBaseMs = options.backoffBaseMs ?? 1000;
  const backoffMaxMs = options.backoffMaxMs ?? 60_000;
  const maxTopics = Math.max(1, options.maxTopicsPerRequest ?? 50);
  const abort = new AbortController();
  /** Topics whose ping waits for the batch timer. */
  const queued = new Set<string>();
  let batchTimer: NodeJS.Timeout | null = null;
  const deliveries = new Set<Delivery>();
  const idleWaiters: Array<() => void> = [];
  let closing: Promise<void> | null = null;

  function ping(topicUrls: Iterable<string>): void {
    if (closing) return;
    for (const topic of topicUrls) {
      if (queued.has(topic) || waitingFor(topic)) continue;
      queued.add(topic);
    }
    if (queued.size > 0 && batchTimer === null) {
      batchTimer = setTimeout(sendQueued, batchDelayMs);
      batchTimer.unref();
    }
  }

  function waitingFor(topic: string): boolean {
    for (const d of deliveries) if (d.state === 'waiting' && d.topics.includes(topic)) return true;
    return false;
  }

  function sendQueued(): void {
    if (batchTimer) clearTimeout(batchTimer);
    batchTimer = null;
    const topics = [...queued];
    queued.clear();
    for (let i = 0; i < topics.length; i += maxTopics) {
      const delivery: Delivery = { topics: topics.slice(i, i + maxTopics), attempts: 0, state: 'sending', timer: null };
      deliveries.add(delivery);
      void attempt(delivery);
    }
    settleIdle();
  }

  async function attempt(delivery: Delivery): Promise<void> {
    delivery.state = 'sending';
    delivery.timer = null;
    delivery.attempts++;
    const result = await post(delivery.topics);
    if (!deliveries.has(delivery)) return; // dropped by close() meanwhile
    const fields = { topics: delivery.topics.length, attempts: delivery.attempts };
    if (result.ok) {
      options.metrics?.pinged('ok');
      log.info({ ...fields, status: result.status }, 'websub ping sent');
      finish(delivery);
      return;
    }
    const failure = { ...fields, status: result.status, error: result.error };
    if (result.retry && delivery.attempts < maxAttempts && !abort.signal.aborted) {
      options.metrics?.pinged('retry');
      const backoff = Math.min(backoffBaseMs * 2 ** (delivery.attempts - 1), backoffMaxMs);
      const delayMs = Math.min(Math.max(backoff, result.retryAfterMs ?? 0), backoffMaxMs);
      log.debug({ ...failure, retry_in_ms: delayMs }, 'websub ping attempt failed; retrying');
      delivery.state = 'waiting';
      // The retry covers these topics: changes queued for them meanwhile need no request of their own.
      for (const topic of delivery.topics) queued.delete(topic);
      delivery.timer = setTimeout(() => void attempt(delivery), delayMs);
      delivery.timer.unref();
      settleIdle();
      return;
    }
    options.metrics?.pinged('failed');
    log.warn({ code: PING_FAILED, ...failure }, 'websub ping failed');
    finish(delivery);
  }

  function finish(delivery: Delivery): void {
    deliveries.delete(delivery);
    settleIdle();
  }

  async function post(topics: string[]): Promise<AttemptResult> {
    const body = new URLSearchParams({ 'hub.mode': 'publish' });
    for (const topic of topics) body.append('hub.url', topic);
    try {
      const res = await fetch(options.hubUrl, {
        method: 'POST',
        body,
        headers: { 'user-agent': options.userAgent ?? 'khabar', accept: '*/*' },
        redirect: 'manual',
        signal: AbortSignal.any([abort.signal, AbortSignal.timeout(timeoutMs)]),
      });
      const text = res.ok ? '' : await res.text().catch(() => '');
      if (res.ok) {
        await res.body?.cancel().catch(() => undefined);
        return { ok: true, status: res.status };
      }
      const retry = res.status >= 500 || res.status === 408 || res.status === 429;
      const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
      const said = text.replace(/\s+/g, ' ').trim().slice(0, 200);
      const error = location
        ? `hub answered ${res.status}, redirecting to ${location.slice(0, 200)}: set websub_hub to the address it redirects to`
        : `hub answered ${res.status}${said ? `: ${said}` : ''}`;
      return { ok: false, retry, status: res.status, error, retryAfterMs: retryAfterMs(res.headers.get('retry-after')) };
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      const error = timedOut ? `no answer from the hub within ${timeoutMs} ms` : shortErrorMessage((err as { cause?: unknown }).cause ?? err);
      return { ok: false, retry: true, status: null, error, retryAfterMs: null };
    }
  }

  function isIdle(): boolean {
    return queued.size === 0 && batchTimer === null && deliveries.size === 0;
  }

  function settleIdle(): void {
    if (!isIdle()) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  }

  function idle(): Promise<void> {
    if (isIdle()) return Promise.resolve();
    return new Promise((resolve) => idleWaiters.push(resolve));
  }

  function close(graceMs = 0): Promise<void> {
    closing ??= (async function closeWebsubPinger() {
      if (queued.size > 0) sendQueued();
      let graceTimer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<void>((resolve) => {
        graceTimer = setTimeout(resolve, Math.max(0, graceMs));
      });
      await Promise.race([idle(), graceOver]);
      clearTimeout(graceTimer);
      if (isIdle()) return;
      const dropped = [...deliveries];
      deliveries.clear();
      abort.abort();
      for (const d of dropped) if (d.timer) clearTimeout(d.timer);
      const topics = dropped.reduce((n, d) => n + d.topics.length, 0);
      log.warn({ code: PING_FAILED, topics, grace_ms: graceMs }, 'websub pings dropped at shutdown');
      settleIdle();
    })();
    return closing;
  }

  return { hubUrl: options.hubUrl, ping, idle, close };
}

/** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
function retryAfterMs(value: string | null): number | null {
  if (value === null) return null;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}
