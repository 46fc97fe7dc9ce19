import { parentPort } from 'node:worker_threads';
import { toKhabarError } from '../errors.js';
import { parseFeedBody, readArticlePage } from './parse-feed-body.js';
import type { ParseTask, ParseWorkerMessage } from './parse-pool.js';

/* The parse worker's side of parse-pool.ts: one task at a time, answered with its result or a KhabarError's parts. */

const port = parentPort;
if (!port) throw new Error('parse-worker.ts runs as a worker thread (parse-pool.ts starts it)');

port.on('message', async (task: ParseTask) => {
  let reply: ParseWorkerMessage;
  try {
    const result = task.kind === 'feed' ? await parseFeedBody(task.input) : await readArticlePage(task.input);
    reply = { id: task.id, ok: true, result };
  } catch (thrown) {
    const err = toKhabarError(thrown);
    reply = { id: task.id, ok: false, code: err.code, message: err.message, details: plainDetails(err.details) };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true } satisfies ParseWorkerMessage);

/** Only what structured clone carries for sure. */
function plainDetails(details: Record<string, unknown>): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(details)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) out[key] = value as string | number | boolean | null;
  }
  return out;
}
