import { hmacScheme } from '../signing/hmac.js';
import { duration, eventInField, type ProviderProfile } from './types.js';

export const typeform: ProviderProfile = {
  name: 'typeform',
  displayName: 'Typeform',
  scheme: hmacScheme({ header: 'typeform-signature', algorithm: 'sha256', encoding: 'base64', prefix: 'sha256=' }),
  secret: { envVar: 'TYPEFORM_WEBHOOK_SECRET', format: 'the secret you set on the webhook', where: 'Typeform → the form → Connect → Webhooks → Edit → Secret' },
  timeoutMs: 30 * duration.SECOND,
  retryDelaysMs: [2, 3, 5, 10, 30, 60].map((m) => m * duration.MINUTE),
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'Typeform Webhooks' },
  ...eventInField('event_type'),
  dedupeKey: 'event_id',
  dashboardHint: 'Add the URL under the form → Connect → Webhooks, set a secret and switch the webhook on.',
  notes: ['Base64 (not hex) after "sha256=".', 'Dashboard webhooks are created switched off.'],
};
