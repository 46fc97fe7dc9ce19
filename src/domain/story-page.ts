/** One story with its members' texts, as the story page shows it (db/queries/load-story-page.ts reads it). */

/** One outlet's copy of the story, as stored. */
export interface StoryPageMember {
  itemId: number;
  feedId: string;
  /** The outlet's display name. */
  outlet: string;
  title: string;
  link: string | null;
  /** Plain text, one paragraph per line. */
  contentText: string;
  author: string | null;
  publishedAt: Date | null;
  fetchedAt: Date;
}

/** What the story page shows; pure data. */
export interface StoryPage {
  storyId: number;
  firstSeenAt: Date;
  updatedAt: Date;
  /** The copy shown in full; when null or not among the members, the first member. */
  representativeItemId: number | null;
  /** The representative first, then the others in publication order (load-story-page's order). */
  members: StoryPageMember[];
  /** Every member, including any not loaded. */
  memberCount: number;
  /** Distinct outlets among every member. */
  outletCount: number;
}

