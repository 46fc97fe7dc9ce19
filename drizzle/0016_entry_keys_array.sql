ALTER TABLE "dedup_entries" ADD COLUMN "keys" integer[];--> statement-breakpoint
-- Written by hand from here: each entry's keys move from its dedup_keys rows (~68 an entry, each with its index
-- entries: most of what an ingest's story assignment wrote) to one int4[] beside its fingerprint. Worker processes hold
-- the inverted index in memory for the windows they assign in (src/dedup/create-window-key-mirror.ts). Entries whose
-- keys were pruned keep none (null).
UPDATE "dedup_entries" e SET "keys" = k."keys"
FROM (SELECT "seq", array_agg("key" ORDER BY "key") AS "keys" FROM "dedup_keys" GROUP BY "seq") k
WHERE k."seq" = e."seq";--> statement-breakpoint
-- A new generation: processes that held the old layout's answers read the index again.
SELECT nextval('dedup_generation');--> statement-breakpoint
DROP TABLE "dedup_keys" CASCADE;
