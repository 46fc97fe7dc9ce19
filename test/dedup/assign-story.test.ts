import { describe, expect, it } from 'vitest';
import { createStoryAssigner, type DedupInput } from '../../src/dedup/assign-story.js';
import { createMemoryCandidateIndex } from '../../src/dedup/memory-candidate-index.js';
import {
  followUp,
  independentReport,
  leadOnly,
  reliefFlight,
  reliefFlightThree,
  reliefFlightTwo,
  republishedEdited,
  seedBody,
  seedTitle,
  withJunk,
} from './fixtures/seed-article.js';

const T0 = Date.UTC(2026, 2, 7, 9);
const hours = (h: number) => new Date(T0 + h * 3_600_000);

function item(id: string, text: { title: string; body: string }, at = 1, source = id): DedupInput {
  return { id, source, title: text.title, text: text.body, publishedAt: hours(at) };
}

const seed = (): DedupInput => ({ id: 'seed', source: 'seed-outlet', title: seedTitle, text: seedBody, publishedAt: hours(0) });

/** Clusters [seed, other] and says whether `other` joined the seed's story. */
async function mergesWithSeed(other: DedupInput): Promise<boolean> {
  const assigner = createStoryAssigner(createMemoryCandidateIndex());
  const first = await assigner.assign(seed());
  const second = await assigner.assign(other);
  return second.storyId === first.storyId;
}

describe('story assignment on the seed article', () => {
  it.each([
    ['a republication with its own headline, quotes swapped, hamza dropped, a paragraph cut', item('edited', republishedEdited)],
    ['a lead-only copy (first 50 words)', item('lead', leadOnly)],
    ['a copy scraped with junk lines and a WordPress footer', item('junk', withJunk)],
    ['the same text 60 hours later (inside the 72 h window)', item('late', { title: seedTitle, body: seedBody }, 60)],
  ])('merges %s', async (_name, other) => {
    expect(await mergesWithSeed(other)).toBe(true);
  });

  it.each([
    ['an independent report on the same meeting', item('independent', independentReport)],
    ['a follow-up that leads with a new development and carries the report as background', item('follow-up', followUp)],
    ['the same text outside the 72 h window', item('too-late', { title: seedTitle, body: seedBody }, 80)],
    ['an item with no text at all', item('empty', { title: '', body: '' })],
  ])('keeps apart %s', async (_name, other) => {
    expect(await mergesWithSeed(other)).toBe(false);
  });
});

describe('template news', () => {
  it('keeps relief flight 2 and relief flight 3 apart though they share most sentences', async () => {
    const assigner = createStoryAssigner(createMemoryCandidateIndex());
    const a = await assigner.assign(item('flight-2', reliefFlightTwo, 0));
    const b = await assigner.assign(item('flight-3', reliefFlightThree, 30));
    expect(b.storyId).not.toBe(a.storyId);
  });

  it('still merges a copy of one flight report', async () => {
    const assigner = createStoryAssigner(createMemoryCandidateIndex());
    const a = await assigner.assign(item('flight-2', reliefFlightTwo, 0));
    const copy = { title: 'الجسر الجوي: الطائرة الثانية تصل عدن', body: reliefFlightTwo.body.replace(/،/g, ' ,') };
    const b = await assigner.assign(item('flight-2-copy', copy, 1));
    expect(b.storyId).toBe(a.storyId);
  });
});

describe('figures written in words', () => {
  const nineTons = reliefFlight('الثانية', '9', 'المواد الغذائية', 'يوم الأحد');
  const spelled = (text: { title: string; body: string }) => ({ title: 'الجسر الجوي: الطائرة الثانية تصل عدن', body: text.body.replace('تحمل 9 طنا', 'تحمل تسعة أطنان') });

  it('merges a copy that spells out a figure the first outlet wrote in digits («9» and «تسعة» are one figure)', async () => {
    const assigner = createStoryAssigner(createMemoryCandidateIndex());
    const a = await assigner.assign(item('digits', nineTons, 0));
    const b = await assigner.assign(item('words', spelled(nineTons), 1));
    expect(spelled(nineTons).body).toContain('تسعة أطنان');
    expect(b.storyId).toBe(a.storyId);
  });

  it('still keeps the next flight apart when its cargo is spelled out', async () => {
    const assigner = createStoryAssigner(createMemoryCandidateIndex());
    const a = await assigner.assign(item('flight-2', nineTons, 0));
    const next = reliefFlight('الثالثة', '9', 'الأدوية والمستلزمات الطبية', 'يوم الثلاثاء');
    const b = await assigner.assign(item('flight-3', { ...next, body: next.body.replace('تحمل 9 طنا', 'تحمل تسعة أطنان') }, 30));
    expect(b.storyId).not.toBe(a.storyId);
  });
});

describe('the same cable to another country', () => {
  const cable = (president: string, country: string, occasion: string) => ({
    title: `خادم الحرمين يهنئ ${president} بذكرى ${occasion}`,
    body: [
      `بعث خادم الحرمين الشريفين الملك سلمان بن عبدالعزيز آل سعود برقية تهنئة لفخامة ${president} رئيس ${country}، بمناسبة ذكرى ${occasion} لبلاده.`,
      'وأعرب الملك المفدى باسمه واسم شعب وحكومة المملكة العربية السعودية عن أصدق التهاني وأطيب التمنيات بالصحة والسعادة لفخامته، ولحكومة وشعب بلاده الشقيق المزيد من التقدم والازدهار.',
      'كما بعث صاحب السمو الملكي الأمير محمد بن نايف بن عبدالعزيز ولي العهد نائب رئيس مجلس الوزراء وزير الداخلية برقية تهنئة مماثلة، أعرب فيها عن أصدق التهاني وأطيب التمنيات.',
    ].join('\n'),
  });

  it('keeps a congratulation cable to Tunisia out of the story of the same cable to Egypt', async () => {
    const assigner = createStoryAssigner(createMemoryCandidateIndex());
    const a = await assigner.assign(item('egypt', cable('الرئيس عبدالفتاح السيسي', 'جمهورية مصر العربية', 'اليوم الوطني'), 0));
    const b = await assigner.assign(item('tunisia', cable('الرئيس الباجي قائد السبسي', 'الجمهورية التونسية في تونس', 'اليوم الوطني'), 20));
    expect(b.storyId).not.toBe(a.storyId);
  });

  it('still merges a copy of one cable that spells the country another way («سوريا», «سورية»)', async () => {
    const assigner = createStoryAssigner(createMemoryCandidateIndex());
    const a = await assigner.assign(item('syria', cable('الرئيس', 'سوريا', 'الاستقلال'), 0));
    const copy = cable('الرئيس', 'سورية', 'الاستقلال');
    const b = await assigner.assign(item('syria-copy', { ...copy, title: 'القيادة تهنئ رئيس سورية بذكرى الاستقلال' }, 1));
    expect(b.storyId).toBe(a.storyId);
  });
});

describe('series from one outlet', () => {
  // Each day's forecast keeps the frame and changes regions, winds and seas: about half of it is the same words.
  const forecast = (day: string, regions: string, redSea: string, gulf: string) => ({
    title: 'طقس شديد الحرارة على شرق ووسط المملكة',
    body: [
      `توقعت الرئاسة العامة للأرصاد وحماية البيئة في تقريرها عن حالة الطقس ${day} طقسا شديد الحرارة على شرق ووسط المملكة مع رياح نشطة مثيرة للأتربة على ${regions}.`,
      `وأورد التقرير أن حركة الرياح السطحية على البحر الأحمر ستكون ${redSea} وحالة البحر متوسط الموج.`,
      `بينما تكون حركة الرياح السطحية على الخليج العربي ${gulf} وحالة البحر متوسط الموج.`,
    ].join('\n'),
  });
  const mon = forecast('ليوم الاثنين', 'منطقتي مكة المكرمة وجازان', 'شمالية غربية بسرعة 15 إلى 35 كم في الساعة وارتفاع الموج من متر إلى متر ونصف', 'جنوبية شرقية إلى شرقية بسرعة 10 إلى 30 كم في الساعة وارتفاع الموج من نصف متر إلى متر');
  const tue = forecast('ليوم الثلاثاء', 'المنطقة الشرقية والرياض', 'جنوبية غربية تتحول إلى شمالية غربية تصل إلى 40 كم على الجزء الجنوبي ويصل الموج إلى مترين', 'شمالية غربية نشطة تصل سرعتها إلى 45 كم مع موج يتجاوز مترين على الأجزاء الشمالية');

  it("keeps an outlet's next-day edition of a series out of the previous day's story", async () => {
    const assigner = createStoryAssigner(createMemoryCandidateIndex());
    const monday = await assigner.assign(item('weather-mon', mon, 0, 'spa'));
    const copy = await assigner.assign(item('weather-mon-copy', mon, 2, 'okaz'));
    const tuesday = await assigner.assign(item('weather-tue', tue, 25, 'spa'));
    expect(copy.storyId).toBe(monday.storyId);
    expect(tuesday.storyId).not.toBe(monday.storyId);
  });

  it("still merges an outlet's own copy published a day later (the print edition)", async () => {
    const assigner = createStoryAssigner(createMemoryCandidateIndex());
    const web = await assigner.assign(item('web', { title: seedTitle, body: seedBody }, 0, 'alyaum'));
    const print = await assigner.assign(item('print', republishedEdited, 26, 'alyaum'));
    expect(print.storyId).toBe(web.storyId);
  });

  it("merges an outlet's next-day reprint of its own item though the story also holds its looser edit of it", async () => {
    const assigner = createStoryAssigner(createMemoryCandidateIndex());
    const web = await assigner.assign(item('web', { title: seedTitle, body: seedBody }, 0, 'alyaum'));
    const edit = await assigner.assign(item('edit', republishedEdited, 1, 'alyaum'));
    // Copies 'web' word for word; 'edit' (its own looser version from the day before) it copies less.
    const print = await assigner.assign(item('print', { title: seedTitle, body: seedBody }, 26, 'alyaum'));
    expect(edit.storyId).toBe(web.storyId);
    expect(print.storyId).toBe(web.storyId);
  });
});

describe('lead-only copies under an outlet\'s own first sentence', () => {
  const intro = 'ذكرت مصادر إعلامية متطابقة اليوم أن العاصمة الإيرانية شهدت لقاء أمنيا رفيعا بين الجانبين السوري والإيراني بعيدا عن الأضواء وسط تكتم شديد من الطرفين على تفاصيل ما دار فيه من مباحثات.';
  const words = (text: string, n: number) => text.split(/\s+/).slice(0, n).join(' ');

  it('merges a 50-word lead whose first sentence is the outlet\'s own with the lead of the report it copies', async () => {
    const assigner = createStoryAssigner(createMemoryCandidateIndex());
    const wire = await assigner.assign(item('wire-lead', { title: seedTitle, body: words(seedBody, 50) + ' …' }, 0));
    const copy = await assigner.assign(item('intro-lead', { title: 'لقاء أمني سوري إيراني', body: words(intro + ' ' + seedBody, 50) + ' …' }, 1));
    expect(copy.storyId).toBe(wire.storyId);
  });

  it('keeps template news apart though everything below its first sentence is shared', async () => {
    const assigner = createStoryAssigner(createMemoryCandidateIndex());
    const lead = (x: { title: string; body: string }) => ({ title: x.title, body: words(x.body, 50) + ' …' });
    const a = await assigner.assign(item('flight-2-lead', lead(reliefFlightTwo), 0));
    const b = await assigner.assign(item('flight-3-lead', lead(reliefFlightThree), 30));
    expect(b.storyId).not.toBe(a.storyId);
  });
});

describe('stories over a stream', () => {
  it('keeps the story id of the first item as outlets join, and reports which item matched', async () => {
    const assigner = createStoryAssigner(createMemoryCandidateIndex());
    const first = await assigner.assign(seed());
    expect(first).toEqual({ storyId: 'seed', matchedItemId: null, also: [] });
    const ids = [];
    for (const [i, text] of [republishedEdited, withJunk, leadOnly].entries()) ids.push((await assigner.assign(item(`copy-${i}`, text, i + 1))).storyId);
    expect(ids).toEqual(['seed', 'seed', 'seed']);
  });

  it('does not let a roundup that embeds two reports glue their stories together', async () => {
    const assigner = createStoryAssigner(createMemoryCandidateIndex());
    const a = await assigner.assign(seed());
    const b = await assigner.assign(item('flight-2', reliefFlightTwo, 1));
    const roundup = { title: 'حصاد اليوم', body: `${seedBody}\n${reliefFlightTwo.body}` };
    await assigner.assign(item('roundup', roundup, 2));
    // A copy of the flight report arrives after the roundup: it must still land in the flight story.
    const c = await assigner.assign(item('flight-2-copy', { title: 'طائرة إغاثية ثانية إلى عدن', body: reliefFlightTwo.body }, 3));
    expect(a.storyId).not.toBe(b.storyId);
    expect(c.storyId).toBe(b.storyId);
  });

  it("keeps one outlet's photo galleries apart when its footer repeats each headline", async () => {
    const assigner = createStoryAssigner(createMemoryCandidateIndex());
    const gallery = (id: string, place: string, at: number) =>
      item(id, { title: `بالصور .. رمضان في ${place}`, body: `رابط الخبر بصحيفة الوئام: بالصور .. رمضان في ${place}` }, at, 'alweeam');
    const stories = [];
    for (const [i, place] of ['ليبيا', 'فلسطين', 'اندونيسيا'].entries()) stories.push((await assigner.assign(gallery(`g${i}`, place, i))).storyId);
    expect(new Set(stories).size).toBe(3);
  });

  it('never merges two title-only items by hashing nothing, nor two short different titles', async () => {
    const assigner = createStoryAssigner(createMemoryCandidateIndex());
    const a = await assigner.assign(item('t1', { title: 'عاجل', body: '' }, 0));
    const b = await assigner.assign(item('t2', { title: 'عاجل', body: '' }, 1));
    const c = await assigner.assign(item('t3', { title: '', body: '' }, 1));
    const d = await assigner.assign(item('t4', { title: '', body: '' }, 1));
    expect(new Set([a.storyId, b.storyId, c.storyId, d.storyId]).size).toBe(4);
  });
});

describe('asymmetric containment: what the item read second adds', () => {
  // A one-paragraph ministry statement, and a longer report that leads with its own news (a field visit, quotes) and
  // carries the statement whole below it.
  const statement = {
    title: 'وزارة الصحة: لا إصابات جديدة بفيروس كورونا في المنطقة الشرقية',
    body: 'أعلنت وزارة الصحة أمس أنها لم تسجل أي إصابة جديدة بفيروس كورونا في المنطقة الشرقية خلال الأيام السبعة الماضية، وأن المخالطين للحالات السابقة أنهوا فترة العزل المنزلي دون ظهور أعراض، مؤكدة استمرار الفحص في جميع المستشفيات والمراكز الصحية.',
  };
  // Its own lead is one sentence (under the follow-up check's 60 words), and most of what follows the statement is its own.
  const ownReport = {
    title: 'جولة في مستشفيات الدمام: الطوارئ تعود إلى العمل الطبيعي والأطباء يروون أسابيع العزل',
    body: [
      'تجولت الصحيفة أمس في أقسام الطوارئ بمستشفيات الدمام والخبر، حيث عادت غرف الانتظار إلى ازدحامها المعتاد بعد أسابيع من الإجراءات المشددة على الزوار.',
      statement.body,
      'وقال استشاري الأمراض المعدية الدكتور خالد العتيبي إن الفرق الطبية عملت بنظام المناوبات الطويلة طوال فترة الأزمة، وإن كثيرا من الممرضين لم يروا أسرهم لأكثر من عشرين يوما، مضيفا أن التجربة كشفت الحاجة إلى غرف عزل إضافية في كل مستشفى.',
      'وروت ممرضة في قسم العناية المركزة كيف كانت تتابع حالة مريض مسن لمدة أسبوعين قبل أن يغادر المستشفى متعافيا، فيما طالب عدد من المراجعين بتوفير مواقف إضافية للسيارات بعد إعادة فتح المداخل الجانبية.',
      'وفي الخبر أعلنت إدارة أحد المستشفيات الخاصة تخصيص جناح كامل للحالات التنفسية، بينما بدأت البلدية حملة لتعقيم الأسواق الشعبية والحدائق العامة استعدادا لعطلة نهاية الأسبوع.',
    ].join('\n'),
  };

  it.each([
    ['keeps', true],
    ['without the own-news check would merge', false],
  ])('%s a longer report that leads with its own news and carries a short statement (the statement first)', async (_name, check) => {
    const assigner = createStoryAssigner(createMemoryCandidateIndex(), { ownNewsCheck: check });
    const a = await assigner.assign(item('statement', statement, 0));
    const b = await assigner.assign(item('own-report', ownReport, 3));
    expect(b.storyId !== a.storyId).toBe(check);
  });

  it('puts the short statement in the story of the longer report it is found whole in, read after it', async () => {
    const assigner = createStoryAssigner(createMemoryCandidateIndex());
    const a = await assigner.assign(item('own-report', ownReport, 0));
    const b = await assigner.assign(item('statement', statement, 3));
    expect(b.storyId).toBe(a.storyId);
  });

  it('still merges a longer copy that opens with the statement and adds details below it', async () => {
    const assigner = createStoryAssigner(createMemoryCandidateIndex());
    const extended = { title: 'الصحة: المنطقة الشرقية خالية من الإصابات الجديدة', body: [statement.body, ...ownReport.body.split('\n').slice(2)].join('\n') };
    const a = await assigner.assign(item('statement', statement, 0));
    const b = await assigner.assign(item('extended', extended, 3));
    expect(b.storyId).toBe(a.storyId);
  });
});

describe('a short member does not bridge two longer reports', () => {
  // A one-paragraph statement, and two outlets' reports that each open with it and go on with details of their own
  // (the doctors' weeks of isolation; the schools and the markets): they overlap each other only through the statement.
  const statement = 'أعلنت وزارة الصحة أمس أنها لم تسجل أي إصابة جديدة بفيروس كورونا في المنطقة الشرقية خلال الأيام السبعة الماضية، وأن المخالطين للحالات السابقة أنهوا فترة العزل المنزلي دون ظهور أعراض، مؤكدة استمرار الفحص في جميع المستشفيات والمراكز الصحية.';
  const doctors = [
    'وقال استشاري الأمراض المعدية الدكتور خالد العتيبي إن الفرق الطبية عملت بنظام المناوبات الطويلة طوال فترة الأزمة، وإن كثيرا من الممرضين لم يروا أسرهم لأكثر من عشرين يوما.',
    'وروت ممرضة في قسم العناية المركزة كيف كانت تتابع حالة مريض مسن لمدة أسبوعين قبل أن يغادر المستشفى متعافيا.',
  ];
  const schools = [
    'وفي الأحساء أعلنت إدارة التعليم تأجيل عودة المعلمين إلى المدارس أسبوعا واحدا حتى تنتهي أعمال الصيانة والتعقيم في المباني الدراسية.',
    'بينما بدأت البلدية حملة لتعقيم الأسواق الشعبية والحدائق العامة استعدادا لعطلة نهاية الأسبوع، وطالبت السكان بالالتزام بالكمامات.',
  ];
  const stream = (): DedupInput[] => [
    item('statement', { title: 'وزارة الصحة: لا إصابات جديدة بفيروس كورونا في المنطقة الشرقية', body: statement }, 0),
    item('doctors', { title: 'الشرقية بلا إصابات جديدة والأطباء يروون أسابيع العزل', body: [statement, ...doctors].join('\n') }, 1),
    item('schools', { title: 'الشرقية خالية من كورونا والتعليم يؤجل عودة المعلمين', body: [statement, ...schools].join('\n') }, 2),
    // Another outlet's copy of the doctors' report: a copy of the story's long member, not only of the statement.
    item('doctors-copy', { title: 'لا إصابات جديدة في الشرقية', body: [statement, ...doctors].join('\n') }, 3),
  ];

  it.each([
    ['keeps out', true],
    ['without the bridge check lets in', false],
  ])('%s the second long report, which overlaps the first only through the statement that led it to the story', async (_name, bridgeCheck) => {
    const assigner = createStoryAssigner(createMemoryCandidateIndex(), { bridgeCheck });
    const stories: string[] = [];
    for (const x of stream()) stories.push((await assigner.assign(x)).storyId);
    expect(stories[1]).toBe(stories[0]);
    expect(stories[2] !== stories[0]).toBe(bridgeCheck);
    // A copy of the long member still joins: it is a copy of the story, not of one member.
    expect(stories[3]).toBe(stories[0]);
  });
});
