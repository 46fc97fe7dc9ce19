/**
 * Why does the clusterer split labeled `same` pairs?
 *   npx tsx scripts/diagnose-dedup.ts <dev-dir> [full|summary] [-v] [--labels labels-audit] [--no-intro|--no-series|...] [--explain ID ID ...] [--trace ID ...]
 * Runs the stream through the same assigner as `khabar cluster` (in-memory index) with a trace hook, and for every
 * `same` pair that ends in two stories says where the later item lost the earlier one:
 *   candidate retrieval (outside the window, no shared index key, shared keys all too common, ranked out of the
 *   top candidates), verification (which measure fell short), or story choice (template, follow-up, series,
 *   anchor, or it joined another story first). Also lists merged `event`/`different` pairs (false merges).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseClusterLine } from '../src/commands/cluster.js';
import { createStoryAssigner, type AssignTrace } from '../src/dedup/assign-story.js';
import { compareFingerprints, prepare } from '../src/dedup/compare-fingerprints.js';
import { createMemoryCandidateIndex } from '../src/dedup/memory-candidate-index.js';

const dir = process.argv[2] ?? '../shared/eval/dedup-dev';
const kind = process.argv[3] ?? 'full';
const verbose = process.argv.includes('-v');
const WINDOW_MS = 72 * 3_600_000;
const MAX_POSTINGS = 50;

type Label = { a: string; b: string; label: string; note?: string };
const labelFile = process.argv.includes('--labels') ? process.argv[process.argv.indexOf('--labels') + 1] : 'labels';
const labels: Label[] = readFileSync(`${dir}/${labelFile}.jsonl`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const labeled = new Set(labels.flatMap((l) => [l.a, l.b]));
const items = gunzipSync(readFileSync(`${dir}/dev-items-${kind}.jsonl.gz`)).toString('utf8').split('\n').filter((l) => l.trim()).map((l, i) => parseClusterLine(l, i + 1));

const traces = new Map<string, AssignTrace>();
const order = new Map<string, number>();
const postingTimes = new Map<number, number[]>();
/** For a labeled item: how many items in its window carried each of its keys when it arrived. */
const keyLoad = new Map<string, Map<number, number>>();
const story = new Map<string, string>();

// Ablations: --no-intro, --no-series, --no-template, --no-follow-up, --no-alignment, --no-figure, --no-bridge (assigner options); --sticky-own-news, --long-bridge (options off by default).
const off = (flag: string) => process.argv.includes(flag) ? false : undefined;
const assigner = createStoryAssigner(createMemoryCandidateIndex(), {
  introRoute: off('--no-intro'),
  seriesCheck: off('--no-series'),
  templateCheck: off('--no-template'),
  followUpCheck: off('--no-follow-up'),
  alignmentRoute: off('--no-alignment'),
  figureRoute: off('--no-figure'),
  bridgeCheck: off('--no-bridge'),
  stickyRejections: process.argv.includes('--sticky-own-news') ? 'own-news' : undefined,
  longBridgeRatio: process.argv.includes('--long-bridge') ? 2 : undefined,
  trace(t) {
    traces.set(t.id, t);
    if (labeled.has(t.id)) {
      const load = new Map<number, number>();
      for (const k of t.keys) load.set(k, (postingTimes.get(k) ?? []).filter((x) => Math.abs(x - t.publishedAt) <= WINDOW_MS).length);
      keyLoad.set(t.id, load);
    }
    for (const k of t.keys) {
      const l = postingTimes.get(k);
      if (l) l.push(t.publishedAt);
      else postingTimes.set(k, [t.publishedAt]);
    }
  },
});
for (const [i, item] of items.entries()) {
  order.set(item.id, i);
  story.set(item.id, (await assigner.assign(item)).storyId);
}

const fmt = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(2));

function why(l: Label): string {
  const [early, late] = order.get(l.a)! < order.get(l.b)! ? [l.a, l.b] : [l.b, l.a];
  const a = traces.get(early)!;
  const b = traces.get(late)!;
  const e = compareFingerprints(prepare(a.fingerprint), prepare(b.fingerprint), null);
  const ev = `c=${fmt(e.containment)} sizes=${e.sizeA}/${e.sizeB}`;
  // The later item may have reached the earlier one's story through another member and been turned away there.
  const viaStory = b.tried.find((x) => x.storyId === story.get(early) && x.id !== early && x.outcome !== 'story-rejected');
  const via = viaStory ? ` [story reached via ${viaStory.id}: ${viaStory.outcome}]` : '';
  if (Math.abs(a.publishedAt - b.publishedAt) > WINDOW_MS) return `candidate: outside window | ${ev}${via}`;
  const cand = b.candidates.findIndex((c) => c.id === early);
  if (cand < 0) {
    const aKeys = new Set(a.keys);
    const shared = b.keys.filter((k) => aKeys.has(k));
    if (shared.length === 0) return `candidate: no shared key | ${ev}${via}`;
    const load = keyLoad.get(late)!;
    const usable = shared.filter((k) => load.get(k)! <= MAX_POSTINGS);
    if (usable.length === 0) return `candidate: shared keys all common (${shared.length}) | ${ev}${via}`;
    const last = b.candidates[b.candidates.length - 1];
    return `candidate: ranked out (${usable.length} usable keys vs ${last?.hits}) | ${ev}${via}`;
  }
  const v = b.verified.find((x) => x.id === early);
  if (!v) return `verify: not fetched | ${ev}${via}`;
  if (v.outcome === 'single-hit') return `verify: single-hit skip | ${ev}${via}`;
  if (v.outcome === 'fail') {
    const minSize = Math.min(v.sizeA, v.sizeB);
    const maxSize = Math.max(v.sizeA, v.sizeB);
    const r = minSize < 8 ? 'short text (jaccard)' : maxSize >= 8 * minSize ? 'embed (>=8x, needs 0.8)' : v.containment < 0.3 ? 'containment < 0.3' : 'idf/alignment short';
    return `verify: ${r} | c=${fmt(v.containment)} idf=${fmt(v.idfContainment)} sizes=${v.sizeA}/${v.sizeB}${via}`;
  }
  const tried = b.tried.find((x) => x.id === early);
  if (!tried) {
    const joined = b.tried.find((x) => x.outcome === 'joined');
    return `story: joined another story first (${joined?.storyId}) | ${ev}${via}`;
  }
  if (tried.outcome === 'story-rejected') {
    const first = b.tried.find((x) => x.storyId === tried.storyId && x.outcome !== 'story-rejected');
    return `story: ${first?.outcome ?? 'rejected'} | ${ev}${via}`;
  }
  return `story: ${tried.outcome} | ${ev}${via}`;
}

const traceAt = process.argv.indexOf('--trace');
if (traceAt > 0) {
  // --trace ID ...: how an item found its story — the candidates it verified (by which route) and the stories tried.
  for (let i = traceAt + 1; i < process.argv.length && !process.argv[i].startsWith('-'); i++) {
    const t = traces.get(process.argv[i])!;
    console.log(`${t.id} → story ${story.get(t.id)} (its first item's size ${traces.get(story.get(t.id)!)?.fingerprint.words.length ?? '?'} words, this ${t.fingerprint.words.length})`);
    for (const v of t.verified) console.log(`  verified ${v.id} (story ${story.get(v.id)}): ${v.outcome} c=${fmt(v.containment)} idf=${fmt(v.idfContainment)} sizes=${v.sizeA}/${v.sizeB}`);
    for (const x of t.tried) console.log(`  tried ${x.id} story ${x.storyId}: ${x.outcome}`);
    const first = traces.get(story.get(t.id)!)!;
    if (first.id !== t.id) {
      const e = compareFingerprints(prepare(t.fingerprint), prepare(first.fingerprint), null);
      console.log(`  against the story's first item ${first.id}: c=${fmt(e.containment)} sizes=${e.sizeA}/${e.sizeB}`);
    }
  }
  process.exit(0);
}

const explain = process.argv.indexOf('--explain');
if (explain > 0) {
  // --explain ID ID: why the later of two (any) items did not join the earlier one's story.
  for (let i = explain + 1; i + 1 < process.argv.length && !process.argv[i].startsWith('-'); i += 2) {
    const [x, y] = [process.argv[i], process.argv[i + 1]];
    for (const id of [x, y]) keyLoad.has(id) || keyLoad.set(id, new Map(traces.get(id)!.keys.map((k) => [k, 0])));
    console.log(`${x} (story ${story.get(x)}) ${y} (story ${story.get(y)}): ${why({ a: x, b: y, label: '?' })}`);
  }
  process.exit(0);
}

const buckets = new Map<string, number>();
const lines: string[] = [];
let split = 0;
for (const l of labels) {
  const merged = story.get(l.a) === story.get(l.b);
  if (l.label === 'same' && !merged) {
    split++;
    const w = why(l);
    const bucket = w.split(' | ')[0].replace(/\(.*\)/, '').trim();
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
    lines.push(`  ${l.a} ${l.b} ${w} — ${l.note ?? ''}`);
  } else if (l.label !== 'same' && merged) {
    lines.push(`  FALSE MERGE (${l.label}) ${l.a} ${l.b} — ${l.note ?? ''}`);
  }
}
let tp = 0;
let fp = 0;
for (const l of labels) if (story.get(l.a) === story.get(l.b)) l.label === 'same' ? tp++ : fp++;
console.log(`${kind}: precision ${(tp / (tp + fp)).toFixed(3)} recall ${(tp / (tp + split)).toFixed(3)} (tp ${tp}, fp ${fp})`);
console.log(`${kind}: ${split} of ${labels.filter((l) => l.label === 'same').length} same pairs split`);
for (const [k, n] of [...buckets].sort((x, y) => y[1] - x[1])) console.log(`  ${String(n).padStart(3)}  ${k}`);
if (verbose) console.log(lines.sort().join('\n'));
