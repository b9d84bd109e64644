import { standardWebhooksSender } from './standard-sender.js';

export const standard = standardWebhooksSender({
  name: 'standard',
  displayName: 'Standard Webhooks',
  family: 'webhook',
  secret: { envVar: 'STANDARD_WEBHOOK_SECRET', where: "the sender's endpoint settings" },
  userAgent: 'Standard-Webhooks/1.0',
  notes: ['Headers webhook-id, webhook-timestamp, webhook-signature (standardwebhooks.com).'],
});
