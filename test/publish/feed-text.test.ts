import { describe, expect, it } from 'vitest';
import { renderSourcesHtml, renderStoryHtml, storyLink } from '../../src/publish/feed-text.js';
import type { PublishedStory, StorySource } from '../../src/publish/types.js';
import { sampleStories } from './sample-feed.js';

const at = new Date('2026-11-28T10:05:00Z');

function story(sources: StorySource[], overrides: Partial<PublishedStory> = {}): PublishedStory {
  return { ...sampleStories()[0], sources, ...overrides };
}

const source = (overrides: Partial<StorySource>): StorySource => ({ feedId: 'spa', name: 'واس', link: null, publishedAt: null, ...overrides });

describe('renderSourcesHtml: one line per outlet', () => {
  it.each<[string, Partial<StorySource>, string]>([
    [
      'headline linked to the article, then name and time',
      { title: 'وصول الوفد', link: 'https://spa.example/1', publishedAt: at },
      '<li><a href="https://spa.example/1"><bdi>وصول الوفد</bdi></a> — <bdi>واس</bdi>، <time datetime="2026-11-28T10:05:00Z">2026-11-28 10:05 UTC</time></li>',
    ],
    [
      'XML and HTML specials in the headline and the link are escaped once',
      { title: 'النفط & الذهب <ترتفع> "بقوة"', link: 'https://spa.example/1?a=1&b=2' },
      '<li><a href="https://spa.example/1?a=1&amp;b=2"><bdi>النفط &amp; الذهب &lt;ترتفع&gt; &quot;بقوة&quot;</bdi></a> — <bdi>واس</bdi></li>',
    ],
    ['a headline that is markup stays text', { title: '<img src=x onerror=alert(1)>' }, '<li><bdi>&lt;img src=x onerror=alert(1)&gt;</bdi> — <bdi>واس</bdi></li>'],
    ['no link: the headline unlinked', { title: 'وصول الوفد' }, '<li><bdi>وصول الوفد</bdi> — <bdi>واس</bdi></li>'],
    ['a javascript: link is no link', { title: 'وصول الوفد', link: 'javascript:alert(1)' }, '<li><bdi>وصول الوفد</bdi> — <bdi>واس</bdi></li>'],
    ['no headline: the name is the link text', { link: 'https://spa.example/1' }, '<li><a href="https://spa.example/1"><bdi>واس</bdi></a></li>'],
    ['a blank headline counts as none', { title: ' \u0001 ', link: 'https://spa.example/1' }, '<li><a href="https://spa.example/1"><bdi>واس</bdi></a></li>'],
    ['control characters never reach the text', { title: 'وصول\u0008 الوفد\uFFFE', name: 'واس\u0000' }, '<li><bdi>وصول الوفد</bdi> — <bdi>واس</bdi></li>'],
    ['an invalid date shows no time', { title: 'وصول الوفد', publishedAt: new Date(Number.NaN) }, '<li><bdi>وصول الوفد</bdi> — <bdi>واس</bdi></li>'],
    ['a Latin outlet and headline are isolated from the Arabic', { name: 'CNN', title: 'Talks in Jeddah' }, '<li><bdi>Talks in Jeddah</bdi> — <bdi>CNN</bdi></li>'],
  ])('%s', (_, overrides, expected) => {
    expect(renderSourcesHtml(story([source(overrides)]))).toBe(`<p>نشرته:</p><ul>${expected}</ul>`);
  });

  it('keeps the given order (the representative first) and every member, also two from one outlet', () => {
    const html = renderSourcesHtml(
      story([
        source({ title: 'أول', link: 'https://spa.example/1' }),
        source({ feedId: 'daily', name: 'اليومية', title: 'ثان', link: 'https://daily.example/2' }),
        source({ title: 'ثالث', link: 'https://spa.example/3' }),
      ]),
    );
    expect([...html.matchAll(/<bdi>([^<]+)<\/bdi><\/a>/g)].map((m) => m[1])).toEqual(['أول', 'ثان', 'ثالث']);
  });

  it('is empty for a story without members', () => {
    expect(renderSourcesHtml(story([]))).toBe('');
  });
});

describe('renderStoryHtml: body, outlet list, story page', () => {
  const member = source({ title: 'وصول الوفد', link: 'https://spa.example/1' });
  const list = '<p>نشرته:</p><ul><li><a href="https://spa.example/1"><bdi>وصول الوفد</bdi></a> — <bdi>واس</bdi></li></ul>';
  const page = '<p><a href="https://news.example.org/stories/7">صفحة الخبر</a></p>';

  it.each<[string, Partial<PublishedStory>, string]>([
    ['body, rule, list, page link last', { contentHtml: '<p>نص</p>', storyUrl: 'https://news.example.org/stories/7' }, `<p>نص</p><hr>${list}${page}`],
    ['no body: no rule', { contentHtml: '', storyUrl: 'https://news.example.org/stories/7' }, `${list}${page}`],
    ['no story page: the list ends it', { contentHtml: '<p>نص</p>', storyUrl: undefined }, `<p>نص</p><hr>${list}`],
    ['a story page that is not http(s) is left out', { contentHtml: '<p>نص</p>', storyUrl: 'javascript:alert(1)' }, `<p>نص</p><hr>${list}`],
    [
      "the body's own direction marks survive inside the wrapper",
      { contentHtml: '<p dir="ltr" lang="en">Quote</p><p>قال <bdi>CNN</bdi></p>', storyUrl: undefined },
      `<p dir="ltr" lang="en">Quote</p><p>قال <bdi>CNN</bdi></p><hr>${list}`,
    ],
  ])('%s', (_, overrides, inner) => {
    expect(renderStoryHtml(story([member], overrides))).toBe(`<div dir="rtl" lang="ar">${inner}</div>`);
  });

  it('with neither members nor a story page, only the body', () => {
    expect(renderStoryHtml(story([], { contentHtml: '<p>نص</p>', storyUrl: undefined }))).toBe('<div dir="rtl" lang="ar"><p>نص</p></div>');
  });
});

describe('storyLink', () => {
  it.each<[string, Partial<PublishedStory>, string | null]>([
    ["the representative's link", { link: 'https://spa.example/1' }, 'https://spa.example/1'],
    ['else the first outlet with one', { link: null, sources: [source({}), source({ link: 'https://daily.example/2' })] }, 'https://daily.example/2'],
    ["else khabar's story page", { link: 'javascript:x', sources: [source({})], storyUrl: 'https://news.example.org/stories/7' }, 'https://news.example.org/stories/7'],
    ['else none', { link: null, sources: [source({})], storyUrl: undefined }, null],
  ])('%s', (_, overrides, expected) => {
    expect(storyLink(story([], overrides))).toBe(expected);
  });
});
