/**
 * `khabar start` survives SIGHUP from its first line on: Node's default for SIGHUP is to end the process, and before
 * runService listens for it the process loads its modules and reads its config. A SIGHUP in that window (an operator, a
 * config reloader right after a deploy) killed it. Now one is held (cli.ts) and applied as a reload once up. The same
 * during shutdown, where runService used to remove its handler before the graceful steps.
 *
 * The window is held open on purpose, not raced: the feeds file is a named pipe, so the process blocks reading its
 * config until the test writes it; the signals sent meanwhile land in the window for sure, however loaded the machine.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rss2 } from '../helpers/arabic-feeds.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { freePort, spawnCli } from '../helpers/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';
import { waitFor } from '../helpers/wait-for.js';

interface LogLine {
  msg: string;
  trigger?: string;
  added?: string[];
}

const linux = process.platform === 'linux';

describe.skipIf(!linux)('khabar start and SIGHUP while it starts', () => {
  let dir: string;
  let server: FixtureServer;
  let database: TestDatabase | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'khabar-hangup-'));
    const feed = { body: rss2(), contentType: 'application/rss+xml; charset=utf-8' };
    server = await startFixtureServer({ '/a.xml': feed, '/b.xml': feed });
    // Server Postgres when there is one: lighter on a loaded machine than starting PGlite in the child.
    if (process.env.TEST_DATABASE_URL) database = await createTestDatabase('postgres');
  });

  afterAll(async () => {
    await database?.drop();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const feedsYaml = (ids: string[]) =>
    ['feeds:', ...ids.flatMap((id) => [`  - id: ${id}`, `    name: مصدر ${id}`, `    url: ${server.url(`/${id}.xml`)}`]), ''].join('\n');

  it('keeps running through SIGHUPs before it listens, ends up serving, applies the edit made before them, and shuts down cleanly through more', async () => {
    const feedsFile = path.join(dir, 'feeds.yaml');
    execFileSync('mkfifo', [feedsFile]);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const dbEnv: Record<string, string> = database ? { DATABASE_URL: database.url! } : { DATA_DIR: path.join(dir, 'data') };
    const child = spawnCli(['start'], { FEEDS_FILE: feedsFile, ...dbEnv, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const alive = () => child.exitCode === null && child.signalCode === null;
    const logs = (): LogLine[] =>
      stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as LogLine);
    const listening = () => logs().some((l) => l.msg === 'server listening');
    let hangups = 0;
    const hangup = () => {
      if (alive() && child.kill('SIGHUP')) hangups++;
    };

    // From the moment the process catches SIGHUP at all (the entry module's first lines), a SIGHUP every 50 ms until it
    // says it listens: through module loading, the config read and the service's start-up, and the hand-over between
    // the two handlers.
    let streaming = true;
    const stream = (async () => {
      while (streaming && alive() && !catchesHangup(child.pid!)) await sleep(5);
      while (streaming && alive() && !listening()) {
        hangup();
        await sleep(50);
      }
    })();

    let writer: number | null = null;
    try {
      // The process opens the pipe to read its config: from now until the pipe is written and closed, it waits there,
      // before runService.
      await waitFor(async () => {
        if (!alive()) throw new Error(`khabar exited before reading its config: ${stderr}`);
        writer = openWriterIfRead(feedsFile);
        return writer !== null;
      }, 60_000);
      // The edit, made before the signals: the file the process will read again (a new file renamed over the pipe).
      writeFileSync(path.join(dir, '.feeds.yaml.swp'), feedsYaml(['a', 'b']));
      renameSync(path.join(dir, '.feeds.yaml.swp'), feedsFile);
      for (let i = 0; i < 3; i++) {
        hangup();
        await sleep(100);
      }
      // Not a timing assumption: the process never dies of it. Had it, the wait for /healthz below would say so too.
      await sleep(300);
      expect(alive(), 'ended by a SIGHUP while reading its config').toBe(true);
      // The config it was reading all along: only feed a.
      writeSync(writer!, feedsYaml(['a']));
      closeSync(writer!);
      writer = null;

      await waitFor(async () => {
        if (!alive()) throw new Error('khabar exited');
        return (await fetch(`${base}/healthz`)).ok;
      }, 90_000);
      streaming = false;
      await stream;
      expect(alive()).toBe(true);
      expect(logs().some((l) => l.msg === 'SIGHUP received while starting; the feeds file is read again once the service is up')).toBe(true);
      // Once up, one reload reads the edited file: b is added, once however many signals came.
      await waitFor(async () => logs().some((l) => l.msg === 'feeds file reloaded'), 30_000);
      const reloads = logs().filter((l) => l.msg === 'feeds file reloaded');
      expect(reloads).toEqual([expect.objectContaining({ trigger: 'SIGHUP', added: ['b'] })]);
      const sources = (JSON.parse(await (await fetch(`${base}/api/feeds`)).text()) as { sources: Array<{ id: string; enabled: boolean }> }).sources;
      expect(Object.fromEntries(sources.map((s) => [s.id, s.enabled]))).toEqual({ a: true, b: true });
      await waitFor(async () => server.requestsTo('/b.xml').length > 0, 30_000);
      expect(alive()).toBe(true);
      // Nor while it shuts down: SIGHUPs from SIGTERM to the exit leave the graceful steps to finish (exit 0).
      child.kill('SIGTERM');
      while (alive()) {
        hangup();
        await sleep(20);
      }
    } catch (err) {
      console.error(`khabar stdout:\n${stdout}\nstderr:\n${stderr}\nSIGHUPs sent: ${hangups}`);
      throw err;
    } finally {
      streaming = false;
      if (writer !== null) closeSync(writer);
      if (alive()) child.kill('SIGTERM');
    }
    expect(await exited).toEqual({ code: 0, signal: null });
  }, 240_000);
});

/** Whether the process has a SIGHUP handler (Linux: the SigCgt mask in /proc; bit 0 is signal 1). */
function catchesHangup(pid: number): boolean {
  try {
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return mask !== undefined && (BigInt(`0x${mask}`) & 1n) === 1n;
  } catch {
    return false;
  }
}

/** A write end of the pipe once a reader has it open (without blocking: ENXIO means nobody reads yet). */
function openWriterIfRead(fifo: string): number | null {
  try {
    return openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENXIO') return null;
    throw err;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
