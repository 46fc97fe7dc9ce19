/**
 * The data that flows through the pipeline, one named type per stage:
 * fetch-feed → FetchResult, decode-body → DecodedBody, parse-feed → ParsedFeed,
 * normalize-item → Item (src/domain/item.ts), (dedup) → story id, store-items → rows.
 * The domain types that config/ and db/ share with the pipeline (FeedSource, Item) live in src/domain/.
 */

export interface FetchOptions {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  /** Validators stored from the previous successful fetch. */
  etag?: string | null;
  lastModified?: string | null;
  /** Aborts the request (shutdown). */
  signal?: AbortSignal;
  /** Accept header; default: feed formats first. */
  accept?: string;
  /** Called with each address before it is requested (redirects included); throws to refuse it. */
  checkUrl?: (url: URL) => Promise<void>;
  /** An undici dispatcher for the connections (public-address-guard.ts: connects only to checked addresses). */
  dispatcher?: import('undici').Dispatcher;
}

export type FetchResult =
  | {
      status: 'not-modified';
      /** Final URL after redirects. */
      url: string;
      etag: string | null;
      lastModified: string | null;
    }
  | {
      status: 'ok';
      url: string;
      httpStatus: number;
      body: Buffer;
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
    };

export interface DecodedBody {
  text: string;
  /** The charset used, lower-case canonical name (utf-8, windows-1256, iso-8859-6, …). */
  charset: string;
  /** Where the charset came from. */
  charsetSource: 'bom' | 'header' | 'xml-declaration' | 'html-meta' | 'utf-8-default' | 'windows-1256-fallback';
}

export interface ParsedEntry {
  guid: string | null;
  link: string | null;
  title: string | null;
  /** content:encoded or Atom content, raw HTML as the feed gave it. */
  contentHtml: string | null;
  /** description / Atom summary, raw HTML. */
  summaryHtml: string | null;
  publishedAt: Date | null;
  author: string | null;
}

export interface ParsedFeed {
  title: string | null;
  link: string | null;
  entries: ParsedEntry[];
}
