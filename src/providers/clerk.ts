import { standardWebhooksScheme } from '../signing/standard.js';
import { duration, stringField, type ProviderProfile } from './types.js';
import { SVIX_RETRY_DELAYS_MS } from './koard.js';

export const clerk: ProviderProfile = {
  name: 'clerk',
  displayName: 'Clerk',
  scheme: standardWebhooksScheme('svix'),
  secret: { envVar: 'CLERK_WEBHOOK_SIGNING_SECRET', format: 'whsec_<base64>', where: 'Clerk Dashboard → Configure → Webhooks → the endpoint → Signing Secret' },
  timeoutMs: 15 * duration.SECOND,
  retryDelaysMs: SVIX_RETRY_DELAYS_MS,
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'Svix-Webhooks/1.0 (Clerk)' },
  eventType: (payload) => stringField(payload, 'type'),
  dedupeKey: 'svix-id',
  dashboardHint: 'Add the URL as an endpoint under Clerk Dashboard → Configure → Webhooks.',
  notes: ['Delivered by Svix: svix-id, svix-timestamp, svix-signature; the key is the base64 after "whsec_".'],
};
