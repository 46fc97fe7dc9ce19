import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agencyCopy, republishedCopy, unrelatedReport } from '../helpers/agency-report.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { rssWith } from '../helpers/rss-with.js';
import { runCli } from '../helpers/run-cli.js';

type Shown = { storyId: number; guid: string; members: Array<{ itemId: number; feedId: string; joinedThrough: number | null; first: boolean }> };

describe('khabar story (the real command, on embedded PGlite)', () => {
  let dir: string;
  let server: FixtureServer;
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
    const feedsFile = path.join(dir, 'feeds.yaml');
    writeFileSync(
      feedsFile,
      `feeds:\n  - id: agency\n    name: الوكالة\n    url: ${server.url('/agency.xml')}\n  - id: daily\n    name: اليومية\n    url: ${server.url('/daily.xml')}\n`,
    );
    env = { FEEDS_FILE: feedsFile, DATA_DIR: path.join(dir, 'data') };
    // One at a time, so the agency's report is stored first and the daily's copy joins it.
    expect((await runCli(['fetch', '--once', '--feed', 'agency'], env)).code).toBe(0);
    expect((await runCli(['fetch', '--once', '--feed', 'daily'], env)).code).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a story, splits an item out of it and merges it back, saying what it did; errors are coded', async () => {
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

    const split = await runCli(['story', 'split', '1', String(daily)], env);
    expect(split.code).toBe(0);
    const made = split.stdout.match(/^split item (\d+) out of story 1 into new story (\d+) \(urn:uuid:[0-9a-f-]{36}\); 1 item left in story 1$/m);
    expect(made, split.stdout + split.stderr).not.toBeNull();
    const newStory = Number(made![2]);
    expect((await show(newStory)).members.map((m) => m.itemId)).toEqual([daily]);

    const merged = await runCli(['story', 'merge', '1', String(newStory), '--json'], env);
    expect(merged.code).toBe(0);
    expect(JSON.parse(merged.stdout)).toMatchObject({ storyId: 1, mergedStoryId: newStory, movedItemIds: [daily], itemCount: 2, undoneSplits: 1 });
    expect((await show(1)).members.map((m) => m.itemId)).toEqual([agency, daily]);

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
  }, 300_000);
});
