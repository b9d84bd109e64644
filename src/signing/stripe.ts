import { createHmac } from 'node:crypto';
import { bytesEqual } from './compare.js';
import { keyOnce, signedBytes } from './hmac.js';
import { checkTimestamp } from './timestamp.js';
import { OK, fail, headerValue, type SignatureScheme } from './types.js';

const HEADER = 'stripe-signature';

/** Stripe: `Stripe-Signature: t=<ts>,v1=<hex HMAC-SHA256(secret, "{t}.{body}")>`; the secret is used as given. */
export function stripeScheme(toleranceSeconds = 300): SignatureScheme {
  const key = keyOnce((secret) => Buffer.from(secret, 'utf8'));
  const mac = (secret: string, timestamp: number, body: Uint8Array) =>
    createHmac('sha256', key(secret)).update(signedBytes('{timestamp}.{body}', body, '', timestamp)).digest();
  return {
    description: 'Stripe (t=<ts>,v1=<hex HMAC-SHA256 of "{timestamp}.{body}">) in stripe-signature',
    signatureHeader: HEADER,
    headers: [HEADER],
    usesTimestamp: true,
    usesId: false,
    toleranceSeconds,
    checkSecret(secret) {
      return secret.trim() === '' ? 'the secret is empty' : undefined;
    },
    sign({ body, secret, timestamp }) {
      return { [HEADER]: `t=${timestamp},v1=${mac(secret, timestamp, body).toString('hex')}` };
    },
    verify({ body, secret, headers, now, toleranceSeconds: tolerance }) {
      const value = headerValue(headers, HEADER);
      if (value === undefined || value.trim() === '') return fail('missing header', `no ${HEADER} header`);
      const pairs = value.split(',').map((item) => {
        const at = item.indexOf('=');
        return at < 0 ? ['', ''] : [item.slice(0, at).trim(), item.slice(at + 1).trim()];
      });
      const t = pairs.find(([k]) => k === 't')?.[1];
      const v1 = pairs.filter(([k]) => k === 'v1').map(([, v]) => v ?? '');
      if (t === undefined || v1.length === 0) return fail('malformed header', `${HEADER} needs "t=" and at least one "v1="`);
      const checked = checkTimestamp(t, now, tolerance ?? toleranceSeconds);
      if (typeof checked !== 'number') return checked;
      const expected = mac(secret, checked, body);
      return v1.some((hex) => /^[0-9a-fA-F]+$/.test(hex) && bytesEqual(expected, Buffer.from(hex, 'hex')))
        ? OK
        : fail('no matching signature', `none of the v1 signatures in ${HEADER} match`);
    },
  };
}
