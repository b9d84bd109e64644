import { headerValue, type HeaderRecord } from '../signing/types.js';
import type { ProviderProfile } from './types.js';

/** Headers that carry the message id in the Svix / Standard Webhooks schemes. */
const MESSAGE_ID_HEADERS = ['svix-id', 'webhook-id'] as const;

/** The value at a path (keys) of a parsed payload, when it is a string or a number. */
function valueAt(payload: unknown, keys: readonly string[]): string | undefined {
  let node: unknown = payload;
  for (const key of keys) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return messageIdValue(node);
}

/** A payload value as a message id: a non-empty string, or a number. */
export function messageIdValue(node: unknown): string | undefined {
  return typeof node === 'string' && node !== '' ? node : typeof node === 'number' ? String(node) : undefined;
}

/**
 * Where a delivery's message id is: `{ id }` from a header, `{ path }` in the payload (the
 * profile's dedupe key, as keys), or undefined when it carries none.
 */
export function messageIdSource(profile: ProviderProfile, headers: HeaderRecord): { id: string } | { path: readonly string[] } | undefined {
  for (const name of MESSAGE_ID_HEADERS) {
    const value = headerValue(headers, name);
    if (value) return { id: value };
  }
  const key = profile.dedupeKey;
  if (!key) return undefined;
  const fromHeader = headerValue(headers, key);
  return fromHeader ? { id: fromHeader } : { path: keyPath(key) };
}

/** A dedupe key as keys ("data.id" → data, id), split once per key (the receiver asks on every delivery). */
const keyPaths = new Map<string, readonly string[]>();
function keyPath(key: string): readonly string[] {
  let path = keyPaths.get(key);
  if (path === undefined) {
    path = key.split('.');
    if (keyPaths.size < 100) keyPaths.set(key, path);
  }
  return path;
}

/**
 * The provider's own id for a delivery, as a receiver sees it: the message id header
 * (svix-id, webhook-id), else the profile's dedupe key, read from a header (X-GitHub-Delivery)
 * or the payload (Stripe's event `id`, PayKore's `data.id`, Paystack's `data.reference`).
 * Undefined when the delivery carries none. `parsed`: the body already parsed by the caller
 * (`payload` undefined when it is not JSON), so it is not parsed twice.
 */
export function messageIdOf(profile: ProviderProfile, body: Uint8Array, headers: HeaderRecord, parsed?: { readonly payload: unknown }): string | undefined {
  const source = messageIdSource(profile, headers);
  if (source === undefined || 'id' in source) return source?.id;
  if (parsed) return valueAt(parsed.payload, source.path);
  try {
    return valueAt(JSON.parse(Buffer.from(body).toString('utf8')), source.path);
  } catch {
    return undefined;
  }
}
