import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { countDistinct, eq, sql } from 'drizzle-orm';
import type { Hono } from 'hono';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDbFeedStore } from '../../src/create-db-feed-store.js';
import { feedStates, feeds, items, stories } from '../../src/db/schema.js';
import { createApp } from '../../src/http/create-app.js';
import { silentLogger } from '../../src/logger.js';
import { pageContentSecurityPolicy } from '../../src/publish/page-style.js';
import { fixtureOutlets, fixtureStoryId, seedFixtureStories } from '../helpers/story-fixtures.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';

/**
 * The pages in a real browser: Debian's chromium driven by playwright-core (never a downloaded browser), against the
 * real app on a loopback port and a database of fixture stories. Each page must load with no console error and no
 * Content-Security-Policy violation, lay out right to left, and show what the database holds.
 *
 * KHABAR_SCREENSHOT_DIR=docs writes the README's screenshots (home.png, story.png) there as well.
 */

/** Browser globals the callbacks below use in chromium (the project compiles without the DOM library). */
declare const window: { __cspViolations: string[] };
declare const document: {
  documentElement: { lang: string };
  styleSheets: { length: number };
  addEventListener(type: 'securitypolicyviolation', listener: (e: { violatedDirective: string; blockedURI: string }) => void): void;
};
declare function getComputedStyle(element: unknown): { direction: string; textDecorationLine: string };

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`browser tests: SKIPPED, no ${CHROMIUM} (apt-get install --no-install-recommends chromium fonts-noto-core)`);

/** Older single-outlet stories besides the rich ones, so that the home page has more than one page. */
const FILLER_STORIES = 70;

interface PageReport {
  errors: string[];
  violations: string[];
}

describe.skipIf(!hasChromium)('pages in chromium', () => {
  let t: TestDatabase;
  let server: ServerType;
  let base: string;
  let context: BrowserContext;
  let profile: string;
  let shots: string;
  const reports = new Map<Page, PageReport>();

  beforeAll(async () => {
    // Server Postgres when the run has one (what production runs), else PGlite.
    t = await createTestDatabase(testBackends().at(-1)!);
    // Minutes old, so the pages (and the README's screenshots) read as a live site would.
    await seedFixtureStories(t.handle.db, { filler: FILLER_STORIES, newest: new Date(Date.now() - 12 * 60_000) });
    // The public URL names the port, which is known only once the server listens: the app is made right after.
    let app: Hono | null = null;
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: (req, env) => app!.fetch(req, env), port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    app = createApp({
      feedStore: createDbFeedStore(t.handle.db, { title: 'خبر', description: '', language: 'ar', publicUrl: base }),
      logger: silentLogger(),
      config: {
        publicUrl: base,
        feedTitle: 'خبر — الأخبار المدمجة',
        cacheSeconds: 30,
        sources: fixtureOutlets.map((f) => ({ name: f.name, url: f.url, category: f.category, language: f.language })),
        categories: [...new Set(fixtureOutlets.flatMap((f) => (f.category ? [f.category] : [])))],
      },
      health: async () => ({ ok: true, details: { database: t.handle.kind } }),
    });
    shots = await mkdtemp(path.join(tmpdir(), 'khabar-pages-'));
    profile = await mkdtemp(path.join(tmpdir(), 'khabar-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
      viewport: { width: 800, height: 1000 },
      deviceScaleFactor: 1,
      locale: 'ar',
    });
  });

  afterAll(async () => {
    await context?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.drop();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  /** A new tab that records console errors, page errors, failed loads and CSP violations. */
  async function openPage(): Promise<Page> {
    const page = await context.newPage();
    const report: PageReport = { errors: [], violations: [] };
    reports.set(page, report);
    page.on('console', (m) => {
      if (m.type() === 'error') report.errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => report.errors.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => report.errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('response', (r) => {
      if (r.status() >= 400) report.errors.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    // Injected by the browser itself, outside the page's CSP: the pages carry no script of their own.
    await page.addInitScript(() => {
      const seen: string[] = [];
      window.__cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    return page;
  }

  /** Loads `url`, then checks what every page must satisfy. */
  async function visit(page: Page, url: string): Promise<void> {
    const response = await page.goto(url, { waitUntil: 'load' });
    expect(response?.status(), url).toBe(200);
    await checkPage(page);
  }

  /** No console error, failed load or CSP violation so far; right to left, in Arabic, styled. */
  async function checkPage(page: Page): Promise<void> {
    const url = page.url();
    const direction = await page.evaluate(() => getComputedStyle(document.documentElement).direction);
    expect(direction, `${url}: document direction`).toBe('rtl');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ar');
    // The shared stylesheet loaded and applied (a blocked or missing one leaves the default serif body).
    expect(await page.evaluate(() => document.styleSheets.length), `${url}: stylesheets`).toBeGreaterThan(0);
    const violations = await page.evaluate(() => window.__cspViolations);
    const report = reports.get(page)!;
    expect([...report.violations, ...violations], `${url}: CSP violations`).toEqual([]);
    expect(report.errors, `${url}: errors`).toEqual([]);
  }

  /** Into the test's temp folder; with KHABAR_SCREENSHOT_DIR, the README's pages there too. */
  async function screenshot(page: Page, name: string, forReadme: boolean): Promise<void> {
    const file = path.join(shots, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`screenshot: ${file}`);
    const docs = process.env.KHABAR_SCREENSHOT_DIR;
    if (docs && forReadme) {
      await mkdir(docs, { recursive: true });
      // The README's copy: the top of the page only, to stay small.
      const kept = path.join(docs, `${name}.png`);
      await page.screenshot({ path: kept, clip: { x: 0, y: 0, width: 800, height: 820 } });
      console.log(`screenshot: ${kept}`);
    }
  }

  async function dbStoryIds(): Promise<number[]> {
    const rows = await t.handle.db.select({ id: stories.id }).from(stories).where(sql`${stories.representativeItemId} is not null`);
    return rows.map((r) => r.id).sort((a, b) => a - b);
  }

  async function outletsOf(storyId: number): Promise<number> {
    const [row] = await t.handle.db.select({ n: countDistinct(items.feedId) }).from(items).where(eq(items.storyId, storyId));
    return Number(row!.n);
  }

  /** The stories a listing page shows: id from each card's link to its story page, and its outlet count. */
  async function storyCards(page: Page): Promise<Array<{ id: number; outlets: number }>> {
    return page.$$eval('.story', (cards) =>
      cards.map((card) => {
        const href = card.querySelector('a[href*="stories/"]')?.getAttribute('href') ?? '';
        const id = Number(/stories\/(\d+)$/.exec(href)?.[1] ?? Number.NaN);
        return { id, outlets: card.querySelectorAll('.outlets li').length };
      }),
    );
  }

  it('the checks catch what they look for: an inline style and script under the pages\' CSP, a missing resource', async () => {
    const page = await openPage();
    const probe = new URL('probe-not-a-page', base).href;
    await page.route(probe, (route) =>
      route.fulfill({
        status: 200,
        headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': pageContentSecurityPolicy },
        body: '<!doctype html><html lang="ar" dir="rtl"><p style="color:red">نص</p><script>1</script><img src="missing.png"></html>',
      }),
    );
    await page.goto(probe, { waitUntil: 'load' });
    await page.waitForFunction(() => window.__cspViolations.length >= 2);
    const violations = await page.evaluate(() => window.__cspViolations);
    expect(violations.some((v) => v.startsWith('style-src'))).toBe(true);
    expect(violations.some((v) => v.startsWith('script-src'))).toBe(true);
    const errors = reports.get(page)!.errors;
    expect(errors.some((e) => e.startsWith('console: '))).toBe(true);
    expect(errors.some((e) => e.includes('missing.png'))).toBe(true);
    await page.close();
  });

  it('home page: every story of the database over its pages, newest first, with its outlets; ?before= leads to older ones', async () => {
    const page = await openPage();
    await visit(page, base);
    await screenshot(page, 'home', true);
    const seen: number[] = [];
    let pages = 0;
    for (;;) {
      const cards = await storyCards(page);
      expect(cards.length, `page ${pages + 1} lists stories`).toBeGreaterThan(0);
      for (const card of cards) expect(card.outlets, `story ${card.id}: outlets shown`).toBe(await outletsOf(card.id));
      if (seen.length > 0) {
        const [previousFirst] = await t.handle.db.select({ at: stories.firstSeenAt }).from(stories).where(eq(stories.id, seen.at(-1)!));
        const [thisFirst] = await t.handle.db.select({ at: stories.firstSeenAt }).from(stories).where(eq(stories.id, cards[0]!.id));
        expect(thisFirst!.at.getTime(), 'the next page starts with older stories').toBeLessThanOrEqual(previousFirst!.at.getTime());
      }
      seen.push(...cards.map((c) => c.id));
      pages++;
      const older = page.locator('a[href*="before="]');
      if ((await older.count()) === 0) break;
      const before = page.url();
      await older.first().click();
      await page.waitForURL((u) => u.href !== before && /[?&]before=\d+/.test(u.search), { waitUntil: 'load' });
      await checkPage(page);
    }
    expect(pages, 'the fixture stories fill more than one page').toBeGreaterThan(1);
    expect(new Set(seen).size, 'no story twice').toBe(seen.length);
    expect([...seen].sort((a, b) => a - b)).toEqual(await dbStoryIds());
  });

  it('story page: the representative in full, each other outlet with what it adds and cuts, counts as in the database', async () => {
    const storyId = await fixtureStoryId(t.handle.db, 'health', 'wakala');
    const [head] = await t.handle.db
      .select({ title: items.title, representativeItemId: stories.representativeItemId })
      .from(stories)
      .innerJoin(items, eq(items.id, stories.representativeItemId))
      .where(eq(stories.id, storyId));
    const members = await t.handle.db.select({ id: items.id, link: items.link }).from(items).where(eq(items.storyId, storyId));

    const page = await openPage();
    await visit(page, new URL(`stories/${storyId}`, base).href);
    await screenshot(page, 'story', true);

    expect(await page.locator('h1').innerText()).toBe(head!.title);
    const article = page.locator('article.story-page');
    expect(Number(await article.getAttribute('data-outlets'))).toBe(await outletsOf(storyId));
    expect(Number(await article.getAttribute('data-copies'))).toBe(members.length);
    expect(await page.locator('header .outlets li').count()).toBe(await outletsOf(storyId));
    const copies = await page.$$eval('article.copy', (list) =>
      list.map((c) => ({ id: Number(c.getAttribute('data-item-id')), link: c.querySelector('h3 a')?.getAttribute('href') ?? null })),
    );
    expect(copies.map((c) => c.id).sort()).toEqual(members.filter((m) => m.id !== head!.representativeItemId).map((m) => m.id).sort());
    for (const copy of copies) expect(copy.link).toBe(members.find((m) => m.id === copy.id)!.link);
    // One outlet cut the last paragraph, another added a sentence.
    expect(await page.locator('article.copy del').count()).toBeGreaterThan(0);
    expect(await page.locator('article.copy ins').count()).toBeGreaterThan(0);
    // Inserted and deleted text is marked visibly, not only in the markup.
    const insLine = await page.locator('article.copy ins').first().evaluate((e) => getComputedStyle(e).textDecorationLine);
    const delLine = await page.locator('article.copy del').first().evaluate((e) => getComputedStyle(e).textDecorationLine);
    expect(insLine).toContain('underline');
    expect(delLine).toContain('line-through');
  });

  it('status page: one row per source in the database, each with its last fetch\'s outcome', async () => {
    const page = await openPage();
    await visit(page, new URL('status', base).href);
    await screenshot(page, 'status', false);
    const [count] = await t.handle.db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(feeds);
    const rows = page.locator('table.status tbody tr');
    expect(await rows.count()).toBe(count!.n);
    const states = await t.handle.db.select({ name: feeds.name, outcome: feedStates.lastOutcome }).from(feeds).innerJoin(feedStates, eq(feedStates.feedId, feeds.id));
    expect(states.map((s) => s.outcome).sort()).toEqual(['error', 'ok', 'ok', 'ok']);
    for (const state of states) {
      const row = rows.filter({ hasText: state.name });
      expect(await row.count(), state.name).toBe(1);
      expect(await row.locator(state.outcome === 'error' ? '.health-failing' : '.health-ok').count(), `${state.name}: ${state.outcome}`).toBe(1);
    }
  });
});
