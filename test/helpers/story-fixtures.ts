import { isNotNull } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { items } from '../../src/db/schema.js';
import type { Item } from '../../src/domain/item.js';
import { htmlToText } from '../../src/pipeline/html-to-text.js';
import { storeItems } from '../../src/pipeline/store-items.js';
import type { StoryAssigner } from '../../src/pipeline/story-assigner.js';
import { agencyCopy, agencyTitle, republishedCopy } from './agency-report.js';
import { feedSource } from './test-sources.js';

/**
 * Stories for the page tests, written for them: several outlets per story, each copy edited the way outlets edit
 * agency text (a sentence added, a paragraph cut, its own headline), plus single-outlet filler for paging. Stored
 * through the real store (storeItems) with an assigner that groups copies by report, so what dedup would decide does
 * not change what the pages are tested on.
 */

export const fixtureOutlets = [
  feedSource('wakala', 'وكالة الأنباء العربية', 'https://wakala.example/rss', { category: 'news', priority: 10 }),
  feedSource('yawmiya', 'الصحيفة اليومية', 'https://yawmiya.example/rss', { category: 'news' }),
  feedSource('sabah', 'صباح الخليج', 'https://sabah.example/rss', { category: 'news' }),
  feedSource('riyada', 'الملاعب', 'https://riyada.example/rss', { category: 'sport' }),
];

interface Copy {
  feedId: string;
  title: string;
  paragraphs: string[];
  /** Minutes after the report's first copy. */
  after: number;
}

interface Report {
  key: string;
  copies: Copy[];
}

const paragraphsOf = (html: string) => htmlToText(html).split('\n').filter((p) => p.trim() !== '');

const health = [
  'أعلنت وزارة الصحة اليوم الأحد تسجيل 120 إصابة جديدة بالحمى في محافظة الجنوب، ليرتفع عدد الإصابات منذ بداية الشهر إلى 640 إصابة.',
  'وقال المتحدث باسم الوزارة إن الفرق الطبية تعمل على احتواء المرض، وإن المستشفيات الحكومية رفعت درجة الاستعداد إلى الحد الأقصى.',
  'ودعت الوزارة المواطنين إلى مراجعة أقرب مركز صحي عند ظهور الأعراض، وإلى تجنب شرب المياه غير المعالجة.',
];

const transport = [
  'أطلقت هيئة النقل العام في العاصمة أمس المرحلة الأولى من شبكة الحافلات الكهربائية، بتشغيل 45 حافلة على ستة خطوط تربط الأحياء الشرقية بوسط المدينة.',
  'وأوضح رئيس الهيئة أن الشبكة ستتسع إلى 300 حافلة خلال ثلاث سنوات، وأن تعرفة الركوب ستبقى كما هي حتى نهاية العام.',
  'وتأتي الخطوة ضمن خطة حكومية لخفض الازدحام المروري وتقليل انبعاثات الكربون في المدن الكبرى.',
];

const football = [
  'تأهل المنتخب الوطني لكرة القدم إلى الدور نصف النهائي من كأس العرب بعد فوزه على نظيره بهدفين مقابل هدف في المباراة التي أقيمت مساء أمس.',
  'وسجل هدفي المنتخب مهاجمه الشاب في الدقيقتين 34 و78، فيما جاء هدف الفريق المنافس من ركلة جزاء في الشوط الثاني.',
  'ويلتقي المنتخب في نصف النهائي الفائز من مباراة الغد، على أن تقام المباراة يوم الجمعة المقبل.',
];

const water = agencyCopy();
const waterReprint = republishedCopy();

/** Four reports carried by several outlets each. */
export const fixtureReports: Report[] = [
  {
    key: 'water',
    copies: [
      { feedId: 'wakala', title: agencyTitle, paragraphs: paragraphsOf(water.html), after: 0 },
      { feedId: 'yawmiya', title: waterReprint.title, paragraphs: paragraphsOf(waterReprint.html), after: 20 },
      {
        feedId: 'sabah',
        title: 'القاهرة تستضيف إقرار خطة الأمن المائي العربي',
        paragraphs: [
          ...paragraphsOf(water.html).slice(0, 2),
          'وكان خبراء قد حذروا في تقرير نشر الشهر الماضي من أن نصيب الفرد من المياه في المنطقة سينخفض إلى النصف بحلول عام 2050.',
        ],
        after: 45,
      },
    ],
  },
  {
    key: 'health',
    copies: [
      { feedId: 'wakala', title: 'الصحة: 120 إصابة جديدة بالحمى في الجنوب', paragraphs: health, after: 0 },
      { feedId: 'yawmiya', title: 'ارتفاع إصابات الحمى في محافظة الجنوب إلى 640', paragraphs: health.slice(0, 2), after: 15 },
      {
        feedId: 'sabah',
        title: 'تفشي الحمى في الجنوب: الوزارة ترفع الاستعداد',
        paragraphs: [health[0]!, `${health[1]} وأضاف أن مستشفيين ميدانيين سيفتتحان خلال الأسبوع المقبل في المحافظة.`, health[2]!],
        after: 30,
      },
    ],
  },
  {
    key: 'transport',
    copies: [
      { feedId: 'yawmiya', title: 'حافلات كهربائية تجوب شوارع العاصمة لأول مرة', paragraphs: transport, after: 0 },
      { feedId: 'wakala', title: 'تشغيل 45 حافلة كهربائية في العاصمة', paragraphs: transport.slice(0, 2), after: 10 },
    ],
  },
  {
    key: 'football',
    copies: [
      { feedId: 'riyada', title: 'المنتخب إلى نصف نهائي كأس العرب', paragraphs: football, after: 0 },
      { feedId: 'yawmiya', title: 'فوز ثمين يقود المنتخب إلى المربع الذهبي', paragraphs: football.slice(0, 2), after: 25 },
      { feedId: 'sabah', title: 'المنتخب يتأهل بهدفين لمهاجمه الشاب', paragraphs: [football[0]!, football[1]!, 'وأشاد المدرب بأداء اللاعبين رغم الإرهاق.'], after: 40 },
    ],
  },
];

const cities = ['الرباط', 'تونس', 'عمان', 'بيروت', 'الدوحة', 'مسقط', 'الكويت', 'الخرطوم', 'بغداد', 'الجزائر'];

/** Single-outlet weather bulletins, enough of them that the home page has older pages. */
export function fillerReports(count: number): Report[] {
  return Array.from({ length: count }, (_, i) => {
    const city = cities[i % cities.length]!;
    const degrees = 18 + (i % 17);
    return {
      key: `weather-${i}`,
      copies: [
        {
          feedId: i % 2 === 0 ? 'wakala' : 'sabah',
          title: `نشرة الطقس رقم ${i + 1}: ${degrees} درجة في ${city}`,
          paragraphs: [`توقعت الأرصاد الجوية أن تبلغ درجة الحرارة العظمى في ${city} ${degrees} درجة مئوية في النشرة رقم ${i + 1}، مع رياح خفيفة.`],
          after: 0,
        },
      ],
    };
  });
}

/** Every copy's entry key starts with its report's key: `report/<key>/<feedId>`. */
function reportKeyOf(entryKey: string): string {
  return entryKey.split('/')[1]!;
}

/** Places each item in its report's story: an existing one, one started earlier in the batch, or a new one. */
const byReport: StoryAssigner = {
  async place(db, rows) {
    const stored = await db.select({ entryKey: items.entryKey, storyId: items.storyId }).from(items).where(isNotNull(items.storyId));
    const storyOf = new Map(stored.map((r) => [reportKeyOf(r.entryKey), r.storyId!]));
    const firstInBatch = new Map<string, number>();
    return rows.map((row) => {
      const key = reportKeyOf(row.entryKey);
      const existing = storyOf.get(key);
      if (existing !== undefined) return { kind: 'existing' as const, storyId: existing };
      const earlier = firstInBatch.get(key);
      if (earlier !== undefined) return { kind: 'with' as const, itemId: earlier };
      firstInBatch.set(key, row.id);
      return { kind: 'new' as const };
    });
  },
};

export interface SeedOptions {
  /** Single-outlet stories older than the rich ones. Default 0. */
  filler?: number;
  /** The newest rich report's first copy; the others are an hour apart before it. */
  newest?: Date;
}

/** Syncs the outlets and stores every copy, one outlet's batch at a time as the worker would. */
export async function seedFixtureStories(db: Database, options: SeedOptions = {}): Promise<void> {
  await syncFeeds(db, fixtureOutlets);
  const newest = options.newest ?? new Date(Date.UTC(2026, 2, 5, 12, 0));
  const reports = [...fixtureReports, ...fillerReports(options.filler ?? 0)];
  const batches = new Map<string, Item[]>();
  reports.forEach((report, r) => {
    const first = newest.getTime() - r * 3_600_000;
    for (const copy of report.copies) {
      const link = `https://${copy.feedId}.example/news/${report.key}`;
      const item: Item = {
        feedId: copy.feedId,
        entryKey: `report/${report.key}/${copy.feedId}`,
        guid: null,
        link,
        canonicalLink: link,
        title: copy.title,
        contentHtml: copy.paragraphs.map((p) => `<p>${p}</p>`).join(''),
        contentText: copy.paragraphs.join('\n'),
        publishedAt: new Date(first + copy.after * 60_000),
        author: null,
      };
      batches.set(copy.feedId, [...(batches.get(copy.feedId) ?? []), item]);
    }
  });
  for (const batch of batches.values()) await storeItems(db, batch, byReport, newest);
}
