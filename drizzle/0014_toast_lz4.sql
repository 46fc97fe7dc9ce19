-- Written by hand (drizzle-kit does not model column compression): the long values an ingest writes — an item's HTML
-- and text, its search text, its packed dedup fingerprint — are compressed with lz4 instead of pglz. pglz was ~1.5 s of
-- Postgres CPU a 5,000-article pass on bench:ingest (the items insert fell from 7.8 s to 6.3 s with lz4), and packed
-- fingerprints barely compress, so pglz mostly spent that trying. Values already stored keep their compression (both
-- read back the same); new ones use lz4. Only where the server was built with lz4 (Debian's, the official images);
-- elsewhere (PGlite) the columns keep pglz.
DO $$
BEGIN
  ALTER TABLE "items" ALTER COLUMN "content_html" SET COMPRESSION lz4, ALTER COLUMN "content_text" SET COMPRESSION lz4;
  ALTER TABLE "item_search" ALTER COLUMN "search_text" SET COMPRESSION lz4;
  ALTER TABLE "dedup_entries" ALTER COLUMN "fingerprint_packed" SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'lz4 compression not set: %', SQLERRM;
END
$$;
