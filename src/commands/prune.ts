import { parseArgs } from 'node:util';
import { loadEnv } from '../config/env.js';
import { loadFeedsFile } from '../config/feeds-file.js';
import { pruneDedupIndex } from '../db/queries/prune-dedup-index.js';
import { pruneOldStories } from '../db/queries/prune-old-stories.js';
import { createLogger } from '../logger.js';
import { openMigratedDatabase } from '../open-migrated-database.js';
import type { CommandIo } from './cluster.js';

const USAGE = `usage: khabar prune
  runs the retention pass now, as the worker does at most hourly: the dedup index's keys of entries published before
  twice dedup_window_hours, and (settings.retention_days) every story whose newest item is older than that, with its items`;

export interface PruneReport {
  /** Null: another process held the lock, so this part was skipped. */
  dedupKeys: number | null;
  /** Undefined: retention_days is unset, stories are kept. Null: another process held the retention lock. */
  stories?: { stories: number; items: number } | null;
  dedupKeysBefore: Date;
  storiesBefore?: Date;
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * `khabar prune`: the worker's hourly retention pass (worker/schedule.ts pruneIfDue), by hand: the same queries with the
 * same cutoffs, except that it runs to the end instead of stopping after the worker's 30 s budget. Exit 0, also when
 * another process is pruning (it says so: that process removes the same rows).
 */
export async function runPruneCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  if (values.help || positionals.length) {
    io.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const env = loadEnv();
  const { settings } = await loadFeedsFile(env.feedsFile);
  const logger = createLogger(env.logLevel, 'stderr');
  const handle = await openMigratedDatabase(env, logger);
  const abort = new AbortController();
  // Ctrl-C stops between batches: what was deleted stays deleted, the rest waits for the next pass.
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const now = Date.now();
    const dedupKeysBefore = new Date(now - 2 * settings.dedupWindowHours * 3_600_000);
    const report: PruneReport = { dedupKeys: await pruneDedupIndex(handle.db, dedupKeysBefore), dedupKeysBefore };
    if (settings.retentionDays) {
      report.storiesBefore = new Date(now - settings.retentionDays * 86_400_000);
      const pruned = await pruneOldStories(handle.db, report.storiesBefore, { signal: abort.signal });
      report.stories = pruned && { stories: pruned.stories, items: pruned.items };
      if (pruned?.more) io.stderr.write('khabar prune: interrupted; expired stories are left for the next pass\n');
    }
    io.stdout.write(describePrune(report, settings));
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await handle.close();
  }
}

/** The lines `khabar prune` prints: one per part of the pass, then the totals. */
export function describePrune(r: PruneReport, settings: { dedupWindowHours: number; retentionDays: number | null }): string {
  const lines: string[] = [];
  lines.push(
    r.dedupKeys === null
      ? 'dedup keys: skipped (another khabar process is pruning the dedup index)'
      : `dedup keys: ${r.dedupKeys} removed (entries published before ${iso(r.dedupKeysBefore)}, twice dedup_window_hours ${settings.dedupWindowHours})`,
  );
  if (r.stories === undefined) lines.push('stories: kept (settings.retention_days is unset)');
  else if (r.stories === null) lines.push('stories: skipped (another khabar process holds the retention lock)');
  else
    lines.push(
      `stories: ${r.stories.stories} removed with ${r.stories.items} items (newest item before ${iso(r.storiesBefore!)}, retention_days ${settings.retentionDays})`,
    );
  const stories = r.stories?.stories ?? 0;
  const items = r.stories?.items ?? 0;
  lines.push(`removed ${stories} stories, ${items} items, ${r.dedupKeys ?? 0} dedup keys`);
  return `${lines.join('\n')}\n`;
}
