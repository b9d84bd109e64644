import { standardWebhooksScheme } from '../signing/standard.js';
import { duration, stringField, type ProviderProfile } from './types.js';
import { SVIX_RETRY_DELAYS_MS } from './koard.js';

export const resend: ProviderProfile = {
  name: 'resend',
  displayName: 'Resend',
  scheme: standardWebhooksScheme('svix'),
  secret: { envVar: 'RESEND_WEBHOOK_SECRET', format: 'whsec_<base64>', where: 'Resend → Webhooks → the webhook → Signing secret (also returned by the create/list webhook API)' },
  timeoutMs: 15 * duration.SECOND,
  retryDelaysMs: SVIX_RETRY_DELAYS_MS,
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'Svix-Webhooks/1.0 (Resend)' },
  eventType: (payload) => stringField(payload, 'type'),
  dedupeKey: 'svix-id',
  dashboardHint: 'Add the URL under Resend → Webhooks and choose the events.',
  notes: ['Delivered by Svix: svix-id, svix-timestamp, svix-signature; the key is the base64 after "whsec_".'],
};
