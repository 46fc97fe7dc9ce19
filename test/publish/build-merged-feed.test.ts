import { describe, expect, it } from 'vitest';
import type { PublishedStoryRow } from '../../src/db/queries/load-published-stories.js';
import { buildMergedFeed } from '../../src/publish/build-merged-feed.js';

const settings = { title: 'خبر', description: 'كل خبر مرة واحدة', language: 'ar', publicUrl: 'https://news.example.org' };

function row(overrides: Partial<PublishedStoryRow> = {}): PublishedStoryRow {
  return {
    storyId: 42,
    guid: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    firstSeenAt: new Date('2026-11-28T10:00:00Z'),
    updatedAt: new Date('2026-11-28T11:00:00Z'),
    representativeItemId: 7,
    title: 'وصول الوفد إلى جدة',
    link: 'https://spa.example/7',
    contentHtml: '<p>نص</p>',
    contentText: 'نص',
    author: null,
    category: null,
    sources: [
      { feedId: 'spa', name: 'واس', title: 'وصول الوفد إلى جدة', link: 'https://spa.example/7', publishedAt: new Date('2026-11-28T10:00:00Z'), itemId: 7 },
      { feedId: 'daily', name: 'اليومية', title: 'الوفد يصل جدة & يبدأ محادثاته', link: null, publishedAt: null, itemId: 9 },
    ],
    ...overrides,
  };
}

describe('buildMergedFeed', () => {
  it.each([
    ['https://news.example.org', 'https://news.example.org/stories/42'],
    ['https://news.example.org/', 'https://news.example.org/stories/42'],
    ['https://news.example.org///', 'https://news.example.org/stories/42'],
    ['https://example.org/khabar/', 'https://example.org/khabar/stories/42'],
  ])('publicUrl %s gives the story page %s', (publicUrl, storyUrl) => {
    const [story] = buildMergedFeed([row()], { ...settings, publicUrl }).stories;
    expect(story.storyUrl).toBe(storyUrl);
  });

  it('builds the page from the numeric story id and the entry id from the guid, so both stay when outlets join', () => {
    const [story] = buildMergedFeed([row({ storyId: 1234567 })], settings).stories;
    expect(story.id).toBe('urn:uuid:7c9e6679-7425-40de-944b-e07fc1f90ae7');
    expect(story.storyUrl).toBe('https://news.example.org/stories/1234567');
  });

  it("carries every member's own headline, link, outlet and time, in the loaded order", () => {
    const [story] = buildMergedFeed([row()], settings).stories;
    expect(story.sources).toEqual([
      { feedId: 'spa', name: 'واس', title: 'وصول الوفد إلى جدة', link: 'https://spa.example/7', publishedAt: new Date('2026-11-28T10:00:00Z') },
      { feedId: 'daily', name: 'اليومية', title: 'الوفد يصل جدة & يبدأ محادثاته', link: null, publishedAt: null },
    ]);
  });

  it('is pure: the same rows give equal feeds, and the rows are not changed', () => {
    const rows = [row(), row({ storyId: 43, guid: '00000000-0000-4000-8000-000000000043' })];
    const before = structuredClone(rows);
    expect(buildMergedFeed(rows, settings)).toEqual(buildMergedFeed(rows, settings));
    expect(rows).toEqual(before);
  });
});
