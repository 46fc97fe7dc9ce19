import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { ACTIVITY_HOURS } from '../../src/domain/source-activity.js';
import { describeSource, renderSourcesJson, renderStatusPage, sparkline, type SourceFacts } from '../../src/publish/render-status-page.js';

const now = new Date('2026-11-28T12:00:00Z');
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

function facts(overrides: Partial<SourceFacts> = {}): SourceFacts {
  return {
    id: 'wakala',
    name: 'الوكالة',
    url: 'https://wakala.example/rss',
    category: 'news',
    enabled: true,
    lastOutcome: 'ok',
    consecutiveFailures: 0,
    failingSince: null,
    lastErrorCode: null,
    lastErrorMessage: null,
    lastFetchedAt: ago(5),
    lastSuccessAt: ago(5),
    nextFetchAt: new Date(now.getTime() + 5 * 60_000),
    itemsPerHour: new Array<number>(ACTIVITY_HOURS).fill(0),
    itemsLast24h: 12,
    recentItems: 40,
    joinedItems: 10,
    ...overrides,
  };
}

const failing = facts({
  id: 'broken',
  name: 'المعطل',
  url: 'https://user:secret@rsshub/feed?key=abc',
  lastOutcome: 'error',
  consecutiveFailures: 3,
  failingSince: ago(180),
  lastErrorCode: 'FETCH_NETWORK',
  lastErrorMessage: 'feed request failed: getaddrinfo ENOTFOUND rsshub',
  lastSuccessAt: null,
});

describe('describeSource', () => {
  it.each([
    ['ok', facts(), 'ok'],
    ['failing', failing, 'failing'],
    ['never fetched', facts({ lastOutcome: 'new', lastSuccessAt: null }), 'new'],
    ['not modified is healthy', facts({ lastOutcome: 'not-modified' }), 'ok'],
    ['disabled wins', facts({ enabled: false, lastOutcome: 'error', consecutiveFailures: 2 }), 'disabled'],
  ])('%s', (_, input, health) => {
    expect(describeSource(input, true).health).toBe(health);
  });

  it('hides a private address, and the host inside the error message', () => {
    const s = describeSource(failing, false);
    expect(s.url).toBeNull();
    expect(s.error).toEqual({ code: 'FETCH_NETWORK', message: 'feed request failed: getaddrinfo ENOTFOUND …' });
    expect(JSON.stringify(s)).not.toMatch(/rsshub|secret|key=abc/);
  });

  it('shares: joined / recent; none without items; failing since only while failing', () => {
    expect(describeSource(facts(), true).joinedShare).toBe(0.25);
    expect(describeSource(facts({ recentItems: 0, joinedItems: 0 }), true).joinedShare).toBeNull();
    expect(describeSource(facts({ failingSince: ago(3) }), true).failingSince).toBeNull();
    expect(describeSource(failing, true).failingSince).toEqual(ago(180));
  });
});

describe('renderStatusPage', () => {
  const page = (sources: SourceFacts[]) =>
    renderStatusPage({ siteTitle: 'خبر', basePath: '/', footerLinks: [], now, joinedShareDays: 7, sources: sources.map((f) => describeSource(f, f.id !== 'broken')) });

  it('one row per source, failing first, with since, failures in a row, code, message and next attempt', () => {
    const d = parseHTML(page([facts(), failing, facts({ id: 'off', name: 'موقوف', enabled: false })])).document;
    expect(d.documentElement.getAttribute('dir')).toBe('rtl');
    const rows = [...d.querySelectorAll('tbody tr')];
    expect(rows.map((r) => r.querySelector('th')!.textContent)).toEqual([expect.stringContaining('المعطل'), expect.stringContaining('الوكالة'), expect.stringContaining('موقوف')]);
    const broken = rows[0]!.textContent!;
    expect(broken).toContain('متعطل منذ ٣ ساعات');
    expect(broken).toContain('٣ إخفاقات متتالية');
    expect(broken).toContain('FETCH_NETWORK: feed request failed: getaddrinfo ENOTFOUND …');
    expect(broken).not.toContain('rsshub');
    const ok = rows[1]!;
    const cells = [...ok.querySelectorAll('td')].map((td) => td.textContent);
    expect(cells.slice(0, 5)).toEqual(['يعمل', 'منذ ٥ دقائق', 'بعد ٥ دقائق', '١٢', '٢٥٪']);
    expect(ok.querySelector('th a')!.getAttribute('href')).toBe('https://wakala.example/rss');
    expect(rows[0]!.querySelector('th a')).toBeNull();
    expect(rows[2]!.textContent).toContain('موقوف');
    expect(d.querySelector('main p')!.textContent).toBe('المصادر المفعّلة: ٢ — يعمل ١، متعطل ١');
  });

  it('has no script and no inline style (the CSP forbids both)', () => {
    const html = page([facts({ itemsPerHour: new Array<number>(ACTIVITY_HOURS).fill(2) }), failing]);
    expect(html).not.toMatch(/<script|style=/);
  });

  it('a next attempt already due reads «الآن»; the summary says which sources have not been fetched yet', () => {
    const d = parseHTML(page([facts({ lastOutcome: 'new', lastSuccessAt: null, nextFetchAt: ago(10) })])).document;
    expect([...d.querySelectorAll('tbody td')].map((td) => td.textContent).slice(0, 3)).toEqual(['لم يُجلب بعد', '—', 'الآن']);
    expect(d.querySelector('main p')!.textContent).toBe('المصادر المفعّلة: ١ — لم يُجلب بعد ١');
  });

  it('says so when there are no sources', () => {
    expect(page([])).toContain('لا مصادر بعد.');
  });
});

describe('sparkline', () => {
  it('one bar per hour with items, the newest at the left, scaled to the busiest hour', () => {
    const counts = new Array<number>(ACTIVITY_HOURS).fill(0);
    counts[ACTIVITY_HOURS - 1] = 4; // this hour
    counts[0] = 2; // 47 hours ago
    const svg = sparkline(counts);
    expect(svg).toContain(`viewBox="0 0 ${ACTIVITY_HOURS} 12"`);
    expect(svg).toContain('M0 12v-12h0.8v12z');
    expect(svg).toContain('M47 12v-6h0.8v6z');
    expect(svg).toContain('<title>٦ أخبار في ٤٨ ساعة</title>');
    expect(svg).not.toContain('style=');
  });

  it('an idle source has only the baseline', () => {
    const svg = sparkline(new Array<number>(ACTIVITY_HOURS).fill(0));
    expect(svg).not.toContain('fill="currentColor"');
    expect(svg).toContain('aria-label="٠ خبر في ٤٨ ساعة"');
  });
});

describe('renderSourcesJson', () => {
  it('the same facts, dates as ISO strings, the share rounded', () => {
    const json = JSON.parse(renderSourcesJson([describeSource(facts({ joinedItems: 1, recentItems: 3 }), true), describeSource(failing, false)], new Date('2026-11-26T13:00:00Z'), 7));
    expect(json.itemsPerHourFrom).toBe('2026-11-26T13:00:00.000Z');
    expect(json.joinedShareDays).toBe(7);
    expect(json.sources[0]).toMatchObject({ id: 'wakala', url: 'https://wakala.example/rss', health: 'ok', joinedShare: 0.333, itemsLast24h: 12, lastSuccessAt: ago(5).toISOString() });
    expect(json.sources[0].itemsPerHour).toHaveLength(ACTIVITY_HOURS);
    expect(json.sources[1]).toMatchObject({ id: 'broken', url: null, health: 'failing', consecutiveFailures: 3, failingSince: ago(180).toISOString() });
  });
});
