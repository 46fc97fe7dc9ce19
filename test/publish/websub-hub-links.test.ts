import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { buildMergedFeed } from '../../src/publish/build-merged-feed.js';
import { renderAtom } from '../../src/publish/render-atom.js';
import { renderJsonFeed } from '../../src/publish/render-json-feed.js';
import { renderRss } from '../../src/publish/render-rss.js';
import type { MergedFeed } from '../../src/publish/types.js';
import { emptyFeed, feedparserMissing, sampleFeed } from './sample-feed.js';

/** A hub address with a character XML must escape. */
const hub = 'https://hub.example.org/websub?topic=all&v=1';
const withHub = (feed: MergedFeed): MergedFeed => ({ ...feed, hubs: [hub] });

type Link = { $: { href: string; rel?: string; type?: string } };
const rssParser = new Parser<{ atomLinks: Link[] }>({ customFields: { feed: [['atom:link', 'atomLinks', { keepArray: true }]] as never } });
const atomParser = new Parser<{ links: Link[] }>({ customFields: { feed: [['link', 'links', { keepArray: true }]] as never } });

/** feedparser's feed-level links (rel and href), for a stricter reader than rss-parser. */
function feedparserLinks(text: string): { bozo: number; links: Array<{ rel: string; href: string }> } {
  const script = 'import sys, json, feedparser\nd = feedparser.parse(sys.stdin.buffer.read())\nprint(json.dumps({"bozo": int(d.bozo), "links": [{"rel": l.get("rel"), "href": l.get("href")} for l in d.feed.get("links", [])]}))';
  const run = spawnSync('/usr/bin/python3', ['-c', script], { input: Buffer.from(text, 'utf8'), encoding: 'utf8', timeout: 20_000 });
  if (run.status !== 0) throw new Error(`feedparser failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

describe('WebSub hub links', () => {
  it('RSS: an atom:link rel="hub" right after rel="self", read back by rss-parser', async () => {
    const xml = renderRss(withHub(sampleFeed()));
    expect(xml).toContain(
      '<atom:link href="https://news.example.org/feed.xml" rel="self" type="application/rss+xml"/>\n<atom:link href="https://hub.example.org/websub?topic=all&amp;v=1" rel="hub"/>\n',
    );
    const parsed = await rssParser.parseString(xml);
    expect(parsed.atomLinks.map((l) => [l.$.rel, l.$.href])).toEqual([
      ['self', 'https://news.example.org/feed.xml'],
      ['hub', hub],
    ]);
  });

  it('Atom: a link rel="hub" right after rel="self", read back by rss-parser', async () => {
    const xml = renderAtom(withHub(sampleFeed()));
    expect(xml).toContain(
      '<link rel="self" type="application/atom+xml" href="https://news.example.org/feed.atom"/>\n<link rel="hub" href="https://hub.example.org/websub?topic=all&amp;v=1"/>\n',
    );
    const parsed = await atomParser.parseString(xml);
    expect(parsed.links.map((l) => [l.$.rel, l.$.href])).toEqual([
      ['self', 'https://news.example.org/feed.atom'],
      ['hub', hub],
      ['alternate', 'https://news.example.org/'],
    ]);
  });

  it('JSON Feed: hubs [{type: "WebSub", url}] beside feed_url', () => {
    const json = JSON.parse(renderJsonFeed(withHub(sampleFeed())));
    expect(json.feed_url).toBe('https://news.example.org/feed.json');
    expect(json.hubs).toEqual([{ type: 'WebSub', url: hub }]);
    expect(json.items).toHaveLength(3);
  });

  it.skipIf(feedparserMissing !== null)(`is read by python3-feedparser with bozo 0, hub and self both found ${feedparserMissing ? `(skipped: ${feedparserMissing})` : ''}`, () => {
    for (const [xml, self] of [
      [renderRss(withHub(sampleFeed())), 'https://news.example.org/feed.xml'],
      [renderAtom(withHub(emptyFeed())), 'https://news.example.org/feed.atom'],
    ] as const) {
      const read = feedparserLinks(xml);
      expect(read.bozo).toBe(0);
      expect(read.links).toContainEqual({ rel: 'hub', href: hub });
      expect(read.links).toContainEqual({ rel: 'self', href: self });
    }
  });

  it('buildMergedFeed carries settings.websubHub as the feed\'s one hub, and none without it', () => {
    const settings = { title: 't', description: '', language: 'ar', publicUrl: 'https://news.example.org/' };
    expect(buildMergedFeed([], { ...settings, websubHub: hub }).hubs).toEqual([hub]);
    expect(buildMergedFeed([], settings)).not.toHaveProperty('hubs');
    expect(buildMergedFeed([], { ...settings, websubHub: null })).not.toHaveProperty('hubs');
  });

  // Digests of the output before hubs existed: a feed without a hub is the same bytes, so its ETag did not move.
  it.each([
    ['renderRss', renderRss, 'f97f5d4590b681999782672a1cc505a23a24988ed92badcfd897712c849acad3', '6efcbef52eef87d832f9e6ce14f12153340282d65c263aef66021f8d86bcc1ef'],
    ['renderAtom', renderAtom, 'd74c92c32ff2ca2a1eba97c15d6a11eddf47c8407b10344b5a36280dffdab3d7', '9c9e696fc2ffab8f66d638c6a9942e695c24f75b9ebdd1f80f173442aa139566'],
    ['renderJsonFeed', renderJsonFeed, 'bd6273e842fcb5c861c6f1146420f2fdb1098a31d2b7e137a3132c4a19c39875', '89f23aedf969553ab8fa59bb6b681621f2e9b17cd5199374936217ad5ba66683'],
  ] as const)('%s without a hub (absent or empty) gives the bytes it gave before hubs', (_, render, sample, empty) => {
    const digest = (text: string) => createHash('sha256').update(text).digest('hex');
    expect(digest(render(sampleFeed()))).toBe(sample);
    expect(digest(render(emptyFeed()))).toBe(empty);
    expect(digest(render({ ...sampleFeed(), hubs: [] }))).toBe(sample);
  });
});
