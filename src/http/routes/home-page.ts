import { Hono } from 'hono';
import { escapeHtml } from '../../publish/feed-text.js';
import { feedFormats, feedUrlsFor, homeUrlFor } from '../feed-formats.js';

export interface HomePageOptions {
  publicUrl: string;
  feedTitle: string;
  cacheSeconds: number;
}

/** `/`: a small right-to-left page naming the three feeds, with autodiscovery links for readers given only the site. */
export function homePage(options: HomePageOptions): Hono {
  const app = new Hono();
  const urls = feedUrlsFor(options.publicUrl, null);
  const title = escapeHtml(options.feedTitle);
  const feeds = [
    { url: urls.rss, type: feedFormats.rss.contentType.split(';')[0], label: 'RSS 2.0' },
    { url: urls.atom, type: feedFormats.atom.contentType.split(';')[0], label: 'Atom 1.0' },
    { url: urls.json, type: feedFormats.json.contentType.split(';')[0], label: 'JSON Feed 1.1' },
  ];
  const html =
    `<!doctype html>\n<html dir="rtl" lang="ar">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>${title}</title>\n` +
    feeds.map((feed) => `<link rel="alternate" type="${feed.type}" title="${title} (${feed.label})" href="${escapeHtml(feed.url)}">\n`).join('') +
    `<link rel="canonical" href="${escapeHtml(homeUrlFor(options.publicUrl))}">\n</head>\n<body>\n<h1>${title}</h1>\n` +
    `<p>موجز واحد يجمع الخبر من كل المصادر التي نشرته. اشترك بأحد الروابط:</p>\n<ul>\n` +
    feeds.map((feed) => `<li><a href="${escapeHtml(feed.url)}" dir="ltr">${feed.label}</a></li>\n`).join('') +
    `</ul>\n<p>قائمة المصادر نفسها بصيغة OPML لاستيرادها في أي قارئ: <a href="${escapeHtml(new URL('sources.opml', homeUrlFor(options.publicUrl)).href)}" dir="ltr">sources.opml</a></p>\n` +
    `</body>\n</html>\n`;
  // Built once: the page only depends on configuration.
  const bytes = Buffer.from(html, 'utf8');
  const cacheControl = `public, max-age=${options.cacheSeconds}`;

  app.get('/', function home(c) {
    c.header('Content-Type', 'text/html; charset=utf-8');
    c.header('Cache-Control', cacheControl);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200);
  });
  return app;
}
