import { jsonFieldHmacScheme } from '../signing/json-field.js';
import { duration, eventInField, type ProviderProfile } from './types.js';

export const korapay: ProviderProfile = {
  name: 'korapay',
  displayName: 'Korapay',
  scheme: jsonFieldHmacScheme({ header: 'x-korapay-signature', field: 'data', algorithm: 'sha256' }),
  secret: {
    envVar: 'KORAPAY_SECRET_KEY',
    format: 'sk_test_... or sk_live_...',
    where: 'Korapay dashboard → Settings → API Configuration (the secret key signs webhooks)',
  },
  // Not published; the tool waits 30 s.
  timeoutMs: 30 * duration.SECOND,
  // Not published.
  retryDelaysMs: [],
  requestHeaders: { 'content-type': 'application/json' },
  ...eventInField('event'),
  dedupeKey: 'data.reference',
  dashboardHint: 'Paste the URL in the Korapay dashboard → Settings → API Configuration → Webhook URL.',
  notes: [
    'The signature covers JSON.stringify(body.data) only: the event name and anything outside data are not signed.',
    'Check the transaction status with the API before giving value (the event field is unsigned).',
  ],
};
