import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/client.js';
import { MAX_ERROR_MESSAGE_CHARS } from '../../src/config/limits.js';
import { rss2 } from '../helpers/arabic-feeds.js';
import { agencyParagraphs, agencyTitle } from '../helpers/agency-report.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { atomWithNulInBase64, hostileShape } from '../helpers/hostile-feeds.js';
import { newsPage } from '../helpers/news-page.js';
import { freePort, runCli, spawnCli } from '../helpers/run-cli.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';

/*
 * Hostile and broken feeds beside good ones, through the real command line: every body that used to freeze khabar,
 * break a feed for good or count as success. `fetch --once` must finish, store every good feed, and leave each bad
 * one with its code and a short message in `status --json`.
 */

const xml = 'application/xml; charset=utf-8';
const MB = 1024 * 1024;

interface FeedHealthJson {
  id: string;
  lastOutcome: string | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  items: number;
}

function fullTextFeed(pageUrl: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>صحيفة</title>
<item><title>${agencyTitle}</title><link>${pageUrl}</link><guid>${pageUrl}</guid><description>${agencyParagraphs[0]}</description></item>
</channel></rss>`;
}

describe.each(testBackends())('hostile feeds beside good ones, fetch --once on %s', (backend) => {
  let dir: string;
  let server: FixtureServer;
  let env: Record<string, string>;
  let scratch: TestDatabase | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'khabar-hostile-'));
    // The NUL sits in the page's article text, which only a full_text feed stores.
    const nulPage = newsPage(agencyTitle, agencyParagraphs.map((p, i) => (i === 1 ? `${p}\u0000 \u0001` : p)));
    server = await startFixtureServer({
      '/good.xml': { body: rss2(), contentType: xml },
      '/prolog-short.xml': { body: hostileShape('prolog-then-spaces').build(52), contentType: xml },
      '/prolog-long.xml': { body: hostileShape('prolog-then-spaces').build(4 * MB), contentType: xml },
      '/cdata.xml': { body: hostileShape('unclosed-cdata').build(4.5 * MB), contentType: xml },
      '/xhtml.xml': { body: hostileShape('unclosed-xhtml-content').build(1 * MB), contentType: xml },
      '/title.xml': { body: hostileShape('unclosed-tags-in-title').build(2 * MB), contentType: xml },
      '/nul-atom.xml': { body: atomWithNulInBase64(), contentType: 'application/atom+xml; charset=utf-8' },
      '/full.xml': { body: fullTextFeed('/page-nul.html'), contentType: xml },
      '/page-nul.html': { body: nulPage, contentType: 'text/html; charset=utf-8' },
      '/always-304.xml': { status: 304 },
      // Its entries are one entry repeated, with a link of its own: the shape's link is the title feed's too, and which
      // of two feeds parsed at once stores a shared link first is a race.
      '/slow.xml': { body: hostileShape('many-items').build(4.5 * MB).replaceAll('https://example.com/a', 'https://example.com/slow'), contentType: xml },
    });
    // Relative links resolve against the feed; the page is on the feed's own (loopback) origin, which it may reach.
    server.route('/full.xml', { body: fullTextFeed(server.url('/page-nul.html')), contentType: xml });
    const feeds: [string, string, string?][] = [
      ['good', '/good.xml'],
      ['prolog-short', '/prolog-short.xml'],
      ['prolog-long', '/prolog-long.xml'],
      ['cdata', '/cdata.xml'],
      ['xhtml', '/xhtml.xml'],
      ['title', '/title.xml'],
      ['nul-atom', '/nul-atom.xml'],
      ['full', '/full.xml', '    full_text: true\n'],
      ['always-304', '/always-304.xml'],
      ['slow', '/slow.xml'],
    ];
    const feedsFile = path.join(dir, 'feeds.yaml');
    writeFileSync(
      feedsFile,
      `settings:\n  concurrency: 3\nfeeds:\n${feeds.map(([id, route, extra]) => `  - id: ${id}\n    name: ${id}\n    url: ${server.url(route)}\n${extra ?? ''}`).join('')}`,
    );
    // The default parse budget (10 s): every body here parses in a fraction of it; the budget itself is tested below.
    env = { FEEDS_FILE: feedsFile };
    if (backend === 'postgres') {
      scratch = await createTestDatabase('postgres');
      env.DATABASE_URL = scratch.url!;
    } else env.DATA_DIR = path.join(dir, 'data');
  }, 120_000);

  afterAll(async () => {
    await scratch?.drop();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes, stores every good feed, and gives each bad one its code and a short message', async () => {
    const fetched = await runCli(['fetch', '--once'], env);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(fetched.stdout, fetched.stdout).toMatch(/^10 feeds: 5 ok, 0 not modified, 5 failed; 6 new items$/m);

    const status = await runCli(['status', '--json'], env);
    expect(status.code, status.stderr).toBe(0);
    const rows = new Map((JSON.parse(status.stdout) as FeedHealthJson[]).map((r) => [r.id, r]));
    const codeOf = (id: string) => rows.get(id)?.lastErrorCode;
    expect(codeOf('prolog-short')).toBe('PARSE_NOT_A_FEED');
    expect(codeOf('prolog-long')).toBe('PARSE_NOT_A_FEED');
    expect(codeOf('cdata')).toBe('PARSE_INVALID_XML');
    expect(codeOf('xhtml')).toBe('PARSE_INVALID_XML');
    expect(codeOf('always-304')).toBe('FETCH_HTTP_STATUS');
    for (const row of rows.values()) {
      if (row.id === 'slow') continue;
      if (row.lastOutcome === 'error') {
        expect(row.lastErrorMessage!.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_CHARS);
        expect(row.lastErrorMessage).not.toMatch(/\n|insert into|select |params:/i);
      } else {
        expect(row.lastOutcome, row.id).toBe('ok');
        expect(row.items, row.id).toBeGreaterThan(0);
      }
    }
    expect(rows.get('good')!.items).toBe(2);
    expect(rows.get('title')!.items).toBe(1);
    // 40,000 entries under the cap parse within the default budget (one entry repeated: one item).
    expect(fetched.stdout).toMatch(/^slow: 1 new items \(\d{5} in feed, utf-8\)$/m);
  }, 120_000);

  it('stops a parse past PARSE_BUDGET_MS with PARSE_TOO_SLOW and backs the feed off, the other feeds untouched', async () => {
    // 100 ms: the 4.5 MB of entries takes several times that even on an idle machine.
    const fetched = await runCli(['fetch', '--once', '--feed', 'slow'], { ...env, PARSE_BUDGET_MS: '100' });
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(fetched.stdout).toMatch(/^slow: error PARSE_TOO_SLOW: parsing took longer than 0\.1 s and was stopped$/m);
    const status = await runCli(['status', '--json'], env);
    const rows = new Map((JSON.parse(status.stdout) as (FeedHealthJson & { nextFetchAt: string })[]).map((r) => [r.id, r]));
    expect(rows.get('slow')).toMatchObject({ lastOutcome: 'error', lastErrorCode: 'PARSE_TOO_SLOW' });
    // Backed off like any failure: not due again at the next tick.
    expect(Date.parse(rows.get('slow')!.nextFetchAt)).toBeGreaterThan(Date.now() + 60_000);
    expect(rows.get('good')).toMatchObject({ lastOutcome: 'ok', items: 2 });
  }, 120_000);

  it('stores the NUL-bearing base64 entry and full-text page with the forbidden characters removed', async () => {
    let handle: DatabaseHandle | null = null;
    const db = scratch ? scratch.handle.db : (handle = await openDatabase({ dataDir: env.DATA_DIR! })).db;
    try {
      const rows = (await db.execute(sql`select i.feed_id, i.title, i.content_html, i.content_text from items i where i.feed_id in ('nul-atom', 'full')`)) as unknown;
      const list = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as { feed_id: string; title: string; content_html: string; content_text: string }[];
      expect(list.map((r) => r.feed_id).sort()).toEqual(['full', 'nul-atom']);
      for (const r of list) {
        for (const value of [r.title, r.content_html, r.content_text]) expect(value).not.toMatch(/[\u0000-\u0008\uFFFF]/);
      }
      const full = list.find((r) => r.feed_id === 'full')!;
      // The page's article replaced the feed lead: its second paragraph is there, without the NUL.
      expect(full.content_text).toContain(agencyParagraphs[1]!.slice(0, 40));
      expect(list.find((r) => r.feed_id === 'nul-atom')!.content_text).toContain('نص الخبر');
    } finally {
      await handle?.close();
    }
  }, 60_000);
});

describe('a start process (worker and server in one process)', () => {
  let dir: string;
  let server: FixtureServer;
  let bodySent: Promise<void>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'khabar-hostile-start-'));
    const big = hostileShape('many-items').build(4.5 * MB);
    let sent!: () => void;
    bodySent = new Promise((resolve) => (sent = resolve));
    server = await startFixtureServer({
      '/big.xml': (_req: unknown, res: ServerResponse) => {
        res.writeHead(200, { 'content-type': xml });
        res.end(big, () => sent());
      },
    });
    writeFileSync(path.join(dir, 'feeds.yaml'), `feeds:\n  - id: big\n    name: big\n    url: ${server.url('/big.xml')}\n`);
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers /healthz while its worker is parsing a body that takes seconds', async () => {
    const port = await freePort();
    const child = spawnCli(['start'], { FEEDS_FILE: path.join(dir, 'feeds.yaml'), DATA_DIR: path.join(dir, 'data'), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    const events: string[] = [];
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk;
      // The feed's outcome, logged when the parse (and the store) is over.
      if (/"feed_id":"big"[^\n]*"msg":"feed refresh(ed| failed)"/.test(output) && !events.includes('feed done')) events.push('feed done');
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    try {
      await bodySent;
      // The body is in; the worker is decoding and parsing 4.5 MB now.
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      events.push(`healthz ${response.status}`);
      await until(() => events.includes('feed done'), 60_000, () => output);
      expect(events).toEqual(['healthz 200', 'feed done']);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('close', resolve));
    }
  }, 90_000);
});

async function until(done: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const stopAt = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > stopAt) throw new Error(`timed out; output:\n${describe().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
