import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { migrationsFolder } from '../db/migrate.js';
import type { CheckOutcome, ReadinessCheck } from '../http/routes/health-routes.js';

interface Journal {
  entries: { tag: string; when: number }[];
}

/**
 * Migrations current: every migration bundled with this release (drizzle/meta/_journal.json) is in the database's
 * drizzle.__drizzle_migrations, matched as drizzle's migrator does, by the journal's `when`. A database migrated by a
 * newer release (more rows) is still current for this one.
 */
export function migrationsCheck(db: Database, folder: string = migrationsFolder()): ReadinessCheck {
  const journal = JSON.parse(readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as Journal;
  const bundled = journal.entries.map((entry) => ({ tag: entry.tag, when: entry.when }));
  let confirmed = false;
  return {
    name: 'migrations',
    run: async function migrationsCurrent(): Promise<CheckOutcome> {
      // Applied migrations are never taken back, so once current this stays current for the process.
      if (confirmed) return { ok: true, bundled: bundled.length };
      const result = await db.execute(sql`select created_at from drizzle.__drizzle_migrations`);
      const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { created_at: string | number }[];
      const applied = new Set(rows.map((row) => Number(row.created_at)));
      const pending = bundled.filter((entry) => !applied.has(entry.when)).map((entry) => entry.tag);
      confirmed = pending.length === 0;
      return confirmed ? { ok: true, bundled: bundled.length } : { ok: false, bundled: bundled.length, applied: applied.size, pending };
    },
  };
}

/** What the worker check reads from the worker running in this process (schedule.ts's Worker). */
export interface WorkerPasses {
  lastPassAt(): number | null;
  readonly startedAt: number;
  readonly periodMs: number;
}

/**
 * The worker's last pass is no older than three schedule periods (before the first pass ends, counted from the
 * worker's start). `current` is read at each probe: a config reload replaces the worker.
 */
export function workerCheck(current: () => WorkerPasses | null, clock: () => number = Date.now): ReadinessCheck {
  return {
    name: 'worker',
    run: async function workerPassRecent(): Promise<CheckOutcome> {
      const worker = current();
      if (worker === null) return { ok: false, error: 'worker not running' };
      const last = worker.lastPassAt();
      const ageSeconds = Math.round((clock() - (last ?? worker.startedAt)) / 1000);
      const maxAgeSeconds = Math.round((3 * worker.periodMs) / 1000);
      return {
        ok: ageSeconds <= maxAgeSeconds,
        last_pass_at: last === null ? null : new Date(last).toISOString(),
        age_seconds: ageSeconds,
        max_age_seconds: maxAgeSeconds,
      };
    },
  };
}
