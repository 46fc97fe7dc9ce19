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
