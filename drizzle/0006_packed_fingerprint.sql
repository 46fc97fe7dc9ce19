ALTER TABLE "dedup_entries" ALTER COLUMN "fingerprint" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "dedup_entries" ADD COLUMN "fingerprint_packed" "bytea";