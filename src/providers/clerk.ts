import { standardWebhooksSender } from './standard-sender.js';

export const clerk = standardWebhooksSender({
  name: 'clerk',
  displayName: 'Clerk',
  family: 'svix',
  secret: { envVar: 'CLERK_WEBHOOK_SIGNING_SECRET', where: 'Clerk Dashboard → Configure → Webhooks → the endpoint → Signing Secret' },
  userAgent: 'Svix-Webhooks/1.0 (Clerk)',
  dashboardHint: 'Add the URL as an endpoint under Clerk Dashboard → Configure → Webhooks.',
  notes: ['Delivered by Svix: svix-id, svix-timestamp, svix-signature; the key is the base64 after "whsec_".'],
});
