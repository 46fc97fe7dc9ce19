import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseFeedsConfig } from '../../src/config/feeds-file.js';
import { opmlToFeedsYaml, parseOpml } from '../../src/commands/import-opml.js';
import { isKhabarError } from '../../src/errors.js';
import { renderOpml } from '../../src/publish/render-opml.js';
import { runCli } from '../helpers/run-cli.js';

/** What a reader's export looks like: folders, both title and text, entities, a repeated feed, one outside a folder. */
const exported = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Miniflux</title></head>
  <body>
    <outline text="أخبار" title="أخبار">
      <outline title="الجزيرة نت" text="الجزيرة نت" xmlUrl="https://www.aljazeera.net/rss" htmlUrl="https://www.aljazeera.net" type="rss"/>
      <outline text="بي بي سي &amp; عربي" xmlUrl="https://feeds.bbci.co.uk/arabic/rss.xml?edition=int&amp;x=1" type="rss"/>
    </outline>
    <outline text="اقتصاد">
      <outline text="الاقتصادية" xmlurl="https://www.aleqt.com/rss"/>
      <outline text="الجزيرة مرة أخرى" xmlUrl="https://www.aljazeera.net/rss/"/>
    </outline>
    <outline text="هسبريس" xmlUrl="https://www.hespress.com/feed"/>
  </body>
</opml>`;

describe('import-opml', () => {
  it('reads every feed with its folder as category, decoding entities', () => {
    expect(parseOpml(exported)).toEqual([
      { name: 'الجزيرة نت', url: 'https://www.aljazeera.net/rss', category: 'أخبار' },
      { name: 'بي بي سي & عربي', url: 'https://feeds.bbci.co.uk/arabic/rss.xml?edition=int&x=1', category: 'أخبار' },
      { name: 'الاقتصادية', url: 'https://www.aleqt.com/rss', category: 'اقتصاد' },
      { name: 'الجزيرة مرة أخرى', url: 'https://www.aljazeera.net/rss/', category: 'اقتصاد' },
      { name: 'هسبريس', url: 'https://www.hespress.com/feed', category: null },
    ]);
  });

  it('prints entries that feeds.yaml validation accepts as they are: unique ids, one entry per URL', () => {
    const config = parseFeedsConfig(opmlToFeedsYaml(parseOpml(exported)).yaml, 'imported.yaml');
    expect(config.feeds.map((f) => [f.id, f.name, f.category])).toEqual([
      ['aljazeera', 'الجزيرة نت', 'أخبار'],
      ['feeds-bbci', 'بي بي سي & عربي', 'أخبار'],
      ['aleqt', 'الاقتصادية', 'اقتصاد'],
      ['hespress', 'هسبريس', null],
    ]);
  });

  it('keeps feeds whose paths differ only in case, reads feed:// as http, and cuts names to what feeds.yaml accepts', () => {
    const { yaml, count } = opmlToFeedsYaml([
      { name: 'أ', url: 'https://a.example/Feed', category: null },
      { name: 'ب', url: 'https://A.example:443/feed/', category: null },
      { name: 'ج', url: 'https://a.example/feed', category: null }, // the same feed as the one above, for feeds.yaml
      { name: 'د'.repeat(300), url: 'feed://d.example/rss', category: 'ف'.repeat(150) },
    ]);
    expect(count).toBe(3);
    const config = parseFeedsConfig(yaml, 'imported.yaml');
    expect(config.feeds.map((f) => f.url)).toEqual(['https://a.example/Feed', 'https://A.example:443/feed/', 'http://d.example/rss']);
    expect(config.feeds[2]!.name).toHaveLength(200);
  });

  it('reads an OPML file saved in windows-1256, as its XML declaration says', async () => {
    const legacy = iconv.encode(exported.replace('encoding="UTF-8"', 'encoding="windows-1256"'), 'windows-1256');
    const dir = await mkdtemp(path.join(tmpdir(), 'khabar-opml-'));
    try {
      await writeFile(path.join(dir, 'subs.opml'), legacy);
      const result = await runCli(['import-opml', path.join(dir, 'subs.opml')], {});
      expect(result.code).toBe(0);
      expect(parseFeedsConfig(result.stdout, 'stdout').feeds[0]!.name).toBe('الجزيرة نت');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads back what /sources.opml publishes', () => {
    const sources = [
      { name: 'الجزيرة نت', url: 'https://www.aljazeera.net/rss', category: 'news', language: 'ar' },
      { name: 'RT "عربي" <تجربة>', url: 'https://arabic.rt.com/rss/?a=1&b=2', category: null },
    ];
    expect(parseOpml(renderOpml('خبر', sources))).toEqual(sources.map(({ name, url, category }) => ({ name, url, category })));
  });

  it.each([
    ['broken XML, with its line', '<opml version="2.0">\n<body>\n<outline text="x" xmlUrl="https://a.example/rss">\n</body></opml>', /line 4/],
    ['an RSS feed instead of OPML', '<rss version="2.0"><channel><title>t</title></channel></rss>', /root element is <rss>/],
    ['an empty file', '', /empty/],
  ])('rejects %s', (_name, text, message) => {
    let thrown: unknown;
    try {
      parseOpml(text);
    } catch (err) {
      thrown = err;
    }
    expect(isKhabarError(thrown) && thrown.code).toBe('OPML_INVALID');
    expect((thrown as Error).message).toMatch(message);
  });

  it('runs as `khabar import-opml -`: YAML on stdout, exit 1 with the reason on a bad file', async () => {
    const ok = await runCli(['import-opml', '-'], {}, exported);
    expect(ok.code).toBe(0);
    expect(parseFeedsConfig(ok.stdout, 'stdout').feeds).toHaveLength(4);
    expect(ok.stderr).toContain('4 feeds');
    const bad = await runCli(['import-opml', '-'], {}, '<opml><body>');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/OPML_INVALID/);
  });
});
