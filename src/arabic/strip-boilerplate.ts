import { normalizeText } from './normalize-text.js';
import type { NormalizedLine } from './split-lines.js';

/**
 * Scraped junk that outlets append to every article. Compared after normalization, so spelling variants
 * («اظهر» / «أظهر», «ايضا» / «أيضاً») match too.
 */
const BUILT_IN_LINES = new Set(
  ['اظهر المزيد', 'زر الذهاب إلى الأعلى', 'اقرأ أيضا', 'اقرأ المزيد', 'شاهد أيضا', 'المصدر'].map(normalizeText),
);
// "اقرأ أيضا: <another article's headline>" links elsewhere: not this report's text.
const BUILT_IN_PREFIXES = ['اقرأ أيضا', 'اقرأ المزيد', 'شاهد أيضا'].map((p) => normalizeText(p) + ' ');
const MAX_PREFIXED_WORDS = 20;

/*
 * WordPress's "The post <title> appeared first on <site>." footer: what `/^\s*the post .* appeared first on .*$/i`
 * matched, in three linear steps. That regex, on a line with many " appeared first on " and a line separator
 * (U+2028) at the end, retried the rest of the line from every occurrence (quadratic). Both ".*" forbid line
 * terminators, so the whole rest of the line must be free of them.
 */
const WORDPRESS_FOOTER_START = /^\s*the post /i;
const WORDPRESS_FOOTER_MIDDLE = / appeared first on /i;
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

function isWordpressFooter(raw: string): boolean {
  const start = WORDPRESS_FOOTER_START.exec(raw);
  if (!start) return false;
  const rest = raw.slice(start[0].length);
  return !LINE_TERMINATOR.test(rest) && WORDPRESS_FOOTER_MIDDLE.test(rest);
}

export function isBuiltInBoilerplate(line: NormalizedLine): boolean {
  if (line.text === '') return true;
  if (BUILT_IN_LINES.has(line.text)) return true;
  if (isWordpressFooter(line.raw)) return true;
  return BUILT_IN_PREFIXES.some((p) => line.text.startsWith(p) && wordCountAtMost(line.text, MAX_PREFIXED_WORDS));
}

/** Drops the built-in junk lines. */
export function stripBoilerplate(lines: NormalizedLine[]): NormalizedLine[] {
  return lines.filter((line) => !isBuiltInBoilerplate(line));
}

/** Words a title-echo footer may put before the headline ("رابط الخبر بصحيفة الوئام", "المصدر", a date). */
const MAX_ECHO_PREFIX_WORDS = 6;

/**
 * Drops body lines that only repeat the headline: the headline alone (set again as a subheading), or the headline at
 * the end of a short prefix — an outlet's footer such as «رابط الخبر بصحيفة الوئام: <headline>». The repeated-line
 * tracker cannot learn such a footer (it changes with every headline), and kept, it makes two title-only items of one
 * outlet (photo galleries: "Ramadan in Libya" / "… in Palestine") look like texts sharing most of their words. A line
 * that goes on after the headline ("<headline> in Jeddah this evening", a lead that opens with it) is report text and
 * stays. Whole words only. `title` is the item's headline, normalized.
 */
export function dropTitleEchoes(lines: NormalizedLine[], title: string): NormalizedLine[] {
  if (!title.includes(' ')) return lines; // one word is too little to recognise an echo
  return lines.filter((line) => !isTitleEcho(line.text, title));
}

function isTitleEcho(text: string, title: string): boolean {
  if (text === title) return true;
  if (!text.endsWith(` ${title}`)) return false;
  return wordCountAtMost(text.slice(0, text.length - title.length - 1), MAX_ECHO_PREFIX_WORDS);
}

function wordCountAtMost(text: string, max: number): boolean {
  let words = 1;
  for (let i = text.indexOf(' '); i !== -1; i = text.indexOf(' ', i + 1)) if (++words > max) return false;
  return true;
}

export interface RepeatedLineTracker {
  /** Drops the lines this source used in at least `minRepeats` of its recent items, then remembers these. */
  strip(source: string, lines: NormalizedLine[]): NormalizedLine[];
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
 * State is per process: in a worker it warms up after a few items per source, which only means a few items
 * keep their footer — a slightly lower overlap score, never a false merge.
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
      const kept: NormalizedLine[] = [];
      for (const line of lines) {
        const short = wordCountAtMost(line.text, maxWords);
        if (short) keys.add(line.text);
        if (short && (state.counts.get(line.text) ?? 0) >= minRepeats) continue;
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

/*
 * Lines a page renders anew on every request: a relative time («منذ 5 دقائق», «آخر تحديث: قبل ساعتين») or a counter
 * («عدد المشاهدات: 1,234», «350 مشاهدة»). Whole lines only, and only these words: a sentence that mentions minutes or
 * readers is report text. Compared word by word on normalized text, so the word lists are normalized too.
 */
const normalizedSet = (words: string[]) => new Set(words.map(normalizeText));
const TIME_UNITS = normalizedSet(['ثانية', 'ثانيتين', 'ثوان', 'ثواني', 'دقيقة', 'دقيقتين', 'دقائق', 'ساعة', 'ساعتين', 'ساعات', 'يوم', 'يومين', 'أيام', 'أسبوع', 'أسبوعين', 'أسابيع', 'شهر', 'شهرين', 'أشهر', 'شهور']);
const TIME_PREFIXES = ['آخر تحديث', 'تم التحديث', 'تحديث', 'تم النشر', 'نشر', 'منشور'].map((p) => normalizeText(p).split(' '));
const AGO = normalizedSet(['منذ', 'قبل']);
const COUNTED = normalizedSet(['مشاهدة', 'مشاهدات', 'المشاهدات', 'المشاهدة', 'قراءة', 'قراءات', 'القراءات', 'زيارة', 'زيارات', 'الزيارات', 'تعليق', 'تعليقاً', 'تعليقات', 'التعليقات', 'views', 'reads', 'comments']);
const COUNT_OF = normalizeText('عدد');
const EN_UNITS = new Set(['second', 'minute', 'hour', 'day', 'week', 'month'].flatMap((u) => [u, `${u}s`]));
const EN_ONE = new Set(['a', 'an', 'one']);
const EN_PREFIXES = new Set(['updated', 'posted']);
// "1,234" normalizes to "1234"; "1.234" stays.
const NUMBER = /^\d[\d.,]*$/;
/** Such a line is a few words: a longer one is not looked at. */
const MAX_VOLATILE_WORDS = 6;

/**
 * A line that changes on every fetch without anything a reader cares about changing (a relative time, a view or comment
 * counter). Not boilerplate for dedup (one short line weighs nothing there); the source digest (domain/source-digest.ts)
 * leaves it out, so that such a line does not make every fetch an outlet's correction.
 */
export function isVolatileLine(line: NormalizedLine): boolean {
  if (!wordCountAtMost(line.text, MAX_VOLATILE_WORDS)) return false;
  const words = line.text.split(' ');
  return isRelativeTime(words) || isRelativeTimeEn(words) || isCounter(words);
}

/** [prefix] منذ|قبل [number] unit */
function isRelativeTime(words: string[]): boolean {
  const prefix = TIME_PREFIXES.find((p) => p.every((w, i) => words[i] === w))?.length ?? 0;
  const rest = words.slice(prefix);
  if (rest.length === 3 && !NUMBER.test(rest[1]!)) return false;
  return (rest.length === 2 || rest.length === 3) && AGO.has(rest[0]!) && TIME_UNITS.has(rest[rest.length - 1]!);
}

/** [updated|posted] number|a|an|one unit(s) ago */
function isRelativeTimeEn(words: string[]): boolean {
  const rest = EN_PREFIXES.has(words[0]!) ? words.slice(1) : words;
  return rest.length === 3 && (NUMBER.test(rest[0]!) || EN_ONE.has(rest[0]!)) && EN_UNITS.has(rest[1]!) && rest[2] === 'ago';
}

/** [عدد] counted [number], or number counted */
function isCounter(words: string[]): boolean {
  if (words.length === 2 && NUMBER.test(words[0]!) && COUNTED.has(words[1]!)) return true;
  const rest = words[0] === COUNT_OF ? words.slice(1) : words;
  return (rest.length === 1 || (rest.length === 2 && NUMBER.test(rest[1]!))) && COUNTED.has(rest[0]!);
}
