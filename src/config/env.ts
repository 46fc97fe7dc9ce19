import { z } from 'zod';
import { KhabarError } from '../errors.js';
import type { LogLevel } from '../logger.js';
import { withoutTrailingSlashes } from '../text/without-trailing-slashes.js';

/** Process settings, read once at start. Feed behaviour lives in feeds.yaml, not here. */
export interface Env {
  /** postgres:// or postgresql:// URL; null = embedded PGlite under `dataDir`. */
  databaseUrl: string | null;
  dataDir: string;
  port: number;
  host: string;
  logLevel: LogLevel;
  feedsFile: string;
  /** Base URL for self links, without a trailing slash. */
  publicUrl: string;
  databasePoolMax: number;
  /** Server Postgres: drizzle's statements as prepared statements (db/prepared-statements.ts); false behind a pooler in transaction mode. */
  databasePrepare: boolean;
  shutdownTimeoutMs: number;
  /** Parse worker threads (feed parsing and reader view run off the main thread); default: the cores less one, at least one (defaultParseWorkers). */
  parseWorkers: number | null;
  /** Wall-clock budget for parsing one feed or reading one article page, ms: past it the feed fails with PARSE_TOO_SLOW. */
  parseBudgetMs: number;
  /** When set, /metrics needs `Authorization: Bearer <token>`; null: /metrics is open (keep it off the public network). */
  metricsToken: string | null;
  /** Where a worker-only process serves /healthz, /readyz and /metrics; null: it serves nothing. */
  metricsPort: number | null;
  /**
   * How far past what it held live at its last full collection a JS heap (the main thread's and each parse worker's)
   * grows before the next one, percent; null: V8's own heuristic (up to 4×). Applied by applyHeapGrowth.
   */
  heapGrowthPercent: number | null;
  /** Embedded PGlite's shared_buffers, MB (unused with DATABASE_URL). */
  pgliteSharedBuffersMb: number;
}

export interface EnvProblem {
  variable: string;
  message: string;
}

/** Postgres' own default is 128 MB, all of it held by the process for PGlite (its memory never shrinks). */
export const DEFAULT_PGLITE_SHARED_BUFFERS_MB = 32;

/**
 * A heap may grow to 1.5× its live data before V8 collects it again. V8's own rule let the main thread's heap reach
 * 442 MB (fetch --once, bench:ingest 500 feeds × 50 items: 672 MB peak RSS) on well under 150 MB live; at 50 the peak
 * was 347 MB. 20 gave 339 MB for ~40 % more CPU. A soft bound: a heap that needs more still gets it (collections just
 * come sooner), so no feed fails for it.
 */
export const DEFAULT_HEAP_GROWTH_PERCENT = 50;

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const satisfies readonly LogLevel[];

// Docker and .env files often set `VAR=` to mean "not set"; treating that as a value would turn
// `PORT=` into an error and `DATABASE_URL=` into a failed connection.
function unsetIfBlank(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function integer(min: number, max: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d+$/, message)
    .transform(Number)
    .pipe(z.number().int(message).min(min, message).max(max, message));
}

function httpUrl(protocols: readonly string[], what: string) {
  return z.string().refine((value) => {
    try {
      const url = new URL(value);
      return protocols.includes(url.protocol) && url.hostname !== '';
    } catch {
      return false;
    }
  }, `must be ${what}`);
}

const envSchema = z.object({
  DATABASE_URL: z.preprocess(
    unsetIfBlank,
    httpUrl(['postgres:', 'postgresql:'], 'a postgres:// or postgresql:// URL (unset it to use embedded PGlite)').optional(),
  ),
  DATA_DIR: z.preprocess(unsetIfBlank, z.string().default('./data')),
  PORT: z.preprocess(unsetIfBlank, integer(1, 65535).default(3000)),
  HOST: z.preprocess(unsetIfBlank, z.string().default('0.0.0.0')),
  LOG_LEVEL: z.preprocess(
    (value) => {
      const set = unsetIfBlank(value);
      return typeof set === 'string' ? set.toLowerCase() : set;
    },
    z.enum(logLevels, `must be one of ${logLevels.join(', ')}`).default('info'),
  ),
  FEEDS_FILE: z.preprocess(unsetIfBlank, z.string().default('./feeds.yaml')),
  PUBLIC_URL: z.preprocess(unsetIfBlank, httpUrl(['http:', 'https:'], 'an http(s) URL such as https://news.example.org').optional()),
  DATABASE_POOL_MAX: z.preprocess(unsetIfBlank, integer(1, 1000).default(10)),
  DATABASE_PREPARE: z.preprocess(unsetIfBlank, z.enum(['true', 'false'], 'must be true or false').default('true')),
  SHUTDOWN_TIMEOUT_MS: z.preprocess(unsetIfBlank, integer(0, 3_600_000).default(30_000)),
  PARSE_WORKERS: z.preprocess(unsetIfBlank, integer(1, 64).optional()),
  PARSE_BUDGET_MS: z.preprocess(unsetIfBlank, integer(100, 600_000).default(10_000)),
  METRICS_TOKEN: z.preprocess(unsetIfBlank, z.string().min(16, 'must be at least 16 characters').max(512, 'must be at most 512 characters').optional()),
  /** `worker` processes (no HTTP server of their own) listen here for /healthz, /readyz and /metrics; unset: none. */
  METRICS_PORT: z.preprocess(unsetIfBlank, integer(1, 65535).optional()),
  /** 0: V8's own heap growth heuristic. */
  PGLITE_SHARED_BUFFERS_MB: z.preprocess(unsetIfBlank, integer(1, 65_536).default(DEFAULT_PGLITE_SHARED_BUFFERS_MB)),
  HEAP_GROWTH_PERCENT: z.preprocess(unsetIfBlank, integer(0, 400).default(DEFAULT_HEAP_GROWTH_PERCENT)),
});

/** The variables khabar reads, for documentation and for `check-config` output. */
export const envVariables = Object.keys(envSchema.shape) as (keyof typeof envSchema.shape)[];

/**
 * Reads and validates the process environment. The only place in khabar that touches process.env:
 * everything else receives the returned Env.
 */
export function loadEnv(env: NodeJS.ProcessEnv = process.env): Env {
  const raw: Record<string, string | undefined> = {};
  for (const name of envVariables) raw[name] = env[name];

  const result = envSchema.safeParse(raw);
  if (!result.success) {
    const seen = new Set<string>();
    const problems: EnvProblem[] = [];
    for (const issue of result.error.issues) {
      const variable = String(issue.path[0] ?? '(environment)');
      // A failed pipe can report the same variable twice; one line per variable reads better.
      if (seen.has(variable)) continue;
      seen.add(variable);
      problems.push({ variable, message: `${issue.message} (got ${describeValue(variable, raw[variable])})` });
    }
    const lines = problems.map((p) => `${p.variable}: ${p.message}`);
    throw new KhabarError('CONFIG_ENV_INVALID', `invalid environment:\n  ${lines.join('\n  ')}`, { details: { problems } });
  }

  const v = result.data;
  return {
    databaseUrl: v.DATABASE_URL ?? null,
    dataDir: v.DATA_DIR,
    port: v.PORT,
    host: v.HOST,
    logLevel: v.LOG_LEVEL,
    feedsFile: v.FEEDS_FILE,
    publicUrl: withoutTrailingSlashes(v.PUBLIC_URL ?? `http://localhost:${v.PORT}`),
    databasePoolMax: v.DATABASE_POOL_MAX,
    databasePrepare: v.DATABASE_PREPARE === 'true',
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    parseWorkers: v.PARSE_WORKERS ?? null,
    parseBudgetMs: v.PARSE_BUDGET_MS,
    metricsToken: v.METRICS_TOKEN ?? null,
    metricsPort: v.METRICS_PORT ?? null,
    heapGrowthPercent: v.HEAP_GROWTH_PERCENT === 0 ? null : v.HEAP_GROWTH_PERCENT,
    pgliteSharedBuffersMb: v.PGLITE_SHARED_BUFFERS_MB,
  };
}

// Error messages end up in logs and CI output: never echo a database password.
function describeValue(variable: string, value: string | undefined): string {
  if (value === undefined) return 'nothing';
  if (variable === 'DATABASE_URL') return JSON.stringify(redactUrlPassword(value));
  if (variable === 'METRICS_TOKEN') return `${value.length} characters`;
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`; anything unparsable is hidden entirely. */
export function redactUrlPassword(value: string): string {
  try {
    const url = new URL(value);
    if (url.password === '') return value;
    url.password = '***';
    return url.href;
  } catch {
    return value.includes('@') ? '(redacted)' : value;
  }
}
