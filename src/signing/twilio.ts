import { createHash, createHmac } from 'node:crypto';
import { UsageError } from '../errors.js';
import { bytesEqual } from './compare.js';
import { OK, fail, headerValue, type SignatureScheme } from './types.js';

const HEADER = 'x-twilio-signature';

/** True when the body is JSON (Twilio then signs the URL with ?bodySHA256=); otherwise it is form-encoded. */
function isJsonBody(body: Uint8Array): boolean {
  const text = Buffer.from(body).toString('utf8').trimStart();
  if (!text.startsWith('{') && !text.startsWith('[')) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** "{url}{name}{value}..." with names sorted and, per name, its distinct values sorted (as Twilio's SDKs do). */
function twilioSignedText(url: string, params: URLSearchParams): string {
  const byName = new Map<string, Set<string>>();
  for (const [name, value] of params) {
    const values = byName.get(name) ?? new Set<string>();
    values.add(value);
    byName.set(name, values);
  }
  let text = url;
  for (const name of [...byName.keys()].sort()) for (const value of [...byName.get(name)!].sort()) text += name + value;
  return text;
}

/** The URL with bodySHA256=<hex SHA-256 of the body> appended to its query. */
/** Twilio's bodySHA256: hex SHA-256 of the raw JSON body. */
const bodySha256 = (body: Uint8Array) => createHash('sha256').update(body).digest('hex');

function withBodyHash(url: string, body: Uint8Array): string {
  const hash = bodySha256(body);
  return `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${hash}`;
}

/**
 * Twilio: `X-Twilio-Signature: base64 HMAC-SHA1(auth token, URL + sorted form parameters)`.
 * JSON bodies are signed as the URL with `bodySHA256=<hex SHA-256 of the body>` in its query and
 * no parameters. The URL is the one the request is sent to, exactly (scheme, host, port, query).
 */
export function twilioScheme(): SignatureScheme {
  const mac = (secret: string, text: string) => createHmac('sha1', secret).update(Buffer.from(text, 'utf8')).digest();
  return {
    description: 'Twilio (base64 HMAC-SHA1 of the request URL + sorted form parameters; JSON: URL with bodySHA256) in x-twilio-signature',
    signatureHeader: HEADER,
    headers: [HEADER],
    usesTimestamp: false,
    usesId: false,
    usesUrl: true,
    checkSecret(secret) {
      return secret.trim() === '' ? 'the auth token is empty' : undefined;
    },
    signUrl({ body, url }) {
      return url !== undefined && isJsonBody(body) && !new URL(url).searchParams.has('bodySHA256') ? withBodyHash(url, body) : url;
    },
    sign({ body, secret, url }) {
      if (url === undefined) {
        throw new UsageError('Twilio signatures cover the request URL, and no URL was given', { hint: 'pass --url with the exact URL Twilio would call (webhook sign), or send with --to (trigger, replay, check)' });
      }
      const text = new URL(url).searchParams.has('bodySHA256') ? url : twilioSignedText(url, new URLSearchParams(Buffer.from(body).toString('utf8')));
      return { [HEADER]: mac(secret, text).toString('base64') };
    },
    verify({ body, secret, headers, url }) {
      const given = headerValue(headers, HEADER)?.trim();
      if (!given) return fail('missing header', `no ${HEADER} header`);
      if (url === undefined) return fail('no matching signature', 'Twilio signs the request URL: give the URL the request was sent to (--url)');
      const hash = new URL(url).searchParams.get('bodySHA256');
      if (hash !== null) {
        const actual = bodySha256(body);
        if (!bytesEqual(Buffer.from(actual), Buffer.from(hash.toLowerCase()))) return fail('no matching signature', 'bodySHA256 in the URL does not match the body');
      }
      const text = hash !== null ? url : twilioSignedText(url, new URLSearchParams(Buffer.from(body).toString('utf8')));
      return bytesEqual(mac(secret, text), Buffer.from(given, 'base64')) ? OK : fail('no matching signature', `${HEADER} does not match the URL, parameters and auth token`);
    },
  };
}
