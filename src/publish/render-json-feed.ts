import { cleanText, renderStoryHtml, storyAuthor, storyDates, storyLink, storyMembers, storyPageUrl, toRfc3339 } from './feed-text.js';
import type { MergedFeed, PublishedStory } from './types.js';

/** The `_khabar` extension: every outlet as data, for clients that want more than the HTML list. */
export interface JsonFeedSource {
  feed_id: string;
  name: string;
  /** The outlet's own headline ('' when unknown). */
  title: string;
  url: string | null;
  date_published: string | null;
}

export interface JsonFeedKhabar {
  /** khabar's own page for the story. */
  story_url: string | null;
  /** Every outlet, the representative's first. */
  sources: JsonFeedSource[];
}

/** JSON Feed 1.1 (https://jsonfeed.org/version/1.1). Deterministic, like the XML renderers. */
export function renderJsonFeed(feed: MergedFeed): string {
  const title = cleanText(feed.title);
  const description = cleanText(feed.description).trim();
  const document = {
    version: 'https://jsonfeed.org/version/1.1',
    title,
    home_page_url: feed.homeUrl,
    feed_url: feed.feedUrls.json,
    ...(description !== '' ? { description } : {}),
    language: feed.language || 'ar',
    authors: [{ name: title }],
    // JSON Feed 1.1 `hubs`: WebSub for feed_url.
    ...(feed.hubs?.length ? { hubs: feed.hubs.map((url) => ({ type: 'WebSub', url })) } : {}),
    items: feed.stories.map(renderItem),
  };
  return `${JSON.stringify(document)}\n`;
}

function renderItem(story: PublishedStory): Record<string, unknown> {
  const { published, updated } = storyDates(story);
  const link = storyLink(story);
  const author = storyAuthor(story);
  const category = cleanText(story.category ?? '').trim();
  const summary = cleanText(story.summary).trim();
  const sources: JsonFeedSource[] = storyMembers(story).map((member) => ({
    feed_id: member.feedId,
    name: member.name,
    title: member.title,
    url: member.link,
    date_published: member.publishedAt === null ? null : toRfc3339(member.publishedAt),
  }));
  const khabar: JsonFeedKhabar = { story_url: storyPageUrl(story), sources };
  return {
    id: cleanText(story.id),
    ...(link !== null ? { url: link } : {}),
    title: cleanText(story.title),
    content_html: renderStoryHtml(story),
    ...(summary !== '' ? { summary } : {}),
    date_published: toRfc3339(published),
    date_modified: toRfc3339(updated),
    ...(author !== null ? { authors: [{ name: author }] } : {}),
    tags: category !== '' ? [category] : [],
    _khabar: khabar,
  };
}
