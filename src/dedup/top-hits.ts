/**
 * The `limit` entries with the most hits, ties to the lower seq or slot (the first stored), best first: how both
 * candidate indexes rank, what sorting every hit and cutting would give, without sorting the thousands of entries a
 * batch's common keys hit.
 */
export function topHits(hits: ReadonlyMap<number, number>, limit: number): Array<[number, number]> {
  const top: Array<[number, number]> = [];
  if (limit <= 0) return top;
  const better = (a: [number, number], b: [number, number]) => a[1] > b[1] || (a[1] === b[1] && a[0] < b[0]);
  for (const hit of hits) {
    if (top.length === limit && !better(hit, top[limit - 1])) continue;
    let at = top.length === limit ? limit - 1 : top.length;
    while (at > 0 && better(hit, top[at - 1])) {
      if (at < limit) top[at] = top[at - 1];
      at--;
    }
    top[at] = hit;
  }
  return top;
}
