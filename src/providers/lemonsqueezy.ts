import { hmacScheme } from '../signing/hmac.js';
import { duration, type ProviderProfile } from './types.js';

function metaEventName(payload: unknown): string | undefined {
  const meta = typeof payload === 'object' && payload !== null ? (payload as { meta?: { event_name?: unknown } }).meta : undefined;
  return typeof meta?.event_name === 'string' ? meta.event_name : undefined;
}

export const lemonsqueezy: ProviderProfile = {
  name: 'lemonsqueezy',
  displayName: 'Lemon Squeezy',
  scheme: hmacScheme({ header: 'x-signature', algorithm: 'sha256', encoding: 'hex' }),
  secret: { envVar: 'LEMONSQUEEZY_WEBHOOK_SECRET', format: 'the signing secret you chose (6 to 40 characters)', where: 'Lemon Squeezy → Settings → Webhooks → the webhook → Signing secret' },
  timeoutMs: 10 * duration.SECOND,
  // Up to three more attempts with exponential back-off.
  retryDelaysMs: [5, 25, 125].map((s) => s * duration.SECOND),
  requestHeaders: { 'content-type': 'application/vnd.api+json', 'user-agent': 'LemonSqueezy-Hookshot' },
  eventType: (payload) => metaEventName(payload),
  eventHeaders: (event) => ({ 'x-event-name': event }),
  dedupeKey: 'data.id',
  dashboardHint: 'Add the URL under Lemon Squeezy → Settings → Webhooks (test mode).',
  notes: ['The event name is in meta.event_name and the X-Event-Name header.'],
};
