import { parseArgs } from 'node:util';
import { applyHeapGrowth } from './apply-heap-growth.js';
import { loadEnv, type Env } from './config/env.js';
import { loadFeedsFile, type FeedsConfig } from './config/feeds-file.js';
import { loadLeaseHolders } from './db/queries/claim-due-feeds.js';
import { loadFeedHealth, type FeedHealth } from './db/queries/load-feed-health.js';
import { syncFeeds } from './db/queries/sync-feeds.js';
import { reindexIfStale } from './dedup/reindex-stale-entries.js';
import { isKhabarError, toKhabarError } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import { ONE_SHOT_WEBSUB_GRACE_MS, openMigratedDatabase, parsePoolFor, refreshDepsFor, websubPublisherFor } from './open-migrated-database.js';
import type { RefreshResult } from './pipeline/refresh-feed.js';
import { refreshDueFeeds, type PassSummary } from './worker/refresh-due-feeds.js';
import { createProgressReporter, type ProgressReporter, type ProgressStream } from './cli-progress/create-progress-reporter.js';
import { formatProgress } from './cli-progress/format-progress.js';
import type { HeldHangups } from './hold-hangups.js';

const usage = `usage: khabar <command> [options]

commands:
  start            migrate, then run the worker and the HTTP server (the container's command)
  serve            migrate, then run the HTTP server only
  worker           migrate, then run the worker only (for worker replicas)
  fetch --once     one pass over every enabled feed, one line per feed, then exit
                   [--feed ID ...] only these feeds
  status [--json]  each feed's health: last outcome, error, failures in a row, last success,
                   items stored and their typical length
  check-config     validate the environment and the feeds file, then exit
  migrate          apply pending database migrations, then exit
  cluster [--db] FILE|-
                   cluster a JSONL stream of items, print {"id","story"} per item
                   (--db: on the Postgres index in a scratch database, as the worker does)
  import-opml FILE|-
                   print the feeds of an OPML subscription list as feeds.yaml entries
  prune            run the retention pass now (as the worker does hourly): the dedup index's old keys and,
                   with settings.retention_days, old stories with their items; print what was removed
  story show ID [--json]
                   a story's items in dedup order, each with the item it joined through
  story split STORY_ID ITEM_ID [--alone] [--json]
                   move an item, and what joined through it, into a story of its own (kept apart from then on)
  story merge STORY_ID OTHER_ID [--json]
                   join OTHER_ID into STORY_ID (its id and guid lead there from then on)

fetch --once and cluster show progress on stderr: one updating line on a terminal, else a plain line every 10 s
(KHABAR_PROGRESS_INTERVAL_MS)

environment: DATABASE_URL, DATA_DIR, PORT, HOST, LOG_LEVEL, FEEDS_FILE, PUBLIC_URL, DATABASE_POOL_MAX, SHUTDOWN_TIMEOUT_MS
`;

type Io = {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  /** Plain progress lines this often when stderr is not a terminal; default 10 s. */
  progressIntervalMs?: number;
  /** SIGHUPs the entry point caught before the service could (cli.ts): a service applies one as a reload once up. */
  heldHangups?: HeldHangups;
};

export async function runCli(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return startCommand(rest, io, { worker: true, server: true });
    case 'serve':
      return startCommand(rest, io, { worker: false, server: true });
    case 'worker':
      return startCommand(rest, io, { worker: true, server: false });
    case 'fetch':
      return fetchCommand(rest, io);
    case 'check-config':
      return checkConfigCommand(io);
    case 'status':
      return statusCommand(rest, io);
    case 'migrate':
      return migrateCommand(io);
    case 'cluster': {
      const { runClusterCommand } = await import('./commands/cluster.js');
      return runClusterCommand(rest, io);
    }
    case 'story': {
      const { runStoryCommand } = await import('./commands/story.js');
      return runStoryCommand(rest, io);
    }
    case 'prune': {
      const { runPruneCommand } = await import('./commands/prune.js');
      return runPruneCommand(rest, io);
    }
    case 'import-opml': {
      const { runImportOpmlCommand } = await import('./commands/import-opml.js');
      return runImportOpmlCommand(rest, io);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout.write(usage);
      return command === undefined ? 1 : 0;
    default:
      io.stderr.write(`khabar: unknown command "${command}"\n\n${usage}`);
      return 1;
  }
}

/** Config is read and validated before anything starts; a bad config exits 1 with the place of the mistake. */
async function loadConfig(): Promise<{ env: Env; feeds: FeedsConfig }> {
  const env = loadEnv();
  // Before the work that fills the heap: the service and fetch --once start here.
  applyHeapGrowth(env);
  const feeds = await loadFeedsFile(env.feedsFile);
  return { env, feeds };
}

async function startCommand(args: string[], io: Io, roles: { worker: boolean; server: boolean }): Promise<number> {
  if (args.length) throw usageError(`unexpected arguments: ${args.join(' ')}`);
  const { env, feeds } = await loadConfig();
  // The service logs JSON lines to stdout (container convention).
  const logger = createLogger(env.logLevel, 'stdout');
  // Loaded here: the one-shot commands never need the HTTP server, the schedule or the metrics (an idle `fetch --once`
  // holds ~3 MB less without them).
  const { runService } = await import('./main.js');
  await runService(env, feeds, roles, logger, { heldHangups: io.heldHangups });
  return -1; // keep running; the shutdown handler exits
}

async function fetchCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { once: { type: 'boolean' }, feed: { type: 'string', multiple: true } } });
  if (!values.once) throw usageError('fetch needs --once (the scheduled worker is `khabar start` or `khabar worker`)');
  const { env, feeds } = await loadConfig();
  let progress: ProgressReporter | undefined;
  // On a terminal a log line (a failing feed's warning) would be glued to the progress line: it goes above it instead.
  const logger = createLogger(
    env.logLevel,
    (io.stderr as ProgressStream).isTTY ? { write: (line: string) => (progress ? progress.pause(() => io.stderr.write(line)) : void io.stderr.write(line)) } : 'stderr',
  );
  const unknown = (values.feed ?? []).filter((id) => !feeds.feeds.some((f) => f.id === id));
  if (unknown.length) throw usageError(`no feed with id ${unknown.join(', ')} in ${env.feedsFile}`);
  const disabled = (values.feed ?? []).filter((id) => feeds.feeds.some((f) => f.id === id && !f.enabled));
  if (disabled.length) throw usageError(`feed ${disabled.join(', ')} is disabled in ${env.feedsFile} (enabled: false)`);
  const handle = await openMigratedDatabase(env, logger);
  const parser = parsePoolFor(env, logger);
  // With settings.websub_hub, what this pass stores is pinged as the worker would; the exit waits for it, bounded.
  const websub = websubPublisherFor(env, () => feeds, handle, logger);
  try {
    await syncFeeds(handle.db, feeds.feeds);
    // As the worker does before storing: entries fingerprinted by an older release are recomputed first.
    await reindexIfStale(handle.db, { windowHours: feeds.settings.dedupWindowHours, log: logger }).catch((err) =>
      logger.warn({ err }, 'dedup reindex failed; fetching anyway'),
    );
    const reported = new Set<string>();
    const wanted = values.feed ?? feeds.feeds.filter((f) => f.enabled).map((f) => f.id);
    const started = performance.now();
    const done = { feeds: 0, items: 0, errors: 0 };
    const reporter = createProgressReporter({
      stream: io.stderr,
      intervalMs: io.progressIntervalMs,
      render: () =>
        formatProgress({ label: 'fetch', elapsedMs: performance.now() - started, feedsDone: done.feeds, feedsTotal: wanted.length, ...done }),
    });
    progress = reporter;
    reporter.tick();
    let summary: PassSummary;
    try {
      summary = await refreshDueFeeds(refreshDepsFor(handle, feeds, logger, parser, websub ? (change) => websub.storiesChanged(change) : undefined), {
        concurrency: feeds.settings.concurrency,
        ignoreSchedule: true,
        feedIds: values.feed,
        onResult: (result) => {
          reported.add(result.feedId);
          done.feeds++;
          if (result.outcome === 'ok') done.items += result.newItems;
          if (result.outcome === 'error') done.errors++;
          // stdout and stderr are often the same terminal: the feed's line goes above the progress line, not into it.
          reporter.pause(() => io.stdout.write(`${describeResult(result)}\n`));
          reporter.tick();
        },
      });
    } finally {
      reporter.finish(formatProgress({ label: 'fetch', elapsedMs: performance.now() - started, feedsDone: done.feeds, feedsTotal: wanted.length, ...done }));
    }
    // A feed is skipped only when another process holds its lease; say which one, so a stuck lease can be traced.
    const skipped = wanted.filter((w) => !reported.has(w));
    const holders = await loadLeaseHolders(handle.db, skipped);
    for (const id of skipped) {
      const holder = holders.get(id);
      io.stdout.write(
        holder
          ? `${id}: skipped (${describeLease(holder.owner, holder.until)})\n`
          : `${id}: skipped (another khabar process refreshed it during this pass)\n`,
      );
    }
    io.stdout.write(
      `${summary.feeds} feeds: ${summary.ok} ok, ${summary.notModified} not modified, ${summary.failed} failed; ${summary.newItems} new items\n`,
    );
    return 0;
  } finally {
    await websub?.close(ONE_SHOT_WEBSUB_GRACE_MS);
    await parser.close();
    await handle.close();
  }
}

function describeResult(result: RefreshResult): string {
  switch (result.outcome) {
    case 'ok':
      return `${result.feedId}: ${result.newItems} new items (${result.entries} in feed, ${result.charset})`;
    case 'not-modified':
      return `${result.feedId}: not modified`;
    case 'error':
      return `${result.feedId}: error ${result.code}: ${result.message}`;
  }
}

async function statusCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const env = loadEnv();
  const logger = createLogger(env.logLevel, 'stderr');
  const handle = await openMigratedDatabase(env, logger);
  try {
    const rows = await loadFeedHealth(handle.db);
    if (values.json) {
      io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    if (rows.length === 0) io.stderr.write('no feeds in the database yet: start, worker or fetch --once syncs them from the feeds file\n');
    for (const r of rows) io.stdout.write(`${feedHealthLine(r)}\n`);
    return 0;
  } finally {
    await handle.close();
  }
}

/** Below this many words per item (median of the last 20), a feed carries leads, not articles. */
const LEAD_ONLY_WORDS = 80;

/** One `khabar status` line: id, state, last success, next fetch, items and their typical length, the last error. */
export function feedHealthLine(r: FeedHealth): string {
  const state = !r.enabled ? 'disabled' : r.lastOutcome;
  let text = `${r.items} items`;
  if (r.typicalWords !== null) text += `, ~${r.typicalWords} words each`;
  // Copies of one report are recognised far better on whole articles than on leads (README: Full text).
  if (r.typicalWords !== null && r.items >= 5 && r.typicalWords < LEAD_ONLY_WORDS && !r.fullText) text += ' (leads only: full_text: true would store the articles)';
  if (r.fullText) text += ', full_text';
  if (r.leaseUntil) text += `, ${describeLease(r.leaseOwner, r.leaseUntil)}`;
  const error = r.lastErrorCode ? ` ${r.lastErrorCode} (${r.consecutiveFailures} in a row): ${r.lastErrorMessage}` : '';
  return `${r.id}\t${state}\tlast success ${iso(r.lastSuccessAt)}\tnext ${iso(r.nextFetchAt)}\t${text}${error}`;
}

const iso = (d: Date | null) => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-');

/** `leased by HOST:PID until TIME`: the process refreshing a feed, as `status` and `fetch --once` name it. */
function describeLease(owner: string | null, until: Date): string {
  return `leased by ${owner ?? 'an older khabar release (owner not recorded)'} until ${iso(until)}`;
}

async function checkConfigCommand(io: Io): Promise<number> {
  const { env, feeds } = await loadConfig();
  const enabled = feeds.feeds.filter((f) => f.enabled).length;
  io.stdout.write(
    `${env.feedsFile}: ok, ${feeds.feeds.length} feeds (${enabled} enabled), schedule "${feeds.settings.schedule}"\n` +
      `database: ${env.databaseUrl ? 'postgres (DATABASE_URL)' : `embedded PGlite in ${env.dataDir}`}\n`,
  );
  return 0;
}

async function migrateCommand(io: Io): Promise<number> {
  const env = loadEnv();
  const logger = createLogger(env.logLevel, 'stderr');
  const handle = await openMigratedDatabase(env, logger);
  await handle.close();
  io.stdout.write(`migrations applied (${handle.kind})\n`);
  return 0;
}

/**
 * KHABAR_PROGRESS_INTERVAL_MS is read here, not in config/env.ts: it shapes only the CLI's stderr, never the service.
 */
function progressIntervalFrom(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1) throw usageError(`KHABAR_PROGRESS_INTERVAL_MS must be a whole number of milliseconds, at least 1 (got "${value}")`);
  return ms;
}

function usageError(message: string) {
  return Object.assign(new Error(message), { usage: true });
}

/** The process's command line, run (cli.ts): exit code, or a running service that its shutdown handler ends. */
export async function main(heldHangups?: HeldHangups): Promise<void> {
  const io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, heldHangups };
  try {
    io.progressIntervalMs = progressIntervalFrom(process.env.KHABAR_PROGRESS_INTERVAL_MS);
    const code = await runCli(process.argv.slice(2), io);
    if (code >= 0) process.exitCode = code;
  } catch (err) {
    reportFatal(err, io.stderr);
    // Exit now: a half-started service may still hold timers or sockets that would keep the process alive.
    process.exit(1);
  }
}

function reportFatal(err: unknown, stderr: NodeJS.WritableStream, logger?: Logger): void {
  if ((err as { usage?: boolean }).usage) {
    stderr.write(`khabar: ${(err as Error).message}\n`);
    return;
  }
  const e = toKhabarError(err);
  const lines = e.message.split('\n');
  // Config errors list one problem per line (file:line:col: field: message); keep them one per line.
  stderr.write(
    lines.length > 1
      ? `khabar: ${e.code}\n${lines.map((l) => `  ${l.trim()}`).join('\n')}\n`
      : `khabar: ${e.message}${isKhabarError(err) ? ` [${e.code}]` : ''}\n`,
  );
  logger?.fatal({ err: e, code: e.code }, 'fatal');
}
