import { describe, expect, it } from 'vitest';
import { splitLines } from '../../src/arabic/split-lines.js';
import { alignSentences, isTemplateSpecific, specificOverlap, templateSpecifics } from '../../src/dedup/align-sentences.js';
import { prepare, restContainment, type PairEvidence } from '../../src/dedup/compare-fingerprints.js';
import { fingerprint, shingles } from '../../src/dedup/fingerprint.js';
import { novelLeadWords } from '../../src/dedup/novel-lead.js';
import { alignmentRouteApplies, isAlignedCopy, isFollowUp, isSameReport, isTemplateVariant, overlapsFirstItem } from '../../src/dedup/same-report.js';

const evidence = (sizeA: number, sizeB: number, containment: number, jaccard: number, idfContainment = 0): PairEvidence => ({
  sizeA,
  sizeB,
  shared: Math.round(containment * Math.min(sizeA, sizeB)),
  containment,
  jaccard,
  idfContainment,
});

describe('isSameReport', () => {
  it.each([
    ['a verbatim copy', evidence(300, 310, 0.97, 0.9), true],
    ['a lead-only copy inside the full text', evidence(50, 400, 0.9, 0.11), true],
    ['half of the shorter text verbatim', evidence(120, 200, 0.5, 0.3), true],
    ['a reworded copy that keeps the rare words', evidence(120, 200, 0.35, 0.2, 0.85), true],
    ['a reworded text that loses the rare words', evidence(120, 200, 0.35, 0.2, 0.65), false],
    ['a shared quote around independent framing', evidence(200, 250, 0.2, 0.1, 0.7), false],
    ['unrelated texts', evidence(200, 250, 0.02, 0.01, 0.1), false],
    ['an empty side', evidence(0, 250, 0, 0), false],
    ['two short texts that are identical', evidence(4, 4, 1, 1), true],
    ['two short texts sharing some words', evidence(4, 6, 0.75, 0.5), false],
    ['a short text inside a long one', evidence(5, 300, 1, 0.02), false],
    ['a wire report embedded whole in a roundup ten times its size', evidence(70, 900, 0.9, 0.07), true],
    ['an item sharing fixed phrases with a roundup ten times its size', evidence(70, 900, 0.6, 0.04, 0.9), false],
    ['two rewritten 50-word leads keeping 0.72 of the rare words (leads pass at 0.7)', evidence(45, 60, 0.35, 0.2, 0.72), true],
    ['two full texts keeping 0.72 of the rare words (full texts need 0.75)', evidence(120, 200, 0.35, 0.2, 0.72), false],
    ['two leads keeping 0.65 of the rare words', evidence(45, 60, 0.35, 0.2, 0.65), false],
  ])('%s → %s', (_name, e, expected) => {
    expect(isSameReport(e)).toBe(expected);
  });

  it.each([
    ['overlapping', evidence(100, 200, 0.35, 0.2), true],
    ['barely touching', evidence(100, 200, 0.1, 0.05), false],
  ])('overlapsFirstItem: %s → %s', (_name, e, expected) => {
    expect(overlapsFirstItem(e)).toBe(expected);
  });
});

describe('the alignment route (rewritten copies)', () => {
  const align = (judged: number, judgedWords: number, alignedWords: number) => ({ judged, aligned: judged, variants: 0, leadVariant: false, judgedWords, alignedWords });
  it.each([
    ['every one of four sentences has a counterpart', align(4, 80, 80), true],
    ['nine tenths of the words sit in aligned sentences', align(5, 100, 90), true],
    ['two sentences only: a shared quote or frame', align(2, 40, 40), false],
    ['one sentence of four has no counterpart', align(4, 80, 60), false],
  ])('%s → %s', (_name, a, expected) => {
    expect(isAlignedCopy(a)).toBe(expected);
  });

  it.each([
    ['some verbatim text and most rare words', evidence(120, 200, 0.35, 0.2, 0.65), true],
    ['too little verbatim text', evidence(120, 200, 0.2, 0.1, 0.9), false],
    ['rare words mostly differ', evidence(120, 200, 0.35, 0.2, 0.5), false],
  ])('applies to %s → %s', (_name, e, expected) => {
    expect(alignmentRouteApplies(e)).toBe(expected);
  });
});

const fp = (body: string) => fingerprint('', splitLines(body));
const frame = 'الطائرة من الجسر الجوي الإغاثي إلى مطار عدن الدولي تحمل مواد غذائية مقدمة من المركز';
const rest = 'وأوضح المتحدث أن الجسر الجوي يأتي ضمن حملة إغاثة عاجلة لتخفيف معاناة الشعب اليمني الشقيق وأن الفرق الميدانية تتولى التوزيع.';

describe('template news (isTemplateVariant over alignSentences)', () => {
  it.each([
    ['another ordinal in the lead', `وصلت الطائرة الثانية ${frame}. ${rest}`, `وصلت الطائرة الثالثة ${frame}. ${rest}`, true],
    ['another figure in the lead', `وصلت 30 طنا على متن ${frame}. ${rest}`, `وصلت 12 طنا على متن ${frame}. ${rest}`, true],
    ['the same lead, an outlet adds a sentence', `وصلت الطائرة الثانية ${frame}. ${rest}`, `وصلت الطائرة الثانية ${frame}. ${rest} وتلقى المركز 5 طلبات.`, false],
    ['the same figure, other wording around it', `وصلت الطائرة الثانية ${frame}.`, `وصلت اليوم الطائرة الثانية ${frame} الشقيق.`, false],
    [
      'one figure restated while the report\'s other figures are the same',
      `نزع ملكية 151 عقارا بتعويضات قاربت 400 مليون ${frame}. وشملت 12 منطقة و 45 بلدية و 7 محافظات.`,
      `نزع ملكية 151 عقارا بتعويضات بلغت 375 مليون ${frame}. وشملت 12 منطقة و 45 بلدية و 7 محافظات.`,
      false,
    ],
    ['figures only added on one side', `وصلت الطائرة ${frame}.`, `وصلت الطائرة ${frame} يوم 12 يوليو.`, false],
  ])('%s → %s', (_name, a, b, expected) => {
    expect(isTemplateVariant(alignSentences(fp(a), fp(b), isTemplateSpecific), specificOverlap(templateSpecifics(fp(a)), templateSpecifics(fp(b))))).toBe(expected);
  });
});

describe('follow-ups (novelLeadWords + isFollowUp)', () => {
  const report = `${frame}. ${rest}`;
  const newLead = Array.from({ length: 70 }, (_, i) => `كلمة${i}`).join(' ');
  it.each([
    ['a new development leads, the report follows whole', `${newLead}. ${report}`, true],
    ['a one-sentence intro of the outlet', `قالت مصادر للصحيفة. ${report}`, false],
    ['the report, then new material at the end', `${report} ${newLead}.`, false],
  ])('%s → %s', (_name, newer, expected) => {
    const n = fp(newer);
    const o = fp(report);
    const body = n.words.length - n.titleWords;
    expect(isFollowUp(novelLeadWords(n, shingles(o.words)), body, body > o.words.length)).toBe(expected);
  });
});

describe('restContainment (an outlet\'s own first sentence set aside)', () => {
  const fp = (title: string, body: string) => prepare(fingerprint(title, splitLines(body)));
  const report = 'وصل وفد الهلال الأحمر إلى مدينة عدن صباح اليوم لتوزيع المساعدات. وأوضح رئيس الوفد أن الفرق الميدانية ستوزع ألف سلة غذائية على الأسر المتضررة. وأكد أن العمل سيستمر طوال الأسبوع المقبل في الأحياء الشرقية.';

  it('finds a copy that starts where the source starts, below an intro', () => {
    const copy = fp('وفد إغاثي في عدن', 'في إطار جهود الإغاثة المستمرة لليمن الشقيق تحركت قوافل جديدة هذا الأسبوع. ' + report);
    expect(restContainment(copy, fp('الهلال الأحمر في عدن', report), 8)).toBeGreaterThanOrEqual(0.8);
  });

  it('does not count a shared frame below another lead (template news)', () => {
    const other = report.replace('وصل وفد الهلال الأحمر إلى مدينة عدن صباح اليوم لتوزيع المساعدات', 'غادر وفد الهلال الأحمر مدينة المكلا مساء أمس بعد توزيع المساعدات');
    expect(restContainment(fp('', report), fp('', other), 8)).toBe(0);
  });
});
