-- Written by hand (schema.ts searchTextStatements gives the statements): the search trigger's text folded by ten
-- replace() passes for the letters and a translate() of the digits only where a text has one, instead of one translate()
-- over all 31 folded characters, which compared every character of the text with each of them (~0.3 ms an item, most of
-- the search row's cost). The same text as 0010 and 0013, so stored rows stay as they are.
CREATE OR REPLACE FUNCTION "items_search_text_sync"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  s text;
BEGIN
  s := regexp_replace(lower(NEW."title" || ' ' || left(NEW."content_text", 2000)), '[\u00ad\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06ed\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]', '', 'g');
  IF s ~ '[\u0660-\u0669\u066b\u06f0-\u06f9]' THEN s := translate(s, U&'\0660\0661\0662\0663\0664\0665\0666\0667\0668\0669\06f0\06f1\06f2\06f3\06f4\06f5\06f6\06f7\06f8\06f9\066b', U&'\0030\0031\0032\0033\0034\0035\0036\0037\0038\0039\0030\0031\0032\0033\0034\0035\0036\0037\0038\0039\002e'); END IF;
  s := replace(s, U&'\0623', U&'\0627');
  s := replace(s, U&'\0625', U&'\0627');
  s := replace(s, U&'\0622', U&'\0627');
  s := replace(s, U&'\0671', U&'\0627');
  s := replace(s, U&'\0649', U&'\064a');
  s := replace(s, U&'\06cc', U&'\064a');
  s := replace(s, U&'\06a9', U&'\0643');
  s := replace(s, U&'\0629', U&'\0647');
  s := replace(s, U&'\0624', U&'\0621');
  s := replace(s, U&'\0626', U&'\0621');
  INSERT INTO "item_search" ("item_id", "search_text") VALUES (NEW."id", s)
  ON CONFLICT ("item_id") DO UPDATE SET "search_text" = EXCLUDED."search_text";
  RETURN NULL;
END
$$;
