/**
 * What a clustering of a dev stream is worth beyond the scorer's line: precision and recall on each label file, over
 * the whole stream and on its date halves (tune on 21–26 July, confirm on 27–31 July: a pair belongs to the half of
 * its later item), and the label-free story-cohesion figure.
 *
 *   npx tsx scripts/dedup-report.ts ITEMS.jsonl.gz CLUSTERS.jsonl [--labels FILE]... [--pairs 2000] [--json]
 *
 * Cohesion: member pairs of multi-item stories, sampled uniformly (seeded), each clustered alone as a two-item stream
 * (earlier item first) with the same assigner `khabar cluster` uses, words weighted by their frequency in the whole
 * stream; the share that matches on its own. It measures
 * chaining, not truth: a story whose members all match each other can still be wrong, but a story held together only
 * through other members is a chain. Also the sizes of the largest stories.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { createRepeatedLineTracker } from '../src/arabic/strip-boilerplate.js';
import { createStoryAssigner, fingerprintInput, type DedupInput } from '../src/dedup/assign-story.js';
import type { CandidateIndex } from '../src/dedup/candidate-index.js';
import { sortedUnique } from '../src/dedup/fingerprint.js';
import { createMemoryCandidateIndex } from '../src/dedup/memory-candidate-index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { labels: { type: 'string', multiple: true, default: [] }, pairs: { type: 'string', default: '2000' }, json: { type: 'boolean' }, seed: { type: 'string', default: '1' } },
});
const [itemsFile, clustersFile] = positionals;
if (!itemsFile || !clustersFile) {
  console.error('usage: dedup-report.ts ITEMS.jsonl.gz CLUSTERS.jsonl [--labels FILE]... [--pairs N] [--json]');
  process.exit(2);
}

interface Raw {
  id: string;
  source: string;
  title: string;
  content: string;
  published: string;
}
const raw = (itemsFile.endsWith('.gz') ? gunzipSync(readFileSync(itemsFile)) : readFileSync(itemsFile)).toString('utf8');
const items = new Map<string, DedupInput>();
const order = new Map<string, number>();
for (const line of raw.split('\n')) {
  if (!line.trim()) continue;
  const r = JSON.parse(line) as Raw;
  order.set(r.id, order.size);
  items.set(r.id, { id: r.id, source: r.source ?? '', title: r.title ?? '', text: r.content ?? '', publishedAt: r.published ? new Date(r.published) : null });
}
const storiesOf = new Map<string, Set<string>>();
const members = new Map<string, string[]>();
for (const line of readFileSync(clustersFile, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const o = JSON.parse(line) as { id: string; story: string; also?: string[] };
  const all = new Set([o.story, ...(o.also ?? [])]);
  storiesOf.set(o.id, all);
  for (const s of all) members.set(s, [...(members.get(s) ?? []), o.id]);
}

const HALF_BOUNDARY = Date.parse('2015-07-27T00:00:00Z');
function half(a: string, b: string): 'first' | 'second' {
  const t = Math.max(items.get(a)?.publishedAt?.getTime() ?? 0, items.get(b)?.publishedAt?.getTime() ?? 0);
  return t < HALF_BOUNDARY ? 'first' : 'second';
}

interface Score {
  precision: number;
  recall: number;
  tp: number;
  fp: number;
  fn: number;
  eventMerged: string;
}
function score(pairs: { a: string; b: string; label: string }[]): Score {
  let tp = 0, fp = 0, fn = 0, ev = 0, evm = 0;
  for (const p of pairs) {
    const sa = storiesOf.get(p.a);
    const sb = storiesOf.get(p.b);
    if (!sa || !sb) continue;
    const merged = [...sa].some((s) => sb.has(s));
    if (p.label === 'event') {
      ev++;
      if (merged) evm++;
    }
    if (p.label === 'same') merged ? tp++ : fn++;
    else if (merged) fp++;
  }
  const r4 = (x: number) => Math.round(x * 10_000) / 10_000;
  return { precision: r4(tp + fp ? tp / (tp + fp) : 0), recall: r4(tp + fn ? tp / (tp + fn) : 0), tp, fp, fn, eventMerged: `${evm}/${ev}` };
}

const report: Record<string, unknown> = {};
for (const file of values.labels!) {
  const pairs = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { a: string; b: string; label: string });
  const name = file.split('/').pop()!.replace(/\.jsonl$/, '');
  report[name] = { all: score(pairs), first: score(pairs.filter((p) => half(p.a, p.b) === 'first')), second: score(pairs.filter((p) => half(p.a, p.b) === 'second')) };
}

// Seeded sampling (mulberry32) so the figure is comparable between runs.
let seed = Number(values.seed) >>> 0;
function random(): number {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const multi = [...members.values()].filter((m) => m.length > 1);
const pairCounts = multi.map((m) => (m.length * (m.length - 1)) / 2);
const totalPairs = pairCounts.reduce((a, b) => a + b, 0);
const wanted = Math.min(Number(values.pairs), totalPairs);
const sampled = new Set<string>();
const picks: [string, string][] = [];
while (picks.length < wanted) {
  let r = random() * totalPairs;
  let s = 0;
  while (r >= pairCounts[s]!) r -= pairCounts[s++]!;
  const m = multi[s]!;
  const i = Math.floor(random() * m.length);
  let j = Math.floor(random() * (m.length - 1));
  if (j >= i) j++;
  const [a, b] = order.get(m[i]!)! < order.get(m[j]!)! ? [m[i]!, m[j]!] : [m[j]!, m[i]!];
  if (sampled.has(`${a} ${b}`)) continue;
  sampled.add(`${a} ${b}`);
  picks.push([a, b]);
}
// Word weights as the stream gives them (a two-item stream alone would weigh every shared word at zero and so
// never pass the idf route): document frequencies over the whole stream, in publication order as the assigner sees it.
const df = new Map<number, number>();
const tracker = createRepeatedLineTracker();
for (const item of [...items.values()].sort((x, y) => order.get(x.id)! - order.get(y.id)!)) {
  for (const w of sortedUnique(fingerprintInput(tracker, item).words)) df.set(w, (df.get(w) ?? 0) + 1);
}
function withStreamIdf(index: CandidateIndex): CandidateIndex {
  return { ...index, documentFrequencies: async (words) => ({ total: items.size, counts: words.map((w) => df.get(w) ?? 0) }) };
}
let matching = 0;
for (const [a, b] of picks) {
  const assigner = createStoryAssigner(withStreamIdf(createMemoryCandidateIndex()));
  const first = await assigner.assign(items.get(a)!);
  const second = await assigner.assign(items.get(b)!);
  if (first.storyId === second.storyId) matching++;
}
const sizes = multi.map((m) => m.length).sort((x, y) => y - x);
report.cohesion = {
  share: picks.length ? Math.round((matching / picks.length) * 10_000) / 10_000 : 1,
  sampledPairs: picks.length,
  multiItemStories: multi.length,
  itemsInMultiItemStories: sizes.reduce((a, b) => a + b, 0),
  largest: sizes.slice(0, 5),
};

if (values.json) console.log(JSON.stringify(report));
else {
  for (const [name, value] of Object.entries(report)) {
    if (name === 'cohesion') continue;
    const v = value as Record<'all' | 'first' | 'second', Score>;
    const fmt = (s: Score) => `P ${s.precision.toFixed(3)} R ${s.recall.toFixed(3)} (tp ${s.tp} fp ${s.fp} fn ${s.fn}, events ${s.eventMerged})`;
    console.log(`${name}: ${fmt(v.all)} | 21–26 Jul ${fmt(v.first)} | 27–31 Jul ${fmt(v.second)}`);
  }
  const c = report.cohesion as { share: number; sampledPairs: number; multiItemStories: number; largest: number[] };
  console.log(`cohesion: ${c.share.toFixed(3)} of ${c.sampledPairs} sampled member pairs match on their own; ${c.multiItemStories} multi-item stories, largest ${c.largest.join(', ')}`);
}
