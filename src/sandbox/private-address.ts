import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Resolves a host name to its addresses (node:dns's lookup with all: true, or a stand-in in tests). */
export type LookupAll = (hostname: string) => Promise<readonly { address: string }[]>;

export const systemLookup: LookupAll = (hostname) => lookup(hostname, { all: true, verbatim: true });

/**
 * Private, link-local and otherwise internal ranges: what a registered webhook URL must not reach
 * (cloud metadata at 169.254.169.254, services on the local network). Loopback is not here: it is
 * what local testing uses. IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) match their IPv4 ranges.
 */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

function isPrivate(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && PRIVATE.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The private address a URL's host is or resolves to, if any. A host that does not resolve is
 * not private as far as anyone can tell (its deliveries fail with a DNS error).
 */
export async function privateAddressOf(url: URL, resolve: LookupAll): Promise<string | undefined> {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(host)) return isPrivate(host) ? host : undefined;
  let addresses: readonly { address: string }[];
  try {
    addresses = await resolve(host);
  } catch {
    return undefined;
  }
  return addresses.find((a) => isPrivate(a.address))?.address;
}
