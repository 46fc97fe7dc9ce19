import { renderAtom } from '../publish/render-atom.js';
import { renderJsonFeed } from '../publish/render-json-feed.js';
import { renderRss } from '../publish/render-rss.js';
import type { MergedFeed } from '../publish/types.js';
import { withoutTrailingSlashes } from '../text/without-trailing-slashes.js';

export type FeedFormat = 'rss' | 'atom' | 'json';

export interface FeedFormatSpec {
  path: string;
  contentType: string;
  render: (feed: MergedFeed) => string;
}

export const feedFormats: Record<FeedFormat, FeedFormatSpec> = {
  rss: { path: '/feed.xml', contentType: 'application/rss+xml; charset=utf-8', render: renderRss },
  atom: { path: '/feed.atom', contentType: 'application/atom+xml; charset=utf-8', render: renderAtom },
  json: { path: '/feed.json', contentType: 'application/feed+json; charset=utf-8', render: renderJsonFeed },
};

/** Absolute feed URLs; a non-default limit or a category is part of the self link: that is the document's address. */
export function feedUrlsFor(publicUrl: string, limit: number | null, category: string | null = null): MergedFeed['feedUrls'] {
  const base = withoutTrailingSlashes(publicUrl);
  const params = new URLSearchParams();
  if (category !== null) params.set('category', category);
  if (limit !== null) params.set('limit', String(limit));
  const query = params.size ? `?${params}` : '';
  return {
    rss: `${base}${feedFormats.rss.path}${query}`,
    atom: `${base}${feedFormats.atom.path}${query}`,
    json: `${base}${feedFormats.json.path}${query}`,
  };
}

export function homeUrlFor(publicUrl: string): string {
  return `${withoutTrailingSlashes(publicUrl)}/`;
}
