import type { ContentCoding } from '../publish/encode-feed.js';

/**
 * Picks the coding to send from an Accept-Encoding header (RFC 9110 12.5.3): brotli, then gzip, honouring q=0
 * refusals and `*`. Identity is the fallback even if refused, since sending it beats a 406 for a feed reader.
 */
export function acceptEncoding(header: string | undefined): ContentCoding {
  if (!header) return 'identity';
  const weights = new Map<string, number>();
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.trim().split('=');
      if (key === 'q') {
        const parsed = Number(value);
        q = Number.isFinite(parsed) ? parsed : 0;
      }
    }
    weights.set(name.trim(), q);
  }
  const weightOf = (coding: string): number => weights.get(coding) ?? (coding === 'x-gzip' ? 0 : weights.get('*') ?? 0);
  const br = weightOf('br');
  const gz = Math.max(weightOf('gzip'), weights.get('x-gzip') ?? 0);
  if (br > 0 && br >= gz) return 'br';
  if (gz > 0) return 'gzip';
  return 'identity';
}
