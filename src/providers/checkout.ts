import { hmacScheme } from '../signing/hmac.js';
import { duration, eventInField, type ProviderProfile } from './types.js';

export const checkout: ProviderProfile = {
  name: 'checkout',
  displayName: 'Checkout.com',
  scheme: hmacScheme({ header: 'cko-signature', algorithm: 'sha256', encoding: 'hex' }),
  secret: { envVar: 'CHECKOUT_WEBHOOK_SECRET', format: 'the signature key you set', where: "Dashboard → Developers → Workflows → the workflow's webhook action → Signature key" },
  timeoutMs: 10 * duration.SECOND,
  retryDelaysMs: [1, 5, 30, 60, 120, 240].map((m) => m * duration.MINUTE),
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'Checkout.com-Webhooks' },
  ...eventInField('type'),
  dedupeKey: 'id',
  dashboardHint: 'Add the URL as a webhook action of a workflow (Dashboard → Developers → Workflows).',
  notes: ['Cko-Signature is hex (Base16) HMAC-SHA256 of the raw body.', 'The Authorization header carries the separate header key, if you set one.'],
};
