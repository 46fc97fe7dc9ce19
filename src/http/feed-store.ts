import type { StoryPage } from '../publish/render-story-page.js';
import type { MergedFeed } from '../publish/types.js';
import type { PagesStore } from './pages-store.js';

export interface FeedQuery {
  limit: number;
  /** Only stories carried by a feed of this feeds.yaml category; null = all. */
  category: string | null;
}

/**
 * What the HTTP layer needs from storage. The server implementation lives with the database code; tests use an
 * in-memory one.
 */
export interface FeedStore extends PagesStore {
  /**
   * A cheap token that changes whenever anything published could have changed (e.g. max(updated_at) plus count).
   * Called at most once per cache period; equal tokens mean the cached bytes are still right.
   */
  version(): Promise<string>;
  /** The newest `limit` stories, newest first. Title and URLs are overridden by the app's config. */
  load(options: FeedQuery): Promise<MergedFeed>;
  /** One story with every copy's text (`/stories/{id}`); null when there is none. Absent: every story page is a 404. */
  loadStoryPage?(storyId: number): Promise<StoryPage | null>;
}
