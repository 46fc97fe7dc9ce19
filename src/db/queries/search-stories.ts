import { and, sql } from 'drizzle-orm';
import { normalizeText } from '../../arabic/normalize-text.js';
import type { Database } from '../client.js';
import { stories } from '../schema.js';
import { loadStoryCards, type StoryCardRow } from './load-home-stories.js';

/** More words than this in a query are ignored: each is one more LIKE over every candidate item. */
export const MAX_SEARCH_TERMS = 8;

/**
 * The query's words as items.search_text spells them: normalizeText (the dedup normalizer: alef and hamza forms,
 * taa marbuta, alef maqsura, diacritics, tatweel, Arabic-Indic digits, punctuation out), duplicates dropped, at most
 * MAX_SEARCH_TERMS. Empty when nothing searchable is left.
 */
export function searchTerms(query: string): string[] {
  const words = normalizeText(query).split(' ').filter((w) => w !== '');
  return [...new Set(words)].slice(0, MAX_SEARCH_TERMS);
}

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
  const matches = and(...terms.map((t) => sql`m.search_text like ${`%${likeEscape(t)}%`}`));
  return loadStoryCards(db, sql`exists (select 1 from items m where m.story_id = ${stories.id} and ${matches})`, page);
}
