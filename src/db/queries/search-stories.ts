import { and, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { stories } from '../schema.js';
import { loadStoryCards, type StoryCardRow } from './load-home-stories.js';

export { MAX_SEARCH_TERMS, searchTerms } from '../../domain/search-terms.js';

/** `%` `_` and `\` are LIKE's; normalizeText already turns them into separators, this keeps it so if that changes. */
function likeEscape(term: string): string {
  return term.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/**
 * Stories with an item (any outlet's copy) whose headline or text contains every term, newest first. Substring
 * matching, not whole words: Arabic glues و ب ل ك ف and ال to the word (والرياض, بالرياض), which a word index misses.
 * On server Postgres a trigram index serves it where the migration could create one; elsewhere it scans the items.
 */
export async function searchStories(
  db: Database,
  terms: readonly string[],
  page: { beforeId?: number | null; limit: number },
): Promise<StoryCardRow[]> {
  if (terms.length === 0) return [];
  const matches = and(...terms.map((t) => sql`s.search_text like ${`%${likeEscape(t)}%`}`));
  return loadStoryCards(db, sql`exists (select 1 from items m join item_search s on s.item_id = m.id where m.story_id = ${stories.id} and ${matches})`, page);
}
