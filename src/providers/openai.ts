import { standardWebhooksSender } from './standard-sender.js';

export const openai = standardWebhooksSender({
  name: 'openai',
  displayName: 'OpenAI',
  family: 'webhook',
  secret: { envVar: 'OPENAI_WEBHOOK_SECRET', where: 'platform.openai.com → Settings → Project → Webhooks → the endpoint (shown once when created)' },
  userAgent: 'OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)',
  dashboardHint: 'Add the URL as an endpoint under platform.openai.com → Settings → Project → Webhooks.',
  notes: ['Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature; the key is the base64 after "whsec_".', 'The event carries only ids: fetch the object (response, batch) with the API.'],
});
