import { describe, expect, it } from 'vitest';
import { diffFeedsConfig, workerSettings } from '../../src/config/diff-feeds-config.js';
import { defaultFeedSettings, parseFeedsConfig, type FeedsConfig } from '../../src/config/feeds-file.js';

const config = (...lines: string[]): FeedsConfig => parseFeedsConfig(`${lines.join('\n')}\n`, 'feeds.yaml');

const base = config(
  'feeds:',
  '  - id: a',
  '    name: أ',
  '    url: https://a.example/rss',
  '  - id: b',
  '    name: ب',
  '    url: https://b.example/rss',
);

describe('diffFeedsConfig', () => {
  const cases: Array<{ name: string; next: FeedsConfig; expected: Partial<ReturnType<typeof diffFeedsConfig>> }> = [
    { name: 'the same file', next: base, expected: { added: [], removed: [], changed: [], settings: [], unchanged: true } },
    {
      name: 'the same feeds, reordered and reformatted',
      next: config('feeds:', '  - {id: b, name: ب, url: "https://b.example/rss"}', '  - {id: a, name: أ, url: "https://a.example/rss", language: ar}'),
      expected: { unchanged: true },
    },
    {
      name: 'a feed added and one removed',
      next: config('feeds:', '  - id: a', '    name: أ', '    url: https://a.example/rss', '  - id: c', '    name: ج', '    url: https://c.example/rss'),
      expected: { added: ['c'], removed: ['b'], changed: [], settings: [], unchanged: false },
    },
    {
      name: 'a feed disabled, one with a new url',
      next: config(
        'feeds:',
        '  - id: a',
        '    name: أ',
        '    url: https://a.example/rss',
        '    enabled: false',
        '  - id: b',
        '    name: ب',
        '    url: https://b.example/other.xml',
      ),
      expected: { added: [], removed: [], changed: ['a', 'b'], unchanged: false },
    },
    {
      name: 'category and refresh_minutes',
      next: config(
        'feeds:',
        '  - id: a',
        '    name: أ',
        '    url: https://a.example/rss',
        '    category: سياسة',
        '  - id: b',
        '    name: ب',
        '    url: https://b.example/rss',
        '    refresh_minutes: 30',
      ),
      expected: { changed: ['a', 'b'] },
    },
    {
      name: 'settings only',
      next: config(
        'settings:',
        '  concurrency: 2',
        '  title: عنوان آخر',
        'feeds:',
        '  - id: a',
        '    name: أ',
        '    url: https://a.example/rss',
        '  - id: b',
        '    name: ب',
        '    url: https://b.example/rss',
      ),
      expected: { added: [], removed: [], changed: [], settings: ['concurrency', 'title'], unchanged: false },
    },
    {
      name: 'a WebSub hub added',
      next: config(
        'settings:',
        '  websub_hub: https://hub.example/',
        'feeds:',
        '  - id: a',
        '    name: أ',
        '    url: https://a.example/rss',
        '  - id: b',
        '    name: ب',
        '    url: https://b.example/rss',
      ),
      expected: { added: [], removed: [], changed: [], settings: ['websubHub'], unchanged: false },
    },
    {
      name: 'a setting written out with its default value',
      next: config(
        'settings:',
        `  concurrency: ${defaultFeedSettings.concurrency}`,
        'feeds:',
        '  - id: a',
        '    name: أ',
        '    url: https://a.example/rss',
        '  - id: b',
        '    name: ب',
        '    url: https://b.example/rss',
      ),
      expected: { unchanged: true },
    },
  ];
  for (const { name, next, expected } of cases) {
    it(name, () => {
      expect(diffFeedsConfig(base, next)).toMatchObject(expected);
    });
  }

  it('lists ids in the order of their file', () => {
    const many = (ids: string[]) => config('feeds:', ...ids.flatMap((id) => [`  - id: ${id}`, `    name: ${id}`, `    url: https://${id}.example/rss`]));
    const diff = diffFeedsConfig(many(['z', 'y', 'x', 'k']), many(['k', 'd', 'c', 'm']));
    expect(diff.added).toEqual(['d', 'c', 'm']);
    expect(diff.removed).toEqual(['z', 'y', 'x']);
  });

  it('names every worker setting as a FeedSettings field, and not the title, description or WebSub hub', () => {
    for (const key of workerSettings) expect(Object.keys(defaultFeedSettings)).toContain(key);
    expect(workerSettings).not.toContain('title');
    expect(workerSettings).not.toContain('description');
    // The hub is swapped in place on a reload (main.ts): the worker keeps running.
    expect(workerSettings).not.toContain('websubHub');
    expect(workerSettings.length).toBe(Object.keys(defaultFeedSettings).length - 3);
  });
});
