/**
 * int32 → count, open addressing. The in-memory index counts every distinct word of every item (for idf);
 * a Map<number, number> spent more time there than all the matching.
 */
export class IntCounter {
  private keys = new Int32Array(1024);
  private counts = new Int32Array(1024);
  private used = new Uint8Array(1024);
  private size = 0;

  get(key: number): number {
    const mask = this.keys.length - 1;
    for (let i = mix(key) & mask; ; i = (i + 1) & mask) {
      if (!this.used[i]) return 0;
      if (this.keys[i] === key) return this.counts[i];
    }
  }

  increment(key: number): void {
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    for (let i = mix(key) & mask; ; i = (i + 1) & mask) {
      if (!this.used[i]) {
        this.used[i] = 1;
        this.keys[i] = key;
        this.counts[i] = 1;
        this.size++;
        return;
      }
      if (this.keys[i] === key) {
        this.counts[i]++;
        return;
      }
    }
  }

  private grow(): void {
    const { keys, counts, used } = this;
    this.keys = new Int32Array(keys.length * 2);
    this.counts = new Int32Array(keys.length * 2);
    this.used = new Uint8Array(keys.length * 2);
    const mask = this.keys.length - 1;
    for (let j = 0; j < keys.length; j++) {
      if (!used[j]) continue;
      let i = mix(keys[j]) & mask;
      while (this.used[i]) i = (i + 1) & mask;
      this.used[i] = 1;
      this.keys[i] = keys[j];
      this.counts[i] = counts[j];
    }
  }
}

// Word hashes are already mixed, but keys from elsewhere may not be.
function mix(key: number): number {
  return Math.imul(key ^ (key >>> 16), 0x45d9f3b);
}
