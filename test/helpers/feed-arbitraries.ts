import fc from 'fast-check';

/**
 * fast-check generators of feed-like bodies for the property tests and `npm run bench:hostile --fuzz`: random bytes,
 * and random XML-ish token soups built from the constructs the parser and its repairs handle (prolog, CDATA,
 * comments, entities, inline XHTML, base64 content) mixed with random Unicode, NUL and lone surrogates included.
 */

const tokens = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<?xml version="1.0" encoding="windows-1256"?>',
  '<!DOCTYPE rss [<!ENTITY a "aaaa">]>',
  '<!DOCTYPE html>',
  '<rss version="2.0">', '</rss>', '<channel>', '</channel>', '<item>', '</item>',
  '<feed xmlns="http://www.w3.org/2005/Atom">', '</feed>', '<entry>', '</entry>', '<id>urn:x:1</id>',
  '<title>', '</title>', '<link>https://example.com/a</link>', '<link href="/rel"/>', '<guid>g1</guid>',
  '<description>', '</description>', '<content:encoded>', '</content:encoded>',
  '<content type="xhtml">', '<content type="html" mode="base64">AAECAwBoZWxsbwA=', '</content>', '<summary>', '</summary>',
  '<div xmlns="http://www.w3.org/1999/xhtml">', '</div>', '<author><name>', '</name></author>',
  '<pubDate>Sun, 29 Nov 2026 08:00:00 +0300</pubDate>', '<updated>2026-11-30T08:00:00Z</updated>',
  '<![CDATA[', ']]>', '<!--', '-->', '&', '&amp;', '&nbsp;', '&#0;', '&#x1F600;', '&#xD800;', '&bogus;',
  '<p>', '</p>', '<a href="javascript:alert(1)">', '<img src="x.png" width="1" height="1">', '<script>', '</script>',
  '<', '>', '"', "'", '<a', '<q cite="/c">', ' ', '\n', '\u0000', '\uFFFF', '\uD800', '\uDC00', 'خبر عاجل', 'وكالة الأنباء',
];

/** Random Unicode text, lone surrogates and control characters included. */
export const anyText = fc.string({ unit: 'binary', maxLength: 40 });

export const xmlishBody = fc
  .array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...tokens) }, { weight: 1, arbitrary: anyText }), { maxLength: 120 })
  .map((parts) => parts.join(''));

export const feedBody = fc.oneof(
  xmlishBody.map((text) => Buffer.from(text, 'utf8')),
  fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes)),
);

function cdataOf(text: string): string {
  return `<![CDATA[${text.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

/** A well-formed RSS or Atom document whose fields hold random Unicode (Atom content as base64 too, so NUL gets through). */
export const feedDocument = fc.oneof(
  fc.array(fc.record({ title: anyText, body: anyText, author: anyText, guid: anyText }), { minLength: 1, maxLength: 5 }).map(
    (items) =>
      `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>${items
        .map((i) => `<item><title>${cdataOf(i.title)}</title><guid>${cdataOf(i.guid)}</guid><author>${cdataOf(i.author)}</author><description>${cdataOf(i.body)}</description></item>`)
        .join('')}</channel></rss>`,
  ),
  fc.array(fc.record({ title: anyText, body: anyText, type: fc.constantFrom('html', 'text', 'xhtml', '') }), { minLength: 1, maxLength: 5 }).map(
    (entries) =>
      `<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>${entries
        .map(
          (e, n) =>
            `<entry><id>urn:x:${n}</id><title mode="base64">${Buffer.from(e.title).toString('base64')}</title>` +
            `<content${e.type ? ` type="${e.type === 'xhtml' ? 'html' : e.type}"` : ''} mode="base64">${Buffer.from(e.body).toString('base64')}</content></entry>`,
        )
        .join('')}</feed>`,
  ),
);
