import { normalizeText } from './normalize-text.js';

/**
 * Scraped junk that outlets append to every article. Compared after normalization, so spelling variants
 * («اظهر» / «أظهر», «ايضا» / «أيضاً») match too.
 */
const BUILT_IN_LINES = new Set(
  ['اظهر المزيد', 'زر الذهاب إلى الأعلى', 'اقرأ أيضا', 'اقرأ أيضاً', 'اقرأ المزيد', 'شاهد أيضا', 'المصدر'].map(normalizeText),
);
const BUILT_IN_PREFIXES = ['اقرأ أيضا', 'اقرأ ايضا'].map(normalizeText);
const WORDPRESS_FOOTER = /^the post .* appeared first on .*$/i;

export function isBuiltInBoilerplate(line: string): boolean {
  const trimmed = line.trim();
  if (WORDPRESS_FOOTER.test(trimmed)) return true;
  const norm = normalizeText(trimmed);
  if (norm === '') return true;
  if (BUILT_IN_LINES.has(norm)) return true;
  // "اقرأ أيضا: <headline of another article>" links elsewhere: not this report's text.
  return BUILT_IN_PREFIXES.some((p) => norm.startsWith(p + ' ') && norm.split(' ').length <= 20);
}

export interface RepeatedLineTracker {
  /** Lines of `text` that this source used in at least `minRepeats` of its recent items. */
  strip(source: string, lines: string[]): string[];
}

export interface RepeatedLineTrackerOptions {
  /** How many recent items per source are remembered. */
  windowItems?: number;
  /** A line seen in this many earlier items of the source is boilerplate. */
  minRepeats?: number;
  /** Longer lines are report text, never a footer: a source republishing its own report keeps it. */
  maxWords?: number;
}

/**
 * Per-source footers ("تابعونا على تويتر", a signature, a copyright line) that the built-in list cannot know.
 * State is per process; in a worker it warms up after a few items per source, which only means a few
 * items keep their footer — the cost is a slightly lower score, never a false merge.
 */
export function createRepeatedLineTracker(options: RepeatedLineTrackerOptions = {}): RepeatedLineTracker {
  const windowItems = options.windowItems ?? 50;
  const minRepeats = options.minRepeats ?? 3;
  const maxWords = options.maxWords ?? 25;
  const bySource = new Map<string, { recent: string[][]; counts: Map<string, number> }>();

  return {
    strip(source, lines) {
      let state = bySource.get(source);
      if (!state) {
        state = { recent: [], counts: new Map() };
        bySource.set(source, state);
      }
      const keys = new Set<string>();
      const kept: string[] = [];
      for (const line of lines) {
        const norm = normalizeText(line);
        const short = norm !== '' && norm.split(' ').length <= maxWords;
        if (short) keys.add(norm);
        if (short && (state.counts.get(norm) ?? 0) >= minRepeats) continue;
        kept.push(line);
      }
      const keyList = [...keys];
      for (const k of keyList) state.counts.set(k, (state.counts.get(k) ?? 0) + 1);
      state.recent.push(keyList);
      if (state.recent.length > windowItems) {
        for (const k of state.recent.shift()!) {
          const c = state.counts.get(k)! - 1;
          if (c === 0) state.counts.delete(k);
          else state.counts.set(k, c);
        }
      }
      return kept;
    },
  };
}

/** Splits plain text into lines and drops the built-in junk lines. */
export function stripBoilerplate(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => !isBuiltInBoilerplate(line));
}
