import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFeedSettings, loadFeedsFile, normalizeFeedUrl, parseFeedsConfig, type ConfigProblem } from '../../src/config/feeds-file.js';
import { MAX_CATEGORY_CHARS, MAX_FEEDS, MAX_FEEDS_FILE_BYTES } from '../../src/config/limits.js';
import { KhabarError } from '../../src/errors.js';
import { parseCategory } from '../../src/http/parse-limit.js';

const shippedFeedsFile = fileURLToPath(new URL('../../feeds.yaml', import.meta.url));

/** Lines joined with \n, so that line numbers in the tests can be read off the array index (+1). */
const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

const twoFeeds = [
  'feeds:',
  '  - id: aljazeera',
  '    name: الجزيرة نت',
  '    url: https://www.aljazeera.net/rss',
  '  - id: bbc-arabic',
  '    name: بي بي سي عربي',
  '    url: https://feeds.bbci.co.uk/arabic/rss.xml',
];

function configError(text: string, fileName = 'feeds.yaml'): KhabarError {
  try {
    parseFeedsConfig(text, fileName);
  } catch (err) {
    if (err instanceof KhabarError) return err;
    throw err;
  }
  throw new Error('parseFeedsConfig accepted an invalid file');
}

const problemsOf = (err: KhabarError) => err.details.problems as ConfigProblem[];

describe('parseFeedsConfig: valid files', () => {
  it('fills defaults for settings and optional feed fields', () => {
    const config = parseFeedsConfig(yaml(...twoFeeds), 'feeds.yaml');
    expect(config.settings).toEqual(defaultFeedSettings);
    expect(config.feeds[0]).toEqual({
      id: 'aljazeera',
      name: 'الجزيرة نت',
      url: 'https://www.aljazeera.net/rss',
      category: null,
      language: 'ar',
      priority: 0,
      refreshMinutes: null,
      enabled: true,
      fullText: false,
    });
  });

  it('reads every key, converting settings to camelCase', () => {
    const config = parseFeedsConfig(
      yaml(
        'settings:',
        '  schedule: "*/5 * * * *"',
        '  concurrency: 8',
        '  timeout_seconds: 30',
        '  max_bytes: 1048576',
        '  max_redirects: 3',
        '  user_agent: "khabar-test/1.0 (+https://example.org)"',
        '  items_per_feed: 50',
        '  dedup_window_hours: 24',
        '  retention_days: 90',
        '  title: عنوان',
        '  description: وصف',
        '  websub_hub: https://hub.example.org/',
        'feeds:',
        '  - id: hespress',
        '    name: هسبريس',
        '    url: https://www.hespress.com/feed',
        '    category: morocco',
        '    language: ar-MA',
        '    priority: -5',
        '    refresh_minutes: 30',
        '    enabled: false',
        '    full_text: true',
      ),
      'feeds.yaml',
    );
    expect(config.settings).toEqual({
      schedule: '*/5 * * * *',
      concurrency: 8,
      timeoutSeconds: 30,
      maxBytes: 1048576,
      maxRedirects: 3,
      userAgent: 'khabar-test/1.0 (+https://example.org)',
      itemsPerFeed: 50,
      dedupWindowHours: 24,
      retentionDays: 90,
      title: 'عنوان',
      description: 'وصف',
      websubHub: 'https://hub.example.org/',
    });
    expect(config.feeds).toEqual([
      {
        id: 'hespress',
        name: 'هسبريس',
        url: 'https://www.hespress.com/feed',
        category: 'morocco',
        language: 'ar-MA',
        priority: -5,
        refreshMinutes: 30,
        enabled: false,
        fullText: true,
      },
    ]);
  });

  it('accepts the minimum shape from the issue and an empty settings block', () => {
    const config = parseFeedsConfig(
      yaml('settings:', 'feeds:', '  - id: a', '    name: A', '    url: http://example.org/rss', '    category: news', '    language: ar'),
      'feeds.yaml',
    );
    expect(config.settings).toEqual(defaultFeedSettings);
    expect(config.feeds.map((f) => f.category)).toEqual(['news']);
  });
});

describe('parseFeedsConfig: each mistake names file, line, column and field', () => {
  it.each([
    {
      mistake: 'unknown feed key',
      lines: [...twoFeeds, '    refresh_minute: 5'],
      at: [8, 5],
      path: 'feeds[1].refresh_minute',
      message: /unknown key "refresh_minute" \(did you mean "refresh_minutes"\?/,
    },
    {
      mistake: 'unknown top-level key',
      lines: ['feed:', '  - id: a', ...twoFeeds],
      at: [1, 1],
      path: 'feed',
      message: /unknown key "feed" \(did you mean "feeds"\?/,
    },
    {
      mistake: 'unknown settings key',
      lines: ['settings:', '  interval: 10', ...twoFeeds],
      at: [2, 3],
      path: 'settings.interval',
      message: /unknown key "interval" \(allowed: schedule, /,
    },
    {
      mistake: 'non-http URL',
      lines: [...twoFeeds.slice(0, 4), '  - id: ftp', '    name: FTP', '    url: ftp://x'],
      at: [7, 5],
      path: 'feeds[1].url',
      message: /must be an http\(s\) URL \(got "ftp:\/\/x"\)/,
    },
    {
      mistake: 'URL that is not a URL',
      lines: [...twoFeeds.slice(0, 4), '  - id: rel', '    name: Rel', '    url: /rss.xml'],
      at: [7, 5],
      path: 'feeds[1].url',
      message: /must be an http\(s\) URL \(got "\/rss.xml"\)/,
    },
    {
      mistake: 'duplicate id',
      lines: [...twoFeeds, '  - id: aljazeera', '    name: Again', '    url: https://example.org/other'],
      at: [8, 5],
      path: 'feeds[2].id',
      message: /duplicate id "aljazeera" \(already used by feeds\[0\] on line 2\)/,
    },
    {
      mistake: 'duplicate URL differing only in host case and trailing slash',
      lines: [...twoFeeds, '  - id: again', '    name: Again', '    url: https://WWW.AlJazeera.net/rss/'],
      at: [10, 5],
      path: 'feeds[2].url',
      message: /duplicate URL "https:\/\/WWW.AlJazeera.net\/rss\/" \(same feed as feeds\[0\] on line 4\)/,
    },
    {
      mistake: 'id with capitals and underscores',
      lines: ['feeds:', '  - id: Al_Jazeera', '    name: x', '    url: https://example.org/rss'],
      at: [2, 5],
      path: 'feeds[0].id',
      message: /must be 1 to 64 characters of a-z, 0-9 and "-" \(got "Al_Jazeera"\)/,
    },
    {
      mistake: 'id longer than 64 characters',
      lines: ['feeds:', `  - id: ${'a'.repeat(65)}`, '    name: x', '    url: https://example.org/rss'],
      at: [2, 5],
      path: 'feeds[0].id',
      message: /must be 1 to 64 characters/,
    },
    {
      mistake: 'id YAML reads as a number',
      lines: ['feeds:', '  - id: 2024', '    name: x', '    url: https://example.org/rss'],
      at: [2, 5],
      path: 'feeds[0].id',
      message: /put quotes around it\) \(got 2024\)/,
    },
    {
      mistake: 'category longer than ?category= accepts',
      lines: [...twoFeeds, `    category: ${'ر'.repeat(MAX_CATEGORY_CHARS + 1)}`],
      at: [8, 5],
      path: 'feeds[1].category',
      message: new RegExp(`^must be at most ${MAX_CATEGORY_CHARS} characters \\(got "ر{${MAX_CATEGORY_CHARS + 1}}"\\)$`),
    },
    {
      mistake: 'category with a control character',
      lines: [...twoFeeds, '    category: "sport\\tnews"'],
      at: [8, 5],
      path: 'feeds[1].category',
      message: /must be on one line, without control characters/,
    },
    {
      mistake: 'cron minute out of range',
      lines: ['settings:', '  schedule: "61 * * * *"', ...twoFeeds],
      at: [2, 3],
      path: 'settings.schedule',
      message: /must be a cron expression such as "\*\/10 \* \* \* \*": .*minute.* \(got "61 \* \* \* \*"\)/,
    },
    {
      mistake: 'cron with too few fields',
      lines: ['settings:', '  schedule: "every 10 minutes"', ...twoFeeds],
      at: [2, 3],
      path: 'settings.schedule',
      message: /must be a cron expression/,
    },
    {
      mistake: 'concurrency out of range',
      lines: ['settings:', '  concurrency: 0', ...twoFeeds],
      at: [2, 3],
      path: 'settings.concurrency',
      message: /must be a whole number from 1 to 64 \(got 0\)/,
    },
    {
      mistake: 'user agent that would break the HTTP header',
      lines: ['settings:', '  user_agent: "خبر"', ...twoFeeds],
      at: [2, 3],
      path: 'settings.user_agent',
      message: /printable ASCII/,
    },
    {
      mistake: 'websub hub that is not an http(s) URL',
      lines: ['settings:', '  websub_hub: hub.example.org', ...twoFeeds],
      at: [2, 3],
      path: 'settings.websub_hub',
      message: /^must be an http\(s\) URL \(got "hub.example.org"\)$/,
    },
    {
      mistake: 'websub hub with credentials, which every feed would publish',
      lines: ['settings:', '  websub_hub: "https://me:secret@hub.example.org/"', ...twoFeeds],
      at: [2, 3],
      path: 'settings.websub_hub',
      message: /must not carry a user name or password/,
    },
    {
      mistake: 'enabled written as yes (a string in YAML 1.2)',
      lines: [...twoFeeds, '    enabled: yes'],
      at: [8, 5],
      path: 'feeds[1].enabled',
      message: /must be true or false \(got "yes"\)/,
    },
    {
      mistake: 'missing url',
      lines: ['feeds:', '  - id: a', '    name: A'],
      at: [2, 5],
      path: 'feeds[0].url',
      message: /^is required$/,
    },
    {
      mistake: 'feed written as a bare URL',
      lines: ['feeds:', '  - https://example.org/rss'],
      at: [2, 5],
      path: 'feeds[0]',
      message: /must be a mapping with id, name and url \(got "https:\/\/example.org\/rss"\)/,
    },
    {
      mistake: 'empty feeds list',
      lines: ['settings:', '  concurrency: 2', 'feeds: []'],
      at: [3, 1],
      path: 'feeds',
      message: /must list at least one feed/,
    },
    {
      mistake: 'feeds left empty',
      lines: ['feeds:'],
      at: [1, 1],
      path: 'feeds',
      message: /must be a list of feeds \(got nothing\)/,
    },
    {
      mistake: 'no feeds key at all',
      lines: ['settings:', '  concurrency: 2'],
      at: [1, 1],
      path: 'feeds',
      message: /^is required$/,
    },
  ])('$mistake', ({ lines, at, path, message }) => {
    const err = configError(yaml(...lines));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.details.file).toBe('feeds.yaml');
    const problems = problemsOf(err);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: at[0], column: at[1], path });
    expect(problems[0].message).toMatch(message);
    expect(err.message).toBe(`feeds.yaml:${at[0]}:${at[1]}: ${path}: ${problems[0].message}`);
  });

  it('reports every problem at once, in file order, one per line', () => {
    const err = configError(
      yaml(
        'settings:', //                       1
        '  schedule: "61 * * * *"', //         2
        'feeds:', //                           3
        '  - id: Bad_Id', //                   4
        '    name: A', //                      5
        '    url: ftp://a', //                 6
        '  - id: dup', //                      7
        '    name: B', //                      8
        '    url: https://example.org/b', //   9
        '    colour: red', //                  10
        '  - id: dup', //                      11
        '    name: C', //                      12
        '    url: https://example.org/b/', //  13
      ),
      'conf/my-feeds.yaml',
    );
    expect(err.message.split('\n')).toEqual([
      expect.stringMatching(/^conf\/my-feeds\.yaml:2:3: settings\.schedule: /),
      expect.stringMatching(/^conf\/my-feeds\.yaml:4:5: feeds\[0\]\.id: /),
      expect.stringMatching(/^conf\/my-feeds\.yaml:6:5: feeds\[0\]\.url: /),
      expect.stringMatching(/^conf\/my-feeds\.yaml:10:5: feeds\[1\]\.colour: unknown key/),
      expect.stringMatching(/^conf\/my-feeds\.yaml:11:5: feeds\[2\]\.id: duplicate id "dup"/),
      expect.stringMatching(/^conf\/my-feeds\.yaml:13:5: feeds\[2\]\.url: duplicate URL/),
    ]);
    expect(err.details.file).toBe('conf/my-feeds.yaml');
  });

  it('reports a document that is not a mapping', () => {
    const err = configError(yaml('- id: a', '  name: A'));
    expect(err.message).toBe('feeds.yaml:1:1: must be a mapping with a "feeds:" list (got a list)');
  });

  it('reports an empty file', () => {
    expect(configError('').message).toBe('feeds.yaml:1:1: feeds: is required');
  });
});

describe('parseFeedsConfig: limits', () => {
  const withCategory = (category: string) => yaml(...twoFeeds, `    category: ${JSON.stringify(category)}`);

  it.each(['sport', '  رياضة  ', 'أخبار العالم', 'x'.repeat(MAX_CATEGORY_CHARS), 'ع'.repeat(MAX_CATEGORY_CHARS), 'a/b?c=d&e']) (
    'accepts category %j, and ?category= accepts it as stored',
    (category) => {
      const stored = parseFeedsConfig(withCategory(category), 'feeds.yaml').feeds[1]!.category!;
      expect(parseCategory(stored)).toEqual({ ok: true, value: stored });
    },
  );

  it.each(['x'.repeat(MAX_CATEGORY_CHARS + 1), 'ع'.repeat(MAX_CATEGORY_CHARS + 1), 'a\nb', 'a\u0000b'])(
    'refuses category %j, which ?category= could not ask for',
    (category) => {
      expect(parseCategory(category).ok).toBe(false);
      expect(problemsOf(configError(withCategory(category)))).toEqual([expect.objectContaining({ path: 'feeds[1].category' })]);
    },
  );

  const manyFeeds = (count: number) =>
    yaml('feeds:', ...Array.from({ length: count }, (_, i) => `- id: f${i}\n  name: F\n  url: https://news.example/${i}`));

  it(`accepts ${MAX_FEEDS} feeds and refuses one more at the feeds key`, () => {
    expect(parseFeedsConfig(manyFeeds(MAX_FEEDS), 'feeds.yaml').feeds).toHaveLength(MAX_FEEDS);
    const err = configError(manyFeeds(MAX_FEEDS + 1));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe(`feeds.yaml:1:1: feeds: must list at most ${MAX_FEEDS} feeds (got ${MAX_FEEDS + 1})`);
  }, 30_000); // two YAML files of ten thousand entries: a few seconds on a busy machine

  it('refuses text over the size limit before parsing it, counting bytes rather than characters', () => {
    // Under the limit in characters, over it in UTF-8 bytes (Arabic letters are two bytes each), and not even YAML.
    const text = `feeds: [\n# ${'خ'.repeat(MAX_FEEDS_FILE_BYTES / 2)}\n`;
    expect(text.length).toBeLessThan(MAX_FEEDS_FILE_BYTES);
    const err = configError(text);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe(`feeds.yaml:1:1: is larger than ${MAX_FEEDS_FILE_BYTES} bytes (5 MiB), the most a feeds file may be`);
  });
});

describe('parseFeedsConfig: YAML syntax', () => {
  it.each([
    { mistake: 'over-indented key (yaml reports where the value turned into a mapping)', lines: ['feeds:', '  - id: a', '     name: A', '    url: https://example.org'], line: 2 },
    { mistake: 'unclosed flow sequence', lines: ['feeds: [', '  - id: a'], line: 2 },
    { mistake: 'unquoted cron schedule read as an alias', lines: ['settings:', '  schedule: */10 * * * *', ...twoFeeds], line: 2 },
    { mistake: 'duplicate key', lines: ['feeds:', '  - id: a', '    id: b', '    name: A', '    url: https://example.org'], line: 3 },
    { mistake: 'tab indentation', lines: ['feeds:', '\t- id: a'], line: 2 },
  ])('$mistake → CONFIG_YAML_INVALID with the line', ({ lines, line }) => {
    const err = configError(yaml(...lines));
    expect(err.code).toBe('CONFIG_YAML_INVALID');
    const problems = problemsOf(err);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0].line).toBe(line);
    expect(problems[0].column).toBeGreaterThan(0);
    expect(err.message).toMatch(new RegExp(`^feeds\\.yaml:${line}:\\d+: \\S`));
  });
});

describe('normalizeFeedUrl', () => {
  it.each([
    ['https://Example.ORG/rss/', 'https://example.org/rss'],
    ['https://example.org:443/rss', 'https://example.org/rss'],
    ['https://example.org/', 'https://example.org'],
    ['https://example.org', 'https://example.org'],
    ['https://example.org/rss?cat=1#top', 'https://example.org/rss?cat=1'],
    ['https://example.org/rss?next=/', 'https://example.org/rss?next=/'],
    ['http://example.org/rss', 'http://example.org/rss'],
  ])('%s → %s', (input, output) => {
    expect(normalizeFeedUrl(input)).toBe(output);
  });
});

describe('loadFeedsFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'khabar-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a file from disk', async () => {
    const path = join(dir, 'ok.yaml');
    await writeFile(path, yaml(...twoFeeds));
    const config = await loadFeedsFile(path);
    expect(config.feeds.map((f) => f.id)).toEqual(['aljazeera', 'bbc-arabic']);
  });

  it('names the path of a missing file', async () => {
    const path = join(dir, 'missing.yaml');
    const err = await loadFeedsFile(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KhabarError);
    expect((err as KhabarError).code).toBe('CONFIG_FILE_NOT_FOUND');
    expect((err as KhabarError).message).toContain(path);
    expect((err as KhabarError).details.file).toBe(path);
  });

  it('uses the path as given in every problem line', async () => {
    const path = join(dir, 'bad.yaml');
    await writeFile(path, yaml('feeds:', '  - id: a', '    name: A', '    url: ftp://a'));
    await expect(loadFeedsFile(path)).rejects.toThrow(`${path}:4:5: feeds[0].url: must be an http(s) URL (got "ftp://a")`);
  });

  it('rejects a file that is not UTF-8 instead of garbling Arabic names', async () => {
    const path = join(dir, 'cp1256.yaml');
    // "name: " followed by خبر in windows-1256.
    await writeFile(path, Buffer.concat([Buffer.from('feeds:\n  - id: a\n    name: '), Buffer.from([0xe6, 0xc8, 0xd1]), Buffer.from('\n')]));
    const err = (await loadFeedsFile(path).catch((e: unknown) => e)) as KhabarError;
    expect(err.code).toBe('CONFIG_YAML_INVALID');
    expect(err.message).toContain('not valid UTF-8');
  });

  it('refuses a file over the size limit with one problem at 1:1, without parsing it', async () => {
    const path = join(dir, 'huge.yaml');
    // Broken YAML after the first line: only the size may be reported.
    const head = 'feeds: [\n';
    await writeFile(path, head + '#'.repeat(MAX_FEEDS_FILE_BYTES + 1 - head.length));
    const err = (await loadFeedsFile(path).catch((e: unknown) => e)) as KhabarError;
    expect(err).toBeInstanceOf(KhabarError);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe(`${path}:1:1: is larger than ${MAX_FEEDS_FILE_BYTES} bytes (5 MiB), the most a feeds file may be`);
    expect(problemsOf(err)).toEqual([{ line: 1, column: 1, path: '', message: expect.stringContaining(String(MAX_FEEDS_FILE_BYTES)) }]);
  });

  it('loads a file of exactly the size limit', async () => {
    const path = join(dir, 'at-limit.yaml');
    const text = yaml(...twoFeeds);
    await writeFile(path, `${text}#${'x'.repeat(MAX_FEEDS_FILE_BYTES - Buffer.byteLength(text) - 2)}\n`);
    expect((await loadFeedsFile(path)).feeds).toHaveLength(2);
  });

  it('accepts a UTF-8 byte order mark', async () => {
    const path = join(dir, 'bom.yaml');
    await writeFile(path, `\uFEFF${yaml(...twoFeeds)}`);
    expect((await loadFeedsFile(path)).feeds).toHaveLength(2);
  });
});

describe('the shipped feeds.yaml', () => {
  it('is valid and lists the Arabic outlets', async () => {
    const config = await loadFeedsFile(shippedFeedsFile);
    expect(config.settings).toEqual(defaultFeedSettings);
    const enabled = config.feeds.filter((f) => f.enabled);
    expect(enabled.length).toBeGreaterThanOrEqual(11);
    for (const id of ['aljazeera', 'bbc-arabic', 'skynewsarabia', 'aawsat', 'rt-arabic', 'france24-arabic', 'cnn-arabic']) {
      expect(config.feeds.map((f) => f.id)).toContain(id);
    }
    for (const feed of config.feeds) {
      expect(feed.language).toBe('ar');
      expect(feed.url).toMatch(/^https:\/\//);
    }
  });
});

describe('feed names', () => {
  it('refuse control characters, which the database and the published XML cannot hold', () => {
    expect(() => parseFeedsConfig('feeds:\n  - id: a\n    name: "x\\0y"\n    url: https://a.example/rss\n', 'feeds.yaml')).toThrow(/feeds\.yaml:3:\d+: feeds\[0\]\.name: must be on one line/);
  });
});
