import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../db/client.js';
import { IntCounter } from './int-counter.js';

/** Where the stored index stands: the dedup generation and the highest entry seq committed (dedup-generation.ts). */
export interface IndexPosition {
  generation: number;
  maxSeq: number;
}

/** A held entry's postings by key, in the window asked: what the inverted index answers. */
export interface WindowPostings {
  /** Seqs of the entries carrying `key` published in [fromMs, toMs]; null when more than `max` do. */
  postings(key: number, fromMs: number, toMs: number, max: number): number[] | null;
}

/**
 * This process's copy of the stored inverted index (dedup_entries.keys): which entries carry each index key, and when
 * they were published. Batches ask it for their postings instead of asking Postgres for thousands of (key, window)
 * probes a batch (the largest read of story assignment), and no key rows are written: an entry stores its keys as one
 * int4[] beside its fingerprint.
 *
 * It holds every committed entry published from `lo` on, up to the position of its last refresh (and maybe some
 * committed later: applying an entry twice changes nothing). Entries are added only under the assignment lock, which is
 * held to commit, so what was committed since a position is exactly the entries with a higher seq: refresh() reads
 * those, and under the lock that makes the copy exact. Anything else that changes entries (a reindex, retention, an
 * operator's split or merge, pruning old keys) moves the dedup generation, and then the copy is dropped and read again
 * for the windows asked. Entries published long before the windows asked lately are dropped to bound memory (read
 * again if an old item's window needs them).
 *
 * Reads and refreshes run one at a time, so a window read and the answers taken from it are never split by a refresh
 * or a release.
 */
export interface WindowKeyMirror {
  /** Reads what was committed since the last refresh (everything, if the generation moved). Returns the position held. */
  refresh(db: Database): Promise<IndexPosition>;
  /**
   * Makes sure every committed entry published from `fromMs` on is held (reading the part not held), then runs `fn`
   * on the postings, before any other refresh or read.
   */
  read<T>(db: Database, fromMs: number, fn: (postings: WindowPostings) => T): Promise<T>;
  /** Entries held, and keys held over all of them (the benchmark's and the tests' figure). */
  size(): { entries: number; keys: number };
}

export interface WindowKeyMirrorOptions {
  /**
   * Entries published this long before the earliest window last read are dropped (once they are a quarter of those
   * held). The story window's span (2 × window hours) and a day is a good value: items arrive roughly in time order.
   */
  keepMs: number;
}

const NONE = -1;
const HOUR_MS = 3_600_000;

/** WindowKeyMirrorOptions.keepMs for a story window of `windowHours` either side of an item: its span and a day. */
export function keepMsFor(windowHours: number): number {
  return (2 * windowHours + 24) * HOUR_MS;
}

export function createWindowKeyMirror(options: WindowKeyMirrorOptions): WindowKeyMirror {
  let generation: number | null = null;
  let maxSeq = 0;
  /** Every committed entry published at or after this is held (Infinity: none). */
  let lo = Number.POSITIVE_INFINITY;
  /** Highest `fromMs` read: what the release horizon follows. */
  let newestFrom = Number.NEGATIVE_INFINITY;

  // Entries by slot: publication time, seq, and their keys as a range of `keyPool`.
  let slots = 0;
  let times = new Float64Array(1024);
  let seqs = new Float64Array(1024);
  let keyStart = new Int32Array(1024);
  let keyCount = new Int32Array(1024);
  let keyPool = new Int32Array(16_384);
  let keysUsed = 0;
  let slotBySeq = new Map<number, number>();
  // Postings: key → first node, nodes chained (each a slot), newest first.
  let heads = new IntCounter();
  let nodeSlot = new Int32Array(16_384);
  let nodeNext = new Int32Array(16_384);
  let nodes = 0;
  /** Slots published before `lo` (dropped from answers, not yet from the arrays). */
  let stale = 0;

  let chain: Promise<unknown> = Promise.resolve();
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  }

  function clear(): void {
    slots = 0;
    keysUsed = 0;
    nodes = 0;
    stale = 0;
    slotBySeq = new Map();
    heads = new IntCounter();
    lo = Number.POSITIVE_INFINITY;
  }

  function grown<A extends Float64Array | Int32Array>(a: A, need: number): A {
    if (need <= a.length) return a;
    let n = a.length * 2;
    while (n < need) n *= 2;
    const b = new (a.constructor as { new (n: number): A })(n);
    b.set(a);
    return b;
  }

  function apply(seq: number, at: number, keys: ArrayLike<number>): void {
    if (at < lo || slotBySeq.has(seq)) return;
    const slot = slots++;
    if (slot >= times.length) {
      times = grown(times, slot + 1);
      seqs = grown(seqs, slot + 1);
      keyStart = grown(keyStart, slot + 1);
      keyCount = grown(keyCount, slot + 1);
    }
    times[slot] = at;
    seqs[slot] = seq;
    keyStart[slot] = keysUsed;
    keyCount[slot] = keys.length;
    slotBySeq.set(seq, slot);
    keyPool = grown(keyPool, keysUsed + keys.length);
    nodeSlot = grown(nodeSlot, nodes + keys.length);
    nodeNext = grown(nodeNext, nodes + keys.length);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      keyPool[keysUsed++] = key;
      const head = heads.lookup(key);
      nodeSlot[nodes] = slot;
      nodeNext[nodes] = head;
      heads.set(key, nodes++);
    }
  }

  /** Drops the slots published before `before`, rebuilding the arrays from those kept. */
  function compact(before: number): void {
    const kept: number[] = [];
    for (let s = 0; s < slots; s++) if (times[s] >= before) kept.push(s);
    const old = { times, seqs, keyStart, keyCount, keyPool };
    times = new Float64Array(Math.max(1024, kept.length * 2));
    seqs = new Float64Array(times.length);
    keyStart = new Int32Array(times.length);
    keyCount = new Int32Array(times.length);
    const keyTotal = kept.reduce((n, s) => n + old.keyCount[s], 0);
    keyPool = new Int32Array(Math.max(16_384, keyTotal * 2));
    nodeSlot = new Int32Array(keyPool.length);
    nodeNext = new Int32Array(keyPool.length);
    clear();
    lo = before;
    for (const s of kept) apply(old.seqs[s], old.times[s], old.keyPool.subarray(old.keyStart[s], old.keyStart[s] + old.keyCount[s]));
  }

  function release(): void {
    const horizon = newestFrom - options.keepMs;
    if (!(horizon > lo)) return;
    lo = horizon;
    stale = 0;
    for (let s = 0; s < slots; s++) if (times[s] < lo) stale++;
    if (stale * 4 > slots) compact(lo);
  }

  const answers: WindowPostings = {
    postings(key, fromMs, toMs, max) {
      const out: number[] = [];
      for (let n = heads.lookup(key); n !== NONE; n = nodeNext[n]) {
        const t = times[nodeSlot[n]];
        if (t < fromMs || t > toMs || t < lo) continue;
        if (out.length === max) return null;
        out.push(seqs[nodeSlot[n]]);
      }
      return out;
    },
  };

  async function refreshNow(db: Database): Promise<IndexPosition> {
    if (generation === null) {
      // Nothing held yet: where the index stands; read() reads the windows asked.
      const [row] = await queryRows<{ generation: string | number; max_seq: string | number | null }>(db, positionSql);
      generation = Number(row?.generation ?? 0);
      maxSeq = Number(row?.max_seq ?? 0);
      return { generation, maxSeq };
    }
    // The generation and what was added since, in one statement (one snapshot).
    const rows = await queryRows<{ generation: string | number | null; seq: string | number | null; published_at: string | Date | null; keys: KeysValue }>(
      db,
      sql`select (select case when is_called then last_value else 0 end from dedup_generation) as generation, null::int8 as seq, null::timestamptz as published_at, null::int4[] as keys
          union all
          select null, seq, published_at, keys from dedup_entries where seq > ${maxSeq} and keys is not null`,
    );
    const now = Number(rows.find((r) => r.generation !== null)?.generation ?? 0);
    if (now !== generation) {
      clear();
      generation = null;
      return refreshNow(db);
    }
    for (const r of rows) {
      if (r.seq === null) continue;
      const seq = Number(r.seq);
      apply(seq, new Date(r.published_at!).getTime(), intValues(r.keys));
      if (seq > maxSeq) maxSeq = seq;
    }
    return { generation, maxSeq };
  }

  async function cover(db: Database, fromMs: number): Promise<void> {
    if (fromMs >= lo) return;
    const upTo = lo;
    const rows = await queryRows<{ seq: string | number; published_at: string | Date; keys: KeysValue }>(
      db,
      upTo === Number.POSITIVE_INFINITY
        ? sql`select seq, published_at, keys from dedup_entries where published_at >= ${new Date(fromMs).toISOString()}::timestamptz and keys is not null order by seq`
        : sql`select seq, published_at, keys from dedup_entries
              where published_at >= ${new Date(fromMs).toISOString()}::timestamptz and published_at < ${new Date(upTo).toISOString()}::timestamptz
                and keys is not null order by seq`,
    );
    // Held from fromMs on now. Slots released earlier but not yet compacted are still exact (an entry changes only with
    // the generation): apply() skips them, and answers include them again.
    lo = fromMs;
    for (const r of rows) apply(Number(r.seq), new Date(r.published_at).getTime(), intValues(r.keys));
    stale = 0;
    for (let s = 0; s < slots; s++) if (times[s] < lo) stale++;
  }

  return {
    refresh: (db) => serial(() => refreshNow(db)),
    read: (db, fromMs, fn) =>
      serial(async () => {
        if (generation === null) await refreshNow(db);
        await cover(db, fromMs);
        const result = fn(answers);
        if (fromMs > newestFrom) newestFrom = fromMs;
        release();
        return result;
      }),
    size: () => ({ entries: slots - stale, keys: keysUsed }),
  };
}

type KeysValue = number[] | string | null;

const positionSql = sql`select (select case when is_called then last_value else 0 end from dedup_generation) as generation,
                               (select max(seq) from dedup_entries) as max_seq`;

/** int4[] as drivers return it: numbers (postgres.js, PGlite), or the `{1,2}` text form. */
function intValues(v: KeysValue): ArrayLike<number> {
  if (v === null) return [];
  if (typeof v === 'string') return v === '{}' ? [] : v.slice(1, -1).split(',').map(Number);
  return v;
}
