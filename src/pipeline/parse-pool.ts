import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { KhabarError, type ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ExtractedArticle } from './extract-article.js';
import type { ArticlePageInput, FeedBodyInput, FeedBodyResult } from './parse-feed-body.js';

/*
 * Feed parsing and reader view run in worker threads, never on the main event loop: a hostile or merely huge body
 * costs a parse worker its time, not the HTTP server or the other feeds. Each task has a wall-clock budget (Node 20
 * has no per-thread CPU clock): past it the worker is terminated, the task fails with PARSE_TOO_SLOW and a fresh
 * worker takes the next task. A worker that runs out of its heap limit fails its task with PARSE_TOO_COMPLEX.
 */

export interface ParsePoolOptions {
  /** Worker threads; default: defaultParseWorkers(). */
  size?: number;
  /** Wall-clock budget of one task in milliseconds (default 10 s). */
  budgetMs?: number;
  /** Heap limit of one worker (old generation), MB (default 512). */
  maxHeapMb?: number;
  logger?: Logger;
}

export interface ParsePool {
  /** decode → parse → normalize of one feed document (parse-feed-body.ts), off the main thread. */
  parseFeedBody(input: FeedBodyInput): Promise<FeedBodyResult>;
  /** decode → reader view of one article page, off the main thread. */
  readArticlePage(input: ArticlePageInput): Promise<ExtractedArticle | null>;
  readonly size: number;
  /** The wall-clock budget of one task, ms (a claim's lease must cover it). */
  readonly budgetMs: number;
  /** Stops the workers; tasks not finished fail with FETCH_ABORTED (shutdown). */
  close(): Promise<void>;
}

export type ParseTask = { id: number; kind: 'feed'; input: FeedBodyInput } | { id: number; kind: 'article'; input: ArticlePageInput };

export type ParseWorkerMessage =
  | { ready: true }
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; code: ErrorCode; message: string; details: Record<string, unknown> };

interface Pending {
  task: ParseTask;
  resolve: (value: unknown) => void;
  reject: (err: KhabarError) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  running: Pending | null;
  timer: NodeJS.Timeout | null;
}

export const DEFAULT_PARSE_BUDGET_MS = 10_000;

/** A parse worker's young generation (its semi-spaces), MB. */
export const WORKER_YOUNG_GENERATION_MB = 8;

/**
 * One worker for each core but one, and at least one: the main thread (dedup, the store) and, on one machine, Postgres
 * need a core too. On this 2-core machine two workers parsed no faster than one and took ~35 MB more: `fetch --once`
 * over 100 local feeds × 50 articles, three alternating pairs, 291 / 299 / 313 items/s with one worker against
 * 255 / 294 / 270 with two, peak RSS 291–301 MB against 328–333 MB.
 */
export function defaultParseWorkers(cores = availableParallelism()): number {
  return Math.max(1, cores - 1);
}

export function createParsePool(options: ParsePoolOptions = {}): ParsePool {
  const size = Math.max(1, options.size ?? defaultParseWorkers());
  const budgetMs = options.budgetMs ?? DEFAULT_PARSE_BUDGET_MS;
  const maxHeapMb = options.maxHeapMb ?? 512;
  const slots = new Set<Slot>();
  const queue: Pending[] = [];
  let nextId = 1;
  let closed = false;

  function spawn(): void {
    const slot: Slot = { worker: startWorker(maxHeapMb), ready: false, running: null, timer: null };
    slots.add(slot);
    // Idle workers never keep the process alive; a running task's budget timer does.
    slot.worker.unref();
    slot.worker.on('message', (message: ParseWorkerMessage) => {
      if ('ready' in message) {
        slot.ready = true;
        dispatch();
        return;
      }
      const pending = slot.running;
      if (!pending || pending.task.id !== message.id) return;
      finish(slot);
      if (message.ok) pending.resolve(message.result);
      else pending.reject(new KhabarError(message.code, message.message, { details: message.details }));
      dispatch();
    });
    slot.worker.on('error', (err: Error & { code?: string }) => {
      // Out of memory while parsing is the body's doing; before the worker was ready it is the pool's (a bad deploy).
      const outOfMemory = err.code === 'ERR_WORKER_OUT_OF_MEMORY' && slot.ready;
      const failure = outOfMemory
        ? new KhabarError('PARSE_TOO_COMPLEX', `parsing needed more than the parse worker's ${maxHeapMb} MB of memory`, { cause: err })
        : new KhabarError('PARSE_WORKER_FAILED', `the parse worker failed: ${err.message}`, { cause: err });
      options.logger?.warn({ code: failure.code, err }, 'parse worker failed');
      retire(slot, failure);
    });
    slot.worker.on('exit', () => retire(slot, new KhabarError('PARSE_WORKER_FAILED', 'the parse worker stopped')));
  }

  /**
   * A worker gone: its task fails. A worker that never came up fails the queue too when no ready worker is left to
   * take it, or the pool would respawn forever (a broken deploy); its code then is PARSE_WORKER_FAILED, not the feeds'.
   */
  function retire(slot: Slot, failure: KhabarError): void {
    if (!slots.delete(slot)) return;
    const pending = slot.running;
    finish(slot);
    void slot.worker.terminate();
    if (pending) pending.reject(failure);
    else if (!slot.ready && ![...slots].some((s) => s.ready)) {
      const startFailure = failure.code === 'PARSE_WORKER_FAILED' ? failure : new KhabarError('PARSE_WORKER_FAILED', `the parse worker could not start: ${failure.message}`, { cause: failure });
      for (const waiting of queue.splice(0)) waiting.reject(startFailure);
    }
    if (!closed) dispatch();
  }

  function finish(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.running = null;
  }

  function dispatch(): void {
    if (closed) return;
    for (const slot of slots) {
      if (queue.length === 0) return;
      if (!slot.ready || slot.running) continue;
      const pending = queue.shift()!;
      slot.running = pending;
      slot.timer = setTimeout(() => {
        retire(
          slot,
          new KhabarError('PARSE_TOO_SLOW', `parsing took longer than ${budgetMs / 1000} s and was stopped`, { details: { budgetMs } }),
        );
      }, budgetMs);
      slot.worker.postMessage(pending.task);
    }
    const starting = [...slots].filter((s) => !s.ready).length;
    for (let i = starting; i < queue.length && slots.size < size; i++) spawn();
  }

  function run<T>(task: Omit<ParseTask, 'id'>): Promise<T> {
    if (closed) return Promise.reject(new KhabarError('FETCH_ABORTED', 'shutting down: the parse workers are stopped'));
    return new Promise<T>((resolve, reject) => {
      queue.push({ task: { ...task, id: nextId++ } as ParseTask, resolve: resolve as (value: unknown) => void, reject });
      dispatch();
    });
  }

  return {
    size,
    budgetMs,
    parseFeedBody: (input) => run<FeedBodyResult>({ kind: 'feed', input }),
    readArticlePage: (input) => run<ExtractedArticle | null>({ kind: 'article', input }),
    async close() {
      closed = true;
      const aborted = new KhabarError('FETCH_ABORTED', 'shutting down: the parse workers are stopped');
      for (const waiting of queue.splice(0)) waiting.reject(aborted);
      const all = [...slots];
      for (const slot of all) retire(slot, aborted);
      await Promise.all(all.map((slot) => slot.worker.terminate()));
    },
  };
}

/**
 * The built service runs parse-worker.js directly. From TypeScript sources (npm start, tests) the worker needs tsx's
 * loader registered inside it first: Node 20 does not pass `--import tsx` hooks on to a worker's entry module.
 */
function startWorker(maxHeapMb: number): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './parse-worker.ts' : './parse-worker.js', import.meta.url);
  // A parse's objects die with its task: a small young generation collects them sooner than V8's default (up to 48
  // MB a thread) without limiting what a task may hold (survivors move to the old generation).
  const resourceLimits = { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB };
  if (!fromSource) return new Worker(entry, { resourceLimits });
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, resourceLimits });
}
