import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync, closeSync, unlinkSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { SQLWrapper } from 'drizzle-orm';
import { DEFAULT_PGLITE_SHARED_BUFFERS_MB, redactUrlPassword } from '../config/env.js';
import { KhabarError } from '../errors.js';
import type { Logger } from '../logger.js';
import * as schema from './schema.js';
import { withPreparedStatements } from './prepared-statements.js';

/** The one database type the code is written against: postgres.js and PGlite both satisfy it. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseHandle {
  db: Database;
  kind: DatabaseKind;
  /** Where it is: the URL without password, or the PGlite folder. */
  location: string;
  /** Idempotent. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgres:// URL; absent → embedded PGlite under dataDir. */
  databaseUrl?: string | null;
  /** PGlite folder, or 'memory://' for a throwaway in-memory store. */
  dataDir: string;
  poolMax?: number;
  /** Server Postgres: send drizzle's statements as prepared statements (default true; prepared-statements.ts). */
  prepareStatements?: boolean;
  /** PGlite's shared_buffers, MB (default 32; Postgres' own 128). */
  pgliteSharedBuffersMb?: number;
  logger?: Logger;
}


export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openPglite(options.dataDir, options.pgliteSharedBuffersMb ?? DEFAULT_PGLITE_SHARED_BUFFERS_MB, options.logger);
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const log = options.logger;
  const client = postgres(url, {
    max: options.poolMax ?? 10,
    connect_timeout: 10,
    idle_timeout: 60,
    onnotice: () => {},
    connection: { application_name: 'khabar' },
  });
  const db = drizzle({ client: options.prepareStatements === false ? client : withPreparedStatements(client), schema }) as unknown as Database;
  try {
    await client`select 1`;
  } catch (err) {
    await client.end({ timeout: 1 }).catch(() => {});
    throw new KhabarError('DB_UNAVAILABLE', `cannot connect to Postgres at ${redactUrlPassword(url)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  log?.debug({ location: redactUrlPassword(url) }, 'database connected');
  let closed: Promise<void> | null = null;
  return {
    db,
    kind: 'postgres',
    location: redactUrlPassword(url),
    close: () => (closed ??= client.end({ timeout: 5 })),
  };
}

async function openPglite(dataDir: string, sharedBuffersMb: number, log?: Logger): Promise<DatabaseHandle> {
  const { PGlite, types } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const inMemory = dataDir.startsWith('memory://');
  const folder = inMemory ? dataDir : path.resolve(dataDir, 'pglite');
  const releaseLock = inMemory ? () => {} : acquireFolderLock(path.resolve(dataDir));
  // The WebAssembly memory PGlite runs in only ever grows: shared_buffers is allocated in it whole at start.
  const options = { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffersMb}MB`], initDbStartParams: INITDB_PARAMS };
  let client;
  try {
    if (!inMemory) {
      mkdirSync(folder, { recursive: true });
      // Creating the cluster (initdb) grows the wasm memory to ~600 MB that never shrinks: a short-lived child does it.
      if (!existsSync(path.join(folder, 'PG_VERSION'))) await initdbInChildProcess(folder);
    }
    client = await PGlite.create(inMemory ? undefined : folder, {
      ...options,
      // PGlite's own bytea parser makes a callback, a substring and a parseInt per byte: reading a batch's ~500 packed
      // fingerprints (~3 KB each) cost seconds of main-thread time. Buffer's hex decoder is native; a Buffer is the
      // Uint8Array callers expect.
      parsers: { [types.BYTEA]: (hex: string) => Buffer.from(hex.slice(2), 'hex') },
    });
  } catch (err) {
    releaseLock();
    throw new KhabarError('DB_UNAVAILABLE', `cannot open the embedded database in ${folder}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  yieldBeforeStatements(client);
  const db = drizzle({ client, schema }) as unknown as Database;
  if (!inMemory) {
    // The folder lock proves no other process uses this database: any lease in it is a dead process's, and would
    // keep its feeds from being refreshed until it ran out.
    try {
      const { releaseLeftLeases } = await import('./queries/claim-due-feeds.js');
      const released = await releaseLeftLeases(db);
      if (released > 0) log?.info({ feeds: released }, 'leases left by a stopped process released');
    } catch (err) {
      await client.close().catch(() => {});
      releaseLock();
      throw new KhabarError('DB_UNAVAILABLE', `cannot open the embedded database in ${folder}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  let closed: Promise<void> | null = null;
  return {
    db,
    kind: 'pglite',
    location: folder,
    close: () =>
      (closed ??= client.close().finally(releaseLock)),
  };
}

/**
 * initdb's own settings: its bootstrap runs with PostgreSQL's default 128 MB of shared_buffers unless told otherwise,
 * which took a new folder's creation to a peak RSS of ~910 MB; at 16 MB ~730 MB (same catalog). The value lands in the
 * folder's postgresql.conf, which every open overrides with PGLITE_SHARED_BUFFERS_MB.
 */
const INITDB_PARAMS = ['-c', 'shared_buffers=16MB'];

/**
 * Creates a new PGlite database folder in a short-lived child process. PGlite's initdb step keeps ~450 MB (its own wasm
 * instance and file-system bundle) referenced for as long as the instance that ran it lives: opened in this process, a
 * first `npm start` held ~830 MB from its first second, where opening an existing folder takes ~370 MB.
 */
async function initdbInChildProcess(folder: string): Promise<void> {
  const pglite = import.meta.resolve('@electric-sql/pglite');
  const script = `const { PGlite } = await import(${JSON.stringify(pglite)}); const db = await PGlite.create(process.argv[1], { initDbStartParams: ${JSON.stringify(INITDB_PARAMS)} }); await db.close();`;
  await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, folder], { timeout: 120_000 });
}

interface StatementRunner {
  query: (...args: never[]) => Promise<unknown>;
  exec: (...args: never[]) => Promise<unknown>;
}

/**
 * PGlite runs each statement synchronously on the main thread, and the promises it resolves chain the next statement
 * (and the next waiting transaction) as microtasks: a batch's store ran as one unbroken turn of seconds, during which no
 * HTTP answer, timer or socket was served, so feeds timed out and parse-time limits fired while nothing was fetching
 * or parsing (bench:ingest: event-loop delay up to 12–28 s). Each statement now waits for the next turn of the event
 * loop first, so the longest block is one statement. Statements still run one at a time, in the same order.
 */
function yieldBeforeStatements(client: StatementRunner & { transaction: (fn: (tx: StatementRunner) => Promise<unknown>) => Promise<unknown> }): void {
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const wrap = (runner: StatementRunner) => {
    for (const name of ['query', 'exec'] as const) {
      const run = runner[name].bind(runner) as (...args: never[]) => Promise<unknown>;
      runner[name] = async function statementAfterYield(...args: never[]) {
        await nextTurn();
        return run(...args);
      };
    }
  };
  wrap(client);
  const transaction = client.transaction.bind(client);
  client.transaction = (fn) =>
    transaction((tx) => {
      wrap(tx);
      return fn(tx);
    });
}

/**
 * PGlite serves one process per folder; a second one would corrupt it. A lock file holding our pid guards the folder;
 * a lock left by a process that no longer runs is taken over. Holding it, the process is the database's only user
 * (openPglite ends leftover feed leases on that basis).
 */
function acquireFolderLock(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lockPath = path.join(dir, 'khabar.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(lockPath, 'utf8').trim() === String(process.pid)) unlinkSync(lockPath);
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number.parseInt(readFileSync(lockPath, 'utf8').trim(), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new KhabarError(
          'DB_LOCKED',
          `the embedded database in ${dir} is in use by another khabar process (pid ${owner}); stop it, use another DATA_DIR, or set DATABASE_URL to share a Postgres server`,
          { details: { dataDir: dir, pid: owner } },
        );
      }
      unlinkSync(lockPath); // stale: its process is gone
    }
  }
  throw new KhabarError('DB_LOCKED', `could not lock ${lockPath}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Rows of a raw query, whichever driver ran it (postgres.js returns an array, PGlite `{ rows }`). */
export async function queryRows<T extends Record<string, unknown>>(db: Pick<Database, 'execute'>, query: SQLWrapper): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
