import {
  cleanText,
  escapeXml,
  renderStoryHtml,
  storyAuthor,
  storyDates,
  storyLink,
  storyMembers,
  storyPageLabel,
  storyPageUrl,
  toRfc3339,
} from './feed-text.js';
import type { MergedFeed, PublishedStory } from './types.js';

/** Atom requires a feed-level `updated`; an empty feed has no newest story, and "now" would defeat caching. */
const emptyFeedUpdated = new Date(0);

/**
 * Atom 1.0 (RFC 4287). Content is always inline escaped HTML (`type="html"`): never `src` together with a body,
 * the mistake that makes RSSHub's Atom invalid.
 */
export function renderAtom(feed: MergedFeed): string {
  const title = cleanText(feed.title);
  const subtitle = cleanText(feed.description).trim();
  const head = [
    `<title type="text">${escapeXml(title)}</title>`,
    ...(subtitle !== '' ? [`<subtitle type="text">${escapeXml(subtitle)}</subtitle>`] : []),
    `<id>${escapeXml(feed.id ?? feed.homeUrl)}</id>`,
    `<updated>${toRfc3339(feed.updatedAt ?? emptyFeedUpdated)}</updated>`,
    `<link rel="self" type="application/atom+xml" href="${escapeXml(feed.feedUrls.atom)}"/>`,
    // WebSub 4: the hub beside the self link, which is the topic URL subscribers subscribe to.
    ...(feed.hubs ?? []).map((hub) => `<link rel="hub" href="${escapeXml(hub)}"/>`),
    `<link rel="alternate" type="text/html" href="${escapeXml(feed.homeUrl)}"/>`,
    // A feed-level author keeps entries without a byline valid (RFC 4287 4.1.1).
    `<author><name>${escapeXml(title)}</name></author>`,
    `<generator>khabar</generator>`,
  ];
  const entries = feed.stories.map(renderEntry);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${escapeXml(feed.language || 'ar')}">\n` +
    `${head.join('\n')}\n${entries.join('\n')}${entries.length > 0 ? '\n' : ''}</feed>\n`
  );
}

/** Atom ids must be IRIs; a bare database id becomes a URN so it stays the same id in every format. */
export function atomEntryId(storyId: string): string {
  const id = cleanText(storyId);
  return /^[a-z][a-z0-9+.-]*:\S+$/i.test(id) ? id : `urn:khabar:story:${encodeURIComponent(id)}`;
}

function renderEntry(story: PublishedStory): string {
  const { published, updated } = storyDates(story);
  const link = storyLink(story);
  const author = storyAuthor(story);
  const category = cleanText(story.category ?? '').trim();
  const summary = cleanText(story.summary).trim();
  const parts = [
    `<id>${escapeXml(atomEntryId(story.id))}</id>`,
    `<title type="text">${escapeXml(story.title)}</title>`,
  ];
  if (link !== null) parts.push(`<link rel="alternate" type="text/html" href="${escapeXml(link)}"/>`);
  // Every outlet's own article with its own headline, as data: the outlet list of the content, machine-readable.
  for (const member of storyMembers(story)) {
    if (member.link === null) continue;
    const title = member.title !== '' ? ` title="${escapeXml(member.title)}"` : '';
    parts.push(`<link rel="related" type="text/html" href="${escapeXml(member.link)}"${title}/>`);
  }
  const page = storyPageUrl(story);
  if (page !== null) parts.push(`<link rel="related" type="text/html" title="${storyPageLabel}" href="${escapeXml(page)}"/>`);
  parts.push(`<published>${toRfc3339(published)}</published>`, `<updated>${toRfc3339(updated)}</updated>`);
  if (author !== null) parts.push(`<author><name>${escapeXml(author)}</name></author>`);
  // The other outlets that carried it; the representative one is already the author.
  const others = new Set(story.sources.slice(1).map((source) => cleanText(source.name).trim()));
  others.delete('');
  if (author !== null) others.delete(author);
  for (const name of others) parts.push(`<contributor><name>${escapeXml(name)}</name></contributor>`);
  if (category !== '') parts.push(`<category term="${escapeXml(category)}"/>`);
  if (summary !== '') parts.push(`<summary type="text">${escapeXml(summary)}</summary>`);
  parts.push(`<content type="html">${escapeXml(renderStoryHtml(story))}</content>`);
  return `<entry>\n${parts.join('\n')}\n</entry>`;
}
