import { setImmediate } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../db/client.js';
import { DEDUP_GENERATION, readDedupPosition } from '../db/queries/dedup-generation.js';

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
  /** Entries held, keys held over all of them, and the bytes of the arrays holding them (the benchmarks' figures). */
  size(): { entries: number; keys: number; bytes: number };
}

export interface WindowKeyMirrorOptions {
  /**
   * Entries published more than this before the latest window start asked are dropped (once they are a quarter of
   * those held): items arrive roughly in time order, so a window's own span behind it is enough, with slack for a
   * feed's older items. An older window is read again from Postgres when an item asks for it (an outlet's backlog: a
   * batch whose items are weeks old reads those weeks' keys once, and they are dropped again as new windows come).
   */
  keepMs: number;
}

const NONE = -1;
/** Rows applied between turns of the event loop when a window is read (~1–2 ms of work). */
const APPLY_SLICE_ROWS = 500;
/** A key table value of ONLY - slot (≤ ONLY) is a key's only posting, that slot; values ≥ 0 are nodes. */
const ONLY = -2;
const HOUR_MS = 3_600_000;

/**
 * WindowKeyMirrorOptions.keepMs for a story window of `windowHours` either side of an item: a window's half-span and a
 * day (with 72 h, entries back to 4 days before the newest window's start: the ~7 days a steady stream's windows span).
 */
export function keepMsFor(windowHours: number): number {
  return (windowHours + 24) * HOUR_MS;
}

export function createWindowKeyMirror(options: WindowKeyMirrorOptions): WindowKeyMirror {
  let generation: number | null = null;
  let maxSeq = 0;
  /** Every committed entry published at or after this is held (Infinity: none). */
  let lo = Number.POSITIVE_INFINITY;
  /** Highest `fromMs` read: what the release horizon follows. */
  let newestFrom = Number.NEGATIVE_INFINITY;

  // Entries by slot: publication time and seq. Postings: key → its one slot (most keys: a 3-gram one article has), or
  // its newest node, nodes chained (each a slot, 8 bytes). Nothing else is kept per entry: dropping old entries reads
  // the window again from Postgres.
  let slots = 0;
  let times = new Float64Array(1024);
  let seqs = new Float64Array(1024);
  let slotBySeq = new Map<number, number>();
  let heads = new KeyHeads();
  let nodeSlot = new Int32Array(16_384);
  let nodeNext = new Int32Array(16_384);
  let nodes = 0;
  /** Postings held: one per key of every entry held. */
  let postingCount = 0;
  /** Slots published before `lo` (left out of answers; dropped once they are a quarter of those held). */
  let stale = 0;

  let chain: Promise<unknown> = Promise.resolve();
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  }

  function clear(): void {
    slots = 0;
    nodes = 0;
    postingCount = 0;
    stale = 0;
    slotBySeq = new Map();
    heads = new KeyHeads();
    times = new Float64Array(1024);
    seqs = new Float64Array(1024);
    nodeSlot = new Int32Array(16_384);
    nodeNext = new Int32Array(16_384);
    lo = Number.POSITIVE_INFINITY;
  }

  function apply(seq: number, at: number, keys: ArrayLike<number>): void {
    if (at < lo || slotBySeq.has(seq)) return;
    const slot = slots++;
    if (slot >= times.length) {
      times = grown(times, slot + 1);
      seqs = grown(seqs, slot + 1);
    }
    times[slot] = at;
    seqs[slot] = seq;
    slotBySeq.set(seq, slot);
    // At most two nodes a key: a key's first posting is held in its table cell, and moves to a node with the second.
    if (nodes + 2 * keys.length > nodeSlot.length) {
      nodeSlot = grown(nodeSlot, nodes + 2 * keys.length);
      nodeNext = grown(nodeNext, nodes + 2 * keys.length);
    }
    postingCount += keys.length;
    for (let i = 0; i < keys.length; i++) {
      const cell = heads.cell(keys[i]);
      const h = heads.value(cell);
      if (h === NONE) {
        heads.set(cell, ONLY - slot);
        continue;
      }
      let next = h;
      if (h <= ONLY) {
        nodeSlot[nodes] = ONLY - h;
        nodeNext[nodes] = NONE;
        next = nodes++;
      }
      nodeSlot[nodes] = slot;
      nodeNext[nodes] = next;
      heads.set(cell, nodes++);
    }
  }

  /** Moves `lo` up to the release horizon; true when the slots below it should be dropped (read the window again). */
  function release(): boolean {
    const horizon = newestFrom - options.keepMs;
    if (!(horizon > lo)) return false;
    lo = horizon;
    countStale();
    return stale * 4 > slots;
  }

  function countStale(): void {
    stale = 0;
    for (let s = 0; s < slots; s++) if (times[s] < lo) stale++;
  }

  const answers: WindowPostings = {
    postings(key, fromMs, toMs, max) {
      const out: number[] = [];
      const h = heads.first(key);
      if (h <= ONLY) {
        const t = times[ONLY - h];
        if (t < fromMs || t > toMs || t < lo) return out;
        if (max === 0) return null;
        out.push(seqs[ONLY - h]);
        return out;
      }
      for (let n = h; n !== NONE; n = nodeNext[n]) {
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
      ({ generation, maxSeq } = await readDedupPosition(db));
      return { generation, maxSeq };
    }
    // The generation and what was added since, in one statement (one snapshot).
    const rows = await queryRows<{ generation: string | number | null; seq: string | number | null; published_at: string | Date | null; keys: KeysValue }>(
      db,
      sql`select ${DEDUP_GENERATION} as generation, null::int8 as seq, null::timestamptz as published_at, null::int4[] as keys
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
    // Only the part not held: below `lo` (everything, when nothing is held).
    const below = lo === Number.POSITIVE_INFINITY ? sql`` : sql`and published_at < ${new Date(lo).toISOString()}::timestamptz`;
    const rows = await queryRows<{ seq: string | number; published_at: string | Date; keys: KeysValue }>(
      db,
      sql`select seq, published_at, keys from dedup_entries
          where published_at >= ${new Date(fromMs).toISOString()}::timestamptz ${below} and keys is not null order by seq`,
    );
    // Held from fromMs on now. Slots released earlier but not yet compacted are still exact (an entry changes only with
    // the generation): apply() skips them, and answers include them again.
    lo = fromMs;
    // A few days of a busy instance's entries is hundreds of thousands of rows: applied a slice at a time, so the
    // server sharing this process's event loop (`khabar start`) keeps answering meanwhile.
    for (let i = 0; i < rows.length; i++) {
      if (i > 0 && i % APPLY_SLICE_ROWS === 0) await setImmediate();
      const r = rows[i];
      apply(Number(r.seq), new Date(r.published_at).getTime(), intValues(r.keys));
    }
    countStale();
  }

  return {
    refresh: (db) => serial(() => refreshNow(db)),
    read: (db, fromMs, fn) =>
      serial(async () => {
        if (generation === null) await refreshNow(db);
        await cover(db, fromMs);
        const result = fn(answers);
        if (fromMs > newestFrom) newestFrom = fromMs;
        // Dropping is starting afresh: the next read reads its window again into new arrays (in a steady stream, about
        // once for every quarter of the kept span that windows move on).
        if (release()) clear();
        return result;
      }),
    size: () => ({ entries: slots - stale, keys: postingCount, bytes: times.byteLength + seqs.byteLength + nodeSlot.byteLength + nodeNext.byteLength + heads.bytes }),
  };
}

type KeysValue = number[] | string | null;

/** int4[] as drivers return it: numbers (postgres.js, PGlite), or the `{1,2}` text form. */
function intValues(v: KeysValue): ArrayLike<number> {
  if (v === null) return [];
  if (typeof v === 'string') return v === '{}' ? [] : v.slice(1, -1).split(',').map(Number);
  return v;
}

/** Grows a typed array by half (at least to `need`): a third less slack on average than doubling. */
function grown<A extends Float64Array | Int32Array>(a: A, need: number): A {
  let n = Math.max(16, a.length);
  while (n < need) n = Math.ceil(n * 1.5);
  const b = new (a.constructor as { new (n: number): A })(n);
  b.set(a);
  return b;
}

/** int32 key → node index (the head of its chain), open addressing, filled up to 70 %: 8 bytes a slot. */
class KeyHeads {
  private keys = new Int32Array(1 << 14);
  private heads = new Int32Array(1 << 14).fill(NONE);
  private used = 0;

  get bytes(): number {
    return this.keys.byteLength + this.heads.byteLength;
  }

  /** The key's value (its only slot as ONLY - slot, or its newest node), or NONE. */
  first(key: number): number {
    const mask = this.keys.length - 1;
    for (let i = mix(key) & mask; ; i = (i + 1) & mask) {
      const h = this.heads[i];
      if (h === NONE) return NONE;
      if (this.keys[i] === key) return h;
    }
  }

  /** The key's cell, taken (value NONE) when it had none. */
  cell(key: number): number {
    if ((this.used + 1) * 10 > this.keys.length * 7) this.grow();
    const mask = this.keys.length - 1;
    for (let i = mix(key) & mask; ; i = (i + 1) & mask) {
      if (this.heads[i] === NONE) {
        this.keys[i] = key;
        this.used++;
        return i;
      }
      if (this.keys[i] === key) return i;
    }
  }

  value(cell: number): number {
    return this.heads[cell];
  }

  set(cell: number, value: number): void {
    this.heads[cell] = value;
  }

  private grow(): void {
    const { keys, heads } = this;
    this.keys = new Int32Array(keys.length * 2);
    this.heads = new Int32Array(keys.length * 2).fill(NONE);
    const mask = this.keys.length - 1;
    for (let j = 0; j < keys.length; j++) {
      if (heads[j] === NONE) continue;
      let i = mix(keys[j]) & mask;
      while (this.heads[i] !== NONE) i = (i + 1) & mask;
      this.keys[i] = keys[j];
      this.heads[i] = heads[j];
    }
  }
}

// Index keys are hashes already, but mixed again so that sequential test keys spread too.
function mix(key: number): number {
  return Math.imul(key ^ (key >>> 16), 0x45d9f3b);
}
