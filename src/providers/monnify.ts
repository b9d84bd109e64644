import { hmacScheme } from '../signing/hmac.js';
import { duration, eventInField, type ProviderProfile } from './types.js';

export const monnify: ProviderProfile = {
  name: 'monnify',
  displayName: 'Monnify',
  scheme: hmacScheme({ header: 'monnify-signature', algorithm: 'sha512', encoding: 'hex' }),
  secret: { envVar: 'MONNIFY_SECRET_KEY', format: 'the client secret key', where: 'Monnify dashboard → Developer → API Keys & Contracts → Secret Key' },
  timeoutMs: 10 * duration.SECOND,
  retryDelaysMs: [1, 5, 30, 60].map((m) => m * duration.MINUTE),
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'Monnify-Webhook' },
  ...eventInField('eventType'),
  dedupeKey: 'eventData.transactionReference',
  dashboardHint: 'Paste the URL in Monnify dashboard → Developer → Webhook URLs (one per event kind).',
  notes: ['HMAC-SHA512 of the raw body keyed with the client secret key (not a separate webhook secret).', 'Answer 200 first, then do slow work.'],
};
