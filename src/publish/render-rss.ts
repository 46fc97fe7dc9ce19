import { cleanText, escapeXml, renderStoryHtml, renderSummaryHtml, storyAuthor, storyDates, storyLink, toRfc822 } from './feed-text.js';
import type { MergedFeed, PublishedStory } from './types.js';

/**
 * RSS 2.0. Deterministic: the same MergedFeed always gives the same text (no "now"), so the bytes, and the
 * ETag derived from them, only change when the data does.
 */
export function renderRss(feed: MergedFeed): string {
  const description = cleanText(feed.description).trim() || cleanText(feed.title);
  const channel = [
    `<title>${escapeXml(feed.title)}</title>`,
    `<link>${escapeXml(feed.homeUrl)}</link>`,
    `<description>${escapeXml(description)}</description>`,
    `<language>${escapeXml(feed.language || 'ar')}</language>`,
    `<atom:link href="${escapeXml(feed.feedUrls.rss)}" rel="self" type="application/rss+xml"/>`,
    // WebSub 4: the hub beside the self link, which is the topic URL subscribers subscribe to.
    ...(feed.hubs ?? []).map((hub) => `<atom:link href="${escapeXml(hub)}" rel="hub"/>`),
    `<generator>khabar</generator>`,
  ];
  if (feed.updatedAt) channel.push(`<lastBuildDate>${toRfc822(feed.updatedAt)}</lastBuildDate>`);
  const items = feed.stories.map(renderItem);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">\n` +
    `<channel>\n${channel.join('\n')}\n${items.join('\n')}${items.length > 0 ? '\n' : ''}</channel>\n</rss>\n`
  );
}

function renderItem(story: PublishedStory): string {
  const link = storyLink(story);
  const author = storyAuthor(story);
  const category = cleanText(story.category ?? '').trim();
  const full = renderStoryHtml(story);
  // description stays short when a summary exists; readers that only read description still see every outlet.
  const short = renderSummaryHtml(story) ?? full;
  const parts = [`<title>${escapeXml(story.title)}</title>`];
  if (link !== null) parts.push(`<link>${escapeXml(link)}</link>`);
  parts.push(
    `<guid isPermaLink="false">${escapeXml(story.id)}</guid>`,
    `<pubDate>${toRfc822(storyDates(story).published)}</pubDate>`,
  );
  // RSS <author> must be an e-mail address; Dublin Core carries a plain name.
  if (author !== null) parts.push(`<dc:creator>${escapeXml(author)}</dc:creator>`);
  if (category !== '') parts.push(`<category>${escapeXml(category)}</category>`);
  parts.push(`<description>${escapeXml(short)}</description>`, `<content:encoded>${escapeXml(full)}</content:encoded>`);
  return `<item>\n${parts.join('\n')}\n</item>`;
}
