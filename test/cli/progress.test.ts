import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rss2 } from '../helpers/arabic-feeds.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { cliEnv, repoRoot, runCli, type CliResult } from '../helpers/run-cli.js';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const CONTROL = /[\r\u001b]/;
const CLEAR_LINE = '\r\x1b[K';

/**
 * `khabar <args>` on a pseudo-terminal: util-linux `script` gives the command a terminal for stdin, stdout and stderr
 * and copies what it shows to its own stdout. stdout can go to a file instead (`stdoutFile`), leaving only stderr on it.
 */
function runOnTerminal(args: string[], env: Record<string, string>, stdoutFile?: string): Promise<CliResult> {
  const command = [process.execPath, '--import', 'tsx', path.join(repoRoot, 'src/cli.ts'), ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', stdoutFile ? `${command} > ${quote(stdoutFile)}` : command, '/dev/null'], {
      cwd: repoRoot,
      env: cliEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('progress on stderr', () => {
  let dir: string;
  let items: string;
  let server: FixtureServer;
  let feedsFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'khabar-progress-'));
    items = path.join(dir, 'items.jsonl');
    const t0 = Date.UTC(2026, 10, 1);
    const rows = Array.from({ length: 300 }, (_, i) =>
      JSON.stringify({ id: `i${i}`, source: `s${i % 5}`, title: `خبر رقم ${i % 40}`, content: `نص الخبر عن الموضوع ${i % 40} في العاصمة اليوم`, published: new Date(t0 + i * 60_000).toISOString() }),
    );
    writeFileSync(items, `${rows.join('\n')}\n`);
    server = await startFixtureServer({ '/rss.xml': { body: rss2(), contentType: 'application/rss+xml; charset=utf-8', etag: '"v1"' } });
    feedsFile = path.join(dir, 'feeds.yaml');
    writeFileSync(
      feedsFile,
      `feeds:\n  - id: example\n    name: أخبار المثال\n    url: ${server.url('/rss.xml')}\n  - id: down\n    name: مصدر متوقف\n    url: http://127.0.0.1:9/feed.xml\n`,
    );
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('cluster on a terminal: one line updated in place (\\r, erase to end of line), cleared before the summary; stdout untouched', async () => {
    const out = path.join(dir, 'terminal.jsonl');
    const r = await runOnTerminal(['cluster', items], {}, out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\r\x1b\[Kcluster: \d+ items?, [\d.]+ items\/s, \d+ stor(y|ies), \d+\.\d s/);
    expect(r.stdout).toMatch(/\r\x1b\[K300 items in \d+\.\d+ s, \d+ items\/s, \d+ stories\r?\n$/);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(300);
    expect(lines.join('')).not.toMatch(CONTROL);
    expect(JSON.parse(lines[0])).toEqual({ id: 'i0', story: 'i0' });
  });

  it('cluster through a pipe: plain lines every KHABAR_PROGRESS_INTERVAL_MS and the summary, no control characters', async () => {
    const r = await runCli(['cluster', items], { KHABAR_PROGRESS_INTERVAL_MS: '1' });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(CONTROL);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines.slice(0, -1)) expect(l).toMatch(/^cluster: \d+ items?, [\d.]+ items\/s, \d+ stor(y|ies), \d+\.\d s$/);
    expect(lines.at(-1)).toMatch(/^300 items in \d+\.\d+ s, \d+ items\/s, \d+ stories$/);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(300);
  });

  it('cluster through a pipe with the default interval: only the summary', async () => {
    const r = await runCli(['cluster', items], {});
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^300 items in \d+\.\d+ s, \d+ items\/s, \d+ stories\n$/);
  });

  it('fetch --once through a pipe: the per-feed lines on stdout as before, plain progress lines and a summary on stderr', async () => {
    const r = await runCli(['fetch', '--once'], { FEEDS_FILE: feedsFile, DATA_DIR: path.join(dir, 'data'), KHABAR_PROGRESS_INTERVAL_MS: '1' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^example: 2 new items/m);
    expect(r.stdout).toMatch(/^down: error FETCH_NETWORK/m);
    expect(r.stdout).toMatch(/^2 feeds: 1 ok, 0 not modified, 1 failed; 2 new items$/m);
    expect(r.stdout).not.toMatch(/fetch: /);
    expect(r.stderr).not.toMatch(CONTROL);
    const progress = r.stderr.split('\n').filter((l) => l.startsWith('fetch: '));
    expect(progress.length).toBeGreaterThan(1);
    for (const l of progress) expect(l).toMatch(/^fetch: [0-2]\/2 feeds, \d+ items?, [\d.]+ items\/s, \d+ errors?, \d+\.\d s$/);
    expect(progress.at(-1)).toMatch(/^fetch: 2\/2 feeds, 2 items, [\d.]+ items\/s, 1 error, /);
    // The first open of an embedded database creates it: 3 s alone, over 15 s with the other core busy.
  }, 60_000);

  // The database of the test above, when it ran: a second open of an embedded database is several times faster than the first.
  it('fetch --once on a terminal: the progress line is cleared before each feed line, and at the end', async () => {
    const r = await runOnTerminal(['fetch', '--once'], { FEEDS_FILE: feedsFile, DATA_DIR: path.join(dir, 'data') });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${CLEAR_LINE}fetch: 0/2 feeds, 0 items`);
    // Every feed line starts a clean terminal line: right after the clear, never glued to a progress line.
    expect(r.stdout).toMatch(/\r\x1b\[K(example: (2 new items|not modified)|down: error FETCH_NETWORK)/);
    // Nor is a log line (the failing feed's warning, LOG_LEVEL=warn).
    expect(r.stdout).toMatch(/\r\x1b\[K\{"level":40,.*"feed_id":"down"/);
    expect(r.stdout).not.toMatch(/items\/s[^\r\n]*(example|down|\{)/);
    expect(r.stdout).toMatch(/\r\x1b\[Kfetch: 2\/2 feeds, \d+ items?, [\d.]+ items\/s, 1 error, \d+\.\d s\r?\n/);
    expect(r.stdout).toMatch(/^2 feeds: /m);
  });

  it('rejects a KHABAR_PROGRESS_INTERVAL_MS that is not a whole number of milliseconds', async () => {
    const r = await runCli(['cluster', items], { KHABAR_PROGRESS_INTERVAL_MS: '10s' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('KHABAR_PROGRESS_INTERVAL_MS');
    expect(r.stdout).toBe('');
  });
});
