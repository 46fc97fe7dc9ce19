import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, type DatabaseHandle } from '../../src/db/client.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

// What postgres.js keeps prepared on this transaction's connection, among statements that carry the probe's marker.
const preparedProbes = async (db: DatabaseHandle['db']) =>
  (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from pg_prepared_statements where statement like '%/* khabar-probe */%'`))[0]!.n;

const probe = (db: DatabaseHandle['db'], n: number) => queryRows<{ v: number }>(db, sql`select ${n}::int + 1 as v /* khabar-probe */`);

describe.skipIf(!process.env.TEST_DATABASE_URL)('statements sent as prepared statements (server Postgres)', () => {
  let t: TestDatabase;
  let unprepared: DatabaseHandle;
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    unprepared = await openDatabase({ databaseUrl: t.url!, dataDir: 'unused', poolMax: 1, prepareStatements: false });
  });
  afterAll(async () => {
    await unprepared?.close();
    await t?.drop();
  });

  it('prepares drizzle statements with parameters in transactions and savepoints, and answers them right', async () => {
    const seen = await t.handle.db.transaction(async (tx) => {
      expect(await probe(tx, 1)).toEqual([{ v: 2 }]);
      expect(await probe(tx, 41)).toEqual([{ v: 42 }]);
      const inSavepoint = await tx.transaction(async (sp) => probe(sp, 9));
      expect(inSavepoint).toEqual([{ v: 10 }]);
      return preparedProbes(tx);
    });
    // One statement text: prepared once on this connection, used three times.
    expect(seen).toBe(1);
  });

  it('sends them unnamed with DATABASE_PREPARE=false (a pooler in transaction mode)', async () => {
    const seen = await unprepared.db.transaction(async (tx) => {
      expect(await probe(tx, 1)).toEqual([{ v: 2 }]);
      return preparedProbes(tx);
    });
    expect(seen).toBe(0);
  });

  it('keeps a failed statement from breaking the next one on the connection', async () => {
    await expect(queryRows(t.handle.db, sql`select ${'x'}::int as v /* khabar-probe */`)).rejects.toMatchObject({
      cause: expect.objectContaining({ message: expect.stringMatching(/invalid input syntax/) }),
    });
    expect(await probe(t.handle.db, 2)).toEqual([{ v: 3 }]);
  });
});
