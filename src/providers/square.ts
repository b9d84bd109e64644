import { hmacScheme } from '../signing/hmac.js';
import { duration, eventInField, type ProviderProfile } from './types.js';

export const square: ProviderProfile = {
  name: 'square',
  displayName: 'Square',
  scheme: hmacScheme({ header: 'x-square-hmacsha256-signature', algorithm: 'sha256', encoding: 'base64', signedContent: '{url}{body}' }),
  secret: { envVar: 'SQUARE_WEBHOOK_SIGNATURE_KEY', format: 'the signature key', where: 'Square Developer Console → your app → Webhooks → Subscriptions → the endpoint → Signature key' },
  timeoutMs: 10 * duration.SECOND,
  retryDelaysMs: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map((m) => m * duration.MINUTE),
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'Square Connect v2', 'square-environment': 'Sandbox' },
  ...eventInField('type'),
  dedupeKey: 'event_id',
  dashboardHint: 'Set the URL as the notification URL of a subscription in the Developer Console → Webhooks (sandbox).',
  notes: [
    'Signs the notification URL followed by the raw body: the URL must match byte for byte (scheme, host, path, query).',
    'webhook signs with the URL it sends to (--to, or the public URL under listen).',
  ],
};
