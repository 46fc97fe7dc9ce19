import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describePrune, type PruneReport } from '../../src/commands/prune.js';
import { rss2, rssItems } from '../helpers/arabic-feeds.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { runCli } from '../helpers/run-cli.js';

const before = new Date('2026-11-29T00:00:00.000Z');
const settings = { dedupWindowHours: 72, retentionDays: 30 };

describe('describePrune', () => {
  it.each<[string, PruneReport, typeof settings | { dedupWindowHours: number; retentionDays: null }, string[]]>([
    [
      'both parts ran',
      { dedupKeys: 1234, dedupKeysBefore: before, stories: { stories: 5, items: 12 }, storiesBefore: before },
      settings,
      [
        'dedup keys: 1234 removed (entries published before 2026-11-29T00:00:00Z, twice dedup_window_hours 72)',
        'stories: 5 removed with 12 items (newest item before 2026-11-29T00:00:00Z, retention_days 30)',
        'removed 5 stories, 12 items, 1234 dedup keys',
      ],
    ],
    [
      'retention_days unset',
      { dedupKeys: 0, dedupKeysBefore: before },
      { dedupWindowHours: 72, retentionDays: null },
      ['dedup keys: 0 removed (entries published before 2026-11-29T00:00:00Z, twice dedup_window_hours 72)', 'stories: kept (settings.retention_days is unset)', 'removed 0 stories, 0 items, 0 dedup keys'],
    ],
    [
      'another process holds both locks',
      { dedupKeys: null, dedupKeysBefore: before, stories: null, storiesBefore: before },
      settings,
      [
        'dedup keys: skipped (another khabar process is pruning the dedup index)',
        'stories: skipped (another khabar process holds the retention lock)',
        'removed 0 stories, 0 items, 0 dedup keys',
      ],
    ],
  ])('%s', (_name, report, s, lines) => {
    expect(describePrune(report, s)).toBe(`${lines.join('\n')}\n`);
  });
});

describe('khabar prune', () => {
  let dir: string;
  let server: FixtureServer;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'khabar-prune-'));
    // Two reports from three days ago: past retention_days 1, and their index keys past twice dedup_window_hours 1.
    const old = new Date(Date.now() - 3 * 86_400_000).toUTCString();
    server = await startFixtureServer({
      '/rss.xml': { body: rss2(rssItems.map((i) => ({ ...i, date: old }))), contentType: 'application/rss+xml; charset=utf-8' },
    });
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the retention pass and says what it removed: stories, items, dedup keys', async () => {
    const feedsFile = path.join(dir, 'feeds.yaml');
    // retention_days is set after the fetch: with it, the refresh would not store items already past retention.
    writeFileSync(feedsFile, `settings:\n  dedup_window_hours: 1\nfeeds:\n  - id: example\n    name: أخبار المثال\n    url: ${server.url('/rss.xml')}\n`);
    const env = { FEEDS_FILE: feedsFile, DATA_DIR: path.join(dir, 'data') };
    const fetched = await runCli(['fetch', '--once'], env);
    expect(fetched.stdout).toMatch(/^example: 2 new items/m);

    writeFileSync(feedsFile, `settings:\n  dedup_window_hours: 1\n  retention_days: 1\nfeeds:\n  - id: example\n    name: أخبار المثال\n    url: ${server.url('/rss.xml')}\n`);
    const pruned = await runCli(['prune'], env);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/^dedup keys: [1-9]\d* removed \(entries published before .*, twice dedup_window_hours 1\)$/m);
    expect(pruned.stdout).toMatch(/^stories: 2 removed with 2 items \(newest item before .*, retention_days 1\)$/m);
    expect(pruned.stdout).toMatch(/^removed 2 stories, 2 items, [1-9]\d* dedup keys$/m);
  }, 60_000);

  it('rejects arguments with its usage', async () => {
    const r = await runCli(['prune', 'now'], { FEEDS_FILE: path.join(dir, 'feeds.yaml'), DATA_DIR: path.join(dir, 'data') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: khabar prune/);
  });
});
