/**
 * Serves the real Arabic feed samples in ../shared/feeds on 127.0.0.1 in mixed shapes, and writes a feeds file
 * listing them, to try khabar by hand:
 *
 *   npx tsx scripts/serve-sample-feeds.ts [--dir ../shared/feeds] [--port 8088] [--feeds-file /tmp/sample-feeds.yaml]
 *   FEEDS_FILE=/tmp/sample-feeds.yaml DATA_DIR=/tmp/khabar-sample npm run -s khabar -- fetch --once
 *
 * Shapes: as-is (UTF-8), windows-1256 with the charset only in the HTTP header, windows-1256 declared only in the XML
 * prolog, UTF-8 with a BOM. Every response has an ETag, so a second fetch gets 304s.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import iconv from 'iconv-lite';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: '../shared/feeds' },
    port: { type: 'string', default: '8088' },
    'feeds-file': { type: 'string', default: '/tmp/sample-feeds.yaml' },
  },
});

type Shape = 'utf8' | 'cp1256-header' | 'cp1256-prolog' | 'bom';
const shapes: Shape[] = ['utf8', 'cp1256-header', 'cp1256-prolog', 'bom'];

function render(file: string, shape: Shape): { body: Buffer; contentType: string } {
  const raw = readFileSync(path.join(values.dir!, file));
  if (file.includes('windows1256')) return { body: raw, contentType: 'application/xml' }; // already legacy bytes
  const text = raw.toString('utf8').replace(/^\uFEFF/, '');
  const withoutEncoding = text.replace(/^(<\?xml[^>]*?)\s+encoding=["'][^"']*["']/, '$1');
  switch (shape) {
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
files.forEach((file, i) => {
  const shape = file.includes('windows1256') ? 'utf8' : shapes[i % shapes.length];
  const { body, contentType } = render(file, shape);
  const route = `/${shape}/${file}`;
  routes.set(route, { body, contentType, etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"` });
  const id = file.replace(/-rss2.*|-regenerated.*|\.xml$/g, '').replace(/[^a-z0-9-]/g, '-').slice(0, 60);
  feeds.push({ id, url: `http://127.0.0.1:${port}${route}`, name: id });
});

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
