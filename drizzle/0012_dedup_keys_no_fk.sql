ALTER TABLE "dedup_keys" DROP CONSTRAINT "dedup_keys_seq_dedup_entries_seq_fk";
