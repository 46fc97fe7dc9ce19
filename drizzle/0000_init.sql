CREATE TABLE "feed_states" (
	"feed_id" text PRIMARY KEY NOT NULL,
	"etag" text,
	"last_modified" text,
	"next_fetch_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"last_fetched_at" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"last_outcome" text DEFAULT 'new' NOT NULL,
	"last_http_status" integer,
	"last_error_code" text,
	"last_error_message" text,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"last_new_items" integer DEFAULT 0 NOT NULL,
	"last_charset" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feeds" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"url" text NOT NULL,
	"category" text,
	"language" text DEFAULT 'ar' NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"refresh_minutes" integer,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "items" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"feed_id" text NOT NULL,
	"story_id" bigint,
	"entry_key" text NOT NULL,
	"guid" text,
	"link" text,
	"canonical_link" text,
	"title" text NOT NULL,
	"content_html" text DEFAULT '' NOT NULL,
	"content_text" text DEFAULT '' NOT NULL,
	"author" text,
	"published_at" timestamp with time zone,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stories" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"guid" uuid DEFAULT gen_random_uuid() NOT NULL,
	"representative_item_id" bigint,
	"item_count" integer DEFAULT 1 NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "feed_states" ADD CONSTRAINT "feed_states_feed_id_feeds_id_fk" FOREIGN KEY ("feed_id") REFERENCES "public"."feeds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_feed_id_feeds_id_fk" FOREIGN KEY ("feed_id") REFERENCES "public"."feeds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_story_id_stories_id_fk" FOREIGN KEY ("story_id") REFERENCES "public"."stories"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stories" ADD CONSTRAINT "stories_representative_item_id_items_id_fk" FOREIGN KEY ("representative_item_id") REFERENCES "public"."items"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "feed_states_next_fetch_at_idx" ON "feed_states" USING btree ("next_fetch_at");--> statement-breakpoint
CREATE UNIQUE INDEX "items_feed_id_entry_key_idx" ON "items" USING btree ("feed_id","entry_key");--> statement-breakpoint
CREATE UNIQUE INDEX "items_canonical_link_idx" ON "items" USING btree ("canonical_link") WHERE "items"."canonical_link" is not null;--> statement-breakpoint
CREATE INDEX "items_story_id_idx" ON "items" USING btree ("story_id");--> statement-breakpoint
CREATE INDEX "items_fetched_at_idx" ON "items" USING btree ("fetched_at");--> statement-breakpoint
CREATE UNIQUE INDEX "stories_guid_idx" ON "stories" USING btree ("guid");--> statement-breakpoint
CREATE INDEX "stories_first_seen_at_idx" ON "stories" USING btree ("first_seen_at");--> statement-breakpoint
CREATE INDEX "stories_updated_at_idx" ON "stories" USING btree ("updated_at");