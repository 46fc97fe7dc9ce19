/**
 * Hostile feed bodies: for each shape (test/helpers/hostile-feeds.ts), khabar's whole parse step (decode → repair →
 * parse → normalize, in a parse worker with its time budget) at growing sizes up to the 5 MB body cap, beside
 * rss-parser's parseString alone on the same body (the peer: the library underneath, without khabar's repairs and
 * normalizing). A regression shows as a number that grows faster than the size. Prints figures; not a test.
 *
 *   npx tsx bench/bench-hostile.ts [--fuzz N] [--budget MS]
 *
 * --fuzz N also runs N random bodies (test/helpers/feed-arbitraries.ts) through the pool and prints the outcomes by
 * code and the slowest parse.
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import Parser from 'rss-parser';
import { KhabarError } from '../src/errors.js';
import { createParsePool } from '../src/pipeline/parse-pool.js';
import { feedBody, feedDocument } from '../test/helpers/feed-arbitraries.js';
import { hostileShapes } from '../test/helpers/hostile-feeds.js';

const { values } = parseArgs({ options: { fuzz: { type: 'string', default: '0' }, budget: { type: 'string', default: '60000' } } });
const budgetMs = Number(values.budget);
const pool = createParsePool({ size: 1, budgetMs });
const feed = { id: 'bench', url: 'https://example.com/feed.xml' };

/** The prolog shape was exponential: it starts at the size that took over a second before (about 24 spaces). */
const sizesFor = (name: string) => (name === 'prolog-then-spaces' ? [62, 100, 10_000, 1_000_000, 5_000_000] : [10_000, 100_000, 1_000_000, 5_000_000]);

async function time<T>(run: () => Promise<T>): Promise<{ ms: number; outcome: string }> {
  const started = performance.now();
  let outcome: string;
  try {
    const result = await run();
    outcome = typeof result === 'object' && result && 'entries' in result ? `ok, ${(result as { entries: number }).entries} entries` : 'ok';
  } catch (err) {
    outcome = err instanceof KhabarError ? err.code : (err as Error).name;
  }
  return { ms: performance.now() - started, outcome };
}

// One warm-up so the worker's start is not in the first figure.
await pool.parseFeedBody({ body: Buffer.from('<rss><channel></channel></rss>'), contentType: null, feed, itemsPerFeed: 100, now: Date.now() }).catch(() => {});

console.log(`hostile bodies: khabar parse step in a parse worker (budget ${budgetMs} ms) vs rss-parser parseString alone, same body`);
console.log(['shape', 'bytes', 'khabar ms', 'khabar outcome', 'rss-parser ms', 'rss-parser outcome'].join('\t'));
/** The peer runs on the main thread with no budget: after a size that took over this, larger sizes are skipped. */
const PEER_SKIP_AFTER_MS = 5_000;
for (const shape of hostileShapes) {
  let peerTooSlow = false;
  for (const size of sizesFor(shape.name)) {
    const text = shape.build(size);
    const body = Buffer.from(text);
    const ours = await time(() => pool.parseFeedBody({ body, contentType: 'application/xml; charset=utf-8', feed, itemsPerFeed: 100, now: Date.now() }));
    const peer: { ms: number; outcome: string } | null = peerTooSlow ? null : await time(() => new Parser().parseString(text));
    peerTooSlow ||= (peer?.ms ?? 0) > PEER_SKIP_AFTER_MS;
    const peerColumns = peer ? [peer.ms.toFixed(0), peer.outcome] : ['-', `skipped (over ${PEER_SKIP_AFTER_MS / 1000} s at a smaller size)`];
    console.log([shape.name, body.length, ours.ms.toFixed(0), ours.outcome, ...peerColumns].join('\t'));
  }
}

const fuzzRuns = Number(values.fuzz);
if (fuzzRuns > 0) {
  const outcomes = new Map<string, number>();
  let slowest = 0;
  const started = performance.now();
  for (const body of fc.sample(fc.oneof(feedBody, feedDocument.map((doc) => Buffer.from(doc))), { numRuns: fuzzRuns, seed: 20261201 })) {
    const { ms, outcome } = await time(() => pool.parseFeedBody({ body, contentType: null, feed, itemsPerFeed: 100, now: Date.now() }));
    const key = outcome.startsWith('ok') ? 'ok' : outcome;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    slowest = Math.max(slowest, ms);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`fuzz: ${fuzzRuns} random bodies in ${seconds.toFixed(1)} s (${(fuzzRuns / seconds).toFixed(0)}/s), slowest ${slowest.toFixed(0)} ms`);
  for (const [code, count] of [...outcomes].sort((a, b) => b[1] - a[1])) console.log(`  ${code}\t${count}`);
}
await pool.close();
