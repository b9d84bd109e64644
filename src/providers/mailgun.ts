import { bodySignatureScheme } from '../signing/body-signature.js';
import { duration, type ProviderProfile } from './types.js';

const { SECOND, MINUTE, HOUR } = duration;

export const mailgun: ProviderProfile = {
  name: 'mailgun',
  displayName: 'Mailgun',
  scheme: bodySignatureScheme({ field: 'signature' }),
  secret: {
    envVar: 'MAILGUN_WEBHOOK_SIGNING_KEY',
    format: 'the HTTP webhook signing key',
    where: 'Mailgun → Sending → Webhooks → HTTP webhook signing key (not the API key)',
  },
  // Not published; the tool waits 10 s.
  timeoutMs: 10 * SECOND,
  // Any answer but 200 or 406 is retried for 8 hours (delivered notifications are not retried).
  retryDelaysMs: [5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 1 * HOUR, 2 * HOUR, 4 * HOUR],
  requestHeaders: { 'content-type': 'application/json' },
  eventType: (payload) => {
    if (typeof payload !== 'object' || payload === null) return undefined;
    const data = (payload as Record<string, unknown>)['event-data'];
    const event = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).event : undefined;
    return typeof event === 'string' ? event : undefined;
  },
  dedupeKey: 'event-data.id',
  dashboardHint: 'Add the URL in Mailgun → Sending → Webhooks for your domain (one URL per event type).',
  notes: [
    'The signature is in the body: signature.signature = hex HMAC-SHA256(signing key, signature.timestamp + signature.token).',
    'The event data is not signed: only timestamp and token are. Cache tokens to refuse replays and check the timestamp is recent.',
    'Answer 406 to stop retries for a delivery you reject on purpose.',
  ],
};
