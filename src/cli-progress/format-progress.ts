/** What a long-running command has done so far; the fields it does not track stay unset and are left out of the line. */
export interface ProgressSnapshot {
  /** The command, first on the line: `fetch`, `cluster`. */
  label: string;
  elapsedMs: number;
  items: number;
  feedsDone?: number;
  feedsTotal?: number;
  errors?: number;
  stories?: number;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Items per second: one decimal below 10 (a slow fetch pass), whole numbers above; 0 before any time has passed. */
export function formatRate(items: number, elapsedMs: number): string {
  if (elapsedMs <= 0 || items <= 0) return '0';
  const rate = (items * 1000) / elapsedMs;
  return rate < 10 ? rate.toFixed(1) : String(Math.round(rate));
}

/**
 * One progress line, without control characters:
 * `fetch: 3/10 feeds, 120 items, 45.2 items/s, 1 error, 2.6 s` or `cluster: 1200 items, 2400 items/s, 800 stories, 0.5 s`.
 * Plain digits, so a log reader or a test can read the numbers back.
 */
export function formatProgress(p: ProgressSnapshot): string {
  const parts: string[] = [];
  if (p.feedsTotal !== undefined) parts.push(`${p.feedsDone ?? 0}/${p.feedsTotal} feeds`);
  parts.push(plural(p.items, 'item'), `${formatRate(p.items, p.elapsedMs)} items/s`);
  if (p.errors !== undefined) parts.push(plural(p.errors, 'error'));
  if (p.stories !== undefined) parts.push(plural(p.stories, 'story', 'stories'));
  parts.push(`${(Math.max(0, p.elapsedMs) / 1000).toFixed(1)} s`);
  return `${p.label}: ${parts.join(', ')}`;
}
