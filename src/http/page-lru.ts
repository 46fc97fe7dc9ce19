import { KhabarError, shortErrorMessage, toKhabarError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { EncodedFeed } from '../publish/encode-feed.js';

export interface PageLruOptions<K> {
  /** Bytes kept (identity + gzip + brotli of every page), least recently used dropped first. */
  maxBytes: number;
  /** How long a built page is served without asking the store anything. */
  freshMs: number;
  /** The store's change marker (FeedStore.version): equal markers mean a built page is still right. */
  version: () => Promise<string>;
  /** The page for `key` built from data as of `versionKey`, or null when there is none (not kept). */
  build: (key: K, versionKey: string) => Promise<EncodedFeed | null>;
  logger: Logger;
  clock?: () => number;
}

export interface PageLru<K> {
  get(key: K): Promise<EncodedFeed | null>;
  /** Bytes held now, and pages. */
  stats(): { bytes: number; pages: number };
}

interface Entry {
  encoded: EncodedFeed;
  bytes: number;
  checkedAt: number;
}

function sizeOf(encoded: EncodedFeed): number {
  return encoded.body.length + encoded.gzip.length + encoded.br.length;
}

/**
 * Built pages for keys clients choose (story ids): served while fresh, rebuilt only when the store's version moved,
 * held under a byte budget rather than a count, since one page can be a hundred times another. A page larger than
 * the whole budget is served but not kept. One build per key is in flight at a time, and concurrent version checks
 * share one query. When the store fails and a built copy exists, that copy keeps being served.
 */
export function createPageLru<K extends string | number>(options: PageLruOptions<K>): PageLru<K> {
  const clock = options.clock ?? Date.now;
  const entries = new Map<K, Entry>();
  const building = new Map<K, Promise<EncodedFeed | null>>();
  let bytes = 0;
  let versionInFlight: Promise<string> | null = null;

  function currentVersion(): Promise<string> {
    versionInFlight ??= options.version().finally(() => {
      versionInFlight = null;
    });
    return versionInFlight;
  }

  function forget(key: K): void {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= entry.bytes;
  }

  function remember(key: K, encoded: EncodedFeed): void {
    forget(key);
    const size = sizeOf(encoded);
    if (size > options.maxBytes) return;
    entries.set(key, { encoded, bytes: size, checkedAt: clock() });
    bytes += size;
    for (const [oldest] of entries) {
      if (bytes <= options.maxBytes) break;
      forget(oldest);
    }
  }

  async function refresh(key: K): Promise<EncodedFeed | null> {
    const previous = entries.get(key);
    try {
      // Version first, then load: a change in between leaves the page under the older marker, rebuilt next time.
      const versionKey = await currentVersion();
      if (previous && previous.encoded.versionKey === versionKey) {
        forget(key);
        entries.set(key, { ...previous, checkedAt: clock() });
        bytes += previous.bytes;
        return previous.encoded;
      }
      const encoded = await options.build(key, versionKey);
      if (encoded === null) forget(key);
      else remember(key, encoded);
      return encoded;
    } catch (err) {
      if (!previous) throw err instanceof KhabarError ? err : toKhabarError(err, 'DB_UNAVAILABLE');
      // Counting the failure as a check keeps a down database from being hit by every request.
      previous.checkedAt = clock();
      options.logger.warn({ code: toKhabarError(err).code, error: shortErrorMessage(err), key }, 'page store failed, serving stale copy');
      return previous.encoded;
    }
  }

  return {
    async get(key: K): Promise<EncodedFeed | null> {
      const entry = entries.get(key);
      if (entry && clock() - entry.checkedAt < options.freshMs) {
        // Recently used moves to the end: Map keeps insertion order, so the first key is the least recently used.
        entries.delete(key);
        entries.set(key, entry);
        return entry.encoded;
      }
      let pending = building.get(key);
      if (!pending) {
        pending = refresh(key).finally(() => building.delete(key));
        building.set(key, pending);
      }
      return pending;
    },
    stats: () => ({ bytes, pages: entries.size }),
  };
}
