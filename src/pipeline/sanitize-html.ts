import sanitize from 'sanitize-html';

/*
 * What khabar republishes: the text structure of a news article (paragraphs, headings, lists, quotes, figures,
 * simple tables), links and images. No scripts, styles, frames, forms, event handlers or classes; only http(s)
 * and mailto links, only http(s) images. Relative URLs are made absolute because the merged feed is read far from
 * the outlet's site. Lazy-loading images (src is a placeholder, the real one in data-src) are common on Arabic news
 * sites, so data-src wins over a missing or data: src. Tracking pixels (an image declared at most 1 px in every
 * dimension it declares) are dropped: they show nothing and tell the outlet who read the merged feed.
 *
 * Direction survives: Arabic articles quote English names, figures and code, and mark those blocks `dir="ltr"`
 * (and `lang`), or isolate a phrase with <bdi>/<bdo>. Dropping the marks scrambles the order of mixed text, so
 * `dir` and `lang` stay on block elements and on <bdi>/<bdo>, when their values are well formed.
 */

const blockTags = [
  'p', 'div', 'ul', 'ol', 'li', 'blockquote', 'h2', 'h3', 'h4', 'figure', 'figcaption', 'pre',
  'table', 'thead', 'tbody', 'tr', 'th', 'td', 'caption',
];

/** Inline elements that exist only to set direction. */
const bidiTags = ['bdi', 'bdo'];

const allowedTags = [
  ...blockTags, ...bidiTags, 'br', 'hr', 'a', 'img', 'q', 'cite', 'strong', 'b', 'em', 'i', 'u', 'sub', 'sup', 'code',
];

const directionAttributes = ['dir', 'lang'];

/** `allowedAttributes` for one tag: its own, plus dir and lang on block and bidi elements. */
function attributesFor(tag: string, own: string[] = []): string[] {
  return [...own, ...(blockTags.includes(tag) || bidiTags.includes(tag) ? directionAttributes : [])];
}

const ownAttributes: Record<string, string[]> = {
  a: ['href', 'title', 'rel'],
  img: ['src', 'alt', 'title', 'width', 'height'],
  td: ['colspan', 'rowspan'],
  th: ['colspan', 'rowspan'],
  blockquote: ['cite'],
  q: ['cite'],
};

const allowedAttributes: Record<string, string[]> = Object.fromEntries(
  allowedTags.map((tag) => [tag, attributesFor(tag, ownAttributes[tag])] as const).filter(([, attributes]) => attributes.length > 0),
);

/** Elements whose text must not leak into the output when the element itself is dropped. */
const droppedWithContent = ['script', 'style', 'noscript', 'template', 'textarea', 'option', 'iframe', 'object', 'embed', 'svg', 'math', 'head', 'title', 'button', 'select'];

export interface SanitizeHtmlOptions {
  /** Base for relative href/src: the item's link, else the feed URL. */
  baseUrl?: string | null;
}

export function sanitizeHtml(html: string, options: SanitizeHtmlOptions = {}): string {
  const base = options.baseUrl ?? undefined;
  return sanitize(html, {
    allowedTags,
    allowedAttributes,
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
    allowProtocolRelative: false,
    nonTextTags: droppedWithContent,
    parseStyleAttributes: false,
    transformTags: {
      h1: 'h2',
      h5: 'h4',
      h6: 'h4',
      a: (tagName, attribs) => {
        const href = absoluteUrl(attribs.href, base);
        const next: Record<string, string> = { ...attribs };
        if (href && /^(?:https?|mailto):/i.test(href)) {
          next.href = href;
          next.rel = 'nofollow noopener noreferrer';
        } else {
          delete next.href;
          delete next.rel;
        }
        return { tagName, attribs: next };
      },
      img: (tagName, attribs) => {
        const lazy = attribs['data-src'] ?? attribs['data-lazy-src'] ?? attribs['data-original'];
        const raw = !attribs.src || attribs.src.startsWith('data:') ? (lazy ?? attribs.src) : attribs.src;
        const src = absoluteUrl(raw, base);
        const next: Record<string, string> = { ...attribs };
        if (src) next.src = src;
        else delete next.src;
        return { tagName, attribs: next };
      },
      blockquote: absoluteCite(base),
      q: absoluteCite(base),
      // After the tag's own transform; the allowed-attribute lists then decide which elements keep the result.
      '*': wellFormedDirection,
    },
    exclusiveFilter: (frame) => frame.tag === 'img' && (!frame.attribs.src || isTrackingPixel(frame.attribs)),
  }).trim();
}

/** A lang that looks like a BCP 47 tag ("ar", "en-GB", "zh-Hant-TW"); anything else says nothing a reader can use. */
const languageTag = /^[a-z]{2,8}(?:-[a-z0-9]{1,8}){0,7}$/i;

/** dir reduced to ltr, rtl or auto and lang to a language tag, each dropped when it is neither. */
function wellFormedDirection(tagName: string, attribs: sanitize.Attributes): sanitize.Tag {
  if (attribs.dir === undefined && attribs.lang === undefined) return { tagName, attribs };
  const next: Record<string, string> = { ...attribs };
  const dir = attribs.dir?.trim().toLowerCase();
  if (dir === 'ltr' || dir === 'rtl' || dir === 'auto') next.dir = dir;
  else delete next.dir;
  const lang = attribs.lang?.trim();
  if (lang !== undefined && languageTag.test(lang)) next.lang = lang;
  else delete next.lang;
  return { tagName, attribs: next };
}

/** cite is a link like href: relative means nothing in a reader, and only a web page is worth pointing at. */
function absoluteCite(base: string | undefined): sanitize.Transformer {
  return function transformCite(tagName, attribs) {
    const cite = absoluteUrl(attribs.cite, base);
    const next: Record<string, string> = { ...attribs };
    if (cite && /^https?:/i.test(cite)) next.cite = cite;
    else delete next.cite;
    return { tagName, attribs: next };
  };
}

/**
 * Width or height in CSS pixels ("1", "1px", "0.5"); undefined when absent; null when not a plain pixel length
 * ("100%", "auto"), which says nothing about the image being tiny.
 */
function pixels(value: string | undefined): number | null | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(?:px\s*)?$/i.exec(value);
  return match ? Number(match[1]) : null;
}

/** At least one dimension given and every given one is a pixel length of at most 1: an image no one can see. */
function isTrackingPixel(attribs: Record<string, string>): boolean {
  const dimensions = [pixels(attribs.width), pixels(attribs.height)].filter((d) => d !== undefined);
  return dimensions.length > 0 && dimensions.every((d) => d !== null && d <= 1);
}

/** Absolute URL resolved against base; the raw value when it cannot be resolved (the scheme filter then decides). */
function absoluteUrl(value: string | undefined, base: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (!trimmed) return undefined;
  try {
    return new URL(trimmed, base).href;
  } catch {
    return trimmed;
  }
}
