/**
 * A text[] literal: one bound parameter however many values. Every element is quoted, with `"` and `\` escaped, so any
 * string round-trips.
 */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => '\\' + c)}"`).join(',')}}`;
}
