import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { KhabarError, isKhabarError, toKhabarError } from '../errors.js';
import { createStoryAssigner, type DedupInput, type StoryAssigner, type StoryAssignment } from '../dedup/assign-story.js';
import { createMemoryCandidateIndex } from '../dedup/memory-candidate-index.js';
import { createPgStoryAssigner } from '../dedup/create-pg-story-assigner.js';
import { openScratchDatabase } from '../db/open-scratch-database.js';
import { loadEnv } from '../config/env.js';
import { createProgressReporter } from '../cli-progress/create-progress-reporter.js';
import { formatProgress } from '../cli-progress/format-progress.js';

export interface CommandIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Plain progress lines this often when stderr is not a terminal (KHABAR_PROGRESS_INTERVAL_MS); default 10 s. */
  progressIntervalMs?: number;
}

const USAGE = `usage: khabar cluster [--db] FILE|-   (JSONL items {"id","source","url","title","content","published"} in order)
  --db   use the Postgres candidate index (what the worker uses) in a scratch database: a new database on the
         DATABASE_URL server, dropped afterwards, or in-memory PGlite when DATABASE_URL is unset`;

/** One JSONL line → dedup input; throws CLUSTER_INPUT_INVALID naming the line. */
export function parseClusterLine(line: string, lineNumber: number): DedupInput {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (err) {
    throw new KhabarError('CLUSTER_INPUT_INVALID', `line ${lineNumber}: not valid JSON`, { cause: err, details: { line: lineNumber } });
  }
  const fail = (why: string) => new KhabarError('CLUSTER_INPUT_INVALID', `line ${lineNumber}: ${why}`, { details: { line: lineNumber } });
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw fail('expected a JSON object');
  const r = o as Record<string, unknown>;
  const id = typeof r.id === 'number' ? String(r.id) : r.id;
  if (typeof id !== 'string' || id === '') throw fail('"id" must be a non-empty string');
  for (const field of ['source', 'title', 'content'] as const) {
    if (r[field] !== undefined && r[field] !== null && typeof r[field] !== 'string') throw fail(`"${field}" must be a string`);
  }
  let publishedAt: Date | null = null;
  if (r.published !== undefined && r.published !== null && r.published !== '') {
    publishedAt = typeof r.published === 'string' || typeof r.published === 'number' ? new Date(r.published) : new Date(NaN);
    if (Number.isNaN(publishedAt.getTime())) throw fail('"published" must be an ISO 8601 date');
  }
  return {
    id,
    source: (r.source as string | undefined) ?? '',
    title: (r.title as string | undefined) ?? '',
    text: (r.content as string | undefined) ?? '',
    publishedAt,
  };
}

function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (stream.write(text)) resolve();
    else stream.once('drain', () => resolve());
  });
}

/** `khabar cluster FILE|-`: story id per input item on stdout, with the same assigner the worker uses. */
export async function runClusterCommand(args: string[], io: CommandIo): Promise<number> {
  const useDb = args.includes('--db');
  const files = args.filter((a) => a !== '--db');
  if (files.length !== 1 || files[0] === '--help' || files[0] === '-h') {
    io.stderr.write(USAGE + '\n');
    return files[0] === '--help' || files[0] === '-h' ? 0 : 2;
  }
  if (!useDb) return clusterStream(files[0], createStoryAssigner(createMemoryCandidateIndex()), io);
  const scratch = await openScratchDatabase(loadEnv().databaseUrl);
  try {
    return await clusterStream(files[0], createPgStoryAssigner(scratch.handle.db), io);
  } finally {
    await scratch.drop();
  }
}

/** Items per transaction with --db (the worker stores a feed's new items as one batch). */
const DB_BATCH = 50;

async function clusterStream(
  file: string,
  assigner: { assign: StoryAssigner['assign']; assignBatch?: (inputs: DedupInput[]) => Promise<StoryAssignment[]> },
  io: CommandIo,
): Promise<number> {
  const started = performance.now();
  const seen = new Set<string>();
  let count = 0;
  let lineNumber = 0;
  let pending = '';
  let batch: DedupInput[] = [];
  const stories = new Set<string>();
  const progress = createProgressReporter({
    stream: io.stderr,
    intervalMs: io.progressIntervalMs,
    render: () => formatProgress({ label: 'cluster', elapsedMs: performance.now() - started, items: count, stories: stories.size }),
  });
  async function decide(inputs: DedupInput[]): Promise<void> {
    const assignments = assigner.assignBatch ? await assigner.assignBatch(inputs) : [await assigner.assign(inputs[0])];
    inputs.forEach((item, i) => {
      pending += JSON.stringify({ id: item.id, story: assignments[i].storyId }) + '\n';
      stories.add(assignments[i].storyId);
    });
    count += inputs.length;
    progress.tick();
  }
  try {
    const input = file === '-' ? io.stdin : createReadStream(file, { encoding: 'utf8' });
    const lines = createInterface({ input, crlfDelay: Infinity });
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      const item = parseClusterLine(line, lineNumber);
      if (seen.has(item.id)) {
        throw new KhabarError('CLUSTER_INPUT_INVALID', `line ${lineNumber}: duplicate id ${JSON.stringify(item.id)}`, { details: { line: lineNumber } });
      }
      seen.add(item.id);
      batch.push(item);
      if (batch.length < (assigner.assignBatch ? DB_BATCH : 1)) continue;
      await decide(batch);
      batch = [];
      if (pending.length > 65_536) {
        await write(io.stdout, pending);
        pending = '';
      }
    }
    if (batch.length > 0) await decide(batch);
    await write(io.stdout, pending);
  } catch (err) {
    progress.finish();
    if (pending) await write(io.stdout, pending);
    const e = toKhabarError(err);
    const code = isKhabarError(err) ? e.code : (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'CLUSTER_INPUT_INVALID' : e.code;
    io.stderr.write(`khabar cluster: ${code}: ${e.message}\n`);
    return 1;
  }
  const seconds = (performance.now() - started) / 1000;
  progress.finish(`${count} items in ${seconds.toFixed(2)} s, ${Math.round(count / Math.max(seconds, 1e-9))} items/s, ${stories.size} stories`);
  return 0;
}
