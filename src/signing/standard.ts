import { createHmac } from 'node:crypto';
import { bytesEqual } from './compare.js';
import { keyOnce, signedBytes } from './hmac.js';
import { checkTimestamp } from './timestamp.js';
import { OK, fail, headerValue, headerValues, type HeaderRecord, type SignatureScheme } from './types.js';

const FAMILIES = ['svix', 'webhook'] as const;
export type StandardHeaderFamily = (typeof FAMILIES)[number];

/** Key bytes of a Standard Webhooks secret: the base64 after an optional `whsec_`. */
function secretKey(secret: string): Buffer {
  return Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
}

function familyHeaders(family: StandardHeaderFamily) {
  return { id: `${family}-id`, timestamp: `${family}-timestamp`, signature: `${family}-signature` };
}

/**
 * Standard Webhooks (standardwebhooks.com), which Svix implements: `v1,<base64 HMAC-SHA256>` of
 * "{id}.{timestamp}.{body}", several space-separated signatures allowed (key rotation).
 * Signs with `family` headers; verifies either family (svix-* or webhook-*), preferring `family`.
 */
export function standardWebhooksScheme(family: StandardHeaderFamily, toleranceSeconds = 300): SignatureScheme {
  const names = familyHeaders(family);
  const order = [family, ...FAMILIES.filter((f) => f !== family)].map(familyHeaders);
  const key = keyOnce(secretKey);
  const mac = (secret: string, id: string, timestamp: number, body: Uint8Array) =>
    createHmac('sha256', key(secret)).update(signedBytes('{id}.{timestamp}.{body}', body, id, timestamp)).digest();
  const pick = (headers: HeaderRecord) => order.find((h) => headerValue(headers, h.signature) !== undefined) ?? names;

  return {
    description: `Standard Webhooks v1 (HMAC-SHA256 base64 of "{id}.{timestamp}.{body}") in ${names.signature}`,
    signatureHeader: names.signature,
    headers: [names.id, names.timestamp, names.signature],
    usesTimestamp: true,
    usesId: true,
    toleranceSeconds,
    checkSecret(secret) {
      if (secret.trim() === '') return 'the secret is empty';
      const b64 = secret.replace(/^whsec_/, '');
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) {
        return 'the secret is not "whsec_" followed by base64 (copy it whole from the dashboard)';
      }
      if (secretKey(secret).length < 16) return 'the secret decodes to fewer than 16 bytes';
      return undefined;
    },
    sign({ body, secret, id, timestamp }) {
      return {
        [names.id]: id,
        [names.timestamp]: String(timestamp),
        [names.signature]: `v1,${mac(secret, id, timestamp, body).toString('base64')}`,
      };
    },
    verify({ body, secret, headers, now, toleranceSeconds: tolerance }) {
      const h = pick(headers);
      // Several signature header lines reach us joined by ", " (Node) or as a list; each line
      // holds space-separated "v1,<base64>" entries, as the official libraries read them.
      const signature = headerValues(headers, h.signature)?.join(' ');
      if (signature === undefined || signature.trim() === '') return fail('missing header', `no ${names.signature} header`);
      const id = headerValue(headers, h.id);
      if (id === undefined || id === '') return fail('missing header', `no ${h.id} header`);
      const checked = checkTimestamp(headerValue(headers, h.timestamp), now, tolerance ?? toleranceSeconds);
      if (typeof checked !== 'number') return checked;
      const candidates = signature.trim().split(/\s+/).map((part) => part.split(','));
      const v1 = candidates.filter((parts) => parts[0] === 'v1' && (parts[1] ?? '') !== '').map((parts) => parts[1] ?? '');
      if (v1.length === 0) return fail('malformed header', `${h.signature} has no "v1,<base64>" signature`);
      const expected = mac(secret, id, checked, body);
      return v1.some((b64) => bytesEqual(expected, Buffer.from(b64, 'base64')))
        ? OK
        : fail('no matching signature', `none of the ${v1.length} v1 signature(s) in ${h.signature} match`);
    },
  };
}
