/**
 * Text normalization for matching only (never for display): two copies of one report that differ in
 * spelling conventions, punctuation, quote marks or digit script must come out identical.
 * No stemming and no stop-word removal: both were measured to hurt shingle matching.
 */

const TAG = /<[^>]*>/g;
const ENTITY = /&(#x[0-9a-f]+|#\d+|[a-z]+);/gi;
const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', laquo: '«', raquo: '»', hellip: '…' };

// Harakat, Quranic marks, superscript alef, and tatweel: spelling noise, not meaning.
const DIACRITICS = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]/g;
// Zero-width and bidi controls are invisible, yet break word equality.
const INVISIBLE = /[\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

const LETTER_MAP: Record<string, string> = {
  'أ': 'ا', 'إ': 'ا', 'آ': 'ا', 'ٱ': 'ا', 'ى': 'ي', 'ی': 'ي', 'ک': 'ك', 'ة': 'ه',
  '٫': '.', '٬': '',
};
const LETTERS = /[أإآٱىیکة٫٬\u0660-\u0669\u06F0-\u06F9]/g;

function mapLetter(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code >= 0x0660 && code <= 0x0669) return String.fromCharCode(48 + code - 0x0660);
  if (code >= 0x06f0 && code <= 0x06f9) return String.fromCharCode(48 + code - 0x06f0);
  return LETTER_MAP[ch] ?? ch;
}

function decodeEntity(match: string, body: string): string {
  if (body[0] === '#') {
    const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
  }
  return NAMED_ENTITIES[body.toLowerCase()] ?? match;
}

// Anything that is not a letter or a digit separates words, except a decimal point between digits
// ("3.5" stays one token); a thousands comma between digits is dropped ("4,000" = "4000").
const SPACES = / {2,}/g;
const THOUSANDS = /(?<=\d),(?=\d{3})/g;
const NON_WORD = /(?<!\d)\.|\.(?!\d)|[^\p{L}\p{N}.]+/gu;

export function stripHtml(text: string): string {
  if (text.indexOf('<') === -1 && text.indexOf('&') === -1) return text;
  return text.replace(TAG, ' ').replace(ENTITY, decodeEntity);
}

/** Normalized words joined by single spaces. */
export function normalizeText(text: string): string {
  let s = stripHtml(text).normalize('NFKC');
  s = s.replace(INVISIBLE, '').replace(DIACRITICS, '').replace(LETTERS, mapLetter);
  s = s.replace(THOUSANDS, '').replace(NON_WORD, ' ').replace(SPACES, ' ');
  return s.trim().toLowerCase();
}
