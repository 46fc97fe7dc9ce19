import { feedUrlsFor } from '../http/feed-formats.js';

/**
 * The topic URLs a change pings: each feed's canonical address, the one its `rel="self"` names (the three formats at
 * the default limit, PUBLIC_URL based), for the merged feed (null) and for each category given. A `?limit=` copy is
 * another document with its own self link, but the default one is what subscribers and hubs are pointed at.
 */
export function websubTopics(publicUrl: string, categories: Iterable<string | null>): string[] {
  const topics: string[] = [];
  for (const category of categories) {
    const urls = feedUrlsFor(publicUrl, null, category);
    topics.push(urls.rss, urls.atom, urls.json);
  }
  return topics;
}
