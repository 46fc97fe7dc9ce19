import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bumpDedupGeneration } from '../../src/db/queries/dedup-generation.js';
import { assignBatchOnPostgres, readBatchAhead } from '../../src/dedup/assign-batch.js';
import { createStoryAssigner, type DedupInput } from '../../src/dedup/assign-story.js';
import { createMemoryCandidateIndex } from '../../src/dedup/memory-candidate-index.js';
import { writeWordCounts } from '../../src/dedup/pg-candidate-index.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';

/**
 * A worker reads the index for its batch before taking the assignment lock; meanwhile other workers commit. Under the
 * lock the read is caught up, so a copy of a report another worker stored a moment ago still joins its story.
 */
const report = [
  'أعلنت هيئة الطيران المدني تشغيل مبنى الركاب الجديد في مطار الملك عبدالعزيز الدولي بجدة اعتبارا من الأسبوع المقبل',
  'وقال المتحدث باسم الهيئة إن المبنى يستوعب ثلاثين مليون مسافر سنويا ويضم ستا وأربعين بوابة للرحلات الدولية والداخلية',
  'وأضاف أن التشغيل سيبدأ تدريجيا برحلات شركتين وطنيتين على أن تنتقل بقية الشركات خلال ثلاثة أشهر',
];
const unrelated = [
  'افتتح أمير المنطقة الشرقية معرض الكتاب الدولي في الدمام بمشاركة أكثر من خمسمئة دار نشر من عشرين دولة',
  'ويتضمن برنامج المعرض ندوات ثقافية وأمسيات شعرية وورش عمل للأطفال على مدى عشرة أيام',
];
const t0 = Date.UTC(2026, 10, 20, 9);
const input = (id: string, source: string, title: string, lines: string[], hours: number): DedupInput => ({
  id,
  source,
  title,
  text: lines.join('\n'),
  publishedAt: new Date(t0 + hours * 3_600_000),
});

describe.each(testBackends())('a batch read before the assignment lock (%s)', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(async () => {
    await t?.drop();
  });

  /** A worker's whole turn: read ahead, then assign (the tests hold no lock: they run one step at a time). */
  async function assignNow(dedup: ReturnType<typeof createStoryAssigner>, inputs: DedupInput[]) {
    const prepared = inputs.map((i) => dedup.prepareInput(i));
    const result = await assignBatchOnPostgres(t.handle.db, dedup, prepared, await readBatchAhead(t.handle.db, dedup, prepared));
    await writeWordCounts(t.handle.db, result.wordCounts);
    return result;
  }

  it('sees what another worker committed after the read: the copy joins that story', async () => {
    const workerA = createStoryAssigner(createMemoryCandidateIndex());
    const workerB = createStoryAssigner(createMemoryCandidateIndex());
    await assignNow(workerA, [input('old', 'books', 'معرض الكتاب في الدمام', unrelated, 0)]);
    // B reads for its copy while the original is not stored yet...
    const copy = [workerB.prepareInput(input('copy', 'okaz', 'مبنى جديد لمطار جدة', report.slice(0, 2), 2))];
    const ahead = await readBatchAhead(t.handle.db, workerB, copy);
    // ...then A stores the original, and only then does B take its turn.
    const first = await assignNow(workerA, [input('original', 'spa', 'تشغيل مبنى الركاب الجديد في مطار جدة', report, 1)]);
    expect(first.assignments[0].storyId).toBe('original');
    const late = await assignBatchOnPostgres(t.handle.db, workerB, copy, ahead);
    expect(late.caughtUp).toBe('caught-up');
    expect(late.assignments.map((a) => a.storyId)).toEqual(['original']);
    expect(late.assignments[0].matchedItemId).toBe('original');
  });

  it('reads everything again when entries changed otherwise since the read (dedup generation)', async () => {
    const worker = createStoryAssigner(createMemoryCandidateIndex());
    const copy = [worker.prepareInput(input('copy2', 'madina', 'مطار جدة يشغل مبناه الجديد', report, 3))];
    const ahead = await readBatchAhead(t.handle.db, worker, copy);
    await bumpDedupGeneration(t.handle.db);
    const late = await assignBatchOnPostgres(t.handle.db, worker, copy, ahead);
    expect(late.caughtUp).toBe('read-again');
    expect(late.assignments.map((a) => a.storyId)).toEqual(['original']);
  });

  it('changes nothing when nothing was committed since the read', async () => {
    const worker = createStoryAssigner(createMemoryCandidateIndex());
    const copy = [worker.prepareInput(input('copy3', 'riyadh', 'المطار الجديد', report.slice(1), 4))];
    const late = await assignBatchOnPostgres(t.handle.db, worker, copy, await readBatchAhead(t.handle.db, worker, copy));
    expect(late.caughtUp).toBe('current');
    expect(late.assignments.map((a) => a.storyId)).toEqual(['original']);
  });
});
