import type { Sql } from 'postgres';

/**
 * The postgres.js client as drizzle should use it: every statement with parameters sent as a named prepared statement
 * (postgres.js caches it on each connection by its text and types), inside transactions and savepoints too.
 *
 * drizzle sends its statements with `prepare: false`, and postgres.js then sends each one with parameters as an unnamed
 * statement that it describes first: Parse/Describe, wait for the parameter types, then Bind/Execute — two round trips
 * a statement, and nothing pipelined behind it. Every statement khabar sends goes through drizzle, the ones under the
 * story-assignment lock included, where each round trip is time other workers wait. Prepared, a statement costs one
 * round trip from its second use on a connection. khabar's statements have fixed texts (lists go as arrays), so the
 * cache stays small; postgres.js drops a connection's cache with the connection (`max_lifetime`).
 *
 * `DATABASE_PREPARE=false` turns it off for a pooler in transaction mode that cannot keep prepared statements.
 */
export function withPreparedStatements<T extends Sql>(sql: T): T {
  return new Proxy(sql, {
    get(target, property, receiver) {
      if (property === 'unsafe') {
        return (query: string, args?: unknown[], options?: Record<string, unknown>) =>
          (target.unsafe as (q: string, a?: unknown[], o?: Record<string, unknown>) => unknown)(query, args, { ...options, prepare: true });
      }
      if (property === 'begin' || property === 'savepoint') {
        return (...args: unknown[]) => {
          const last = args.length - 1;
          const body = args[last] as (scoped: Sql) => unknown;
          const method = Reflect.get(target, property, receiver) as (...a: unknown[]) => unknown;
          return method.apply(target, [...args.slice(0, last), (scoped: Sql) => body(withPreparedStatements(scoped))]);
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}
