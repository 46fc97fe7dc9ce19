import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { createWebsubPublisher } from '../../src/websub/create-websub-publisher.js';
import { websubTopics } from '../../src/websub/websub-topics.js';
import { startRecordingHub, type RecordingHub } from '../helpers/recording-hub.js';

const publicUrl = 'https://news.example.org/';

describe('websubTopics', () => {
  it("gives each feed's self links: the three formats at the default limit, the category in the query", () => {
    expect(websubTopics(publicUrl, [null, 'رياضة'])).toEqual([
      'https://news.example.org/feed.xml',
      'https://news.example.org/feed.atom',
      'https://news.example.org/feed.json',
      'https://news.example.org/feed.xml?category=%D8%B1%D9%8A%D8%A7%D8%B6%D8%A9',
      'https://news.example.org/feed.atom?category=%D8%B1%D9%8A%D8%A7%D8%B6%D8%A9',
      'https://news.example.org/feed.json?category=%D8%B1%D9%8A%D8%A7%D8%B6%D8%A9',
    ]);
  });
});

describe('createWebsubPublisher', () => {
  let hub: RecordingHub;
  let logs: Array<Record<string, unknown>>;

  beforeEach(async () => {
    hub = await startRecordingHub();
    logs = [];
  });
  afterEach(() => hub.close());

  const publisher = (db: Database, categories: string[]) =>
    createWebsubPublisher({
      hubUrl: hub.url,
      db,
      publicUrl,
      categories: () => new Set(categories),
      logger: createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line)) }),
      batchDelayMs: 20,
    });

  it('pings the merged feed alone, without reading the database, when no category is configured', async () => {
    const p = publisher({} as Database, []);
    p.storiesChanged({ feedId: 'a', storyIds: [1, 2] });
    p.storiesChanged({ feedId: 'b', storyIds: [] });
    await p.idle();
    expect(hub.topics()).toEqual(websubTopics(publicUrl, [null]));
    await p.close();
  });

  it('pings every configured category when the categories of the changed stories cannot be read', async () => {
    const down = {
      selectDistinct: () => {
        throw new Error('connection refused');
      },
    } as unknown as Database;
    const p = publisher(down, ['اقتصاد', 'رياضة']);
    p.storiesChanged({ feedId: 'a', storyIds: [7] });
    await p.idle();
    expect([...hub.topics()].sort()).toEqual(websubTopics(publicUrl, [null, 'اقتصاد', 'رياضة']).sort());
    expect(logs.find((l) => l.msg === 'websub: categories of changed stories unknown; pinging every category')).toMatchObject({ level: 40, stories: 1 });
    await p.close();
  });

  it('takes no changes once closed', async () => {
    const p = publisher({} as Database, []);
    await p.close();
    p.storiesChanged({ feedId: 'a', storyIds: [1] });
    await p.idle();
    expect(hub.pings).toHaveLength(0);
  });
});
