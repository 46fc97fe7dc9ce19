import { sql } from 'drizzle-orm';
import {
  bigint,
  customType,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';

/** U&'' literal of the given characters (ASCII in the migration file, whatever the letters). */
function unicodeLiteral(chars: string): string {
  return `U&'${[...chars].map((ch) => `\\${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`).join('')}'`;
}

function codeRange(from: number, to: number): string {
  let out = '';
  for (let c = from; c <= to; c++) out += String.fromCharCode(c);
  return out;
}

/** Characters folded for search, each to the one at the same place in SEARCH_FOLD_TO (normalize-text.ts's LETTER_MAP). */
export const SEARCH_FOLD_FROM = 'أإآٱىیکةؤئ' + codeRange(0x0660, 0x0669) + codeRange(0x06f0, 0x06f9) + '٫';
export const SEARCH_FOLD_TO = 'ااااييكهءء' + '0123456789' + '0123456789' + '.';
/** Dropped from search text: harakat, Quranic marks, superscript alef, tatweel, soft hyphen, zero-width and bidi marks. */
export const SEARCH_DROP =
  codeRange(0x0610, 0x061a) + codeRange(0x064b, 0x065f) + '\u0670' + codeRange(0x06d6, 0x06ed) + '\u0640\u00ad' +
  codeRange(0x200b, 0x200f) + codeRange(0x202a, 0x202e) + codeRange(0x2060, 0x2064) + codeRange(0x2066, 0x2069) + '\ufeff';

/** A regular-expression class of these characters, as ASCII `\\uXXXX` escapes, runs of code points as ranges. */
function regexClass(chars: string): string {
  const codes = [...new Set([...chars].map((ch) => ch.codePointAt(0)!))].sort((a, b) => a - b);
  const hex = (c: number) => `\\u${c.toString(16).padStart(4, '0')}`;
  let out = '';
  for (let i = 0; i < codes.length; i++) {
    let j = i;
    while (j + 1 < codes.length && codes[j + 1] === codes[j] + 1) j++;
    out += j > i ? `${hex(codes[i])}-${hex(codes[j])}` : hex(codes[i]);
    i = j;
  }
  return `[${out}]`;
}

/**
 * The search text as the items trigger computes it (migration 0015): the dropped characters in one regular-expression
 * pass (0013), then the folds, the same text as 0010's single translate() over fold and drop characters together (the
 * sets are disjoint). translate() compares each character of the text with every one of its list: over the 79 dropped
 * characters it was ~1.3 ms an item on PGlite (0013), and over the 31 folded ones still 0.3 ms an item on server
 * Postgres, most of the search row's cost (bench:ingest). So the ten letters are ten replace() passes, and the 21 digits
 * (Arabic-Indic and Persian, the decimal separator), which news texts seldom carry, a translate() only when one is there:
 * 1.5–1.65 → 0.66–0.70 s of Postgres CPU for 5,000 articles, the same text. PL/pgSQL statements over the variable `s`,
 * given the two column references (the trigger's NEW."title", …).
 */
export function searchTextStatements(title: string, contentText: string): string {
  const letters = [...SEARCH_FOLD_FROM].slice(0, 10);
  const lettersTo = [...SEARCH_FOLD_TO].slice(0, 10);
  const digits = [...SEARCH_FOLD_FROM].slice(10).join('');
  const digitsTo = [...SEARCH_FOLD_TO].slice(10).join('');
  return [
    `s := regexp_replace(lower(${title} || ' ' || left(${contentText}, 2000)), '${regexClass(SEARCH_DROP)}', '', 'g');`,
    `IF s ~ '${regexClass(digits)}' THEN s := translate(s, ${unicodeLiteral(digits)}, ${unicodeLiteral(digitsTo)}); END IF;`,
    ...letters.map((ch, i) => `s := replace(s, ${unicodeLiteral(ch)}, ${unicodeLiteral(lettersTo[i])});`),
  ].join('\n  ');
}

/** Migration 0010's search text (translate() drops the characters of its second argument that have no counterpart in the third). */
export function searchTextSql0010(title: string, contentText: string): string {
  return (
    `translate(lower(${title} || ' ' || left(${contentText}, 2000)), ` +
    `${unicodeLiteral(SEARCH_FOLD_FROM + SEARCH_DROP)}, ${unicodeLiteral(SEARCH_FOLD_TO)})`
  );
}

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

/** Sources, synced from feeds.yaml. A feed removed from the file is disabled, never deleted: its items stay published. */
export const feeds = pgTable('feeds', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  url: text('url').notNull(),
  category: text('category'),
  language: text('language').notNull().default('ar'),
  priority: integer('priority').notNull().default(0),
  refreshMinutes: integer('refresh_minutes'),
  enabled: boolean('enabled').notNull().default(true),
  /** Fetch each new item's page for the article's full text (feeds that carry only a lead). */
  fullText: boolean('full_text').notNull().default(false),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/**
 * Per-feed fetch state and health, written only by the worker (kept apart from `feeds` so syncing the YAML never
 * clobbers validators or error state). `lease_until` is the claim: a worker takes due rows with FOR UPDATE SKIP LOCKED
 * and sets a lease (and `lease_owner`), so replicas never fetch one feed twice at once.
 */
export const feedStates = pgTable(
  'feed_states',
  {
    feedId: text('feed_id')
      .primaryKey()
      .references(() => feeds.id, { onDelete: 'cascade' }),
    etag: text('etag'),
    lastModified: text('last_modified'),
    nextFetchAt: timestamp('next_fetch_at', { withTimezone: true }).notNull().defaultNow(),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    /** Who holds the lease, `hostname:pid`, so a lease can be traced to its process (`khabar status`, `fetch --once`). */
    leaseOwner: text('lease_owner'),
    lastFetchedAt: timestamp('last_fetched_at', { withTimezone: true }),
    lastSuccessAt: timestamp('last_success_at', { withTimezone: true }),
    /** 'new' | 'ok' | 'not-modified' | 'error' */
    lastOutcome: text('last_outcome').notNull().default('new'),
    lastHttpStatus: integer('last_http_status'),
    lastErrorCode: text('last_error_code'),
    lastErrorMessage: text('last_error_message'),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    /** When the current streak of failures began (its first failure); null while the feed works or before any failure. */
    failingSince: timestamp('failing_since', { withTimezone: true }),
    lastNewItems: integer('last_new_items').notNull().default(0),
    lastCharset: text('last_charset'),
    updatedAt: updatedAt(),
  },
  (t) => [index('feed_states_next_fetch_at_idx').on(t.nextFetchAt)],
);

/**
 * A story is what subscribers see once: one report, every outlet that carried it. `guid` is its public identity and
 * never changes when outlets join (feed readers would show it as new again).
 */
export const stories = pgTable(
  'stories',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    guid: uuid('guid').notNull().default(sql`gen_random_uuid()`),
    representativeItemId: bigint('representative_item_id', { mode: 'number' }).references((): AnyPgColumn => items.id, {
      onDelete: 'set null',
    }),
    itemCount: integer('item_count').notNull().default(1),
    /** Time of the story's first item (publication time, else fetch time). */
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: createdAt(),
    /** Moves when an outlet joins or the representative changes. */
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('stories_guid_idx').on(t.guid),
    index('stories_first_seen_at_idx').on(t.firstSeenAt),
    index('stories_updated_at_idx').on(t.updatedAt),
    // Deleting an item sets the representative of its story to null (ON DELETE SET NULL): without this index every
    // deleted item would scan all stories (retention pruning).
    index('stories_representative_item_id_idx').on(t.representativeItemId),
  ],
);

/**
 * One outlet's article. Identity within a feed is `entry_key` (GUID, else canonical link, else a content hash);
 * across feeds, the canonical link (an outlet's category feeds carry one article under one link).
 */
export const items = pgTable(
  'items',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    feedId: text('feed_id')
      .notNull()
      .references(() => feeds.id, { onDelete: 'cascade' }),
    /** Set in the same transaction that inserts the item; null only inside that transaction. */
    storyId: bigint('story_id', { mode: 'number' }).references((): AnyPgColumn => stories.id, { onDelete: 'set null' }),
    entryKey: text('entry_key').notNull(),
    guid: text('guid'),
    link: text('link'),
    canonicalLink: text('canonical_link'),
    title: text('title').notNull(),
    contentHtml: text('content_html').notNull().default(''),
    contentText: text('content_text').notNull().default(''),
    author: text('author'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    fetchedAt: timestamp('fetched_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * Versioned digest of the headline and visible text as the feed gave them (before any full-text page replaced the
     * text; domain/source-digest.ts): a later fetch of the same entry with another digest of the same version is the
     * outlet's correction. Null for items stored before the column; bare hex (v1) for those stored before versions.
     */
    sourceDigest: text('source_digest'),
  },
  (t) => [
    uniqueIndex('items_feed_id_entry_key_idx').on(t.feedId, t.entryKey),
    uniqueIndex('items_canonical_link_idx')
      .on(t.canonicalLink)
      .where(sql`${t.canonicalLink} is not null`),
    index('items_story_id_idx').on(t.storyId),
    index('items_fetched_at_idx').on(t.fetchedAt),
    // A feed's newest items (`khabar status`): without it Postgres walks the whole id index back to a quiet feed's items.
    index('items_feed_id_id_idx').on(t.feedId, t.id),
  ],
);

/**
 * What /search reads: each item's headline and the first 2,000 characters of its text, spelled as normalize-text.ts
 * spells for matching (hamza seats and alef forms, alef maqsura, taa marbuta, Persian letters and digits folded;
 * diacritics, tatweel and invisible marks out; lower case), so that /search finds أ/ا and ة/ه spellings of each other.
 * Written by Postgres, not by khabar: a trigger on items (migrations 0010 and 0015, searchTextStatements) fills it on insert and when a
 * correction changes the headline or text. A table of its own, not a column of items: every new item's story_id is
 * set after its insert, and each such update rewrote a generated column and its trigram index entries under the
 * assignment lock (bench:ingest). search-stories.ts normalizes the query with normalizeText itself.
 */
export const itemSearch = pgTable('item_search', {
  itemId: bigint('item_id', { mode: 'number' })
    .primaryKey()
    .references(() => items.id, { onDelete: 'cascade' }),
  searchText: text('search_text').notNull(),
});

export type FeedRow = typeof feeds.$inferSelect;
export type FeedStateRow = typeof feedStates.$inferSelect;
export type StoryRow = typeof stories.$inferSelect;
export type ItemRow = typeof items.$inferSelect;
export type NewItemRow = typeof items.$inferInsert;

/**
 * Dedup's candidate index, shared by every worker process (src/dedup/pg-candidate-index.ts). Keys are not foreign keys
 * to items: `khabar cluster --db` indexes streams that are not stored as items. `seq` is insertion order, which breaks
 * ties exactly as the in-memory index does, so both give the same stories.
 */
/** bytea as Node Buffers (postgres.js gives Buffers, PGlite Uint8Arrays). */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType() {
    return 'bytea';
  },
});

export const dedupEntries = pgTable(
  'dedup_entries',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    itemKey: text('item_key').notNull(),
    /** Dedup's story key: the item key of the story's first item. */
    storyKey: text('story_key').notNull(),
    source: text('source').notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true, mode: 'date' }).notNull(),
    fingerprintVersion: integer('fingerprint_version').notNull(),
    /** The Fingerprint as jsonb: entries written before packed fingerprints (read when fingerprint_packed is null). */
    fingerprint: jsonb('fingerprint'),
    /** The Fingerprint packed as little-endian int32s (src/dedup/pack-fingerprint.ts): no JSON on either side. */
    fingerprintPacked: bytea('fingerprint_packed'),
    /**
     * The item key of the member this item matched when it joined its story (null: it started the story, or it was
     * stored before the column). What "joined through" an item means when an operator splits it off (story-overrides.ts).
     */
    matchedKey: text('matched_key'),
    /**
     * The entry's index keys (distinct; in no particular order: migration 0016 wrote them sorted): the inverted index, which each worker process holds in memory
     * for the windows it assigns in (src/dedup/create-window-key-mirror.ts) and reads from here. Null once pruned
     * (`khabar prune`: entries published before twice the window are never a candidate again).
     */
    keys: integer('keys').array(),
  },
  (t) => [
    uniqueIndex('dedup_entries_item_key_idx').on(t.itemKey),
    index('dedup_entries_story_key_seq_idx').on(t.storyKey, t.seq),
    index('dedup_entries_published_at_idx').on(t.publishedAt),
  ],
);

/**
 * Moves (nextval) whenever a dedup entry changes other than by being added: a refingerprint or a correction's reindex,
 * retention deleting entries, an operator's split or merge re-keying them. All of those run under the assignment lock,
 * so a batch that read the index before taking the lock (pg-batch-index.ts) knows, once it holds the lock, whether what
 * it read can only have grown (the same value: it reads the entries added since) or must be read again.
 */
export const dedupGeneration = pgSequence('dedup_generation');

/** Document frequency of each word hash: how many entries contain it (idf weights). */
export const dedupWordCounts = pgTable('dedup_word_counts', {
  word: integer('word').primaryKey(),
  entries: integer('entries').notNull(),
});

/** One row: how many entries the word counts cover (idf's N). */
export const dedupStats = pgTable('dedup_stats', {
  id: integer('id').primaryKey(),
  entries: bigint('entries', { mode: 'number' }).notNull(),
});

/**
 * Entries deleted by retention whose time was their fetch time (undated, or dated after they were fetched): the
 * publication-date filter cannot keep a feed that still lists them from storing them again as new, so their keys are
 * remembered here and skipped at insert.
 */
export const prunedEntries = pgTable(
  'pruned_entries',
  {
    feedId: text('feed_id')
      .notNull()
      .references(() => feeds.id, { onDelete: 'cascade' }),
    entryKey: text('entry_key').notNull(),
    prunedAt: timestamp('pruned_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'pruned_entries_pkey', columns: [t.feedId, t.entryKey] })],
);

/** One row: when retention last deleted stories. Part of the published feed's change marker (deletions move no max). */
export const retentionState = pgTable('retention_state', {
  id: integer('id').primaryKey(),
  lastPrunedAt: timestamp('last_pruned_at', { withTimezone: true }).notNull(),
});

/**
 * An operator's corrections of dedup (`khabar story split | merge`, src/db/queries/story-overrides.ts), kept so that later
 * assignment and reindexing respect them. `split`: item `item_id` and what joined through it left `story_id` for the
 * new story `split_story_id`; the two stay apart (an item goes with the side of its closest member, never through to the
 * other). `merge`: story `merged_story_id` (deleted) was joined into `story_id`; its id and guid still lead there.
 */
export const storyOverrides = pgTable(
  'story_overrides',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** 'split' | 'merge' */
    kind: text('kind').notNull(),
    /** split: the story the item left; merge: the story kept. */
    storyId: bigint('story_id', { mode: 'number' })
      .notNull()
      .references(() => stories.id, { onDelete: 'cascade' }),
    /** split: the item the operator named. */
    itemId: bigint('item_id', { mode: 'number' }),
    /** split: the story made for the item and what joined through it. */
    splitStoryId: bigint('split_story_id', { mode: 'number' }).references(() => stories.id, { onDelete: 'cascade' }),
    /** merge: the story joined in. Its row is deleted, so no foreign key: the id answers with `story_id`. */
    mergedStoryId: bigint('merged_story_id', { mode: 'number' }),
    mergedGuid: uuid('merged_guid'),
    createdAt: createdAt(),
  },
  (t) => [
    check('story_overrides_kind_check', sql`(${t.kind} = 'split' and ${t.splitStoryId} is not null and ${t.itemId} is not null) or (${t.kind} = 'merge' and ${t.mergedStoryId} is not null and ${t.mergedGuid} is not null)`),
    // Deleting a story (retention) looks up its overrides by either column.
    index('story_overrides_story_id_idx').on(t.storyId),
    index('story_overrides_split_story_id_idx').on(t.splitStoryId),
    uniqueIndex('story_overrides_merged_story_id_idx')
      .on(t.mergedStoryId)
      .where(sql`${t.mergedStoryId} is not null`),
  ],
);

export type StoryOverrideRow = typeof storyOverrides.$inferSelect;
