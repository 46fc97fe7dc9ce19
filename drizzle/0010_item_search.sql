CREATE TABLE "item_search" (
	"item_id" bigint PRIMARY KEY NOT NULL,
	"search_text" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "item_search" ADD CONSTRAINT "item_search_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Written by hand from here (schema.ts searchTextSql gives the expression): the stored items' search text moves over,
-- then a trigger keeps it, so no writer has to remember it. Not in the drizzle snapshot: drizzle-kit neither creates
-- nor drops triggers or the trigram index.
INSERT INTO "item_search" ("item_id", "search_text") SELECT "id", translate(lower("title" || ' ' || left("content_text", 2000)), U&'\0623\0625\0622\0671\0649\06cc\06a9\0629\0624\0626\0660\0661\0662\0663\0664\0665\0666\0667\0668\0669\06f0\06f1\06f2\06f3\06f4\06f5\06f6\06f7\06f8\06f9\066b\0610\0611\0612\0613\0614\0615\0616\0617\0618\0619\061a\064b\064c\064d\064e\064f\0650\0651\0652\0653\0654\0655\0656\0657\0658\0659\065a\065b\065c\065d\065e\065f\0670\06d6\06d7\06d8\06d9\06da\06db\06dc\06dd\06de\06df\06e0\06e1\06e2\06e3\06e4\06e5\06e6\06e7\06e8\06e9\06ea\06eb\06ec\06ed\0640\00ad\200b\200c\200d\200e\200f\202a\202b\202c\202d\202e\2060\2061\2062\2063\2064\2066\2067\2068\2069\feff', U&'\0627\0627\0627\0627\064a\064a\0643\0647\0621\0621\0030\0031\0032\0033\0034\0035\0036\0037\0038\0039\0030\0031\0032\0033\0034\0035\0036\0037\0038\0039\002e') FROM "items";--> statement-breakpoint
DROP INDEX IF EXISTS "items_search_text_trgm_idx";--> statement-breakpoint
ALTER TABLE "items" DROP COLUMN "search_text";--> statement-breakpoint
CREATE FUNCTION "items_search_text_sync"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "item_search" ("item_id", "search_text") VALUES (NEW."id", translate(lower(NEW."title" || ' ' || left(NEW."content_text", 2000)), U&'\0623\0625\0622\0671\0649\06cc\06a9\0629\0624\0626\0660\0661\0662\0663\0664\0665\0666\0667\0668\0669\06f0\06f1\06f2\06f3\06f4\06f5\06f6\06f7\06f8\06f9\066b\0610\0611\0612\0613\0614\0615\0616\0617\0618\0619\061a\064b\064c\064d\064e\064f\0650\0651\0652\0653\0654\0655\0656\0657\0658\0659\065a\065b\065c\065d\065e\065f\0670\06d6\06d7\06d8\06d9\06da\06db\06dc\06dd\06de\06df\06e0\06e1\06e2\06e3\06e4\06e5\06e6\06e7\06e8\06e9\06ea\06eb\06ec\06ed\0640\00ad\200b\200c\200d\200e\200f\202a\202b\202c\202d\202e\2060\2061\2062\2063\2064\2066\2067\2068\2069\feff', U&'\0627\0627\0627\0627\064a\064a\0643\0647\0621\0621\0030\0031\0032\0033\0034\0035\0036\0037\0038\0039\0030\0031\0032\0033\0034\0035\0036\0037\0038\0039\002e'))
  ON CONFLICT ("item_id") DO UPDATE SET "search_text" = EXCLUDED."search_text";
  RETURN NULL;
END
$$;--> statement-breakpoint
-- After the insert, and after an update of the headline or the text (a correction); setting story_id fires nothing.
CREATE TRIGGER "items_search_text_sync" AFTER INSERT OR UPDATE OF "title", "content_text" ON "items"
  FOR EACH ROW EXECUTE FUNCTION "items_search_text_sync"();--> statement-breakpoint
-- As in 0007: a trigram index only where pg_trgm can be installed and the database's ctype classifies Arabic letters.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm')
     AND (SELECT datctype FROM pg_database WHERE datname = current_database()) NOT IN ('C', 'POSIX') THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      CREATE INDEX IF NOT EXISTS "item_search_search_text_trgm_idx" ON "item_search" USING gin ("search_text" gin_trgm_ops);
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE 'search text index not created: %', SQLERRM;
    END;
  END IF;
END
$$;
