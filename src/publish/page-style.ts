import { createHash } from 'node:crypto';
import { escapeHtml } from './feed-text.js';

/**
 * The one stylesheet and page shell of khabar's HTML pages (home, search, status, story). Pure: data → string.
 *
 * The stylesheet is served by khabar itself under a name that carries its hash (`pageStylesheetPath`), so it can be
 * cached for a year and the Content-Security-Policy can forbid every inline style and script. Pages carry no
 * script at all; colours follow the reader's system (prefers-color-scheme), fonts are the system's Arabic faces.
 */
export const pageStylesheet = `:root{color-scheme:light dark;--bg:#fdfdfb;--fg:#1b1b1b;--muted:#5d5d5d;--line:#e3e1dc;--card:#fff;--accent:#0b6b50;--accent-fg:#fff;--bad:#b3261e;--warn:#8a5a00;--ok:#1e7a3c;--chip:#efeee9}
@media (prefers-color-scheme:dark){:root{--bg:#121413;--fg:#e9e8e4;--muted:#a4a39e;--line:#2c2f2d;--card:#1a1d1b;--accent:#5cc9a0;--accent-fg:#0b1510;--bad:#ff8a80;--warn:#f0c060;--ok:#7bd88f;--chip:#232725}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font-family:system-ui,-apple-system,"Segoe UI","Geeza Pro","Arabic UI Text","Noto Sans Arabic","Noto Naskh Arabic",Tahoma,"Arial Unicode MS",sans-serif;font-size:1.0625rem;line-height:1.7}
a{color:var(--accent);text-decoration:none}
a:hover,a:focus-visible{text-decoration:underline}
:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
.site-header,main,.site-footer{max-width:48rem;margin:0 auto;padding:0 1rem}
.site-header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding-top:1rem;padding-bottom:.75rem;border-bottom:1px solid var(--line)}
.brand{font-size:1.35rem;font-weight:700;color:var(--fg);margin-inline-end:auto}
.site-nav{display:flex;gap:1rem;font-size:.95rem}
.search{display:flex;gap:.4rem;flex:1 1 100%}
.search input{flex:1;min-width:0;font:inherit;padding:.4rem .7rem;border:1px solid var(--line);border-radius:.5rem;background:var(--card);color:var(--fg)}
.search button{font:inherit;padding:.4rem .9rem;border:0;border-radius:.5rem;background:var(--accent);color:var(--accent-fg);cursor:pointer}
.tabs{display:flex;flex-wrap:wrap;gap:.4rem;margin:1rem 0 .5rem;padding:0;list-style:none}
.tabs a{display:inline-block;padding:.15rem .8rem;border-radius:999px;background:var(--chip);color:var(--fg);font-size:.92rem}
.tabs a[aria-current="page"]{background:var(--accent);color:var(--accent-fg)}
h1{font-size:1.4rem;margin:1rem 0 .5rem}
.stories{list-style:none;margin:0;padding:0}
.story{padding:.9rem 0;border-bottom:1px solid var(--line)}
.story h2{font-size:1.15rem;line-height:1.5;margin:0 0 .25rem}
.story h2 a{color:var(--fg)}
.lead{margin:0 0 .35rem;color:var(--muted);display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;line-clamp:2;overflow:hidden}
.meta{font-size:.88rem;color:var(--muted);margin:0}
.meta .outlets{display:inline;margin:0;padding:0;list-style:none}
.meta .outlets li{display:inline}
.meta .outlets li+li::before{content:"، "}
.sep{margin:0 .35rem}
.pager{display:flex;justify-content:space-between;gap:1rem;margin:1.25rem 0}
.empty{color:var(--muted);padding:2rem 0}
.status{width:100%;border-collapse:collapse;font-size:.9rem}
.status th,.status td{text-align:start;vertical-align:top;padding:.5rem .4rem;border-bottom:1px solid var(--line)}
.status th{font-weight:600;color:var(--muted)}
.status .num{font-variant-numeric:tabular-nums;white-space:nowrap}
.health-ok{color:var(--ok);font-weight:600}
.health-failing{color:var(--bad);font-weight:600}
.health-new,.health-disabled{color:var(--muted);font-weight:600}
.detail{display:block;color:var(--muted);font-size:.85rem;font-weight:400;overflow-wrap:anywhere}
.sparkline{display:block;width:6rem;height:1.5rem;color:var(--accent)}
.table-wrap{overflow-x:auto}
.site-footer{padding-top:1rem;padding-bottom:2rem;margin-top:1rem;border-top:1px solid var(--line);font-size:.88rem;color:var(--muted)}
.site-footer ul{display:flex;flex-wrap:wrap;gap:.3rem 1rem;margin:0;padding:0;list-style:none}
.story-page h1 a,.copy h3 a{color:var(--fg)}
.story-text p,.copy p{margin:.5rem 0}
.copies{margin-top:1.5rem;border-top:2px solid var(--line)}
.copies h2{font-size:1.15rem;margin:1rem 0 .25rem}
.note,.same{color:var(--muted);font-size:.92rem}
.copy{padding:.75rem 0;border-bottom:1px solid var(--line)}
.copy h3{font-size:1.05rem;line-height:1.5;margin:0 0 .2rem}
.copy h4{font-size:.88rem;font-weight:600;color:var(--muted);margin:.6rem 0 0}
ins{text-decoration:underline;text-decoration-color:var(--ok);text-underline-offset:.3em;background:color-mix(in srgb,var(--ok) 12%,transparent)}
del{text-decoration:line-through;text-decoration-color:var(--bad);color:var(--muted);background:color-mix(in srgb,var(--bad) 8%,transparent)}
[dir="ltr"]{unicode-bidi:isolate}
@media (max-width:36rem){body{font-size:1rem}.status th:nth-child(n+5),.status td:nth-child(n+5){display:none}}
`;

export const pageStylesheetBytes: Buffer = Buffer.from(pageStylesheet, 'utf8');

/** First 16 base64url characters of the sha256: the stylesheet's name changes with every edit. */
export const pageStylesheetHash: string = createHash('sha256').update(pageStylesheetBytes).digest('base64url').slice(0, 16);

/** Where the stylesheet is served, relative to the site's base path (see `basePathFor`). */
export const pageStylesheetPath = `static/style-${pageStylesheetHash}.css`;

/**
 * The site's icon: the letter خ on the accent colour. Linked from every page, so browsers do not ask for a
 * /favicon.ico that is not there (a 404 in every console).
 */
export const pageIcon =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0b6b50"/>' +
  '<text x="16" y="23" font-family="system-ui,Tahoma,sans-serif" font-size="20" font-weight="700" text-anchor="middle" fill="#fff">خ</text></svg>\n';

export const pageIconBytes: Buffer = Buffer.from(pageIcon, 'utf8');

export const pageIconHash: string = createHash('sha256').update(pageIconBytes).digest('base64url').slice(0, 16);

/** Where the icon is served, relative to the base path. */
export const pageIconPath = `static/icon-${pageIconHash}.svg`;

/**
 * Pages load nothing but khabar's own stylesheet: no script, no inline style, no frames, forms only to khabar.
 * Sent as the Content-Security-Policy header of every page. Inline SVG (the status sparklines) needs no source;
 * its colours must be presentation attributes, not `style=`.
 */
export const pageContentSecurityPolicy =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The path PUBLIC_URL puts the site under, with a trailing slash: `/` for https://news.example.org, `/khabar/` for
 * https://example.org/khabar (a reverse proxy in front). Page links are built on it so that they stay on the
 * origin the browser used (CSP `'self'`), whatever host the page was reached by.
 */
export function basePathFor(publicUrl: string): string {
  let path: string;
  try {
    path = new URL(publicUrl).pathname;
  } catch {
    return '/';
  }
  return path.endsWith('/') ? path : `${path}/`;
}

export interface PageLink {
  /** An address relative to the base path (`status`, `feed.xml?category=sport`) or absolute. */
  href: string;
  label: string;
  /** `ltr` for Latin labels (RSS, OPML) inside the right-to-left page. */
  dir?: 'rtl' | 'ltr';
}

export interface AlternateLink {
  type: string;
  title: string;
  /** Absolute URL: feed readers are given the page, not the base path. */
  href: string;
}

export interface PageInput {
  /** The document title, plain text (escaped here). */
  title: string;
  /** HTML placed inside `<main>`: trusted, already escaped by the caller. */
  body: string;
  /** BCP 47; default `ar`. */
  lang?: string;
  /** Default: `rtl` for Arabic, Persian, Urdu and Hebrew, else `ltr`. */
  dir?: 'rtl' | 'ltr';
  /** From `basePathFor(PUBLIC_URL)`; default `/`. */
  basePath?: string;
  /** When given, the shared header: the site's name linking home, the navigation and the search box. */
  siteTitle?: string;
  /** The query already in the search box (search results page). */
  searchQuery?: string;
  /** Which navigation entry is this page, for aria-current: `home`, `status`, or none. */
  current?: 'home' | 'status';
  description?: string;
  /** Absolute URL of this page. */
  canonicalUrl?: string;
  /** `<link rel="alternate">` for feed autodiscovery. */
  alternates?: AlternateLink[];
  /** Links in the footer (feeds, OPML, …). */
  footerLinks?: PageLink[];
  /** `noindex` for pages that search engines should not keep (search results). */
  robots?: string;
}

const RTL_LANGS = /^(?:ar|fa|ur|he|ps|ckb|yi)(?:-|$)/i;

/** A complete HTML document around `body`, with the shared stylesheet, header and footer. */
export function renderPage(input: PageInput): string {
  const lang = input.lang ?? 'ar';
  const dir = input.dir ?? (RTL_LANGS.test(lang) ? 'rtl' : 'ltr');
  const base = input.basePath ?? '/';
  const href = (path: string) => escapeHtml(/^[a-z][a-z0-9+.-]*:/i.test(path) ? path : `${base}${path.replace(/^\/+/, '')}`);
  const head = [
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(input.title)}</title>`,
    input.description ? `<meta name="description" content="${escapeHtml(input.description)}">` : '',
    input.robots ? `<meta name="robots" content="${escapeHtml(input.robots)}">` : '',
    '<meta name="color-scheme" content="light dark">',
    `<link rel="stylesheet" href="${href(pageStylesheetPath)}">`,
    `<link rel="icon" type="image/svg+xml" href="${href(pageIconPath)}">`,
    input.canonicalUrl ? `<link rel="canonical" href="${escapeHtml(input.canonicalUrl)}">` : '',
    ...(input.alternates ?? []).map(
      (a) => `<link rel="alternate" type="${escapeHtml(a.type)}" title="${escapeHtml(a.title)}" href="${escapeHtml(a.href)}">`,
    ),
  ].filter((line) => line !== '');
  const header =
    input.siteTitle === undefined
      ? ''
      : `<header class="site-header">\n<a class="brand" href="${href('')}">${escapeHtml(input.siteTitle)}</a>\n` +
        `<nav class="site-nav" aria-label="التنقل">` +
        `<a href="${href('')}"${input.current === 'home' ? ' aria-current="page"' : ''}>الرئيسية</a>` +
        `<a href="${href('status')}"${input.current === 'status' ? ' aria-current="page"' : ''}>حالة المصادر</a></nav>\n` +
        `<form class="search" role="search" action="${href('search')}" method="get">` +
        `<input type="search" name="q" maxlength="200" placeholder="ابحث في الأخبار" aria-label="ابحث في الأخبار"` +
        `${input.searchQuery ? ` value="${escapeHtml(input.searchQuery)}"` : ''}>` +
        `<button type="submit">بحث</button></form>\n</header>\n`;
  const footer =
    input.footerLinks && input.footerLinks.length > 0
      ? `<footer class="site-footer"><ul>${input.footerLinks
          .map((l) => `<li><a href="${href(l.href)}"${l.dir ? ` dir="${l.dir}"` : ''}>${escapeHtml(l.label)}</a></li>`)
          .join('')}</ul></footer>\n`
      : '';
  return (
    `<!doctype html>\n<html lang="${escapeHtml(lang)}" dir="${dir}">\n<head>\n${head.join('\n')}\n</head>\n<body>\n` +
    `${header}<main>\n${input.body}\n</main>\n${footer}</body>\n</html>\n`
  );
}
