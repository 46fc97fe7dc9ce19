/**
 * The data that flows through the pipeline, one named type per stage:
 * fetch-feed → FetchResult, decode-body → DecodedBody, parse-feed → ParsedFeed,
 * normalize-item → Item, (dedup) → story id, store-items → rows.
 */

/** What one feed source is, as configured in feeds.yaml (validated). */
export interface FeedSource {
  id: string;
  name: string;
  url: string;
  category: string | null;
  language: string;
  /** Higher wins when choosing which outlet's copy represents a story. Default 0. */
  priority: number;
  /** Minutes between refreshes of this feed; null = every worker tick. */
  refreshMinutes: number | null;
  enabled: boolean;
  /** Fetch each new item's page and store the article's full text when the feed carries only a lead. */
  fullText: boolean;
}

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

/** A normalized entry, ready to store. */
export interface Item {
  feedId: string;
  /** Identity within the feed: GUID, else canonical link, else sha256 of title + content. */
  entryKey: string;
  guid: string | null;
  /** The outlet's link as published (absolute). */
  link: string | null;
  /** Link with tracking parameters and fragment dropped: identity across feeds. Null when unusable. */
  canonicalLink: string | null;
  title: string;
  /** Sanitized HTML, safe to republish. */
  contentHtml: string;
  /** Plain text of the content (no tags, entities decoded, paragraphs on their own lines): input to dedup. */
  contentText: string;
  publishedAt: Date | null;
  author: string | null;
}
