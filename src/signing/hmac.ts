import { createHmac } from 'node:crypto';
import { bytesEqual } from './compare.js';
import { checkTimestamp } from './timestamp.js';
import { OK, fail, headerValue, type SignatureScheme } from './types.js';

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';
export type SignatureEncoding = 'hex' | 'base64';
/** What is signed: the body alone, or the body with timestamp (and id) in front. */
export type SignedContent = '{body}' | '{timestamp}.{body}' | '{id}.{timestamp}.{body}';

/** A plain HMAC scheme described by data (PayKore, Paystack, GitHub, generic and custom). */
export interface HmacSchemeSpec {
  readonly header: string;
  readonly algorithm: HmacAlgorithm;
  readonly encoding: SignatureEncoding;
  /** Text before the signature in the header, e.g. "sha256=". Default none. */
  readonly prefix?: string;
  /** Default "{body}". */
  readonly signedContent?: SignedContent;
  /** Required when signedContent includes {timestamp}. */
  readonly timestampHeader?: string;
  /** Required when signedContent includes {id}; sent when set. */
  readonly idHeader?: string;
  /** How the secret becomes the HMAC key. Default utf8 (the string as given). */
  readonly secretEncoding?: 'utf8' | 'base64';
  /** Seconds of clock difference accepted (timestamped content). Default 300. */
  readonly toleranceSeconds?: number;
}

/** Bytes of "{id}.{timestamp}." + body, or body alone. */
export function signedBytes(content: SignedContent, body: Uint8Array, id: string, timestamp: number): Buffer {
  if (content === '{body}') return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const head = content === '{timestamp}.{body}' ? `${timestamp}.` : `${id}.${timestamp}.`;
  return Buffer.concat([Buffer.from(head, 'utf8'), body]);
}

export function hmacScheme(spec: HmacSchemeSpec): SignatureScheme {
  const header = spec.header.toLowerCase();
  const prefix = spec.prefix ?? '';
  const content = spec.signedContent ?? '{body}';
  const usesTimestamp = content !== '{body}';
  const usesId = content === '{id}.{timestamp}.{body}';
  const timestampHeader = spec.timestampHeader?.toLowerCase();
  const idHeader = spec.idHeader?.toLowerCase();
  const tolerance = spec.toleranceSeconds ?? 300;
  const key = (secret: string): Buffer =>
    spec.secretEncoding === 'base64' ? Buffer.from(secret.replace(/^whsec_/, ''), 'base64') : Buffer.from(secret, 'utf8');
  const mac = (secret: string, bytes: Buffer): Buffer => createHmac(spec.algorithm, key(secret)).update(bytes).digest();

  const headers = [header, ...(timestampHeader ? [timestampHeader] : []), ...(idHeader ? [idHeader] : [])];
  const what = usesTimestamp ? `"${content}"` : 'the raw body';
  return {
    description: `HMAC-${spec.algorithm.toUpperCase()} ${spec.encoding} of ${what} in ${header}${prefix ? ` (prefixed "${prefix}")` : ''}`,
    signatureHeader: header,
    headers,
    usesTimestamp,
    usesId,
    ...(usesTimestamp ? { toleranceSeconds: tolerance } : {}),
    checkSecret(secret) {
      if (secret.trim() === '') return 'the secret is empty';
      if (spec.secretEncoding === 'base64') {
        const b64 = secret.replace(/^whsec_/, '');
        if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return 'the secret is not valid base64';
      }
      return undefined;
    },
    sign({ body, secret, id, timestamp }) {
      const out: Record<string, string> = {
        [header]: prefix + mac(secret, signedBytes(content, body, id, timestamp)).toString(spec.encoding),
      };
      if (timestampHeader) out[timestampHeader] = String(timestamp);
      if (idHeader) out[idHeader] = id;
      return out;
    },
    verify({ body, secret, headers: received, now, toleranceSeconds }) {
      const value = headerValue(received, header);
      if (value === undefined || value.trim() === '') return fail('missing header', `no ${header} header`);
      const trimmed = value.trim();
      if (prefix && !trimmed.startsWith(prefix)) {
        return fail('malformed header', `${header} does not start with "${prefix}"`);
      }
      let timestamp = 0;
      if (usesTimestamp) {
        const checked = checkTimestamp(timestampHeader ? headerValue(received, timestampHeader) : undefined, now, toleranceSeconds ?? tolerance);
        if (typeof checked !== 'number') return checked;
        timestamp = checked;
      }
      const id = usesId && idHeader ? (headerValue(received, idHeader) ?? '') : '';
      if (usesId && id === '') return fail('missing header', `no ${idHeader} header`);
      const expected = mac(secret, signedBytes(content, body, id, timestamp));
      const given = trimmed.slice(prefix.length);
      const givenBytes = spec.encoding === 'hex'
        ? (/^[0-9a-fA-F]*$/.test(given) && given.length % 2 === 0 ? Buffer.from(given, 'hex') : undefined)
        : Buffer.from(given, 'base64');
      if (givenBytes === undefined) return fail('malformed header', `${header} is not ${spec.encoding}`);
      return bytesEqual(expected, givenBytes) ? OK : fail('no matching signature', `${header} does not match the body and secret`);
    },
  };
}
