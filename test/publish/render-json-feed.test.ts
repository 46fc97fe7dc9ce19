import { describe, expect, it } from 'vitest';
import { renderJsonFeed } from '../../src/publish/render-json-feed.js';
import { aawsatTitle, cleanedOilTitle, emptyFeed, sampleFeed } from './sample-feed.js';

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The JSON Feed 1.1 rules a reader relies on (https://jsonfeed.org/version/1.1). */
function expectValidJsonFeed(doc: any): void {
  expect(doc.version).toBe('https://jsonfeed.org/version/1.1');
  expect(typeof doc.title).toBe('string');
  expect(Array.isArray(doc.items)).toBe(true);
  for (const key of ['home_page_url', 'feed_url']) if (key in doc) expect(() => new URL(doc[key])).not.toThrow();
  const ids = new Set<string>();
  for (const item of doc.items) {
    expect(typeof item.id).toBe('string');
    expect(ids.has(item.id)).toBe(false);
    ids.add(item.id);
    expect(typeof item.content_html === 'string' || typeof item.content_text === 'string').toBe(true);
    for (const key of ['date_published', 'date_modified']) if (key in item) expect(item[key]).toMatch(rfc3339);
    if ('authors' in item) for (const author of item.authors) expect(typeof author.name).toBe('string');
    if ('tags' in item) expect(Array.isArray(item.tags)).toBe(true);
    // Extensions must start with an underscore; unknown plain keys are not allowed.
    for (const key of Object.keys(item)) {
      expect(['id', 'url', 'external_url', 'title', 'content_html', 'content_text', 'summary', 'image', 'banner_image', 'date_published', 'date_modified', 'authors', 'tags', 'language', 'attachments'].includes(key) || key.startsWith('_')).toBe(true);
    }
  }
}

describe('renderJsonFeed', () => {
  const text = renderJsonFeed(sampleFeed());
  const doc = JSON.parse(text);

  it('meets the JSON Feed 1.1 rules', () => {
    expectValidJsonFeed(doc);
    expect(doc.language).toBe('ar');
    expect(doc.feed_url).toBe('https://news.example.org/feed.json');
  });

  it('carries titles, links, dates, tags and authors', () => {
    expect(doc.items.map((item: any) => item.title)).toEqual(['ولي العهد يستقبل رئيس الوزراء الياباني في جدة', cleanedOilTitle, 'الأمطار تعود إلى الرياض']);
    expect(doc.items.map((item: any) => item.id)).toEqual(['st_3', 'st_2', 'st_1']);
    expect(doc.items[0]).toMatchObject({
      url: 'https://www.spa.gov.sa/news/3',
      date_published: '2026-11-28T10:00:00Z',
      date_modified: '2026-11-28T12:30:00Z',
      tags: ['سياسة'],
      authors: [{ name: 'واس' }],
      summary: 'استقبل ولي العهد في جدة اليوم رئيس الوزراء الياباني.',
    });
    expect(doc.items[1].summary).toBeUndefined();
  });

  it("lists every outlet's own headline in content_html and under _khabar.sources, with the story's page", () => {
    const item = doc.items[0];
    expect(item.content_html.startsWith('<div dir="rtl" lang="ar">')).toBe(true);
    expect(item.content_html).toContain(
      '<a href="https://aawsat.com/node/33?utm=x&amp;a=1"><bdi>ولي العهد &amp; رئيس وزراء اليابان: &quot;شراكة&quot; &lt;استراتيجية&gt;</bdi></a> — <bdi>الشرق الأوسط</bdi>',
    );
    expect(item.content_html.endsWith('<p><a href="https://news.example.org/stories/3">صفحة الخبر</a></p></div>')).toBe(true);
    expect(item._khabar).toEqual({
      story_url: 'https://news.example.org/stories/3',
      sources: [
        { feed_id: 'spa', name: 'واس', title: 'ولي العهد يستقبل رئيس الوزراء الياباني في جدة', url: 'https://www.spa.gov.sa/news/3', date_published: '2026-11-28T10:00:00Z' },
        { feed_id: 'aawsat', name: 'الشرق الأوسط', title: aawsatTitle, url: 'https://aawsat.com/node/33?utm=x&a=1', date_published: '2026-11-28T11:00:00Z' },
        { feed_id: 'alain', name: 'العين الإخبارية', title: 'Japan PM in Jeddah', url: 'https://al-ain.com/article/33', date_published: '2026-11-28T12:30:00Z' },
      ],
    });
    expect(doc.items[1]._khabar.sources).toEqual([
      { feed_id: 'aljazeera', name: 'الجزيرة نت', title: cleanedOilTitle, url: 'https://www.aljazeera.net/ebusiness/2026/11/28/oil?x=1&y=2', date_published: null },
      { feed_id: 'evil', name: 'مصدر "مريب" <b>', title: '<script>alert("x")</script>', url: null, date_published: null },
    ]);
    // Hand-built data without a headline or a story page.
    expect(doc.items[2]._khabar.sources[0].title).toBe('');
    const bare = JSON.parse(renderJsonFeed(sampleFeed([{ ...sampleFeed().stories[2], storyUrl: undefined }])));
    expect(bare.items[0]._khabar.story_url).toBeNull();
  });

  it('strips control characters from all text', () => {
    expect(text).not.toMatch(/\\u000[0-8bB]|\\u001[0-9a-fA-F]/);
  });

  it('renders a valid empty feed', () => {
    const empty = JSON.parse(renderJsonFeed(emptyFeed()));
    expectValidJsonFeed(empty);
    expect(empty.items).toEqual([]);
  });

  // Debian's feedparser 6.0.10 has no JSON Feed parser (that arrived later), so the spec rules above are the check.
});
