import { describe, expect, it } from 'vitest';
import {
  basePathFor,
  pageContentSecurityPolicy,
  pageIcon,
  pageIconPath,
  pageStylesheet,
  pageStylesheetBytes,
  pageStylesheetHash,
  pageStylesheetPath,
  renderPage,
} from '../../src/publish/page-style.js';

describe('basePathFor', () => {
  it.each([
    ['https://news.example.org', '/'],
    ['https://news.example.org/', '/'],
    ['https://example.org/khabar', '/khabar/'],
    ['https://example.org/khabar/', '/khabar/'],
    ['not a url', '/'],
  ])('%s → %s', (url, base) => {
    expect(basePathFor(url)).toBe(base);
  });
});

describe('stylesheet', () => {
  it('is named by its hash and has dark mode and a two-line clamp', () => {
    expect(pageStylesheetPath).toBe(`static/style-${pageStylesheetHash}.css`);
    expect(pageStylesheetHash).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(pageStylesheetBytes.toString('utf8')).toBe(pageStylesheet);
    expect(pageStylesheet).toContain('prefers-color-scheme:dark');
    expect(pageStylesheet).toContain('-webkit-line-clamp:2');
    // A CSS import or url() would be a request the CSP refuses.
    expect(pageStylesheet).not.toMatch(/@import|url\(/);
  });

  it('the icon is an SVG without script, under its hash', () => {
    expect(pageIconPath).toMatch(/^static\/icon-[\w-]{16}\.svg$/);
    expect(pageIcon.startsWith('<svg')).toBe(true);
    expect(pageIcon).not.toMatch(/<script|style=|href=/);
  });

  it('CSP allows no script and no inline style', () => {
    expect(pageContentSecurityPolicy).toContain("default-src 'none'");
    expect(pageContentSecurityPolicy).toContain("style-src 'self'");
    expect(pageContentSecurityPolicy).not.toMatch(/unsafe|script-src/);
  });
});

describe('renderPage', () => {
  const cases: Array<{ name: string; input: Parameters<typeof renderPage>[0]; has: string[]; hasNot?: string[] }> = [
    {
      name: 'Arabic by default, right to left, with the stylesheet under the base path',
      input: { title: 'خبر', body: '<p>نص</p>' },
      has: ['<html lang="ar" dir="rtl">', '<title>خبر</title>', `<link rel="stylesheet" href="/${pageStylesheetPath}">`, `<link rel="icon" type="image/svg+xml" href="/${pageIconPath}">`, '<main>\n<p>نص</p>\n</main>', 'name="viewport"'],
      hasNot: ['<script', 'style=', '<header'],
    },
    {
      name: 'another language and base path',
      input: { title: 'x', body: '', lang: 'en', basePath: '/khabar/' },
      has: ['<html lang="en" dir="ltr">', `href="/khabar/${pageStylesheetPath}"`],
    },
    {
      name: 'escapes the title, the search query and alternates',
      input: {
        title: '<b>&',
        body: '',
        siteTitle: 'خبر "x"',
        searchQuery: '"><script>',
        alternates: [{ type: 'application/rss+xml', title: 'RSS "1"', href: 'https://n.example/feed.xml?a=1&b=2' }],
      },
      has: ['<title>&lt;b&gt;&amp;</title>', 'value="&quot;&gt;&lt;script&gt;"', 'title="RSS &quot;1&quot;"', 'href="https://n.example/feed.xml?a=1&amp;b=2"'],
      hasNot: ['"><script>'],
    },
    {
      name: 'header with navigation, search to /search, current page marked',
      input: { title: 't', body: '', siteTitle: 'خبر', current: 'status', basePath: '/k/' },
      has: ['<a class="brand" href="/k/">خبر</a>', 'action="/k/search"', 'name="q"', '<a href="/k/status" aria-current="page">'],
    },
    {
      name: 'footer links: relative under the base path, absolute kept',
      input: { title: 't', body: '', footerLinks: [{ href: 'sources.opml', label: 'OPML', dir: 'ltr' }, { href: 'https://x.example/', label: 'x' }] },
      has: ['<a href="/sources.opml" dir="ltr">OPML</a>', '<a href="https://x.example/">x</a>'],
    },
    {
      name: 'robots and canonical',
      input: { title: 't', body: '', robots: 'noindex', canonicalUrl: 'https://n.example/' },
      has: ['<meta name="robots" content="noindex">', '<link rel="canonical" href="https://n.example/">'],
    },
  ];
  it.each(cases)('$name', ({ input, has, hasNot }) => {
    const html = renderPage(input);
    expect(html.startsWith('<!doctype html>\n')).toBe(true);
    for (const s of has) expect(html).toContain(s);
    for (const s of hasNot ?? []) expect(html).not.toContain(s);
  });
});
