import { hmacScheme } from '../signing/hmac.js';
import { duration, eventInField, type ProviderProfile } from './types.js';

export const calendly: ProviderProfile = {
  name: 'calendly',
  displayName: 'Calendly',
  scheme: hmacScheme({
    header: 'calendly-webhook-signature',
    algorithm: 'sha256',
    encoding: 'hex',
    signatureFormat: 't={timestamp},v1={signature}',
    signedContent: '{timestamp}.{body}',
    toleranceSeconds: 180,
  }),
  secret: { envVar: 'CALENDLY_WEBHOOK_SIGNING_KEY', format: 'the signing key', where: 'the signing_key you set when creating the subscription (POST /webhook_subscriptions), or the OAuth app’s webhook signing key' },
  // 10 s to connect, 15 s to read.
  timeoutMs: 15 * duration.SECOND,
  retryDelaysMs: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map((m) => m * duration.MINUTE),
  requestHeaders: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Calendly-Webhooks' },
  ...eventInField('event'),
  dedupeKey: 'payload.uri',
  dashboardHint: 'Create a subscription with POST https://api.calendly.com/webhook_subscriptions (url, events, organization, scope, signing_key).',
  notes: ['Calendly-Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "{t}.{body}">.', 'A 410 answer deletes the subscription.'],
};
