import { arabicCount, arabicDigits, arabicRelativeTime } from './arabic-relative-time.js';
import { cleanText, escapeHtml, safeHttpUrl } from './feed-text.js';
import { renderPage, type PageLink } from './page-style.js';
import { categoryLabel } from './render-home-page.js';
import type { SourceFacts } from '../domain/source-facts.js';

export type { SourceFacts } from '../domain/source-facts.js';

export type SourceHealth = 'ok' | 'failing' | 'new' | 'disabled';

/** One source as /status shows it and /api/feeds returns it. */
export interface SourceStatus {
  id: string;
  name: string;
  /** Null when the address may not be shown (credentials, access keys, a non-public host). */
  url: string | null;
  category: string | null;
  enabled: boolean;
  health: SourceHealth;
  /** First failure of the current streak (null when not failing, or when the streak began before it was recorded). */
  failingSince: Date | null;
  consecutiveFailures: number;
  error: { code: string; message: string | null } | null;
  nextAttemptAt: Date | null;
  lastSuccessAt: Date | null;
  lastFetchedAt: Date | null;
  itemsLast24h: number;
  /** Items stored in the share's window, and the share of them that joined a story another outlet began (null: none). */
  recentItems: number;
  joinedShare: number | null;
  itemsPerHour: number[];
}

/**
 * A source's facts as they may be published. When its address is hidden, so is anything of it inside the error
 * message (a resolver error names the host).
 */
export function describeSource(facts: SourceFacts, showUrl: boolean): SourceStatus {
  const health: SourceHealth = !facts.enabled
    ? 'disabled'
    : facts.lastOutcome === 'error' || facts.consecutiveFailures > 0
      ? 'failing'
      : facts.lastOutcome === 'new'
        ? 'new'
        : 'ok';
  const message = facts.lastErrorMessage === null ? null : showUrl ? facts.lastErrorMessage : withoutAddress(facts.lastErrorMessage, facts.url);
  return {
    id: facts.id,
    name: facts.name,
    url: showUrl ? facts.url : null,
    category: facts.category,
    enabled: facts.enabled,
    health,
    failingSince: health === 'failing' ? facts.failingSince : null,
    consecutiveFailures: facts.consecutiveFailures,
    error: facts.lastErrorCode === null ? null : { code: facts.lastErrorCode, message },
    nextAttemptAt: facts.enabled ? facts.nextFetchAt : null,
    lastSuccessAt: facts.lastSuccessAt,
    lastFetchedAt: facts.lastFetchedAt,
    itemsLast24h: facts.itemsLast24h,
    recentItems: facts.recentItems,
    joinedShare: facts.recentItems === 0 ? null : facts.joinedItems / facts.recentItems,
    itemsPerHour: facts.itemsPerHour,
  };
}

function withoutAddress(message: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return message.split(url).join('…');
  }
  const secrets = [url, parsed.href, parsed.host, parsed.hostname].filter((s) => s.length >= 2).sort((a, b) => b.length - a.length);
  let out = message;
  for (const secret of secrets) out = out.split(secret).join('…');
  return out;
}

export interface StatusPage {
  siteTitle: string;
  basePath: string;
  canonicalUrl?: string;
  footerLinks: PageLink[];
  sources: SourceStatus[];
  /** The build time: ages and "next attempt" are counted from it. */
  now: Date;
  /** Days over which the joined share is counted (for its column heading). */
  joinedShareDays: number;
}

const FAILURES = { one: 'إخفاق واحد', two: 'إخفاقان', plural: 'إخفاقات', accusative: 'إخفاقًا', genitive: 'إخفاق' };
const ITEMS = { one: 'خبر واحد', two: 'خبران', plural: 'أخبار', accusative: 'خبرًا', genitive: 'خبر' };
const DAYS = { one: 'يوم', two: 'يومين', plural: 'أيام', accusative: 'يومًا', genitive: 'يوم' };

/** `/status`: one row per source, the failing ones first, disabled ones last. */
export function renderStatusPage(page: StatusPage): string {
  const rank: Record<SourceHealth, number> = { failing: 0, new: 1, ok: 2, disabled: 3 };
  const sources = [...page.sources].sort((a, b) => rank[a.health] - rank[b.health] || a.id.localeCompare(b.id));
  const count = (health: SourceHealth) => sources.filter((s) => s.health === health).length;
  const active = sources.filter((s) => s.enabled).length;
  const parts = [
    [count('ok'), 'يعمل'],
    [count('failing'), 'متعطل'],
    [count('new'), 'لم يُجلب بعد'],
  ] as const;
  // Counts after the label: no number agreement to get wrong (يعمل ٣، متعطل ١).
  const summary =
    sources.length === 0
      ? '<p class="empty">لا مصادر بعد.</p>\n'
      : `<p>المصادر المفعّلة: ${arabicDigits(active)} — ` +
        parts
          .filter(([n]) => n > 0)
          .map(([n, label]) => `${label} ${arabicDigits(n)}`)
          .join('، ') +
        `</p>\n`;
  const table =
    sources.length === 0
      ? ''
      : `<div class="table-wrap"><table class="status">\n<thead><tr><th scope="col">المصدر</th><th scope="col">الحالة</th>` +
        `<th scope="col">آخر نجاح</th><th scope="col">المحاولة التالية</th><th scope="col">آخر ٢٤ ساعة</th>` +
        `<th scope="col">انضم إلى قصص غيره (${escapeHtml(arabicCount(page.joinedShareDays, DAYS))})</th>` +
        `<th scope="col">النشاط في ٤٨ ساعة</th></tr></thead>\n<tbody>\n` +
        sources.map((s) => sourceRow(s, page.now)).join('') +
        `</tbody>\n</table></div>\n`;
  return renderPage({
    title: `حالة المصادر — ${page.siteTitle}`,
    basePath: page.basePath,
    siteTitle: page.siteTitle,
    current: 'status',
    canonicalUrl: page.canonicalUrl,
    footerLinks: page.footerLinks,
    body: `<h1>حالة المصادر</h1>\n${summary}${table}`,
  });
}

function when(date: Date | null, now: Date): string {
  if (date === null || Number.isNaN(date.getTime())) return '—';
  return `<time datetime="${date.toISOString()}">${escapeHtml(arabicRelativeTime(date, now))}</time>`;
}

/** A next attempt already due (the worker's next tick takes it) reads «الآن», not «منذ …». */
function nextAttempt(s: SourceStatus, now: Date): string {
  if (!s.enabled || s.nextAttemptAt === null) return '—';
  if (s.nextAttemptAt.getTime() <= now.getTime()) return `<time datetime="${s.nextAttemptAt.toISOString()}">الآن</time>`;
  return when(s.nextAttemptAt, now);
}

function sourceRow(s: SourceStatus, now: Date): string {
  const url = s.url === null ? null : safeHttpUrl(s.url);
  const name =
    `<th scope="row">${escapeHtml(s.name)}` +
    (s.category ? ` <span class="detail">${escapeHtml(categoryLabel(s.category))}</span>` : '') +
    (url !== null ? `<a class="detail" href="${escapeHtml(url)}" dir="ltr">${escapeHtml(cleanText(s.id))}</a>` : `<span class="detail" dir="ltr">${escapeHtml(s.id)}</span>`) +
    `</th>`;
  let health: string;
  if (s.health === 'failing') {
    const since = s.failingSince === null ? '' : ` ${when(s.failingSince, now)}`;
    health =
      `<span class="health-failing">متعطل${since}</span>` +
      `<span class="detail">${escapeHtml(arabicCount(s.consecutiveFailures, FAILURES))} متتالية</span>` +
      (s.error
        ? `<span class="detail" dir="ltr">${escapeHtml(s.error.code)}${s.error.message ? `: ${escapeHtml(s.error.message)}` : ''}</span>`
        : '');
  } else if (s.health === 'ok') health = '<span class="health-ok">يعمل</span>';
  else if (s.health === 'new') health = '<span class="health-new">لم يُجلب بعد</span>';
  else health = '<span class="health-disabled">موقوف</span>';
  const share = s.joinedShare === null ? '—' : `${arabicDigits(Math.round(s.joinedShare * 100))}٪`;
  return (
    `<tr>${name}<td>${health}</td><td>${when(s.lastSuccessAt, now)}</td><td>${nextAttempt(s, now)}</td>` +
    `<td class="num">${arabicDigits(s.itemsLast24h)}</td><td class="num">${share}</td><td>${sparkline(s.itemsPerHour)}</td></tr>\n`
  );
}

/**
 * Items per hour as bars, the newest hour at the left end (time runs the reading direction, right to left). Colours
 * are presentation attributes (`currentColor`), never `style=`: the CSP allows no inline style.
 */
export function sparkline(counts: readonly number[]): string {
  const total = counts.reduce((a, b) => a + b, 0);
  const label = `${arabicCount(total, ITEMS)} في ${arabicDigits(counts.length)} ساعة`;
  const peak = Math.max(1, ...counts);
  const height = 12;
  const bars = counts
    .map((count, i) => {
      if (count <= 0) return '';
      const h = Math.max(1, Math.round((count / peak) * height * 10) / 10);
      const x = counts.length - 1 - i;
      return `M${x} ${height}v-${h}h0.8v${h}z`;
    })
    .join('');
  return (
    `<svg class="sparkline" viewBox="0 0 ${counts.length} ${height}" preserveAspectRatio="none" role="img" aria-label="${escapeHtml(label)}">` +
    `<title>${escapeHtml(label)}</title><path d="M0 ${height}h${counts.length}" stroke="currentColor" stroke-width="0.3" opacity="0.4"/>` +
    (bars === '' ? '' : `<path d="${bars}" fill="currentColor"/>`) +
    `</svg>`
  );
}

/** `/api/feeds`: the same facts as the status page, as JSON (dates ISO 8601, the hourly counts oldest first). */
export function renderSourcesJson(sources: SourceStatus[], hoursFrom: Date, joinedShareDays: number): string {
  return `${JSON.stringify(
    {
      itemsPerHourFrom: hoursFrom.toISOString(),
      joinedShareDays,
      sources: sources.map((s) => ({
        ...s,
        joinedShare: s.joinedShare === null ? null : Math.round(s.joinedShare * 1000) / 1000,
      })),
    },
    null,
    2,
  )}\n`;
}
