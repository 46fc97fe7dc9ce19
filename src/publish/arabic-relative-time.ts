/**
 * «منذ ٣ ساعات», «بعد دقيقتين»: how long ago (or how soon) in Arabic, with Arabic-Indic digits and the number
 * agreement Arabic grammar asks for: 1 and 2 are words (the singular and the dual), 3–10 take the plural, 11–99 the
 * singular accusative (يومًا), 100 and up the singular again unless the last two digits say otherwise (١٠٣ أيام).
 * Pure: the caller passes "now", so pages built from the same data at the same minute are the same bytes.
 */

interface Unit {
  /** Milliseconds in one unit. */
  ms: number;
  one: string;
  two: string;
  /** 3–10. */
  plural: string;
  /** 11–99 (tamyiz: accusative singular). */
  accusative: string;
  /** 100, 101, 102, 200, …: genitive singular. */
  genitive: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const UNITS: Unit[] = [
  { ms: MINUTE, one: 'دقيقة', two: 'دقيقتين', plural: 'دقائق', accusative: 'دقيقة', genitive: 'دقيقة' },
  { ms: HOUR, one: 'ساعة', two: 'ساعتين', plural: 'ساعات', accusative: 'ساعة', genitive: 'ساعة' },
  { ms: DAY, one: 'يوم', two: 'يومين', plural: 'أيام', accusative: 'يومًا', genitive: 'يوم' },
  { ms: 7 * DAY, one: 'أسبوع', two: 'أسبوعين', plural: 'أسابيع', accusative: 'أسبوعًا', genitive: 'أسبوع' },
  { ms: 30 * DAY, one: 'شهر', two: 'شهرين', plural: 'أشهر', accusative: 'شهرًا', genitive: 'شهر' },
  { ms: 365 * DAY, one: 'سنة', two: 'سنتين', plural: 'سنوات', accusative: 'سنة', genitive: 'سنة' },
];

const ARABIC_INDIC = '٠١٢٣٤٥٦٧٨٩';

/** 2026 → ٢٠٢٦. */
export function arabicDigits(value: number | string): string {
  return String(value).replace(/[0-9]/g, (d) => ARABIC_INDIC[d.charCodeAt(0) - 48]!);
}

/** «دقيقة», «دقيقتين», «٣ دقائق», «١١ دقيقة», «١٠٠ دقيقة», «١٠٣ دقائق». */
export function arabicCount(count: number, unit: Pick<Unit, 'one' | 'two' | 'plural' | 'accusative' | 'genitive'>): string {
  if (count === 1) return unit.one;
  if (count === 2) return unit.two;
  const lastTwo = count % 100;
  const noun = lastTwo >= 3 && lastTwo <= 10 ? unit.plural : lastTwo >= 11 ? unit.accusative : unit.genitive;
  return `${arabicDigits(count)} ${noun}`;
}

/**
 * How far `date` is from `now`: «الآن» within a minute, else «منذ …» for the past and «بعد …» for the future, in the
 * largest unit that fits (counts rounded down: 59 minutes is «منذ ٥٩ دقيقة», not an hour).
 */
export function arabicRelativeTime(date: Date, now: Date): string {
  const diff = now.getTime() - date.getTime();
  if (!Number.isFinite(diff)) return '';
  const span = Math.abs(diff);
  if (span < MINUTE) return 'الآن';
  const prefix = diff > 0 ? 'منذ' : 'بعد';
  // A unit serves until the next one reaches 1: up to 59 minutes, 23 hours, 6 days, 4 weeks, 12 months.
  const index = UNITS.findIndex((_, i) => i === UNITS.length - 1 || span < UNITS[i + 1]!.ms);
  const unit = UNITS[index]!;
  return `${prefix} ${arabicCount(Math.floor(span / unit.ms), unit)}`;
}
