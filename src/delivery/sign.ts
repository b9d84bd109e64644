import { randomBytes, randomUUID } from 'node:crypto';
import { unixSeconds, type Clock } from '../clock.js';
import { UsageError } from '../errors.js';
import type { ProviderProfile } from '../providers/types.js';

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PREFIX_LENGTH = 14;
const COUNTER_LENGTH = 10;
let idPrefix: string | undefined;
let idCounter = 0;

/**
 * 24 letters and digits, unique: a random prefix drawn once per process (14 characters, ~83
 * bits) and a counter (10 base-62 digits), so a run of thousands of deliveries draws no random
 * bytes per id.
 */
function idToken(): string {
  if (idPrefix === undefined) idPrefix = Array.from(randomBytes(PREFIX_LENGTH), (b) => ALPHANUMERIC[b % 62]).join('');
  let n = idCounter++;
  let digits = '';
  for (let i = 0; i < COUNTER_LENGTH; i++) {
    digits = ALPHANUMERIC[n % 62]! + digits;
    n = Math.floor(n / 62);
  }
  return idPrefix + digits;
}

/** A fresh message id in the provider's style (Svix "msg_...", GitHub a UUID, others "evt_..."). */
export function newMessageId(profile: ProviderProfile): string {
  if (profile.name === 'github') return randomUUID();
  return profile.scheme.usesId ? `msg_${idToken()}` : `evt_${idToken()}`;
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
  /** The URL the request is sent to: signed by schemes that cover it (Square, HubSpot). */
  readonly url?: string | URL | undefined;
  /** The request method, for schemes that sign it. Default POST. */
  readonly method?: string | undefined;
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
  if (profile.scheme.usesUrl && input.url === undefined) {
    throw new UsageError(`${profile.displayName} signs the URL the request is sent to: give it`, {
      hint: 'pass --url https://your-app.example/webhooks (the URL the provider posts to)',
    });
  }
  const base = {
    body: input.body,
    secret: input.secret,
    id,
    timestamp,
    ...(input.url !== undefined ? { url: String(input.url) } : {}),
    ...(input.method !== undefined ? { method: input.method } : {}),
  };
  // Some schemes change the URL (Twilio's bodySHA256) or the body (Mailgun's fields) they sign.
  const url = profile.scheme.signUrl ? profile.scheme.signUrl(base) : base.url;
  const signInput = { ...base, url };
  const body = profile.scheme.signBody ? profile.scheme.signBody(signInput) : input.body;
  const headers = {
    ...profile.requestHeaders,
    ...(input.event && profile.eventHeaders ? profile.eventHeaders(input.event, id) : {}),
    ...profile.scheme.sign({ ...signInput, body }),
  };
  return { id, timestamp, headers, body, ...(url !== undefined ? { url } : {}) };
}
