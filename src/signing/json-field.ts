import { createHmac } from 'node:crypto';
import { UsageError } from '../errors.js';
import { bytesEqual } from './compare.js';
import { OK, fail, headerValue, type SignatureScheme } from './types.js';

/** JSON.stringify of `body[field]`, or undefined when the body is not a JSON object holding it. */
function fieldText(body: Uint8Array, field: string): string | undefined {
  try {
    const value = JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, field)) return undefined;
    return JSON.stringify((value as Record<string, unknown>)[field]);
  } catch {
    return undefined;
  }
}

/**
 * HMAC of one top-level field of the JSON body, serialised with JSON.stringify (compact, key
 * order as parsed): Korapay signs only `data`. The provider documents exactly this
 * re-serialisation, so verifying it is right here (unlike raw-body schemes).
 */
export function jsonFieldHmacScheme(spec: { readonly header: string; readonly field: string; readonly algorithm: 'sha256' | 'sha512' }): SignatureScheme {
  const header = spec.header.toLowerCase();
  const mac = (secret: string, text: string) => createHmac(spec.algorithm, secret).update(Buffer.from(text, 'utf8')).digest();
  return {
    description: `HMAC-${spec.algorithm.toUpperCase()} hex of JSON.stringify(body.${spec.field}) in ${header}`,
    signatureHeader: header,
    headers: [header],
    usesTimestamp: false,
    usesId: false,
    checkSecret(secret) {
      return secret.trim() === '' ? 'the secret is empty' : undefined;
    },
    sign({ body, secret }) {
      const text = fieldText(body, spec.field);
      if (text === undefined) {
        throw new UsageError(`this scheme signs the body's "${spec.field}" object, and the body is not a JSON object with one`, { hint: `send a JSON body like {"event": "...", "${spec.field}": {...}}` });
      }
      return { [header]: mac(secret, text).toString('hex') };
    },
    verify({ body, secret, headers }) {
      const given = headerValue(headers, header)?.trim();
      if (!given) return fail('missing header', `no ${header} header`);
      if (!/^[0-9a-fA-F]+$/.test(given) || given.length % 2 !== 0) return fail('malformed header', `${header} is not hex`);
      const text = fieldText(body, spec.field);
      if (text === undefined) return fail('no matching signature', `the body is not a JSON object with "${spec.field}"`);
      return bytesEqual(mac(secret, text), Buffer.from(given, 'hex')) ? OK : fail('no matching signature', `${header} does not match JSON.stringify(body.${spec.field}) and the secret`);
    },
  };
}
