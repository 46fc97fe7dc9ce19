/**
 * Every Postgres advisory lock khabar takes, in one place so no two can share a key (a shared key would make two
 * unrelated jobs wait for, or skip because of, each other). Fixed numbers: 'khb' and a letter.
 */
export const ADVISORY_LOCKS = {
  /** Session lock while migrations run (db/migrate.ts). */
  migration: 0x6b686272, // 'khbr'
  /** Transaction lock around story assignment: one assigner at a time across processes (dedup). */
  storyAssignment: 0x6b686273, // 'khbs'
  /** Transaction try-lock: one replica prunes the dedup index's old keys at a time. */
  dedupIndexPrune: 0x6b686270, // 'khbp'
  /** Transaction try-lock: one replica deletes old stories (retention) at a time. */
  retention: 0x6b686264, // 'khbd'
} as const;
