/**
 * Feed bodies built to hurt a parser, one shape each, at any size: the hostile-input tests serve them beside good
 * feeds, and `npm run bench:hostile` times each at growing sizes up to the body cap. Every shape below froze or
 * stalled khabar before parsing became linear and moved to worker threads (the comments say how).
 */

export interface HostileShape {
  name: string;
  /** What it attacked. */
  attacks: string;
  /** The body at about `bytes` bytes. */
  build(bytes: number): string;
}

const prolog = '<?xml version="1.0" encoding="UTF-8"?>';

function repeat(unit: string, bytes: number): string {
  return unit.repeat(Math.max(1, Math.floor(bytes / Buffer.byteLength(unit))));
}

export const hostileShapes: HostileShape[] = [
  {
    name: 'prolog-then-spaces',
    attacks: 'root sniffing: a backtracking regex took 2^n steps (52 s for 30 spaces)',
    build: (bytes) => `${prolog}${' '.repeat(Math.max(1, bytes - prolog.length - 1))}x`,
  },
  {
    name: 'unclosed-cdata',
    attacks: 'bare-ampersand repair: a lazy CDATA split rescanned the rest from every <![CDATA[',
    build: (bytes) => `${prolog}<rss version="2.0"><channel><item><description>${repeat('<![CDATA[', bytes)}&`,
  },
  {
    name: 'unclosed-xhtml-content',
    attacks: 'inline XHTML rewrap: every <content type="xhtml"> searched to the end for its close tag',
    build: (bytes) => `${prolog}<feed xmlns="http://www.w3.org/2005/Atom"><entry>${repeat('<content type="xhtml">', bytes)}`,
  },
  {
    name: 'unclosed-tags-in-title',
    attacks: 'HTML to text: every "<a" scanned to the end for a ">"',
    build: (bytes) => rssWithTitle(repeat('<a', bytes)),
  },
  {
    name: 'unclosed-tags-in-description',
    attacks: "rss-parser's own snippet of every description: /<(?:.|\\n)*?>/ rescanned to the end from every \"<\"",
    build: (bytes) =>
      `${prolog}<rss version="2.0"><channel><title>t</title><item><title>t</title><link>https://example.com/a</link><description><![CDATA[${repeat('<a', bytes)}]]></description></item></channel></rss>`,
  },
  {
    name: 'unclosed-comments-in-title',
    attacks: 'HTML to text: every "<!--" scanned to the end for "-->"',
    build: (bytes) => rssWithTitle(repeat('<!--', bytes)),
  },
  {
    name: 'unclosed-tags-in-untyped-atom',
    attacks: 'the Atom text-or-HTML sniff: every "<a" scanned to the end for a ">"',
    build: (bytes) =>
      `${prolog}<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>urn:x:1</id><title>t</title><content><![CDATA[${repeat('<a', bytes)}]]></content></entry></feed>`,
  },
  {
    name: 'deep-nesting',
    attacks: 'a recursive descent over a document nested a hundred thousand levels deep',
    build: (bytes) => {
      const depth = Math.max(1, Math.floor(bytes / 7));
      return `${prolog}<rss version="2.0"><channel><item><description>${'<x>'.repeat(depth)}${'</x>'.repeat(depth)}</description></item></channel></rss>`;
    },
  },
  {
    name: 'many-items',
    attacks: 'nothing in particular: the most entries a body under the cap can hold (the parse time budget is for this)',
    build: (bytes) => {
      const item = '<item><title>خبر عاجل</title><link>https://example.com/a</link><description>نص قصير</description></item>';
      return `${prolog}<rss version="2.0"><channel><title>t</title>${repeat(item, bytes)}</channel></rss>`;
    },
  },
];

function rssWithTitle(title: string): string {
  return `${prolog}<rss version="2.0"><channel><title>t</title><item><title><![CDATA[${title}]]></title><link>https://example.com/a</link><description>نص</description></item></channel></rss>`;
}

export function hostileShape(name: string): HostileShape {
  const shape = hostileShapes.find((s) => s.name === name);
  if (!shape) throw new Error(`no hostile shape ${name}`);
  return shape;
}

/** An Atom feed whose one entry carries NUL (and other forbidden characters) inside base64 content. */
export function atomWithNulInBase64(): string {
  const html = '<p>نص الخبر\u0000 قبل\u0001 وبعد الحرف الممنوع\uFFFF.</p>';
  return `${prolog}
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>وكالة</title>
  <id>urn:khabar:test:nul</id>
  <entry>
    <id>urn:khabar:test:nul:1</id>
    <title>عنوان\u0000 الخبر</title>
    <updated>2026-11-30T08:00:00Z</updated>
    <link href="https://wire.example.com/nul/1"/>
    <content type="html" mode="base64">${Buffer.from(html, 'utf8').toString('base64')}</content>
  </entry>
</feed>`;
}
