import { describe, expect, it } from 'vitest';
import { splitLines } from '../../src/arabic/split-lines.js';
import { createRepeatedLineTracker, dropTitleEchoes, isVolatileLine, stripBoilerplate } from '../../src/arabic/strip-boilerplate.js';
import { normalizeText } from '../../src/arabic/normalize-text.js';

const kept = (text: string) => stripBoilerplate(splitLines(text)).map((l) => l.raw);

describe('stripBoilerplate', () => {
  it.each([
    ['«اظهر المزيد»', 'اظهر المزيد'],
    ['its hamza spelling', 'أظهر المزيد'],
    ['«زر الذهاب إلى الأعلى»', 'زر الذهاب إلى الأعلى'],
    ['«اقرأ أيضا»', 'اقرأ أيضاً'],
    ['a short «اقرأ أيضا: headline» link', 'اقرأ أيضا: الأسد يتصل ببوتين'],
    ['the WordPress footer', 'The post تنسيق أمني سوري appeared first on صحيفة الخبر.'],
    ['the WordPress footer after whitespace, in capitals', '\u00a0 THE POST x APPEARED FIRST ON y'],
    ['a punctuation-only line', '* * *'],
  ])('drops %s', (_name, line) => {
    expect(kept(`خبر أول.\n${line}\nخبر ثان.`)).toEqual(['خبر أول.', 'خبر ثان.']);
  });

  it('keeps report lines that merely contain the words', () => {
    const line = 'وقال إن الوزارة ستظهر المزيد من الحزم في تطبيق النظام';
    expect(kept(line)).toEqual([line]);
  });

  it.each([
    ['"the post" not at the start', 'x the post a appeared first on b'],
    ['no space between "the post" and "appeared"', 'the post appeared first on b'],
    ['a line separator after the phrase', 'the post a appeared first on b\u2028c'],
    ['a line separator before the phrase', 'the post a\u2029b appeared first on c'],
  ])('keeps a line that is not the WordPress footer: %s', (_name, line) => {
    expect(kept(line)).toEqual([line]);
  });
});

describe('dropTitleEchoes', () => {
  const title = 'بالصور .. رمضان في ليبيا';
  const echoes = (body: string, t = title) => dropTitleEchoes(splitLines(body), normalizeText(t)).map((l) => l.raw);

  it.each([
    ["an outlet's footer repeating the headline", 'رابط الخبر بصحيفة الوئام: بالصور .. رمضان في ليبيا'],
    ['the headline again as a subheading, other punctuation', 'بالصور: رمضان في ليبيا'],
  ])('drops %s', (_name, line) => {
    expect(echoes(`أجواء رمضانية في شوارع طرابلس.\n${line}`)).toEqual(['أجواء رمضانية في شوارع طرابلس.']);
  });

  it.each([
    ['a report sentence that quotes the headline among many other words', 'وتظهر الصور التي نشرت تحت عنوان بالصور .. رمضان في ليبيا أجواء الشهر الكريم في طرابلس وبنغازي ومصراتة وسبها'],
    ['a line about something else', 'رابط الخبر بصحيفة الوئام: بالصور .. رمضان في فلسطين'],
    ['a lead that opens with the headline and goes on', 'بالصور .. رمضان في ليبيا حيث تزينت الشوارع'],
    ['the headline inside a longer word, not as whole words', 'رابط الخبر: بالصور .. رمضان في ليبياوتونس'],
  ])('keeps %s', (_name, line) => {
    expect(echoes(line)).toEqual([line]);
  });

  it('keeps a short lead made of the headline and a clause (a feed of leads)', () => {
    const t = 'ولي العهد يستقبل رئيس الوزراء الباكستاني';
    const lead = 'ولي العهد يستقبل رئيس الوزراء الباكستاني في قصر السلام بجدة مساء اليوم';
    expect(echoes(lead, t)).toEqual([lead]);
  });

  it('leaves everything when the headline is a single word (too little to recognise an echo)', () => {
    expect(echoes('عاجل: انفجار في الميناء', 'عاجل')).toEqual(['عاجل: انفجار في الميناء']);
  });
});

describe('splitLines', () => {
  it('splits paragraphs into normalized sentences', () => {
    const [line] = splitLines('عقدت محادثات أمنية. وقال الوزير: «نعم»!');
    expect(line.sentences).toEqual(['عقدت محادثات امنيه', 'وقال الوزير نعم']);
    expect(line.text).toBe('عقدت محادثات امنيه وقال الوزير نعم');
  });

  it('keeps decimal points inside figures', () => {
    expect(splitLines('ارتفع المؤشر 3.5 في المئة.')[0].sentences).toEqual(['ارتفع المءشر 3.5 في المءه']);
  });

  it.each([
    ['a run of marks before a space is one break', 'اول؟!.. ثان', ['اول', 'ثان']],
    ['a run of marks before a letter is no break', 'اول!!!ثان. ثالث', ['اول ثان', 'ثالث']],
    ['any whitespace after the marks, or the end of the line', 'a.\u00a0b!\tc?', ['a', 'b', 'c']],
    ['marks only', '!!!', []],
  ])('sentence breaks: %s', (_name, text, sentences) => {
    expect(splitLines(text)[0]!.sentences).toEqual(sentences);
  });
});

describe('createRepeatedLineTracker', () => {
  it("drops a source's footer once it has seen it in enough recent items, and only for that source", () => {
    const tracker = createRepeatedLineTracker({ minRepeats: 2 });
    const footer = 'تابعونا على تويتر';
    const texts = (i: number) => splitLines(`خبر رقم ${i} عن موضوع مختلف تماما\n${footer}`);
    expect(tracker.strip('okaz', texts(1)).map((l) => l.raw)).toContain(footer);
    expect(tracker.strip('okaz', texts(2)).map((l) => l.raw)).toContain(footer);
    expect(tracker.strip('okaz', texts(3)).map((l) => l.raw)).not.toContain(footer);
    expect(tracker.strip('sabq', texts(4)).map((l) => l.raw)).toContain(footer);
  });

  it('never drops long lines: a source republishing its own report keeps its text', () => {
    const tracker = createRepeatedLineTracker({ minRepeats: 1, maxWords: 5 });
    const text = splitLines('هذه فقرة طويلة من نص التقرير تتكرر في نسختين من المصدر نفسه');
    tracker.strip('okaz', text);
    expect(tracker.strip('okaz', text)).toHaveLength(1);
  });
});

describe('isVolatileLine', () => {
  const volatile = (line: string) => isVolatileLine(splitLines(line)[0]!);
  it.each([
    'منذ 5 دقائق',
    'منذ ٣ ساعات',
    'قبل ساعتين',
    'منذ دقيقة',
    'منذ يومين',
    'منذ أسبوع',
    'آخر تحديث: منذ 10 دقائق',
    'نشر قبل 2 ساعة',
    'عدد المشاهدات: 1,234',
    'المشاهدات ١٢٣٤',
    '350 مشاهدة',
    '12 تعليقاً',
    'Views: 12,345',
    '5 minutes ago',
    'Updated an hour ago',
  ])('%s', (line) => {
    expect(volatile(line)).toBe(true);
  });

  it.each([
    'وقال الوزير منذ 5 دقائق إن الاجتماع انتهى',
    'منذ 5 دقائق فقط أعلنت الوزارة النتائج',
    'قراءة 3 دقائق',
    'عدد المشاهدين بلغ مليوني مشاهد',
    '5 minutes ago the minister said',
    'أعلنت الوزارة',
  ])('not: %s', (line) => {
    expect(volatile(line)).toBe(false);
  });
});
