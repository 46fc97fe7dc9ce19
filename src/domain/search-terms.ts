import { normalizeText } from '../arabic/normalize-text.js';

/** More words than this in a query are ignored: each is one more LIKE over every candidate item. */
export const MAX_SEARCH_TERMS = 8;

/**
 * A search query's words as item_search.search_text spells them: normalizeText (the dedup normalizer: alef and hamza forms,
 * taa marbuta, alef maqsura, diacritics, tatweel, Arabic-Indic digits, punctuation out), duplicates dropped, at most
 * MAX_SEARCH_TERMS. Empty when nothing searchable is left.
 */
export function searchTerms(query: string): string[] {
  const words = normalizeText(query).split(' ').filter((w) => w !== '');
  return [...new Set(words)].slice(0, MAX_SEARCH_TERMS);
}
