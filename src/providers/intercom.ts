import { hmacScheme } from '../signing/hmac.js';
import { duration, eventInField, type ProviderProfile } from './types.js';

export const intercom: ProviderProfile = {
  name: 'intercom',
  displayName: 'Intercom',
  scheme: hmacScheme({ header: 'x-hub-signature', algorithm: 'sha1', encoding: 'hex', prefix: 'sha1=' }),
  secret: { envVar: 'INTERCOM_CLIENT_SECRET', format: "the app's client secret", where: 'Intercom Developer Hub → your app → Basic information → Client secret' },
  timeoutMs: 5 * duration.SECOND,
  retryDelaysMs: [1 * duration.MINUTE],
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'intercom-parrot-service-client/1.0' },
  ...eventInField('topic'),
  dedupeKey: 'id',
  dashboardHint: 'Set the URL under Developer Hub → your app → Configure → Webhooks and pick the topics.',
  notes: ['HMAC-SHA1 (not SHA-256), hex, after "sha1=".', 'Intercom checks the URL with a HEAD request when you save it.'],
};
