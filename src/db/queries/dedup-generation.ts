import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../client.js';

/**
 * Marks that dedup entries changed other than by being added (schema.ts dedupGeneration). Call it under the assignment
 * lock, in the transaction that makes the change: a batch that read the index before the lock reads it again.
 */
export async function bumpDedupGeneration(tx: Database): Promise<void> {
  await tx.execute(sql`select nextval('dedup_generation')`);
}

/**
 * Where the index stands: the generation and the highest entry seq committed. Entries are added only under the
 * assignment lock, which is held to commit, so seqs are committed in order: everything added after this read has a
 * higher seq.
 */
export async function readDedupPosition(db: Database): Promise<{ generation: number; maxSeq: number }> {
  const [row] = await queryRows<{ generation: string | number; max_seq: string | number | null }>(
    db,
    sql`select ${DEDUP_GENERATION} as generation, (select max(seq) from dedup_entries) as max_seq`,
  );
  return { generation: Number(row?.generation ?? 0), maxSeq: Number(row?.max_seq ?? 0) };
}

/**
 * The dedup generation as a scalar subquery, for statements that read it beside other rows (one snapshot). A sequence
 * never advanced reads last_value 1 like one advanced once: is_called tells them apart.
 */
export const DEDUP_GENERATION = sql`(select case when is_called then last_value else 0 end from dedup_generation)`;
