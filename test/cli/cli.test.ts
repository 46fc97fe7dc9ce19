import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rss2 } from '../helpers/arabic-feeds.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { freePort, runCli, spawnCli } from '../helpers/run-cli.js';
import { waitFor } from '../helpers/wait-for.js';

describe('the khabar command', () => {
  let dir: string;
  let server: FixtureServer;
  let feedsFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'khabar-cli-'));
    server = await startFixtureServer({
      '/rss.xml': { body: rss2(), contentType: 'application/rss+xml; charset=utf-8', etag: '"v1"' },
    });
    feedsFile = path.join(dir, 'feeds.yaml');
    writeFileSync(
      feedsFile,
      `feeds:
  - id: example
    name: أخبار المثال
    url: ${server.url('/rss.xml')}
  - id: down
    name: مصدر متوقف
    url: http://127.0.0.1:9/feed.xml
`,
    );
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('check-config rejects a bad feeds file with the file, line and field, and exit code 1', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'feeds:\n  - id: ok\n    name: x\n    url: https://a.example/rss\n  - id: Bad_Id\n    name: y\n    url: notaurl\n');
    const result = await runCli(['check-config'], { FEEDS_FILE: bad, DATA_DIR: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bad\.yaml:5:\d+: feeds\[1\]\.id/);
    expect(result.stderr).toMatch(/bad\.yaml:7:\d+: feeds\[1\]\.url/);
    expect(result.stdout).toBe('');
  });

  it('check-config rejects a bad environment variable by name', async () => {
    const result = await runCli(['check-config'], { FEEDS_FILE: feedsFile, PORT: 'eighty' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT');
  });

  it('fetch --once prints one line per feed, survives a dead source, and 304s the second time', async () => {
    const env = { FEEDS_FILE: feedsFile, DATA_DIR: path.join(dir, 'data-fetch') };
    const first = await runCli(['fetch', '--once'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^example: 2 new items/m);
    expect(first.stdout).toMatch(/^down: error FETCH_NETWORK/m);
    const second = await runCli(['fetch', '--once'], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^example: not modified$/m);
    expect(server.requestsTo('/rss.xml').at(-1)!.headers['if-none-match']).toBe('"v1"');

    const status = await runCli(['status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^down\terror\t.*FETCH_NETWORK \(2 in a row\)/m);
    expect(status.stdout).toMatch(/^example\tnot-modified\t/m);
    // Three processes, each opening embedded Postgres and migrating it: ~9 s alone, 30 s and more beside the suite.
  }, 120_000);

  it('start serves the merged feed from embedded Postgres, refuses a second process on the same folder, and stops on SIGTERM', async () => {
    const port = await freePort();
    const env = { FEEDS_FILE: feedsFile, DATA_DIR: path.join(dir, 'data-start'), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' };
    const child = spawnCli(['start'], env);
    let stdout = '';
    child.stdout!.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor(async () => (await fetch(`${base}/healthz`)).ok);
      // A request before the worker's first pass stored anything caches the empty feed for max-age (30 s).
      await waitFor(async () => {
        const feed = await new Parser().parseString(await (await fetch(`${base}/feed.xml`)).text());
        return feed.items.length === 2;
      }, 60_000);
      const second = await runCli(['fetch', '--once'], env);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain('DB_LOCKED');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // The service logs JSON lines to stdout.
    const lines = stdout.trim().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  }, 120_000);

  it('worker with METRICS_PORT answers its own probes and scrapes (and serves nothing else)', async () => {
    const port = await freePort();
    const env = { FEEDS_FILE: feedsFile, DATA_DIR: path.join(dir, 'data-worker'), METRICS_PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
    const child = spawnCli(['worker'], env);
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor(async () => (await fetch(`${base}/healthz`)).ok, 90_000);
      // The worker's first pass fetches both feeds: the counts are this process's own.
      await waitFor(async () => /khabar_fetches_total\{outcome="error",code="FETCH_NETWORK"\} 1/.test(await (await fetch(`${base}/metrics`)).text()), 60_000);
      const ready = (await (await fetch(`${base}/readyz`)).json()) as { checks: Record<string, unknown> };
      expect(Object.keys(ready.checks)).toEqual(expect.arrayContaining(['database', 'migrations', 'worker']));
      expect((await fetch(`${base}/feed.xml`)).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 180_000);
});
