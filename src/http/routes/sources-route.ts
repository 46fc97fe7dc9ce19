import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { renderOpml, type OpmlSource } from '../../publish/render-opml.js';

export interface SourcesRouteOptions {
  title: string;
  sources: OpmlSource[];
  cacheSeconds: number;
}

/**
 * `/sources.opml`: the outlets khabar merges, from feeds.yaml (enabled ones), as OPML to import into any reader. A feed
 * whose address carries a user name or password (basic auth) is private: it is left out, never published.
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

function isPublicAddress(source: OpmlSource): boolean {
  try {
    const url = new URL(source.url);
    return url.username === '' && url.password === '';
  } catch {
    return false;
  }
}
