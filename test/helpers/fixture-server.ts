/**
 * A real HTTP server on 127.0.0.1 (port 0) for tests that need to fetch something.
 *
 *   const server = await startFixtureServer({
 *     '/feed.xml': { body: rssText, contentType: 'application/rss+xml; charset=utf-8', etag: '"v1"' },
 *     '/old': { redirectTo: '/feed.xml' },
 *   });
 *   await fetchFeed(server.url('/feed.xml'), options);
 *   server.requestsTo('/feed.xml')[0].headers['if-none-match'];
 *   await server.close();
 *
 * Routes can be added or replaced at any time with `server.route(path, spec)`; a function spec is a plain
 * node:http handler for anything the options do not cover. Unknown paths answer 404 and are still recorded.
 * `close()` destroys open sockets, so stalled and endless responses never keep a test alive.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

export interface RouteOptions {
  /** Default 200 (or 302 with `redirectTo`). */
  status?: number;
  body?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** Sent as ETag; a matching If-None-Match gets 304. */
  etag?: string;
  /** Sent as Last-Modified; an equal If-Modified-Since gets 304. */
  lastModified?: string;
  /** Location header (relative or absolute); status defaults to 302. */
  redirectTo?: string;
  /** Compress the body with this coding (only when the client accepts it). */
  compress?: 'gzip' | 'deflate' | 'br';
  /** Wait this long before sending the status line. */
  delayMs?: number;
  /** Send headers and the start of the body, then never finish. */
  stall?: boolean;
  /** Stream chunks of this many bytes forever (no Content-Length). */
  endlessChunkBytes?: number;
  /** Omit Content-Length (chunked transfer), e.g. to test a size cap enforced while streaming. */
  chunked?: boolean;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void;
export type RouteSpec = RouteOptions | RouteHandler;

export interface RecordedRequest {
  method: string;
  /** Path plus query string, as requested. */
  path: string;
  headers: IncomingHttpHeaders;
}

export interface FixtureServer {
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  url(path: string): string;
  route(path: string, spec: RouteSpec): void;
  /** Every request received, in order (including 404s). */
  readonly requests: RecordedRequest[];
  requestsTo(path: string): RecordedRequest[];
  /** Forget recorded requests (routes stay). */
  clearRequests(): void;
  close(): Promise<void>;
}

export async function startFixtureServer(routes: Record<string, RouteSpec> = {}): Promise<FixtureServer> {
  const table = new Map<string, RouteSpec>(Object.entries(routes));
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer(function handleFixtureRequest(req, res) {
    const path = req.url ?? '/';
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    const spec = table.get(path) ?? table.get(path.split('?')[0]!);
    if (!spec) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (typeof spec === 'function') {
      spec(req, res);
      return;
    }
    const respond = () => serveRoute(req, res, spec);
    if (spec.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        respond();
      }, spec.delayMs);
      timers.add(timer);
    } else {
      respond();
    }
  });
  // Keep-alive sockets would otherwise hold close() open until they time out.
  server.keepAliveTimeout = 1;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    url: (path) => origin + (path.startsWith('/') ? path : `/${path}`),
    route: (path, spec) => void table.set(path, spec),
    requests,
    requestsTo: (path) => requests.filter((r) => r.path === path || r.path.split('?')[0] === path),
    clearRequests: () => void requests.splice(0),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function serveRoute(req: IncomingMessage, res: ServerResponse, spec: RouteOptions): void {
  const headers: Record<string, string> = { ...spec.headers };
  if (spec.contentType) headers['content-type'] = spec.contentType;
  if (spec.etag) headers['etag'] = spec.etag;
  if (spec.lastModified) headers['last-modified'] = spec.lastModified;

  if (spec.redirectTo !== undefined) {
    res.writeHead(spec.status ?? 302, { ...headers, location: spec.redirectTo }).end();
    return;
  }

  const inm = req.headers['if-none-match'];
  const ims = req.headers['if-modified-since'];
  const etagMatches = spec.etag !== undefined && inm !== undefined && inm.split(/\s*,\s*/).includes(spec.etag);
  const dateMatches = spec.lastModified !== undefined && inm === undefined && ims === spec.lastModified;
  if (etagMatches || dateMatches) {
    res.writeHead(304, headers).end();
    return;
  }

  const status = spec.status ?? 200;
  if (spec.endlessChunkBytes) {
    res.writeHead(status, headers);
    const chunk = Buffer.alloc(spec.endlessChunkBytes, 0x61);
    // Respect backpressure so an endless body does not fill the test process's memory.
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
    return;
  }

  let body = typeof spec.body === 'string' ? Buffer.from(spec.body, 'utf8') : (spec.body ?? Buffer.alloc(0));
  const accepted = String(req.headers['accept-encoding'] ?? '');
  if (spec.compress && accepted.includes(spec.compress)) {
    body = spec.compress === 'gzip' ? gzipSync(body) : spec.compress === 'deflate' ? deflateSync(body) : brotliCompressSync(body);
    headers['content-encoding'] = spec.compress;
  }

  if (spec.stall) {
    res.writeHead(status, headers);
    res.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))));
    // Never ends: the client's timeout must fire. close() destroys the socket.
    return;
  }
  if (!spec.chunked) headers['content-length'] = String(body.length);
  res.writeHead(status, headers);
  if (spec.chunked) {
    // Several writes so the client sees more than one chunk.
    const step = Math.max(1, Math.ceil(body.length / 4));
    for (let i = 0; i < body.length; i += step) res.write(body.subarray(i, i + step));
    res.end();
    return;
  }
  res.end(body);
}
