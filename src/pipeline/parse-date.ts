/*
 * Feed dates in the wild: RFC 822 with named or numeric zones (sometimes "+03:00", sometimes no zone at all),
 * ISO 8601 with or without seconds/zone, Arabic-Indic digits, Arabic month names. Date.parse alone accepts only
 * some of these and differs between engines, so the common shapes are read by hand and Date.parse is the last try.
 *
 * Plausibility: a date before 1995 (epoch zero, Go's zero time, year 1) is treated as unknown (null); a date more
 * than `futureToleranceMs` ahead of now is clamped to now, because the usual cause is a local time labelled UTC
 * (a few hours ahead) and a newest-first merged feed should not pin such an item to the top for hours.
 */

const futureToleranceMs = 10 * 60 * 1000;
const earliest = Date.UTC(1995, 0, 1);

const months: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
  january: 0, february: 1, march: 2, april: 3, june: 5, july: 6, august: 7, september: 8, sept: 8, october: 9, november: 10, december: 11,
  // Egyptian/Gulf (transliterated) and Levantine/Iraqi (Syriac) Arabic month names.
  'يناير': 0, 'فبراير': 1, 'مارس': 2, 'أبريل': 3, 'ابريل': 3, 'إبريل': 3, 'مايو': 4, 'يونيو': 5, 'يونيه': 5, 'يوليو': 6, 'يوليه': 6,
  'أغسطس': 7, 'اغسطس': 7, 'سبتمبر': 8, 'أكتوبر': 9, 'اكتوبر': 9, 'نوفمبر': 10, 'ديسمبر': 11,
  'كانون الثاني': 0, 'شباط': 1, 'آذار': 2, 'اذار': 2, 'نيسان': 3, 'أيار': 4, 'ايار': 4, 'حزيران': 5, 'تموز': 6, 'آب': 7, 'اب': 7,
  'أيلول': 8, 'ايلول': 8, 'تشرين الأول': 9, 'تشرين الاول': 9, 'تشرين الثاني': 10, 'كانون الأول': 11, 'كانون الاول': 11,
};

/** Zone abbreviations → minutes east of UTC. Ambiguous ones (AST, IST, CST) take the reading common in Arabic/US feeds. */
const zones: Record<string, number> = {
  z: 0, ut: 0, utc: 0, gmt: 0, wet: 0, bst: 60, cet: 60, cest: 120, met: 60, mest: 120, eet: 120, eest: 180,
  msk: 180, ast: 180, arabia: 180, ksa: 180, gst: 240, irst: 210, ist: 330, pkt: 300,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
};

const arabicDigits = /[\u0660-\u0669\u06f0-\u06f9]/g;

export function parseDate(raw: string | null | undefined, now: Date = new Date()): Date | null {
  if (!raw) return null;
  const value = raw
    .replace(arabicDigits, (d) => String((d.charCodeAt(0) & 0xf) % 10))
    .replace(/[\u060c]/g, ',')
    .replace(/\s+/g, ' ')
    .trim();
  if (!value) return null;
  const ms = parseIso(value) ?? parseRfc822(value) ?? parseFallback(value);
  if (ms === null || Number.isNaN(ms) || ms < earliest) return null;
  if (ms > now.getTime() + futureToleranceMs) return new Date(now.getTime());
  return new Date(ms);
}

function parseIso(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)? ?(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(value);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone] = m;
  // NaN, not null: the shape was recognised, so Date.parse must not "repair" 30 February into 2 March.
  if (!validParts(+y!, +mo! - 1, +d!, +h, +mi, +s)) return Number.NaN;
  const base = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s, Math.round(Number(`0.${frac}`) * 1000));
  return base - numericZoneMinutes(zone ?? 'Z') * 60_000;
}

function parseRfc822(value: string): number | null {
  // [Day,] DD Mon YYYY HH:MM[:SS] [zone]; the day name and zone may be missing or odd.
  // The s flag changes nothing here (parseDate turned every line terminator into a space) but keeps the final (.*)$
  // from failing: where it could, the optional ".\d+" before it and it traded digits (quadratic backtracking).
  const m = /^(?:[^\d,]+,? ?)?(\d{1,2})[ -]([^\d\s-]+(?: [^\d\s-]+)?)[ -](\d{2,4})(?:,? (\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)? ?(.*)$/s.exec(value);
  if (!m) return null;
  const [, d, monthName, yearText, h = '0', mi = '0', s = '0', zoneText = ''] = m;
  const month = months[monthName!.toLowerCase().replace(/\.$/, '')];
  if (month === undefined) return null;
  let year = +yearText!;
  if (yearText!.length === 2) year += year < 70 ? 2000 : 1900;
  if (!validParts(year, month, +d!, +h, +mi, +s)) return Number.NaN;
  const offset = zoneOffset(zoneText);
  if (offset === null) return null;
  return Date.UTC(year, month, +d!, +h, +mi, +s) - offset * 60_000;
}

function parseFallback(value: string): number | null {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

function zoneOffset(zoneText: string): number | null {
  const zone = zoneText.trim().replace(/^\(|\)$/g, '');
  if (!zone) return 0;
  if (/^(?:GMT|UTC|UT)?[+-]\d{1,2}(?::?\d{2})?$/i.test(zone)) return numericZoneMinutes(zone.replace(/^(?:GMT|UTC|UT)/i, ''));
  const named = zones[zone.toLowerCase()];
  if (named !== undefined) return named;
  // "GMT+3 (Arabia Standard Time)" and similar: take the leading part.
  const first = zone.split(/[ (]/)[0]!;
  if (first !== zone) return zoneOffset(first);
  // A single military letter other than Z is too often wrong (RFC 1123 §5.2.14); read it as UTC.
  if (/^[a-y]$/i.test(zone)) return 0;
  return null;
}

function numericZoneMinutes(zone: string): number {
  if (/^z$/i.test(zone)) return 0;
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(zone);
  if (!m) return 0;
  const minutes = +m[2]! * 60 + +(m[3] ?? 0);
  return m[1] === '-' ? -minutes : minutes;
}

function validParts(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  if (month < 0 || month > 11 || day < 1 || hour > 24 || minute > 59 || second > 60) return false;
  const probe = new Date(Date.UTC(year, month, day));
  return probe.getUTCDate() === day;
}
