/**
 * Serves the real Arabic feed samples in ../shared/feeds on 127.0.0.1 in mixed shapes, and writes a feeds file
 * listing them, to try khabar by hand:
 *
 *   npx tsx scripts/serve-sample-feeds.ts [--dir ../shared/feeds] [--port 8088] [--feeds-file /tmp/sample-feeds.yaml]
 *   FEEDS_FILE=/tmp/sample-feeds.yaml DATA_DIR=/tmp/khabar-sample npm run -s khabar -- fetch --once
 *
 * Each RSS sample is served twice: once as RSS in one of four shapes — as-is (UTF-8), windows-1256 with the charset only
 * in the HTTP header, windows-1256 declared only in the XML prolog, UTF-8 with a BOM — and once rewritten as Atom 1.0
 * (HTML content escaped, alternately UTF-8 and windows-1256 in the header only). The copies share their links, so the
 * store keeps one item per article. Every response has an ETag, so a second fetch gets 304s.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import iconv from 'iconv-lite';
import { parseFeed } from '../src/pipeline/parse-feed.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: '../shared/feeds' },
    port: { type: 'string', default: '8088' },
    'feeds-file': { type: 'string', default: '/tmp/sample-feeds.yaml' },
  },
});

type Shape = 'utf8' | 'cp1256-header' | 'cp1256-prolog' | 'bom' | 'atom-utf8' | 'atom-cp1256-header';
const rssShapes: Shape[] = ['utf8', 'cp1256-header', 'cp1256-prolog', 'bom'];

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The RSS sample's entries as an Atom 1.0 document. */
async function toAtom(text: string): Promise<string> {
  const feed = await parseFeed(text);
  const entries = feed.entries.map(
    (e, i) => `<entry>
  <title type="text">${escapeXml(e.title ?? '')}</title>
  <id>${escapeXml(e.guid ?? e.link ?? `urn:sample:${i}`)}</id>
  ${e.link ? `<link rel="alternate" href="${escapeXml(e.link)}"/>` : ''}
  <updated>${(e.publishedAt ?? new Date(0)).toISOString()}</updated>
  <content type="html">${escapeXml(e.contentHtml ?? e.summaryHtml ?? '')}</content>
</entry>`,
  );
  return `<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar"><title>${escapeXml(feed.title ?? 'sample')}</title><id>urn:sample:${escapeXml(feed.link ?? 'feed')}</id><updated>${new Date(0).toISOString()}</updated>\n${entries.join('\n')}\n</feed>`;
}

async function render(file: string, shape: Shape): Promise<{ body: Buffer; contentType: string }> {
  const raw = readFileSync(path.join(values.dir!, file));
  if (file.includes('windows1256')) return { body: raw, contentType: 'application/xml' }; // already legacy bytes
  const text = raw.toString('utf8').replace(/^\uFEFF/, '');
  const withoutEncoding = text.replace(/^(<\?xml[^>]*?)\s+encoding=["'][^"']*["']/, '$1');
  switch (shape) {
    case 'atom-utf8':
      return { body: Buffer.from(await toAtom(text)), contentType: 'application/atom+xml; charset=utf-8' };
    case 'atom-cp1256-header':
      return { body: iconv.encode(await toAtom(text), 'windows-1256'), contentType: 'application/atom+xml; charset=windows-1256' };
    case 'utf8':
      return { body: Buffer.from(text), contentType: 'application/rss+xml; charset=utf-8' };
    case 'cp1256-header':
      return { body: iconv.encode(withoutEncoding, 'windows-1256'), contentType: 'text/xml; charset=windows-1256' };
    case 'cp1256-prolog': {
      const declared = withoutEncoding.replace(/^<\?xml([^>]*?)\?>/, '<?xml$1 encoding="windows-1256"?>');
      return { body: iconv.encode(declared, 'windows-1256'), contentType: 'application/xml' };
    }
    case 'bom':
      return { body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(withoutEncoding)]), contentType: 'application/xml' };
  }
}

const files = readdirSync(values.dir!).filter((f) => f.endsWith('.xml')).sort();
const routes = new Map<string, { body: Buffer; contentType: string; etag: string }>();
const feeds: Array<{ id: string; url: string; name: string }> = [];
const port = Number(values.port);
for (const [i, file] of files.entries()) {
  const legacy = file.includes('windows1256'); // already legacy bytes (the Atom 0.3 charset case): served as is
  const served: Shape[] = legacy ? ['utf8'] : [rssShapes[i % rssShapes.length], i % 2 ? 'atom-cp1256-header' : 'atom-utf8'];
  for (const shape of served) {
    const { body, contentType } = await render(file, shape);
    const route = `/${shape}/${file}`;
    routes.set(route, { body, contentType, etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"` });
    const base = file.replace(/-rss2.*|-regenerated.*|\.xml$/g, '').replace(/[^a-z0-9-]/g, '-').slice(0, 50);
    const id = shape.startsWith('atom') ? `${base}-atom` : base;
    feeds.push({ id, url: `http://127.0.0.1:${port}${route}`, name: id });
  }
}

writeFileSync(
  values['feeds-file']!,
  `# written by scripts/serve-sample-feeds.ts\nfeeds:\n${feeds.map((f) => `  - id: ${f.id}\n    name: ${f.name}\n    url: ${f.url}\n`).join('')}`,
);

createServer(function serveSample(req, res) {
  const route = routes.get((req.url ?? '').split('?')[0]);
  if (!route) return void res.writeHead(404).end();
  if (req.headers['if-none-match'] === route.etag) return void res.writeHead(304, { etag: route.etag }).end();
  res.writeHead(200, { 'content-type': route.contentType, etag: route.etag, 'content-length': route.body.length }).end(route.body);
}).listen(port, '127.0.0.1', () => {
  process.stderr.write(`serving ${routes.size} feeds on http://127.0.0.1:${port}; feeds file: ${values['feeds-file']}\n`);
  for (const [route, r] of routes) process.stderr.write(`  ${route}  (${r.contentType})\n`);
});
