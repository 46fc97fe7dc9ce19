/** What one feed source is, as configured in feeds.yaml (validated). */
export interface FeedSource {
  id: string;
  name: string;
  url: string;
  category: string | null;
  language: string;
  /** Higher wins when choosing which outlet's copy represents a story. Default 0. */
  priority: number;
  /** Minutes between refreshes of this feed; null = every worker tick. */
  refreshMinutes: number | null;
  enabled: boolean;
  /** Fetch each new item's page and store the article's full text when the feed carries only a lead. */
  fullText: boolean;
}
