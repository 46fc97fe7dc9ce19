import { decodeHTML } from 'entities';
import { createRequire } from 'node:module';
import Parser from 'rss-parser';
import { MAX_AUTHOR_CHARS } from '../config/limits.js';
import { KhabarError } from '../errors.js';
import { stripXmlEncoding } from './decode-body.js';
import { parseDate } from './parse-date.js';
import type { ParsedEntry, ParsedFeed } from './types.js';

/*
 * rss-parser (xml2js underneath) reads the XML and recognises RSS 0.9x/1.0/2.0; its RSS item mapping is used as is.
 * Its Atom mapping is replaced: it ignores Atom 0.3 dates (issued/modified/created) and base64 content, crashes on
 * an invalid date or a <link> without attributes, and takes the first link even when that is rel="self".
 * xml2js also loses the order of mixed content, so inline XHTML is turned into an HTML string before parsing.
 */

export interface ParseFeedOptions {
  /** Reference time for clamping future dates (see parse-date.ts). Default: now. */
  now?: Date;
}

const rssUtils = createRequire(import.meta.url)('rss-parser/lib/utils.js') as { getContent(content: unknown): string };

type XmlNode = Record<string, unknown> & { $?: Record<string, string>; _?: string };
type RawAtomFeed = { kind: 'atom'; feed: XmlNode };
interface RssItem {
  [key: string]: unknown;
  raw: XmlNode;
}
interface RssFeed {
  title?: unknown;
  link?: unknown;
  items: RssItem[];
}

interface ParserInternals {
  buildAtomFeed(xmlObj: { feed: XmlNode }): RawAtomFeed;
  parseItemRss(xmlItem: XmlNode, itemFields: unknown): Record<string, unknown>;
  buildRSS0_9(xmlObj: Record<string, unknown>): RssFeed;
  buildRSS1(xmlObj: Record<string, unknown>): RssFeed;
  buildRSS2(xmlObj: Record<string, unknown>): RssFeed;
}

function createParser(): Parser {
  const parser = new Parser({ defaultRSS: 2 });
  const internals = parser as unknown as ParserInternals;
  internals.buildAtomFeed = (xmlObj) => ({ kind: 'atom', feed: isNode(xmlObj.feed) ? xmlObj.feed : {} });
  internals.parseItemRss = rssItemFields;
  // rss-parser reads channel[0] unguarded; an <rss> without <channel> would surface as a TypeError.
  for (const [method, root] of [['buildRSS0_9', 'rss'], ['buildRSS1', 'rdf:RDF'], ['buildRSS2', 'rss']] as const) {
    const build = internals[method].bind(parser);
    internals[method] = (xmlObj) => {
      const rootNode = xmlObj[root];
      if (!isNode(rootNode) || !isNode(first(rootNode.channel))) throw notAFeed(`<${root}> without a <channel>`);
      return build(xmlObj);
    };
  }
  return parser;
}

/**
 * rss-parser's own item mapping, minus its text snippets: it strips tags from every description and content:encoded
 * with `/<(?:.|\n)*?>/`, which rescans to the end from every "<" (100 KB of "<a" took 15 s). The fields are the
 * ones mapRss reads, taken as rss-parser's field list takes them (dc:creator over author, title over dc:title).
 */
function rssItemFields(xmlItem: XmlNode): Record<string, unknown> {
  const description = first(xmlItem.description);
  return {
    raw: xmlItem,
    title: first(xmlItem.title) ?? first(xmlItem['dc:title']),
    link: first(xmlItem.link),
    guid: first(xmlItem.guid),
    'content:encoded': first(xmlItem['content:encoded']),
    // An element with child elements (unescaped markup) comes back as XML text, as rss-parser's getContent gives it.
    content: description === undefined ? undefined : rssUtils.getContent(description),
    summary: first(xmlItem.summary),
    pubDate: first(xmlItem.pubDate),
    date: first(xmlItem['dc:date']),
    creator: first(xmlItem['dc:creator']) ?? first(xmlItem.author),
    author: first(xmlItem.author),
  };
}

export async function parseFeed(xml: string, options: ParseFeedOptions = {}): Promise<ParsedFeed> {
  const now = options.now ?? new Date();
  const text = prepareXml(xml);
  const root = sniffRoot(text);
  if (root === null) throw notAFeed('the document is empty or not XML');
  if (!['rss', 'rdf:RDF', 'feed'].includes(root)) {
    throw notAFeed(root.toLowerCase() === 'html' ? 'got an HTML page, not a feed' : `root element <${root}> is not RSS or Atom`);
  }

  let result: RssFeed | RawAtomFeed;
  try {
    // A fresh parser per document: an xml2js parser that saw an error keeps state that can leak into the next parse.
    result = (await createParser().parseString(root === 'feed' ? inlineXhtml(text) : text)) as unknown as RssFeed | RawAtomFeed;
  } catch (err) {
    if (err instanceof KhabarError) throw err;
    const message = err instanceof Error ? err.message.split('\n').join(' ') : String(err);
    if (err instanceof Error && /not recognized/i.test(err.message)) throw notAFeed(message, err);
    throw new KhabarError('PARSE_INVALID_XML', `invalid XML: ${message}`, { cause: err });
  }
  return 'kind' in result ? mapAtom(result.feed, now) : mapRss(result, now);
}

/** Fixes that make common real-world breakage parse without touching well-formed documents. */
function prepareXml(xml: string): string {
  let text = stripXmlEncoding(xml.replace(/^\uFEFF/, ''));
  // XML 1.0 forbids these control characters; feeds pasted from word processors contain them.
  text = text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
  return escapeBareAmpersands(text).trimStart();
}

/**
 * Bare "&" ("a & b", unescaped query strings) and HTML entities XML does not define are the most common XML errors
 * in feeds. Outside CDATA, every reference becomes one of the five XML entities or a valid numeric reference, and a
 * lone "&" becomes "&amp;"; CDATA is literal and left alone.
 */
function escapeBareAmpersands(text: string): string {
  if (!text.includes('&')) return text;
  const out: string[] = [];
  for (const part of cdataParts(text)) out.push(part.cdata ? part.text : part.text.replace(/&(?:([a-zA-Z][a-zA-Z0-9]*)|#(\d+)|#[xX]([0-9a-fA-F]+))?;?/g, fixReference));
  return out.join('');
}

/**
 * The text cut into CDATA sections and what lies between them, in one pass (indexOf, no regex): an unclosed
 * `<![CDATA[` makes the rest of the document CDATA, as an XML parser reads it.
 */
function cdataParts(text: string): { cdata: boolean; text: string }[] {
  const parts: { cdata: boolean; text: string }[] = [];
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf('<![CDATA[', at);
    if (open === -1) break;
    const close = text.indexOf(']]>', open + 9);
    const end = close === -1 ? text.length : close + 3;
    if (open > at) parts.push({ cdata: false, text: text.slice(at, open) });
    parts.push({ cdata: true, text: text.slice(open, end) });
    at = end;
  }
  if (at < text.length) parts.push({ cdata: false, text: text.slice(at) });
  return parts;
}

const xmlEntities = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

function fixReference(whole: string, name?: string, decimal?: string, hex?: string): string {
  if (!whole.endsWith(';') || (!name && !decimal && !hex)) return `&amp;${whole.slice(1)}`;
  if (name) {
    if (xmlEntities.has(name)) return whole;
    const decoded = decodeHTML(whole);
    return decoded === whole ? `&amp;${name};` : [...decoded].map((char) => `&#${char.codePointAt(0)};`).join('');
  }
  const code = decimal ? Number(decimal) : Number.parseInt(hex!, 16);
  const allowed = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
  return allowed ? whole : '';
}

/**
 * Name of the first element, skipping the prolog, comments, processing instructions and DOCTYPE. A scanner, not a
 * regex: each construct is skipped with indexOf, so the work is linear in the text whatever follows the prolog.
 */
function sniffRoot(text: string): string | null {
  let at = 0;
  for (;;) {
    while (at < text.length && isXmlSpace(text.charCodeAt(at))) at++;
    if (text.startsWith('<?', at)) at = skipPast(text, '?>', at + 2);
    else if (text.startsWith('<!--', at)) at = skipPast(text, '-->', at + 4);
    else if (text.slice(at, at + 9).toUpperCase() === '<!DOCTYPE') {
      if (/^\s+html\b/i.test(text.slice(at + 9, at + 30))) return 'html';
      at = skipDoctype(text, at + 9);
    } else break;
    if (at === -1) return null;
  }
  const name = /^<([A-Za-z_][\w:.-]*)/.exec(text.slice(at, at + 256));
  return name ? name[1]! : null;
}

function skipPast(text: string, end: string, from: number): number {
  const found = text.indexOf(end, from);
  return found === -1 ? -1 : found + end.length;
}

/** Past the DOCTYPE's closing ">", stepping over an internal subset in [...]. */
function skipDoctype(text: string, from: number): number {
  const close = text.indexOf('>', from);
  const subset = text.indexOf('[', from);
  if (subset !== -1 && (close === -1 || subset < close)) {
    const subsetEnd = text.indexOf(']', subset + 1);
    return subsetEnd === -1 ? -1 : skipPast(text, '>', subsetEnd + 1);
  }
  return close === -1 ? -1 : close + 1;
}

function isXmlSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/**
 * Atom type="xhtml" (and Atom 0.3 mode="xml") content is markup inside the element; xml2js would regroup its
 * children by name. Re-wrapping it as escaped HTML keeps it in order. A scanner over the tags (indexOf), so a body
 * full of unclosed tags costs one pass.
 */
function inlineXhtml(text: string): string {
  const out: string[] = [];
  let copied = 0;
  let at = 0;
  // Where each tag's next close tag is (-1: none left): found once, not searched again from every open tag.
  const nextClose = new Map<string, number>();
  const closeTagAfter = (tag: string, from: number): number => {
    const known = nextClose.get(tag);
    if (known !== undefined && (known === -1 || known >= from)) return known;
    const found = text.indexOf(`</${tag}`, from);
    nextClose.set(tag, found);
    return found;
  };
  for (;;) {
    const lt = text.indexOf('<', at);
    if (lt === -1) break;
    const name = /^<((?:\w+:)?(?:content|summary|title|subtitle|tagline|info))(?=[\s/>])/.exec(text.slice(lt, lt + 64));
    if (!name) {
      at = lt + 1;
      continue;
    }
    const gt = text.indexOf('>', lt);
    // No ">" anywhere after: no further tag can be complete either.
    if (gt === -1) break;
    at = gt + 1;
    const tag = name[1]!;
    const attributes = text.slice(lt + 1 + tag.length, text[gt - 1] === '/' ? gt - 1 : gt);
    if (text[gt - 1] === '/' || !/\btype\s*=\s*["'](?:xhtml|application\/xhtml\+xml)["']|\bmode\s*=\s*["']xml["']/.test(attributes)) continue;
    const closeAt = closeTagAfter(tag, gt + 1);
    if (closeAt === -1) continue;
    const closeEnd = text.indexOf('>', closeAt);
    if (closeEnd === -1 || text.slice(closeAt + 2 + tag.length, closeEnd).trim() !== '') continue;
    let html = text.slice(gt + 1, closeAt).trim();
    const div = /^<(?:\w+:)?div\b[^>]*>/.exec(html.slice(0, 4096));
    const divClose = /<\/(?:\w+:)?div>$/.exec(html.slice(-64));
    if (div && divClose) html = html.slice(div[0].length, html.length - divClose[0].length);
    html = html.replace(/<(\/?)\w+:/g, '<$1');
    const cleanAttributes = attributes.replace(/\b(type|mode)\s*=\s*["'][^"']*["']/g, '').trim();
    out.push(text.slice(copied, lt), `<${tag} type="html"${cleanAttributes ? ` ${cleanAttributes}` : ''}>${cdata(html)}</${tag}>`);
    copied = closeEnd + 1;
    at = copied;
  }
  out.push(text.slice(copied));
  return out.join('');
}

function cdata(value: string): string {
  return `<![CDATA[${value.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

function mapRss(feed: RssFeed, now: Date): ParsedFeed {
  return {
    title: textOf(feed.title),
    link: textOf(feed.link),
    entries: feed.items.map((item): ParsedEntry => {
      const raw = item.raw;
      const rdfAbout = raw.$?.['rdf:about'] ?? null;
      return {
        guid: textOf(item.guid) ?? rdfAbout,
        link: textOf(item.link) ?? atomLink(raw['atom:link']) ?? null,
        title: textOf(item.title),
        contentHtml: textOf(item['content:encoded']),
        // rss-parser stores <description> as `content`.
        summaryHtml: textOf(item.content) ?? textOf(item.summary),
        publishedAt: parseDate(textOf(item.pubDate) ?? textOf(item.date) ?? firstText(raw, ['atom:published', 'atom:updated', 'dcterms:created', 'dcterms:issued']), now),
        author: authorName(textOf(item.creator) ?? textOf(item.author) ?? firstText(raw, ['dc:creator'])),
      };
    }),
  };
}

function mapAtom(feed: XmlNode, now: Date): ParsedFeed {
  const entries = asArray(feed.entry).filter(isNode);
  return {
    title: atomText(first(feed.title)),
    link: atomLink(feed.link),
    entries: entries.map(
      (entry): ParsedEntry => ({
        guid: firstText(entry, ['id']),
        link: atomLink(entry.link),
        title: atomText(first(entry.title)),
        contentHtml: atomHtml(first(entry.content)),
        summaryHtml: atomHtml(first(entry.summary)),
        publishedAt: parseDate(firstText(entry, ['published', 'issued', 'created', 'updated', 'modified', 'dc:date']), now),
        author: authorName(personName(entry.author) ?? firstText(entry, ['dc:creator'])),
      }),
    ),
  };
}

/** rel="alternate" (or no rel, which means alternate) preferring text/html; any other link as a last resort. */
function atomLink(value: unknown): string | null {
  const links = asArray(value);
  let fallback: string | null = null;
  let alternate: string | null = null;
  for (const link of links) {
    const href = isNode(link) ? (link.$?.href ?? textOf(link)) : textOf(link);
    if (!href) continue;
    const rel = isNode(link) ? (link.$?.rel ?? 'alternate') : 'alternate';
    const type = isNode(link) ? (link.$?.type ?? '') : '';
    if (rel === 'alternate') {
      if (/html/i.test(type) || !type) return href.trim();
      alternate ??= href.trim();
    } else if (rel !== 'self' && rel !== 'enclosure' && rel !== 'replies' && rel !== 'edit') {
      fallback ??= href.trim();
    }
  }
  return alternate ?? fallback;
}

function atomText(node: unknown): string | null {
  if (node === undefined || node === null) return null;
  const value = textOf(node);
  if (value === null) return null;
  return atomMode(node) === 'base64' ? Buffer.from(value, 'base64').toString('utf8') : value;
}

/** Content as HTML: html/xhtml as is, text escaped, base64 (Atom 0.3) decoded. */
function atomHtml(node: unknown): string | null {
  const value = atomText(node);
  if (value === null) return null;
  const type = ((isNode(node) && node.$?.type) || '').toLowerCase();
  // An explicit text type is believed; without a type, tags in the value mean the publisher meant HTML.
  const isText = type === 'text' || type === 'text/plain' || (type === '' && !hasTag(value));
  return isText ? textToHtml(value) : value;
}

/** Whether the value holds something like an HTML tag: "<" (or "</") and a letter, with a ">" after it. Linear. */
function hasTag(value: string): boolean {
  const start = /<\/?[a-z]/i.exec(value);
  return start !== null && value.indexOf('>', start.index) !== -1;
}

function textToHtml(value: string): string {
  return value
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`)
    .join('');
}

function atomMode(node: unknown): string {
  return isNode(node) ? (node.$?.mode ?? '').toLowerCase() : '';
}

function authorName(value: string | null): string | null {
  if (!value) return null;
  // Capped first: the "email (Name)" pattern below backtracks on long runs of "@".
  value = value.slice(0, MAX_AUTHOR_CHARS);
  // RSS <author> is "email (Name)".
  const named = /^\S+@\S+\s+\((.+)\)$/.exec(value.trim());
  return (named ? named[1]! : value).trim() || null;
}

function personName(value: unknown): string | null {
  const person = first(value);
  return isNode(person) ? (firstText(person, ['name']) ?? textOf(person)) : textOf(person);
}

function firstText(node: XmlNode | undefined, keys: string[]): string | null {
  if (!node) return null;
  for (const key of keys) {
    const value = textOf(first(node[key]));
    if (value) return value;
  }
  return null;
}

/** xml2js gives a string, or { _: text, $: attrs } when the element has attributes, or an object for child elements. */
function textOf(value: unknown): string | null {
  const node = first(value);
  if (typeof node === 'string') return node.trim() ? node : null;
  if (isNode(node) && typeof node._ === 'string') return node._.trim() ? node._ : null;
  return null;
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function notAFeed(message: string, cause?: unknown): KhabarError {
  return new KhabarError('PARSE_NOT_A_FEED', message, cause === undefined ? {} : { cause });
}
