import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

export type SecureHeadersOptions = NonNullable<Parameters<typeof secureHeaders>[0]>;

/**
 * The headers Hono's secureHeaders adds with these options, read once from a probe response. Routes that send
 * prebuilt header records (the feeds) carry exactly what the middleware would set, without running it per request:
 * it sets each header on the finished Response, which turns node-server's lightweight response into a full fetch
 * Response with a ReadableStream body (see bench:serve).
 */
export async function secureHeaderValues(options: SecureHeadersOptions): Promise<Readonly<Record<string, string>>> {
  const probe = new Hono();
  probe.use(secureHeaders(options));
  probe.get('/', function probeResponse(c) {
    return c.body(null, 204);
  });
  const res = await probe.request('/');
  return Object.freeze(Object.fromEntries(res.headers));
}

/**
 * The security headers a feed document needs, out of `all` (secureHeaderValues). A feed is read by parsers, and in a
 * browser it must not become a page: `nosniff` keeps it from being taken for HTML, and a CSP of `default-src 'none';
 * sandbox` gives it no script, no subresources and an opaque origin should a browser render it anyway. What the rest
 * of the set governs — framing, openers, referrers, DNS prefetch, IE's download prompt, Flash policies, the XSS
 * auditor — belongs to HTML pages, which keep the full set; on every feed response those ten headers would be a
 * third of what the server writes (bench:serve, --bare-headers all). HSTS and the resource policy stay: they are
 * about how the URL is fetched, not what the document does.
 */
export function feedDocumentHeaders(all: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const kept: Record<string, string> = { 'content-security-policy': "default-src 'none'; sandbox" };
  for (const name of ['cross-origin-resource-policy', 'strict-transport-security', 'x-content-type-options']) {
    if (all[name] !== undefined) kept[name] = all[name];
  }
  return Object.freeze(kept);
}
