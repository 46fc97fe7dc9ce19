import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { KhabarError } from '../errors.js';

/**
 * Addresses a link taken from a feed must not reach: loopback, private, carrier-grade NAT, link-local (cloud metadata
 * at 169.254.169.254), benchmarking, multicast and reserved ranges, in IPv4 and IPv6 (IPv4-mapped IPv6 is checked as
 * IPv4). Node's own BlockList does the matching.
 */
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3],
] as const) blocked.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) blocked.addSubnet(network, prefix, 'ipv6');

export function isNonPublicAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  const family = isIP(ip);
  return family === 0 ? true : blocked.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

export type AddressLookup = (hostname: string) => Promise<string[]>;

const systemLookup: AddressLookup = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/**
 * A FetchOptions.checkUrl for addresses that come from feed content (full-text pages): refuses a host that is, or
 * resolves to any, non-public address, with FETCH_FORBIDDEN_ADDRESS. A feed could otherwise make khabar request its
 * database, an admin port or the cloud metadata service and store the answer as an article. Feeds themselves are the
 * operator's choice and are not checked. (The address is resolved again when connecting; a host that answers
 * differently a moment later is not caught here.)
 */
export function publicAddressGuard(resolve: AddressLookup = systemLookup): (url: URL) => Promise<void> {
  return async function checkPublicAddress(url: URL): Promise<void> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : await resolve(host);
    } catch (err) {
      throw new KhabarError('FETCH_NETWORK', `cannot resolve ${host}: ${(err as Error).message}`, { cause: err, details: { url: url.href } });
    }
    const bad = addresses.find(isNonPublicAddress);
    if (bad !== undefined || addresses.length === 0) {
      throw new KhabarError('FETCH_FORBIDDEN_ADDRESS', `${host} is not a public address (${bad ?? 'no address'}): not fetched`, {
        details: { url: url.href, address: bad ?? null },
      });
    }
  };
}

/** Whether a URL's host is, or resolves to, a non-public address (false when it cannot be resolved). */
export async function hasNonPublicHost(url: string, resolve: AddressLookup = systemLookup): Promise<boolean> {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [host] : await resolve(host);
    return addresses.some(isNonPublicAddress);
  } catch {
    return false;
  }
}
