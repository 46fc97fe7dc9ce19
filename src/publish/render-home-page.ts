import { arabicCount, arabicRelativeTime } from './arabic-relative-time.js';
import { cleanText, escapeHtml, safeHttpUrl } from './feed-text.js';
import { renderPage, type AlternateLink, type PageLink } from './page-style.js';

/** A story as the home and search pages list it. */
export interface PageStory {
  id: number;
  title: string;
  lead: string;
  firstSeenAt: Date;
  /** Every outlet that carried it, the representative's first; each links to its own copy. */
  outlets: Array<{ name: string; link: string | null }>;
}

/** What the home page, a category tab and the search page share. */
export interface StoryListPage {
  siteTitle: string;
  description?: string;
  /** From basePathFor(PUBLIC_URL). */
  basePath: string;
  canonicalUrl?: string;
  alternates: AlternateLink[];
  footerLinks: PageLink[];
  stories: PageStory[];
  /** The older page, relative to the base path (`?before=123`); null on the last page. */
  olderHref: string | null;
  /** The first page, on pages after it; null on the first page. */
  newestHref: string | null;
  /** Relative times are counted from here (the build time). */
  now: Date;
}

export interface HomePage extends StoryListPage {
  /** feeds.yaml categories, as tabs; empty: no tabs. */
  categories: Array<{ value: string; label: string }>;
  /** The tab shown; null: every story. */
  category: string | null;
}

export interface SearchPage extends StoryListPage {
  /** What the reader typed (shown back, escaped). */
  query: string;
  /** False when the query had nothing to search for (empty, punctuation only). */
  searched: boolean;
}

/** Arabic names of the usual feeds.yaml category slugs; any other category is shown as written. */
const CATEGORY_LABELS: Record<string, string> = {
  news: 'أخبار',
  politics: 'سياسة',
  world: 'العالم',
  'middle-east': 'الشرق الأوسط',
  gulf: 'الخليج',
  local: 'محليات',
  economy: 'اقتصاد',
  business: 'اقتصاد',
  sport: 'رياضة',
  sports: 'رياضة',
  technology: 'تقنية',
  tech: 'تقنية',
  science: 'علوم',
  health: 'صحة',
  culture: 'ثقافة',
  arts: 'فنون',
  opinion: 'رأي',
};

export function categoryLabel(category: string): string {
  return CATEGORY_LABELS[category.toLowerCase()] ?? category;
}

const OUTLETS = { one: 'مصدر واحد', two: 'مصدرين', plural: 'مصادر', accusative: 'مصدرًا', genitive: 'مصدر' };

/** `/` and `/?category=…`: the newest stories, with category tabs and paging. */
export function renderHomePage(page: HomePage): string {
  const label = page.category === null ? null : categoryLabel(page.category);
  const tabs =
    page.categories.length === 0
      ? ''
      : `<nav aria-label="الأقسام"><ul class="tabs">` +
        [{ value: null as string | null, label: 'الكل' }, ...page.categories]
          .map((tab) => {
            const href = tab.value === null ? '' : `?category=${encodeURIComponent(tab.value)}`;
            const current = tab.value === page.category ? ' aria-current="page"' : '';
            return `<li><a href="${escapeHtml(page.basePath + href)}"${current}>${escapeHtml(tab.label)}</a></li>`;
          })
          .join('') +
        `</ul></nav>\n`;
  const heading = `<h1>${escapeHtml(label ?? 'آخر الأخبار')}</h1>\n`;
  const empty = page.newestHref !== null ? 'لا أخبار أقدم.' : label !== null ? 'لا أخبار في هذا القسم بعد.' : 'لا أخبار بعد.';
  return renderPage({
    title: label === null ? page.siteTitle : `${label} — ${page.siteTitle}`,
    description: page.description,
    basePath: page.basePath,
    siteTitle: page.siteTitle,
    current: page.category === null && page.newestHref === null ? 'home' : undefined,
    canonicalUrl: page.canonicalUrl,
    alternates: page.alternates,
    footerLinks: page.footerLinks,
    body: tabs + heading + storyList(page, empty) + pager(page),
  });
}

/** `/search?q=`: the stories any of whose copies hold every word, newest first. */
export function renderSearchPage(page: SearchPage): string {
  const query = cleanText(page.query).trim();
  const heading = page.searched ? `<h1>نتائج البحث عن «${escapeHtml(query)}»</h1>\n` : `<h1>البحث</h1>\n`;
  const empty = !page.searched
    ? 'اكتب كلمة أو أكثر للبحث في عناوين الأخبار ونصوصها.'
    : page.newestHref !== null
      ? 'لا نتائج أقدم.'
      : `لا نتائج لـ«${query}».`;
  return renderPage({
    title: page.searched ? `بحث: ${query} — ${page.siteTitle}` : `البحث — ${page.siteTitle}`,
    basePath: page.basePath,
    siteTitle: page.siteTitle,
    searchQuery: query,
    robots: 'noindex',
    alternates: page.alternates,
    footerLinks: page.footerLinks,
    body: heading + (page.searched ? storyList(page, empty) + pager(page) : `<p class="empty">${escapeHtml(empty)}</p>\n`),
  });
}

function storyList(page: StoryListPage, empty: string): string {
  if (page.stories.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>\n`;
  return `<ol class="stories">\n${page.stories.map((s) => storyCard(s, page)).join('')}</ol>\n`;
}

function storyCard(story: PageStory, page: StoryListPage): string {
  const title = cleanText(story.title).trim() || 'بلا عنوان';
  const lead = cleanText(story.lead).trim();
  const outlets = story.outlets.map((o) => {
    const link = safeHttpUrl(o.link);
    const name = escapeHtml(o.name);
    return link === null ? `<li>${name}</li>` : `<li><a href="${escapeHtml(link)}">${name}</a></li>`;
  });
  const valid = !Number.isNaN(story.firstSeenAt.getTime());
  const time = valid
    ? `<time datetime="${story.firstSeenAt.toISOString()}">${escapeHtml(arabicRelativeTime(story.firstSeenAt, page.now))}</time>`
    : '';
  const carried =
    outlets.length === 0 ? '' : `<span>في ${arabicCount(outlets.length, OUTLETS)}:</span> <ul class="outlets">${outlets.join('')}</ul>`;
  const meta = [time, carried].filter((part) => part !== '').join('<span class="sep" aria-hidden="true">·</span>');
  return (
    `<li class="story"><article>\n` +
    `<h2><a href="${escapeHtml(`${page.basePath}stories/${story.id}`)}">${escapeHtml(title)}</a></h2>\n` +
    (lead !== '' && lead !== title ? `<p class="lead">${escapeHtml(lead)}</p>\n` : '') +
    (meta !== '' ? `<div class="meta">${meta}</div>\n` : '') +
    `</article></li>\n`
  );
}

function pager(page: StoryListPage): string {
  if (page.olderHref === null && page.newestHref === null) return '';
  const newest = page.newestHref === null ? '<span></span>' : `<a href="${escapeHtml(page.basePath + page.newestHref)}">→ الأحدث</a>`;
  const older = page.olderHref === null ? '<span></span>' : `<a href="${escapeHtml(page.basePath + page.olderHref)}" rel="next">أقدم ←</a>`;
  return `<nav class="pager" aria-label="الصفحات">${newest}${older}</nav>\n`;
}
