import { standardWebhooksSender } from './standard-sender.js';

export const resend = standardWebhooksSender({
  name: 'resend',
  displayName: 'Resend',
  family: 'svix',
  secret: { envVar: 'RESEND_WEBHOOK_SECRET', where: 'Resend → Webhooks → the webhook → Signing secret (also returned by the create/list webhook API)' },
  userAgent: 'Svix-Webhooks/1.0 (Resend)',
  dashboardHint: 'Add the URL under Resend → Webhooks and choose the events.',
  notes: ['Delivered by Svix: svix-id, svix-timestamp, svix-signature; the key is the base64 after "whsec_".'],
});
