import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { renderRss } from '../../src/publish/render-rss.js';
import { cleanedOilTitle, emptyFeed, feedparserMissing, feedparserParse, sampleFeed } from './sample-feed.js';

const parser = new Parser({ customFields: { item: ['content:encoded', 'dc:creator'] } });

describe('renderRss', () => {
  const xml = renderRss(sampleFeed());

  it('is read back by rss-parser with titles, links, guids, dates and categories', async () => {
    const parsed = await parser.parseString(xml);
    expect(parsed.title).toBe('خبر: الموجز الموحد');
    expect(parsed.link).toBe('https://news.example.org/');
    expect(parsed.language).toBe('ar');
    expect(parsed.lastBuildDate).toBe('Sat, 28 Nov 2026 12:30:00 GMT');
    expect(parsed.items.map((item) => item.title)).toEqual(['ولي العهد يستقبل رئيس الوزراء الياباني في جدة', cleanedOilTitle, 'الأمطار تعود إلى الرياض']);
    expect(parsed.items.map((item) => item.link)).toEqual([
      'https://www.spa.gov.sa/news/3',
      'https://www.aljazeera.net/ebusiness/2026/11/28/oil?x=1&y=2',
      // No representative link: the first outlet's link stands in.
      'https://www.skynewsarabia.com/weather/1',
    ]);
    expect(parsed.items.map((item) => item.guid)).toEqual(['st_3', 'st_2', 'st_1']);
    expect(parsed.items[0].pubDate).toBe('Sat, 28 Nov 2026 10:00:00 GMT');
    expect(parsed.items[0].categories).toEqual(['سياسة']);
    expect(parsed.items[1].creator).toBe('محمد <المحرر>');
  });

  it("lists every outlet's own headline, linked, with its name and time, inside a right-to-left block", async () => {
    const parsed = await parser.parseString(xml);
    const html = parsed.items[0]['content:encoded'] as string;
    expect(html.startsWith('<div dir="rtl" lang="ar">')).toBe(true);
    expect(html).toContain('استعراض العلاقات الثنائية');
    expect(html).toContain(
      '<ul><li><a href="https://www.spa.gov.sa/news/3"><bdi>ولي العهد يستقبل رئيس الوزراء الياباني في جدة</bdi></a> — <bdi>واس</bdi>، <time datetime="2026-11-28T10:00:00Z">2026-11-28 10:00 UTC</time></li>' +
        '<li><a href="https://aawsat.com/node/33?utm=x&amp;a=1"><bdi>ولي العهد &amp; رئيس وزراء اليابان: &quot;شراكة&quot; &lt;استراتيجية&gt;</bdi></a> — <bdi>الشرق الأوسط</bdi>، <time datetime="2026-11-28T11:00:00Z">2026-11-28 11:00 UTC</time></li>' +
        '<li><a href="https://al-ain.com/article/33"><bdi>Japan PM in Jeddah</bdi></a> — <bdi>العين الإخبارية</bdi>، <time datetime="2026-11-28T12:30:00Z">2026-11-28 12:30 UTC</time></li></ul>',
    );
    // description is the short form but still has every outlet and its headline
    expect(parsed.items[0].content).toContain('الشرق الأوسط');
    expect(parsed.items[0].content).toContain('Japan PM in Jeddah');
  });

  it("ends every entry's HTML, full and short, with the link to the story's page", async () => {
    const parsed = await parser.parseString(xml);
    for (const [i, item] of parsed.items.entries()) {
      const tail = `<p><a href="https://news.example.org/stories/${3 - i}">صفحة الخبر</a></p></div>`;
      expect((item['content:encoded'] as string).endsWith(tail)).toBe(true);
      expect((item.content as string).endsWith(tail)).toBe(true);
    }
  });

  it('drops non-http links and escapes hostile outlet names and headlines', async () => {
    const parsed = await parser.parseString(xml);
    const html = parsed.items[1]['content:encoded'] as string;
    expect(html).not.toContain('javascript:');
    expect(html).not.toContain('<script');
    expect(html).toContain('<li><bdi>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</bdi> — <bdi>مصدر &quot;مريب&quot; &lt;b&gt;</bdi></li>');
    expect(html).toContain('<bdi>أسعار النفط &amp; الذهب &lt;ترتفع&gt; &quot;بقوة&quot; &apos;اليوم&apos;</bdi>');
    expect(html).not.toMatch(/[\u0000-\u0008]/);
  });

  it('contains no character that XML 1.0 forbids', () => {
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
  });

  it('is deterministic: same data, same text', () => {
    expect(renderRss(sampleFeed())).toBe(xml);
  });

  it('renders a valid empty feed without lastBuildDate', async () => {
    const empty = renderRss(emptyFeed());
    const parsed = await parser.parseString(empty);
    expect(parsed.items).toEqual([]);
    expect(empty).not.toContain('lastBuildDate');
    expect(empty).toContain('<atom:link href="https://news.example.org/feed.xml" rel="self" type="application/rss+xml"/>');
  });

  it.skipIf(feedparserMissing !== null)(`is read by python3-feedparser with bozo 0 ${feedparserMissing ? `(skipped: ${feedparserMissing})` : ''}`, () => {
    const result = feedparserParse(xml);
    expect(result.bozo_exception).toBeNull();
    expect(result.bozo).toBe(0);
    expect(result.version).toBe('rss20');
    expect(result.language).toBe('ar');
    expect(result.entries.map((entry) => entry.title)).toEqual(['ولي العهد يستقبل رئيس الوزراء الياباني في جدة', cleanedOilTitle, 'الأمطار تعود إلى الرياض']);
    for (const entry of result.entries) expect(entry.link).toMatch(/^https:\/\//);
    // Every outlet's headline reaches the reader, escaped text intact after feedparser's own sanitizing.
    const content = result.entries[0].content ?? '';
    for (const headline of ['ولي العهد يستقبل رئيس الوزراء الياباني في جدة', 'Japan PM in Jeddah']) expect(content).toContain(headline);
    expect(content).toContain('ولي العهد &amp; رئيس وزراء اليابان: &quot;شراكة&quot; &lt;استراتيجية&gt;');
    expect(content).toContain('href="https://news.example.org/stories/3"');
    expect(result.entries[1].content).not.toContain('<script');
    const empty = feedparserParse(renderRss(emptyFeed()));
    expect(empty.bozo).toBe(0);
    expect(empty.entries).toEqual([]);
  });
});
