import { createHmac, randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { serialiseLike } from '../json-text.js';
import { bytesEqual } from './compare.js';
import { OK, fail, type SignatureScheme } from './types.js';

interface BodySignature {
  readonly timestamp: string;
  readonly token: string;
  readonly signature: string;
}

function parseObject(body: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function readSignature(value: unknown): BodySignature | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { timestamp, token, signature } = value as Record<string, unknown>;
  const ts = typeof timestamp === 'number' ? String(timestamp) : timestamp;
  return typeof ts === 'string' && typeof token === 'string' && typeof signature === 'string' ? { timestamp: ts, token, signature } : undefined;
}

/**
 * Mailgun: the signature travels in the JSON body, `{"signature": {"timestamp", "token",
 * "signature"}, "event-data": {...}}`, where signature = hex HMAC-SHA256(signing key,
 * timestamp + token). Nothing in the headers; the event data itself is not signed.
 */
export function bodySignatureScheme(spec: { readonly field: string }): SignatureScheme {
  const mac = (secret: string, timestamp: string, token: string) => createHmac('sha256', secret).update(`${timestamp}${token}`, 'utf8').digest();
  return {
    description: `hex HMAC-SHA256 of timestamp+token, in the body's "${spec.field}" object (no signature header)`,
    // No header carries it: check's "missing signature" case removes nothing.
    signatureHeader: `body:${spec.field}`,
    headers: [],
    usesTimestamp: false,
    usesId: false,
    checkSecret(secret) {
      return secret.trim() === '' ? 'the signing key is empty' : undefined;
    },
    signBody({ body, secret, timestamp }) {
      const value = parseObject(body);
      if (!value) throw new UsageError(`this scheme puts its signature in the JSON body's "${spec.field}" object, and the body is not a JSON object`, { hint: 'send a JSON object body, e.g. {"event-data": {...}}' });
      const token = randomBytes(25).toString('hex');
      const ts = String(timestamp);
      const signed = { ...value, [spec.field]: { timestamp: ts, token, signature: mac(secret, ts, token).toString('hex') } };
      return Buffer.from(serialiseLike(signed, Buffer.from(body).toString('utf8')), 'utf8');
    },
    sign() {
      return {};
    },
    verify({ body, secret }) {
      const value = parseObject(body);
      if (!value) return fail('missing header', `the body is not a JSON object with "${spec.field}"`);
      const sig = readSignature(value[spec.field]);
      if (!sig) return fail('missing header', `the body has no "${spec.field}": {"timestamp", "token", "signature"}`);
      if (!/^[0-9a-fA-F]{64}$/.test(sig.signature)) return fail('malformed header', `${spec.field}.signature is not 64 hex characters`);
      return bytesEqual(mac(secret, sig.timestamp, sig.token), Buffer.from(sig.signature, 'hex')) ? OK : fail('no matching signature', `${spec.field}.signature does not match timestamp + token and the signing key`);
    },
  };
}
