import net from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/client.js';
import { createApp } from '../../src/http/create-app.js';
import type { HealthCheck } from '../../src/http/routes/health-routes.js';
import { silentLogger } from '../../src/logger.js';
import { migrationsCheck, workerCheck, type WorkerPasses } from '../../src/metrics/readiness-checks.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

function databaseHealth(handle: DatabaseHandle): HealthCheck {
  return async () => {
    try {
      await handle.db.execute(sql`select 1`);
      return { ok: true, details: { kind: handle.kind } };
    } catch {
      return { ok: false, details: { kind: handle.kind } };
    }
  };
}

function appWith(handle: DatabaseHandle, worker: WorkerPasses | null = null, clock?: () => number) {
  return createApp({
    feedStore: { version: async () => 'v', load: async () => ({ title: '', description: '', language: 'ar', homeUrl: '', feedUrls: {} as never, id: '', updatedAt: null, stories: [] }) } as never,
    logger: silentLogger(),
    config: { publicUrl: 'http://khabar.test', feedTitle: 'خبر', cacheSeconds: 0 },
    health: databaseHealth(handle),
    readiness: [migrationsCheck(handle.db), ...(worker ? [workerCheck(() => worker, clock)] : [])],
  });
}

/** A TCP proxy the test can cut (every connection dropped, new ones refused) and restore. */
async function startProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let cut = false;
  const server = net.createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        sockets.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      cut = false;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const serverUrl = process.env.TEST_DATABASE_URL;
if (!serverUrl) console.warn('TEST_DATABASE_URL is not set: skipping /readyz through a cut connection to server Postgres');

describe.skipIf(!serverUrl)('/readyz when the database goes away (server Postgres through a proxy)', () => {
  let t: TestDatabase;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    const direct = new URL(t.url!);
    proxy = await startProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const proxied = new URL(t.url!);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    handle = await openDatabase({ databaseUrl: proxied.toString(), dataDir: 'unused', poolMax: 2 });
  });

  afterAll(async () => {
    await handle?.close().catch(() => {});
    await proxy?.close();
    await t?.drop();
  });

  it('is 200 naming every check, 503 naming the database while cut, and 200 again once restored', async () => {
    const app = appWith(handle);
    const up = await app.request('/readyz');
    expect(up.status).toBe(200);
    expect(up.headers.get('cache-control')).toBe('no-store');
    const upBody = (await up.json()) as any;
    expect(upBody.status).toBe('ready');
    expect(upBody.checks.database.ok).toBe(true);
    expect(upBody.checks.migrations).toMatchObject({ ok: true });

    proxy.cut();
    const down = await app.request('/readyz');
    expect(down.status).toBe(503);
    const downBody = (await down.json()) as any;
    expect(downBody.status).toBe('not_ready');
    expect(downBody.failing).toContain('database');
    expect(downBody.checks.database.ok).toBe(false);
    // No driver message (which can name hosts) on the public endpoint.
    expect(JSON.stringify(downBody)).not.toContain('127.0.0.1');
    expect((await app.request('/healthz')).status).toBe(200);

    proxy.restore();
    let again: Response | undefined;
    for (let i = 0; i < 50; i++) {
      again = await app.request('/readyz');
      if (again.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(again!.status).toBe(200);
    expect(((await again!.json()) as any).checks.database.ok).toBe(true);
  }, 30_000);
});

describe('/readyz checks (PGlite)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('fails the worker check once the last pass is older than three schedule periods', async () => {
    let now = 1_000_000_000;
    let lastPass: number | null = null;
    const worker: WorkerPasses = { startedAt: now, periodMs: 600_000, lastPassAt: () => lastPass };
    const app = appWith(t.handle, worker, () => now);
    // Before the first pass ends, counted from the start.
    now += 1_000;
    expect((await app.request('/readyz')).status).toBe(200);
    lastPass = now;
    now += 3 * 600_000;
    const edge = await app.request('/readyz');
    expect(edge.status).toBe(200);
    expect(((await edge.json()) as any).checks.worker).toMatchObject({ ok: true, age_seconds: 1800, max_age_seconds: 1800 });
    now += 1_000;
    const stale = await app.request('/readyz');
    expect(stale.status).toBe(503);
    const body = (await stale.json()) as any;
    expect(body.failing).toEqual(['worker']);
    expect(body.checks.worker.last_pass_at).toBe(new Date(lastPass).toISOString());
  });

  it('names the migrations that are not applied', async () => {
    await t.handle.db.execute(sql`delete from drizzle.__drizzle_migrations where id = (select max(id) from drizzle.__drizzle_migrations)`);
    const res = await appWith(t.handle).request('/readyz');
    expect(res.status).toBe(503);
    const body = (await res.json()) as any;
    expect(body.failing).toEqual(['migrations']);
    expect(body.checks.migrations.ok).toBe(false);
    expect(body.checks.migrations.pending).toHaveLength(1);
    expect(body.checks.database.ok).toBe(true);
  });
});
