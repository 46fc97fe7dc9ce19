import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rss2 } from '../helpers/arabic-feeds.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { freePort, runCli, spawnCli } from '../helpers/run-cli.js';
import { createTestDatabase, testBackends, type Backend } from '../helpers/test-db.js';
import { waitFor } from '../helpers/wait-for.js';

interface LogLine {
  msg: string;
  level: number;
  trigger?: string;
  added?: string[];
  removed?: string[];
  changed?: string[];
  settings?: string[];
  worker_restarted?: boolean;
  error?: string;
}

describe('khabar start reloads feeds.yaml', () => {
  let dir: string;
  let server: FixtureServer;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'khabar-reload-'));
    const feed = { body: rss2(), contentType: 'application/rss+xml; charset=utf-8' };
    // One set of paths per backend, so that each run counts only its own fetches.
    server = await startFixtureServer(Object.fromEntries(testBackends().flatMap((b) => ['a', 'b', 'c'].map((id) => [`/${b}/${id}.xml`, feed]))));
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A feeds file; every tick every two seconds so that a feed's fetches can be counted. */
  const feedsYaml = (opts: { title: string; concurrency: number; feeds: string[] }) =>
    [
      'settings:',
      '  schedule: "*/2 * * * * *"',
      `  concurrency: ${opts.concurrency}`,
      '  timeout_seconds: 3',
      `  title: ${opts.title}`,
      'feeds:',
      ...opts.feeds,
      '',
    ].join('\n');
  const localFeed = (backend: Backend, id: string, category?: string) => [
    `  - id: ${id}`,
    `    name: مصدر ${id}`,
    `    url: ${server.url(`/${backend}/${id}.xml`)}`,
    ...(category ? [`    category: ${category}`] : []),
  ];
  // A public-looking address (.example never resolves): the only kind /sources.opml lists.
  const outlet = ['  - id: x', '    name: منفذ عام', '    url: https://outlet.example/rss'];

  for (const backend of testBackends()) {
    it(`picks up added and removed feeds after a rename and after SIGHUP, and keeps running on a broken edit (${backend})`, async () => {
      await scenario(backend);
    }, 240_000);
  }

  async function scenario(backend: Backend): Promise<void> {
    const local = (id: string, category?: string) => localFeed(backend, id, category);
    const run = path.join(dir, backend);
    mkdirSync(run);
    const feedsFile = path.join(run, 'feeds.yaml');
    const database = backend === 'postgres' ? await createTestDatabase('postgres') : null;
    const dbEnv: Record<string, string> = database ? { DATABASE_URL: database.url! } : { DATA_DIR: path.join(run, 'data') };
    /** As editors and ConfigMaps do: a new file renamed over the old one. */
    const replace = (text: string) => {
      const tmp = path.join(run, '.feeds.yaml.swp');
      writeFileSync(tmp, text);
      renameSync(tmp, feedsFile);
    };
    writeFileSync(feedsFile, feedsYaml({ title: 'العنوان الأول', concurrency: 2, feeds: [...local('a'), ...local('b')] }));

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const child = spawnCli(['start'], { FEEDS_FILE: feedsFile, ...dbEnv, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const logs = (): LogLine[] =>
      stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as LogLine);
    const logged = async (pred: (l: LogLine) => boolean) => {
      await waitFor(async () => logs().some(pred), 30_000);
      return logs().filter(pred);
    };
    const get = (p: string) => fetch(`${base}${p}`);
    const text = async (p: string) => (await get(p)).text();
    const fetchesOf = (id: string) => server.requestsTo(`/${backend}/${id}.xml`).length;
    /** enabled per feed id, as the database has it (/api/feeds). */
    const enabledIn = async () => {
      const body = JSON.parse(await text('/api/feeds')) as { sources: Array<{ id: string; enabled: boolean }> };
      return Object.fromEntries(body.sources.map((s) => [s.id, s.enabled]));
    };

    try {
      await waitFor(async () => (await get('/healthz')).ok, 60_000);
      await waitFor(async () => fetchesOf('a') > 0 && fetchesOf('b') > 0, 30_000);
      expect((await get(`/feed.xml?category=${encodeURIComponent('رياضة')}`)).status).toBe(404);
      expect(await text('/sources.opml')).not.toContain('outlet.example');

      // 1. Renamed over: b removed, c (in a new category) and x added, the title changed.
      replace(feedsYaml({ title: 'العنوان الثاني', concurrency: 2, feeds: [...local('a'), ...local('c', 'رياضة'), ...outlet] }));
      const [first] = await logged((l) => l.msg === 'feeds file reloaded');
      expect(first).toMatchObject({ trigger: 'file change', added: ['c', 'x'], removed: ['b'], changed: [], settings: ['title'], worker_restarted: false });
      expect(await text('/sources.opml')).toContain('https://outlet.example/rss');
      // Removed is disabled and kept, not deleted.
      expect(await enabledIn()).toEqual({ a: true, b: false, c: true, x: true });
      expect((await get(`/feed.xml?category=${encodeURIComponent('رياضة')}`)).status).toBe(200);
      const feed = await new Parser().parseString(await text('/feed.xml'));
      expect(feed.title).toBe('العنوان الثاني');
      await waitFor(async () => fetchesOf('c') > 0, 30_000);
      // A pass that claimed b before the reload may still finish; after that b is left alone.
      await sleep(3000);
      const bAfterRemoval = fetchesOf('b');
      const aBefore = fetchesOf('a');
      await waitFor(async () => fetchesOf('a') >= aBefore + 2, 30_000);
      expect(fetchesOf('b')).toBe(bAfterRemoval);

      // 2. SIGHUP right after the edit (before the watcher's debounce): b back, x removed, the worker's concurrency changed.
      replace(feedsYaml({ title: 'العنوان الثاني', concurrency: 3, feeds: [...local('a'), ...local('b'), ...local('c', 'رياضة')] }));
      child.kill('SIGHUP');
      await waitFor(async () => logs().filter((l) => l.msg === 'feeds file reloaded').length >= 2, 30_000);
      const second = logs().filter((l) => l.msg === 'feeds file reloaded')[1];
      expect(second).toMatchObject({ trigger: 'SIGHUP', added: ['b'], removed: ['x'], changed: [], settings: ['concurrency'], worker_restarted: true });
      expect(await text('/sources.opml')).not.toContain('outlet.example');
      expect(await enabledIn()).toEqual({ a: true, b: true, c: true, x: false });
      // The restarted worker fetches b again.
      await waitFor(async () => fetchesOf('b') > bAfterRemoval, 30_000);
      // The watcher's own event for that edit finds nothing new: no third reload line.
      await sleep(1500);
      expect(logs().filter((l) => l.msg === 'feeds file reloaded')).toHaveLength(2);

      // 3. A broken edit: logged with file:line:col like check-config, the running config kept.
      const broken = feedsYaml({ title: 'العنوان الثالث', concurrency: 3, feeds: [...local('a'), '  - id: d', '    name: مكسور', '    url: notaurl'] });
      replace(broken);
      const [invalid] = await logged((l) => l.msg === 'feeds file invalid, previous config kept');
      expect(invalid.trigger).toBe('file change');
      expect(invalid.error).toBe(`${feedsFile}:12:5: feeds[1].url: must be an http(s) URL (got "notaurl")`);
      // The same text as check-config prints for that file.
      const check = await runCli(['check-config'], { FEEDS_FILE: feedsFile, DATA_DIR: path.join(dir, 'check') });
      expect(check.code).toBe(1);
      for (const line of invalid.error!.split('\n')) expect(check.stderr).toContain(line);
      child.kill('SIGHUP');
      await waitFor(async () => logs().filter((l) => l.msg === 'feeds file invalid, previous config kept').length === 2, 30_000);
      expect(logs().filter((l) => l.msg === 'feeds file invalid, previous config kept')[1].trigger).toBe('SIGHUP');
      expect((await get('/healthz')).ok).toBe(true);
      expect((await get(`/feed.xml?category=${encodeURIComponent('رياضة')}`)).status).toBe(200);
      const cBefore = fetchesOf('c');
      await waitFor(async () => fetchesOf('c') > cBefore, 30_000);
      expect(child.exitCode).toBeNull();
      expect(logs().filter((l) => l.msg === 'feeds file reloaded')).toHaveLength(2);

      // 4. The broken edit put back: nothing to apply, and the log says the file is good again.
      replace(feedsYaml({ title: 'العنوان الثاني', concurrency: 3, feeds: [...local('a'), ...local('b'), ...local('c', 'رياضة')] }));
      const [restored] = await logged((l) => l.msg === 'feeds file reloaded, nothing changed');
      expect(restored.trigger).toBe('file change');
      expect(logs().filter((l) => l.msg === 'feeds file reloaded')).toHaveLength(2);
    } catch (err) {
      console.error(`khabar stdout:\n${stdout}\nstderr:\n${stderr}`);
      throw err;
    } finally {
      child.kill('SIGTERM');
    }
    try {
      expect(await exited).toBe(0);
    } finally {
      await database?.drop();
    }
  }
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
