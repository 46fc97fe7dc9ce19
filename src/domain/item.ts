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
  /**
   * Digest of the headline and visible text as the feed gave them (domain/source-digest.ts), kept when a full-text page
   * replaces the text: the same entry fetched later with another digest is a correction. Absent for items made
   * elsewhere (tools).
   */
  sourceDigest?: string | null;
}
