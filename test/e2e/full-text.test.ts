import { eq } from 'drizzle-orm';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { feedStates, items } from '../../src/db/schema.js';
import { createWorkerStoryAssigner } from '../../src/dedup/create-worker-story-assigner.js';
import type { RefreshDeps } from '../../src/pipeline/refresh-feed.js';
import { refreshDueFeeds } from '../../src/worker/refresh-due-feeds.js';
import { agencyCopy, agencyParagraphs, agencyTitle, thirdReport, unrelatedReport } from '../helpers/agency-report.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { newsPage } from '../helpers/news-page.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';
import { feedSource, testRefreshDeps } from '../helpers/test-sources.js';

const rss = (entries: Array<{ title: string; html: string; link: string; date: string }>) =>
  `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title><link>https://x.example/</link><description>d</description>${entries
    .map((e) => `<item><title><![CDATA[${e.title}]]></title><link>${e.link}</link><guid>${e.link}</guid><pubDate>${e.date}</pubDate><description><![CDATA[${e.html}]]></description></item>`)
    .join('')}</channel></rss>`;

const paragraphs = (html: string) => [...html.matchAll(/<p>(.*?)<\/p>/g)].map((m) => m[1]!);
const date = 'Sun, 29 Nov 2026 07:30:00 GMT';

describe.each(testBackends())('full_text feeds: the article from the page instead of the feed lead (%s)', (backend) => {
  let server: FixtureServer;
  let t: TestDatabase;
  let deps: RefreshDeps;
  // The outlet's own first sentence over the agency copy: the feed carries only that, which shares nothing with the
  // agency's text, so without the page the copy could not be recognised.
  const intro = 'في خطوة طال انتظارها، اتفقت الدول العربية على خطة مشتركة لحماية مواردها المائية خلال العقد المقبل.';
  const solar = paragraphs(unrelatedReport().html);
  const space = paragraphs(thirdReport().html);

  beforeAll(async () => {
    server = await startFixtureServer();
    const page = (path: string) => server.url(path);
    // The lead-only feed: every item carries only its first paragraph.
    server.route('/leads.xml', {
      contentType: 'application/rss+xml; charset=utf-8',
      body: rss([
        { title: 'خطة عربية جديدة لمواجهة شح المياه', html: `<p>${intro}</p>`, link: page('/news/water'), date },
        { title: unrelatedReport().title, html: `<p>${solar[0]}</p>`, link: page('/news/solar'), date },
        { title: thirdReport().title, html: `<p>${space[0]}</p>`, link: page('/news/space'), date },
        { title: 'خبر لم يعد موجودا', html: '<p>نص قصير لخبر حذف من الموقع بعد نشره في الخلاصة بدقائق قليلة فقط.</p>', link: page('/news/gone'), date },
        { title: 'خبر بصفحة بطيئة', html: '<p>نص قصير لخبر صفحته بطيئة جدا في الاستجابة ولا تكتمل قبل انتهاء المهلة.</p>', link: page('/news/slow'), date },
      ]),
    });
    server.route('/news/water', { contentType: 'text/html; charset=utf-8', body: newsPage(agencyTitle, [intro, ...agencyParagraphs.map((p) => p.replace(/[«»]/g, '"'))]) });
    // windows-1256, declared only in the page's <meta>: the HTTP header names no charset.
    server.route('/news/solar', { contentType: 'text/html', body: iconv.encode(newsPage(unrelatedReport().title, solar, { charsetMeta: 'windows-1256' }), 'windows-1256') });
    // The page under this link is another article (the site recycled the URL): the feed's lead is kept.
    server.route('/news/space', { contentType: 'text/html; charset=utf-8', body: newsPage('خبر آخر تماما', paragraphs(agencyCopy().html)) });
    server.route('/news/gone', { status: 404, contentType: 'text/html', body: '<html><body>غير موجود</body></html>' });
    server.route('/news/slow', { contentType: 'text/html; charset=utf-8', body: newsPage('بطيء', ['نص']), delayMs: 3_000 });
    // The agency's own full-text feed, for the dedup check.
    server.route('/agency.xml', {
      contentType: 'application/rss+xml; charset=utf-8',
      body: rss([{ ...agencyCopy(), link: page('/agency/water/1'), date: 'Sun, 29 Nov 2026 06:00:00 GMT' }]),
    });

    t = await createTestDatabase(backend);
    await syncFeeds(t.handle.db, [
      feedSource('leads', 'صحيفة المقتطفات', server.url('/leads.xml'), { fullText: true }),
      feedSource('agency', 'وكالة الأنباء', server.url('/agency.xml')),
    ]);
    const base = testRefreshDeps(t.handle.db, createWorkerStoryAssigner(t.handle.db, { windowHours: 72 }));
    deps = { ...base, options: { ...base.options, timeoutMs: 1_000 } };
  });

  afterAll(async () => {
    await t?.drop();
    await server?.close();
  });

  const stored = async (link: string) => (await t.handle.db.select().from(items).where(eq(items.link, link)))[0]!;

  it('stores the whole article for new items, and the feed lead where the page fails or is another article', async () => {
    await refreshDueFeeds(deps, { concurrency: 1, ignoreSchedule: true, feedIds: ['agency'] });
    const result = await refreshDueFeeds(deps, { concurrency: 1, ignoreSchedule: true, feedIds: ['leads'] });
    expect(result.failed).toBe(0);

    const water = await stored(server.url('/news/water'));
    expect(water.contentText).toContain(agencyParagraphs[3]!.replace(/[«»]/g, '"'));
    expect(water.contentText).not.toMatch(/الأكثر قراءة|جميع الحقوق محفوظة|trackPageView/);
    expect(water.title).toBe('خطة عربية جديدة لمواجهة شح المياه'); // the feed's headline stays

    const solarItem = await stored(server.url('/news/solar'));
    expect(solarItem.contentText).toContain(solar[1]); // decoded from windows-1256 via <meta charset>

    expect((await stored(server.url('/news/space'))).contentText).toBe(space[0]);
    expect((await stored(server.url('/news/gone'))).contentText).toContain('نص قصير لخبر حذف');
    expect((await stored(server.url('/news/slow'))).contentText).toContain('صفحته بطيئة');

    const [state] = await t.handle.db.select().from(feedStates).where(eq(feedStates.feedId, 'leads'));
    expect(state!.lastOutcome).toBe('ok');
  });

  it('lets the lead-only outlet join the story of the report it copied, which its lead alone could not show', async () => {
    const water = await stored(server.url('/news/water'));
    const agency = await stored(server.url('/agency/water/1'));
    expect(water.storyId).toBe(agency.storyId);
  });

  it('fetches each page once: items already stored are not fetched again', async () => {
    const pagesBefore = server.requests.filter((r) => r.path.startsWith('/news/')).length;
    expect(pagesBefore).toBe(5);
    await refreshDueFeeds(deps, { concurrency: 1, ignoreSchedule: true, feedIds: ['leads'] });
    expect(server.requests.filter((r) => r.path.startsWith('/news/')).length).toBe(pagesBefore);
  });

  it('reads no page again when only the feed entry\'s markup changed, nor for an entry stored with an old-format digest', async () => {
    const water = await stored(server.url('/news/water'));
    // The full article is stored; its digest is the feed entry's, so the next fetches compare like with like.
    expect(water.contentText.length).toBeGreaterThan(intro.length * 3);
    expect(water.sourceDigest).toMatch(/^v2:/);
    const solarRow = await stored(server.url('/news/solar'));
    await t.handle.db.update(items).set({ sourceDigest: 'c0ffee'.repeat(10) + 'c0ff' }).where(eq(items.id, solarRow.id));
    const pagesBefore = server.requests.filter((r) => r.path.startsWith('/news/')).length;
    const page = (p: string) => server.url(p);
    for (let n = 0; n < 3; n++) {
      server.route('/leads.xml', {
        contentType: 'application/rss+xml; charset=utf-8',
        body: rss([
          { title: 'خبر لم يعد موجودا', html: '<p>نص قصير لخبر حذف من الموقع بعد نشره في الخلاصة بدقائق قليلة فقط.</p>', link: page('/news/gone'), date },
          { title: 'خبر بصفحة بطيئة', html: '<p>نص قصير لخبر صفحته بطيئة جدا في الاستجابة ولا تكتمل قبل انتهاء المهلة.</p>', link: page('/news/slow'), date },
          { title: 'خطة عربية جديدة لمواجهة شح المياه', html: `<p class="lead-${n}">${intro}</p><img src="${page(`/img/water.jpg?cb=${n}`)}">`, link: page('/news/water'), date },
          { title: unrelatedReport().title, html: `<div><p data-n="${n}">  ${solar[0]}</p></div><p>منذ ${n + 1} دقائق</p>`, link: page('/news/solar'), date },
          { title: thirdReport().title, html: `<p>${space[0]}</p><!-- ${n} -->`, link: page('/news/space'), date },
        ]),
      });
      await refreshDueFeeds(deps, { concurrency: 1, ignoreSchedule: true, feedIds: ['leads'] });
    }
    expect(server.requests.filter((r) => r.path.startsWith('/news/')).length).toBe(pagesBefore);
    expect(await stored(server.url('/news/water'))).toEqual(water);
    // Recorded again in the new format, the stored full text kept.
    const solarAfter = await stored(server.url('/news/solar'));
    expect(solarAfter.sourceDigest).toMatch(/^v2:/);
    expect(solarAfter.contentText).toBe(solarRow.contentText);
  });

  it('does not fetch a page for an entry another feed already holds (an outlet\'s category feeds)', async () => {
    server.route('/leads-politics.xml', {
      contentType: 'application/rss+xml; charset=utf-8',
      body: rss([{ title: 'خطة عربية جديدة لمواجهة شح المياه', html: `<p>${intro}</p>`, link: server.url('/news/water?utm_source=politics'), date }]),
    });
    await syncFeeds(t.handle.db, [
      feedSource('leads', 'صحيفة المقتطفات', server.url('/leads.xml'), { fullText: true }),
      feedSource('agency', 'وكالة الأنباء', server.url('/agency.xml')),
      feedSource('leads-politics', 'صحيفة المقتطفات — سياسة', server.url('/leads-politics.xml'), { fullText: true }),
    ]);
    for (let pass = 0; pass < 3; pass++) await refreshDueFeeds(deps, { concurrency: 1, ignoreSchedule: true, feedIds: ['leads-politics'] });
    expect(server.requests.filter((r) => r.path.startsWith('/news/water'))).toHaveLength(1);
  });

  it('hands the feed back, not failed, when shutdown interrupts a page fetch', async () => {
    server.route('/stalling.xml', {
      contentType: 'application/rss+xml; charset=utf-8',
      body: rss([{ title: 'خبر بصفحة معلقة', html: '<p>نص قصير لخبر صفحته لا تكتمل أبدا.</p>', link: server.url('/news/stall'), date }]),
    });
    server.route('/news/stall', { contentType: 'text/html; charset=utf-8', body: newsPage('معلق', ['نص']), stall: true });
    await syncFeeds(t.handle.db, [
      feedSource('leads', 'صحيفة المقتطفات', server.url('/leads.xml'), { fullText: true }),
      feedSource('agency', 'وكالة الأنباء', server.url('/agency.xml')),
      feedSource('stalling', 'صحيفة معلقة', server.url('/stalling.xml'), { fullText: true }),
    ]);
    const shutdown = new AbortController();
    const pass = refreshDueFeeds({ ...deps, options: { ...deps.options, timeoutMs: 10_000 }, signal: shutdown.signal }, { concurrency: 1, ignoreSchedule: true, feedIds: ['stalling'], signal: shutdown.signal });
    while (server.requestsTo('/news/stall').length === 0) await new Promise((r) => setTimeout(r, 20));
    shutdown.abort();
    await pass;
    const [state] = await t.handle.db.select().from(feedStates).where(eq(feedStates.feedId, 'stalling'));
    expect(state!.consecutiveFailures).toBe(0);
    expect(state!.leaseUntil).toBeNull();
    expect(await t.handle.db.select().from(items).where(eq(items.feedId, 'stalling'))).toHaveLength(0);
  });

  it('refuses item links into a private network for a feed on a public address', async () => {
    const port = new URL(server.origin).port;
    server.route('/public.xml', {
      contentType: 'application/rss+xml; charset=utf-8',
      body: rss([{ title: 'خبر من مصدر عام', html: '<p>نص قصير لخبر من مصدر عام يشير رابطه إلى عنوان داخلي في الشبكة.</p>', link: server.url('/news/internal'), date }]),
    });
    server.route('/news/internal', { contentType: 'text/html; charset=utf-8', body: newsPage('داخلي', ['سر داخلي']) });
    await syncFeeds(t.handle.db, [
      feedSource('leads', 'صحيفة المقتطفات', server.url('/leads.xml'), { fullText: true }),
      feedSource('agency', 'وكالة الأنباء', server.url('/agency.xml')),
      // Fetched through "localhost"; the guard is told that name is a public address, as a real outlet's would be.
      feedSource('public', 'مصدر عام', `http://localhost:${port}/public.xml`, { fullText: true }),
    ]);
    const publicDeps = { ...deps, resolve: async (host: string) => (host === 'localhost' ? ['93.184.216.34'] : ['127.0.0.1']) };
    const result = await refreshDueFeeds(publicDeps, { concurrency: 1, ignoreSchedule: true, feedIds: ['public'] });
    expect(result.ok).toBe(1);
    expect(server.requestsTo('/public.xml')).toHaveLength(1);
    expect(server.requestsTo('/news/internal')).toHaveLength(0);
    expect((await stored(server.url('/news/internal'))).contentText).toContain('نص قصير لخبر من مصدر عام');
  });

  it('sends no page request for feeds without full_text', async () => {
    expect(server.requestsTo('/agency/water/1')).toHaveLength(0);
    expect(server.requestsTo('/agency.xml').length).toBeGreaterThan(0);
  });
});
