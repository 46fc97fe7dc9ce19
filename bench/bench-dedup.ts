/**
 * `npm run bench:dedup` — prints figures, asserts nothing (not a test).
 * 1. In-process clustering of the dev full-text stream with the in-memory index (goal ≥ 3,000 items/s).
 * 2. The Postgres-backed lookup at 10k / 100k / 1M stored items is bench/bench-dedup-pg.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { gunzipSync } from 'node:zlib';
import { createStoryAssigner, type DedupInput } from '../src/dedup/assign-story.js';
import { createMemoryCandidateIndex } from '../src/dedup/memory-candidate-index.js';
import { parseClusterLine } from '../src/commands/cluster.js';

const DEV_DIR = process.env.KHABAR_DEDUP_DEV ?? '../shared/eval/dedup-dev';

function loadStream(kind: 'full' | 'summary'): DedupInput[] {
  const file = `${DEV_DIR}/dev-items-${kind}.jsonl.gz`;
  if (!existsSync(file)) throw new Error(`${file} not found (set KHABAR_DEDUP_DEV)`);
  return gunzipSync(readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => parseClusterLine(l, i + 1));
}

async function benchInMemory(kind: 'full' | 'summary'): Promise<void> {
  const items = loadStream(kind);
  const runs: number[] = [];
  const cpuRuns: number[] = [];
  for (let run = 0; run < 3; run++) {
    const assigner = createStoryAssigner(createMemoryCandidateIndex());
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (const item of items) await assigner.assign(item);
    const used = process.cpuUsage(cpu);
    runs.push(items.length / ((performance.now() - started) / 1000));
    // Per CPU-second too: the 2 cores are shared, and wall-clock figures swing with the neighbours' load.
    cpuRuns.push(items.length / ((used.user + used.system) / 1e6));
  }
  const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[1]);
  console.log(
    `in-memory ${kind}: ${items.length} items, median ${median(runs)} items/s wall (runs: ${runs.map(Math.round).join(', ')}), ` +
      `${median(cpuRuns)} items per CPU-second (load average ${os.loadavg()[0].toFixed(1)})`,
  );
}

// The Postgres-backed lookup (10k / 100k / 1M stored items) is bench/bench-dedup-pg.ts, which `npm run bench:dedup`
// runs next (it needs BENCH_DATABASE_URL).
await benchInMemory('full');
if (process.argv.includes('--summary')) await benchInMemory('summary');
