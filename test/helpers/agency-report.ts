import { htmlToText } from '../../src/pipeline/html-to-text.js';
import type { Item } from '../../src/domain/item.js';

/** An agency-style report written for the tests, and the ways outlets republish it. */

export const agencyTitle = 'وزراء المياه العرب يقرون «خطة الأمن المائي» في اجتماعهم بالقاهرة';

export const agencyParagraphs = [
  'القاهرة (وكالات) - أقر وزراء المياه العرب في ختام اجتماعهم الدوري بمقر جامعة الدول العربية في القاهرة أمس «خطة الأمن المائي العربي» للسنوات العشر المقبلة، وذلك بمشاركة ممثلين عن ثماني عشرة دولة.',
  'وأكد البيان الختامي للاجتماع أن الخطة تهدف إلى تعزيز التعاون الإقليمي في إدارة الموارد المائية المشتركة، وتطوير تقنيات تحلية المياه وإعادة استخدامها، ومواجهة آثار التغير المناخي على مصادر المياه في المنطقة.',
  'وقال الأمين العام المساعد للجامعة إن «الأمن المائي أصبح جزءا لا يتجزأ من الأمن القومي العربي»، مشيرا إلى أن أكثر من نصف سكان المنطقة يعيشون في مناطق تعاني من شح المياه.',
  'ودعا الوزراء إلى إنشاء صندوق عربي لتمويل مشروعات المياه في الدول الأكثر تضررا، وتبادل الخبرات في مجال الري الحديث وترشيد الاستهلاك، على أن يعقد الاجتماع المقبل في الرباط العام القادم.',
];

/** The report as the agency's own feed carries it, with a site's junk lines at the end. */
export function agencyCopy(): { title: string; html: string } {
  return {
    title: agencyTitle,
    html: `${agencyParagraphs.map((p) => `<p>${p}</p>`).join('')}<p>اظهر المزيد</p><p>زر الذهاب إلى الأعلى</p>`,
  };
}

/** Another outlet's republication: its own headline, plain quotes instead of « », hamza dropped, a paragraph cut. */
export function republishedCopy(): { title: string; html: string } {
  const edited = agencyParagraphs
    .slice(0, 3)
    .map((p) => p.replace(/[«»]/g, '"').replace(/[أإآ]/g, 'ا').replace('القاهرة (وكالات) - ', ''));
  return { title: 'خطة عربية جديدة لمواجهة شح المياه', html: edited.map((p) => `<p>${p}</p>`).join('') };
}

/** A different report, unrelated to the meeting. */
export function unrelatedReport(): { title: string; html: string } {
  return {
    title: 'افتتاح أكبر محطة للطاقة الشمسية في شمال أفريقيا',
    html:
      '<p>افتتحت الحكومة المغربية اليوم محطة جديدة للطاقة الشمسية بقدرة خمسمائة ميغاواط في منطقة ورزازات، في إطار خطة وطنية لرفع حصة الطاقات المتجددة في مزيج الكهرباء.</p>' +
      '<p>وقالت وزارة الطاقة إن المحطة ستزود أكثر من مليون منزل بالكهرباء، وستسهم في خفض الانبعاثات الكربونية بنحو ثمانمائة ألف طن سنويا.</p>',
  };
}

/** A third report, for tests that need one nothing else resembles. */
export function thirdReport(): { title: string; html: string } {
  return {
    title: 'إطلاق قمر صناعي عربي لرصد الأحوال الجوية',
    html:
      '<p>أطلقت وكالة الفضاء الإماراتية صباح اليوم قمرا صناعيا جديدا لرصد الأحوال الجوية ومراقبة العواصف الرملية في منطقة الخليج، من قاعدة إطلاق في اليابان.</p>' +
      '<p>وقال مدير المشروع إن القمر سيرسل صورا عالية الدقة كل خمس عشرة دقيقة، وسيساعد مراكز الأرصاد على إصدار تحذيرات مبكرة قبل وصول العواصف بساعات.</p>' +
      '<p>ويعد القمر الثالث من نوعه ضمن برنامج وطني لتطوير صناعة الفضاء وتأهيل الكوادر المحلية في مجالات الهندسة والاتصالات.</p>',
  };
}

/**
 * A normalized item carrying one of these copies, as the pipeline hands it to the store: link
 * `https://<feedId>.example/news/<n>` (also its entry key), text derived from the HTML.
 */
export function reportItem(feedId: string, n: number, copy: { title: string; html: string }, publishedAt: Date | null): Item {
  const link = `https://${feedId}.example/news/${n}`;
  return {
    feedId,
    entryKey: link,
    guid: null,
    link,
    canonicalLink: link,
    title: copy.title,
    contentHtml: copy.html,
    contentText: htmlToText(copy.html),
    publishedAt,
    author: null,
  };
}
