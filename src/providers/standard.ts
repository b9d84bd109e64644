import { standardWebhooksScheme } from '../signing/standard.js';
import { duration, stringField, type ProviderProfile } from './types.js';
import { SVIX_RETRY_DELAYS_MS } from './koard.js';

export const standard: ProviderProfile = {
  name: 'standard',
  displayName: 'Standard Webhooks',
  scheme: standardWebhooksScheme('webhook'),
  secret: { envVar: 'STANDARD_WEBHOOK_SECRET', format: 'whsec_<base64>', where: "the sender's endpoint settings" },
  timeoutMs: 15 * duration.SECOND,
  retryDelaysMs: SVIX_RETRY_DELAYS_MS,
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'Standard-Webhooks/1.0' },
  eventType: (payload) => stringField(payload, 'type'),
  dedupeKey: 'webhook-id',
  notes: ['Headers webhook-id, webhook-timestamp, webhook-signature (standardwebhooks.com).'],
};
