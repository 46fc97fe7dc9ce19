import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { canonicalCharset, decodeBody, stripXmlEncoding } from '../../src/pipeline/decode-body.js';
import type { DecodedBody } from '../../src/pipeline/types.js';
import { encodeText, fixtureNames, readFixture, readFixtureAs, readFixtureText } from '../helpers/fixtures.js';

const arabic = 'وزير الخارجية: «الحوار هو الطريق الوحيد»';
const doc = (prolog: string, text = arabic) => `${prolog}<rss version="2.0"><channel><title>${text}</title></channel></rss>`;
const prolog = (encoding?: string) => (encoding ? `<?xml version="1.0" encoding="${encoding}"?>` : '<?xml version="1.0"?>');

interface Case {
  name: string;
  bytes: Buffer;
  contentType: string | null;
  expected: Pick<DecodedBody, 'charset' | 'charsetSource'>;
  contains: string;
}

const cases: Case[] = [
  {
    name: 'an HTML page: windows-1256 only in <meta charset>',
    bytes: encodeText(`<!doctype html><html lang="ar"><head><meta charset="windows-1256"><title>${arabic}</title></head><body><p>${arabic}</p></body></html>`, 'windows-1256'),
    contentType: 'text/html',
    expected: { charset: 'windows-1256', charsetSource: 'html-meta' },
    contains: arabic,
  },
  {
    name: 'an HTML page: windows-1256 only in <meta http-equiv="Content-Type">',
    bytes: encodeText(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1256" /></head><body><p>${arabic}</p></body></html>`, 'windows-1256'),
    contentType: null,
    expected: { charset: 'windows-1256', charsetSource: 'html-meta' },
    contains: arabic,
  },
  {
    // Two single-byte Arabic charsets that map the same bytes to other letters: only the header's reading is right.
    name: 'an HTML page: the HTTP header beats <meta>',
    bytes: encodeText('<html><head><meta charset="windows-1256"></head><body><p>وزير الخارجية يصل إلى الرياض</p></body></html>', 'iso-8859-6'),
    contentType: 'text/html; charset=ISO-8859-6',
    expected: { charset: 'iso-8859-6', charsetSource: 'header' },
    contains: 'وزير الخارجية يصل إلى الرياض',
  },
  {
    name: 'UTF-8 BOM beats a stale windows-1256 prolog',
    bytes: readFixture(fixtureNames.utf8Bom),
    contentType: 'application/xml',
    expected: { charset: 'utf-8', charsetSource: 'bom' },
    contains: 'افتتاح ميناء جديد على الساحل',
  },
  {
    name: 'UTF-8 BOM beats a wrong header',
    bytes: readFixture(fixtureNames.utf8Bom),
    contentType: 'text/xml; charset=windows-1256',
    expected: { charset: 'utf-8', charsetSource: 'bom' },
    contains: 'أخبار الخليج',
  },
  {
    name: 'UTF-16LE BOM',
    bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(doc(prolog('utf-16')), 'utf-16le')]),
    contentType: null,
    expected: { charset: 'utf-16le', charsetSource: 'bom' },
    contains: arabic,
  },
  {
    name: 'UTF-16BE BOM',
    bytes: Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(doc(prolog('utf-16')), 'utf-16be')]),
    contentType: null,
    expected: { charset: 'utf-16be', charsetSource: 'bom' },
    contains: arabic,
  },
  {
    name: 'windows-1256 only in the HTTP header',
    bytes: readFixtureAs(fixtureNames.windows1256HeaderOnly, 'windows-1256'),
    contentType: 'application/rss+xml; charset=windows-1256',
    expected: { charset: 'windows-1256', charsetSource: 'header' },
    contains: 'وزير الخارجية: «الحوار هو الطريق الوحيد»',
  },
  {
    name: 'header windows-1256 beats a UTF-8 prolog (HTTP rule)',
    bytes: encodeText(doc(prolog('UTF-8')), 'windows-1256'),
    contentType: 'text/xml;charset="Windows-1256"',
    expected: { charset: 'windows-1256', charsetSource: 'header' },
    contains: arabic,
  },
  {
    name: 'header UTF-8 beats a windows-1256 prolog when the bytes are UTF-8',
    bytes: Buffer.from(doc(prolog('windows-1256'))),
    contentType: 'application/xml; charset=utf-8',
    expected: { charset: 'utf-8', charsetSource: 'header' },
    contains: arabic,
  },
  {
    name: 'a stale windows-1256 prolog on valid multi-byte UTF-8 bytes reads as UTF-8',
    bytes: Buffer.from(doc(prolog('windows-1256'))),
    contentType: 'application/xml',
    expected: { charset: 'utf-8', charsetSource: 'xml-declaration' },
    contains: arabic,
  },
  {
    name: 'a wrong windows-1256 header on valid multi-byte UTF-8 bytes reads as UTF-8',
    bytes: Buffer.from(doc(prolog())),
    contentType: 'text/xml; charset=windows-1256',
    expected: { charset: 'utf-8', charsetSource: 'header' },
    contains: arabic,
  },
  {
    name: 'header UTF-8 on bytes that are not UTF-8 is skipped for the prolog',
    bytes: encodeText(doc(prolog('windows-1256')), 'windows-1256'),
    contentType: 'application/xml; charset=UTF-8',
    expected: { charset: 'windows-1256', charsetSource: 'xml-declaration' },
    contains: arabic,
  },
  {
    name: 'header alias cp1256',
    bytes: encodeText(doc(prolog()), 'windows-1256'),
    contentType: 'text/xml; charset=cp1256',
    expected: { charset: 'windows-1256', charsetSource: 'header' },
    contains: arabic,
  },
  {
    name: 'header ISO-8859-6 under its alias "arabic"',
    bytes: readFixtureAs(fixtureNames.iso88596, 'iso-8859-6'),
    contentType: 'text/xml; charset=arabic',
    expected: { charset: 'iso-8859-6', charsetSource: 'header' },
    contains: 'هل تنجح خطة المرور الجديدة؟',
  },
  {
    name: 'header ISO-8859-6 under ASMO-708',
    bytes: readFixtureAs(fixtureNames.iso88596, 'iso-8859-6'),
    contentType: 'text/xml; charset=ASMO-708',
    expected: { charset: 'iso-8859-6', charsetSource: 'header' },
    contains: 'بدأت المدينة، صباح اليوم',
  },
  {
    name: 'ISO-8859-6 from the XML declaration',
    bytes: readFixtureAs(fixtureNames.iso88596, 'iso-8859-6'),
    contentType: 'application/rss+xml',
    expected: { charset: 'iso-8859-6', charsetSource: 'xml-declaration' },
    contains: 'إذاعة الشرق',
  },
  {
    name: 'windows-1256 from the XML declaration (0x80 is the euro sign)',
    bytes: Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="windows-1256"?><feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>'),
      Buffer.from([0x80]),
      Buffer.from('</title></feed>'),
    ]),
    contentType: null,
    expected: { charset: 'windows-1256', charsetSource: 'xml-declaration' },
    contains: '<title>€</title>',
  },
  {
    name: 'unknown header label falls through to the declaration',
    bytes: encodeText(doc(prolog('windows-1256')), 'windows-1256'),
    contentType: 'text/xml; charset=klingon-42',
    expected: { charset: 'windows-1256', charsetSource: 'xml-declaration' },
    contains: arabic,
  },
  {
    name: 'x-user-defined is ignored',
    bytes: Buffer.from(doc(prolog())),
    contentType: 'text/xml; charset=x-user-defined',
    expected: { charset: 'utf-8', charsetSource: 'utf-8-default' },
    contains: arabic,
  },
  {
    name: 'a UTF-16 label on ASCII-compatible bytes is ignored',
    bytes: Buffer.from(doc(prolog('UTF-16'))),
    contentType: null,
    expected: { charset: 'utf-8', charsetSource: 'utf-8-default' },
    contains: arabic,
  },
  {
    name: 'UTF-16LE without a BOM, recognised from "<?"',
    bytes: iconv.encode(doc(prolog('UTF-16')), 'utf-16le'),
    contentType: null,
    expected: { charset: 'utf-16le', charsetSource: 'xml-declaration' },
    contains: arabic,
  },
  {
    name: 'nothing declared, valid UTF-8',
    bytes: Buffer.from(doc(prolog())),
    contentType: 'text/xml',
    expected: { charset: 'utf-8', charsetSource: 'utf-8-default' },
    contains: arabic,
  },
  {
    name: 'nothing declared, not UTF-8: windows-1256',
    bytes: encodeText(doc(''), 'windows-1256'),
    contentType: null,
    expected: { charset: 'windows-1256', charsetSource: 'windows-1256-fallback' },
    contains: arabic,
  },
  {
    name: 'declared UTF-8 but not UTF-8: windows-1256',
    bytes: encodeText(doc(prolog('utf-8')), 'windows-1256'),
    contentType: 'text/xml',
    expected: { charset: 'windows-1256', charsetSource: 'windows-1256-fallback' },
    contains: arabic,
  },
];

describe('decodeBody', () => {
  it.each(cases)('$name', ({ bytes, contentType, expected, contains }) => {
    const decoded = decodeBody(bytes, contentType);
    expect({ charset: decoded.charset, charsetSource: decoded.charsetSource }).toEqual(expected);
    expect(decoded.text).toContain(contains);
    expect(decoded.text.charCodeAt(0)).not.toBe(0xfeff);
    expect(decoded.text).not.toMatch(/^<\?xml[^>]*encoding=/);
  });

  it.each([
    ['<metadata charset=iso-8859-6><meta charset="windows-1256">', 'windows-1256', 'html-meta'],
    [`<META HTTP-EQUIV = "Content-Type" CONTENT=' text/html; charset = " iso-8859-6'>`, 'iso-8859-6', 'html-meta'],
    ['<meta<meta charset=windows-1256>', 'windows-1256', 'html-meta'],
    ['<meta charset="iso-8859-6"', 'windows-1256', 'windows-1256-fallback'],
  ])('reads <meta> in the head: %s', (head, charset, charsetSource) => {
    const decoded = decodeBody(Buffer.from(`${head}\xe3`, 'latin1'), null);
    expect({ charset: decoded.charset, charsetSource: decoded.charsetSource }).toEqual({ charset, charsetSource });
  });

  it('decodes the windows-1256 fixture back to its source text', () => {
    const decoded = decodeBody(readFixtureAs(fixtureNames.windows1256HeaderOnly, 'windows-1256'), 'text/xml; charset=windows-1256');
    expect(decoded.text).toBe(readFixtureText(fixtureNames.windows1256HeaderOnly));
  });

  it('decodes an empty body', () => {
    expect(decodeBody(Buffer.alloc(0), null)).toEqual({ text: '', charset: 'utf-8', charsetSource: 'utf-8-default' });
  });
});

describe('canonicalCharset', () => {
  it.each([
    ['Windows-1256', 'windows-1256'],
    [' "cp1256" ', 'windows-1256'],
    ['x-cp1256', 'windows-1256'],
    ['ISO_8859-6', 'iso-8859-6'],
    ['ecma-114', 'iso-8859-6'],
    ['UTF8', 'utf-8'],
    ['latin1', 'windows-1252'],
    ['koi8-r', 'koi8-r'],
    ['nonsense', null],
    ['', null],
  ])('%j → %j', (label, expected) => {
    expect(canonicalCharset(label)).toBe(expected);
  });
});

describe('stripXmlEncoding', () => {
  it.each([
    [`<?xml version="1.0" encoding="windows-1256"?><rss/>`, `<?xml version="1.0"?><rss/>`],
    [`<?xml version='1.0' encoding='UTF-8' standalone='yes'?><rss/>`, `<?xml version='1.0' standalone='yes'?><rss/>`],
    [`<?xml version="1.0"?><rss encoding="x"/>`, `<?xml version="1.0"?><rss encoding="x"/>`],
    [`<rss/>`, `<rss/>`],
    // The whitespace run before the attribute goes with it; a run no "encoding" follows stays.
    [`<?xml version="1.0" \t\n encoding = 'x' standalone="no"?><rss/>`, `<?xml version="1.0" standalone="no"?><rss/>`],
    [`<?xml${' '.repeat(50)}v="1" encoding="x"?><rss/>`, `<?xml${' '.repeat(50)}v="1"?><rss/>`],
    // Unquoted, or quoted with mismatched quotes: removed up to the next space or "?".
    [`<?xml version="1.0" encoding=utf-8?><rss/>`, `<?xml version="1.0"?><rss/>`],
    [`<?xml version="1.0" encoding="utf-8' x?><rss/>`, `<?xml version="1.0" x?><rss/>`],
    // The first quoted one, then the first unquoted one (`"z"` reads as one); "encoding" glued to the previous
    // attribute is not an attribute.
    [`<?xml a="1"encoding="x" encoding="y" encoding="z"?><rss/>`, `<?xml a="1"encoding="x"?><rss/>`],
    [`<?xml encoding="y" encoding=z encoding=w?><rss/>`, `<?xml encoding=w?><rss/>`],
  ])('%s', (input, expected) => {
    expect(stripXmlEncoding(input)).toBe(expected);
  });
});
