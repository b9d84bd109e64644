import { p256Scheme } from '../signing/asymmetric.js';
import { duration, type ProviderProfile } from './types.js';

const { SECOND, MINUTE } = duration;

export const sendgrid: ProviderProfile = {
  name: 'sendgrid',
  displayName: 'SendGrid (Event Webhook)',
  scheme: p256Scheme('sendgrid', { signature: 'x-twilio-email-event-webhook-signature', timestamp: 'x-twilio-email-event-webhook-timestamp' }),
  secret: {
    envVar: 'SENDGRID_SIGNING_KEY',
    format: 'a P-256 private key (PKCS#8 PEM) to sign with, or the base64 verification key to verify with',
    where: 'SendGrid keeps the private key; your app verifies with Settings → Mail Settings → Event Webhook → Signature Verification (verification key). To test, configure the app with `webhook keys sendgrid`',
  },
  // Not published; the tool waits 10 s.
  timeoutMs: 10 * SECOND,
  // "Retried at increasing intervals for up to 24 hours" (intervals not published): an approximation that spans ~21 h.
  retryDelaysMs: [5, 10, 20, 40, 80, 160, 320, 640].map((m) => m * MINUTE),
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'SendGrid Event API' },
  // The body is a JSON array of events (a batch); the first event names the delivery.
  eventType: (payload) => {
    const first: unknown = Array.isArray(payload) ? payload[0] : payload;
    if (typeof first !== 'object' || first === null) return undefined;
    const event = (first as Record<string, unknown>).event;
    return typeof event === 'string' ? event : undefined;
  },
  dedupeKey: 'sg_event_id',
  dashboardHint: 'Paste the URL in SendGrid → Settings → Mail Settings → Event Webhook → Post URL, and turn on Signed Event Webhook Requests.',
  notes: [
    'Each delivery is a JSON array of up to many events: dedupe each on its sg_event_id.',
    'Signed with a private key SendGrid holds: verify with the base64 verification key (SPKI DER).',
    'To test locally, configure your app with the key printed by `webhook keys sendgrid`.',
  ],
};
