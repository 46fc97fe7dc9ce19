import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { categoryLabel, renderHomePage, renderSearchPage, type HomePage, type PageStory } from '../../src/publish/render-home-page.js';

const now = new Date('2026-11-28T12:00:00Z');

function story(id: number, overrides: Partial<PageStory> = {}): PageStory {
  return {
    id,
    title: `عنوان الخبر ${id}`,
    lead: 'أقر وزراء المياه العرب خطة جديدة للأمن المائي في ختام اجتماعهم بالقاهرة.',
    firstSeenAt: new Date(now.getTime() - 3 * 3_600_000),
    outlets: [
      { name: 'الوكالة', link: 'https://agency.example/1' },
      { name: 'الصحيفة', link: 'https://daily.example/2' },
      { name: 'الإذاعة', link: null },
    ],
    ...overrides,
  };
}

function home(overrides: Partial<HomePage> = {}): HomePage {
  return {
    siteTitle: 'خبر',
    basePath: '/',
    alternates: [{ type: 'application/rss+xml', title: 'خبر (RSS 2.0)', href: 'https://news.example.org/feed.xml' }],
    footerLinks: [{ href: 'sources.opml', label: 'OPML', dir: 'ltr' }],
    categories: [
      { value: 'news', label: 'أخبار' },
      { value: 'sport', label: 'رياضة' },
    ],
    category: null,
    stories: [story(3), story(2)],
    olderHref: '?before=2',
    newestHref: null,
    now,
    ...overrides,
  };
}

const doc = (html: string) => parseHTML(html).document;

describe('renderHomePage', () => {
  it('lists each story: headline linking to its page, lead, relative time, outlet count and links', () => {
    const d = doc(renderHomePage(home()));
    expect(d.documentElement.getAttribute('lang')).toBe('ar');
    expect(d.documentElement.getAttribute('dir')).toBe('rtl');
    const cards = [...d.querySelectorAll('.story')];
    expect(cards).toHaveLength(2);
    const first = cards[0]!;
    expect(first.querySelector('h2 a')!.getAttribute('href')).toBe('/stories/3');
    expect(first.querySelector('h2 a')!.textContent).toBe('عنوان الخبر 3');
    expect(first.querySelector('.lead')!.textContent).toContain('أقر وزراء المياه');
    expect(first.querySelector('time')!.textContent).toBe('منذ ٣ ساعات');
    expect(first.querySelector('time')!.getAttribute('datetime')).toBe('2026-11-28T09:00:00.000Z');
    expect(first.querySelector('.meta')!.textContent).toContain('في ٣ مصادر:');
    const outlets = [...first.querySelectorAll('.outlets li')];
    expect(outlets.map((li) => li.textContent)).toEqual(['الوكالة', 'الصحيفة', 'الإذاعة']);
    expect(outlets.map((li) => li.querySelector('a')?.getAttribute('href') ?? null)).toEqual(['https://agency.example/1', 'https://daily.example/2', null]);
  });

  it.each([
    [1, 'في مصدر واحد:'],
    [2, 'في مصدرين:'],
    [11, 'في ١١ مصدرًا:'],
  ])('%i outlets → «%s»', (n, text) => {
    const outlets = Array.from({ length: n }, (_, i) => ({ name: `مصدر ${i}`, link: null }));
    expect(renderHomePage(home({ stories: [story(1, { outlets })] }))).toContain(text);
  });

  it('category tabs: «الكل» and each category, the current one marked', () => {
    const d = doc(renderHomePage(home({ category: 'sport' })));
    const tabs = [...d.querySelectorAll('.tabs a')].map((a) => [a.textContent, a.getAttribute('href'), a.getAttribute('aria-current')]);
    expect(tabs).toEqual([
      ['الكل', '/', null],
      ['أخبار', '/?category=news', null],
      ['رياضة', '/?category=sport', 'page'],
    ]);
    expect(d.querySelector('h1')!.textContent).toBe('رياضة');
    expect(d.querySelector('title')!.textContent).toBe('رياضة — خبر');
  });

  it('no tabs without categories', () => {
    expect(renderHomePage(home({ categories: [] }))).not.toContain('class="tabs"');
  });

  it('pager: older link with the cursor; on later pages a link back to the newest', () => {
    const first = doc(renderHomePage(home()));
    expect([...first.querySelectorAll('.pager a')].map((a) => a.getAttribute('href'))).toEqual(['/?before=2']);
    const later = doc(renderHomePage(home({ olderHref: null, newestHref: '' })));
    expect([...later.querySelectorAll('.pager a')].map((a) => a.getAttribute('href'))).toEqual(['/']);
    expect(renderHomePage(home({ olderHref: null }))).not.toContain('class="pager"');
  });

  it.each([
    ['first page', home({ stories: [], olderHref: null }), 'لا أخبار بعد.'],
    ['category', home({ stories: [], olderHref: null, category: 'news' }), 'لا أخبار في هذا القسم بعد.'],
    ['past the end', home({ stories: [], olderHref: null, newestHref: '' }), 'لا أخبار أقدم.'],
  ])('empty list (%s)', (_, page, text) => {
    expect(doc(renderHomePage(page)).querySelector('.empty')!.textContent).toBe(text);
  });

  it('escapes what outlets wrote and drops links that are not http(s)', () => {
    const html = renderHomePage(
      home({
        stories: [
          story(9, {
            title: '<script>alert(1)</script>',
            lead: '"><img src=x onerror=alert(1)>',
            outlets: [{ name: '<b>x</b>', link: 'javascript:alert(1)' }],
          }),
        ],
      }),
    );
    expect(html).not.toMatch(/<script>|<img|<b>x|javascript:/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('leaves out a lead that only repeats the headline, and keeps pages free of script and inline style', () => {
    const html = renderHomePage(home({ stories: [story(1, { lead: 'عنوان الخبر 1' })] }));
    expect(html).not.toContain('class="lead"');
    expect(html).not.toMatch(/<script|style=|\son[a-z]+=/);
  });

  it('links under a base path', () => {
    const d = doc(renderHomePage(home({ basePath: '/khabar/' })));
    expect(d.querySelector('.story h2 a')!.getAttribute('href')).toBe('/khabar/stories/3');
    expect(d.querySelector('.pager a')!.getAttribute('href')).toBe('/khabar/?before=2');
    expect(d.querySelector('form.search')!.getAttribute('action')).toBe('/khabar/search');
  });

  it('is the same string for the same data and time', () => {
    expect(renderHomePage(home())).toBe(renderHomePage(home()));
  });
});

describe('renderSearchPage', () => {
  const base = { ...home(), query: 'الأمن المائي', searched: true };
  it('shows the query back in the heading and the search box, noindex', () => {
    const d = doc(renderSearchPage(base));
    expect(d.querySelector('h1')!.textContent).toBe('نتائج البحث عن «الأمن المائي»');
    expect(d.querySelector('input[name="q"]')!.getAttribute('value')).toBe('الأمن المائي');
    expect(d.querySelector('meta[name="robots"]')!.getAttribute('content')).toBe('noindex');
    expect(d.querySelectorAll('.story')).toHaveLength(2);
  });

  it.each([
    [{ searched: false, query: '' }, 'اكتب كلمة أو أكثر للبحث في عناوين الأخبار ونصوصها.'],
    [{ stories: [], olderHref: null }, 'لا نتائج لـ«الأمن المائي».'],
  ])('empty results %#', (overrides, text) => {
    expect(doc(renderSearchPage({ ...base, ...overrides })).querySelector('.empty')!.textContent).toBe(text);
  });

  it('escapes the query', () => {
    const html = renderSearchPage({ ...base, query: '"><script>x</script>' });
    expect(html).not.toContain('<script>');
  });
});

describe('categoryLabel', () => {
  it.each([
    ['news', 'أخبار'],
    ['Sport', 'رياضة'],
    ['middle-east', 'الشرق الأوسط'],
    ['محليات', 'محليات'],
    ['other', 'other'],
  ])('%s → %s', (value, label) => expect(categoryLabel(value)).toBe(label));
});
