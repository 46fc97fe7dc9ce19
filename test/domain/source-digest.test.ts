import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compareSourceDigests, sourceDigest, sourceDigestVersion } from '../../src/domain/source-digest.js';
import { normalizeItem } from '../../src/pipeline/normalize-item.js';
import type { ParsedEntry } from '../../src/pipeline/types.js';

const feed = { id: 'city', url: 'https://news.example.org/feeds/main.xml' };
const title = 'الحكومة تعلن خطة جديدة لدعم المزارعين في الجنوب';
const lead = 'أعلنت وزارة الزراعة اليوم خطة لدعم صغار المزارعين بقروض ميسرة تبلغ قيمتها مليار دينار.';
const second = 'وقال الوزير إن الخطة تبدأ مطلع الشهر المقبل وتشمل ثلاث محافظات.';
const base = `<p>${lead}</p><p><img src="https://cdn.example/a.jpg" alt="صورة"></p><p>${second} <a href="https://news.example.org/x">التفاصيل</a></p>`;

/** The digest the pipeline stores for an entry with this headline and HTML (sanitizing and text extraction included). */
const digestOf = (html: string, headline = title) => {
  const entry: ParsedEntry = { guid: 'g1', link: 'https://news.example.org/a/1', title: headline, contentHtml: html, summaryHtml: null, publishedAt: null, author: null };
  return normalizeItem(entry, feed)!.sourceDigest!;
};

describe('sourceDigest: what a subscriber reads, not the markup', () => {
  it('is versioned', () => {
    expect(digestOf(base)).toMatch(/^v2:[0-9a-f]{64}$/);
    expect(sourceDigestVersion(digestOf(base))).toBe('v2');
    expect(sourceDigestVersion(createHash('sha256').update('x').digest('hex'))).toBe('v1');
  });

  it.each([
    ['a cache-busting query string on the image', base.replace('a.jpg', 'a.jpg?v=1733139201&w=640')],
    ['a tracking query string on the link', base.replace('/x"', '/x?utm_source=rss&utm_medium=feed&ts=99"')],
    ['reordered and extra attributes', base.replace('<img src="https://cdn.example/a.jpg" alt="صورة">', '<img alt="صورة" loading="lazy" class="wp-image-7" src="https://cdn.example/a.jpg">')],
    ['another image altogether', base.replace('a.jpg', 'b.webp')],
    ['other markup around the same words', `<div class="c"><p><span>${lead}</span></p></div><figure><img src="x.jpg"></figure><p><strong>${second}</strong> <a href="/y">التفاصيل</a></p>`],
    ['a paragraph split differently', `<p>${lead}<br>${second} <a href="/x">التفاصيل</a></p>`],
    ['whitespace and no-break spaces', base.replace(' اليوم ', '  \n اليوم&nbsp; ').replace('<p>', '<p>\n   ')],
    ['entities instead of characters', base.replace('.</p>', '&#46;</p>')],
    ['bidi marks and a zero-width space', base.replace('اليوم', 'اليوم\u200f\u200b')],
    ['a comment and a script', `<!-- cache 2026-12-02T12:00:01Z -->${base}<script>var t=${Date.now()}</script>`],
    ['a relative time line', `${base}<p>منذ 5 دقائق</p>`],
    ['an update time line', `<p>آخر تحديث: منذ ساعتين</p>${base}`],
    ['a view counter', `${base}<p>عدد المشاهدات: 1,234</p>`],
    ['a counter after its number', `${base}<p>٣٥٠ مشاهدة</p>`],
    ['a rotating «read also» link', `${base}<p>اقرأ أيضا: <a href="/other">أسعار الذهب ترتفع في الأسواق المحلية</a></p>`],
    ['a site junk line', `${base}<p>زر الذهاب إلى الأعلى</p>`],
  ])('does not change with %s', (_name, html) => {
    expect(digestOf(html)).toBe(digestOf(base));
  });

  it('does not change with whitespace in the headline', () => {
    expect(digestOf(base, ` ${title.replace(' ', '  ')}\u00a0`)).toBe(digestOf(base));
  });

  it.each([
    ['a changed figure', base.replace('مليار', 'ملياري')],
    ['a changed word', base.replace('ثلاث', 'أربع')],
    ['an added paragraph', `${base}<p>وأضاف أن التسجيل يبدأ عبر المنصة الإلكترونية.</p>`],
    ['a removed paragraph', `<p>${lead}</p>`],
    ['a changed link text', base.replace('التفاصيل', 'البيان الكامل')],
    ['changed punctuation', base.replace('اليوم خطة', 'اليوم، خطة')],
    ['a changed hamza', base.replace('أعلنت', 'اعلنت')],
    ['a line that mentions minutes', `${base}<p>وتستغرق إجراءات التسجيل منذ 5 دقائق إلى ساعة.</p>`],
  ])('changes with %s', (_name, html) => {
    expect(digestOf(html)).not.toBe(digestOf(base));
  });

  it('changes with the headline', () => {
    expect(digestOf(base, `${title} (محدث)`)).not.toBe(digestOf(base));
  });

  it('does not run the headline into the text', () => {
    expect(sourceDigest('أ ب', 'ج')).not.toBe(sourceDigest('أ', 'ب ج'));
  });
});

describe('compareSourceDigests', () => {
  const v2a = sourceDigest('أ', 'نص');
  const v2b = sourceDigest('ب', 'نص');
  const v1 = createHash('sha256').update('أ\n<p>نص</p>').digest('hex');
  it.each([
    ['equal', v2a, v2a, 'same'],
    ['no new digest (an item made by a tool)', v2a, null, 'same'],
    ['two of this version that differ', v2a, v2b, 'changed'],
    ['two bare (v1) digests that differ', 'a', 'b', 'changed'],
    ['nothing stored', null, v2a, 'record'],
    ['a v1 digest stored', v1, v2a, 'record'],
    ['a digest of a newer version stored', `v3:${'0'.repeat(64)}`, v2a, 'record'],
  ] as const)('%s: %s', (_name, stored, fresh, verdict) => {
    expect(compareSourceDigests(stored, fresh)).toBe(verdict);
  });
});
