import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { bytesEqual } from './compare.js';
import { checkTimestamp } from './timestamp.js';
import { OK, fail, headerValue, type SignatureScheme } from './types.js';

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';
export type SignatureEncoding = 'hex' | 'base64';
/**
 * What is signed: a template over `{body}` (the raw bytes, exactly once), `{timestamp}`, `{id}`,
 * `{url}` (the URL the request is sent to) and `{method}`, e.g. "{body}", "{timestamp}.{body}",
 * "v0:{timestamp}:{body}", "{url}{body}", "{method}{url}{body}{timestamp}".
 */
export type SignedContent = string;

/** A plain HMAC scheme described by data (PayKore, Paystack, GitHub, Slack, Square, generic and custom). */
export interface HmacSchemeSpec {
  readonly header: string;
  readonly algorithm: HmacAlgorithm;
  readonly encoding: SignatureEncoding;
  /** Text before the signature in the header, e.g. "sha256=". Default none. */
  readonly prefix?: string;
  /**
   * The whole header value as a template over `{signature}` and `{timestamp}`, for headers
   * that carry more than a prefix, e.g. Paddle's "ts={timestamp};h1={signature}". Default
   * `{prefix}{signature}`. With `{timestamp}` here, no timestamp header is needed.
   */
  readonly signatureFormat?: string;
  /** Default "{body}". */
  readonly signedContent?: SignedContent;
  /** The header carrying the timestamp, when signedContent uses it and signatureFormat does not. */
  readonly timestampHeader?: string;
  /** Unit of the sent timestamp. Default seconds (HubSpot sends milliseconds). */
  readonly timestampUnit?: 'seconds' | 'milliseconds';
  /** Required when signedContent includes {id}; sent when set. */
  readonly idHeader?: string;
  /** How the secret becomes the HMAC key. Default utf8 (the string as given). */
  readonly secretEncoding?: 'utf8' | 'base64';
  /** Seconds of clock difference accepted (timestamped content). Default 300. */
  readonly toleranceSeconds?: number;
}

/** Values for the placeholders of a signed-content template. */
export interface SignedParts {
  readonly id?: string;
  /** As sent (unix seconds, or milliseconds for schemes that send those). */
  readonly timestamp?: number | string;
  readonly url?: string;
  readonly method?: string;
}

/** Placeholder names used in a template, in order. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{([a-z]+)\}/g)].map((m) => m[1] ?? '');
}

/** Bytes of the template with `{body}` replaced by the raw body and the other placeholders by `parts`. */
export function signedBytes(content: SignedContent, body: Uint8Array, id: string, timestamp: number | string, extra: SignedParts = {}): Buffer {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (content === '{body}') return raw;
  const values: Record<string, string> = { id, timestamp: String(timestamp), url: extra.url ?? '', method: (extra.method ?? 'POST').toUpperCase() };
  const text = (s: string) => Buffer.from(s.replace(/\{(id|timestamp|url|method)\}/g, (_, name: string) => values[name] ?? ''), 'utf8');
  const at = content.indexOf('{body}');
  if (at < 0) return text(content);
  return Buffer.concat([text(content.slice(0, at)), raw, text(content.slice(at + '{body}'.length))]);
}

/**
 * `decode` as a key made once per secret: the last secret's key is kept, so a run signing many
 * messages with one secret decodes it and copies it into a key once, not once per message.
 */
export function keyOnce(decode: (secret: string) => Buffer): (secret: string) => KeyObject {
  let last: string | undefined;
  let key: KeyObject | undefined;
  return (secret) => {
    if (key === undefined || secret !== last) {
      key = createSecretKey(decode(secret));
      last = secret;
    }
    return key;
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A regular expression reading `{signature}` and `{timestamp}` out of a header value. What
 * follows the format must be nothing or a separator (Paddle may append more `;h1=` values).
 */
function formatPattern(format: string): RegExp {
  const parts = format.split(/(\{signature\}|\{timestamp\})/);
  const source = parts
    .map((part) => (part === '{signature}' ? '(?<signature>[A-Za-z0-9+/=_-]+)' : part === '{timestamp}' ? '(?<timestamp>\\d+)' : escapeRegExp(part)))
    .join('');
  return new RegExp(`^${source}(?:$|[;,\\s])`);
}

export function hmacScheme(spec: HmacSchemeSpec): SignatureScheme {
  const header = spec.header.toLowerCase();
  const prefix = spec.prefix ?? '';
  const format = spec.signatureFormat ?? `${prefix}{signature}`;
  const pattern = formatPattern(format);
  // The text just before {signature} when it separates parts (";h1=", ",v1="): repeated signatures follow it.
  const lead = /[;,]([^;,{}]*)\{signature\}/.exec(format);
  const repeated = lead ? new RegExp(`[;,]${escapeRegExp(lead[1] ?? '')}([A-Za-z0-9+/=_-]+)`, 'g') : undefined;
  const content = spec.signedContent ?? '{body}';
  const used = new Set(placeholders(content));
  const usesTimestamp = used.has('timestamp');
  const usesId = used.has('id');
  const usesUrl = used.has('url');
  const timestampInFormat = format.includes('{timestamp}');
  const timestampHeader = timestampInFormat ? undefined : spec.timestampHeader?.toLowerCase();
  const millis = spec.timestampUnit === 'milliseconds';
  const idHeader = spec.idHeader?.toLowerCase();
  const tolerance = spec.toleranceSeconds ?? 300;
  const key = keyOnce((secret) => (spec.secretEncoding === 'base64' ? Buffer.from(secret.replace(/^whsec_/, ''), 'base64') : Buffer.from(secret, 'utf8')));
  const mac = (secret: string, bytes: Buffer): Buffer => createHmac(spec.algorithm, key(secret)).update(bytes).digest();
  // Hex: Buffer.from stops at the first pair that is not hex, so whole hex is exactly two characters a byte.
  const decode = (g: string): Buffer | undefined => {
    const bytes = Buffer.from(g, spec.encoding);
    return spec.encoding === 'base64' || bytes.length * 2 === g.length ? bytes : undefined;
  };

  const headers = [header, ...(timestampHeader ? [timestampHeader] : []), ...(idHeader ? [idHeader] : [])];
  const what = content === '{body}' ? 'the raw body' : `"${content}"`;
  const shown = spec.signatureFormat ? ` as "${spec.signatureFormat}"` : prefix ? ` (prefixed "${prefix}")` : '';
  return {
    description: `HMAC-${spec.algorithm.toUpperCase()} ${spec.encoding} of ${what} in ${header}${shown}`,
    signatureHeader: header,
    headers,
    usesTimestamp,
    usesId,
    ...(usesUrl ? { usesUrl } : {}),
    ...(usesTimestamp ? { toleranceSeconds: tolerance } : {}),
    checkSecret(secret) {
      if (secret.trim() === '') return 'the secret is empty';
      if (spec.secretEncoding === 'base64') {
        const b64 = secret.replace(/^whsec_/, '');
        if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return 'the secret is not valid base64';
      }
      return undefined;
    },
    sign({ body, secret, id, timestamp, url, method }) {
      const sent = millis ? timestamp * 1000 : timestamp;
      const signature = mac(secret, signedBytes(content, body, id, sent, { url: url ?? '', method: method ?? 'POST' })).toString(spec.encoding);
      const out: Record<string, string> = { [header]: format.replace('{timestamp}', String(sent)).replace('{signature}', signature) };
      if (timestampHeader) out[timestampHeader] = String(sent);
      if (idHeader) out[idHeader] = id;
      return out;
    },
    verify({ body, secret, headers: received, now, toleranceSeconds, url, method }) {
      const value = headerValue(received, header);
      if (value === undefined || value.trim() === '') return fail('missing header', `no ${header} header`);
      const trimmed = value.trim();
      if (!spec.signatureFormat && prefix && !trimmed.startsWith(prefix)) {
        return fail('malformed header', `${header} does not start with "${prefix}"`);
      }
      const match = pattern.exec(trimmed);
      const parsed = match?.groups;
      if (!match || !parsed?.signature) return fail('malformed header', `${header} does not look like "${format}"`);
      let sentTimestamp = '';
      if (usesTimestamp) {
        const raw = timestampInFormat ? parsed.timestamp : timestampHeader ? headerValue(received, timestampHeader)?.trim() : undefined;
        const checked = checkTimestamp(raw, now, toleranceSeconds ?? tolerance, millis ? 'milliseconds' : 'seconds');
        if (typeof checked !== 'number') return checked;
        sentTimestamp = raw!.trim(); // signed as sent
      }
      const id = usesId && idHeader ? (headerValue(received, idHeader) ?? '') : '';
      if (usesId && id === '') return fail('missing header', `no ${idHeader} header`);
      if (usesUrl && !url) return fail('missing url', 'this signature covers the URL the request was sent to: give that URL (--url)');
      const expected = mac(secret, signedBytes(content, body, id, sentTimestamp, { url: url ?? '', method: method ?? 'POST' }));
      const first = decode(parsed.signature);
      if (first === undefined) return fail('malformed header', `${header} is not ${spec.encoding}`);
      // During secret rotation some providers repeat the signature part (Paddle: ";h1=a;h1=b"): any may match.
      const matches = (bytes: Buffer | undefined) => bytes !== undefined && bytesEqual(expected, bytes);
      return matches(first) || (repeated !== undefined && [...trimmed.slice(match[0].length - 1).matchAll(repeated)].some((m) => matches(decode(m[1] ?? ''))))
        ? OK
        : fail('no matching signature', `${header} does not match the body and secret${usesUrl ? ' (and URL)' : ''}`);
    },
  };
}

