import { arabicCount, arabicDigits } from './arabic-relative-time.js';
import { escapeHtml, safeHttpUrl } from './feed-text.js';
import { renderPage } from './page-style.js';
import type { StoryPage, StoryPageMember } from '../domain/story-page.js';
import { diffCopy, prepareText, type PreparedText, type SentenceRun } from './sentence-diff.js';

export type { StoryPage, StoryPageMember } from '../domain/story-page.js';

export interface StoryPageOptions {
  siteTitle: string;
  /** basePathFor(PUBLIC_URL). */
  basePath: string;
  /** Absolute URL of this page. */
  canonicalUrl?: string;
  /** IANA zone the times are shown in. Default UTC (shown with the zone's name, so no reader mistakes it). */
  timeZone?: string;
}

/** «في ٣ مصادر», with the home page's agreement. */
const OUTLETS = { one: 'مصدر واحد', two: 'مصدرين', plural: 'مصادر', accusative: 'مصدرًا', genitive: 'مصدر' };

const dateFormats = new Map<string, Intl.DateTimeFormat>();

function formatTime(date: Date, timeZone: string): string {
  let format = dateFormats.get(timeZone);
  if (!format) {
    // Arabic-Indic digits, as the home and status pages write them.
    format = new Intl.DateTimeFormat('ar-u-nu-arab', { year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone, timeZoneName: 'short' });
    dateFormats.set(timeZone, format);
  }
  return format.format(date);
}

function timeHtml(member: StoryPageMember, timeZone: string): string {
  const date = member.publishedAt ?? member.fetchedAt;
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return '';
  return `<time datetime="${date.toISOString()}">${escapeHtml(formatTime(date, timeZone))}</time>`;
}

/** The headline, linking to the outlet's own article when it has a safe link. */
function headlineHtml(member: StoryPageMember): string {
  const link = safeHttpUrl(member.link);
  const title = escapeHtml(member.title);
  return link === null ? title : `<a href="${escapeHtml(link)}">${title}</a>`;
}

function metaHtml(member: StoryPageMember, timeZone: string, extra: string[] = []): string {
  const parts = [`<span class="outlet">${escapeHtml(member.outlet)}</span>`];
  if (member.author && member.author.trim() !== '' && member.author.trim() !== member.outlet.trim()) {
    parts.push(`<span class="author">${escapeHtml(member.author.trim())}</span>`);
  }
  const time = timeHtml(member, timeZone);
  if (time !== '') parts.push(time);
  parts.push(...extra);
  return `<p class="meta">${parts.join('<span class="sep">·</span>')}</p>`;
}

function paragraphsHtml(text: string): string {
  return text
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => `<p>${escapeHtml(line)}</p>`)
    .join('\n');
}

function runsHtml(runs: SentenceRun[], tag: 'ins' | 'del'): string {
  return runs.map((run) => `<p><${tag}>${run.sentences.map(escapeHtml).join(' ')}</${tag}></p>`).join('\n');
}

function copyHtml(member: StoryPageMember, base: PreparedText, timeZone: string): string {
  const copy = prepareText(member.contentText);
  const open = `<article class="copy" id="item-${member.itemId}" data-item-id="${member.itemId}" data-feed-id="${escapeHtml(member.feedId)}">\n<h3>${headlineHtml(member)}</h3>\n`;
  if (copy.sentences.length === 0) {
    return `${open}${metaHtml(member, timeZone)}\n<p class="same">لم ينشر هذا المصدر في موجزه سوى العنوان.</p>\n</article>`;
  }
  const diff = diffCopy(base, copy);
  const shared = `<span class="shared">جمل مشتركة: ${arabicDigits(diff.shared)} من ${arabicDigits(diff.sentences)}</span>`;
  const blocks: string[] = [];
  if (diff.added.length > 0) blocks.push(`<section class="added">\n<h4>ما أضافه</h4>\n${runsHtml(diff.added, 'ins')}\n</section>`);
  if (diff.dropped.length > 0) blocks.push(`<section class="dropped">\n<h4>ما حذفه من النص أعلاه</h4>\n${runsHtml(diff.dropped, 'del')}\n</section>`);
  if (blocks.length === 0) blocks.push('<p class="same">النص نفسه، بلا إضافة ولا حذف.</p>');
  return `${open}${metaHtml(member, timeZone, [shared])}\n${blocks.join('\n')}\n</article>`;
}

const NO_MEMBER: StoryPageMember = { itemId: 0, feedId: '', outlet: '', title: '', link: null, contentText: '', author: null, publishedAt: null, fetchedAt: new Date(Number.NaN) };

function representativeOf(page: StoryPage): StoryPageMember {
  // The loader never gives a story without members; a page that has none still renders (an empty story).
  return page.members.find((m) => m.itemId === page.representativeItemId) ?? page.members[0] ?? NO_MEMBER;
}

/** The page's `<main>` content: the representative copy in full, then what each other copy adds and cuts. */
export function renderStoryBody(page: StoryPage, options: Pick<StoryPageOptions, 'timeZone'> = {}): string {
  const timeZone = options.timeZone ?? 'UTC';
  const representative = representativeOf(page);
  const others = page.members.filter((m) => m !== representative);
  const base = prepareText(representative.contentText);
  // One entry per outlet, at its first copy.
  const firstCopies = page.members.filter((m, i) => page.members.findIndex((o) => o.feedId === m.feedId) === i);
  const outlets = firstCopies.map((m) => {
    const link = safeHttpUrl(m.link);
    const name = escapeHtml(m.outlet);
    return `<li>${link === null ? name : `<a href="${escapeHtml(link)}">${name}</a>`}</li>`;
  });
  const parts = [
    `<article class="story-page" data-story-id="${page.storyId}" data-outlets="${page.outletCount}" data-copies="${page.memberCount}">`,
    `<header>\n<h1>${headlineHtml(representative)}</h1>\n${metaHtml(representative, timeZone)}`,
    `<div class="meta"><span>نُشر في ${arabicCount(page.outletCount, OUTLETS)}:</span> <ul class="outlets">${outlets.join('')}</ul></div>\n</header>`,
    `<div class="story-text">\n${paragraphsHtml(representative.contentText)}\n</div>`,
  ];
  if (others.length > 0) {
    parts.push(
      `<section class="copies" aria-labelledby="copies-heading">\n<h2 id="copies-heading">نسخ المصادر الأخرى</h2>\n` +
        `<p class="note">لكل مصدر ما أضافه إلى النص أعلاه وما حذفه منه؛ الجمل المشتركة لا تتكرر.</p>\n` +
        `${others.map((m) => copyHtml(m, base, timeZone)).join('\n')}\n</section>`,
    );
  }
  const hidden = page.memberCount - page.members.length;
  if (hidden > 0) parts.push(`<p class="note">نسخ أخرى لم تُعرض هنا: ${arabicDigits(hidden)}</p>`);
  parts.push('</article>');
  return parts.join('\n');
}

/** Search engines show about this much of a description. */
const DESCRIPTION_CHARS = 200;

/** `/stories/{id}`: a whole right-to-left document. Pure; the same page data gives the same bytes. */
export function renderStoryPage(page: StoryPage, options: StoryPageOptions): string {
  const representative = representativeOf(page);
  return renderPage({
    title: `${representative.title} — ${options.siteTitle}`,
    body: renderStoryBody(page, options),
    lang: 'ar',
    dir: 'rtl',
    basePath: options.basePath,
    siteTitle: options.siteTitle,
    description: prepareText(representative.contentText).sentences[0]?.text.slice(0, DESCRIPTION_CHARS),
    canonicalUrl: options.canonicalUrl,
  });
}
