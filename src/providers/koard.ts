import { standardWebhooksScheme } from '../signing/standard.js';
import { SVIX_RETRY_DELAYS_MS } from './standard-sender.js';
import { duration, eventInField, type ProviderProfile } from './types.js';

const { SECOND, DAY } = duration;

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
  ...eventInField('type'),
  dedupeKey: 'svix-id',
  dashboardHint: 'Add the URL as an endpoint in the Koard portal → Webhooks (no event filter = all events).',
  notes: ['Signed with Svix: the key is the base64 after "whsec_".', 'Timestamps more than 5 minutes off are rejected.', 'An endpoint whose every attempt fails for 5 days is disabled.'],
};
