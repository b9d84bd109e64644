import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import type { ProviderProfile } from '../providers/types.js';

/**
 * Where a delivery claims to come from, for apps that allow-list the provider's addresses:
 * sent as `X-Forwarded-For`, as a reverse proxy in front of the app would.
 */
export const FORWARDED_FOR = 'x-forwarded-for';

/** `--from-ip`: an address, or "provider" (the provider's documented addresses, one per delivery in turn). */
export type SourceAddressChoice = { readonly kind: 'address'; readonly address: string } | { readonly kind: 'provider' };

/** Parse `--from-ip`; anything but an IPv4/IPv6 address or "provider" is a usage error. */
export function parseSourceAddress(raw: string, flag = '--from-ip'): SourceAddressChoice {
  const value = raw.trim();
  if (value === 'provider') return { kind: 'provider' };
  if (isIP(value) !== 0) return { kind: 'address', address: value };
  throw new UsageError(`${flag} "${raw}" is not an IP address`, {
    hint: `pass an IPv4 or IPv6 address (e.g. ${flag} 52.31.139.75), or ${flag} provider for the provider's documented delivery addresses`,
  });
}

/**
 * The addresses deliveries will claim, in turn: the one given, or the provider's documented
 * ones (a provider that documents none is a usage error).
 */
export function sourceAddresses(choice: SourceAddressChoice, profile: ProviderProfile, flag = '--from-ip'): readonly string[] {
  if (choice.kind === 'address') return [choice.address];
  if (!profile.sourceIps || profile.sourceIps.length === 0) {
    throw new UsageError(`${flag} provider: ${profile.displayName} documents no addresses its deliveries come from`, {
      hint: `pass the address your app allows, e.g. ${flag} 203.0.113.7`,
    });
  }
  return profile.sourceIps;
}

/** The address a peer connected from, without the IPv4-mapped IPv6 prefix (::ffff:127.0.0.1 → 127.0.0.1). */
export function peerAddress(address: string | undefined): string | undefined {
  return address?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

/** Headers with `address` appended to X-Forwarded-For (added when absent), as a proxy does. */
export function withForwardedFor<T extends string | string[]>(headers: Readonly<Record<string, T>>, address: string): Record<string, T | string> {
  const out: Record<string, T | string> = {};
  let existing = '';
  for (const name in headers) {
    const value = headers[name]!;
    if (name.length !== FORWARDED_FOR.length || name.toLowerCase() !== FORWARDED_FOR) {
      out[name] = value;
      continue;
    }
    for (const v of typeof value === 'string' ? [value] : value) {
      const trimmed = v.trim();
      if (trimmed !== '') existing = existing === '' ? trimmed : `${existing}, ${trimmed}`;
    }
  }
  out[FORWARDED_FOR] = existing === '' ? address : `${existing}, ${address}`;
  return out;
}
