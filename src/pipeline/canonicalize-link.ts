/*
 * The canonical link is an item's identity across feeds (one article in an outlet's category feeds, or fetched
 * with and without ?traffic_source=rss), so it drops what varies per placement and keeps what selects the article.
 * Parameters that change the page (id, p, page, lang, …) stay; only known trackers go. "ref" and "source"-like
 * generic names are dropped only in their tracker spellings listed here.
 */

/** Exact parameter names (compared lower-case). */
export const trackingParams: ReadonlySet<string> = new Set([
  // ad and social click ids
  'fbclid', 'gclid', 'gclsrc', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'yclid', 'twclid', 'ttclid', 'igshid', 'li_fat_id', 'epik',
  // mail and marketing automation
  'mc_cid', 'mc_eid', '_hsenc', '_hsmi', '__hstc', '__hssc', '__hsfp', 'hsctatracking', 'mkt_tok', 'vero_conv', 'vero_id',
  'oly_anon_id', 'oly_enc_id', 'rb_clickid', 's_cid', 'wickedid', '_openstat', 'ncid', 'ocid', 'cmpid', 'icid', 'xtor',
  // analytics cookies passed in links
  '_ga', '_gl', 'spm',
  // feed and referrer markers
  'ref', 'ref_src', 'ref_url', 'referrer', 'traffic_source', 'from_rss',
]);

/** Parameter name prefixes (compared lower-case): Google (utm_), Matomo/Piwik, AT Internet (BBC), Adobe. */
export const trackingParamPrefixes: readonly string[] = ['utm_', 'mtm_', 'pk_', 'matomo_', 'piwik_', 'at_', 'itm_', 'hmb_'];

export function isTrackingParam(name: string): boolean {
  const lower = name.toLowerCase();
  return trackingParams.has(lower) || trackingParamPrefixes.some((prefix) => lower.startsWith(prefix));
}

/**
 * Absolute http(s) link with tracking parameters and the fragment dropped, the host lower-cased (URL does that),
 * default ports removed, the remaining parameters sorted and %-escapes upper-cased (outlets mix %d8 and %D8 for the
 * same Arabic slug). Null when the link is not an absolute http(s) URL.
 */
export function canonicalizeLink(link: string | null | undefined, base?: string): string | null {
  if (!link) return null;
  let url: URL;
  try {
    url = new URL(link.trim(), base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.hash = '';
  url.username = '';
  url.password = '';
  const kept = [...url.searchParams].filter(([name]) => !isTrackingParam(name));
  kept.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  // Rebuilt by hand: URLSearchParams would re-encode spaces and reserved characters differently from the source.
  const query = kept.length ? `?${kept.map(([name, value]) => (value === '' ? encodeParam(name) : `${encodeParam(name)}=${encodeParam(value)}`)).join('&')}` : '';
  return upperEscapes(`${url.protocol}//${url.host}${url.pathname}`) + upperEscapes(query);
}

function encodeParam(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

function upperEscapes(value: string): string {
  return value.replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase());
}
