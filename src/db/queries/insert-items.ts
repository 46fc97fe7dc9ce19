import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Item } from '../../domain/item.js';
import { compareSourceDigests } from '../../domain/source-digest.js';
import { queryRows, type Database } from '../client.js';
import { items, prunedEntries, type ItemRow } from '../schema.js';

/** Rows per INSERT: 12 parameters a row stays far below Postgres' 65,535 bind parameters. */
const CHUNK_ROWS = 1000;

/**
 * Inserts the items that are not stored yet and returns only those. Identity is enforced by unique indexes
 * (feed + entry key, and the canonical link across feeds), so concurrent workers and refetches never duplicate.
 *
 * Only the new rows' ids are sent back, and the rows are made from what was sent: returning whole rows read every
 * headline, HTML and text back, and with drizzle's insert builder that cost this process ~1.2 s of CPU per 5,000
 * articles; this way ~0.45 s. A column array per parameter (unnest) cost the same here and Postgres ~0.13 s more
 * (parsing the array literals).
 */
export async function insertItems(db: Database, batch: Item[], fetchedAt: Date): Promise<ItemRow[]> {
  const inserted: ItemRow[] = [];
  const at = fetchedAt.toISOString();
  for (let i = 0; i < batch.length; i += CHUNK_ROWS) {
    const chunk = batch.slice(i, i + CHUNK_ROWS);
    const values = chunk.map(
      (it) =>
        sql`(${it.feedId}, ${it.entryKey}, ${it.guid}, ${it.link}, ${it.canonicalLink}, ${it.title}, ${it.contentHtml}, ${it.contentText}, ${it.author}, ${it.publishedAt?.toISOString() ?? null}::timestamptz, ${at}::timestamptz, ${it.sourceDigest ?? null})`,
    );
    const rows = await queryRows<{ id: string | number; feed_id: string; entry_key: string }>(
      db,
      sql`insert into items (feed_id, entry_key, guid, link, canonical_link, title, content_html, content_text, author, published_at, fetched_at, source_digest)
          values ${sql.join(values, sql`, `)}
          on conflict do nothing
          returning id, feed_id, entry_key`,
    );
    const idOf = new Map(rows.map((r) => [`${r.feed_id}\u0000${r.entry_key}`, Number(r.id)]));
    for (const item of chunk) {
      const id = idOf.get(`${item.feedId}\u0000${item.entryKey}`);
      if (id === undefined) continue;
      inserted.push({
        id,
        feedId: item.feedId,
        storyId: null,
        entryKey: item.entryKey,
        guid: item.guid,
        link: item.link,
        canonicalLink: item.canonicalLink,
        title: item.title,
        contentHtml: item.contentHtml,
        contentText: item.contentText,
        author: item.author,
        publishedAt: item.publishedAt,
        fetchedAt,
        sourceDigest: item.sourceDigest ?? null,
      });
    }
  }
  return inserted;
}

/** Which of these entry keys a feed already has. */
export async function storedEntryKeys(db: Database, feedId: string, entryKeys: string[]): Promise<Set<string>> {
  return new Set((await storedEntryDigests(db, feedId, entryKeys)).keys());
}

/** The source digest each of these entry keys of a feed was stored with (null: stored before digests; see compareSourceDigests). */
export async function storedEntryDigests(db: Database, feedId: string, entryKeys: string[]): Promise<Map<string, string | null>> {
  if (entryKeys.length === 0) return new Map();
  const rows = await db
    .select({ entryKey: items.entryKey, digest: items.sourceDigest })
    .from(items)
    .where(and(eq(items.feedId, feedId), inArray(items.entryKey, entryKeys)));
  return new Map(rows.map((r) => [r.entryKey, r.digest]));
}

/** A stored item whose entry the feed now gives with another headline or text (the outlet's correction). */
export interface Correction {
  itemId: number;
  storyId: number | null;
  titleChanged: boolean;
  item: Item;
}

/**
 * The entries of `batch` already stored under the same feed and entry key but with another source digest. Items
 * stored before digests existed, or with a digest of an older version (made from other input, so a difference says
 * nothing), get the new one recorded here, without counting as corrected (compareSourceDigests).
 */
export async function findCorrections(db: Database, batch: Item[], inserted: ItemRow[]): Promise<Correction[]> {
  const done = new Set(inserted.map((r) => `${r.feedId}\u0000${r.entryKey}`));
  const rest = batch.filter((i) => i.sourceDigest && !done.has(`${i.feedId}\u0000${i.entryKey}`));
  if (rest.length === 0) return [];
  const out: Correction[] = [];
  for (const feedId of new Set(rest.map((i) => i.feedId))) {
    const ofFeed = rest.filter((i) => i.feedId === feedId);
    const rows = await db
      .select({ id: items.id, storyId: items.storyId, entryKey: items.entryKey, digest: items.sourceDigest, title: items.title })
      .from(items)
      .where(and(eq(items.feedId, feedId), inArray(items.entryKey, ofFeed.map((i) => i.entryKey))));
    const byKey = new Map(rows.map((r) => [r.entryKey, r]));
    const backfill: Array<{ id: number; digest: string }> = [];
    for (const item of ofFeed) {
      const row = byKey.get(item.entryKey);
      if (!row) continue;
      const verdict = compareSourceDigests(row.digest, item.sourceDigest);
      if (verdict === 'record') backfill.push({ id: row.id, digest: item.sourceDigest! });
      else if (verdict === 'changed') out.push({ itemId: row.id, storyId: row.storyId, titleChanged: row.title !== item.title, item });
    }
    if (backfill.length) {
      const values = sql.join(backfill.map((b) => sql`(${b.id}::bigint, ${b.digest})`), sql`, `);
      await db.execute(sql`update items set source_digest = v.digest from (values ${values}) as v(id, digest) where items.id = v.id`);
    }
  }
  return out;
}

/** Writes the corrected headline, text and digest over each stored item (its id, story and link stay). */
export async function applyCorrections(db: Database, corrections: Correction[]): Promise<void> {
  for (const c of corrections) {
    await db
      .update(items)
      .set({ title: c.item.title, contentHtml: c.item.contentHtml, contentText: c.item.contentText, author: c.item.author, sourceDigest: c.item.sourceDigest ?? null })
      .where(eq(items.id, c.itemId));
  }
}

/** The feed that holds each of these canonical links. */
export async function canonicalLinkOwners(db: Database, links: string[]): Promise<Map<string, string>> {
  if (links.length === 0) return new Map();
  const rows = await db
    .select({ link: items.canonicalLink, feedId: items.feedId })
    .from(items)
    .where(inArray(items.canonicalLink, links));
  return new Map(rows.map((r) => [r.link!, r.feedId]));
}

/** `feedId \0 entryKey` of those of these entries that retention deleted and remembered (`pruned_entries`). */
async function prunedKeys(db: Database, entries: Array<{ feedId: string; entryKey: string }>): Promise<Set<string>> {
  if (entries.length === 0) return new Set();
  const rows = await db
    .select({ feedId: prunedEntries.feedId, entryKey: prunedEntries.entryKey })
    .from(prunedEntries)
    .where(and(inArray(prunedEntries.feedId, [...new Set(entries.map((e) => e.feedId))]), inArray(prunedEntries.entryKey, [...new Set(entries.map((e) => e.entryKey))])));
  return new Set(rows.map((r) => pairKey(r)));
}

function pairKey(e: { feedId: string; entryKey: string }): string {
  return `${e.feedId}\u0000${e.entryKey}`;
}

/**
 * The batch without entries that retention deleted and remembered (see prune-old-stories.ts): a feed that keeps listing
 * an undated entry must not bring it back as new.
 */
export async function withoutPrunedEntries(db: Database, batch: Item[]): Promise<Item[]> {
  const pruned = await prunedKeys(db, batch);
  return pruned.size === 0 ? batch : batch.filter((i) => !pruned.has(pairKey(i)));
}

/**
 * Of rows just inserted, deletes those whose entry retention had deleted and remembered, and returns the rest. Run in the
 * inserting transaction right after its inserts: an insert that waited on a row being pruned (and succeeded once the
 * prune committed) is caught here, since the prune remembers the entry in the transaction that deletes the row.
 */
export async function deletePrunedRows(db: Database, rows: ItemRow[]): Promise<ItemRow[]> {
  const pruned = await prunedKeys(db, rows);
  const doomed = rows.filter((r) => pruned.has(pairKey(r)));
  if (doomed.length === 0) return rows;
  await db.delete(items).where(inArray(items.id, doomed.map((r) => r.id)));
  return rows.filter((r) => !pruned.has(pairKey(r)));
}
