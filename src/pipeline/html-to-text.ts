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
  return foldLines(decodeHTML(replaceTags(html)));
}

/**
 * Comments removed, tags replaced by a line break (block), a space (cell) or nothing (inline). A scanner with indexOf,
 * not a regex: every "<" is looked at once, and an unclosed comment or tag ends the scan instead of being searched
 * for again from every later "<" (a title of 80 KB of "<a" took seconds that way).
 */
function replaceTags(html: string): string {
  const out: string[] = [];
  let copied = 0;
  let at = 0;
  for (;;) {
    const lt = html.indexOf('<', at);
    if (lt === -1) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      // An unclosed comment hides the rest, as it did before.
      if (end === -1) {
        out.push(html.slice(copied, lt));
        copied = html.length;
        break;
      }
      out.push(html.slice(copied, lt));
      copied = at = end + 3;
      continue;
    }
    const name = tagName(html, lt);
    if (name === null) {
      at = lt + 1;
      continue;
    }
    const gt = html.indexOf('>', lt);
    if (gt === -1) break;
    out.push(html.slice(copied, lt), blockTags.test(name) ? '\n' : cellTags.test(name) ? ' ' : '');
    copied = at = gt + 1;
  }
  out.push(html.slice(copied));
  return out.join('');
}

/** The element name of a tag starting at `lt` ("<p", "</p", "<o:p"), or null when "<" starts no tag. */
function tagName(html: string, lt: number): string | null {
  let i = lt + 1;
  if (html.charCodeAt(i) === 0x2f) i++;
  const first = html.charCodeAt(i);
  if (!((first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a))) return null;
  let end = i + 1;
  while (end < html.length && end - i < 64 && /[\w:-]/.test(html[end]!)) end++;
  return html.slice(i, end);
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
