import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Item } from '../../src/domain/item.js';
import { storableText } from '../../src/domain/storable-text.js';
import { KhabarError } from '../../src/errors.js';
import { htmlToText } from '../../src/pipeline/html-to-text.js';
import { createParsePool } from '../../src/pipeline/parse-pool.js';
import { sanitizeHtml } from '../../src/pipeline/sanitize-html.js';
import { anyText, feedBody, feedDocument, xmlishBody } from '../helpers/feed-arbitraries.js';

/*
 * Properties of the parse and normalize steps over random input: random bytes, XML-ish token soups and random
 * Unicode with NUL and lone surrogates. FUZZ_RUNS sets the number of cases (CI: the default); `npm run bench:hostile`
 * runs many more.
 */

const runs = Number(process.env.FUZZ_RUNS ?? 2000);
const forbidden = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
/** Codes a parse may fail with on bad input; anything else (INTERNAL, a dead worker, the time budget) is a bug. */
const expectedCodes = new Set(['PARSE_INVALID_XML', 'PARSE_NOT_A_FEED', 'DECODE_UNSUPPORTED_CHARSET']);

function storable(value: string | null): boolean {
  return value === null || (value.isWellFormed() && !forbidden.test(value));
}

function itemIsStorable(item: Item): boolean {
  return [item.entryKey, item.guid, item.link, item.canonicalLink, item.title, item.contentHtml, item.contentText, item.author].every(storable);
}

describe('parsing random bodies in the parse pool', () => {
  const pool = createParsePool({ size: 2, budgetMs: 10_000 });
  afterAll(() => pool.close());

  it('fails only with a parse code, never by the time budget, and every item it returns is storable', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(feedBody, feedDocument.map((doc) => Buffer.from(doc, 'utf8'))), fc.constantFrom('application/rss+xml', 'text/xml; charset=windows-1256', null), async (body, contentType) => {
        try {
          const result = await pool.parseFeedBody({ body, contentType, feed: { id: 'f', url: 'https://example.com/feed.xml' }, itemsPerFeed: 100, now: 1_764_000_000_000 });
          for (const item of result.items) expect(itemIsStorable(item), JSON.stringify(item)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(KhabarError);
          expect(expectedCodes.has((err as KhabarError).code), `${(err as KhabarError).code}: ${(err as Error).message}`).toBe(true);
        }
      }),
      { numRuns: runs, seed: Number(process.env.FUZZ_SEED ?? 20261201) },
    );
  }, 600_000);

  it('parses random token soups grown to 1 MB within the budget (a super-linear step would take minutes there)', async () => {
    await fc.assert(
      fc.asyncProperty(xmlishBody.filter((text) => text.length > 0), async (text) => {
        const body = Buffer.from(text.repeat(Math.ceil(1_000_000 / text.length)).slice(0, 1_000_000), 'utf8');
        try {
          await pool.parseFeedBody({ body, contentType: null, feed: { id: 'f', url: 'https://example.com/feed.xml' }, itemsPerFeed: 100, now: 1_764_000_000_000 });
        } catch (err) {
          expect((err as KhabarError).code, (err as Error).message).not.toBe('PARSE_TOO_SLOW');
        }
      }),
      { numRuns: Number(process.env.FUZZ_BIG_RUNS ?? 25), seed: 20261202 },
    );
  }, 600_000);
});

describe('the text steps on random input', () => {
  it('storableText leaves nothing Postgres or XML 1.0 cannot hold, and keeps what they can', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const clean = storableText(text);
        expect(storable(clean)).toBe(true);
        // Idempotent, and a clean string passes through unchanged.
        expect(storableText(clean)).toBe(clean);
      }),
      { numRuns: runs },
    );
  });

  it('sanitizeHtml and htmlToText never throw and never emit a script', () => {
    fc.assert(
      fc.property(xmlishBody, (html) => {
        const clean = sanitizeHtml(html, { baseUrl: 'https://example.com/a' });
        expect(clean).not.toMatch(/<script|javascript:/i);
        expect(typeof htmlToText(clean)).toBe('string');
      }),
      { numRuns: runs },
    );
  });
});
