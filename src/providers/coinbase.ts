import { hmacScheme } from '../signing/hmac.js';
import { duration, type ProviderProfile } from './types.js';

/** Coinbase Commerce event types use ":" ("charge:confirmed"); fixtures name them with "." ("charge.confirmed"). */
function eventTypeOf(payload: unknown): string | undefined {
  const event = typeof payload === 'object' && payload !== null ? (payload as { event?: { type?: unknown } }).event : undefined;
  return typeof event?.type === 'string' ? event.type.replace(':', '.') : undefined;
}

export const coinbase: ProviderProfile = {
  name: 'coinbase',
  displayName: 'Coinbase Commerce',
  scheme: hmacScheme({ header: 'x-cc-webhook-signature', algorithm: 'sha256', encoding: 'hex' }),
  secret: { envVar: 'COINBASE_COMMERCE_WEBHOOK_SECRET', format: 'the shared secret', where: 'Coinbase Commerce → Settings → Notifications → Webhook subscriptions → Show shared secret' },
  timeoutMs: 10 * duration.SECOND,
  // Exponential back-off for up to three days, at most one hour apart.
  retryDelaysMs: [1, 2, 4, 8, 16, 32, ...Array.from({ length: 70 }, () => 60)].map((m) => m * duration.MINUTE),
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'weipay-webhooks' },
  eventType: (payload) => eventTypeOf(payload),
  dedupeKey: 'event.id',
  dashboardHint: 'Add the URL under Coinbase Commerce → Settings → Notifications → Add an endpoint (https only).',
  notes: ['The event sits under "event" in the body; its type uses ":" (charge:confirmed).'],
};
