import { escapeUTF8 } from 'entities';
import type { PublishedStory } from './types.js';

/**
 * Text helpers shared by the three renderers, so that RSS, Atom and JSON Feed say the same thing about a story.
 */

// Everything XML 1.0 forbids (C0 controls except tab/newline/return, lone surrogates, U+FFFE/U+FFFF), plus the C1
// controls: legal in XML but only ever mojibake in Arabic news text, and some readers choke on them.
const unwantedChars = /[^\t\n\r\u0020-\u007E\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Removes characters that would make the document invalid (or that only ever come from broken decoding). */
export function cleanText(text: string): string {
  return text.replace(unwantedChars, '');
}

/** Escapes for XML text and attribute values, keeping Arabic as UTF-8 rather than numeric entities (a third of the size). */
export function escapeXml(text: string): string {
  return escapeUTF8(cleanText(text));
}

/** Same escaping rules hold for the HTML we embed: names and URLs inside attributes and text. */
export const escapeHtml = escapeXml;

function validDate(date: Date | null | undefined): Date | null {
  return date instanceof Date && !Number.isNaN(date.getTime()) ? date : null;
}

/** RFC 822 (as RFC 1123 tightened it), always in GMT; what RSS 2.0 readers parse most reliably. */
export function toRfc822(date: Date): string {
  return date.toUTCString();
}

/** RFC 3339 in UTC, whole seconds. */
export function toRfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The story's dates with bad values repaired, so a single broken row cannot make the whole document unparseable. */
export function storyDates(story: PublishedStory): { published: Date; updated: Date } {
  const published = validDate(story.publishedAt) ?? validDate(story.updatedAt) ?? new Date(0);
  const updated = validDate(story.updatedAt) ?? published;
  return { published, updated };
}

/** Only http(s) links leave the service: a `javascript:` link from a hostile feed must not reach a reader. */
export function safeHttpUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  const cleaned = cleanText(url).trim();
  try {
    const parsed = new URL(cleaned);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** The outlet's link, else the first outlet that has one, else khabar's story page: readers need somewhere to click. */
export function storyLink(story: PublishedStory): string | null {
  return (
    safeHttpUrl(story.link) ??
    story.sources.map((source) => safeHttpUrl(source.link)).find((link) => link !== null) ??
    storyPageUrl(story)
  );
}

/** khabar's own page for the story, when it has one. */
export function storyPageUrl(story: PublishedStory): string | null {
  return safeHttpUrl(story.storyUrl);
}

/** One member of the story as every format shows it: cleaned text, only an http(s) link, only a valid date. */
export interface StoryMember {
  feedId: string;
  name: string;
  /** The outlet's own headline; empty when unknown. */
  title: string;
  link: string | null;
  publishedAt: Date | null;
}

/** The story's members in the order they are published (the representative's first), ready for any renderer. */
export function storyMembers(story: PublishedStory): StoryMember[] {
  return story.sources.map((source) => ({
    feedId: cleanText(source.feedId),
    name: cleanText(source.name).trim(),
    title: cleanText(source.title ?? '').trim(),
    link: safeHttpUrl(source.link),
    publishedAt: validDate(source.publishedAt),
  }));
}

/** Heading of the outlet list shown under each story ("Carried by"). */
const sourcesHeading = 'نشرته';

/** Text of the link to khabar's page for the story ("The story's page"); also the Atom link's title. */
export const storyPageLabel = 'صفحة الخبر';

/** "2026-11-28 10:00 UTC": the same in every reader and every locale, unlike a formatted local time. */
function displayTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * One outlet's line: its headline linked to its article, then its name and time. Headline and name are isolated
 * (`<bdi>`) so a Latin outlet name or headline cannot reorder the Arabic around it.
 */
function renderMemberHtml(member: StoryMember): string {
  const name = `<bdi>${escapeHtml(member.name)}</bdi>`;
  // Without its own headline (hand-built data), the outlet's name is the link text, as it was before headlines.
  const text = member.title !== '' ? `<bdi>${escapeHtml(member.title)}</bdi>` : name;
  const headline = member.link === null ? text : `<a href="${escapeHtml(member.link)}">${text}</a>`;
  const time = member.publishedAt === null ? '' : `، <time datetime="${toRfc3339(member.publishedAt)}">${displayTime(member.publishedAt)}</time>`;
  return `<li>${headline}${member.title !== '' ? ` — ${name}` : ''}${time}</li>`;
}

/** The list of every outlet that carried the story: each one's own headline linking to its article, name and time. */
export function renderSourcesHtml(story: PublishedStory): string {
  if (story.sources.length === 0) return '';
  return `<p>${sourcesHeading}:</p><ul>${storyMembers(story).map(renderMemberHtml).join('')}</ul>`;
}

/** The link to khabar's page for the story; empty when there is none. */
export function renderStoryPageHtml(story: PublishedStory): string {
  const url = storyPageUrl(story);
  return url === null ? '' : `<p><a href="${escapeHtml(url)}">${storyPageLabel}</a></p>`;
}

/**
 * The story HTML, then its outlet list, then the link to its page; marked right-to-left so readers that ignore
 * `language` still lay it out well.
 */
export function renderStoryHtml(story: PublishedStory, body: string = story.contentHtml): string {
  const footer = `${renderSourcesHtml(story)}${renderStoryPageHtml(story)}`;
  const content = cleanText(body);
  const separator = content.trim() !== '' && footer !== '' ? '<hr>' : '';
  return `<div dir="rtl" lang="ar">${content}${separator}${footer}</div>`;
}

/** A short HTML form for RSS `description`: the plain summary and the outlets, when there is a summary at all. */
export function renderSummaryHtml(story: PublishedStory): string | null {
  const summary = cleanText(story.summary).trim();
  if (summary === '') return null;
  return renderStoryHtml(story, `<p>${escapeHtml(summary)}</p>`);
}

/** Name shown as the story's author: the byline if known, else the representative outlet. */
export function storyAuthor(story: PublishedStory): string | null {
  const author = cleanText(story.author ?? '').trim();
  if (author !== '') return author;
  const outlet = cleanText(story.sources[0]?.name ?? '').trim();
  return outlet === '' ? null : outlet;
}
