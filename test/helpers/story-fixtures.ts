import { eq } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { insertItems } from '../../src/db/queries/insert-items.js';
import { recordFetchOutcome } from '../../src/db/queries/record-fetch-outcome.js';
import { createStories, refreshStories, setItemStories } from '../../src/db/queries/story-membership.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { items } from '../../src/db/schema.js';
import type { Item } from '../../src/domain/item.js';
import { storableItem } from '../../src/domain/storable-text.js';
import { htmlToText } from '../../src/pipeline/html-to-text.js';
import { storyTime } from '../../src/pipeline/story-time.js';
import { agencyCopy, agencyTitle, republishedCopy } from './agency-report.js';
import { feedSource } from './test-sources.js';

/**
 * Stories for the page tests, written for them: several outlets per story, each copy edited the way outlets edit
 * agency text (a sentence added, a paragraph cut, its own headline), plus single-outlet filler for paging. Written
 * with the store's own queries (insertItems, createStories, setItemStories, refreshStories: the representative and
 * counts by the store's rule), grouped by report rather than by dedup, so dedup's tuning never changes what the pages
 * are tested on.
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

export interface SeedOptions {
  /** Single-outlet stories older than the rich ones. Default 0. */
  filler?: number;
  /** When the copies were fetched; every copy was published before it, the reports an hour apart. */
  newest?: Date;
}

/** The outlet whose last fetch failed (the others' succeeded), for the status page. */
export const FAILING_OUTLET = 'riyada';

/**
 * Syncs the outlets, stores every copy one outlet's batch at a time as the worker would, and records each outlet's
 * last fetch: a success, except FAILING_OUTLET's, an HTTP 503.
 */
export async function seedFixtureStories(db: Database, options: SeedOptions = {}): Promise<void> {
  await syncFeeds(db, fixtureOutlets);
  const fetchedAt = options.newest ?? new Date(Date.UTC(2026, 2, 5, 12, 0));
  const reports = [...fixtureReports, ...fillerReports(options.filler ?? 0)];
  const batches = new Map<string, Array<{ report: string; item: Item }>>();
  reports.forEach((report, r) => {
    const first = fetchedAt.getTime() - (r + 1) * 3_600_000;
    for (const copy of report.copies) {
      const link = fixtureLink(copy.feedId, report.key);
      const item: Item = {
        feedId: copy.feedId,
        entryKey: link,
        guid: null,
        link,
        canonicalLink: link,
        title: copy.title,
        contentHtml: copy.paragraphs.map((p) => `<p>${p}</p>`).join(''),
        contentText: copy.paragraphs.join('\n'),
        publishedAt: new Date(first + copy.after * 60_000),
        author: null,
      };
      batches.set(copy.feedId, [...(batches.get(copy.feedId) ?? []), { report: report.key, item: storableItem(item) }]);
    }
  });
  const storyOfReport = new Map<string, number>();
  for (const batch of batches.values()) {
    await db.transaction(async (tx) => {
      const rows = await insertItems(tx, batch.map((b) => b.item), fetchedAt);
      const reportOf = new Map(batch.map((b) => [b.item.entryKey, b.report]));
      const starts = rows.filter((row) => !storyOfReport.has(reportOf.get(row.entryKey)!));
      const started = await createStories(tx, starts.map((row) => ({ itemId: row.id, firstSeenAt: storyTime(row) })));
      for (const row of starts) storyOfReport.set(reportOf.get(row.entryKey)!, started.get(row.id)!);
      const joined = rows.filter((row) => !started.has(row.id)).map((row) => storyOfReport.get(reportOf.get(row.entryKey)!)!);
      await setItemStories(tx, rows.map((row) => ({ itemId: row.id, storyId: storyOfReport.get(reportOf.get(row.entryKey)!)! })));
      await refreshStories(tx, [...new Set(joined)]);
    });
  }
  const nextFetchAt = new Date(fetchedAt.getTime() + 10 * 60_000);
  for (const outlet of fixtureOutlets) {
    await recordFetchOutcome(
      db,
      outlet.id,
      outlet.id === FAILING_OUTLET
        ? { kind: 'error', code: 'HTTP_STATUS', message: 'HTTP 503 Service Unavailable', httpStatus: 503, nextFetchAt }
        : { kind: 'ok', etag: null, lastModified: null, httpStatus: 200, newItems: batches.get(outlet.id)?.length ?? 0, charset: 'utf-8', nextFetchAt },
    );
  }
}

/** The article link (and entry key) of an outlet's copy of a report. */
export function fixtureLink(feedId: string, reportKey: string): string {
  return `https://${feedId}.example/news/${reportKey}`;
}

/** The story that an outlet's copy of a report is in. */
export async function fixtureStoryId(db: Database, reportKey: string, feedId: string): Promise<number> {
  const [row] = await db.select({ storyId: items.storyId }).from(items).where(eq(items.link, fixtureLink(feedId, reportKey)));
  if (!row?.storyId) throw new Error(`no story for ${feedId}'s copy of ${reportKey}`);
  return row.storyId;
}
