import { normalizeText } from '../arabic/normalize-text.js';
import { shortErrorMessage, toKhabarError } from '../errors.js';
import type { Logger } from '../logger.js';
import { fetchFeed } from './fetch-feed.js';
import type { ParsePool } from './parse-pool.js';
import { createLinkGuard, type AddressLookup } from './public-address-guard.js';
import type { Item } from '../domain/item.js';

export interface FullTextOptions {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  /** Reader view runs in these worker threads, with their time budget (parse-pool.ts). */
  parser: ParsePool;
  signal?: AbortSignal;
  /** Pages fetched at the same time for one feed (politeness towards one site). */
  concurrency?: number;
  /** At most this many pages per refresh; the rest keep the feed's text. */
  limit?: number;
  /** No new page after this many milliseconds (default FULL_TEXT_BUDGET_MS). */
  budgetMs?: number;
  /**
   * Item links are the feed author's: they may not reach loopback, private or link-local addresses
   * (public-address-guard.ts), except this origin: the feed's own (scheme, host, port), when the feed itself is on such an
   * address (a local RSSHub, an intranet). Other ports of that host and the rest of the network stay refused.
   */
  trustedOrigin?: string | null;
  /** For tests: how host names resolve for the address guard. */
  resolve?: AddressLookup;
  /** For tests: milliseconds now. */
  clock?: () => number;
}

export interface FullTextSummary {
  /** Pages requested. */
  fetched: number;
  /** Items whose text was replaced by the page's article. */
  replaced: number;
  /** Pages that failed (network, HTTP, not HTML, no article, or an article without the feed's lead). */
  failed: number;
}

const PAGE_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5';
const DEFAULT_LIMIT = 30;
/** A news page is rarely over 1 MB; a bigger one costs seconds of DOM work on the event loop for little chance of an article. */
const PAGE_MAX_BYTES = 2 * 1024 * 1024;
/**
 * No page is started after this long (the one in flight still has its own timeout): with the feed's own fetch, the
 * refresh stays inside its claim's lease (refresh-due-feeds.ts adds this budget to the lease).
 */
export const FULL_TEXT_BUDGET_MS = 60_000;

/**
 * For feeds that carry only a lead (`full_text: true` in feeds.yaml): fetches each item's page with the feed's limits
 * (timeout, size cap, redirects), decodes it (charset from the header or the page's <meta>), extracts the article
 * (extract-article.ts) and uses it instead of the feed's text when it is really this item's article: it holds most of
 * the feed's lead (or headline) and says more. Anything else keeps the feed's text; a failed page never fails the feed.
 * Call it for new items only: each costs a request to the outlet. Pages are capped at 2 MiB, and no page is started
 * after FULL_TEXT_BUDGET_MS.
 */
export async function fetchFullText(items: Item[], options: FullTextOptions, log: Logger): Promise<{ items: Item[]; summary: FullTextSummary }> {
  const summary: FullTextSummary = { fetched: 0, replaced: 0, failed: 0 };
  const out = [...items];
  const todo = items.map((item, index) => ({ item, index })).filter(({ item }) => item.link).slice(0, options.limit ?? DEFAULT_LIMIT);
  let next = 0;
  const clock = options.clock ?? Date.now;
  const stopAt = clock() + (options.budgetMs ?? FULL_TEXT_BUDGET_MS);
  const { checkUrl, dispatcher } = createLinkGuard({ trustedOrigin: options.trustedOrigin, resolve: options.resolve });

  async function fillOne(item: Item): Promise<Item> {
    summary.fetched++;
    try {
      const page = await fetchFeed(item.link!, { ...options, maxBytes: Math.min(options.maxBytes, PAGE_MAX_BYTES), accept: PAGE_ACCEPT, checkUrl, dispatcher });
      if (page.status !== 'ok') return item;
      if (page.contentType && !/\b(?:html|xhtml)\b/i.test(page.contentType)) {
        summary.failed++;
        log.debug({ url: item.link, content_type: page.contentType }, 'full text: not an HTML page');
        return item;
      }
      const article = await options.parser.readArticlePage({ body: page.body, contentType: page.contentType, url: page.url });
      if (!article || !isFullerVersion(item, article.text)) {
        summary.failed++;
        log.debug({ url: item.link }, 'full text: no article holding the feed text on the page');
        return item;
      }
      summary.replaced++;
      return { ...item, contentHtml: article.html, contentText: article.text };
    } catch (thrown) {
      const err = toKhabarError(thrown);
      if (err.code === 'FETCH_ABORTED') throw err;
      summary.failed++;
      log.warn({ url: item.link, code: err.code, error: shortErrorMessage(err) }, 'full text not fetched; keeping the feed text');
      return item;
    }
  }

  async function worker(): Promise<void> {
    while (next < todo.length && clock() < stopAt) {
      const { item, index } = todo[next++]!;
      out[index] = await fillOne(item);
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 2, todo.length) }, worker));
  } finally {
    // Its connections belong to this refresh.
    await dispatcher.close().catch(() => undefined);
  }
  return { items: out, summary };
}

/**
 * Whether the page's article is a fuller version of the item: most of the feed's first 40 words (its headline when
 * the feed has no text) appear on the page, and the page says clearly more. Guards against reader view picking a
 * related-articles block, a cookie wall or a paywall teaser.
 */
export function isFullerVersion(item: Pick<Item, 'title' | 'contentText'>, articleText: string): boolean {
  const words = (text: string) => normalizeText(text).split(' ').filter(Boolean);
  const feedWords = words(item.contentText);
  const pageWords = words(articleText);
  const probe = (feedWords.length >= 5 ? feedWords : words(item.title)).slice(0, 40);
  if (probe.length === 0) return false;
  const onPage = new Set(pageWords);
  const found = probe.filter((w) => onPage.has(w)).length;
  return found >= 0.6 * probe.length && pageWords.length >= 1.2 * feedWords.length + 10;
}
