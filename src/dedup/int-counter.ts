/**
 * int32 → count, open addressing. The in-memory index counts every distinct word of every item (for idf);
 * a Map<number, number> spent more time there than all the matching.
 */
export class IntCounter {
  private keys = new Int32Array(1024);
  private counts = new Int32Array(1024);
  private used = new Uint8Array(1024);
  private entries = 0;

  /** Keys held. */
  get size(): number {
    return this.entries;
  }

  get(key: number): number {
    const i = this.find(key);
    return i < 0 ? 0 : this.counts[i];
  }

  /** The count held for `key`, or -1 when the key was never set (a count of 0 can be held). */
  lookup(key: number): number {
    const i = this.find(key);
    return i < 0 ? -1 : this.counts[i];
  }

  increment(key: number): void {
    const i = this.slot(key);
    this.counts[i]++;
  }

  set(key: number, count: number): void {
    this.counts[this.slot(key)] = count;
  }

  private find(key: number): number {
    const mask = this.keys.length - 1;
    for (let i = mix(key) & mask; ; i = (i + 1) & mask) {
      if (!this.used[i]) return -1;
      if (this.keys[i] === key) return i;
    }
  }

  /** The slot of `key`, taken (count 0) when it had none. */
  private slot(key: number): number {
    if ((this.entries + 1) * 2 > this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    for (let i = mix(key) & mask; ; i = (i + 1) & mask) {
      if (!this.used[i]) {
        this.used[i] = 1;
        this.keys[i] = key;
        this.counts[i] = 0;
        this.entries++;
        return i;
      }
      if (this.keys[i] === key) return i;
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
