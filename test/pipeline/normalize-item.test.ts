import { describe, expect, it } from 'vitest';
import { canonicalizeLink } from '../../src/pipeline/canonicalize-link.js';
import { htmlToText } from '../../src/pipeline/html-to-text.js';
import { normalizeItem } from '../../src/pipeline/normalize-item.js';
import { parseFeed } from '../../src/pipeline/parse-feed.js';
import { sanitizeHtml } from '../../src/pipeline/sanitize-html.js';
import type { ParsedEntry } from '../../src/pipeline/types.js';
import { fixtureNames, readFixtureText } from '../helpers/fixtures.js';

const feed = { id: 'city', url: 'https://news.example.org/feeds/main.xml' };
const entry = (overrides: Partial<ParsedEntry>): ParsedEntry => ({
  guid: null,
  link: null,
  title: null,
  contentHtml: null,
  summaryHtml: null,
  publishedAt: null,
  author: null,
  ...overrides,
});

describe('canonicalizeLink', () => {
  it.each([
    ['https://News.Example.org/a?utm_source=rss&utm_medium=feed&id=42#comments', 'https://news.example.org/a?id=42'],
    ['https://www.aljazeera.net/news/2026/2/15/%d8%af%d9%84%d9%8a%d9%84?traffic_source=rss', 'https://www.aljazeera.net/news/2026/2/15/%D8%AF%D9%84%D9%8A%D9%84'],
    ['https://e.example/a?b=2&a=1&fbclid=x&gclid=y&ref=home', 'https://e.example/a?a=1&b=2'],
    ['https://e.example/a?UTM_Campaign=x&at_medium=rss&xtor=RSS-1&mc_cid=1&_ga=2', 'https://e.example/a'],
    ['https://e.example:443/a/?p=10', 'https://e.example/a/?p=10'],
    ['http://e.example:80/a', 'http://e.example/a'],
    ['https://e.example/خبر?q=كلمة', 'https://e.example/%D8%AE%D8%A8%D8%B1?q=%D9%83%D9%84%D9%85%D8%A9'],
    ['https://e.example/a?q=a+b&flag', 'https://e.example/a?flag&q=a+b'],
    ['https://user:pw@e.example/a', 'https://e.example/a'],
    ['/relative/path?utm_source=x', null],
    ['javascript:alert(1)', null],
    ['mailto:a@e.example', null],
    ['', null],
  ])('%s → %s', (link, canonical) => {
    expect(canonicalizeLink(link)).toBe(canonical);
  });

  it('resolves against a base when given', () => {
    expect(canonicalizeLink('/a?utm_source=x', 'https://e.example/feed')).toBe('https://e.example/a');
  });
});

describe('sanitizeHtml', () => {
  const base = 'https://news.example.org/culture/2026/03/library';

  it.each([
    ['<p>نص<script>alert(1)</script></p>', '<p>نص</p>'],
    ['<style>p{color:red}</style><p>نص</p>', '<p>نص</p>'],
    ['<p onclick="x()" class="lead" style="color:red">نص</p>', '<p>نص</p>'],
    ['<img src="/i.jpg" alt="صورة" onerror="steal()">', '<img src="https://news.example.org/i.jpg" alt="صورة" />'],
    ['<a href="javascript:alert(1)">رابط</a>', '<a>رابط</a>'],
    ['<a href=" JaVaScRiPt:alert(1)">رابط</a>', '<a>رابط</a>'],
    ['<a href="hours">ساعات</a>', '<a href="https://news.example.org/culture/2026/03/hours" rel="nofollow noopener noreferrer">ساعات</a>'],
    ['<a href="//cdn.example.net/x">x</a>', '<a href="https://cdn.example.net/x" rel="nofollow noopener noreferrer">x</a>'],
    ['<iframe src="https://video.example/embed"></iframe><p>بعد</p>', '<p>بعد</p>'],
    ['<img src="data:image/gif;base64,R0lGOD" data-src="/real.jpg">', '<img src="https://news.example.org/real.jpg" />'],
    ['<img src="data:image/png;base64,AAAA">', ''],
    ['<h1>عنوان</h1><h6>فرعي</h6>', '<h2>عنوان</h2><h4>فرعي</h4>'],
    ['<figure><img src="https://e.example/a.jpg"><figcaption>تعليق</figcaption></figure>', '<figure><img src="https://e.example/a.jpg" /><figcaption>تعليق</figcaption></figure>'],
    ['<form><input value="x"><button>أرسل</button></form><p>ب</p>', '<p>ب</p>'],
    ['<svg><text>رسم</text></svg><p>ج</p>', '<p>ج</p>'],
  ])('%s', (html, expected) => {
    expect(sanitizeHtml(html, { baseUrl: base })).toBe(expected);
  });
});

describe('htmlToText', () => {
  it.each([
    ['<p>الفقرة الأولى.</p><p>الفقرة  الثانية.</p>', 'الفقرة الأولى.\nالفقرة الثانية.'],
    ['<p><b>عاجل</b>: خبر</p>', 'عاجل: خبر'],
    ['سطر<br>سطر آخر', 'سطر\nسطر آخر'],
    ['<ul><li>أ</li><li>ب</li></ul>', 'أ\nب'],
    ['<p>أ &amp; ب &quot;ج&quot; &#1583;&nbsp;هـ</p>', 'أ & ب "ج" د هـ'],
    ['<p>  \n  </p><p>\tنص\u200b  مع   مسافات </p>', 'نص مع مسافات'],
    ['<table><tr><td>أ</td><td>ب</td></tr></table>', 'أ ب'],
  ])('%s', (html, text) => {
    expect(htmlToText(html)).toBe(text);
  });
});

describe('normalizeItem', () => {
  it('normalizes the Arabic RSS fixture end to end', async () => {
    const parsed = await parseFeed(readFixtureText(fixtureNames.rss2Utf8), { now: new Date('2026-03-25T00:00:00Z') });
    const items = parsed.entries.map((e) => normalizeItem(e, feed));
    const [library, weather, breaking] = items;

    expect(library).toMatchObject({
      feedId: 'city',
      entryKey: 'news-example-42',
      guid: 'news-example-42',
      link: 'https://news.example.org/culture/2026/03/library?utm_source=rss&utm_medium=feed&id=42#comments',
      canonicalLink: 'https://news.example.org/culture/2026/03/library?id=42',
      title: 'افتتاح مكتبة عامة جديدة في وسط المدينة',
      author: 'سارة الحسن',
      publishedAt: new Date('2026-03-24T06:30:00Z'),
    });
    // content:encoded wins over the description, made safe and absolute.
    expect(library!.contentHtml).toContain('<strong>عشرين ألف</strong>');
    expect(library!.contentHtml).toContain('href="https://news.example.org/culture/hours"');
    expect(library!.contentHtml).toContain('src="https://news.example.org/images/library.jpg"');
    expect(library!.contentHtml).not.toMatch(/script|onclick|onerror|javascript:|steal/);
    expect(library!.contentText).toBe(
      'افتتحت البلدية صباح اليوم مكتبة عامة جديدة تضم عشرين ألف كتاب.\n' +
        'وقال رئيس البلدية إن المكتبة ستفتح أبوابها طوال أيام الأسبوع.\n' +
        'رابط خبيث',
    );

    expect(weather).toMatchObject({
      entryKey: 'https://news.example.org/weather/2026/03/heat',
      guid: null,
      link: 'https://news.example.org/weather/2026/03/heat?fbclid=abc123',
      canonicalLink: 'https://news.example.org/weather/2026/03/heat',
      title: 'ارتفاع درجات الحرارة & موجة غبار متوقعة',
      contentText: 'تتوقع الأرصاد الجوية ارتفاعاً في درجات الحرارة.\nوتنصح بتجنب التعرض للشمس.',
    });
    expect(weather!.contentHtml).toBe('<p>تتوقع الأرصاد الجوية ارتفاعاً في درجات الحرارة.</p><p>وتنصح بتجنب التعرض للشمس.</p>');
    expect(breaking).toMatchObject({ entryKey: 'https://news.example.org/breaking/power-cut', publishedAt: null, contentText: 'التفاصيل بعد قليل..' });
  });

  it('strips tags, decodes entities and folds whitespace in titles', () => {
    const item = normalizeItem(entry({ title: '  تراجع <em>أسعار</em>\n  الذهب &amp; الفضة&nbsp;&#1575;ليوم ' }), feed);
    expect(item!.title).toBe('تراجع أسعار الذهب & الفضة اليوم');
  });

  it('derives a missing title from the start of the text', () => {
    const long = 'كلمة '.repeat(60);
    const item = normalizeItem(entry({ summaryHtml: `<p>${long}</p><p>فقرة ثانية</p>`, link: 'https://e.example/x' }), feed);
    expect(item!.title.endsWith('…')).toBe(true);
    expect(item!.title.length).toBeLessThanOrEqual(121);
    expect(normalizeItem(entry({ summaryHtml: '<p>سطر قصير</p><p>ثان</p>' }), feed)!.title).toBe('سطر قصير');
    expect(normalizeItem(entry({ link: 'https://e.example/only-link' }), feed)!.title).toBe('https://e.example/only-link');
  });

  it('returns null for an entry with no title, content or link', () => {
    expect(normalizeItem(entry({}), feed)).toBeNull();
    expect(normalizeItem(entry({ title: ' <b> </b> ', summaryHtml: '<script>x()</script>', link: 'javascript:void(0)' }), feed)).toBeNull();
  });

  it('prefers content over summary and falls back to the summary', () => {
    expect(normalizeItem(entry({ title: 'أ', contentHtml: '<p>المحتوى</p>', summaryHtml: '<p>الملخص</p>' }), feed)!.contentText).toBe('المحتوى');
    expect(normalizeItem(entry({ title: 'أ', contentHtml: '  ', summaryHtml: '<p>الملخص</p>' }), feed)!.contentText).toBe('الملخص');
  });

  it('keys by GUID, else canonical link, else a hash of title and content', () => {
    const withGuid = normalizeItem(entry({ guid: ' g-1 ', link: 'https://e.example/a', title: 'أ' }), feed)!;
    expect(withGuid.entryKey).toBe('g-1');
    const withLink = normalizeItem(entry({ link: 'https://e.example/a?utm_source=x#top', title: 'أ' }), feed)!;
    expect(withLink.entryKey).toBe('https://e.example/a');
    const bare = normalizeItem(entry({ title: 'أ', summaryHtml: '<p>ب</p>' }), feed)!;
    expect(bare.entryKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(normalizeItem(entry({ title: 'أ', summaryHtml: '<p>ب</p>' }), feed)!.entryKey).toBe(bare.entryKey);
    expect(normalizeItem(entry({ title: 'أ', summaryHtml: '<p>ج</p>' }), feed)!.entryKey).not.toBe(bare.entryKey);
  });

  it('gives the same canonical link to one article in two category feeds', () => {
    const a = normalizeItem(entry({ title: 'أ', link: 'https://e.example/story/1?traffic_source=rss' }), { id: 'politics', url: 'https://e.example/politics.xml' })!;
    const b = normalizeItem(entry({ title: 'أ', link: '/story/1?utm_source=world' }), { id: 'world', url: 'https://E.example/world.xml' })!;
    expect(a.canonicalLink).toBe(b.canonicalLink);
  });

  it('uses an absolute http GUID as the link when there is no link, and rejects non-http links', () => {
    expect(normalizeItem(entry({ title: 'أ', guid: 'https://e.example/p/1' }), feed)!.link).toBe('https://e.example/p/1');
    expect(normalizeItem(entry({ title: 'أ', guid: 'tag:e.example,2026:1' }), feed)!.link).toBeNull();
    expect(normalizeItem(entry({ title: 'أ', link: 'javascript:alert(1)' }), feed)).toMatchObject({ link: null, canonicalLink: null });
  });

  it('resolves relative links in content against the item link', () => {
    const item = normalizeItem(entry({ title: 'أ', link: 'https://other.example/news/7', contentHtml: '<a href="8">التالي</a>' }), feed)!;
    expect(item.contentHtml).toContain('href="https://other.example/news/8"');
  });
});
