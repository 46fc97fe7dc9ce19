import { describe, expect, it } from 'vitest';
import { normalizeText, stripHtml } from '../../src/arabic/normalize-text.js';

describe('normalizeText', () => {
  it.each([
    ['hamza and madda on alef', 'أحمد إلى آخر ٱلكتاب', 'احمد الي اخر الكتاب'],
    ['alef maqsura and Persian yeh', 'على مستشفی', 'علي مستشفي'],
    ['Persian kaf', 'کتاب', 'كتاب'],
    ['ta marbuta', 'مدرسة الحكومة', 'مدرسه الحكومه'],
    ['hamza seats spelled both ways', 'مسؤولية مسئولية', 'مسءوليه مسءوليه'],
    ['diacritics and tatweel', 'عَلَيْكُمْ مدرســـة', 'عليكم مدرسه'],
    ['Arabic-Indic digits', 'رقم ٣٠١', 'رقم 301'],
    ['Eastern (Persian) digits', 'سال ۱۴۰۲', 'سال 1402'],
    ['Arabic decimal separator', '١٢٫٥ مليون', '12.5 مليون'],
    ['Arabic thousands separator', '١٢٬٥٠٠ ريال', '12500 ريال'],
    ['thousands comma and decimal comma', '4,000 و 322,8', '4000 و 322.8'],
    ['thousands grouped with dots, as with commas', '(375.526.840) و 375,526,840 و 1.250.000.5', '375526840 و 375526840 و 1250000.5'],
    ['one dot before three digits stays a decimal point', '2.500 و 3.5', '2.500 و 3.5'],
    ['a figure glued to a letter', '1436هـ و2015م', '1436 ه و 2015 م'],
    ['Arabic punctuation and quotes', '«مغادرة»، هل؟ نعم؛ “قال” …', 'مغادره هل نعم قال'],
    ['ASCII punctuation and a sentence-final dot', 'قال: "نعم". ثم (غادر)!', 'قال نعم ثم غادر'],
    ['zero-width and bidi marks inside words', 'مر\u200cحبا \u200fبكم\u200e', 'مرحبا بكم'],
    ['presentation forms (NFKC)', 'ﻻ ﷲ', 'لا الله'],
    ['whitespace folded', '  كلمة \t\n  أخرى  ', 'كلمه اخري'],
    ['Latin lower-cased', 'Reuters AFP', 'reuters afp'],
    ['HTML stripped and entities decoded', '<p>خبر&nbsp;<b>عاجل</b> &amp; مهم</p>', 'خبر عاجل مهم'],
    ['empty', '', ''],
  ])('%s', (_name, input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });

  it('makes the spelling variants of one sentence identical', () => {
    const a = 'أكد شمخاني «مواصلة دعم» سوريا، يوم الأحد ١٣ آذار.';
    const b = 'اكد شمخانى "مواصلة دعم" سوريا - يوم الاحد 13 اذار';
    expect(normalizeText(a)).toBe(normalizeText(b));
  });
});

describe('stripHtml', () => {
  it.each([
    ['plain text is returned as is', 'نص عادي', 'نص عادي'],
    ['numeric entities', '&#1582;&#x628;&#1585;', 'خبر'],
    ['unknown entities stay', '&bogus; x', '&bogus; x'],
    ['each tag becomes one space, up to the first ">"', 'a<b>c<>d<x y="1">>e', 'a c d >e'],
    ['a "<" without a later ">" stays, and so does everything after it', 'a<b>c < d < e', 'a c < d < e'],
    ['many "<" and no ">"', '<'.repeat(1000), '<'.repeat(1000)],
  ])('%s', (_name, input, expected) => {
    expect(stripHtml(input)).toBe(expected);
  });
});
