import { decodeHTML } from 'entities';

/*
 * Plain text for dedup and for deriving titles: block elements end a line, so each paragraph, heading, list item,
 * quote and table row is its own line; inline markup disappears without adding spaces (Arabic words are never split
 * by tags in the middle, but "<b>عاجل</b>:" must stay "عاجل:"). Meant for sanitized HTML, where every "<" that
 * starts a tag is a real tag; raw HTML works too but script/style text must be removed first (sanitizeHtml does).
 */

const blockTags = /^(?:p|div|br|hr|li|ul|ol|h[1-6]|blockquote|figure|figcaption|pre|table|thead|tbody|tr|caption|section|article|header|footer|aside|dl|dt|dd)$/i;
const cellTags = /^(?:td|th)$/i;

export function htmlToText(html: string): string {
  const withBreaks = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(\/?)([a-zA-Z][\w:-]*)\b[^>]*>/g, (_tag, _slash: string, name: string) => {
      if (blockTags.test(name)) return '\n';
      if (cellTags.test(name)) return ' ';
      return '';
    });
  return foldLines(decodeHTML(withBreaks));
}

/** Whitespace (including no-break and zero-width spaces) folded inside lines; empty lines dropped. */
export function foldLines(text: string): string {
  return text
    .split(/\r\n|[\n\r\u2028\u2029]/)
    .map(foldWhitespace)
    .filter(Boolean)
    .join('\n');
}

export function foldWhitespace(text: string): string {
  return text
    .replace(/[\u200b\ufeff]/g, '')
    .replace(/[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+/g, ' ')
    .trim();
}
