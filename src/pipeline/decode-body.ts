import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { KhabarError } from '../errors.js';
import type { DecodedBody } from './types.js';

/*
 * Charset rules, first match wins:
 *   1. a byte-order mark (UTF-8, UTF-16LE, UTF-16BE);
 *   2. the HTTP Content-Type charset: the header beats the XML declaration, as HTTP says (Miniflux reads only the
 *      declaration, and Arabic sites that send windows-1256 in the header with a stale UTF-8 prolog come out garbled);
 *   3. the XML declaration's encoding, or for an HTML page (full_text feeds) its <meta charset> / http-equiv
 *      Content-Type in the first 1024 bytes, as browsers prescan;
 *   4. UTF-8 when the bytes are valid UTF-8;
 *   5. windows-1256, the common legacy Arabic encoding (it maps every byte, so decoding never fails).
 * A declared label we do not know (or x-user-defined, or a UTF-16 label on ASCII-compatible bytes) is skipped and
 * the next source is tried. A declaration that the bytes prove wrong is skipped too: "utf-8" on bytes that are not
 * valid UTF-8, or "us-ascii" on bytes above 0x7F; and a single-byte label (windows-1256, ISO-8859-6, …) on bytes that are
 * valid multi-byte UTF-8 reads as UTF-8. So DECODE_UNSUPPORTED_CHARSET is only thrown if iconv-lite itself
 * fails on a label it claimed to know.
 */

const labelAliases: Record<string, string> = {
  // WHATWG Encoding Standard labels for the encodings Arabic sites use, plus common misspellings seen in feeds.
  'utf-8': 'utf-8', utf8: 'utf-8', 'unicode-1-1-utf-8': 'utf-8', 'unicode11utf8': 'utf-8', 'unicode20utf8': 'utf-8', 'x-unicode20utf8': 'utf-8',
  'windows-1256': 'windows-1256', cp1256: 'windows-1256', 'x-cp1256': 'windows-1256', 'win-1256': 'windows-1256', win1256: 'windows-1256', windows1256: 'windows-1256', 'ms-arab': 'windows-1256',
  'iso-8859-6': 'iso-8859-6', 'iso8859-6': 'iso-8859-6', iso88596: 'iso-8859-6', 'iso_8859-6': 'iso-8859-6', 'iso_8859-6:1987': 'iso-8859-6',
  'iso-ir-127': 'iso-8859-6', arabic: 'iso-8859-6', 'asmo-708': 'iso-8859-6', 'ecma-114': 'iso-8859-6', csisolatinarabic: 'iso-8859-6',
  'iso-8859-6-e': 'iso-8859-6', 'iso-8859-6-i': 'iso-8859-6', 'csiso88596e': 'iso-8859-6', 'csiso88596i': 'iso-8859-6',
  // Browsers (and so publishers checking in a browser) treat Latin-1 labels as windows-1252.
  'iso-8859-1': 'windows-1252', 'iso8859-1': 'windows-1252', latin1: 'windows-1252', 'l1': 'windows-1252', 'windows-1252': 'windows-1252', cp1252: 'windows-1252',
  'us-ascii': 'us-ascii', ascii: 'us-ascii',
  'utf-16': 'utf-16', utf16: 'utf-16', 'ucs-2': 'utf-16', unicode: 'utf-16', 'utf-16le': 'utf-16le', 'utf-16be': 'utf-16be',
};

const ignoredLabels = new Set(['x-user-defined', 'binary', 'none', 'default']);

export function decodeBody(body: Buffer, contentType: string | null): DecodedBody {
  const bom = sniffBom(body);
  if (bom) return finish(body.subarray(bom.length), bom.charset, 'bom');

  const fromHeader = usableCharset(charsetFromContentType(contentType), body);
  if (fromHeader) return finish(body, fromHeader, 'header');

  const fromDeclaration = usableCharset(charsetFromXmlDeclaration(body), body);
  if (fromDeclaration) return finish(body, fromDeclaration, 'xml-declaration');

  const fromMeta = usableCharset(charsetFromHtmlMeta(body), body);
  if (fromMeta) return finish(body, fromMeta, 'html-meta');

  if (isUtf8(body)) return finish(body, 'utf-8', 'utf-8-default');
  return finish(body, 'windows-1256', 'windows-1256-fallback');
}

/** Lower-case canonical name for a charset label, or null when iconv-lite cannot decode it. */
export function canonicalCharset(label: string): string | null {
  const cleaned = label.trim().replace(/^["']|["']$/g, '').trim().toLowerCase();
  if (!cleaned || ignoredLabels.has(cleaned)) return null;
  const known = labelAliases[cleaned];
  if (known) return known;
  return iconv.encodingExists(cleaned) ? cleaned : null;
}

/**
 * The XML declaration still names the original charset after decoding; a parser that honours it on a JS string
 * would be wrong, so the pseudo-attribute is removed (`<?xml version="1.0"?>` is a complete declaration).
 */
export function stripXmlEncoding(text: string): string {
  const match = /^(\uFEFF?\s*<\?xml\b)([^?]*?)(\?>)/.exec(text);
  if (!match || !/\bencoding\s*=/.test(match[2]!)) return text;
  const attributes = withoutEncoding(withoutEncoding(match[2]!, true), false);
  return match[1] + attributes + match[3] + text.slice(match[0].length);
}

const WHITESPACE = /\s/;

function isSpaceAt(s: string, i: number): boolean {
  return i < s.length && WHITESPACE.test(s[i]!);
}

/**
 * The first ` encoding="…"` / ` encoding='…'` (quoted) or ` encoding=value` (not quoted) removed, with the whitespace
 * before it: what `.replace(/\s+encoding\s*=\s*(["'])[^"']*\1/, '')` and `.replace(/\s+encoding\s*=\s*[^\s?]+/, '')`
 * did. A scan from each "encoding", not those regexes: they restarted at every character of a long whitespace run
 * that no "encoding" follows (quadratic; `<?xml` + 100 kB of spaces + `x encoding="utf-8"?>` took 42 s). Every step
 * below reads characters no other "encoding" reads, so the work is linear.
 */
function withoutEncoding(attributes: string, quoted: boolean): string {
  for (let at = attributes.indexOf('encoding'); at !== -1; at = attributes.indexOf('encoding', at + 1)) {
    if (!isSpaceAt(attributes, at - 1)) continue;
    let i = at + 'encoding'.length;
    while (isSpaceAt(attributes, i)) i++;
    if (attributes[i] !== '=') continue;
    i++;
    while (isSpaceAt(attributes, i)) i++;
    let end = i;
    if (quoted) {
      const quote = attributes[i];
      if (quote !== '"' && quote !== "'") continue;
      end = i + 1;
      while (end < attributes.length && attributes[end] !== '"' && attributes[end] !== "'") end++;
      if (attributes[end] !== quote) continue;
      end++;
    } else {
      while (end < attributes.length && attributes[end] !== '?' && !isSpaceAt(attributes, end)) end++;
      if (end === i) continue;
    }
    // The regex's match began where the whitespace run before "encoding" begins.
    let start = at - 1;
    while (isSpaceAt(attributes, start - 1)) start--;
    return attributes.slice(0, start) + attributes.slice(end);
  }
  return attributes;
}

function sniffBom(body: Buffer): { charset: string; length: number } | null {
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return { charset: 'utf-8', length: 3 };
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) return { charset: 'utf-16le', length: 2 };
  if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) return { charset: 'utf-16be', length: 2 };
  return null;
}

function charsetFromContentType(contentType: string | null): string | null {
  if (!contentType) return null;
  const match = /;\s*charset\s*=\s*("[^"]*"|'[^']*'|[^;\s]+)/i.exec(contentType);
  return match ? match[1]! : null;
}

function charsetFromXmlDeclaration(body: Buffer): string | null {
  // Without a BOM, UTF-16 shows as "<\0?\0" or "\0<\0?"; the declaration's label then only confirms it.
  if (body.length >= 4 && body[0] === 0x3c && body[1] === 0x00 && body[2] === 0x3f && body[3] === 0x00) return 'utf-16le';
  if (body.length >= 4 && body[0] === 0x00 && body[1] === 0x3c && body[2] === 0x00 && body[3] === 0x3f) return 'utf-16be';
  // Any ASCII-compatible charset spells the declaration in ASCII, so latin1 reads it faithfully.
  const head = body.subarray(0, 1024).toString('latin1');
  // Two quoted alternatives rather than (["'])…\1: a backreference leaves the ReDoS checker of
  // test/security/linear-regexes.test.ts only its fuzzer, and the alternatives say the same.
  const match = /^\s*<\?xml\b[^>]*?\bencoding\s*=\s*(?:"([^"']*)"|'([^"']*)')/.exec(head);
  return match ? (match[1] ?? match[2])! : null;
}

function charsetFromHtmlMeta(body: Buffer): string | null {
  const head = body.subarray(0, 1024).toString('latin1');
  for (const tag of metaTags(head)) {
    const direct = /\bcharset\s*=\s*(?:["']\s*)?([\w.:-]+)/i.exec(tag);
    if (direct && !/\bcontent\s*=/i.test(tag)) return direct[1]!;
    if (/\bhttp-equiv\s*=\s*(?:["']\s*)?content-type/i.test(tag)) {
      const content = /\bcontent\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/i.exec(tag);
      const label = content && /charset\s*=\s*(?:["']\s*)?([\w.:-]+)/i.exec(content[1]!);
      if (label) return label[1]!;
    }
  }
  return null;
}

/**
 * The `<meta …>` tags of the head, as `head.matchAll(/<meta\b[^>]*>/gi)` found them, by indexOf: that regex
 * rescanned to the end from every "<meta" when no ">" followed (quadratic, if only in the 1024-byte head).
 */
function* metaTags(head: string): Generator<string> {
  // Latin-1 text: lower-casing keeps every index and folds only what /i folds in "<meta".
  const lower = head.toLowerCase();
  for (let open = lower.indexOf('<meta'); open !== -1; ) {
    const close = lower.indexOf('>', open + 5);
    if (close === -1) return;
    if (/\w/.test(lower[open + 5]!)) {
      open = lower.indexOf('<meta', open + 5);
      continue;
    }
    yield head.slice(open, close + 1);
    open = lower.indexOf('<meta', close + 1);
  }
}

function usableCharset(label: string | null, body: Buffer): string | null {
  if (label === null) return null;
  const charset = canonicalCharset(label);
  if (!charset) return null;
  if (charset === 'utf-8' && !isUtf8(body)) return null;
  if (charset === 'us-ascii' && body.some((byte) => byte > 0x7f)) return null;
  // A single-byte label on bytes that are valid UTF-8 *with* multi-byte sequences is a stale label: legacy Arabic
  // text (windows-1256, ISO-8859-6) is practically never valid UTF-8, so the bytes themselves are the better witness.
  if (!charset.startsWith('utf') && body.some((byte) => byte > 0x7f) && isUtf8(body)) return 'utf-8';
  if (charset.startsWith('utf-16') || charset.startsWith('utf-32') || charset === 'ucs-4') {
    // A UTF-16 label on bytes that start with "<" is a copy-paste declaration, not the real encoding.
    if (body.length >= 2 && body[0] === 0x3c && body[1] !== 0x00) return null;
    if (charset === 'utf-16') return body.length >= 2 && body[0] === 0x00 ? 'utf-16be' : 'utf-16le';
  }
  return charset;
}

function finish(bytes: Buffer, charset: string, source: DecodedBody['charsetSource']): DecodedBody {
  let text: string;
  try {
    text = charset === 'utf-8' ? bytes.toString('utf8') : iconv.decode(bytes, charset === 'us-ascii' ? 'windows-1252' : charset, { stripBOM: true });
  } catch (err) {
    throw new KhabarError('DECODE_UNSUPPORTED_CHARSET', `cannot decode charset ${charset}`, { cause: err, details: { charset, source } });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text: stripXmlEncoding(text), charset, charsetSource: source };
}
