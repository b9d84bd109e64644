import { hmacScheme } from '../signing/hmac.js';
import { duration, stringField, type ProviderProfile } from './types.js';

/** HubSpot sends a batch (a JSON array) of events; the first one's subscriptionType names it. */
function firstSubscriptionType(payload: unknown): string | undefined {
  return Array.isArray(payload) ? stringField(payload[0], 'subscriptionType') : stringField(payload, 'subscriptionType');
}

export const hubspot: ProviderProfile = {
  name: 'hubspot',
  displayName: 'HubSpot',
  scheme: hmacScheme({
    header: 'x-hubspot-signature-v3',
    algorithm: 'sha256',
    encoding: 'base64',
    signedContent: '{method}{url}{body}{timestamp}',
    timestampHeader: 'x-hubspot-request-timestamp',
    timestampUnit: 'milliseconds',
  }),
  secret: { envVar: 'HUBSPOT_CLIENT_SECRET', format: "the app's client secret", where: 'HubSpot developer account → your app → Auth → Client secret' },
  timeoutMs: 5 * duration.SECOND,
  // Up to 10 retries spread over 24 hours.
  retryDelaysMs: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map((m) => m * 2 * duration.MINUTE),
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/)', 'x-hubspot-signature-version': 'v3' },
  eventType: (payload) => firstSubscriptionType(payload),
  dedupeKey: 'eventId',
  dashboardHint: "Set the target URL under your app → Webhooks (it's app-wide) and create subscriptions.",
  notes: [
    'v3 signs method + URL + body + timestamp (milliseconds), base64 HMAC-SHA256 with the client secret.',
    'webhook signs with the URL it sends to (--to, or the public URL under listen); reject timestamps older than 5 minutes.',
  ],
};
