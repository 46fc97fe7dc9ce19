import { open } from 'node:fs/promises';
import { validateDetailed as validateCron } from 'node-cron';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { KhabarError } from '../errors.js';
import type { FeedSource } from '../domain/feed-source.js';
import { MAX_CATEGORY_CHARS, MAX_FEEDS, MAX_FEEDS_FILE_BYTES } from './limits.js';
import { withoutTrailingSlashes } from '../text/without-trailing-slashes.js';

/** Feed behaviour from the `settings:` block of feeds.yaml, every default filled in. */
export interface FeedSettings {
  /** node-cron expression for the worker tick. */
  schedule: string;
  /** Feeds fetched at once. */
  concurrency: number;
  /** Per request, whole response included. */
  timeoutSeconds: number;
  /** Response body size cap in bytes. */
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  /** At most this many entries are taken from one fetch of one feed. */
  itemsPerFeed: number;
  /** How far back a new item is compared against existing stories. */
  dedupWindowHours: number;
  /** Stories whose newest item is older than this many days are deleted with their items; null keeps everything. */
  retentionDays: number | null;
  /** Title of the merged output feed. */
  title: string;
  /** Description of the merged output feed. */
  description: string;
  /**
   * A WebSub hub (W3C WebSub): advertised as `rel="hub"` in the three formats, and sent a publish ping after a refresh
   * stores new or changed stories. null: no hub, no pings.
   */
  websubHub: string | null;
}

export interface FeedsConfig {
  settings: FeedSettings;
  feeds: FeedSource[];
}

/** One mistake in feeds.yaml. `line` and `column` are 1-based; `path` is like `feeds[2].url` ('' for syntax errors). */
export interface ConfigProblem {
  line: number;
  column: number;
  path: string;
  message: string;
}

export const defaultUserAgent = 'khabar/0.1 (self-hosted Arabic news aggregator)';

export const defaultFeedSettings: FeedSettings = {
  schedule: '*/10 * * * *',
  concurrency: 4,
  timeoutSeconds: 20,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
  userAgent: defaultUserAgent,
  itemsPerFeed: 200,
  dedupWindowHours: 72,
  retentionDays: null,
  title: 'خبر — الأخبار المدمجة',
  description: 'أخبار من عدة مصادر عربية، تُجمع فيها النسخ المكررة للخبر الواحد في قصة واحدة.',
  websubHub: null,
};

function integer(min: number, max: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.number(message).int(message).min(min, message).max(max, message);
}

function text(maxLength: number) {
  return z
    .string('must be text (put quotes around it)')
    .trim()
    .min(1, 'must not be empty')
    .max(maxLength, `must be at most ${maxLength} characters`);
}

const httpUrl = z.string('must be an http(s) URL').trim().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}, 'must be an http(s) URL');

const cronSchedule = z.string('must be a cron expression in quotes, such as "*/10 * * * *"').superRefine((value, ctx) => {
  const result = validateCron(value);
  if (!result.valid) {
    const reasons = result.errors.map((e) => e.message).join('; ');
    ctx.addIssue({ code: 'custom', message: `must be a cron expression such as "*/10 * * * *": ${reasons}` });
  }
});

const settingsSchema = z.strictObject({
  schedule: cronSchedule.nullish(),
  concurrency: integer(1, 64).nullish(),
  timeout_seconds: integer(1, 600).nullish(),
  max_bytes: integer(1024, 1024 * 1024 * 1024).nullish(),
  max_redirects: integer(0, 20).nullish(),
  // Sent as an HTTP header: anything outside printable ASCII would be rejected by the HTTP client, or worse, split the header.
  user_agent: text(300)
    .regex(/^[\x20-\x7e]+$/, 'must be printable ASCII on one line (it is sent as an HTTP header)')
    .nullish(),
  items_per_feed: integer(1, 10_000).nullish(),
  dedup_window_hours: integer(1, 24 * 365).nullish(),
  retention_days: integer(1, 36_500).nullish(),
  title: text(300).nullish(),
  description: z.string('must be text (put quotes around it)').trim().max(2000, 'must be at most 2000 characters').nullish(),
  // Published in every feed and POSTed to: credentials in it would be shown to every subscriber.
  websub_hub: httpUrl
    .refine((value) => !URL.canParse(value) || (new URL(value).username === '' && new URL(value).password === ''), 'must not carry a user name or password (it is published in every feed)')
    .nullish(),
}, 'must be a mapping of settings such as concurrency: 4');

const feedSchema = z.strictObject({
  id: z
    .string('must be text of a-z, 0-9 and "-" (put quotes around it)')
    .regex(/^[a-z0-9-]{1,64}$/, 'must be 1 to 64 characters of a-z, 0-9 and "-"'),
  // Stored and republished: no control characters (a NUL would fail the insert at start).
  name: text(200).regex(/^[^\u0000-\u001f\u007f]*$/, 'must be on one line, without control characters'),
  url: httpUrl,
  // Exactly what `?category=` accepts (http/parse-limit.ts), so every category can be asked for.
  category: text(MAX_CATEGORY_CHARS)
    .regex(/^[^\u0000-\u001f]*$/, 'must be on one line, without control characters')
    .nullish(),
  language: z
    .string('must be a language tag such as ar')
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as ar or ar-EG')
    .nullish(),
  priority: integer(-1000, 1000).nullish(),
  refresh_minutes: integer(1, 7 * 24 * 60).nullish(),
  enabled: z.boolean('must be true or false').nullish(),
  full_text: z.boolean('must be true or false').nullish(),
}, 'must be a mapping with id, name and url');

const fileSchema = z.strictObject(
  {
    // `settings:` left empty parses as null: same as leaving it out.
    settings: settingsSchema.nullish(),
    feeds: z
      .array(feedSchema, 'must be a list of feeds')
      .min(1, 'must list at least one feed')
      .max(MAX_FEEDS, `must list at most ${MAX_FEEDS} feeds`),
  },
  'must be a mapping with a "feeds:" list',
);

type FileShape = z.infer<typeof fileSchema>;
type PathSegment = string | number;

/**
 * Validates feeds.yaml text. Throws KhabarError (CONFIG_YAML_INVALID or CONFIG_INVALID) listing every problem,
 * each as `file:line:column: path: message`, with details `{ file, problems }`.
 */
export function parseFeedsConfig(text: string, fileName: string): FeedsConfig {
  // Before any parsing: a huge file would cost its whole size in memory several times over, and anchors more.
  if (Buffer.byteLength(text, 'utf8') > MAX_FEEDS_FILE_BYTES) throw tooLarge(fileName);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });

  if (doc.errors.length > 0) {
    const problems = doc.errors.map((err): ConfigProblem => {
      const { line, col } = lineCounter.linePos(err.pos[0]);
      // yaml appends " at line X, column Y" and a code frame; we print the position ourselves.
      const message = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      return { line, column: col, path: '', message };
    });
    throw configError('CONFIG_YAML_INVALID', fileName, problems);
  }

  let data: unknown;
  try {
    // The alias cap stops a few lines of anchors from expanding into gigabytes.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw configError('CONFIG_YAML_INVALID', fileName, [{ line: 1, column: 1, path: '', message: (err as Error).message }], err);
  }
  const problems: ConfigProblem[] = [];
  const result = fileSchema.safeParse(data ?? {});
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          problems.push(problemAt(doc, lineCounter, [...path, key], unknownKeyMessage(key, allowedKeys(path))));
        }
        continue;
      }
      const value = valueAt(data, path);
      // A list too long or too short is best described by its length.
      const got = Array.isArray(value.value) && (issue.code === 'too_big' || issue.code === 'too_small') ? String(value.value.length) : describe(value.value);
      const message = value.found ? `${issue.message} (got ${got})` : 'is required';
      problems.push(problemAt(doc, lineCounter, path, message));
    }
  }
  problems.push(...findDuplicates(data, doc, lineCounter));

  if (problems.length > 0) throw configError('CONFIG_INVALID', fileName, problems);
  const parsed = result.data as FileShape;
  return { settings: toSettings(parsed.settings), feeds: parsed.feeds.map(toFeedSource) };
}

/** Reads and validates a feeds file. The path appears in every error message as given. */
export async function loadFeedsFile(path: string): Promise<FeedsConfig> {
  let bytes: Buffer | null;
  try {
    bytes = await readCapped(path, MAX_FEEDS_FILE_BYTES);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new KhabarError('CONFIG_FILE_NOT_FOUND', `feeds file not found: ${path} (set FEEDS_FILE to use another file)`, {
        cause: err,
        details: { file: path, problems: [] },
      });
    }
    throw new KhabarError('CONFIG_INVALID', `cannot read feeds file ${path}: ${(err as Error).message}`, {
      cause: err,
      details: { file: path, problems: [] },
    });
  }
  if (bytes === null) throw tooLarge(path);
  let text: string;
  try {
    // Arabic text saved in a legacy encoding would otherwise turn into replacement characters silently.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    const problems = [{ line: 1, column: 1, path: '', message: 'is not valid UTF-8 (save the file as UTF-8)' }];
    throw configError('CONFIG_YAML_INVALID', path, problems, err);
  }
  return parseFeedsConfig(text, path);
}

/**
 * The file's bytes, or null when it holds more than maxBytes: refused from its size without reading it, and the read
 * stops at the cap as well (a file that grows meanwhile, a pipe or device whose size stat does not know).
 */
async function readCapped(path: string, maxBytes: number): Promise<Buffer | null> {
  const handle = await open(path, 'r');
  try {
    if ((await handle.stat()).size > maxBytes) return null;
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const { bytesRead, buffer } = await handle.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, null);
      if (bytesRead === 0) return Buffer.concat(chunks, total);
      total += bytesRead;
      if (total > maxBytes) return null;
      chunks.push(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
}

function tooLarge(file: string): KhabarError {
  const limit = `${MAX_FEEDS_FILE_BYTES} bytes (${MAX_FEEDS_FILE_BYTES / 1024 / 1024} MiB)`;
  const problem = { line: 1, column: 1, path: '', message: `is larger than ${limit}, the most a feeds file may be` };
  return configError('CONFIG_INVALID', file, [problem]);
}

function toSettings(s: FileShape['settings']): FeedSettings {
  const d = defaultFeedSettings;
  return {
    schedule: s?.schedule ?? d.schedule,
    concurrency: s?.concurrency ?? d.concurrency,
    timeoutSeconds: s?.timeout_seconds ?? d.timeoutSeconds,
    maxBytes: s?.max_bytes ?? d.maxBytes,
    maxRedirects: s?.max_redirects ?? d.maxRedirects,
    userAgent: s?.user_agent ?? d.userAgent,
    itemsPerFeed: s?.items_per_feed ?? d.itemsPerFeed,
    dedupWindowHours: s?.dedup_window_hours ?? d.dedupWindowHours,
    retentionDays: s?.retention_days ?? d.retentionDays,
    title: s?.title ?? d.title,
    description: s?.description ?? d.description,
    websubHub: s?.websub_hub ?? d.websubHub,
  };
}

function toFeedSource(f: FileShape['feeds'][number]): FeedSource {
  return {
    id: f.id,
    name: f.name,
    url: f.url,
    category: f.category ?? null,
    language: f.language ?? 'ar',
    priority: f.priority ?? 0,
    refreshMinutes: f.refresh_minutes ?? null,
    enabled: f.enabled ?? true,
    fullText: f.full_text ?? false,
  };
}

/**
 * Two entries for one feed would fetch it twice and fight over its stored state. Runs on the raw data so that
 * duplicates are reported together with any other mistakes, not only once those are fixed.
 */
function findDuplicates(data: unknown, doc: Document, lineCounter: LineCounter): ConfigProblem[] {
  const feeds = valueAt(data, ['feeds']).value;
  if (!Array.isArray(feeds)) return [];
  const problems: ConfigProblem[] = [];
  const firstById = new Map<string, number>();
  const firstByUrl = new Map<string, number>();
  const lineOf = (index: number, field: string) => problemAt(doc, lineCounter, ['feeds', index, field], '').line;
  feeds.forEach((feed: unknown, index) => {
    const id = valueAt(feed, ['id']).value;
    if (typeof id === 'string') {
      const owner = firstById.get(id);
      if (owner === undefined) firstById.set(id, index);
      else {
        const message = `duplicate id "${id}" (already used by feeds[${owner}] on line ${lineOf(owner, 'id')})`;
        problems.push(problemAt(doc, lineCounter, ['feeds', index, 'id'], message));
      }
    }
    const url = valueAt(feed, ['url']).value;
    if (typeof url === 'string' && httpUrl.safeParse(url).success) {
      const key = normalizeFeedUrl(url.trim());
      const owner = firstByUrl.get(key);
      if (owner === undefined) firstByUrl.set(key, index);
      else {
        const message = `duplicate URL "${url}" (same feed as feeds[${owner}] on line ${lineOf(owner, 'url')})`;
        problems.push(problemAt(doc, lineCounter, ['feeds', index, 'url'], message));
      }
    }
  });
  return problems;
}

/**
 * Identity of a feed URL for duplicate detection: host case, default port, trailing slash and fragment do not
 * change which document the server returns; the scheme and query may, so they are kept.
 */
export function normalizeFeedUrl(raw: string): string {
  // WHATWG URL already lower-cases the host and drops default ports.
  const url = new URL(raw);
  return `${url.protocol}//${url.host}${withoutTrailingSlashes(url.pathname)}${url.search}`;
}

/**
 * Position of the deepest node on `path` that exists. A map value is located at its key (where people look),
 * a list item at its dash; a missing key is reported at the mapping that should contain it.
 */
function problemAt(doc: Document, lineCounter: LineCounter, path: readonly PathSegment[], message: string): ConfigProblem {
  let node: unknown = doc.contents;
  let offset = (doc.contents as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(segment));
      if (!pair) break;
      const keyRange = isScalar(pair.key) ? pair.key.range : undefined;
      if (keyRange) offset = keyRange[0];
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as { range?: [number, number, number] } | undefined;
      if (!item) break;
      if (item.range) offset = item.range[0];
      node = item;
    } else break;
  }
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col, path: formatPath(path), message };
}

function configError(code: 'CONFIG_YAML_INVALID' | 'CONFIG_INVALID', file: string, problems: ConfigProblem[], cause?: unknown): KhabarError {
  const sorted = [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
  const lines = sorted.map((p) => `${file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
  return new KhabarError(code, lines.join('\n'), { cause, details: { file, problems: sorted } });
}

/** `['feeds', 2, 'url']` → `feeds[2].url` */
export function formatPath(path: readonly PathSegment[]): string {
  return path.reduce<string>((out, s) => (typeof s === 'number' ? `${out}[${s}]` : out ? `${out}.${s}` : s), '');
}

function allowedKeys(path: readonly PathSegment[]): string[] {
  if (path.length === 0) return Object.keys(fileSchema.shape);
  if (path[0] === 'settings') return Object.keys(settingsSchema.shape);
  return Object.keys(feedSchema.shape);
}

function unknownKeyMessage(key: string, allowed: string[]): string {
  const suggestion = allowed
    .map((candidate) => ({ candidate, distance: editDistance(key.toLowerCase().replace(/-/g, '_'), candidate) }))
    .filter((c) => c.distance <= Math.max(2, Math.floor(c.candidate.length / 3)))
    .sort((a, b) => a.distance - b.distance)[0];
  const hint = suggestion ? `did you mean "${suggestion.candidate}"? ` : '';
  return `unknown key "${key}" (${hint}allowed: ${allowed.join(', ')})`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

function valueAt(data: unknown, path: readonly PathSegment[]): { found: boolean; value: unknown } {
  let value: unknown = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object' || !(segment in (value as object))) return { found: false, value: undefined };
    value = (value as Record<PathSegment, unknown>)[segment];
  }
  return { found: true, value };
}

function describe(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return shown.length > 120 ? `${shown.slice(0, 120)}…` : shown;
}
