/**
 * A light stem of one normalized word, used only to tell a spelling or clitic variant ("والمسؤولية" /
 * "المسؤولية", "لمساءلته" / "مساءلته") from a real swap of words. Never used for shingles: stemming before
 * shingling was measured to hurt.
 */
const PREFIXES = ['وبال', 'وال', 'بال', 'كال', 'فال', 'لل', 'ال', 'و', 'ف', 'ب', 'ل'];
const SUFFIXES = ['هما', 'ها', 'هم', 'ات', 'ين', 'ون', 'ان', 'يه', 'ه', 'ي'];
const MIN_STEM = 3;

export function lightStem(word: string): string {
  const bounds = lightStemBounds(word, 0, word.length);
  return word.slice(bounds >> 3, word.length - (bounds & 7));
}

function matchesAt(text: string, at: number, affix: string): boolean {
  for (let i = 0; i < affix.length; i++) if (text.charCodeAt(at + i) !== affix.charCodeAt(i)) return false;
  return true;
}

/**
 * The light stem of text[from, to) without allocating: prefix length × 8 + suffix length.
 * (Hot path: runs on every word of every item.)
 */
const PREFIX_FIRST = new Set(PREFIXES.map((p) => p.charCodeAt(0)));
const SUFFIX_LAST = new Set(SUFFIXES.map((s) => s.charCodeAt(s.length - 1)));

export function lightStemBounds(text: string, from: number, to: number): number {
  if (to - from <= MIN_STEM) return 0;
  let prefix = 0;
  if (PREFIX_FIRST.has(text.charCodeAt(from))) for (const p of PREFIXES) {
    if (to - from - p.length >= MIN_STEM && matchesAt(text, from, p)) {
      prefix = p.length;
      break;
    }
  }
  let suffix = 0;
  if (SUFFIX_LAST.has(text.charCodeAt(to - 1))) for (const s of SUFFIXES) {
    if (to - from - prefix - s.length >= MIN_STEM && matchesAt(text, to - s.length, s)) {
      suffix = s.length;
      break;
    }
  }
  return prefix * 8 + suffix;
}

/** Words that carry a count or an order: "the second relief plane" and "the third" are different news. */
export const NUMBER_WORDS = new Set(
  [
    'اول', 'الاول', 'الاولي', 'ثاني', 'الثاني', 'الثانيه', 'ثالث', 'الثالث', 'الثالثه', 'رابع', 'الرابع', 'الرابعه',
    'خامس', 'الخامس', 'الخامسه', 'سادس', 'السادس', 'السادسه', 'سابع', 'السابع', 'السابعه', 'ثامن', 'الثامن', 'الثامنه',
    'تاسع', 'التاسع', 'التاسعه', 'عاشر', 'العاشر', 'العاشره', 'واحد', 'اثنان', 'اثنين', 'ثلاث', 'ثلاثه', 'اربع', 'اربعه',
    'خمس', 'خمسه', 'ست', 'سته', 'سبع', 'سبعه', 'ثماني', 'ثمانيه', 'تسع', 'تسعه', 'عشر', 'عشره', 'مائه', 'ماءه', 'الف', 'مليون',
  ],
);

/** Clitics a number word takes ("والثالثه", "بالف"). */
export const NUMBER_WORD_CLITICS = ['', 'و', 'ب', 'ل', 'ف', 'ال', 'وال', 'بال'];

export function isNumberWord(word: string): boolean {
  if (/\d/.test(word)) return true;
  return NUMBER_WORD_CLITICS.some((c) => word.startsWith(c) && NUMBER_WORDS.has(word.slice(c.length)));
}
