export type ParsedLimit = { ok: true; value: number } | { ok: false; message: string };

/**
 * `?limit=`: absent means the default, larger than the maximum is clamped (readers ask for "everything"), anything
 * that is not a positive whole number is the client's mistake and says so.
 */
export function parseLimit(raw: string | undefined, defaultLimit: number, maxLimit: number): ParsedLimit {
  if (raw === undefined) return { ok: true, value: defaultLimit };
  const trimmed = raw.trim();
  if (!/^\d+$/.test(trimmed)) return { ok: false, message: `limit must be a positive whole number (got "${raw.slice(0, 32)}")` };
  const value = Number(trimmed);
  if (value <= 0) return { ok: false, message: 'limit must be at least 1' };
  return { ok: true, value: Math.min(value, maxLimit) };
}

export type ParsedCategory = { ok: true; value: string | null } | { ok: false; message: string };

/** `?category=`: a feeds.yaml category (free text, Arabic allowed); empty or absent means every category. */
export function parseCategory(raw: string | undefined): ParsedCategory {
  const value = raw?.trim() ?? '';
  if (value === '') return { ok: true, value: null };
  if (value.length > 64 || /[\u0000-\u001f]/.test(value)) return { ok: false, message: 'category must be at most 64 printable characters' };
  return { ok: true, value };
}
