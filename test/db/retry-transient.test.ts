import { describe, expect, it } from 'vitest';
import { isTransientDbError, retryTransient } from '../../src/db/retry-transient.js';

describe('retryTransient', () => {
  it.each([
    [{ code: 'ECONNRESET' }, true],
    [{ code: '57P01' }, true],
    [new Error('wrapped', { cause: { code: 'CONNECTION_CLOSED' } }), true],
    [{ code: '23505' }, false], // unique violation: the query is wrong, not the connection
    [{ code: '42P01' }, false],
    [new Error('plain'), false],
  ])('classifies %o as transient: %s', (err, expected) => {
    expect(isTransientDbError(err)).toBe(expected);
  });

  it('runs the operation again after a transient failure, and gives up on others at once', async () => {
    let calls = 0;
    await expect(
      retryTransient(
        async () => {
          calls++;
          if (calls === 1) throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
          return 'ok';
        },
        { delayMs: 1 },
      ),
    ).resolves.toBe('ok');
    expect(calls).toBe(2);

    calls = 0;
    const bad = Object.assign(new Error('syntax'), { code: '42601' });
    await expect(retryTransient(async () => (calls++, Promise.reject(bad)), { delayMs: 1 })).rejects.toBe(bad);
    expect(calls).toBe(1);
  });
});
