import type { PublishedStoryRow } from '../db/queries/load-published-stories.js';
import type { MergedFeed, PublishedStory } from './types.js';
import { withoutTrailingSlashes } from '../text/without-trailing-slashes.js';

export interface MergedFeedSettings {
  title: string;
  description: string;
  language: string;
  /** Base URL the service is reached at, without a trailing slash. */
  publicUrl: string;
  /** feeds.yaml `websub_hub`: advertised in every format as the feed's hub. Absent or null: none. */
  websubHub?: string | null;
}

const SUMMARY_CHARS = 280;

/** Pure: stored stories → the data the renderers turn into bytes. */
export function buildMergedFeed(rows: PublishedStoryRow[], settings: MergedFeedSettings): MergedFeed {
  const base = withoutTrailingSlashes(settings.publicUrl);
  const stories: PublishedStory[] = rows.map((row) => ({
    id: `urn:uuid:${row.guid}`,
    title: row.title,
    link: row.link,
    contentHtml: row.contentHtml,
    summary: summarize(row.contentText),
    publishedAt: row.firstSeenAt,
    updatedAt: row.updatedAt,
    category: row.category,
    author: row.author,
    sources: row.sources.map((s) => ({ feedId: s.feedId, name: s.name, title: s.title, link: s.link, publishedAt: s.publishedAt })),
    // The numeric row id, not the guid: the page is khabar's own, and /stories/{id} is the route that serves it.
    storyUrl: `${base}/stories/${row.storyId}`,
  }));
  const updatedAt = stories.reduce<Date | null>((latest, s) => (!latest || s.updatedAt > latest ? s.updatedAt : latest), null);
  return {
    title: settings.title,
    description: settings.description,
    language: settings.language,
    homeUrl: `${base}/`,
    feedUrls: { rss: `${base}/feed.xml`, atom: `${base}/feed.atom`, json: `${base}/feed.json` },
    ...(settings.websubHub ? { hubs: [settings.websubHub] } : {}),
    updatedAt,
    stories,
  };
}

function summarize(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= SUMMARY_CHARS) return flat;
  const cut = flat.slice(0, SUMMARY_CHARS);
  const lastSpace = cut.lastIndexOf(' ');
  return `${lastSpace > SUMMARY_CHARS / 2 ? cut.slice(0, lastSpace) : cut}…`;
}
