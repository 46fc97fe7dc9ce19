CREATE TABLE "story_overrides" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"story_id" bigint NOT NULL,
	"item_id" bigint,
	"split_story_id" bigint,
	"merged_story_id" bigint,
	"merged_guid" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "story_overrides_kind_check" CHECK (("story_overrides"."kind" = 'split' and "story_overrides"."split_story_id" is not null and "story_overrides"."item_id" is not null) or ("story_overrides"."kind" = 'merge' and "story_overrides"."merged_story_id" is not null and "story_overrides"."merged_guid" is not null))
);
--> statement-breakpoint
ALTER TABLE "dedup_entries" ADD COLUMN "matched_key" text;--> statement-breakpoint
ALTER TABLE "story_overrides" ADD CONSTRAINT "story_overrides_story_id_stories_id_fk" FOREIGN KEY ("story_id") REFERENCES "public"."stories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "story_overrides" ADD CONSTRAINT "story_overrides_split_story_id_stories_id_fk" FOREIGN KEY ("split_story_id") REFERENCES "public"."stories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "story_overrides_story_id_idx" ON "story_overrides" USING btree ("story_id");--> statement-breakpoint
CREATE INDEX "story_overrides_split_story_id_idx" ON "story_overrides" USING btree ("split_story_id");--> statement-breakpoint
CREATE UNIQUE INDEX "story_overrides_merged_story_id_idx" ON "story_overrides" USING btree ("merged_story_id") WHERE "story_overrides"."merged_story_id" is not null;