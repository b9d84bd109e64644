import { hmacScheme } from '../signing/hmac.js';
import { duration, eventInField, type ProviderProfile } from './types.js';

export const zoom: ProviderProfile = {
  name: 'zoom',
  displayName: 'Zoom',
  scheme: hmacScheme({
    header: 'x-zm-signature',
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'v0=',
    signedContent: 'v0:{timestamp}:{body}',
    timestampHeader: 'x-zm-request-timestamp',
  }),
  secret: { envVar: 'ZOOM_WEBHOOK_SECRET_TOKEN', format: 'the Secret Token', where: 'Zoom App Marketplace → your app → Features → Access → Secret Token' },
  timeoutMs: 3 * duration.SECOND,
  retryDelaysMs: [5, 30, 90].map((m) => m * duration.MINUTE),
  requestHeaders: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Zoom Marketplace/1.0a' },
  ...eventInField('event'),
  dedupeKey: 'payload.object.uuid',
  dashboardHint: 'Set the URL as the Event notification endpoint URL of an event subscription (Zoom validates it with endpoint.url_validation).',
  notes: ['Signs "v0:{timestamp}:{body}" like Slack, in x-zm-signature.', 'Answer endpoint.url_validation with the plainToken and its HMAC (encryptedToken).'],
};
