/** `value.replace(/\/+$/, '')` without the regex, which retries a long run of "/" from each of its slashes (quadratic). */
export function withoutTrailingSlashes(value: string): string {
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 0x2f) end--;
  return value.slice(0, end);
}
