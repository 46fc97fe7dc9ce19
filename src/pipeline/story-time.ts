/**
 * When an item counts as published for stories and dedup: its publication time, never after it was fetched (some
 * feeds post-date items), else the fetch time.
 */
export function storyTime(row: { publishedAt: Date | null; fetchedAt: Date }): Date {
  const published = row.publishedAt?.getTime();
  const fetched = row.fetchedAt.getTime();
  return new Date(published === undefined || Number.isNaN(published) ? fetched : Math.min(published, fetched));
}
