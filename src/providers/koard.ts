import { standardWebhooksScheme } from '../signing/standard.js';
import { duration, stringField, type ProviderProfile } from './types.js';

const { SECOND, MINUTE, HOUR, DAY } = duration;

/**
 * Svix's schedule (docs.svix.com/retries): the first attempt is immediate, then each retry waits
 * this long after the previous failure: 8 attempts in all over about 27.5 hours.
 */
export const SVIX_RETRY_DELAYS_MS = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR];

export const koard: ProviderProfile = {
  name: 'koard',
  displayName: 'Koard',
  scheme: standardWebhooksScheme('svix'),
  secret: {
    envVar: 'KOARD_WEBHOOK_SECRET',
    format: 'whsec_<base64>',
    where: "Koard portal → Webhooks → your endpoint's signing secret",
    // No rule for a missing whsec_ prefix: Svix keys are the base64 after an optional prefix, so it changes nothing.
    mistakes: [{ pattern: /^(sk|pk|rk)_(test|live)_/, looksLike: 'an API key, not an endpoint signing secret' }],
  },
  timeoutMs: 15 * SECOND,
  retryDelaysMs: SVIX_RETRY_DELAYS_MS,
  disableEndpointAfterFailingMs: 5 * DAY,
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'Svix-Webhooks/1.0 (Koard)' },
  eventType: (payload) => stringField(payload, 'type'),
  dedupeKey: 'svix-id',
  dashboardHint: 'Add the URL as an endpoint in the Koard portal → Webhooks (no event filter = all events).',
  notes: ['Signed with Svix: the key is the base64 after "whsec_".', 'Timestamps more than 5 minutes off are rejected.', 'An endpoint whose every attempt fails for 5 days is disabled.'],
};
