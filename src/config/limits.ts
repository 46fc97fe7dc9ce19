/**
 * Limits that more than one layer enforces, in one place so they cannot drift apart (feeds.yaml validation and the
 * `?category=` parameter, for example). The README's "Limits" section lists them.
 */

/** A category name, in feeds.yaml and in `?category=`: at most this many characters. */
export const MAX_CATEGORY_CHARS = 64;

/** feeds.yaml larger than this is refused before it is parsed. */
export const MAX_FEEDS_FILE_BYTES = 5 * 1024 * 1024;

/** At most this many feeds in feeds.yaml. */
export const MAX_FEEDS = 10_000;

/** Titles and authors are cut to this many characters before any HTML-to-text work. */
export const MAX_TITLE_CHARS = 2_000;
export const MAX_AUTHOR_CHARS = 500;

/** An entry's HTML is cut to this many characters before sanitizing (a news article's HTML is far shorter). */
export const MAX_CONTENT_HTML_CHARS = 1_000_000;

/** An item's plain text is cut to this many characters (dedup fingerprints it on the main thread). */
export const MAX_CONTENT_TEXT_CHARS = 100_000;

/** A stored error message: one human sentence (code and cause), never SQL or parameters. */
export const MAX_ERROR_MESSAGE_CHARS = 300;
