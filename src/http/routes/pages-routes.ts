import { Hono, type Context } from 'hono';
import { searchTerms } from '../../domain/search-terms.js';
import { activityStart, JOINED_SHARE_DAYS } from '../../domain/source-activity.js';
import type { Logger } from '../../logger.js';
import { encodeFeed, type EncodedFeed } from '../../publish/encode-feed.js';
import { escapeHtml } from '../../publish/feed-text.js';
import { basePathFor, pageIcon, pageIconHash, pageStylesheet, pageStylesheetHash, renderPage, type AlternateLink, type PageLink } from '../../publish/page-style.js';
import { categoryLabel, renderHomePage, renderSearchPage, type PageStory } from '../../publish/render-home-page.js';
import type { OpmlSource } from '../../publish/render-opml.js';
import { describeSource, renderSourcesJson, renderStatusPage } from '../../publish/render-status-page.js';
import { feedFormats, feedUrlsFor, homeUrlFor } from '../feed-formats.js';
import type { FeedStore } from '../feed-store.js';
import { createPageLru } from '../page-lru.js';
import { parseCategory } from '../parse-limit.js';
import { encodePage, sendEncoded, setPageHeaders } from '../send-page.js';
import { isPublicAddress } from './sources-route.js';
import { parseStoryId } from './story-route.js';

/** Stories per page of the home page, a category tab and the search results: one size, so one page per cursor. */
export const HOME_PAGE_SIZE = 30;
/** Characters of a search query read; the rest is ignored. */
export const MAX_QUERY_CHARS = 200;
/** Searches are not cached and may scan the items: more at once than this get a 503 with Retry-After. */
export const MAX_CONCURRENT_SEARCHES = 4;
/** Built first pages (one per category, plus all stories) and `?before=` pages, each kept under its own byte budget. */
const FIRST_PAGES_BYTES = 8 * 1024 * 1024;
const CURSOR_PAGES_BYTES = 4 * 1024 * 1024;

export interface PagesRoutesDeps {
  feedStore: FeedStore;
  logger: Logger;
  config: {
    publicUrl: string;
    feedTitle: string;
    cacheSeconds: number;
    sources?: OpmlSource[];
    categories?: readonly string[];
  };
  clock?: () => number;
}

/**
 * The HTML pages: `/` (latest stories, category tabs, `?before=` paging), `/search?q=`, `/status`, `/api/feeds` and
 * the stylesheet every page links. Home and status pages are built once per change of the data (and of the minute,
 * since they say «منذ ٣ دقائق») and served as prebuilt bytes with ETags; cursor pages are kept under a byte budget;
 * search results are never kept. Each page needs its store method: without it the route is not registered.
 */
export function pagesRoutes(deps: PagesRoutesDeps): Hono {
  const { config, feedStore } = deps;
  const logger = deps.logger.child({ scope: 'pages' });
  const clock = deps.clock ?? Date.now;
  const cacheSeconds = Math.max(0, Math.floor(config.cacheSeconds));
  const freshMs = cacheSeconds * 1000;
  const cacheControl = `public, max-age=${cacheSeconds}`;
  const basePath = basePathFor(config.publicUrl);
  const home = homeUrlFor(config.publicUrl);
  const categories = knownCategories(config);
  const tabs = [...(categories ?? [])].map((value) => ({ value, label: categoryLabel(value) }));
  const footerLinks = footerLinksFor(config.publicUrl);
  const minute = () => Math.floor(clock() / 60_000);
  const app = new Hono();

  // Named by their hash, so cached for a year and never revalidated; encoded on first use.
  const assets = new Map<string, { text: string; contentType: string; encoded?: Promise<EncodedFeed> }>([
    [`style-${pageStylesheetHash}.css`, { text: pageStylesheet, contentType: 'text/css; charset=utf-8' }],
    [`icon-${pageIconHash}.svg`, { text: pageIcon, contentType: 'image/svg+xml' }],
  ]);
  app.get('/static/:file', async function serveAsset(c) {
    const asset = assets.get(c.req.param('file'));
    if (!asset) return errorPage(c, 404, 'لا ملف بهذا الاسم');
    asset.encoded ??= encodeFeed({ text: asset.text, contentType: asset.contentType, versionKey: 'static', updatedAt: null });
    return sendEncoded(c, await asset.encoded, 'public, max-age=31536000, immutable');
  });

  function errorPage(c: Context, status: 400 | 404 | 503, message: string): Response {
    setPageHeaders(c);
    c.header('Cache-Control', 'no-store');
    const html = renderPage({
      title: `${message} — ${config.feedTitle}`,
      body: `<h1>${escapeHtml(message)}</h1>\n<p class="empty"><a href="${escapeHtml(basePath)}">إلى آخر الأخبار</a></p>`,
      basePath,
      siteTitle: config.feedTitle,
      robots: 'noindex',
    });
    return c.html(html, status);
  }

  const loadHomeStories = feedStore.loadHomeStories?.bind(feedStore);
  if (loadHomeStories) {
    const pageVersion = async () => `${await feedStore.version()}|${minute()}`;
    async function buildHome(category: string | null, beforeId: number | null, versionKey: string): Promise<EncodedFeed> {
      const now = new Date(clock());
      const rows = await loadHomeStories!({ category, beforeId, limit: HOME_PAGE_SIZE + 1 });
      const stories = rows.slice(0, HOME_PAGE_SIZE);
      const tab = category === null ? '' : `category=${encodeURIComponent(category)}`;
      const html = renderHomePage({
        siteTitle: config.feedTitle,
        basePath,
        canonicalUrl: beforeId === null ? (tab === '' ? home : `${home}?${tab}`) : undefined,
        alternates: alternatesFor(config.publicUrl, config.feedTitle, category, tabs),
        footerLinks,
        categories: tabs,
        category,
        stories,
        olderHref: rows.length > HOME_PAGE_SIZE ? `?${tab === '' ? '' : `${tab}&`}before=${stories.at(-1)!.id}` : null,
        newestHref: beforeId === null ? null : tab === '' ? '' : `?${tab}`,
        now,
      });
      logger.debug({ category, before: beforeId, version: versionKey, stories: stories.length }, 'home page built');
      return encodePage(html, versionKey);
    }
    // First pages: keys are the known categories plus "all" (an unknown category is a 404), so none is ever evicted.
    const firstPages = createPageLru<string>({
      maxBytes: FIRST_PAGES_BYTES,
      freshMs,
      version: pageVersion,
      build: (key, versionKey) => buildHome(key === '' ? null : key, null, versionKey),
      logger,
      clock: deps.clock,
    });
    const cursorPages = createPageLru<string>({
      maxBytes: CURSOR_PAGES_BYTES,
      freshMs,
      version: pageVersion,
      build: (key, versionKey) => {
        const [category, beforeId] = JSON.parse(key) as [string | null, number];
        return buildHome(category, beforeId, versionKey);
      },
      logger,
      clock: deps.clock,
    });

    app.get('/', async function serveHome(c) {
      const category = parseCategory(c.req.query('category'));
      if (!category.ok) return errorPage(c, 400, 'اسم القسم غير صالح');
      if (category.value !== null && categories !== null && !categories.has(category.value)) return errorPage(c, 404, 'لا قسم بهذا الاسم');
      const before = parseCursor(c.req.query('before'));
      if (!before.ok) return errorPage(c, 400, 'رابط الصفحة غير صالح');
      const encoded =
        before.value === null ? await firstPages.get(category.value ?? '') : await cursorPages.get(JSON.stringify([category.value, before.value]));
      if (encoded === null) return errorPage(c, 404, 'لا صفحة بهذا الرابط');
      return sendEncoded(c, encoded, cacheControl);
    });
  }

  const searchStories = feedStore.searchStories?.bind(feedStore);
  if (searchStories) {
    let searching = 0;
    app.get('/search', async function serveSearch(c) {
      const query = (c.req.query('q') ?? '').slice(0, MAX_QUERY_CHARS);
      const before = parseCursor(c.req.query('before'));
      if (!before.ok) return errorPage(c, 400, 'رابط الصفحة غير صالح');
      const terms = searchTerms(query);
      let rows: PageStory[] = [];
      if (terms.length > 0) {
        if (searching >= MAX_CONCURRENT_SEARCHES) {
          c.header('Retry-After', '5');
          return errorPage(c, 503, 'البحث مشغول، أعد المحاولة بعد لحظات');
        }
        searching++;
        try {
          rows = await searchStories(terms, { beforeId: before.value, limit: HOME_PAGE_SIZE + 1 });
        } finally {
          searching--;
        }
      }
      const stories = rows.slice(0, HOME_PAGE_SIZE);
      const q = `search?q=${encodeURIComponent(query.trim())}`;
      const html = renderSearchPage({
        siteTitle: config.feedTitle,
        basePath,
        alternates: alternatesFor(config.publicUrl, config.feedTitle, null, []),
        footerLinks,
        query,
        searched: terms.length > 0,
        stories,
        olderHref: rows.length > HOME_PAGE_SIZE ? `${q}&before=${stories.at(-1)!.id}` : null,
        newestHref: before.value === null ? null : q,
        now: new Date(clock()),
      });
      setPageHeaders(c);
      // Results are per query: neither kept here nor by shared caches.
      c.header('Cache-Control', 'no-store');
      return c.html(html, 200);
    });
  }

  const loadSourceStatus = feedStore.loadSourceStatus?.bind(feedStore);
  if (loadSourceStatus) {
    const statusVersion = async () => `${(await feedStore.sourceStatusVersion?.()) ?? ''}|${minute()}`;
    const statusPages = createPageLru<'html' | 'json'>({
      maxBytes: FIRST_PAGES_BYTES,
      freshMs,
      version: statusVersion,
      build: async function buildStatus(kind, versionKey) {
        const now = new Date(clock());
        const sources = (await loadSourceStatus(now)).map((facts) => describeSource(facts, isPublicAddress(facts)));
        if (kind === 'json') {
          const json = renderSourcesJson(sources, activityStart(now), JOINED_SHARE_DAYS);
          return encodeFeed({ text: json, contentType: 'application/json; charset=utf-8', versionKey, updatedAt: null });
        }
        const html = renderStatusPage({
          siteTitle: config.feedTitle,
          basePath,
          canonicalUrl: `${home}status`,
          footerLinks,
          sources,
          now,
          joinedShareDays: JOINED_SHARE_DAYS,
        });
        return encodePage(html, versionKey);
      },
      logger,
      clock: deps.clock,
    });
    app.get('/status', async function serveStatus(c) {
      return sendEncoded(c, (await statusPages.get('html'))!, cacheControl);
    });
    app.get('/api/feeds', async function serveFeedsJson(c) {
      c.header('Access-Control-Allow-Origin', '*');
      return sendEncoded(c, (await statusPages.get('json'))!, cacheControl);
    });
  }
  return app;
}

type ParsedCursor = { ok: true; value: number | null } | { ok: false };

/** `?before=`: a story id; absent or empty is the first page. */
function parseCursor(raw: string | undefined): ParsedCursor {
  if (raw === undefined || raw === '') return { ok: true, value: null };
  const id = parseStoryId(raw);
  return id === null ? { ok: false } : { ok: true, value: id };
}

function knownCategories(config: PagesRoutesDeps['config']): ReadonlySet<string> | null {
  if (config.categories) return new Set(config.categories);
  if (config.sources) return new Set(config.sources.flatMap((s) => (s.category ? [s.category] : [])));
  return null;
}

const FORMAT_LABELS = { rss: 'RSS 2.0', atom: 'Atom 1.0', json: 'JSON Feed 1.1' } as const;

function mediaType(format: keyof typeof feedFormats): string {
  return feedFormats[format].contentType.split(';')[0]!;
}

/**
 * Autodiscovery: on a category tab its own three feeds first; then the merged feed in three formats, each
 * category's RSS, and the sources as OPML.
 */
function alternatesFor(
  publicUrl: string,
  feedTitle: string,
  category: string | null,
  tabs: ReadonlyArray<{ value: string; label: string }>,
): AlternateLink[] {
  const formats = Object.keys(FORMAT_LABELS) as Array<keyof typeof FORMAT_LABELS>;
  const three = (cat: string | null): AlternateLink[] => {
    const urls = feedUrlsFor(publicUrl, null, cat);
    const title = cat === null ? feedTitle : `${feedTitle} — ${categoryLabel(cat)}`;
    return formats.map((f) => ({ type: mediaType(f), title: `${title} (${FORMAT_LABELS[f]})`, href: urls[f] }));
  };
  return [
    ...(category === null ? [] : three(category)),
    ...three(null),
    ...tabs
      .filter((t) => t.value !== category)
      .map((t) => ({ type: mediaType('rss'), title: `${feedTitle} — ${t.label} (RSS 2.0)`, href: feedUrlsFor(publicUrl, null, t.value).rss })),
    { type: 'text/x-opml', title: `المصادر (OPML)`, href: new URL('sources.opml', homeUrlFor(publicUrl)).href },
  ];
}

function footerLinksFor(publicUrl: string): PageLink[] {
  const urls = feedUrlsFor(publicUrl, null);
  return [
    { href: urls.rss, label: 'RSS', dir: 'ltr' },
    { href: urls.atom, label: 'Atom', dir: 'ltr' },
    { href: urls.json, label: 'JSON Feed', dir: 'ltr' },
    { href: 'sources.opml', label: 'OPML', dir: 'ltr' },
    { href: 'status', label: 'حالة المصادر' },
    { href: 'api/feeds', label: 'api/feeds', dir: 'ltr' },
  ];
}
