import type { Fingerprint } from './fingerprint.js';

/*
 * The fingerprint as stored in dedup_entries.fingerprint_packed: one bytea of little-endian int32s, read back as typed
 * arrays without any text parsing on either side (the jsonb form cost Postgres ~0.8 ms per entry to parse, and Node
 * as much to JSON.parse). Layout: format, titleWords, and the lengths of words, sentenceEnds and numbers, then words,
 * stems (parallel to words), sentenceEnds and numbers. The format number changes with the layout, not with hashing
 * (that is FINGERPRINT_VERSION).
 */

const PACK_FORMAT = 1;
const HEADER = 5;

export function packFingerprint(fp: Fingerprint): Buffer {
  const n = fp.words.length;
  const out = new Int32Array(HEADER + 2 * n + fp.sentenceEnds.length + fp.numbers.length);
  out.set([PACK_FORMAT, fp.titleWords, n, fp.sentenceEnds.length, fp.numbers.length]);
  let at = HEADER;
  for (const part of [fp.words, fp.stems, fp.sentenceEnds, fp.numbers]) {
    out.set(part, at);
    at += part.length;
  }
  const bytes = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  // Int32Array is platform-endian; the stored form is little-endian everywhere.
  if (!littleEndian) for (let i = 0; i < bytes.length; i += 4) bytes.writeInt32LE(out[i / 4]!, i);
  return bytes;
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function unpackFingerprint(bytes: Uint8Array): Fingerprint {
  if (bytes.byteLength < HEADER * 4 || bytes.byteLength % 4 !== 0) throw new Error('packed fingerprint: bad length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = (i: number) => view.getInt32(i * 4, true);
  if (at(0) !== PACK_FORMAT) throw new Error(`packed fingerprint: unknown format ${at(0)}`);
  const [titleWords, n, ends, numbers] = [at(1), at(2), at(3), at(4)];
  if (HEADER + 2 * n + ends + numbers !== bytes.byteLength / 4) throw new Error('packed fingerprint: lengths do not add up');
  // One aligned copy (the driver's bytes may sit at any offset of a shared buffer), the four arrays views into it.
  const all = new Int32Array(bytes.byteLength / 4 - HEADER);
  if (littleEndian && (bytes.byteOffset & 3) === 0) all.set(new Int32Array(bytes.buffer, bytes.byteOffset + HEADER * 4, all.length));
  else for (let i = 0; i < all.length; i++) all[i] = at(HEADER + i);
  return {
    words: all.subarray(0, n),
    titleWords,
    stems: all.subarray(n, 2 * n),
    sentenceEnds: all.subarray(2 * n, 2 * n + ends),
    numbers: all.subarray(2 * n + ends),
  };
}
