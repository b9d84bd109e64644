import { randomBytes, randomUUID } from 'node:crypto';
import { unixSeconds, type Clock } from '../clock.js';
import type { ProviderProfile } from '../providers/types.js';

/** A fresh message id in the provider's style (Svix "msg_...", GitHub a UUID, others "evt_..."). */
export function newMessageId(profile: ProviderProfile): string {
  if (profile.name === 'github') return randomUUID();
  const token = randomBytes(18).toString('base64url').replace(/[-_]/g, '').slice(0, 24);
  return profile.scheme.usesId ? `msg_${token}` : `evt_${token}`;
}

export interface SignRequestInput {
  readonly body: Uint8Array;
  readonly secret: string;
  /** Default: a fresh id. */
  readonly id?: string | undefined;
  /** Unix seconds. Default: now. */
  readonly timestamp?: number | undefined;
  /** Event type, for providers that put it in a header (GitHub). */
  readonly event?: string | undefined;
  /** The URL the request goes to, for schemes whose signature covers it (Twilio). */
  readonly url?: string | undefined;
}

export interface SignedRequest {
  readonly id: string;
  readonly timestamp: number;
  /** Every header the provider would send, lower-case names. */
  readonly headers: Record<string, string>;
  /** The exact bytes that were signed, to be sent as they are. */
  readonly body: Uint8Array;
  /** Where to send it, when the scheme changed the URL (Twilio adds bodySHA256 for JSON bodies). */
  readonly url?: string | undefined;
}

/** Sign these exact bytes as the provider would and return every header it would send. */
export function signRequest(profile: ProviderProfile, input: SignRequestInput, clock: Clock): SignedRequest {
  const id = input.id ?? newMessageId(profile);
  const timestamp = input.timestamp ?? unixSeconds(clock);
  const base = { body: input.body, secret: input.secret, id, timestamp, url: input.url };
  const url = profile.scheme.signUrl ? profile.scheme.signUrl(base) : input.url;
  const signInput = { ...base, url };
  const body = profile.scheme.signBody ? profile.scheme.signBody(signInput) : input.body;
  const headers = {
    ...profile.requestHeaders,
    ...(input.event && profile.eventHeaders ? profile.eventHeaders(input.event, id) : {}),
    ...profile.scheme.sign({ ...signInput, body }),
  };
  return { id, timestamp, headers, body, ...(url !== undefined ? { url } : {}) };
}
