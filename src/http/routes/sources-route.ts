import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { isIP } from 'node:net';
import { bareHost, isNonPublicAddress } from '../../pipeline/public-address-guard.js';
import { renderOpml, type OpmlSource } from '../../publish/render-opml.js';

export interface SourcesRouteOptions {
  title: string;
  sources: OpmlSource[];
  cacheSeconds: number;
}

/**
 * `/sources.opml`: the outlets khabar merges, from feeds.yaml (enabled ones), as OPML to import into any reader. Only
 * addresses a subscriber could use and that give nothing away: a feed whose address carries a user name or password,
 * an access key in its query (RSSHub's `?key=`, `token`, `apikey`, …) or a host that is not public (an IP in a private
 * range, a single-label name such as `rsshub`, `.local`/`.internal`/`.lan`) is left out.
 */
export function sourcesRoute(options: SourcesRouteOptions): Hono {
  const app = new Hono();
  const bytes = Buffer.from(renderOpml(options.title, options.sources.filter(isPublicAddress)), 'utf8');
  const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
  app.get('/sources.opml', function serveSources(c) {
    c.header('Cache-Control', `public, max-age=${options.cacheSeconds}`);
    c.header('ETag', etag);
    c.header('Access-Control-Allow-Origin', '*');
    const ifNoneMatch = c.req.header('If-None-Match');
    if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag || tag.trim() === '*')) return c.body(null, 304);
    c.header('Content-Type', 'text/x-opml; charset=utf-8');
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200);
  });
  return app;
}

/** Query parameter names that carry a secret (matched anywhere in the name: access-key, private_token, client_secret). */
const SECRET_PARAMS = /key|token|secret|passw|pass$|auth|sig|code/i;

/** Whether a feed's address may be published (here, on /status and in /api/feeds): see sourcesRoute. */
export function isPublicAddress(source: Pick<OpmlSource, 'url'>): boolean {
  let url: URL;
  try {
    url = new URL(source.url);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '') return false;
  if ([...url.searchParams.keys()].some((k) => SECRET_PARAMS.test(k))) return false;
  const host = bareHost(url.hostname);
  if (isIP(host)) return !isNonPublicAddress(host);
  return host.includes('.') && !/\.(?:local|internal|lan|home|corp|localhost|arpa)$/.test(host);
}
