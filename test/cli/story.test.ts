import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agencyCopy, republishedCopy, unrelatedReport } from '../helpers/agency-report.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { startRecordingHub, type RecordingHub } from '../helpers/recording-hub.js';
import { rssWith } from '../helpers/rss-with.js';
import { runCli } from '../helpers/run-cli.js';

const publicUrl = 'http://khabar.test';
const economy = 'اقتصاد';
const local = 'محليات';
/** The three formats' self links of the merged feed (null) or a category feed: the topics a change pings. */
const topicsOf = (category: string | null) => {
  const query = category === null ? '' : `?category=${encodeURIComponent(category)}`;
  return ['feed.xml', 'feed.atom', 'feed.json'].map((f) => `${publicUrl}/${f}${query}`);
};
const sorted = (list: string[]) => [...list].sort();

type Shown = { storyId: number; guid: string; members: Array<{ itemId: number; feedId: string; joinedThrough: number | null; first: boolean }> };

describe('khabar story (the real command, on embedded PGlite, with settings.websub_hub)', () => {
  let dir: string;
  let server: FixtureServer;
  let hub: RecordingHub;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'khabar-story-'));
    const hour = (h: number) => new Date(Date.now() - h * 3_600_000).toUTCString();
    const feed = (entries: Parameters<typeof rssWith>[0]) => ({ body: rssWith(entries), contentType: 'application/rss+xml; charset=utf-8' });
    server = await startFixtureServer({
      '/agency.xml': feed([{ ...agencyCopy(), link: 'https://agency.example/1', date: hour(5) }]),
      '/daily.xml': feed([
        { ...republishedCopy(), link: 'https://daily.example/2', date: hour(4) },
        { ...unrelatedReport(), link: 'https://daily.example/3', date: hour(3) },
      ]),
    });
    hub = await startRecordingHub();
    const feedsFile = path.join(dir, 'feeds.yaml');
    writeFileSync(
      feedsFile,
      [
        'settings:',
        `  websub_hub: ${hub.url}`,
        'feeds:',
        '  - id: agency',
        '    name: الوكالة',
        `    url: ${server.url('/agency.xml')}`,
        `    category: ${economy}`,
        '  - id: daily',
        '    name: اليومية',
        `    url: ${server.url('/daily.xml')}`,
        `    category: ${local}`,
        // Configured, but no story of it changes: never pinged.
        '  - id: culture',
        '    name: الثقافية',
        `    url: ${server.url('/culture.xml')}`,
        '    category: ثقافة',
        '    enabled: false',
        '',
      ].join('\n'),
    );
    env = { FEEDS_FILE: feedsFile, DATA_DIR: path.join(dir, 'data'), PUBLIC_URL: publicUrl };
    // One at a time, so the agency's report is stored first and the daily's copy joins it.
    expect((await runCli(['fetch', '--once', '--feed', 'agency'], env)).code).toBe(0);
    expect((await runCli(['fetch', '--once', '--feed', 'daily'], env)).code).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await hub?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a story, splits an item out of it and merges it back, saying what it did, pinging the hub; errors are coded', async () => {
    // fetch --once pinged what it stored before exiting; from here on, only the story commands ping.
    let seen = hub.pings.length;
    /** The topics pinged since the last call: the command has exited, so its pings are already recorded. */
    const newTopics = () => {
      const topics = hub.pings.slice(seen).flatMap((p) => p.topics);
      seen = hub.pings.length;
      return sorted(topics);
    };
    const show = async (id: number) => JSON.parse((await runCli(['story', 'show', String(id), '--json'], env)).stdout) as Shown;
    const story = await show(1);
    expect(story.members.map((m) => [m.feedId, m.first])).toEqual([
      ['agency', true],
      ['daily', false],
    ]);
    const [agency, daily] = story.members.map((m) => m.itemId);
    expect(story.members[1].joinedThrough).toBe(agency);
    const text = await runCli(['story', 'show', '1'], env);
    expect(text.stdout.split('\n')[0]).toBe(`story 1 (urn:uuid:${story.guid}), 2 items:`);
    expect(text.stdout).toMatch(new RegExp(`^${daily}\\tdaily\\t\\S+Z\\tvia ${agency}\\t`, 'm'));
    expect(newTopics()).toEqual([]);

    const split = await runCli(['story', 'split', '1', String(daily)], env);
    expect(split.code).toBe(0);
    const made = split.stdout.match(/^split item (\d+) out of story 1 into new story (\d+) \(urn:uuid:[0-9a-f-]{36}\); 1 item left in story 1$/m);
    expect(made, split.stdout + split.stderr).not.toBeNull();
    const newStory = Number(made![2]);
    expect((await show(newStory)).members.map((m) => m.itemId)).toEqual([daily]);
    // Both stories changed: the merged feed, the agency's category (story 1) and the daily's (the new story).
    expect(newTopics()).toEqual(sorted([...topicsOf(null), ...topicsOf(economy), ...topicsOf(local)]));

    const merged = await runCli(['story', 'merge', '1', String(newStory), '--json'], env);
    expect(merged.code).toBe(0);
    expect(JSON.parse(merged.stdout)).toMatchObject({ storyId: 1, mergedStoryId: newStory, movedItemIds: [daily], itemCount: 2, undoneSplits: 1 });
    expect((await show(1)).members.map((m) => m.itemId)).toEqual([agency, daily]);
    // The daily's category feed showed only the merged-away story: it changes too (the story's id there is now 1).
    expect(newTopics()).toEqual(sorted([...topicsOf(null), ...topicsOf(economy), ...topicsOf(local)]));
    expect(hub.pings.every((p) => p.mode === 'publish' && p.status === 204)).toBe(true);

    const unknown = await runCli(['story', 'split', '999', String(daily)], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('khabar: no story 999 [STORY_NOT_FOUND]');
    const gone = await runCli(['story', 'show', String(newStory)], env);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`khabar: no story ${newStory}: it was merged into story 1 [STORY_NOT_FOUND]`);
    const notIn = await runCli(['story', 'split', '1', '999'], env);
    expect(notIn.stderr).toContain('khabar: item 999 is not in story 1 (no item has this id) [STORY_ITEM_NOT_IN_STORY]');
    const self = await runCli(['story', 'merge', '1', '1'], env);
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('khabar: cannot merge story 1 with itself [STORY_MERGE_SELF]');
    const usage = await runCli(['story', 'split', '1'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: khabar story show STORY_ID [--json]');
    // A command that changed nothing pinged nothing.
    expect(newTopics()).toEqual([]);

    // A feeds file that cannot be read costs the pings, not the correction.
    const unreadable = await runCli(['story', 'split', '1', String(daily), '--alone'], { ...env, FEEDS_FILE: path.join(dir, 'missing.yaml') });
    expect(unreadable.code, unreadable.stderr).toBe(0);
    expect(unreadable.stdout).toMatch(/^split item \d+ out of story 1 into new story \d+/m);
    expect(unreadable.stderr).toContain('feeds file unreadable: the change is made, but no WebSub hub is pinged');
    expect(newTopics()).toEqual([]);
  }, 300_000);
});
