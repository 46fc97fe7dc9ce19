import { describe, expect, it } from 'vitest';
import { KhabarError } from '../../src/errors.js';
import { decodeBody } from '../../src/pipeline/decode-body.js';
import { parseDate } from '../../src/pipeline/parse-date.js';
import { parseFeed } from '../../src/pipeline/parse-feed.js';
import { buildRss2, cdata, fixtureNames, readFixture, readFixtureAs, readFixtureText } from '../helpers/fixtures.js';

const now = new Date('2026-03-25T00:00:00Z');
const parse = (xml: string) => parseFeed(xml, { now });

async function parseError(xml: string): Promise<KhabarError> {
  const err = await parse(xml).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KhabarError);
  return err as KhabarError;
}

describe('parseFeed', () => {
  it('reads Arabic RSS 2.0 with CDATA and content:encoded', async () => {
    const feed = await parse(readFixtureText(fixtureNames.rss2Utf8));
    expect(feed.title).toBe('أخبار المدينة');
    expect(feed.link).toBe('https://news.example.org/');
    expect(feed.entries).toHaveLength(3);
    const [library, weather, breaking] = feed.entries;
    expect(library).toMatchObject({
      guid: 'news-example-42',
      title: 'افتتاح مكتبة عامة جديدة في وسط المدينة',
      link: 'https://News.Example.org/culture/2026/03/library?utm_source=rss&utm_medium=feed&id=42#comments',
      summaryHtml: '<p>افتتحت البلدية مكتبة عامة جديدة.</p>',
      author: 'سارة الحسن',
      publishedAt: new Date('2026-03-24T06:30:00Z'),
    });
    expect(library!.contentHtml).toContain('<strong>عشرين ألف</strong>');
    expect(weather).toMatchObject({ title: 'ارتفاع درجات الحرارة & موجة غبار متوقعة', link: '/weather/2026/03/heat?fbclid=abc123', guid: null, contentHtml: null });
    expect(weather!.summaryHtml).toBe('<p>تتوقع الأرصاد الجوية ارتفاعاً في درجات الحرارة.</p><p>وتنصح بتجنب التعرض للشمس.</p>');
    expect(breaking!.publishedAt).toBeNull();
  });

  it('reads Atom 1.0: alternate link over self, html content, xhtml summary in order', async () => {
    const feed = await parse(readFixtureText(fixtureNames.atom1));
    expect(feed).toMatchObject({ title: 'مدونة الاقتصاد', link: 'https://economy.example.net/' });
    const [gold, rates] = feed.entries;
    expect(gold).toMatchObject({
      guid: 'tag:economy.example.net,2026:entry-7',
      link: 'https://economy.example.net/2026/03/gold',
      title: 'تراجع أسعار الذهب <em>للمرة الثالثة</em>',
      author: 'خالد المصري',
      publishedAt: new Date('2026-03-24T05:15:00Z'),
    });
    expect(gold!.contentHtml).toBe('<p>انخفضت أسعار الذهب في الأسواق العالمية للمرة الثالثة هذا الأسبوع.</p><p>ويتوقع المحللون استقرار الأسعار.</p>');
    expect(gold!.summaryHtml).toBe('<p>انخفض سعر <b>الذهب</b> اليوم.</p><p>وهذا ثالث تراجع.</p>');
    expect(rates).toMatchObject({ link: 'https://economy.example.net/2026/03/rates', contentHtml: null, publishedAt: new Date('2026-03-23T17:45:00Z') });
    expect(rates!.summaryHtml).toBe('<p>قرر البنك المركزي الإبقاء على سعر الفائدة دون تغيير.</p><p>وأشار البيان إلى أن التضخم ما زال مرتفعاً.</p>');
  });

  it('reads Atom 0.3: issued dates, escaped and base64 content', async () => {
    const feed = await parse(readFixtureText(fixtureNames.atom03));
    expect(feed).toMatchObject({ title: 'نشرة الرياضة', link: 'https://sport.example.com/' });
    const [match, postponed] = feed.entries;
    expect(match).toMatchObject({
      guid: 'tag:sport.example.com,2026:101',
      title: 'المنتخب يفوز في مباراة ودية',
      link: 'https://sport.example.com/match/101',
      contentHtml: '<p>فاز المنتخب الوطني بهدفين دون رد.</p>',
      publishedAt: new Date('2026-03-24T09:00:00Z'),
    });
    expect(postponed!.contentHtml).toBe('<p>أعلن الاتحاد تأجيل المباراة.</p>');
  });

  it('reads RSS 1.0 (RDF): rdf:about as guid, dc:date, content:encoded', async () => {
    const feed = await parse(readFixtureText(fixtureNames.rss1Rdf));
    expect(feed.title).toBe('علوم وتقنية');
    expect(feed.entries).toHaveLength(2);
    expect(feed.entries[0]).toMatchObject({
      guid: 'https://science.example.org/2026/03/telescope',
      title: 'تلسكوب جديد يرصد مجرة بعيدة',
      summaryHtml: 'رصد فريق من الفلكيين مجرة تبعد مليارات السنين الضوئية.',
      publishedAt: new Date('2026-03-22T11:00:00Z'),
      author: 'ليلى عبد الله',
    });
    expect(feed.entries[1]).toMatchObject({ contentHtml: '<p>طور باحثون بطارية <em>تشحن بالكامل</em> في خمس دقائق.</p>', publishedAt: new Date('2026-03-21T00:00:00Z') });
  });

  it('reads RSS 0.91 with its DOCTYPE', async () => {
    const feed = await parse(readFixtureText(fixtureNames.rss091));
    expect(feed.entries.map((e) => e.title)).toEqual(['مهرجان الكتاب يستقبل زواره']);
  });

  it('reads RSS without a version attribute as RSS 2.0', async () => {
    const feed = await parse('<rss><channel><title>بلا إصدار</title><item><title>خبر</title></item></channel></rss>');
    expect(feed.entries.map((e) => e.title)).toEqual(['خبر']);
  });

  it.each([
    ['windows-1256 in the header', readFixtureAs(fixtureNames.windows1256HeaderOnly, 'windows-1256'), 'text/xml; charset=windows-1256', 'وزير الخارجية: «الحوار هو الطريق الوحيد»'],
    ['ISO-8859-6 in the prolog', readFixtureAs(fixtureNames.iso88596, 'iso-8859-6'), null, 'هل تنجح خطة المرور الجديدة؟'],
    ['a UTF-8 BOM with a stale prolog', readFixture(fixtureNames.utf8Bom), null, 'افتتاح ميناء جديد على الساحل'],
  ])('keeps Arabic titles intact after decoding %s', async (_name, bytes, contentType, title) => {
    const feed = await parse(decodeBody(bytes, contentType).text);
    expect(feed.entries[0]!.title).toBe(title);
  });

  it('ignores a stale encoding declaration on an already decoded string', async () => {
    const feed = await parse(`<?xml version="1.0" encoding="windows-1256"?><rss version="2.0"><channel><item><title>خبر</title></item></channel></rss>`);
    expect(feed.entries[0]!.title).toBe('خبر');
  });

  it('tolerates bare ampersands, HTML entities, control characters and leading blank lines', async () => {
    const xml = `\n\n${buildRss2({ title: 'x' }, [
      { title: 'أ & ب\u000b', link: 'https://e.example/a?x=1&y=2', description: 'نص&nbsp;هنا' },
      { title: cdata('ج & د'), link: cdata('https://e.example/b?x=1&amp;y=2') },
    ])}`;
    const feed = await parse(xml);
    expect(feed.entries[0]).toMatchObject({ title: 'أ & ب', link: 'https://e.example/a?x=1&y=2', summaryHtml: 'نص\u00a0هنا' });
    // CDATA is literal: the escape there is the publisher's own text.
    expect(feed.entries[1]).toMatchObject({ title: 'ج & د', link: 'https://e.example/b?x=1&amp;y=2' });
  });

  it('turns HTML and unknown entities into something XML accepts', async () => {
    const feed = await parse(buildRss2({ title: 'x' }, [{ title: 'أ&hellip; &laquo;ب&raquo; &foo; &#0;&#x1F600; &amp;&#1575;' }]));
    expect(feed.entries[0]!.title).toBe('أ… «ب» &foo; \u{1F600} &ا');
  });

  it('reads an RSS guid with attributes but keeps only its text', async () => {
    const feed = await parse(buildRss2({ title: 'x' }, [{ title: 'أ', guid: 'id-1' }]).replace('<guid>', '<guid isPermaLink="false">'));
    expect(feed.entries[0]!.guid).toBe('id-1');
  });

  it('handles Atom edge cases: links without rel, a rel="self"-only entry, text content, invalid dates', async () => {
    const feed = await parse(`<feed xmlns="http://www.w3.org/2005/Atom"><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">عنوان <b>غامق</b></div></title>
      <entry><title>أ</title><link href="https://e.example/a"/><link rel="enclosure" href="https://e.example/a.mp3"/><published>yesterday</published><content type="text">أ &lt; ب</content></entry>
      <entry><title>ب</title><link rel="self" href="https://e.example/api/b"/><link rel="related" href="https://e.example/b-related"/></entry>
    </feed>`);
    expect(feed.title).toBe('عنوان <b>غامق</b>');
    expect(feed.entries[0]).toMatchObject({ link: 'https://e.example/a', publishedAt: null, contentHtml: '<p>أ &lt; ب</p>' });
    expect(feed.entries[1]!.link).toBe('https://e.example/b-related');
  });

  it('rejects broken XML with PARSE_INVALID_XML', async () => {
    const err = await parseError(readFixtureText(fixtureNames.broken));
    expect(err.code).toBe('PARSE_INVALID_XML');
    expect(err.cause).toBeDefined();
  });

  it.each([
    ['an HTML page', readFixtureText(fixtureNames.htmlPage)],
    ['well-formed XHTML', '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>x</p></body></html>'],
    ['a sitemap', '<?xml version="1.0"?><urlset><url><loc>https://e.example/</loc></url></urlset>'],
    ['JSON', '{"items": []}'],
    ['an empty body', ''],
    ['RSS without a channel', '<rss version="2.0"></rss>'],
  ])('rejects %s with PARSE_NOT_A_FEED', async (_name, text) => {
    expect((await parseError(text)).code).toBe('PARSE_NOT_A_FEED');
  });
});

describe('parseDate', () => {
  it.each([
    ['Tue, 24 Mar 2026 09:30:00 +0300', '2026-03-24T06:30:00.000Z'],
    ['Tue, 24 Mar 2026 09:30:00 GMT', '2026-03-24T09:30:00.000Z'],
    ['Tue, 24 Mar 2026 09:30 EST', '2026-03-24T14:30:00.000Z'],
    ['Tue, 24 Mar 2026 09:30:00 +03:00', '2026-03-24T06:30:00.000Z'],
    ['Tue, 24 Mar 2026 09:30:00 GMT+3', '2026-03-24T06:30:00.000Z'],
    ['Tue, 24 Mar 2026 09:30:00', '2026-03-24T09:30:00.000Z'],
    ['24 Mar 26 09:30:00 Z', '2026-03-24T09:30:00.000Z'],
    ['Tuesday, 24-March-2026 09:30:00 AST', '2026-03-24T06:30:00.000Z'],
    ['Wed, 24 Mar 2026 09:30:00 +0000', '2026-03-24T09:30:00.000Z'],
    ['2026-03-24T09:30:00Z', '2026-03-24T09:30:00.000Z'],
    ['2026-03-24T09:30:00.250+03:00', '2026-03-24T06:30:00.250Z'],
    ['2026-03-24 09:30:00', '2026-03-24T09:30:00.000Z'],
    ['2026-03-24', '2026-03-24T00:00:00.000Z'],
    ['الثلاثاء، ٢٤ مارس ٢٠٢٦ ٠٩:٣٠ +0300', '2026-03-24T06:30:00.000Z'],
    ['24 آذار 2026 09:30:00 GMT', '2026-03-24T09:30:00.000Z'],
    ['24 كانون الثاني 2026', '2026-01-24T00:00:00.000Z'],
  ])('%s', (value, iso) => {
    expect(parseDate(value, now)?.toISOString()).toBe(iso);
  });

  it.each(['', 'not a date', '2026-02-30T10:00:00Z', '32 Mar 2026 10:00 GMT', '0001-01-01T00:00:00Z', 'Thu, 01 Jan 1970 00:00:00 GMT', null])(
    '%j is null',
    (value) => {
      expect(parseDate(value, now)).toBeNull();
    },
  );

  it('clamps dates more than ten minutes in the future to now', () => {
    expect(parseDate('2030-01-01T00:00:00Z', now)).toEqual(now);
    expect(parseDate('2026-03-25T00:05:00Z', now)?.toISOString()).toBe('2026-03-25T00:05:00.000Z');
  });
});
