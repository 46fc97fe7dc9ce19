import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { feedStates } from '../../src/db/schema.js';
import { rss2 } from '../helpers/arabic-feeds.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { runCli } from '../helpers/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('khabar and feed leases', () => {
  let dir: string;
  let server: FixtureServer;
  let feedsFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'khabar-leases-'));
    server = await startFixtureServer({
      '/a.xml': { body: rss2(), contentType: 'application/rss+xml; charset=utf-8', etag: '"a1"' },
      '/b.xml': { body: rss2([]), contentType: 'application/rss+xml; charset=utf-8', etag: '"b1"' },
    });
    feedsFile = path.join(dir, 'feeds.yaml');
    writeFileSync(
      feedsFile,
      `feeds:\n  - id: alpha\n    name: ألف\n    url: ${server.url('/a.xml')}\n  - id: beta\n    name: باء\n    url: ${server.url('/b.xml')}\n`,
    );
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('embedded database: a rerun after a crash refreshes the feeds the dead process had leased', async () => {
    const dataDir = path.join(dir, 'data-crash');
    const env = { FEEDS_FILE: feedsFile, DATA_DIR: dataDir };
    expect((await runCli(['fetch', '--once'], env)).code).toBe(0);
    // What a process killed mid-refresh leaves: its leases for minutes ahead, and its pid in the folder's lock file.
    const handle = await openDatabase({ dataDir });
    await handle.db.update(feedStates).set({ leaseUntil: sql`now() + interval '220 seconds'`, leaseOwner: 'crashed:4242' });
    await handle.close();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(path.join(dataDir, 'khabar.lock'), dead.stdout);

    const rerun = await runCli(['fetch', '--once'], env);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).not.toMatch(/skipped/);
    expect(rerun.stdout).toMatch(/^alpha: not modified$/m);
    expect(rerun.stdout).toMatch(/^beta: not modified$/m);
  }, 90_000);

  describe.skipIf(!process.env.TEST_DATABASE_URL)('on server Postgres', () => {
    let t: TestDatabase;
    let env: Record<string, string>;
    let until: Date;

    beforeAll(async () => {
      t = await createTestDatabase('postgres');
      env = { FEEDS_FILE: feedsFile, DATABASE_URL: t.url! };
      expect((await runCli(['fetch', '--once'], env)).code).toBe(0);
      // Another process (on another machine, as far as this one can tell) is refreshing alpha.
      const [row] = await t.handle.db
        .update(feedStates)
        .set({ leaseUntil: sql`now() + interval '220 seconds'`, leaseOwner: 'news-worker-2:4242' })
        .where(eq(feedStates.feedId, 'alpha'))
        .returning();
      until = row!.leaseUntil!;
    }, 90_000);

    afterAll(async () => {
      await t?.drop();
    });

    it('status names the process holding a lease and until when', async () => {
      const status = await runCli(['status'], env);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(new RegExp(`^alpha\\t.*, leased by news-worker-2:4242 until ${isoSeconds(until)}$`, 'm'));
      expect(status.stdout).toMatch(/^beta\t/m);
      expect(status.stdout).not.toMatch(/^beta\t.*leased/m);

      const json = await runCli(['status', '--json'], env);
      expect(json.code).toBe(0);
      const rows = JSON.parse(json.stdout) as Array<{ id: string; leaseOwner: string | null; leaseUntil: string | null }>;
      expect(rows.find((r) => r.id === 'alpha')).toMatchObject({ leaseOwner: 'news-worker-2:4242', leaseUntil: until.toISOString() });
      expect(rows.find((r) => r.id === 'beta')).toMatchObject({ leaseOwner: null, leaseUntil: null });
    }, 60_000);

    it('fetch --once says which process holds a feed it skips, and refreshes the others', async () => {
      const result = await runCli(['fetch', '--once'], env);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^alpha: skipped \\(leased by news-worker-2:4242 until ${isoSeconds(until)}\\)$`, 'm'));
      expect(result.stdout).toMatch(/^beta: not modified$/m);
      expect(result.stdout).toMatch(/^1 feeds: /m);
    }, 60_000);
  });
});
