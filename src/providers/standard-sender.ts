import { standardWebhooksScheme, type StandardHeaderFamily } from '../signing/standard.js';
import { duration, eventInField, type ProviderProfile } from './types.js';

const { SECOND, MINUTE, HOUR } = duration;

/**
 * Svix's schedule (docs.svix.com/retries): the first attempt is immediate, then each retry waits
 * this long after the previous failure: 8 attempts in all over about 27.5 hours. Standard
 * Webhooks senders deliver through Svix or alike.
 */
export const SVIX_RETRY_DELAYS_MS = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR];

/**
 * A provider that sends Standard Webhooks (through Svix or on its own): the scheme, the schedule,
 * the `type` event field and the message id are the family's; the rest is the provider's.
 */
export function standardWebhooksSender(input: {
  readonly name: string;
  readonly displayName: string;
  readonly family: StandardHeaderFamily;
  readonly secret: Pick<ProviderProfile['secret'], 'envVar' | 'where'>;
  readonly userAgent: string;
  readonly dashboardHint?: string;
  readonly notes: readonly string[];
}): ProviderProfile {
  return {
    name: input.name,
    displayName: input.displayName,
    scheme: standardWebhooksScheme(input.family),
    secret: { ...input.secret, format: 'whsec_<base64>' },
    timeoutMs: 15 * SECOND,
    retryDelaysMs: SVIX_RETRY_DELAYS_MS,
    requestHeaders: { 'content-type': 'application/json', 'user-agent': input.userAgent },
    ...eventInField('type'),
    dedupeKey: `${input.family}-id`,
    ...(input.dashboardHint ? { dashboardHint: input.dashboardHint } : {}),
    notes: input.notes,
  };
}
