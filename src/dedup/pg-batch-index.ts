import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../db/client.js';
import { textArray } from '../db/text-array.js';
import type { CandidateHit, CandidateIndex, CandidateQuery, DocumentFrequencies, IndexedItem } from './candidate-index.js';
import { FINGERPRINT_VERSION, type Fingerprint } from './fingerprint.js';
import { packFingerprint } from './pack-fingerprint.js';
import { topHits } from './top-hits.js';
import type { WordCountMemo } from './create-word-count-memo.js';
import { createWindowKeyMirror, type WindowKeyMirror } from './create-window-key-mirror.js';
import { storedFingerprint, intArray, readWordCounts, type EntryRow as StoredEntryRow, type PendingWordCounts, type WordCounts } from './pg-candidate-index.js';

/**
 * The Postgres candidate index for one batch of items, read in a few statements instead of several per item.
 *
 * `load()` reads, for every item of the batch at once, the postings of each of its keys inside its own window (a
 * bounded probe per key, as the in-memory index counts them), the entries most likely to be its candidates, the first
 * members of their stories, and the word counts of the batch's words. Assignment then runs item by item against this
 * overlay, which adds the batch's own entries as they are decided (items of a batch see each other, and count in the
 * `maxPostings` bound as stored entries do), so every answer is the one the in-memory index gives at that point.
 * What the first read could not foresee (an entry ranked in only because a batch item made a key too common, a member
 * of a story not read, a candidate's word count) is read on demand. `writeEntries()` stores the batch's entries and
 * keys in one statement.
 *
 * The read can happen before the assignment lock (the worker reads while other workers assign), and `catchUp()` under
 * the lock brings it to the window's latest state: entries are only added under the lock, which is held to commit, so
 * what was committed since the read is exactly the entries with a higher seq — their postings for the batch's keys
 * and the members they add to stories already read, in two statements. Anything else that changes entries
 * (a reindex, retention, an operator's split or merge) moves the dedup generation, and then the whole read is made
 * again under the lock. Decisions and writes always run under it, on state as fresh as a read under the lock.
 */
export interface PgBatchIndex extends CandidateIndex {
  /** Which query of the batch the next findCandidates() answers (the batch position of the item being assigned). */
  setCurrent(position: number): void;
  /** Entries added since load(), with their keys, in one statement. */
  writeEntries(): Promise<void>;
  /** The word counts of the entries added, for writeWordCounts after the commit (outside the assignment lock). */
  takePendingCounts(): PendingWordCounts;
  /** The member the item last added matched (stored as its entry's `matched_key`: what joined through what). */
  setMatched(matchedId: string | null): void;
  /**
   * Under the assignment lock, before the first decision: what other workers committed since the read, read in;
   * everything read again if entries changed otherwise (dedup generation). Returns which of the two it did.
   */
  catchUp(tx: Database): Promise<'current' | 'caught-up' | 'read-again'>;
}

interface Added {
  item: IndexedItem;
  keys: number[];
  seq: number;
  matchedId: string | null;
}

/** Batch entries rank after every stored entry, in the order they were added (the stored `seq` does the same). */
const BATCH_SEQ_BASE = 2 ** 52;

export async function loadPgBatchIndex(
  db: Database,
  queries: CandidateQuery[],
  /** The counts of the batch's own words, read before the lock; more are read on demand. */
  wordCounts: WordCounts,
  storyMembersLimit: number,
  /** Counts this process committed and has not written yet (create-worker-story-assigner.ts): added to what is read. */
  unwritten?: PendingWordCounts,
  /** Stored counts this process read before: words in it are not read again. */
  memo?: WordCountMemo,
  /** Fingerprints the caller holds (its assigner's prepared ones): entries read are read without them. */
  fingerprintOf: (id: string) => Fingerprint | undefined = () => undefined,
  /** This process's copy of the stored keys (create-window-key-mirror.ts); a fresh one reads what the batch needs. */
  keyMirror: WindowKeyMirror = createWindowKeyMirror({ keepMs: 0 }),
): Promise<PgBatchIndex> {
  // position → key → stored seqs in the window, or null when the key has more than maxPostings entries there.
  let postings: Array<Map<number, number[] | null>> = queries.map(() => new Map());
  let entries = new Map<number, IndexedItem>();
  let seqOfId = new Map<string, number>();
  let members = new Map<string, IndexedItem[]>();
  const withUnwritten = (w: number, n: number) => n + (unwritten?.words.get(w) ?? 0);
  const storedWords = new Map<number, number>();
  for (const [w, n] of wordCounts.counts) storedWords.set(w, withUnwritten(w, n));
  // One total for the batch's idf weights, though other workers' counts may land meanwhile.
  const storedTotal = wordCounts.total + (unwritten?.entries ?? 0);
  const added: Added[] = [];
  /** The batch's own entries by key, in the order added. */
  const addedByKey = new Map<number, Added[]>();
  const pendingWords = new Map<number, number>();
  let current = 0;

  let position = await keyMirror.refresh(db);
  let apart = await readAll();

  async function readAll(): Promise<Map<string, string[]>> {
    await readPostings(db);
    await readGuessed(true);
    return loadApartStoryKeys(db);
  }

  /**
   * The entries the postings make likely candidates, the first members of their stories and their words' counts: a
   * statement for each, and none for what is already read. After a catch-up the new postings change the likely
   * candidates (another worker's copy of a batch item ranks first), and reading them here spares a statement per item.
   */
  async function readGuessed(withWords: boolean): Promise<void> {
    const guessed = guessCandidates();
    const fresh = guessed.filter((s) => !entries.has(s));
    await readEntriesWithStories(fresh, [...new Set(guessed.flatMap((s) => entries.get(s)?.storyId ?? []))]);
    // Verifying a pair that needs idf weights reads both sides' counts. Not for entries the caller holds: it assigned or
    // verified them lately, so their words are in its memo and a pair that needs them reads them there, without a
    // statement (walking every candidate's words was most of this function's time).
    if (withWords) {
      const words = new Set<number>();
      for (const s of fresh) {
        const item = entries.get(s);
        if (!item || (memo && fingerprintOf(item.id))) continue;
        for (const w of item.fingerprint.words) if (!storedWords.has(w)) words.add(w);
      }
      await readWords([...words]);
    }
  }

  async function catchUp(tx: Database): Promise<'current' | 'caught-up' | 'read-again'> {
    db = tx;
    const since = position.maxSeq;
    // Stories read with room for more members: the entries added to them since (new stories are read on demand).
    const withRoom = [...members].filter(([, m]) => m.length < storyMembersLimit).map(([k]) => k);
    // The key copy brought to the latest state and what was added to those stories since, in one round trip (the
    // statements are sent together): under the lock nothing is added meanwhile, and when the generation moved the rows
    // are dropped and everything is read again.
    const [now, memberMeta] = await Promise.all([
      keyMirror.refresh(tx),
      withRoom.length === 0
        ? []
        : queryRows<EntryMeta>(
            tx,
            sql`select ${ENTRY_META} from dedup_entries where seq > ${since} and story_key = any(${textArray(withRoom)}::text[]) order by seq`,
          ),
    ]);
    if (now.generation !== position.generation) {
      position = now;
      postings = queries.map(() => new Map());
      entries = new Map();
      seqOfId = new Map();
      members = new Map();
      apart = await readAll();
      return 'read-again';
    }
    if (now.maxSeq === since) return 'current';
    position = now;
    // The postings again, from the copy as it stands now (what other workers committed since is in it).
    await readPostings(tx);
    for (const item of await complete(memberMeta)) {
      const list = members.get(item.storyId)!;
      if (list.length < storyMembersLimit && !list.includes(item)) list.push(item);
    }
    // Not their words: under the lock the few pairs that need idf weights read them (a statement for thousands of words
    // costs more than the few it saves).
    await readGuessed(false);
    return 'caught-up';
  }

  /**
   * Each item's postings in its own window, from the key copy (which reads the part of the window it does not hold):
   * per key the entries carrying it, or null when more than the item's maxPostings do (a fixed phrase).
   */
  async function readPostings(from: Database): Promise<void> {
    if (queries.length === 0) return;
    const earliest = Math.min(...queries.map((q) => q.fromMs));
    postings = await keyMirror.read(from, earliest, (index) =>
      queries.map((q) => {
        const byKey = new Map<number, number[] | null>();
        for (const k of new Set(q.keys)) {
          const seqs = index.postings(k, q.fromMs, q.toMs, q.maxPostings);
          if (seqs === null || seqs.length > 0) byKey.set(k, seqs);
        }
        return byKey;
      }),
    );
  }

  /** Each item's best candidates among stored entries alone: what findCandidates will most likely want. */
  function guessCandidates(): number[] {
    const wanted = new Set<number>();
    queries.forEach((q, i) => {
      const hits = new Map<number, number>();
      for (const seqs of postings[i].values()) if (seqs) for (const s of seqs) hits.set(s, (hits.get(s) ?? 0) + 1);
      for (const [s] of topHits(hits, q.limit)) wanted.add(s);
    });
    return [...wanted];
  }

  async function readEntries(seqs: number[]): Promise<void> {
    const missing = seqs.filter((s) => !entries.has(s));
    if (missing.length === 0) return;
    await complete(await queryRows<EntryMeta>(db, sql`select ${ENTRY_META} from dedup_entries where seq = any(${intArray(missing)}::int8[])`));
  }

  /**
   * The entries of `rows`, in order, remembered: with the fingerprint the caller holds, or one read for all the others
   * in one statement (drivers differ: postgres.js returns timestamps as strings, PGlite as Dates). Reading entries without their fingerprints first spares most of the bytes: a full article's is
   * ~9 KB, sent as hex, and the candidates and story members a batch reads are mostly items this process assigned or
   * verified lately.
   */
  async function complete(rows: EntryMeta[]): Promise<IndexedItem[]> {
    const fingerprints = new Map<number, Fingerprint>();
    const unknown: number[] = [];
    for (const r of rows) {
      const seq = Number(r.seq);
      if (entries.has(seq) || fingerprints.has(seq)) continue;
      const fp = fingerprintOf(r.item_key);
      if (fp) fingerprints.set(seq, fp);
      else unknown.push(seq);
    }
    if (unknown.length > 0) {
      const read = await queryRows<{ seq: string | number; fingerprint_packed: EntryRow['fingerprint_packed']; fingerprint: EntryRow['fingerprint'] }>(
        db,
        sql`select seq, fingerprint_packed, fingerprint from dedup_entries where seq = any(${intArray(unknown)}::int8[])`,
      );
      for (const r of read) fingerprints.set(Number(r.seq), storedFingerprint(r.fingerprint_packed, r.fingerprint));
    }
    return rows.flatMap((r) => {
      const seq = Number(r.seq);
      const known = entries.get(seq);
      if (known) return [known];
      const fp = fingerprints.get(seq);
      // An entry deleted between the two reads (retention; it moves the generation, so the batch reads again).
      if (!fp) return [];
      return [rememberItem(seq, { id: r.item_key, source: r.source, storyId: r.story_key, publishedAt: new Date(r.published_at).getTime(), fingerprint: fp })];
    });
  }

  /**
   * readEntries(seqs) then readMembers(their stories and `storyKeys`), in one statement: the entries' stories are not
   * known before they are read.
   */
  async function readEntriesWithStories(seqs: number[], storyKeys: string[]): Promise<void> {
    const missing = seqs.filter((s) => !entries.has(s));
    if (missing.length === 0) return readMembers(storyKeys);
    const read = [...members.keys()];
    const rows = await queryRows<EntryMeta & { part: number }>(
      db,
      sql`with fresh as (
            select ${ENTRY_META}
            from dedup_entries where seq = any(${intArray(missing)}::int8[])
          ), wanted as (
            select story_key from fresh union select unnest(${textArray(storyKeys)}::text[])
            except select unnest(${textArray(read)}::text[])
          )
          select 0 as part, f.* from fresh f
          union all
          select 1 as part, e.* from wanted s cross join lateral (
            select d.seq, d.item_key, d.story_key, d.source, d.published_at
            from dedup_entries d where d.story_key = s.story_key order by d.seq limit ${storyMembersLimit}
          ) e
          order by part, seq`,
    );
    const readBefore = new Set(read);
    await complete(rows);
    const wanted = new Set([...rows.filter((r) => Number(r.part) === 0).map((r) => r.story_key), ...storyKeys].filter((k) => !readBefore.has(k)));
    for (const k of wanted) members.set(k, []);
    // A fresh entry can also be a member of a story read (its own, or another wanted one): it is in both parts.
    for (const r of rows) {
      const item = Number(r.part) === 1 ? entries.get(Number(r.seq)) : undefined;
      if (item) members.get(r.story_key)?.push(item);
    }
  }

  async function readMembers(storyKeys: string[]): Promise<void> {
    const missing = storyKeys.filter((k) => !members.has(k));
    if (missing.length === 0) return;
    const rows = await queryRows<EntryMeta>(
      db,
      sql`select e.seq, e.item_key, e.story_key, e.source, e.published_at
          from unnest(${textArray(missing)}::text[]) as s(story_key)
          cross join lateral (
            select * from dedup_entries d where d.story_key = s.story_key order by d.seq limit ${storyMembersLimit}
          ) e
          order by e.seq`,
    );
    for (const k of missing) members.set(k, []);
    for (const item of await complete(rows)) members.get(item.storyId)!.push(item);
  }

  async function readWords(words: number[]): Promise<void> {
    const missing = words.filter((w) => !storedWords.has(w));
    if (missing.length === 0) return;
    for (const [w, n] of (await (memo ? memo.read(db, missing) : readWordCounts(db, missing))).counts) storedWords.set(w, withUnwritten(w, n));
  }

  function rememberItem(seq: number, item: IndexedItem): IndexedItem {
    const known = entries.get(seq);
    if (known) return known;
    entries.set(seq, item);
    seqOfId.set(item.id, seq);
    return item;
  }

  async function findCandidates(q: CandidateQuery): Promise<CandidateHit[]> {
    const stored = postings[current];
    const hits = new Map<number, number>();
    for (const key of new Set(q.keys)) {
      const seqs = stored.has(key) ? stored.get(key)! : [];
      if (seqs === null) continue;
      // The batch's own entries count in the bound as stored ones do.
      const inBatch = (addedByKey.get(key) ?? []).filter((a) => a.item.publishedAt >= q.fromMs && a.item.publishedAt <= q.toMs);
      if (seqs.length + inBatch.length > q.maxPostings) continue;
      for (const s of seqs) hits.set(s, (hits.get(s) ?? 0) + 1);
      for (const a of inBatch) hits.set(a.seq, (hits.get(a.seq) ?? 0) + 1);
    }
    const top = topHits(hits, q.limit);
    await readEntries(top.map(([s]) => s).filter((s) => s < BATCH_SEQ_BASE));
    return top.flatMap(([s, n]) => {
      const item = s >= BATCH_SEQ_BASE ? added[s - BATCH_SEQ_BASE].item : entries.get(s);
      return item ? [{ id: item.id, hits: n }] : [];
    });
  }

  return {
    setCurrent(position) {
      current = position;
    },
    findCandidates,
    async getItems(ids) {
      return ids.flatMap((id) => {
        const s = seqOfId.get(id);
        if (s === undefined) return [];
        return [s >= BATCH_SEQ_BASE ? added[s - BATCH_SEQ_BASE].item : entries.get(s)!];
      });
    },
    async getStoryItems(storyId, limit) {
      if (!members.has(storyId) && !added.some((a) => a.item.storyId === storyId && a.item.id === storyId)) await readMembers([storyId]);
      const stored = members.get(storyId) ?? [];
      if (stored.length >= limit) return stored.slice(0, limit);
      return [...stored, ...added.filter((a) => a.item.storyId === storyId).map((a) => a.item)].slice(0, limit);
    },
    async add(item, keys, distinctWords) {
      const seq = BATCH_SEQ_BASE + added.length;
      const entry: Added = { item, keys: [...new Set(keys)], seq, matchedId: null };
      added.push(entry);
      for (const k of entry.keys) {
        const list = addedByKey.get(k);
        if (list) list.push(entry);
        else addedByKey.set(k, [entry]);
      }
      seqOfId.set(item.id, seq);
      for (const w of new Set(distinctWords)) pendingWords.set(w, (pendingWords.get(w) ?? 0) + 1);
    },
    async documentFrequencies(words): Promise<DocumentFrequencies> {
      if (words.some((w) => !storedWords.has(w))) await readWords(words);
      return { total: storedTotal + added.length, counts: words.map((w) => storedWords.get(w)! + (pendingWords.get(w) ?? 0)) };
    },
    apartFrom(storyId) {
      return apart.get(storyId) ?? NONE_APART;
    },
    // The batch's caller holds the assignment lock for the whole batch.
    withAssignmentLock: (fn) => fn(),
    async writeEntries() {
      if (added.length === 0) return;
      // One row an entry, its keys an int4[] beside its fingerprint (each `{…}` literal cast per row): no key rows, whose
      // index entries were most of this write (~68 an entry). Fingerprints go as base64, not bytea's hex: a third fewer
      // bytes on the wire than hex's two a byte (~9 KB an article).
      await db.execute(
        sql`insert into dedup_entries (item_key, story_key, matched_key, source, published_at, fingerprint_version, fingerprint_packed, keys)
            select item_key, story_key, matched_key, source, published_at, ${FINGERPRINT_VERSION}, decode(fingerprint_packed, 'base64'), keys::int4[]
            from unnest(${textArray(added.map((a) => a.item.id))}::text[],
                        ${textArray(added.map((a) => a.item.storyId))}::text[],
                        ${textArray(added.map((a) => a.matchedId))}::text[],
                        ${textArray(added.map((a) => a.item.source))}::text[],
                        ${textArray(added.map((a) => new Date(a.item.publishedAt).toISOString()))}::timestamptz[],
                        ${textArray(added.map((a) => packFingerprint(a.item.fingerprint).toString('base64')))}::text[],
                        ${textArray(added.map((a) => intArray(a.keys)))}::text[])
              with ordinality as u(item_key, story_key, matched_key, source, published_at, fingerprint_packed, keys, i)
            order by i`,
      );
    },
    takePendingCounts() {
      return { words: pendingWords, entries: added.length };
    },
    catchUp,
    setMatched(matchedId) {
      if (added.length) added[added.length - 1].matchedId = matchedId;
    },
  };
}

const NONE_APART: readonly string[] = [];

/**
 * Dedup story keys an operator split apart (story_overrides): every part of the story an item was split from against
 * every part of the story made for it, both ways. Parts, not stories: dedup names a story by its first item's key, and a
 * story that took in another by a merge holds the parts of both. One statement; nothing when there are no splits.
 */
async function loadApartStoryKeys(db: Database): Promise<Map<string, string[]>> {
  const rows = await queryRows<{ a: string; b: string }>(
    db,
    sql`with sides as (
          select o.story_id as a, o.split_story_id as b from story_overrides o where o.kind = 'split'
        ), parts as (
          select distinct i.story_id, e.story_key from items i join dedup_entries e on e.item_key = i.id::text
          where i.story_id in (select a from sides union select b from sides)
        )
        select distinct pa.story_key as a, pb.story_key as b
        from sides join parts pa on pa.story_id = sides.a join parts pb on pb.story_id = sides.b
        where pa.story_key <> pb.story_key`,
  );
  const apart = new Map<string, string[]>();
  const note = (x: string, y: string) => {
    const list = apart.get(x) ?? [];
    if (!list.includes(y)) list.push(y);
    apart.set(x, list);
  };
  for (const r of rows) {
    note(r.a, r.b);
    note(r.b, r.a);
  }
  return apart;
}

/** A stored entry row with its seq (raw rows: see storedFingerprint for how drivers differ). */
type EntryRow = StoredEntryRow & { seq: string | number };

/** An entry row without its fingerprint (complete() adds it). */
type EntryMeta = Omit<EntryRow, 'fingerprint_packed' | 'fingerprint'>;
const ENTRY_META = sql.raw('seq, item_key, story_key, source, published_at');
