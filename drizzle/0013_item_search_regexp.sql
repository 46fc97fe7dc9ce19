-- Written by hand (schema.ts searchTextSql gives the expression): the search trigger's text, made by dropping marks in one
-- regular-expression pass before translate() folds letters and digits. The same text as 0010's single translate() (the
-- two character sets are disjoint), so stored rows stay as they are; on PGlite that translate() was ~90 % of an insert.
CREATE OR REPLACE FUNCTION "items_search_text_sync"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "item_search" ("item_id", "search_text") VALUES (NEW."id", translate(regexp_replace(lower(NEW."title" || ' ' || left(NEW."content_text", 2000)), '[\u00ad\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06ed\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]', '', 'g'), U&'\0623\0625\0622\0671\0649\06cc\06a9\0629\0624\0626\0660\0661\0662\0663\0664\0665\0666\0667\0668\0669\06f0\06f1\06f2\06f3\06f4\06f5\06f6\06f7\06f8\06f9\066b', U&'\0627\0627\0627\0627\064a\064a\0643\0647\0621\0621\0030\0031\0032\0033\0034\0035\0036\0037\0038\0039\0030\0031\0032\0033\0034\0035\0036\0037\0038\0039\002e'))
  ON CONFLICT ("item_id") DO UPDATE SET "search_text" = EXCLUDED."search_text";
  RETURN NULL;
END
$$;
