import { MAX_CATEGORY_CHARS } from '../config/limits.js';

/**
 * The only page sizes a feed is built in. `?limit=` is client-chosen: served as asked, every value would be its own
 * load, render and compression, and its own cache entry. Rounded up to one of these, a page has at most this many
 * documents per (format, category), whatever clients send. Any page that takes a limit keys its cache by these.
 */
export const PAGE_SIZES = [20, 50, 100, 200, 500] as const;

export type PageSize = (typeof PAGE_SIZES)[number];

export const DEFAULT_PAGE_SIZE: PageSize = 50;

/** The smallest page size that holds `limit` entries; past the largest, the largest (readers ask for "everything"). */
export function roundLimitUp(limit: number): PageSize {
  // A loop, not find(): this runs on every feed request.
  for (const size of PAGE_SIZES) if (size >= limit) return size;
  return PAGE_SIZES[PAGE_SIZES.length - 1]!;
}

export type ParsedLimit = { ok: true; value: PageSize } | { ok: false; message: string };

/**
 * `?limit=`: absent means the default, anything else is rounded up to a page size (larger than the largest is
 * clamped to it); anything that is not a positive whole number is the client's mistake and says so.
 */
export function parseLimit(raw: string | undefined, defaultLimit: number = DEFAULT_PAGE_SIZE): ParsedLimit {
  if (raw === undefined) return { ok: true, value: roundLimitUp(defaultLimit) };
  const trimmed = raw.trim();
  if (!/^\d+$/.test(trimmed)) return { ok: false, message: `limit must be a positive whole number (got "${raw.slice(0, 32)}")` };
  const value = Number(trimmed);
  if (value <= 0) return { ok: false, message: 'limit must be at least 1' };
  return { ok: true, value: roundLimitUp(value) };
}

export type ParsedCategory = { ok: true; value: string | null } | { ok: false; message: string };

/** `?category=`: a feeds.yaml category (free text, Arabic allowed); empty or absent means every category. */
export function parseCategory(raw: string | undefined): ParsedCategory {
  const value = raw?.trim() ?? '';
  if (value === '') return { ok: true, value: null };
  if (value.length > MAX_CATEGORY_CHARS || /[\u0000-\u001f]/.test(value)) {
    return { ok: false, message: `category must be at most ${MAX_CATEGORY_CHARS} printable characters` };
  }
  return { ok: true, value };
}
