import { KhabarError } from '../errors.js';
import type { FetchOptions, FetchResult } from './types.js';

/** Used when FetchOptions.userAgent is empty: site owners should be able to tell who is polling them. */
export const defaultUserAgent = 'khabar/0.1 (self-hosted Arabic news aggregator; feed fetcher)';

const acceptHeader =
  'application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5';

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/**
 * Fetches one feed's bytes. The timeout covers every redirect hop and the whole body; the size cap is checked
 * against Content-Length and again while streaming (on decompressed bytes, so a gzip bomb stops early too).
 * Throws KhabarError with a FETCH_* code; never resolves with a non-2xx status.
 */
export async function fetchFeed(url: string, options: FetchOptions): Promise<FetchResult> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const abortFromCaller = () => controller.abort();
  options.signal?.addEventListener('abort', abortFromCaller, { once: true });
  if (options.signal?.aborted) controller.abort();

  try {
    return await fetchFollowingRedirects(url, options, controller.signal);
  } catch (err) {
    if (options.signal?.aborted && !timedOut) {
      throw new KhabarError('FETCH_ABORTED', 'feed request aborted (shutting down)', { cause: err, details: { url } });
    }
    if (timedOut) {
      throw new KhabarError('FETCH_TIMEOUT', `feed request timed out after ${options.timeoutMs} ms`, {
        cause: err,
        details: { url, timeoutMs: options.timeoutMs },
      });
    }
    if (err instanceof KhabarError) throw err;
    // A refusal from the connection's address check (public-address-guard.ts) arrives wrapped by fetch.
    const refused = khabarCause(err);
    if (refused) throw refused;
    throw new KhabarError('FETCH_NETWORK', `feed request failed: ${describeNetworkError(err)}`, { cause: err, details: { url } });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', abortFromCaller);
    // Releases the connection of a body we stopped reading (size cap) or never read.
    controller.abort();
  }
}

async function fetchFollowingRedirects(startUrl: string, options: FetchOptions, signal: AbortSignal): Promise<FetchResult> {
  let current = parseFeedUrl(startUrl, startUrl);
  for (let hop = 0; ; hop++) {
    // Every hop: a redirect must not lead where the first address could not go.
    await options.checkUrl?.(current);
    const headers = buildHeaders(current, options);
    const init = {
      method: 'GET',
      headers,
      redirect: 'manual',
      signal,
      // Node's fetch is undici: it takes a dispatcher, though the DOM RequestInit type does not say so.
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    } as RequestInit;
    const response = await fetchRetryingReset(withoutCredentials(current), init, signal);

    if (redirectStatuses.has(response.status)) {
      await discardBody(response);
      const location = response.headers.get('location');
      if (!location) {
        throw new KhabarError('FETCH_HTTP_STATUS', `HTTP ${response.status} without a Location header`, {
          details: { status: response.status, url: current.href },
        });
      }
      if (hop >= options.maxRedirects) {
        throw new KhabarError('FETCH_TOO_MANY_REDIRECTS', `more than ${options.maxRedirects} redirects`, {
          details: { url: startUrl, lastUrl: current.href, maxRedirects: options.maxRedirects },
        });
      }
      current = parseFeedUrl(location, current.href);
      continue;
    }

    const etag = response.headers.get('etag');
    const lastModified = response.headers.get('last-modified');
    if (response.status === 304) {
      await discardBody(response);
      // Without validators there is nothing the server could have matched: a 304 here is a broken server or cache,
      // and taking it as "unchanged" would leave the feed silently empty forever.
      if (!headers.has('if-none-match') && !headers.has('if-modified-since')) {
        throw new KhabarError('FETCH_HTTP_STATUS', 'HTTP 304 Not Modified to a request without validators', {
          details: { status: 304, url: current.href },
        });
      }
      // A 304 may omit the validators; the ones we sent are still the current ones.
      return {
        status: 'not-modified',
        url: withoutCredentials(current),
        etag: etag ?? options.etag ?? null,
        lastModified: lastModified ?? options.lastModified ?? null,
      };
    }

    if (response.status < 200 || response.status > 299) {
      await discardBody(response);
      throw statusError(response, current.href);
    }

    const body = await readCapped(response, options.maxBytes, current.href);
    return {
      status: 'ok',
      url: withoutCredentials(current),
      httpStatus: response.status,
      body,
      contentType: response.headers.get('content-type'),
      etag,
      lastModified,
    };
  }
}

function parseFeedUrl(raw: string, base: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(raw.trim(), base);
  } catch (err) {
    throw new KhabarError('FETCH_BAD_URL', `not a valid URL: ${raw}`, { cause: err, details: { url: raw } });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new KhabarError('FETCH_BAD_URL', `only http and https feeds can be fetched, got ${parsed.protocol}`, { details: { url: raw } });
  }
  parsed.hash = '';
  return parsed;
}

function buildHeaders(url: URL, options: FetchOptions): Headers {
  const headers = new Headers({
    'user-agent': options.userAgent?.trim() || defaultUserAgent,
    accept: options.accept ?? acceptHeader,
    'accept-encoding': 'gzip, deflate, br',
  });
  if (options.etag) headers.set('if-none-match', options.etag);
  if (options.lastModified) headers.set('if-modified-since', options.lastModified);
  // fetch() refuses URLs with credentials; feeds behind basic auth put them in the URL, so move them to a header.
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    headers.set('authorization', `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`);
  }
  return headers;
}

/** fetch() rejects URLs with user:password, and reporting them would leak the password into logs and the database. */
function withoutCredentials(url: URL): string {
  if (!url.username && !url.password) return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

async function readCapped(response: Response, maxBytes: number, url: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await discardBody(response);
    throw tooLarge(url, maxBytes, declared);
  }
  if (!response.body) return Buffer.alloc(0);

  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(url, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

function tooLarge(url: string, maxBytes: number, declaredBytes?: number): KhabarError {
  return new KhabarError('FETCH_TOO_LARGE', `feed body exceeds ${maxBytes} bytes`, {
    details: { url, maxBytes, ...(declaredBytes === undefined ? {} : { declaredBytes }) },
  });
}

function statusError(response: Response, url: string): KhabarError {
  const status = response.status;
  if (status === 429 || status === 503) {
    const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
    return new KhabarError('FETCH_RATE_LIMITED', `HTTP ${status}${retryAfterSeconds === null ? '' : `, retry after ${retryAfterSeconds} s`}`, {
      details: { status, url, retryAfterSeconds },
    });
  }
  return new KhabarError('FETCH_HTTP_STATUS', `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`, {
    details: { status, url },
  });
}

/** Retry-After is either delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date = new Date()): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

async function discardBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

/** Socket errors that mean the connection died before any answer: a kept-alive connection the server had closed. */
const resetCodes = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/**
 * One retry of a GET whose connection was reset before any response: servers close idle kept-alive connections,
 * and a request sent on one as it closes fails without the feed being at fault (seen on loopback under load).
 */
async function fetchRetryingReset(url: string, init: RequestInit, signal: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    const code = ((err as { cause?: { code?: string } }).cause ?? {}).code;
    if (signal.aborted || !code || !resetCodes.has(code)) throw err;
    return fetch(url, init);
  }
}

function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // undici wraps the socket error ("fetch failed"); the cause says what actually happened.
  const cause = err.cause as { code?: string; message?: string; errors?: { code?: string }[] } | undefined;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  if (code) return `${err.message} (${code})`;
  if (cause?.message) return `${err.message}: ${cause.message}`;
  return err.message;
}

function khabarCause(err: unknown): KhabarError | null {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) if (e instanceof KhabarError) return e;
  return null;
}
