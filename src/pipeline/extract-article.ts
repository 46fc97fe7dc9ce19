import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { htmlToText } from './html-to-text.js';
import { sanitizeHtml } from './sanitize-html.js';

/** Reader view gives up on pages with more elements than this (it throws; the caller keeps the feed's text). */
const MAX_ELEMENTS = 15_000;
/** Longer "articles" are comment threads or whole archives that reader view took for the content. */
const MAX_ARTICLE_CHARS = 100_000;

export interface ExtractedArticle {
  /** Sanitized article HTML, links and images made absolute against the page URL. */
  html: string;
  /** Plain text, one paragraph per line (as normalize-item derives it from feed HTML). */
  text: string;
}

/**
 * The article in a news page: Mozilla Readability (Firefox's reader view) finds the main content and drops navigation,
 * sidebars, share bars and footers; the result then goes through the same sanitizer as feed HTML. Pure: page text in,
 * article out; null when the page has no article-like content or what it found is far too long for a news article.
 * Throws on pages with more than 15,000 elements.
 */
export function extractArticle(page: string, url: string): ExtractedArticle | null {
  const { document } = parseHTML(page);
  // Readability mutates the document and reads only DOM APIs that linkedom implements.
  const article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0], { charThreshold: 200, maxElemsToParse: MAX_ELEMENTS }).parse();
  if (!article?.content) return null;
  const html = sanitizeHtml(article.content, { baseUrl: url });
  const text = htmlToText(html);
  return text && text.length <= MAX_ARTICLE_CHARS ? { html, text } : null;
}
