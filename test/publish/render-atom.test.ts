import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { atomEntryId, renderAtom } from '../../src/publish/render-atom.js';
import { aawsatTitle, cleanedOilTitle, emptyFeed, feedparserMissing, feedparserParse, sampleFeed } from './sample-feed.js';

const parser = new Parser();

describe('renderAtom', () => {
  const xml = renderAtom(sampleFeed());

  it('is read back by rss-parser with titles, links, ids and dates', async () => {
    const parsed = await parser.parseString(xml);
    expect(parsed.title).toBe('خبر: الموجز الموحد');
    expect(parsed.items.map((item) => item.title)).toEqual(['ولي العهد يستقبل رئيس الوزراء الياباني في جدة', cleanedOilTitle, 'الأمطار تعود إلى الرياض']);
    expect(parsed.items.map((item) => item.link)).toEqual([
      'https://www.spa.gov.sa/news/3',
      'https://www.aljazeera.net/ebusiness/2026/11/28/oil?x=1&y=2',
      'https://www.skynewsarabia.com/weather/1',
    ]);
    expect(parsed.items.map((item) => item.id)).toEqual(['urn:khabar:story:st_3', 'urn:khabar:story:st_2', 'urn:khabar:story:st_1']);
    expect(parsed.items[0].isoDate).toBe('2026-11-28T10:00:00.000Z');
    expect(xml).toContain('<published>2026-11-28T10:00:00Z</published>');
    expect(parsed.items[0].content).toContain('<a href="https://al-ain.com/article/33"><bdi>Japan PM in Jeddah</bdi></a> — <bdi>العين الإخبارية</bdi>');
    expect(parsed.items[0].content?.endsWith('<p><a href="https://news.example.org/stories/3">صفحة الخبر</a></p></div>')).toBe(true);
    expect(parsed.items[0].content?.startsWith('<div dir="rtl" lang="ar">')).toBe(true);
  });

  it('has the feed-level elements RFC 4287 requires', () => {
    expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">');
    expect(xml).toContain('<id>https://news.example.org/</id>');
    expect(xml).toContain('<updated>2026-11-28T12:30:00Z</updated>');
    expect(xml).toContain('<link rel="self" type="application/atom+xml" href="https://news.example.org/feed.atom"/>');
    expect(xml).toContain('<link rel="alternate" type="text/html" href="https://news.example.org/"/>');
  });

  it('gives every entry id, title, updated, one alternate link and inline html content (never src)', () => {
    const entries = xml.split('<entry>').slice(1);
    expect(entries).toHaveLength(3);
    for (const entry of entries) {
      expect(entry.match(/<id>/g)).toHaveLength(1);
      expect(entry.match(/<updated>/g)).toHaveLength(1);
      expect(entry.match(/<link rel="alternate"/g)).toHaveLength(1);
      expect(entry).toContain('<content type="html">');
      expect(entry).not.toMatch(/<content[^>]*src=/);
    }
    // Other outlets appear as contributors, the representative one as author.
    expect(entries[0]).toContain('<link rel="alternate" type="text/html" href="https://www.spa.gov.sa/news/3"/>');
    expect(entries[0]).toContain('<author><name>واس</name></author>');
    expect(entries[0]).toContain('<contributor><name>الشرق الأوسط</name></contributor>');
  });

  it("links every outlet's article with its own headline, and the story's page, as related links", () => {
    const entries = xml.split('<entry>').slice(1);
    const related = (entry: string) => entry.match(/<link rel="related"[^>]*\/>/g);
    expect(related(entries[0])).toEqual([
      '<link rel="related" type="text/html" href="https://www.spa.gov.sa/news/3" title="ولي العهد يستقبل رئيس الوزراء الياباني في جدة"/>',
      '<link rel="related" type="text/html" href="https://aawsat.com/node/33?utm=x&amp;a=1" title="ولي العهد &amp; رئيس وزراء اليابان: &quot;شراكة&quot; &lt;استراتيجية&gt;"/>',
      '<link rel="related" type="text/html" href="https://al-ain.com/article/33" title="Japan PM in Jeddah"/>',
      '<link rel="related" type="text/html" title="صفحة الخبر" href="https://news.example.org/stories/3"/>',
    ]);
    // A javascript: link is no link at all; control characters never reach an attribute.
    expect(related(entries[1])).toEqual([
      '<link rel="related" type="text/html" href="https://www.aljazeera.net/ebusiness/2026/11/28/oil?x=1&amp;y=2" title="أسعار النفط &amp; الذهب &lt;ترتفع&gt; &quot;بقوة&quot; &apos;اليوم&apos;"/>',
      '<link rel="related" type="text/html" title="صفحة الخبر" href="https://news.example.org/stories/2"/>',
    ]);
    // No headline of its own: the link, without a title.
    expect(related(entries[2])).toEqual([
      '<link rel="related" type="text/html" href="https://www.skynewsarabia.com/weather/1"/>',
      '<link rel="related" type="text/html" title="صفحة الخبر" href="https://news.example.org/stories/1"/>',
    ]);
  });

  it('keeps ids that are already IRIs and turns others into URNs', () => {
    expect(atomEntryId('tag:news.example.org,2026:story/1')).toBe('tag:news.example.org,2026:story/1');
    expect(atomEntryId('urn:uuid:7c9e6679-7425-40de-944b-e07fc1f90ae7')).toBe('urn:uuid:7c9e6679-7425-40de-944b-e07fc1f90ae7');
    expect(atomEntryId('42')).toBe('urn:khabar:story:42');
    expect(atomEntryId('قصة 1')).toBe('urn:khabar:story:%D9%82%D8%B5%D8%A9%201');
  });

  it('renders a valid empty feed with a fixed updated time, never now', async () => {
    const empty = renderAtom(emptyFeed());
    expect((await parser.parseString(empty)).items).toEqual([]);
    expect(empty).toContain('<updated>1970-01-01T00:00:00Z</updated>');
    expect(renderAtom(emptyFeed())).toBe(empty);
  });

  it.skipIf(feedparserMissing !== null)(`is read by python3-feedparser with bozo 0 ${feedparserMissing ? `(skipped: ${feedparserMissing})` : ''}`, () => {
    const result = feedparserParse(xml);
    expect(result.bozo_exception).toBeNull();
    expect(result.bozo).toBe(0);
    expect(result.version).toBe('atom10');
    expect(result.language).toBe('ar');
    expect(result.entries.map((entry) => entry.title)).toEqual(['ولي العهد يستقبل رئيس الوزراء الياباني في جدة', cleanedOilTitle, 'الأمطار تعود إلى الرياض']);
    for (const entry of result.entries) expect(entry.link).toMatch(/^https:\/\//);
    // The outlet's own link stays the one alternate; every member and the story page come back as related links,
    // the headlines unescaped exactly.
    expect(result.entries[0].link).toBe('https://www.spa.gov.sa/news/3');
    expect(result.entries[0].links.filter((l) => l.rel === 'alternate')).toHaveLength(1);
    expect(result.entries[0].links.filter((l) => l.rel === 'related').map((l) => [l.href, l.title])).toEqual([
      ['https://www.spa.gov.sa/news/3', 'ولي العهد يستقبل رئيس الوزراء الياباني في جدة'],
      ['https://aawsat.com/node/33?utm=x&a=1', aawsatTitle],
      ['https://al-ain.com/article/33', 'Japan PM in Jeddah'],
      ['https://news.example.org/stories/3', 'صفحة الخبر'],
    ]);
    expect(result.entries[1].links.find((l) => l.rel === 'related')?.title).toBe(cleanedOilTitle);
    const content = result.entries[0].content ?? '';
    for (const headline of ['ولي العهد يستقبل رئيس الوزراء الياباني في جدة', 'Japan PM in Jeddah']) expect(content).toContain(headline);
    expect(content).toContain('ولي العهد &amp; رئيس وزراء اليابان: &quot;شراكة&quot; &lt;استراتيجية&gt;');
    expect(feedparserParse(renderAtom(emptyFeed())).bozo).toBe(0);
  });
});
