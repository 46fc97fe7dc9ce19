import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitLines } from '../../src/arabic/split-lines.js';
import { normalizeText } from '../../src/arabic/normalize-text.js';
import { cutSentences, diffCopy, prepareText } from '../../src/publish/sentence-diff.js';

const lead = 'أعلنت وزارة الصحة اليوم الأحد تسجيل 120 إصابة جديدة بالحمى في محافظة الجنوب.';
const quote = 'وقال المتحدث باسم الوزارة إن الفرق الطبية تعمل على احتواء المرض بسرعة.';
const advice = 'ودعت الوزارة المواطنين إلى مراجعة أقرب مركز صحي عند ظهور الأعراض.';
const base = `${lead} ${quote}\n${advice}`;

describe('cutSentences', () => {
  it.each([
    ['one sentence, mark kept', 'قال الوزير.', ['قال الوزير.']],
    ['two sentences and an Arabic question mark', 'هل انتهى؟ لا.', ['هل انتهى؟', 'لا.']],
    ['a run of marks stays with its sentence', 'عاجل!!! ثم', ['عاجل!!!', 'ثم']],
    ['a decimal point is not an end', 'بلغ 3.5 في المئة', ['بلغ 3.5 في المئة']],
    ['a mark glued to a letter is not an end', 'موقع news.com اليوم', ['موقع news.com اليوم']],
    ['blank pieces are left out', '  خبر.   ', ['خبر.']],
  ])('%s', (_, line, expected) => {
    expect(cutSentences(line)).toEqual(expected);
  });

  it('normalizes to exactly the sentences split-lines gives dedup', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('قال', 'الوزير', '3.5', '.', '!', '؟', '?', ' ', '\u00a0', 'news.com', '،', '..'), { maxLength: 30 }), (tokens) => {
        const line = tokens.join('');
        const ours = cutSentences(line).map(normalizeText).filter((s) => s !== '');
        expect(ours).toEqual(splitLines(line)[0]?.sentences ?? []);
      }),
    );
  });
});

describe('prepareText', () => {
  it('numbers paragraphs by non-empty line and drops sentences with no words', () => {
    const prepared = prepareText(`${lead}\n\n ... \n${advice}`);
    expect(prepared.sentences.map((s) => [s.paragraph, s.text])).toEqual([
      [0, lead],
      [2, advice],
    ]);
  });
});

describe('diffCopy', () => {
  const cases: Array<{ name: string; copy: string; added: string[][]; dropped: string[][]; shared: number }> = [
    { name: 'the same text', copy: base, added: [], dropped: [], shared: 3 },
    {
      name: 'spelling, hamza, digits and clitics differ: still the same sentences',
      copy:
        'اعلنت وزارة الصحه اليوم الاحد تسجيل ١٢٠ اصابة جديدة بالحمى في محافظة الجنوب. ' +
        'قال المتحدث باسم وزارة الصحة إن فرقها الطبية تعمل على احتواء المرض. ' +
        'دعت الوزارة المواطنين الى مراجعة اقرب مركز صحي عند ظهور الاعراض.',
      added: [],
      dropped: [],
      shared: 3,
    },
    {
      name: 'a sentence added after the lead',
      copy: `${lead} وأضاف أن مستشفيين ميدانيين سيفتتحان خلال الأسبوع المقبل في المدينة. ${quote}\n${advice}`,
      added: [['وأضاف أن مستشفيين ميدانيين سيفتتحان خلال الأسبوع المقبل في المدينة.']],
      dropped: [],
      shared: 3,
    },
    {
      name: 'only the lead: the rest is cut, one block per paragraph',
      copy: lead,
      added: [],
      dropped: [[quote], [advice]],
      shared: 1,
    },
    {
      name: 'two new sentences in a row make one block',
      copy: `${base}\nوتأتي هذه الإصابات بعد موجة أمطار غزيرة ضربت المنطقة. وكانت السلطات قد حذرت من تفشي الأوبئة.`,
      added: [['وتأتي هذه الإصابات بعد موجة أمطار غزيرة ضربت المنطقة.', 'وكانت السلطات قد حذرت من تفشي الأوبئة.']],
      dropped: [],
      shared: 3,
    },
    {
      name: 'a sentence rewritten with most words changed counts as cut and added',
      copy: `${lead} ${quote}\nونصحت السلطات السكان بغلي مياه الشرب وتجنب التجمعات.`,
      added: [['ونصحت السلطات السكان بغلي مياه الشرب وتجنب التجمعات.']],
      dropped: [[advice]],
      shared: 2,
    },
    { name: 'an empty copy (headline only) cuts everything', copy: '', added: [], dropped: [[lead, quote], [advice]], shared: 0 },
  ];
  it.each(cases)('$name', ({ copy, added, dropped, shared }) => {
    const diff = diffCopy(prepareText(base), prepareText(copy));
    expect(diff.added.map((r) => r.sentences)).toEqual(added);
    expect(diff.dropped.map((r) => r.sentences)).toEqual(dropped);
    expect(diff.shared).toBe(shared);
  });

  it('takes the share from the options', () => {
    // 3 of the sentence's 6 stems are in the base's lead: enough at one half, not at two thirds.
    const copy = 'أعلنت وزارة الصحة خططا لبناء مدارس.';
    expect(diffCopy(prepareText(base), prepareText(copy)).added).toEqual([]);
    expect(diffCopy(prepareText(base), prepareText(copy), { share: 0.67 }).added.map((r) => r.sentences)).toEqual([[copy]]);
  });
});
