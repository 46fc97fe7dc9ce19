import { describe, expect, it } from 'vitest';
import { extractArticle } from '../../src/pipeline/extract-article.js';
import { fetchFullText, isFullerVersion } from '../../src/pipeline/fetch-full-text.js';
import { silentLogger } from '../../src/logger.js';
import { reportItem } from '../helpers/agency-report.js';
import { agencyParagraphs, agencyTitle } from '../helpers/agency-report.js';
import { newsPage } from '../helpers/news-page.js';
import { testParsePool } from '../helpers/test-sources.js';

describe('extractArticle', () => {
  const url = 'https://daily.example/news/2026/water-plan';

  it('keeps the article and drops navigation, share bar, sidebar, footer and scripts', () => {
    const article = extractArticle(newsPage(agencyTitle, agencyParagraphs, { image: '/img/water.jpg' }), url)!;
    expect(article).not.toBeNull();
    for (const p of agencyParagraphs) expect(article.text).toContain(p);
    for (const junk of ['الأكثر قراءة', 'ارتفاع أسعار الذهب', 'جميع الحقوق محفوظة', 'سياسة الخصوصية', 'غرد', 'dataLayer', 'trackPageView', 'color:red']) {
      expect(article.text).not.toContain(junk);
      expect(article.html).not.toContain(junk);
    }
    expect(article.html).not.toMatch(/<script|<style|<nav|<footer/);
  });

  it('makes links and images absolute against the page address', () => {
    const article = extractArticle(newsPage(agencyTitle, agencyParagraphs, { image: '/img/water.jpg' }), url)!;
    expect(article.html).toContain('src="https://daily.example/img/water.jpg"');
    expect(article.html).toContain('href="https://daily.example/news/related"');
  });

  it('gives null for a page with no text (a script-rendered shell)', () => {
    expect(extractArticle('<html><head><script src="/app.js"></script></head><body><div id="root"></div></body></html>', url)).toBeNull();
  });
});

describe('isFullerVersion: is the page really this item, and more of it?', () => {
  const lead = agencyParagraphs[0];
  const full = agencyParagraphs.join('\n');

  it.each([
    ['the page holds the lead and says more', { title: agencyTitle, contentText: lead }, full, true],
    ['the page holds the lead with other quotes and hamza spellings', { title: agencyTitle, contentText: lead }, full.replace(/[«»]/g, '"').replace(/[أإ]/g, 'ا'), true],
    ['a title-only feed item and the page under that headline', { title: agencyTitle, contentText: '' }, `${agencyTitle}\n${full}`, true],
    ['the page says no more than the feed', { title: agencyTitle, contentText: full }, full, false],
    ['the page is another report (a related-articles block was picked)', { title: agencyTitle, contentText: lead }, 'افتتحت الحكومة المغربية اليوم محطة جديدة للطاقة الشمسية بقدرة خمسمائة ميغاواط في منطقة ورزازات. '.repeat(5), false],
    ['a paywall teaser shorter than the lead', { title: agencyTitle, contentText: full }, `${lead} اشترك لقراءة المزيد`, false],
  ])('%s', (_name, item, pageText, expected) => {
    expect(isFullerVersion(item, pageText)).toBe(expected);
  });
});

describe('fetchFullText', () => {
  it('starts no page once its time budget is spent, and keeps the feed text', async () => {
    const items = [reportItem('daily', 1, { title: agencyTitle, html: `<p>${agencyParagraphs[0]}</p>` }, null)];
    let now = 0;
    const result = await fetchFullText(
      items,
      { timeoutMs: 1000, maxBytes: 1_000_000, maxRedirects: 0, userAgent: 'khabar-test', parser: testParsePool(), budgetMs: 5, clock: () => (now += 10) },
      silentLogger(),
    );
    expect(result.summary).toEqual({ fetched: 0, replaced: 0, failed: 0 });
    expect(result.items).toEqual(items);
  });
});
