import { describe, expect, it } from 'vitest';
import { createStoryAssigner, type DedupInput, type StoryAssignerOptions } from '../../src/dedup/assign-story.js';
import { createMemoryCandidateIndex } from '../../src/dedup/memory-candidate-index.js';
import { A, B } from './fixtures/lead-figures.js';

const T0 = Date.UTC(2026, 2, 7, 9);
const hours = (h: number) => new Date(T0 + h * 3_600_000);

const LETTERS = 'بتثجحخدذرزسشصضطظعغفقكلمنهوي';
/** A word no other filler has: the i-th string over the letters, after a fixed prefix. */
function pseudoWord(i: number): string {
  let s = '';
  do {
    s += LETTERS[i % LETTERS.length];
    i = Math.floor(i / LETTERS.length);
  } while (i > 0);
  return `مص${s}`;
}

/**
 * Unrelated items indexed before the pair, so that word counts mean something: a figure only the pair carries is in
 * under 1 % of them. `withFigure` puts a figure in every filler (a hotline number every item prints).
 */
function fillers(n: number, withFigure = ''): DedupInput[] {
  return Array.from({ length: n }, (_, k) => {
    const words = Array.from({ length: 14 }, (_, j) => pseudoWord(k * 14 + j));
    return { id: `filler-${k}`, source: `outlet-${k % 9}`, title: words.slice(0, 4).join(' '), text: `${words.slice(4).join(' ')} ${withFigure}`.trim(), publishedAt: hours(-10 + k / 100) };
  });
}

async function merges(a: { title: string; body: string }, b: { title: string; body: string }, before: DedupInput[], options: StoryAssignerOptions = {}): Promise<boolean> {
  const assigner = createStoryAssigner(createMemoryCandidateIndex(), options);
  for (const f of before) await assigner.assign(f);
  const first = await assigner.assign({ id: 'a', source: 'outlet-a', title: a.title, text: a.body, publishedAt: hours(0) });
  const second = await assigner.assign({ id: 'b', source: 'outlet-b', title: b.title, text: b.body, publishedAt: hours(3) });
  return second.storyId === first.storyId;
}

const swap = (text: { title: string; body: string }, from: string, to: string) => ({ title: text.title.replaceAll(from, to), body: text.body.replaceAll(from, to) });

describe('the figure route: two leads that keep the report\'s own figure', () => {
  it('merges a rewritten lead (a quarter of its 3-grams verbatim) that carries the same rare figure', async () => {
    expect(await merges(A, B, fillers(150))).toBe(true);
  });

  it('needs the route: the rule without it keeps the pair apart', async () => {
    expect(await merges(A, B, fillers(150), { figureRoute: false })).toBe(false);
  });

  it('keeps apart the same wording with another count (the next campaign\'s statement)', async () => {
    expect(await merges(A, swap(B, '2986', '1875'), fillers(150))).toBe(false);
  });

  it('keeps apart the pair when their shared figure is one that many items carry', async () => {
    expect(await merges(A, B, fillers(150, 'للاستفسار 2986'))).toBe(false);
  });

  it('does not count number words as figures (phrasing, not the report\'s figure)', async () => {
    expect(await merges(swap(A, '2986', 'ثلاثه'), swap(B, '2986', 'ثلاثه'), fillers(150))).toBe(false);
  });
});
