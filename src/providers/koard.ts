import { standardWebhooksScheme } from '../signing/standard.js';
import { duration, stringField, type ProviderProfile } from './types.js';

const { SECOND, MINUTE, HOUR } = duration;

/** Svix's schedule: first try immediately, then these retries. */
export const SVIX_RETRY_DELAYS_MS = [0, 5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR];

export const koard: ProviderProfile = {
  name: 'koard',
  displayName: 'Koard',
  scheme: standardWebhooksScheme('svix'),
  secret: { envVar: 'KOARD_WEBHOOK_SECRET', format: 'whsec_<base64>', where: "Koard portal → Webhooks → your endpoint's signing secret" },
  timeoutMs: 15 * SECOND,
  retryDelaysMs: SVIX_RETRY_DELAYS_MS,
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'Svix-Webhooks/1.0 (Koard)' },
  eventType: (payload) => stringField(payload, 'type'),
  dedupeKey: 'data.id',
  dashboardHint: 'Add the URL as an endpoint in the Koard portal → Webhooks (no event filter = all events).',
  notes: ['Signed with Svix: the key is the base64 after "whsec_".', 'Timestamps more than 5 minutes off are rejected.'],
};
