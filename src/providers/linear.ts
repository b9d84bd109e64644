import { hmacScheme } from '../signing/hmac.js';
import { duration, type ProviderProfile } from './types.js';

/** Linear's event is the entity type plus the action, e.g. "Issue.create". */
function typeAndAction(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const { type, action } = payload as { type?: unknown; action?: unknown };
  return typeof type === 'string' && typeof action === 'string' ? `${type}.${action}` : undefined;
}

export const linear: ProviderProfile = {
  name: 'linear',
  displayName: 'Linear',
  scheme: hmacScheme({ header: 'linear-signature', algorithm: 'sha256', encoding: 'hex' }),
  secret: { envVar: 'LINEAR_WEBHOOK_SECRET', format: 'lin_wh_...', where: 'Linear → Settings → API → Webhooks → the webhook → Signing secret' },
  timeoutMs: 5 * duration.SECOND,
  // Linear retries three times: after 1 minute, 1 hour and 6 hours.
  retryDelaysMs: [1 * duration.MINUTE, 1 * duration.HOUR, 6 * duration.HOUR],
  requestHeaders: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Linear-Webhook' },
  eventType: (payload) => typeAndAction(payload),
  eventHeaders: (event, id) => ({ 'linear-event': event.split('.')[0] ?? event, 'linear-delivery': id }),
  dedupeKey: 'linear-delivery',
  dashboardHint: 'Add the URL under Linear → Settings → API → Webhooks and choose the resource types.',
  notes: ['The signature does not cover a timestamp: check webhookTimestamp (milliseconds, in the body) is within a minute.'],
};
