import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import type { ProviderProfile } from '../providers/types.js';

export { FORWARDED_FOR } from './headers.js';

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
