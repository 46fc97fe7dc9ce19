import { Hono, type Context } from 'hono';
import type { Logger } from '../../logger.js';
import { escapeHtml } from '../../publish/feed-text.js';
import { basePathFor, renderPage } from '../../publish/page-style.js';
import { renderStoryPage, type StoryPage } from '../../publish/render-story-page.js';
import { homeUrlFor } from '../feed-formats.js';
import { createPageLru } from '../page-lru.js';
import { encodePage, sendEncoded, setPageHeaders } from '../send-page.js';

/** The part of the feed store the story page reads; without `loadStoryPage` every story is a 404. */
export interface StoryPageStore {
  version(): Promise<string>;
  loadStoryPage?(storyId: number): Promise<StoryPage | null>;
  /** The story a merged story's id now leads to (`khabar story merge`), null when it was never merged. */
  mergedInto?(storyId: number): Promise<number | null>;
}

export interface StoryRouteDeps {
  feedStore: StoryPageStore;
  logger: Logger;
  config: { publicUrl: string; feedTitle: string; cacheSeconds: number };
  clock?: () => number;
  /** Bytes of built story pages kept in memory (all three codings). Default STORY_PAGE_CACHE_BYTES. */
  storyPageCacheBytes?: number;
}

/**
 * Ids are chosen by clients, so pages are kept under a byte budget, not one per story: 16 MiB holds a few thousand
 * typical pages (2–6 KiB each with both compressed forms).
 */
export const STORY_PAGE_CACHE_BYTES = 16 * 1024 * 1024;

/** A story id as the database makes them: a positive bigserial, here within the integers a double holds exactly. */
export function parseStoryId(raw: string): number | null {
  if (!/^[1-9][0-9]{0,15}$/.test(raw)) return null;
  const id = Number(raw);
  return Number.isSafeInteger(id) ? id : null;
}

/** `/stories/{id}`: one story's page, built once per change, with ETag, Last-Modified and 304s from memory. */
export function storyRoute(deps: StoryRouteDeps): Hono {
  const { config } = deps;
  const logger = deps.logger.child({ scope: 'story-page' });
  const cacheSeconds = Math.max(0, Math.floor(config.cacheSeconds));
  const basePath = basePathFor(config.publicUrl);
  const home = homeUrlFor(config.publicUrl);
  const loadStoryPage = deps.feedStore.loadStoryPage?.bind(deps.feedStore);
  const mergedInto = deps.feedStore.mergedInto?.bind(deps.feedStore);
  const pages = createPageLru<number>({
    maxBytes: deps.storyPageCacheBytes ?? STORY_PAGE_CACHE_BYTES,
    freshMs: cacheSeconds * 1000,
    version: () => deps.feedStore.version(),
    build: async function buildStoryPage(storyId, versionKey) {
      const page = loadStoryPage ? await loadStoryPage(storyId) : null;
      if (page === null) return null;
      const html = renderStoryPage(page, {
        siteTitle: config.feedTitle,
        basePath,
        canonicalUrl: new URL(`stories/${storyId}`, home).href,
      });
      logger.debug({ story_id: storyId, version: versionKey }, 'story page built');
      return encodePage(html, versionKey, page.updatedAt);
    },
    logger,
    clock: deps.clock,
  });
  const cacheControl = `public, max-age=${cacheSeconds}`;
  const notFoundHtml = renderPage({
    title: `لا خبر بهذا الرقم — ${config.feedTitle}`,
    body: `<h1>لا خبر بهذا الرقم</h1>\n<p class="empty">ربما حُذف الخبر لقدمه، أو أن الرابط غير صحيح. <a href="${escapeHtml(basePath)}">إلى آخر الأخبار</a></p>`,
    basePath,
    siteTitle: config.feedTitle,
    robots: 'noindex',
  });

  function notFound(c: Context): Response {
    setPageHeaders(c);
    c.header('Cache-Control', 'no-store');
    return c.html(notFoundHtml, 404);
  }

  const app = new Hono();
  app.get('/stories/:id', async function serveStoryPage(c) {
    const storyId = parseStoryId(c.req.param('id'));
    if (storyId === null) return notFound(c);
    const encoded = await pages.get(storyId);
    if (encoded === null) {
      // A story an operator merged into another: its links (feed readers, shares) lead to the story it joined.
      const into = mergedInto ? await mergedInto(storyId) : null;
      if (into !== null) {
        setPageHeaders(c);
        c.header('Cache-Control', cacheControl);
        return c.redirect(new URL(`stories/${into}`, home).href, 301);
      }
      return notFound(c);
    }
    return sendEncoded(c, encoded, cacheControl);
  });
  return app;
}
