/**
 * Text normalization for matching only (never for display): two copies of one report that differ in
 * spelling conventions, punctuation, quote marks or digit script must come out identical.
 * No stemming and no stop-word removal: both were measured to hurt shingle matching.
 *
 * One pass over a per-code-point table instead of a chain of Unicode regexes: this runs on every line of
 * every item, and the regex chain cost ~5× more.
 */

const ENTITY = /&(#x[0-9a-f]+|#\d+|[a-z]+);/gi;
const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', laquo: '«', raquo: '»', hellip: '…' };
// NFKC matters only for compatibility forms (Arabic presentation forms, ligatures, full-width, odd spaces).
const NEEDS_NFKC = /[\u00A0-\u00BF\u2000-\u2BFF\uFB00-\uFFEF]/;

const SEPARATOR = 0;
const LETTER = 1;
const DIGIT = 2;
const DROP = 3;

const LETTER_MAP: Record<string, string> = {
  'أ': 'ا', 'إ': 'ا', 'آ': 'ا', 'ٱ': 'ا', 'ى': 'ي', 'ی': 'ي', 'ک': 'ك', 'ة': 'ه',
  // Hamza seats are spelled both ways by careful outlets (مسؤولية / مسئولية): fold both to the bare hamza.
  'ؤ': 'ء', 'ئ': 'ء',
};

const kind = new Uint8Array(0x10000);
const mapped = new Uint16Array(0x10000);
(function buildTables() {
  const letter = /\p{L}/u;
  const number = /\p{N}/u;
  // Harakat, Quranic marks, superscript alef, tatweel; zero-width and bidi controls: spelling noise and
  // invisible characters that break word equality, not separators.
  const drop = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/;
  for (let c = 0; c < 0x10000; c++) {
    mapped[c] = c;
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const ch = String.fromCharCode(c);
    if (drop.test(ch)) kind[c] = DROP;
    else if (c >= 0x30 && c <= 0x39) kind[c] = DIGIT;
    else if (c >= 0x0660 && c <= 0x0669) [kind[c], mapped[c]] = [DIGIT, 0x30 + c - 0x0660];
    else if (c >= 0x06f0 && c <= 0x06f9) [kind[c], mapped[c]] = [DIGIT, 0x30 + c - 0x06f0];
    else if (letter.test(ch)) {
      kind[c] = LETTER;
      const m = LETTER_MAP[ch] ?? ch.toLowerCase();
      if (m.length === 1) mapped[c] = m.charCodeAt(0);
    } else if (number.test(ch)) kind[c] = LETTER; // ² ½ and the like: keep as word characters
  }
})();

// Reused output buffer: normalization runs on every sentence, and a fresh array per call was most of its cost.
let buffer = new Uint16Array(4096);

const DOT = 0x2e;
const COMMA = 0x2c;
const ARABIC_DECIMAL = 0x066b; // ٫
const ARABIC_THOUSANDS = 0x066c; // ٬

function decodeEntity(match: string, body: string): string {
  if (body[0] === '#') {
    const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
  }
  return NAMED_ENTITIES[body.toLowerCase()] ?? match;
}

export function stripHtml(text: string): string {
  if (text.indexOf('<') === -1 && text.indexOf('&') === -1) return text;
  return replaceTags(text).replace(ENTITY, decodeEntity);
}

/**
 * Each "<…>" (a "<" up to the next ">") becomes one space, as `text.replace(/<[^>]*>/g, ' ')` did. A scan, not that
 * regex: on text with many "<" and no ">" the regex rescanned to the end from every "<" (quadratic; 100 kB of "<" took
 * 24 s). A "<" without a later ">" ends the scan: no later "<" can have one either.
 */
function replaceTags(text: string): string {
  let out = '';
  let from = 0;
  for (let open = text.indexOf('<'); open !== -1; open = text.indexOf('<', from)) {
    const close = text.indexOf('>', open + 1);
    if (close === -1) break;
    out += `${text.slice(from, open)} `;
    from = close + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

function isDigitAt(s: string, i: number): boolean {
  return i < s.length && kind[s.charCodeAt(i)] === DIGIT;
}

function digitRunLength(s: string, i: number): number {
  let n = 0;
  while (isDigitAt(s, i + n)) n++;
  return n;
}

/**
 * Normalized words joined by single spaces. Between digits, "." and "٫" are a decimal point ("3.5" stays
 * one token), "," before one or two digits is a decimal comma ("322,8" = "322.8"), "," or "٬" before three
 * digits is a thousands separator ("4,000" = "4000"), and so is "." when it groups a figure in threes more than
 * once ("375.526.840" = "375,526,840" = "375526840"). A figure glued to a letter ("1436هـ") is split from it.
 */
export function normalizeText(text: string): string {
  let s = stripHtml(text);
  if (NEEDS_NFKC.test(s)) s = s.normalize('NFKC');
  if (buffer.length < s.length + 1) buffer = new Uint16Array(s.length * 2 + 64);
  const out = buffer;
  let n = 0;
  let prev = SEPARATOR; // kind of the last emitted character
  let dotGrouped = false; // the current figure already dropped a grouping "."
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let k = kind[c];
    if (k === DROP) continue;
    if (k === SEPARATOR && prev === DIGIT && isDigitAt(s, i + 1)) {
      const run = digitRunLength(s, i + 1);
      if (c === DOT && run === 3 && (dotGrouped || (s.charCodeAt(i + 4) === DOT && digitRunLength(s, i + 5) === 3))) {
        dotGrouped = true;
        continue;
      }
      if (c === DOT || c === ARABIC_DECIMAL || (c === COMMA && run <= 2)) {
        out[n++] = DOT;
        continue;
      }
      if ((c === COMMA || c === ARABIC_THOUSANDS) && run === 3) continue;
    }
    if (k !== DIGIT) dotGrouped = false;
    if (k === SEPARATOR) {
      if (prev !== SEPARATOR) out[n++] = 0x20;
      prev = SEPARATOR;
      continue;
    }
    if (prev !== SEPARATOR && prev !== k) out[n++] = 0x20;
    out[n++] = mapped[c];
    prev = k;
  }
  if (n > 0 && out[n - 1] === 0x20) n--;
  let result = '';
  for (let i = 0; i < n; i += 8192) result += String.fromCharCode.apply(null, out.subarray(i, Math.min(n, i + 8192)) as unknown as number[]);
  return result;
}
