import { standardWebhooksScheme } from '../signing/standard.js';
import { duration, stringField, type ProviderProfile } from './types.js';
import { SVIX_RETRY_DELAYS_MS } from './koard.js';

export const openai: ProviderProfile = {
  name: 'openai',
  displayName: 'OpenAI',
  scheme: standardWebhooksScheme('webhook'),
  secret: { envVar: 'OPENAI_WEBHOOK_SECRET', format: 'whsec_<base64>', where: 'platform.openai.com → Settings → Project → Webhooks → the endpoint (shown once when created)' },
  timeoutMs: 15 * duration.SECOND,
  retryDelaysMs: SVIX_RETRY_DELAYS_MS,
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)' },
  eventType: (payload) => stringField(payload, 'type'),
  dedupeKey: 'webhook-id',
  dashboardHint: 'Add the URL as an endpoint under platform.openai.com → Settings → Project → Webhooks.',
  notes: ['Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature; the key is the base64 after "whsec_".', 'The event carries only ids: fetch the object (response, batch) with the API.'],
};
