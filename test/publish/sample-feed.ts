import { spawnSync } from 'node:child_process';
import type { MergedFeed, PublishedStory } from '../../src/publish/types.js';

/** An outlet's own headline with every XML special in it. */
export const aawsatTitle = 'ولي العهد & رئيس وزراء اليابان: "شراكة" <استراتيجية>';

/** Stories shaped like real merged output: Arabic text, several outlets per story, one with hostile characters. */
export function sampleStories(): PublishedStory[] {
  return [
    {
      id: 'st_3',
      title: 'ولي العهد يستقبل رئيس الوزراء الياباني في جدة',
      link: 'https://www.spa.gov.sa/news/3',
      contentHtml: '<p>استقبل ولي العهد في جدة اليوم رئيس الوزراء الياباني، وجرى خلال الاستقبال استعراض العلاقات الثنائية.</p>',
      summary: 'استقبل ولي العهد في جدة اليوم رئيس الوزراء الياباني.',
      publishedAt: new Date('2026-11-28T10:00:00Z'),
      updatedAt: new Date('2026-11-28T12:30:00Z'),
      category: 'سياسة',
      author: null,
      // Each outlet's own headline; the second one carries XML specials, the third is Latin (needs isolating).
      sources: [
        { feedId: 'spa', name: 'واس', title: 'ولي العهد يستقبل رئيس الوزراء الياباني في جدة', link: 'https://www.spa.gov.sa/news/3', publishedAt: new Date('2026-11-28T10:00:00Z') },
        { feedId: 'aawsat', name: 'الشرق الأوسط', title: aawsatTitle, link: 'https://aawsat.com/node/33?utm=x&a=1', publishedAt: new Date('2026-11-28T11:00:00Z') },
        { feedId: 'alain', name: 'العين الإخبارية', title: 'Japan PM in Jeddah', link: 'https://al-ain.com/article/33', publishedAt: new Date('2026-11-28T12:30:00Z') },
      ],
      storyUrl: 'https://news.example.org/stories/3',
    },
    {
      id: 'st_2',
      // XML specials, quotes and control characters that must never reach the document.
      title: 'أسعار النفط & الذهب <ترتفع> "بقوة" \'اليوم\'\u0001\u000B\u001F\uFFFE',
      link: 'https://www.aljazeera.net/ebusiness/2026/11/28/oil?x=1&y=2',
      contentHtml: '<p>ارتفعت أسعار النفط &amp; الذهب\u0008 في التعاملات الآسيوية.</p>',
      summary: '',
      publishedAt: new Date('2026-11-28T08:00:00Z'),
      updatedAt: new Date('2026-11-28T08:00:00Z'),
      category: null,
      author: 'محمد <المحرر>',
      sources: [
        { feedId: 'aljazeera', name: 'الجزيرة نت', title: 'أسعار النفط & الذهب <ترتفع> "بقوة" \'اليوم\'\u0001', link: 'https://www.aljazeera.net/ebusiness/2026/11/28/oil?x=1&y=2', publishedAt: null },
        { feedId: 'evil', name: 'مصدر "مريب" <b>', title: '<script>alert("x")</script>', link: 'javascript:alert(1)', publishedAt: null },
      ],
      storyUrl: 'https://news.example.org/stories/2',
    },
    {
      id: 'st_1',
      title: 'الأمطار تعود إلى الرياض',
      link: null,
      contentHtml: '',
      summary: 'أمطار رعدية متوقعة.',
      publishedAt: new Date('2026-11-27T06:00:00Z'),
      updatedAt: new Date('2026-11-27T06:00:00Z'),
      category: 'طقس',
      author: null,
      // No headline of its own (hand-built data): the outlet's name is the link text.
      sources: [{ feedId: 'sky', name: 'سكاي نيوز عربية', link: 'https://www.skynewsarabia.com/weather/1', publishedAt: new Date('2026-11-27T06:00:00Z') }],
      storyUrl: 'https://news.example.org/stories/1',
    },
  ];
}

export function sampleFeed(stories: PublishedStory[] = sampleStories()): MergedFeed {
  return {
    title: 'خبر: الموجز الموحد',
    description: 'كل خبر مرة واحدة، مع كل المصادر',
    language: 'ar',
    homeUrl: 'https://news.example.org/',
    feedUrls: {
      rss: 'https://news.example.org/feed.xml',
      atom: 'https://news.example.org/feed.atom',
      json: 'https://news.example.org/feed.json',
    },
    updatedAt: stories.length === 0 ? null : new Date(Math.max(...stories.map((story) => story.updatedAt.getTime()))),
    stories,
  };
}

export function emptyFeed(): MergedFeed {
  return sampleFeed([]);
}

/** The title as readers must show it: control characters gone, everything else intact. */
export const cleanedOilTitle = 'أسعار النفط & الذهب <ترتفع> "بقوة" \'اليوم\'';

export interface FeedparserResult {
  bozo: number;
  bozo_exception: string | null;
  version: string;
  feed_title: string;
  language: string | null;
  entries: {
    title: string;
    link: string | null;
    id: string | null;
    links: { rel: string | null; href: string | null; title: string | null; type: string | null }[];
    /** The full content (Atom content, RSS content:encoded) after feedparser's own sanitizing. */
    content: string | null;
  }[];
}

const python = '/usr/bin/python3';

/** Debian's python3-feedparser, when installed: the strictest widely used reader we can run offline. */
export const feedparserMissing: string | null = (() => {
  const probe = spawnSync(python, ['-c', 'import feedparser'], { encoding: 'utf8' });
  if (probe.error) return `${python} not found`;
  return probe.status === 0 ? null : `${python} has no feedparser module (apt-get install python3-feedparser)`;
})();

const script = `
import sys, json, feedparser
headers = {"content-type": sys.argv[1]} if len(sys.argv) > 1 and sys.argv[1] else {}
d = feedparser.parse(sys.stdin.buffer.read(), response_headers=headers)
print(json.dumps({
  "bozo": int(d.bozo),
  "bozo_exception": str(d.get("bozo_exception")) if d.bozo else None,
  "version": d.version,
  "feed_title": d.feed.get("title", ""),
  "language": d.feed.get("language"),
  "entries": [{
    "title": e.get("title", ""), "link": e.get("link"), "id": e.get("id"),
    "links": [{"rel": l.get("rel"), "href": l.get("href"), "title": l.get("title"), "type": l.get("type")} for l in e.get("links", [])],
    "content": e["content"][0]["value"] if e.get("content") else None,
  } for e in d.entries],
}, ensure_ascii=False))
`;

/** `contentType` as a server would send it (feedparser weighs it when sniffing). */
export function feedparserParse(text: string, contentType = ''): FeedparserResult {
  const run = spawnSync(python, ['-c', script, contentType], { input: Buffer.from(text, 'utf8'), encoding: 'utf8', timeout: 20_000 });
  if (run.status !== 0) throw new Error(`feedparser failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as FeedparserResult;
}
