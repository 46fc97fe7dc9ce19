import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { claimDueFeeds } from '../../src/db/queries/claim-due-feeds.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { feedStates } from '../../src/db/schema.js';
import { feedSource } from '../helpers/test-sources.js';
import { createTestDatabase, testBackends } from '../helpers/test-db.js';

/** The pid of a process that has exited: what a crashed khabar leaves in its lock file. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('the embedded database in a folder', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'khabar-client-'));
    const handle = await openDatabase({ dataDir: dir });
    try {
      await migrateDatabase(handle);
      await syncFeeds(handle.db, [feedSource('a', 'أ', 'http://127.0.0.1:9/a'), feedSource('b', 'ب', 'http://127.0.0.1:9/b')]);
    } finally {
      await handle.close();
    }
  }, 60_000);
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function leaseEverything(owner: string): Promise<void> {
    const handle = await openDatabase({ dataDir: dir });
    try {
      const claimed = await claimDueFeeds(handle.db, { limit: 10, leaseSeconds: 600, owner, ignoreSchedule: true });
      expect(claimed).toHaveLength(2);
    } finally {
      await handle.close();
    }
  }

  it('ends the leases of a process that crashed, once its folder lock is taken over', async () => {
    await leaseEverything('crashed-host:12345');
    // The process died holding the lock: its file names a pid that no longer runs.
    writeFileSync(path.join(dir, 'khabar.lock'), String(deadPid()));
    const handle = await openDatabase({ dataDir: dir });
    try {
      const states = await handle.db.select().from(feedStates);
      expect(states.map((s) => [s.feedId, s.leaseUntil, s.leaseOwner]).sort()).toEqual([
        ['a', null, null],
        ['b', null, null],
      ]);
      // The feeds can be claimed again at once, not after the lease.
      expect(await claimDueFeeds(handle.db, { limit: 10, leaseSeconds: 60, owner: 'me:1', ignoreSchedule: true })).toHaveLength(2);
    } finally {
      await handle.close();
    }
  }, 60_000);

  it('ends leases left behind after a clean stop too: no other process can hold one', async () => {
    await leaseEverything('stopped-host:1');
    const handle = await openDatabase({ dataDir: dir });
    try {
      const rows = await handle.db.select().from(feedStates).where(sql`${feedStates.leaseUntil} is not null`);
      expect(rows).toEqual([]);
    } finally {
      await handle.close();
    }
  }, 60_000);

  it('leaves the database alone when another live process holds the folder', async () => {
    writeFileSync(path.join(dir, 'khabar.lock'), String(process.ppid));
    try {
      await expect(openDatabase({ dataDir: dir })).rejects.toMatchObject({ code: 'DB_LOCKED' });
    } finally {
      rmSync(path.join(dir, 'khabar.lock'), { force: true });
    }
  });

  it('runs PGlite with the shared_buffers it is given (32 MB unless told), in a new folder and an existing one', async () => {
    const fresh = mkdtempSync(path.join(tmpdir(), 'khabar-client-'));
    try {
      // The new folder is created with initdb's own 16 MB in its postgresql.conf: every open overrides it.
      for (const [dataDir, mb] of [[fresh, 24], [fresh, undefined], [dir, undefined]] as const) {
        const handle = await openDatabase({ dataDir, pgliteSharedBuffersMb: mb });
        try {
          const rows = await handle.db.execute(sql`show shared_buffers`);
          expect((rows as unknown as { rows: { shared_buffers: string }[] }).rows[0].shared_buffers).toBe(`${mb ?? 32}MB`);
        } finally {
          await handle.close();
        }
      }
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  }, 60_000);
});

describe.each(testBackends())('bytea read back on %s', (backend) => {
  it('gives every byte value, in order, as a Uint8Array (PGlite: through the native hex parser)', async () => {
    const scratch = await createTestDatabase(backend);
    try {
      const bytes = Uint8Array.from({ length: 600 }, (_, i) => (i * 37 + 11) % 256);
      const hex = Buffer.from(bytes).toString('hex');
      const [row] = await queryRows<{ b: Uint8Array | string; e: Uint8Array | string }>(
        scratch.handle.db,
        sql`select decode(${hex}::text, 'hex') as b, ''::bytea as e`,
      );
      // postgres.js through a raw execute gives bytea as its `\x…` text; PGlite parses it.
      const asBytes = (v: Uint8Array | string) => (typeof v === 'string' ? Buffer.from(v.slice(2), 'hex') : v);
      if (backend === 'pglite') expect(row.b).toBeInstanceOf(Uint8Array);
      expect([...asBytes(row.b)]).toEqual([...bytes]);
      expect([...asBytes(row.e)]).toEqual([]);
    } finally {
      await scratch.drop();
    }
  }, 60_000);
});
