import { escapeXml } from './feed-text.js';

export interface OpmlSource {
  name: string;
  url: string;
  category: string | null;
  language?: string;
}

/**
 * OPML 2.0 of the sources khabar merges, grouped by category (the shape Miniflux, FreshRSS, NetNewsWire and most
 * readers export and import), so a subscriber can follow the outlets themselves or move the list to another tool.
 * Pure and deterministic: same sources, same bytes.
 */
export function renderOpml(title: string, sources: OpmlSource[]): string {
  const outline = (s: OpmlSource, indent: string) =>
    `${indent}<outline type="rss" text="${escapeXml(s.name)}" title="${escapeXml(s.name)}" xmlUrl="${escapeXml(s.url)}"` +
    (s.language ? ` language="${escapeXml(s.language)}"` : '') +
    '/>';
  const byCategory = new Map<string, OpmlSource[]>();
  const loose: OpmlSource[] = [];
  for (const s of sources) {
    if (s.category) byCategory.set(s.category, [...(byCategory.get(s.category) ?? []), s]);
    else loose.push(s);
  }
  const body = [
    ...[...byCategory].map(
      ([category, list]) => `    <outline text="${escapeXml(category)}" title="${escapeXml(category)}">\n${list.map((s) => outline(s, '      ')).join('\n')}\n    </outline>`,
    ),
    ...loose.map((s) => outline(s, '    ')),
  ];
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">\n  <head>\n    <title>${escapeXml(title)}</title>\n  </head>\n` +
    `  <body>\n${body.join('\n')}${body.length ? '\n' : ''}  </body>\n</opml>\n`
  );
}
