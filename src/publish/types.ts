/** What the renderers turn into bytes. Built from the database by build-merged-feed; pure data, no I/O. */

export interface StorySource {
  feedId: string;
  /** The outlet's display name (feeds.yaml `name`). */
  name: string;
  /**
   * The outlet's own headline for its copy. When a report is merged wrongly, the headlines are what shows it. Always
   * set by buildMergedFeed; optional so hand-built data (benchmarks) need not invent one: without it the list shows
   * the outlet's name as the link text, as before.
   */
  title?: string;
  /** The outlet's own article link. */
  link: string | null;
  publishedAt: Date | null;
}

export interface PublishedStory {
  /** Stable, globally unique id (used as RSS guid, Atom id, JSON Feed id). Never changes when outlets join. */
  id: string;
  title: string;
  /** Link of the representative item (the outlet's original). */
  link: string | null;
  /** Sanitized HTML of the representative item. */
  contentHtml: string;
  /** Plain-text summary (may be empty). */
  summary: string;
  /** When the story first appeared. */
  publishedAt: Date;
  /** When the story last changed (an outlet joined, representative changed). */
  updatedAt: Date;
  category: string | null;
  author: string | null;
  /** Every outlet that carried the story, the representative's first. */
  sources: StorySource[];
  /**
   * khabar's own page for the story (`${base}/stories/${stories.id}`), linked from every entry. Always set by
   * buildMergedFeed; absent in hand-built data, where no link is rendered.
   */
  storyUrl?: string;
}

export interface MergedFeed {
  title: string;
  description: string;
  /** BCP 47, 'ar'. */
  language: string;
  /** The site's home page (PUBLIC_URL). */
  homeUrl: string;
  /** The feed's permanent identity (Atom id); differs per category. Defaults to homeUrl. */
  id?: string;
  /** Absolute URLs of the three formats (self links). */
  feedUrls: { rss: string; atom: string; json: string };
  /**
   * WebSub hubs (feeds.yaml `websub_hub`), advertised beside the self link: `rel="hub"` in RSS and Atom, `hubs` in
   * JSON Feed. Absent or empty: nothing is rendered, the bytes are what they were before hubs existed.
   */
  hubs?: readonly string[];
  /** Newest story's updatedAt; null for an empty feed. */
  updatedAt: Date | null;
  stories: PublishedStory[];
}
