import { setFlagsFromString } from 'node:v8';
import type { Env } from './config/env.js';

/**
 * Sets how far V8 lets a heap grow past its live data before collecting again (HEAP_GROWTH_PERCENT), for the whole
 * process: the main thread and the parse workers, which share V8's flags. V8 reads the factor at each full collection,
 * so setting it after start-up takes effect from the next one. It is no limit: a heap that needs more still grows.
 * null leaves V8's heuristic alone.
 */
export function applyHeapGrowth(env: Pick<Env, 'heapGrowthPercent'>): void {
  if (env.heapGrowthPercent === null) return;
  setFlagsFromString(`--heap-growing-percent=${env.heapGrowthPercent}`);
}
