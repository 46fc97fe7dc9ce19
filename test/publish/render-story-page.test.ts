import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { renderStoryBody, renderStoryPage, type StoryPage, type StoryPageMember } from '../../src/publish/render-story-page.js';

const lead = 'أعلنت وزارة الصحة اليوم الأحد تسجيل 120 إصابة جديدة بالحمى في محافظة الجنوب.';
const quote = 'وقال المتحدث باسم الوزارة إن الفرق الطبية تعمل على احتواء المرض بسرعة.';
const advice = 'ودعت الوزارة المواطنين إلى مراجعة أقرب مركز صحي عند ظهور الأعراض.';
const added = 'وأضاف أن مستشفيين ميدانيين سيفتتحان خلال الأسبوع المقبل في المدينة.';

function member(itemId: number, overrides: Partial<StoryPageMember> = {}): StoryPageMember {
  return {
    itemId,
    feedId: `outlet-${itemId}`,
    outlet: `المصدر ${itemId}`,
    title: `عنوان النسخة ${itemId}`,
    link: `https://outlet${itemId}.example/news/${itemId}`,
    contentText: `${lead} ${quote}\n${advice}`,
    author: null,
    publishedAt: new Date(Date.UTC(2026, 2, 5, 14, itemId)),
    fetchedAt: new Date(Date.UTC(2026, 2, 5, 15, 0)),
    ...overrides,
  };
}

function page(members: StoryPageMember[], overrides: Partial<StoryPage> = {}): StoryPage {
  return {
    storyId: 42,
    firstSeenAt: new Date(Date.UTC(2026, 2, 5, 14, 1)),
    updatedAt: new Date(Date.UTC(2026, 2, 5, 14, 30)),
    representativeItemId: members[0]?.itemId ?? null,
    members,
    memberCount: members.length,
    outletCount: new Set(members.map((m) => m.feedId)).size,
    ...overrides,
  };
}

const options = { siteTitle: 'خبر', basePath: '/', canonicalUrl: 'https://news.example.org/stories/42' };

function dom(html: string) {
  return parseHTML(html).document;
}

/** The copy blocks as text: headline, what it adds, what it cuts, and the "same"/"headline only" notes. */
function copies(html: string) {
  return [...dom(html).querySelectorAll('article.copy')].map((a) => ({
    id: a.getAttribute('data-item-id'),
    headline: a.querySelector('h3')?.textContent,
    ins: [...a.querySelectorAll('ins')].map((e) => e.textContent),
    del: [...a.querySelectorAll('del')].map((e) => e.textContent),
    note: a.querySelector('.same')?.textContent ?? null,
  }));
}

describe('renderStoryPage', () => {
  it('is a right-to-left Arabic document with the shared stylesheet, canonical link and the representative in full', () => {
    const html = renderStoryPage(page([member(1, { author: 'سارة علي' }), member(2)]), options);
    const doc = dom(html);
    expect(doc.documentElement.getAttribute('lang')).toBe('ar');
    expect(doc.documentElement.getAttribute('dir')).toBe('rtl');
    expect(doc.querySelector('title')?.textContent).toBe('عنوان النسخة 1 — خبر');
    expect(doc.querySelector('link[rel="stylesheet"]')?.getAttribute('href')).toMatch(/^\/static\/style-[\w-]+\.css$/);
    expect(doc.querySelector('link[rel="canonical"]')?.getAttribute('href')).toBe(options.canonicalUrl);
    expect(doc.querySelector('meta[name="description"]')?.getAttribute('content')).toBe(lead);
    const h1 = doc.querySelector('h1 a');
    expect(h1?.textContent).toBe('عنوان النسخة 1');
    expect(h1?.getAttribute('href')).toBe('https://outlet1.example/news/1');
    const meta = doc.querySelector('.story-page > header .meta')!;
    expect(meta.querySelector('.outlet')?.textContent).toBe('المصدر 1');
    expect(meta.querySelector('.author')?.textContent).toBe('سارة علي');
    expect(meta.querySelector('time')?.getAttribute('datetime')).toBe('2026-03-05T14:01:00.000Z');
    expect(meta.querySelector('time')?.textContent).toBe('٥ مارس ٢٠٢٦ في ٢:٠١ م UTC');
    expect([...doc.querySelectorAll('.story-text p')].map((p) => p.textContent)).toEqual([`${lead} ${quote}`, advice]);
    expect(doc.querySelector('script')).toBeNull();
    expect(html).not.toMatch(/style=/);
  });

  it('names the count of outlets and copies, and lists each outlet once', () => {
    const members = [member(1), member(2), member(3, { feedId: 'outlet-2', outlet: 'المصدر 2' })];
    const doc = dom(renderStoryPage(page(members), options));
    const article = doc.querySelector('article.story-page')!;
    expect(article.getAttribute('data-story-id')).toBe('42');
    expect(article.getAttribute('data-outlets')).toBe('2');
    expect(article.getAttribute('data-copies')).toBe('3');
    expect(doc.querySelector('header div.meta > span')?.textContent).toBe('نُشر في مصدرين:');
    expect([...doc.querySelectorAll('header .outlets li')].map((li) => li.textContent)).toEqual(['المصدر 1', 'المصدر 2']);
    expect([...doc.querySelectorAll('header .outlets a')].map((a) => a.getAttribute('href'))).toEqual([
      'https://outlet1.example/news/1',
      'https://outlet2.example/news/2',
    ]);
  });

  const cases: Array<{ name: string; copy: Partial<StoryPageMember>; ins: string[]; del: string[]; note: string | null }> = [
    { name: 'a copy that adds a sentence shows only that sentence, inserted', copy: { contentText: `${lead} ${added} ${quote}\n${advice}` }, ins: [added], del: [], note: null },
    { name: 'a copy that cuts a paragraph shows it, deleted', copy: { contentText: `${lead} ${quote}` }, ins: [], del: [advice], note: null },
    {
      name: 'a copy that adds and cuts shows both, consecutive cuts of one paragraph in one block',
      copy: { contentText: `${advice}\n${added}` },
      ins: [added],
      del: [`${lead} ${quote}`],
      note: null,
    },
    { name: 'the same text in other spelling is the same', copy: { contentText: `اعلنت وزارة الصحه اليوم الاحد تسجيل ١٢٠ اصابة جديدة بالحمى في محافظة الجنوب. ${quote}\n${advice}` }, ins: [], del: [], note: 'النص نفسه، بلا إضافة ولا حذف.' },
    { name: 'a copy with no text says its feed carried only the headline', copy: { contentText: '  \n' }, ins: [], del: [], note: 'لم ينشر هذا المصدر في موجزه سوى العنوان.' },
  ];
  it.each(cases)('$name', ({ copy, ins, del, note }) => {
    const html = renderStoryPage(page([member(1), member(2, copy)]), options);
    expect(copies(html)).toEqual([{ id: '2', headline: 'عنوان النسخة 2', ins, del, note }]);
  });

  it('gives each copy its own headline, outlet, link, time and shared-sentence count', () => {
    const doc = dom(renderStoryPage(page([member(1), member(2, { contentText: `${lead} ${added}` })]), options));
    const copy = doc.querySelector('article.copy')!;
    expect(copy.querySelector('h3 a')?.getAttribute('href')).toBe('https://outlet2.example/news/2');
    expect(copy.querySelector('.outlet')?.textContent).toBe('المصدر 2');
    expect(copy.querySelector('time')?.getAttribute('datetime')).toBe('2026-03-05T14:02:00.000Z');
    expect(copy.querySelector('.shared')?.textContent).toBe('جمل مشتركة: ١ من ٢');
  });

  it('takes the representative from its id wherever it is, else the first member', () => {
    const members = [member(1), member(2, { contentText: lead })];
    expect(dom(renderStoryBody(page(members, { representativeItemId: 2 }))).querySelector('h1')?.textContent).toBe('عنوان النسخة 2');
    expect(copies(renderStoryBody(page(members, { representativeItemId: 2 })))[0]).toMatchObject({ id: '1', ins: [`${quote}`, advice] });
    expect(dom(renderStoryBody(page(members, { representativeItemId: null }))).querySelector('h1')?.textContent).toBe('عنوان النسخة 1');
  });

  it('escapes text, drops links that are not http(s) and uses the fetch time for an undated copy', () => {
    const hostile = member(1, {
      title: '<script>alert(1)</script> عاجل',
      outlet: '"><img src=x>',
      link: 'javascript:alert(1)',
      contentText: '<b>نص</b> & رموز.',
      publishedAt: null,
    });
    const html = renderStoryPage(page([hostile]), options);
    const doc = dom(html);
    expect(doc.querySelector('script')).toBeNull();
    expect(doc.querySelector('img')).toBeNull();
    expect(doc.querySelector('h1')?.textContent).toBe('<script>alert(1)</script> عاجل');
    expect(doc.querySelector('h1 a')).toBeNull();
    expect(doc.querySelector('.story-text p')?.textContent).toBe('<b>نص</b> & رموز.');
    expect(doc.querySelector('time')?.getAttribute('datetime')).toBe('2026-03-05T15:00:00.000Z');
  });

  it('shows times in the zone it is given', () => {
    const doc = dom(renderStoryBody(page([member(1)]), { timeZone: 'Asia/Riyadh' }));
    expect(doc.querySelector('time')?.textContent).toBe('٥ مارس ٢٠٢٦ في ٥:٠١ م غرينتش+٣');
  });

  it('has no section of other copies for a single copy, and counts copies it was not given', () => {
    const single = dom(renderStoryBody(page([member(1)])));
    expect(single.querySelector('section.copies')).toBeNull();
    const truncated = dom(renderStoryBody(page([member(1), member(2)], { memberCount: 130, outletCount: 90 })));
    expect(truncated.querySelector('article.story-page')?.getAttribute('data-copies')).toBe('130');
    expect(truncated.querySelector('article.story-page > p.note')?.textContent).toBe('نسخ أخرى لم تُعرض هنا: ١٢٨');
  });

  it('renders the same bytes for the same data', () => {
    const data = page([member(1), member(2, { contentText: lead })]);
    expect(renderStoryPage(data, options)).toBe(renderStoryPage(structuredClone(data), options));
  });
});
