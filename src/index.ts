/**
 * Programmatic API: sign and verify deliveries exactly as the providers do, from your own tests.
 *
 *   import { sign, verify } from 'webhook-cli';
 *   const { headers, body } = sign({ provider: 'paystack', secret, body: JSON.stringify(event) });
 *   await fetch('http://localhost:3000/webhooks', { method: 'POST', headers, body });
 */
import { systemClock, unixSeconds, type Clock } from './clock.js';
import type { WebhookConfig } from './config/schema.js';
import { signRequest, type SignedRequest } from './delivery/sign.js';
import { UsageError } from './errors.js';
import { getProvider, providerRegistry } from './providers/index.js';
import type { ProviderProfile } from './providers/types.js';
import type { HeaderRecord, VerifyResult } from './signing/types.js';
import { signAndSend } from './delivery/trigger.js';
import type { DeliveryOutcome } from './send-outcome.js';
import { loadFixture } from './payloads/load.js';

export type { ProviderProfile } from './providers/types.js';
export type { SignatureScheme, VerifyResult, VerifyFailureReason, HeaderRecord } from './signing/types.js';
export type { SignedRequest } from './delivery/sign.js';
export type { DeliveryOutcome } from './send-outcome.js';
export type { WebhookConfig } from './config/schema.js';
export { WebhookError, UsageError, FailureError, ExitCode } from './errors.js';
export { BUILTIN_PROVIDERS } from './providers/index.js';

/** A provider by name or a profile; `config` adds custom providers described in config form. */
export type ProviderRef = string | ProviderProfile;

export function provider(ref: ProviderRef, config: WebhookConfig = {}): ProviderProfile {
  return typeof ref === 'string' ? getProvider(providerRegistry(config), ref) : ref;
}

/** Every provider profile (built-ins plus those described in `config`). */
export function providers(config: WebhookConfig = {}): ProviderProfile[] {
  return [...providerRegistry(config).values()];
}

const bytes = (body: string | Uint8Array) => (typeof body === 'string' ? new TextEncoder().encode(body) : body);

function checkedSecret(profile: ProviderProfile, secret: string): string {
  const problem = profile.scheme.checkSecret(secret);
  if (problem) throw new UsageError(`${profile.name} secret: ${problem}`);
  return secret;
}

export interface SignOptions {
  readonly provider: ProviderRef;
  readonly secret: string;
  /** The exact body: a string is sent as its UTF-8 bytes. */
  readonly body: string | Uint8Array;
  /** Message id (default: fresh, in the provider's style). */
  readonly id?: string;
  /** Unix seconds (default: now). */
  readonly timestamp?: number;
  /** Event type, for providers that send it in a header (GitHub). */
  readonly event?: string;
  /** The URL the request is sent to, for schemes that sign it (Square, HubSpot, Twilio). */
  readonly url?: string;
  /** The request method, for schemes that sign it (HubSpot). Default POST. */
  readonly method?: string;
  readonly config?: WebhookConfig;
  readonly clock?: Clock;
}

/** Every header the provider would send with exactly these bytes, and the bytes themselves. */
export function sign(options: SignOptions): SignedRequest {
  const profile = provider(options.provider, options.config);
  return signRequest(
    profile,
    { body: bytes(options.body), secret: checkedSecret(profile, options.secret), id: options.id, timestamp: options.timestamp, event: options.event, url: options.url, method: options.method },
    options.clock ?? systemClock,
  );
}

export interface VerifyOptions {
  readonly provider: ProviderRef;
  readonly secret: string;
  /** The raw bytes received (never a re-serialised object). */
  readonly body: string | Uint8Array;
  readonly headers: HeaderRecord | Headers;
  /** Unix seconds to judge timestamps against (default: now). */
  readonly now?: number;
  readonly toleranceSeconds?: number;
  /** The URL the request was sent to, for schemes that sign it (Square, HubSpot, Twilio). */
  readonly url?: string;
  /** The request method, for schemes that sign it (HubSpot). Default POST. */
  readonly method?: string;
  readonly config?: WebhookConfig;
}

/** Check a delivery's signature: `{ ok: true }` or `{ ok: false, reason, detail }`. */
export function verify(options: VerifyOptions): VerifyResult {
  const profile = provider(options.provider, options.config);
  const headers = options.headers instanceof Headers ? Object.fromEntries(options.headers) : options.headers;
  return profile.scheme.verify({
    body: bytes(options.body),
    secret: checkedSecret(profile, options.secret),
    headers,
    now: options.now ?? unixSeconds(systemClock),
    ...(options.toleranceSeconds !== undefined ? { toleranceSeconds: options.toleranceSeconds } : {}),
    ...(options.url !== undefined ? { url: options.url } : {}),
    ...(options.method !== undefined ? { method: options.method } : {}),
  });
}

export { loadFixture, type LoadFixtureOptions, type LoadedFixture, type FixtureMeta, type FixtureOverrides } from './payloads/load.js';
export type { Expectation } from './payloads/expect.js';
export type { TemplateSource } from './payloads/template.js';

export interface TriggerOptions {
  readonly provider: ProviderRef;
  /** A built-in or fixture event, e.g. "charge.success". */
  readonly event: string;
  /** Your endpoint. */
  readonly to: string | URL;
  readonly secret: string;
  /** Values to set in the body at dot paths, e.g. { 'data.amount': 5000 }. */
  readonly set?: Readonly<Record<string, unknown>>;
  /** Your fixture folders (<dir>/<provider>/<event>.json), searched before the built-ins. */
  readonly fixtures?: readonly string[];
  readonly config?: WebhookConfig;
  readonly clock?: Clock;
}

/** Send one fixture event to `to`, signed as the provider would: `{ status, ok, durationMs, id, ... }`. Never throws for network trouble. */
export async function trigger(options: TriggerOptions): Promise<DeliveryOutcome> {
  const profile = provider(options.provider, options.config);
  const clock = options.clock ?? systemClock;
  const fixture = await loadFixture({ provider: profile.name, event: options.event, ...(options.set ? { set: options.set } : {}), ...(options.fixtures ? { fixtures: options.fixtures } : {}), ...(options.config ? { config: options.config } : {}), clock });
  const { result: _result, signedId: _signedId, ...outcome } = await signAndSend({ profile, event: options.event, fixture, url: new URL(options.to), secret: checkedSecret(profile, options.secret), clock });
  return outcome;
}
