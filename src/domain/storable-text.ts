import type { Item } from './item.js';

/*
 * One cleaning step for every string khabar stores: Postgres text cannot hold U+0000, and what we republish is XML
 * 1.0, which cannot hold the other C0 controls (but tab, line feed, carriage return), U+FFFE, U+FFFF or lone
 * surrogates. A NUL from a base64 Atom entry or an article page used to fail the insert, and then the recording of
 * that failure, for good.
 */

// Linear: one character class, no quantifier nesting.
const forbidden = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]+/g;

/** The string without characters Postgres or XML 1.0 cannot hold; lone surrogates become U+FFFD. */
export function storableText(value: string): string {
  const wellFormed = value.isWellFormed() ? value : value.toWellFormed();
  return wellFormed.replace(forbidden, '');
}

function storableOrNull(value: string | null): string | null {
  return value === null ? null : storableText(value);
}

/** Every string of an item made storable (identity fields too: the same input always gives the same key). */
export function storableItem(item: Item): Item {
  return {
    ...item,
    entryKey: storableText(item.entryKey),
    guid: storableOrNull(item.guid),
    link: storableOrNull(item.link),
    canonicalLink: storableOrNull(item.canonicalLink),
    title: storableText(item.title),
    contentHtml: storableText(item.contentHtml),
    contentText: storableText(item.contentText),
    author: storableOrNull(item.author),
  };
}
