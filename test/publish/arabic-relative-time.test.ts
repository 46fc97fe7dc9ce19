import { describe, expect, it } from 'vitest';
import { arabicCount, arabicDigits, arabicRelativeTime } from '../../src/publish/arabic-relative-time.js';

const now = new Date('2026-11-28T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('arabicRelativeTime', () => {
  it.each([
    [0, 'الآن'],
    [59 * S, 'الآن'],
    [-30 * S, 'الآن'],
    [M, 'منذ دقيقة'],
    [2 * M, 'منذ دقيقتين'],
    [3 * M, 'منذ ٣ دقائق'],
    [10 * M, 'منذ ١٠ دقائق'],
    [11 * M, 'منذ ١١ دقيقة'],
    [59 * M + 59 * S, 'منذ ٥٩ دقيقة'],
    [H, 'منذ ساعة'],
    [2 * H, 'منذ ساعتين'],
    [3 * H, 'منذ ٣ ساعات'],
    [23 * H, 'منذ ٢٣ ساعة'],
    [D, 'منذ يوم'],
    [2 * D, 'منذ يومين'],
    [6 * D, 'منذ ٦ أيام'],
    [7 * D, 'منذ أسبوع'],
    [14 * D, 'منذ أسبوعين'],
    [21 * D, 'منذ ٣ أسابيع'],
    [29 * D, 'منذ ٤ أسابيع'],
    [30 * D, 'منذ شهر'],
    [35 * D, 'منذ شهر'],
    [60 * D, 'منذ شهرين'],
    [330 * D, 'منذ ١١ شهرًا'],
    [364 * D, 'منذ ١٢ شهرًا'],
    [365 * D, 'منذ سنة'],
    [730 * D, 'منذ سنتين'],
    [3 * 365 * D, 'منذ ٣ سنوات'],
    [-M, 'بعد دقيقة'],
    [-2 * M, 'بعد دقيقتين'],
    [-5 * M, 'بعد ٥ دقائق'],
    [-6 * H, 'بعد ٦ ساعات'],
  ])('%i ms ago → %s', (ms, expected) => {
    expect(arabicRelativeTime(ago(ms), now)).toBe(expected);
  });

  it('an invalid date gives nothing rather than «منذ NaN»', () => {
    expect(arabicRelativeTime(new Date(Number.NaN), now)).toBe('');
  });
});

describe('arabicCount', () => {
  const day = { one: 'يوم', two: 'يومين', plural: 'أيام', accusative: 'يومًا', genitive: 'يوم' };
  it.each([
    [1, 'يوم'],
    [2, 'يومين'],
    [3, '٣ أيام'],
    [10, '١٠ أيام'],
    [11, '١١ يومًا'],
    [99, '٩٩ يومًا'],
    [100, '١٠٠ يوم'],
    [102, '١٠٢ يوم'],
    [103, '١٠٣ أيام'],
    [111, '١١١ يومًا'],
    [200, '٢٠٠ يوم'],
  ])('%i → %s', (n, expected) => {
    expect(arabicCount(n, day)).toBe(expected);
  });

  it('digits are Arabic-Indic', () => {
    expect(arabicDigits(1234567890)).toBe('١٢٣٤٥٦٧٨٩٠');
    expect(arabicDigits('٤٨ س')).toBe('٤٨ س');
  });
});
