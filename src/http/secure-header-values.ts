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
