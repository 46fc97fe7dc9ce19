import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from '../logger.js';
import { encodeFeed, type EncodedFeed } from '../publish/encode-feed.js';
import type { MergedFeed } from '../publish/types.js';
import { createFeedCache } from './feed-cache.js';
import { feedFormats, feedUrlsFor, homeUrlFor, type FeedFormat } from './feed-formats.js';
import type { FeedQuery, FeedStore } from './feed-store.js';
import { onError } from './on-error.js';
import { feedDocumentHeaders, secureHeaderValues, type SecureHeadersOptions } from './secure-header-values.js';
import { DEFAULT_PAGE_SIZE, PAGE_SIZES, roundLimitUp } from './parse-limit.js';
import { feedPreflightRoutes, feedRoutes } from './routes/feed-routes.js';
import { healthRoutes, type HealthCheck, type ReadinessCheck } from './routes/health-routes.js';
import { metricsRoute } from './routes/metrics-route.js';
import type { Metrics } from '../metrics/create-metrics.js';
import { timeRequests } from '../metrics/time-requests.js';
import { homePage } from './routes/home-page.js';
import { pagesRoutes } from './routes/pages-routes.js';
import { sourcesRoute } from './routes/sources-route.js';
import { storyRoute } from './routes/story-route.js';
import type { OpmlSource } from '../publish/render-opml.js';

export interface AppConfig {
  /** Public base URL, e.g. https://news.example.org (self links and autodiscovery). */
  publicUrl: string;
  feedTitle: string;
  /** max-age sent to clients, and how long built feeds are served before the store is asked for its version. */
  cacheSeconds: number;
  /** Entries of a feed without `?limit=`; rounded up to a page size (PAGE_SIZES). Default 50. */
  defaultLimit?: number;
  /** The enabled sources from feeds.yaml, served as /sources.opml (empty when not given). */
  sources?: OpmlSource[];
  /**
   * The categories of every configured feed, enabled or not (a disabled feed's stories stay published). Any other
   * `?category=` is a 404, so clients cannot make the server build feeds nobody configured. When absent, the
   * categories of `sources`; when both are absent (tools and tests that know no feeds), any category is served.
   */
  categories?: readonly string[];
  /** METRICS_TOKEN: when set, /metrics needs `Authorization: Bearer <token>`. */
  metricsToken?: string | null;
}

export interface AppDeps {
  feedStore: FeedStore;
  logger: Logger;
  config: AppConfig;
  health?: HealthCheck;
  /** Readiness checks besides the database (migrations, the worker's last pass), each named in /readyz. */
  readiness?: readonly ReadinessCheck[];
  /** The process's registry (made once in runService, so counts outlast app rebuilds); without it no /metrics. */
  metrics?: Metrics;
  /** For tests: milliseconds now. */
  clock?: () => number;
}

/**
 * The app, and `nodeListener`: the same app as a Node request listener (what `khabar serve` listens with), which
 * answers fresh feeds straight on Node's response (feed-routes.ts serveNode) and hands everything else to Hono.
 */
export type KhabarApp = Hono & { readonly nodeListener: (req: IncomingMessage, res: ServerResponse) => void };

export function createApp(deps: AppDeps): KhabarApp {
  const { config } = deps;
  const logger = deps.logger.child({ scope: 'http' });
  const defaultLimit = roundLimitUp(config.defaultLimit ?? DEFAULT_PAGE_SIZE);
  const categories = knownCategories(config);
  const cacheSeconds = Math.max(0, Math.floor(config.cacheSeconds));

  async function buildFeed(feed: MergedFeed, format: FeedFormat, query: FeedQuery, versionKey: string): Promise<EncodedFeed> {
    const { limit, category } = query;
    const stories = feed.stories.slice(0, limit);
    const newest = stories.reduce<Date | null>((max, story) => (max === null || story.updatedAt > max ? story.updatedAt : max), null);
    // Title and addresses are the deployment's, not the store's: the same data served under another PUBLIC_URL
    // must carry that URL in its self links.
    const prepared: MergedFeed = {
      ...feed,
      title: category === null ? config.feedTitle : `${config.feedTitle} — ${category}`,
      language: feed.language || 'ar',
      homeUrl: homeUrlFor(config.publicUrl),
      // One identity per category, whatever the limit: readers must not take two category feeds for one.
      id: category === null ? homeUrlFor(config.publicUrl) : `${homeUrlFor(config.publicUrl)}?category=${encodeURIComponent(category)}`,
      feedUrls: feedUrlsFor(config.publicUrl, limit === defaultLimit ? null : limit, category),
      updatedAt: feed.updatedAt ?? newest,
      stories,
    };
    const spec = feedFormats[format];
    return encodeFeed({ text: spec.render(prepared), contentType: spec.contentType, versionKey, updatedAt: prepared.updatedAt });
  }

  const cache = createFeedCache({
    feedStore: deps.feedStore,
    logger,
    freshMs: cacheSeconds * 1000,
    maxEntries: feedCacheBound(categories),
    build: buildFeed,
    clock: deps.clock,
    metrics: deps.metrics?.feedCache,
  });

  // Feeds are public and read by web-based readers from other origins.
  // HSTS only where the service is reached over https: sent over plain http, or with includeSubDomains on a shared
  // domain, it would pin other sites to https for months.
  const security: SecureHeadersOptions = {
    crossOriginResourcePolicy: 'cross-origin',
    strictTransportSecurity: config.publicUrl.startsWith('https:') ? 'max-age=15552000' : false,
  };

  const site = new Hono();
  if (deps.metrics) site.use(timeRequests(deps.metrics));
  site.use(requestId());
  site.use(secureHeaders(security));
  // The pages (home with stories, search, status) before the config-only `/`, which serves stores without stories.
  site.route('/', pagesRoutes(deps));
  site.route('/', homePage({ publicUrl: config.publicUrl, feedTitle: config.feedTitle, cacheSeconds }));
  site.route('/', feedPreflightRoutes());
  site.route('/', sourcesRoute({ title: config.feedTitle, sources: config.sources ?? [], cacheSeconds }));
  site.route('/', storyRoute(deps));
  site.route('/', healthRoutes({ health: deps.health, checks: deps.readiness, logger }));
  if (deps.metrics) site.route('/', metricsRoute({ metrics: deps.metrics, token: config.metricsToken ?? null }));
  site.notFound(function notFound(c) {
    return c.json({ error: { code: 'NOT_FOUND', message: 'no such page; the feeds are /feed.xml, /feed.atom and /feed.json' } }, 404);
  });
  site.onError(onError(logger));

  // The feeds are what readers poll, so their GET routes sit in front of the middleware: each answers from headers
  // built once per rebuilt feed (the same security headers, request id and CORS headers), which keeps a request
  // close to the cost of copying its bytes. Every other request, and anything that matches no feed route, is the site's.
  const app = new Hono();
  const feeds = feedRoutes({ cache, cacheSeconds, defaultLimit, categories, securityHeaders: secureHeaderValues(security).then(feedDocumentHeaders), logger, metrics: deps.metrics });
  app.route('/', feeds.app);
  app.notFound(function siteRequest(c) {
    return site.fetch(c.req.raw, c.env);
  });
  app.onError(onError(logger));
  const viaHono = getRequestListener(app.fetch);
  return Object.assign(app, {
    nodeListener: function khabarRequest(req: IncomingMessage, res: ServerResponse): void {
      if (!feeds.serveNode(req, res)) void viaHono(req, res);
    },
  });
}

/** Without a category list, this many categories keep their feeds cached (least recently used go first). */
const UNLISTED_CATEGORY_SLOTS = 8;

function knownCategories(config: AppConfig): ReadonlySet<string> | null {
  if (config.categories) return new Set(config.categories);
  if (config.sources) return new Set(config.sources.flatMap((s) => (s.category ? [s.category] : [])));
  return null;
}

/**
 * Every document the feed cache can hold: formats × page sizes × (known categories + all stories). Keys are built
 * only from these (limits are rounded up to a page size, unknown categories are a 404), so the cache never evicts
 * and no client can grow it. With no category list, a few categories are kept and the least recently used dropped.
 */
export function feedCacheBound(categories: ReadonlySet<string> | null): number {
  const categorySlots = (categories?.size ?? UNLISTED_CATEGORY_SLOTS) + 1;
  return Object.keys(feedFormats).length * PAGE_SIZES.length * categorySlots;
}
