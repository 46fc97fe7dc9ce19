CREATE TABLE "dedup_entries" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"item_key" text NOT NULL,
	"story_key" text NOT NULL,
	"source" text NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"fingerprint_version" integer NOT NULL,
	"fingerprint" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dedup_keys" (
	"key" integer NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"seq" bigint NOT NULL,
	CONSTRAINT "dedup_keys_pkey" PRIMARY KEY("key","published_at","seq")
);
--> statement-breakpoint
CREATE TABLE "dedup_stats" (
	"id" integer PRIMARY KEY NOT NULL,
	"entries" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dedup_word_counts" (
	"word" integer PRIMARY KEY NOT NULL,
	"entries" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "dedup_keys" ADD CONSTRAINT "dedup_keys_seq_dedup_entries_seq_fk" FOREIGN KEY ("seq") REFERENCES "public"."dedup_entries"("seq") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "dedup_entries_item_key_idx" ON "dedup_entries" USING btree ("item_key");--> statement-breakpoint
CREATE INDEX "dedup_entries_story_key_seq_idx" ON "dedup_entries" USING btree ("story_key","seq");--> statement-breakpoint
CREATE INDEX "dedup_entries_published_at_idx" ON "dedup_entries" USING btree ("published_at");--> statement-breakpoint
CREATE INDEX "dedup_keys_seq_idx" ON "dedup_keys" USING btree ("seq");