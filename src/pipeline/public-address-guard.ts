import { lookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { KhabarError } from '../errors.js';

/**
 * Addresses a link taken from a feed must not reach: everything in IANA's IPv4 and IPv6 special-purpose address
 * registries that is not globally reachable, plus multicast. IPv4: "this network", private, carrier-grade NAT,
 * loopback, link-local (cloud metadata at 169.254.169.254), IETF protocol assignments, the three documentation
 * networks, the deprecated 6to4 relay anycast, benchmarking, multicast, reserved (240/4) and broadcast. IPv6:
 * unspecified, loopback, discard and dummy prefixes, IETF protocol assignments (2001::/23: Teredo, benchmarking,
 * ORCHID and the rest), documentation (2001:db8::/32, 3fff::/20), SRv6 SIDs, unique-local, link-local, site-local and
 * multicast. The few registry entries inside 2001::/23 marked reachable are anycast services and identifiers, never a
 * web page, so the whole block is refused. IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, SIIT,
 * 6to4) are judged by that IPv4 address. Node's own BlockList does the matching.
 */
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 3],
] as const) blocked.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['100::', 64], ['100:0:0:1::', 64], ['2001::', 23], ['2001:db8::', 32], ['3fff::', 20],
  ['5f00::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) blocked.addSubnet(network, prefix, 'ipv6');

/** The IPv4 address inside an IPv6 one that carries it (::ffff:a.b.c.d, ::a.b.c.d, 64:ff9b::a.b.c.d, 2002:AABB:CCDD::), else null. */
function embeddedIpv4(ip: string): string | null {
  const groups = expandIpv6(ip);
  if (!groups) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  if (zeros(0, 5) && (groups[5] === 0xffff || groups[5] === 0) && !(groups[5] === 0 && zeros(6, 8))) return v4(groups[6]!, groups[7]!);
  // NAT64: the well-known 64:ff9b::/96 and the local-use 64:ff9b:1::/48 (RFC 8215), the IPv4 address in the last 32 bits.
  if (groups[0] === 0x64 && groups[1] === 0xff9b && (zeros(2, 6) || groups[2] === 1)) return v4(groups[6]!, groups[7]!);
  // SIIT: ::ffff:0:a.b.c.d.
  if (zeros(0, 4) && groups[4] === 0xffff && groups[5] === 0) return v4(groups[6]!, groups[7]!);
  if (groups[0] === 0x2002) return v4(groups[1]!, groups[2]!);
  return null;
}

/** Eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part included), or null. */
function expandIpv6(ip: string): number[] | null {
  if (isIP(ip) !== 6) return null;
  let text = ip.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === null ? [] : Array(8 - left.length - right.length).fill('0');
  const groups = [...left, ...fill, ...right].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : null;
}

export function isNonPublicAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return true;
  if (family === 4) return blocked.check(ip, 'ipv4');
  const v4 = embeddedIpv4(ip);
  return v4 !== null ? blocked.check(v4, 'ipv4') : blocked.check(ip, 'ipv6');
}

export type AddressLookup = (hostname: string) => Promise<string[]>;

const systemLookup: AddressLookup = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

/** The host's addresses: itself when it is an IP literal, else what it resolves to. */
async function addressesOf(host: string, resolve: AddressLookup): Promise<string[]> {
  return isIP(host) ? [host] : resolve(host);
}

function forbidden(host: string, address: string | null, url?: string): KhabarError {
  return new KhabarError('FETCH_FORBIDDEN_ADDRESS', `${host} is not a public address (${address ?? 'no address'}): not fetched`, {
    details: { url: url ?? null, address },
  });
}

export interface LinkGuardOptions {
  /**
   * Links to this origin (scheme, host and port) are fetched wherever it is: the feed's own, when the feed itself is on
   * a private address. Other ports of that host stay refused (a database, an admin or metrics port).
   */
  trustedOrigin?: string | null;
  /** For tests: how host names resolve (both for the early check and at connect time). */
  resolve?: AddressLookup;
}

export interface LinkGuard {
  /** FetchOptions.checkUrl: refuses a link whose host is, or resolves to, a non-public address (each redirect hop). */
  checkUrl: (url: URL) => Promise<void>;
  /**
   * FetchOptions.dispatcher: connects only to the addresses it checked. Without it a host could answer a public address
   * to the check and a private one to the connection (DNS rebinding).
   */
  dispatcher: Dispatcher;
}

/**
 * For links that come from feed content (full-text pages): a feed's author must not make khabar request its database,
 * an admin port or the cloud metadata service and store the answer as an article. Feeds themselves are the operator's
 * choice and are not checked.
 */
export function createLinkGuard(options: LinkGuardOptions = {}): LinkGuard {
  const resolve = options.resolve ?? systemLookup;
  const trustedUrl = options.trustedOrigin ? new URL(options.trustedOrigin) : null;
  const trustedOrigin = trustedUrl?.origin ?? null;
  // At connect time only the host name is known; checkUrl has already held every hop to the trusted origin's port.
  const trusted = trustedUrl ? bareHost(trustedUrl.hostname) : null;

  async function publicAddresses(host: string, url?: string): Promise<string[]> {
    let addresses: string[];
    try {
      addresses = await addressesOf(host, resolve);
    } catch (err) {
      throw new KhabarError('FETCH_NETWORK', `cannot resolve ${host}: ${(err as Error).message}`, { cause: err, details: { url: url ?? null } });
    }
    const bad = addresses.find(isNonPublicAddress);
    if (bad !== undefined || addresses.length === 0) throw forbidden(host, bad ?? null, url);
    return addresses;
  }

  const dispatcher = new Agent({
    connect: {
      // net/tls call this for host names (IP literals are judged by checkUrl before any request).
      lookup(hostname, lookupOptions, callback) {
        const host = bareHost(hostname);
        const found = host === trusted ? resolve(host) : publicAddresses(host);
        found.then(
          (addresses) => {
            const entries: LookupAddress[] = addresses.map((address) => ({ address, family: isIP(address) }));
            // The callback runs outside this promise chain: a throw inside net must not become an unhandled rejection.
            process.nextTick(() => {
              if (entries.length === 0) callback(forbidden(host, null) as unknown as NodeJS.ErrnoException, '', 0);
              else if ((lookupOptions as { all?: boolean }).all) (callback as (e: null, a: LookupAddress[]) => void)(null, entries);
              else callback(null, entries[0]!.address, entries[0]!.family);
            });
          },
          (err: Error) => process.nextTick(() => callback(err as NodeJS.ErrnoException, '', 0)),
        );
      },
    },
  });

  return {
    checkUrl: async function checkPublicAddress(url: URL): Promise<void> {
      if (url.origin !== trustedOrigin) await publicAddresses(bareHost(url.hostname), url.href);
    },
    dispatcher,
  };
}

/** Whether a URL's host is, or resolves to, a non-public address (false when it cannot be resolved). */
export async function hasNonPublicHost(url: string, resolve: AddressLookup = systemLookup): Promise<boolean> {
  try {
    const host = bareHost(new URL(url).hostname);
    return (await addressesOf(host, resolve)).some(isNonPublicAddress);
  } catch {
    return false;
  }
}
