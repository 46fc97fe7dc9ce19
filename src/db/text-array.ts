/**
 * A text[] literal: one bound parameter however many values. Every element is quoted, with `"` and `\` escaped, so any
 * string round-trips; null is the array's NULL.
 */
export function textArray(values: readonly (string | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/[\\"]/g, (c) => '\\' + c)}"`)).join(',')}}`;
}
