/**
 * A news site's article page as outlets serve it: navigation, a "most read" sidebar, share buttons, a footer and
 * scripts around the article. For the full-text tests (the extractor must keep the article and nothing else).
 */
export function newsPage(title: string, paragraphs: string[], options: { charsetMeta?: string; image?: string } = {}): string {
  const meta = options.charsetMeta ? `<meta charset="${options.charsetMeta}">` : '';
  const image = options.image ? `<figure><img src="${options.image}" alt="صورة الخبر"><figcaption>من الاجتماع</figcaption></figure>` : '';
  return `<!doctype html><html lang="ar" dir="rtl"><head>${meta}<title>${title} | الصحيفة</title>
<script>window.dataLayer = [{ page: "article" }];</script><style>.nav{color:red}</style></head><body>
<header class="site-header"><nav class="nav"><a href="/">الرئيسية</a> <a href="/politics">سياسة</a> <a href="/sport">رياضة</a> <a href="/economy">اقتصاد</a></nav></header>
<div class="share-bar"><a href="https://twitter.com/share">غرد</a> <a href="https://facebook.com/share">شارك</a></div>
<main><article class="post"><h1>${title}</h1>${image}${paragraphs.map((p) => `<p>${p}</p>`).join('\n')}
<p>اقرأ أيضا: <a href="/news/related">خبر ذو صلة</a></p></article></main>
<aside class="sidebar"><h3>الأكثر قراءة</h3><ul><li><a href="/news/1">ارتفاع أسعار الذهب في الأسواق المحلية</a></li><li><a href="/news/2">فوز الفريق في المباراة النهائية</a></li></ul></aside>
<footer>جميع الحقوق محفوظة للصحيفة ٢٠٢٦ — <a href="/privacy">سياسة الخصوصية</a></footer>
<script src="/static/app.js"></script><script>trackPageView("article")</script></body></html>`;
}
