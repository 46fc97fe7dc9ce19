import { readFile } from 'node:fs/promises';
import sax from 'sax';
import { stringify } from 'yaml';
import { normalizeFeedUrl } from '../config/feeds-file.js';
import { KhabarError, toKhabarError } from '../errors.js';
import { decodeBody } from '../pipeline/decode-body.js';
import type { CommandIo } from './cluster.js';
import { MAX_CATEGORY_CHARS } from '../config/limits.js';

export interface OpmlFeed {
  name: string;
  url: string;
  /** Title of the enclosing folder outline, the way readers export categories. */
  category: string | null;
}

const USAGE = `usage: khabar import-opml FILE|-
  Reads an OPML subscription list (exported by Miniflux, FreshRSS, Feedly, NetNewsWire, …) and prints the same feeds
  as a feeds.yaml "feeds:" list on stdout, to review and paste into feeds.yaml. Nothing is written or fetched.`;

/** Every outline with an xmlUrl, in document order; folders become categories. Throws OPML_INVALID with the line. */
export function parseOpml(text: string): OpmlFeed[] {
  const parser = sax.parser(true, { trim: false, lowercase: false });
  const feeds: OpmlFeed[] = [];
  const folders: (string | null)[] = [];
  let root: string | null = null;
  parser.onerror = (err) => {
    throw new KhabarError('OPML_INVALID', `not well-formed XML at line ${parser.line + 1}, column ${parser.column + 1}: ${err.message.split('\n')[0]}`, {
      cause: err,
      details: { line: parser.line + 1, column: parser.column + 1 },
    });
  };
  parser.onopentag = (tag) => {
    root ??= tag.name;
    if (tag.name !== 'outline') return;
    const attr = (name: string) => {
      // Attribute names are case-sensitive in XML, but exporters disagree on xmlUrl / xmlurl.
      const key = Object.keys(tag.attributes).find((k) => k.toLowerCase() === name.toLowerCase());
      const value = key === undefined ? '' : String(tag.attributes[key]).trim();
      return value || null;
    };
    const url = attr('xmlUrl');
    const name = attr('title') ?? attr('text');
    if (url) feeds.push({ name: name ?? url, url, category: folders.findLast((f) => f !== null) ?? null });
    folders.push(url ? null : name);
  };
  parser.onclosetag = (name) => {
    if (name === 'outline') folders.pop();
  };
  parser.write(text).close();
  if (root !== 'opml') throw new KhabarError('OPML_INVALID', root === null ? 'the file is empty' : `not OPML: the root element is <${root}>`);
  return feeds;
}

/**
 * feeds.yaml entries for the feeds: ids made from the address (unique, [a-z0-9-]), one entry per URL as feeds.yaml
 * compares them, `feed://` read as http, names and categories cut to what feeds.yaml accepts.
 */
export function opmlToFeedsYaml(feeds: OpmlFeed[]): { yaml: string; count: number } {
  const ids = new Set<string>();
  const urls = new Set<string>();
  const entries: Record<string, string>[] = [];
  for (const feed of feeds) {
    const url = feed.url.replace(/^feed:(\/\/)?/i, (_m, slashes: string | undefined) => (slashes ? 'http://' : ''));
    let urlKey = url;
    try {
      urlKey = normalizeFeedUrl(url);
    } catch {
      // Not a URL: kept as written, and feeds.yaml validation names it.
    }
    if (urls.has(urlKey)) continue;
    urls.add(urlKey);
    const base = idFromUrl(url);
    let id = base;
    for (let n = 2; ids.has(id); n++) id = `${base.slice(0, 60)}-${n}`;
    ids.add(id);
    // Cut by characters, not UTF-16 units: an emoji must not be split in half.
    // Control characters (feeds.yaml refuses them in names and categories) become spaces.
    const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
    const name = Array.from(oneLine(feed.name)).slice(0, 200).join('').trim() || url;
    const category = feed.category ? Array.from(oneLine(feed.category)).slice(0, MAX_CATEGORY_CHARS).join('').trim() : undefined;
    entries.push({ id, name, url, ...(category ? { category } : {}) });
  }
  return { yaml: stringify({ feeds: entries }, { lineWidth: 0 }), count: entries.length };
}

function idFromUrl(url: string): string {
  let host = 'feed';
  try {
    host = new URL(url).hostname;
  } catch {
    // Not a URL: feeds.yaml validation will say so; the id just needs to be valid.
  }
  const slug = host
    .toLowerCase()
    .replace(/^www\d*\./, '')
    .replace(/\.(com|net|org|co|info|news)(\.[a-z]{2})?$/, '')
    .replace(/[^a-z0-9]+/g, '-')
    // One "-" at most at either end after the line above; /^-+|-+$/ would be quadratic on a long run of "-".
    .replace(/^-|-$/g, '')
    .slice(0, 64);
  return slug || 'feed';
}

/** The file's bytes as text: BOM, then the XML declaration's encoding, then UTF-8 (as for feeds). */
async function readInput(file: string, io: CommandIo): Promise<string> {
  let bytes: Buffer;
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    bytes = Buffer.concat(chunks);
  } else {
    bytes = await readFile(file);
  }
  return decodeBody(bytes, null).text;
}

/** `khabar import-opml FILE|-`: feeds.yaml entries on stdout, a count on stderr; exit 1 with the place of a mistake. */
export async function runImportOpmlCommand(args: string[], io: CommandIo): Promise<number> {
  if (args.length !== 1 || args[0]!.startsWith('--')) {
    io.stderr.write(`${USAGE}\n`);
    return args.length === 1 && args[0] === '--help' ? 0 : 1;
  }
  const file = args[0]!;
  try {
    const text = await readInput(file, io).catch((err: NodeJS.ErrnoException) => {
      throw new KhabarError('OPML_INVALID', `cannot read ${file}: ${err.message}`, { cause: err });
    });
    const feeds = parseOpml(text);
    if (feeds.length === 0) throw new KhabarError('OPML_INVALID', 'no feeds in the file (no <outline> with an xmlUrl)');
    const { yaml, count } = opmlToFeedsYaml(feeds);
    io.stdout.write(`# imported from ${file === '-' ? 'stdin' : file}: review, then paste into feeds.yaml\n${yaml}`);
    io.stderr.write(`${count} feeds\n`);
    return 0;
  } catch (thrown) {
    const err = toKhabarError(thrown);
    io.stderr.write(`khabar: ${err.code}: ${err.message}\n`);
    return 1;
  }
}
