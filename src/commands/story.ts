import { parseArgs } from 'node:util';
import { loadEnv, type Env } from '../config/env.js';
import { loadFeedsFile, type FeedsConfig } from '../config/feeds-file.js';
import { loadStoryMembers, mergeStories, splitStory, type MergeResult, type SplitResult, type StoryMember } from '../db/queries/story-overrides.js';
import { toKhabarError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import { ONE_SHOT_WEBSUB_GRACE_MS, openMigratedDatabase, websubPublisherFor } from '../open-migrated-database.js';
import type { CommandIo } from './cluster.js';

const USAGE = `usage: khabar story show STORY_ID [--json]
       khabar story split STORY_ID ITEM_ID [--alone] [--json]
       khabar story merge STORY_ID OTHER_STORY_ID [--json]
  show    the story's items in the order dedup placed them, each with the item it joined through
  split   move the item, and the items that joined the story through it (--alone: the item only), into a story of
          its own; the two are kept apart from then on
  merge   join OTHER_STORY_ID into STORY_ID; the other story's id and guid lead to STORY_ID from then on
  Both corrections are kept (story_overrides) and respected by later assignment and reindexing; the feeds follow,
  and with settings.websub_hub in the feeds file the hub is pinged for the feeds that changed (waiting up to 10 s).`;

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** `khabar story show | split | merge`: an operator mends dedup's stories by hand (db/queries/story-overrides.ts). */
export async function runStoryCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { json: { type: 'boolean' }, alone: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  const [action, ...ids] = positionals;
  const wanted = action === 'show' ? 1 : action === 'split' || action === 'merge' ? 2 : -1;
  const numbers = ids.map(parseId);
  if (values.help || wanted < 0 || ids.length !== wanted || numbers.includes(null) || (values.alone && action !== 'split')) {
    if (!values.help && numbers.includes(null)) io.stderr.write(`khabar story: ids are positive whole numbers (got ${ids.join(' ')})\n`);
    io.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const [a, b] = numbers as number[];
  const env = loadEnv();
  const logger = createLogger(env.logLevel, 'stderr');
  // Read before the change: a file that cannot be read costs the pings, not the correction.
  const feeds = action === 'show' ? null : await feedsForPings(env, logger);
  const handle = await openMigratedDatabase(env, logger);
  // The worker's publisher: the same topics (merged feed, and each category an outlet of the stories belongs to).
  const websub = feeds ? websubPublisherFor(env, () => feeds, handle, logger) : null;
  try {
    if (action === 'show') {
      const story = await loadStoryMembers(handle.db, a);
      io.stdout.write(values.json ? `${JSON.stringify(story, null, 2)}\n` : describeMembers(story.storyId, story.guid, story.members));
    } else if (action === 'split') {
      const result = await splitStory(handle.db, a, b, { alone: values.alone });
      logger.info({ ...result }, 'story split');
      websub?.storiesChanged({ storyIds: [result.storyId, result.newStoryId] });
      io.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : describeSplit(result));
    } else {
      const result = await mergeStories(handle.db, a, b);
      logger.info({ ...result }, 'stories merged');
      // The categories are read after the commit: every item of the merged story is in the kept one by then, so the
      // kept story's categories include the ones only the merged story was shown under.
      websub?.storiesChanged({ storyIds: [result.storyId] });
      io.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : describeMerge(result));
    }
    return 0;
  } finally {
    // Before the database closes: the category look-up reads it.
    await websub?.close(ONE_SHOT_WEBSUB_GRACE_MS);
    await handle.close();
  }
}

/** The feeds file, for settings.websub_hub and the categories served; null (with a warning) when it cannot be read. */
async function feedsForPings(env: Env, logger: Logger): Promise<FeedsConfig | null> {
  try {
    return await loadFeedsFile(env.feedsFile);
  } catch (err) {
    const e = toKhabarError(err);
    logger.warn({ code: e.code, error: e.message }, 'feeds file unreadable: the change is made, but no WebSub hub is pinged');
    return null;
  }
}

function parseId(raw: string): number | null {
  if (!/^[1-9][0-9]{0,15}$/.test(raw)) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : null;
}

export function describeSplit(r: SplitResult): string {
  const others = r.movedItemIds.length - 1;
  return (
    `split item ${r.itemId}${others ? ` and ${others} item${others === 1 ? '' : 's'} that joined through it (${r.movedItemIds.slice(1).join(', ')})` : ''}` +
    ` out of story ${r.storyId} into new story ${r.newStoryId} (urn:uuid:${r.newGuid}); ${r.remaining} item${r.remaining === 1 ? '' : 's'} left in story ${r.storyId}\n`
  );
}

export function describeMerge(r: MergeResult): string {
  const n = r.movedItemIds.length;
  return (
    `merged story ${r.mergedStoryId} (urn:uuid:${r.mergedGuid}, ${n} item${n === 1 ? '' : 's'}) into story ${r.storyId}, now ${r.itemCount} items; ` +
    `/stories/${r.mergedStoryId} redirects there${r.undoneSplits ? `; undid ${r.undoneSplits} earlier split${r.undoneSplits === 1 ? '' : 's'} between them` : ''}\n`
  );
}

/** One line per member: id, outlet, time, what it joined through, the headline. */
export function describeMembers(storyId: number, guid: string, members: StoryMember[]): string {
  const lines = [`story ${storyId} (urn:uuid:${guid}), ${members.length} item${members.length === 1 ? '' : 's'}:`];
  for (const m of members) {
    // '-': stored before dedup recorded matches (or its match left the story): split moves it only when named.
    const through = m.first ? 'first' : m.joinedThrough === null ? '-' : `via ${m.joinedThrough}`;
    lines.push(`${m.itemId}\t${m.feedId}\t${iso(m.storyTime)}\t${through}${m.representative ? '\trepresentative' : '\t'}\t${m.title}`);
  }
  return `${lines.join('\n')}\n`;
}
