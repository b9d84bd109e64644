import { hmacScheme, type HmacSchemeSpec } from '../signing/hmac.js';
import { duration, stringField, type ProviderProfile } from './types.js';

const { SECOND, MINUTE, HOUR } = duration;

/**
 * The generic payment platform documents no scheme, so the default is the safest common one
 * (timestamped, so replays are rejected). Override it with `providers.generic.scheme` in config.
 */
const GENERIC_DEFAULT_SCHEME: HmacSchemeSpec = {
  header: 'x-webhook-signature',
  algorithm: 'sha256',
  encoding: 'hex',
  prefix: 'sha256=',
  signedContent: '{timestamp}.{body}',
  timestampHeader: 'x-webhook-timestamp',
  idHeader: 'x-webhook-id',
};

export const generic: ProviderProfile = {
  name: 'generic',
  displayName: 'Generic payment platform',
  scheme: hmacScheme(GENERIC_DEFAULT_SCHEME),
  secret: { envVar: 'WEBHOOK_SECRET', format: 'any string', where: "your platform's webhook settings" },
  timeoutMs: 10 * SECOND,
  retryDelaysMs: [1 * MINUTE, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 6 * HOUR],
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'webhook-cli/generic' },
  eventType: (payload) => stringField(payload, 'event'),
  dedupeKey: 'data.transaction_id',
  notes: ['Scheme is configurable: header, algorithm, encoding, prefix, signed content, timestamp/id headers.'],
};
