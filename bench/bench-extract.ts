/**
 * Full-text extraction (full_text feeds): how long reader view takes on news pages of realistic sizes, on the event
 * loop, and whether it finds the article. Prints figures; not a test.
 *
 *   npx tsx bench/bench-extract.ts [pages-per-size=40]
 *
 * Pages wrap real Arabic articles (the dev set's full texts in ../shared/eval/dedup-dev) in what news sites put around
 * them: navigation, share bars, "most read" and related-article lists, a comment thread, inline scripts and JSON-LD,
 * grown to about 60 KB, 250 KB and 1 MB (the 2 MiB page cap is the limit).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { extractArticle } from '../src/pipeline/extract-article.js';
import { isFullerVersion } from '../src/pipeline/fetch-full-text.js';

const perSize = Number(process.argv[2] ?? 40);
const dev = new URL('../../shared/eval/dedup-dev/dev-items-full.jsonl.gz', import.meta.url);

type Article = { title: string; content: string };
const articles: Article[] = gunzipSync(readFileSync(dev))
  .toString('utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Article)
  .filter((a) => a.content.split(/\s+/).length > 200);

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

/** The article in a site's page, with `padKb` of the usual surroundings. */
function page(article: Article, others: Article[], padKb: number): string {
  const paragraphs = article.content.split('\n').filter((p) => p.trim()).map((p) => `<p>${escape(p)}</p>`).join('\n');
  const links = (n: number, from: number) =>
    Array.from({ length: n }, (_, i) => `<li><a href="/news/${from + i}">${escape(others[(from + i) % others.length]!.title)}</a></li>`).join('');
  const parts: string[] = [
    `<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>${escape(article.title)}</title>`,
    `<script type="application/ld+json">${JSON.stringify({ '@type': 'NewsArticle', headline: article.title })}</script>`,
    `<style>${'.c{color:#333;margin:0 auto}'.repeat(40)}</style></head><body>`,
    `<header><nav>${links(25, 0)}</nav></header><div class="share"><a href="#">غرد</a><a href="#">شارك</a></div>`,
    `<main><article><h1>${escape(article.title)}</h1>${paragraphs}</article></main>`,
    `<aside><h3>الأكثر قراءة</h3><ul>${links(10, 30)}</ul><h3>أخبار ذات صلة</h3><ul>${links(10, 50)}</ul></aside>`,
  ];
  let size = parts.join('').length;
  let i = 0;
  const comments: string[] = [];
  const scripts: string[] = [];
  while (size < padKb * 1024) {
    // Half comments (text reader view must not prefer), half inline script (what real pages are mostly made of).
    const c = `<div class="comment"><b>زائر ${i}</b><p>${escape(others[(i * 7) % others.length]!.title)} — تعليق من القراء على الخبر.</p></div>`;
    const s = `<script>window.__state${i}=${JSON.stringify({ id: i, related: others[(i * 3) % others.length]!.title })};</script>`;
    comments.push(c);
    scripts.push(s);
    size += c.length + s.length;
    i++;
  }
  parts.push(`<section class="comments">${comments.join('')}</section><footer>جميع الحقوق محفوظة</footer>${scripts.join('')}</body></html>`);
  return parts.join('\n');
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

console.log(`extract-article: ${perSize} pages per size, real articles from the dev set (${articles.length} over 200 words)`);
for (const padKb of [60, 250, 1000]) {
  const times: number[] = [];
  let found = 0;
  let bytes = 0;
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  for (let n = 0; n < perSize; n++) {
    const article = articles[(n * 97) % articles.length]!;
    const html = page(article, articles, padKb);
    bytes += Buffer.byteLength(html);
    const started = performance.now();
    const result = extractArticle(html, `https://news.example/${n}`);
    times.push(performance.now() - started);
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    // What a lead-only feed carries: the first 50 words (as the dev set's lead-only stream).
    const lead = article.content.split(/\s+/).filter(Boolean).slice(0, 50).join(' ');
    if (result && isFullerVersion({ title: article.title, contentText: lead }, result.text)) found++;
  }
  times.sort((a, b) => a - b);
  console.log(
    `  ~${(bytes / perSize / 1024).toFixed(0)} KB pages: p50 ${quantile(times, 0.5).toFixed(0)} ms, p95 ${quantile(times, 0.95).toFixed(0)} ms, ` +
      `max ${times[times.length - 1]!.toFixed(0)} ms on the event loop; article found and accepted ${found}/${perSize}; ` +
      `heap +${((heapPeak - heapBefore) / 1048576).toFixed(0)} MB at peak`,
  );
}
