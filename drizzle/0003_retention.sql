CREATE TABLE "pruned_entries" (
	"feed_id" text NOT NULL,
	"entry_key" text NOT NULL,
	"pruned_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pruned_entries_pkey" PRIMARY KEY("feed_id","entry_key")
);
--> statement-breakpoint
CREATE TABLE "retention_state" (
	"id" integer PRIMARY KEY NOT NULL,
	"last_pruned_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pruned_entries" ADD CONSTRAINT "pruned_entries_feed_id_feeds_id_fk" FOREIGN KEY ("feed_id") REFERENCES "public"."feeds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stories_representative_item_id_idx" ON "stories" USING btree ("representative_item_id");