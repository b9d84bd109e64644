import { hmacScheme } from '../signing/hmac.js';
import { duration, eventInField, type ProviderProfile } from './types.js';

export const razorpay: ProviderProfile = {
  name: 'razorpay',
  displayName: 'Razorpay',
  scheme: hmacScheme({ header: 'x-razorpay-signature', algorithm: 'sha256', encoding: 'hex' }),
  secret: { envVar: 'RAZORPAY_WEBHOOK_SECRET', format: 'the webhook secret you chose', where: 'Razorpay Dashboard → Account & Settings → Webhooks → the webhook → Secret' },
  timeoutMs: 5 * duration.SECOND,
  // Razorpay retries with exponential back-off for up to 24 hours.
  retryDelaysMs: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 730].map((m) => m * duration.MINUTE),
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'Razorpay-Webhook/v1' },
  ...eventInField('event'),
  eventHeaders: (_event, id) => ({ 'x-razorpay-event-id': id }),
  dedupeKey: 'x-razorpay-event-id',
  dashboardHint: 'Add the URL under Razorpay Dashboard → Account & Settings → Webhooks (test mode).',
  notes: ['The webhook secret is not the API key secret (that one signs checkout payments).', 'Verify the raw body: Razorpay sends unescaped unicode and slashes.'],
};
