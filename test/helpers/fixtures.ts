/**
 * Fixture feeds for tests: the files in test/fixtures (one quirk per file) and small builders for feeds made
 * up inside a test. Legacy-charset fixtures are stored as UTF-8 source text and encoded at run time with
 * `readFixtureAs(name, 'windows-1256')`, so the files stay readable and diffable.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';

const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url));

export const fixtureNames = {
  rss2Utf8: 'rss2-arabic-utf8.xml',
  atom1: 'atom1-arabic.xml',
  atom03: 'atom03-arabic.xml',
  rss1Rdf: 'rss1-rdf-arabic.xml',
  rss091: 'rss091-arabic.xml',
  windows1256HeaderOnly: 'rss2-windows1256-header-only.xml',
  iso88596: 'rss2-iso-8859-6.xml',
  utf8Bom: 'rss2-utf8-bom.xml',
  broken: 'broken.xml',
  htmlPage: 'not-a-feed.html',
} as const;

export function fixturePath(name: string): string {
  return fixturesDir + name;
}

export function readFixture(name: string): Buffer {
  return readFileSync(fixturePath(name));
}

export function readFixtureText(name: string): string {
  return readFixture(name).toString('utf8');
}

/** The fixture's text encoded in `charset` (e.g. 'windows-1256', 'iso-8859-6', 'utf-16le'). */
export function readFixtureAs(name: string, charset: string): Buffer {
  return encodeText(readFixtureText(name), charset);
}

/** Encodes text, failing loudly if the charset cannot represent it (iconv-lite would silently write "?"). */
export function encodeText(text: string, charset: string): Buffer {
  const bytes = iconv.encode(text, charset);
  if (iconv.decode(bytes, charset) !== text) throw new Error(`text is not representable in ${charset}`);
  return bytes;
}

export interface FixtureItem {
  title?: string;
  link?: string;
  guid?: string;
  description?: string;
  contentEncoded?: string;
  pubDate?: string;
}

/** A minimal RSS 2.0 document; values are inserted as given (escape them yourself, or use CDATA via `cdata`). */
export function buildRss2(channel: { title: string; link?: string; prolog?: string }, items: FixtureItem[]): string {
  const element = (name: string, value: string | undefined) => (value === undefined ? '' : `<${name}>${value}</${name}>`);
  const body = items
    .map(
      (item) =>
        `<item>${element('title', item.title)}${element('link', item.link)}${element('guid', item.guid)}${element('pubDate', item.pubDate)}` +
        `${element('description', item.description)}${element('content:encoded', item.contentEncoded)}</item>`,
    )
    .join('\n');
  return (
    `${channel.prolog ?? '<?xml version="1.0" encoding="UTF-8"?>'}\n` +
    `<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>` +
    `${element('title', channel.title)}${element('link', channel.link)}\n${body}\n</channel></rss>\n`
  );
}

export function cdata(value: string): string {
  return `<![CDATA[${value.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}
