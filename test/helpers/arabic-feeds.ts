/** Small Arabic feeds written for the tests, one shape each. Encodings are derived at test time. */

export const rssItems = [
  {
    title: 'وزير الخارجية يلتقي نظيره الأردني في عمّان',
    link: 'https://news.example.com/politics/1001?utm_source=rss&utm_medium=feed',
    guid: 'https://news.example.com/politics/1001',
    body: '<p>التقى وزير الخارجية اليوم نظيره الأردني في العاصمة عمّان، وبحث الجانبان العلاقات الثنائية.</p><p>وأكد الوزيران أهمية التنسيق المشترك.</p>',
    date: 'Sun, 29 Nov 2026 08:00:00 +0300',
  },
  {
    title: 'ارتفاع أسعار النفط «برنت» إلى أعلى مستوى',
    link: 'https://news.example.com/economy/1002',
    guid: 'https://news.example.com/economy/1002',
    body: '<p>ارتفعت أسعار النفط في تعاملات اليوم، وصعد خام برنت بنسبة ٢٫٥٪.</p><script>alert(1)</script>',
    date: 'Sun, 29 Nov 2026 07:30:00 +0300',
  },
];

export function rss2(items = rssItems, title = 'أخبار المثال'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>${title}</title>
<link>https://news.example.com/</link>
<description>موجز الأخبار</description>
<language>ar</language>
${items
  .map(
    (i) => `<item>
  <title><![CDATA[${i.title}]]></title>
  <link>${i.link.replace(/&/g, '&amp;')}</link>
  <guid isPermaLink="true">${i.guid}</guid>
  <pubDate>${i.date}</pubDate>
  <description><![CDATA[${i.body.replace(/<[^>]+>/g, ' ').slice(0, 80)}]]></description>
  <content:encoded><![CDATA[${i.body}]]></content:encoded>
</item>`,
  )
  .join('\n')}
</channel>
</rss>`;
}

export function atom1(): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">
  <title>وكالة الأنباء التجريبية</title>
  <id>urn:uuid:7d2c9f14-1b7e-4c55-9a51-2f0c6f3e0a11</id>
  <updated>2026-11-29T06:00:00Z</updated>
  <link href="https://agency.example.org/"/>
  <entry>
    <title>افتتاح معرض الكتاب الدولي بمشاركة ٤٠ دولة</title>
    <id>tag:agency.example.org,2026:3001</id>
    <link rel="alternate" href="https://agency.example.org/culture/3001#top"/>
    <updated>2026-11-29T06:00:00Z</updated>
    <summary>افتتح اليوم معرض الكتاب الدولي.</summary>
    <content type="html">&lt;p&gt;افتتح اليوم معرض الكتاب الدولي بمشاركة أربعين دولة وأكثر من ألف دار نشر.&lt;/p&gt;</content>
  </entry>
</feed>`;
}

/** Served as windows-1256 bytes with the charset only in the HTTP header (no encoding in the prolog). */
export function headerOnlyLegacyFeed(): string {
  return `<?xml version="1.0"?>
<rss version="2.0"><channel><title>صحيفة قديمة</title><link>https://old.example.net/</link><description>أخبار</description>
<item><title>هطول أمطار غزيرة على المناطق الشمالية</title><link>https://old.example.net/a/77</link><description>توقعت الأرصاد الجوية هطول أمطار غزيرة.</description><pubDate>Sun, 29 Nov 2026 05:00:00 GMT</pubDate></item>
</channel></rss>`;
}

export const brokenXml = `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>مكسور</title><item><title>بلا إغلاق</item></channel>`;

export const htmlPage = `<!doctype html><html lang="ar" dir="rtl"><head><title>الصفحة الرئيسية</title></head><body><h1>ليست خلاصة</h1></body></html>`;
