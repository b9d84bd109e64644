/** Headers as a plain lower-case record (Node's IncomingHttpHeaders fits). */
export type HeaderRecord = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface SignInput {
  /** The exact bytes that will be sent. */
  readonly body: Uint8Array;
  readonly secret: string;
  /** Message id, for schemes that sign or send one. */
  readonly id: string;
  /** Unix seconds, for schemes that sign or send one. */
  readonly timestamp: number;
  /** The URL the request is sent to, for schemes whose signature covers it (Square, HubSpot, Twilio). */
  readonly url?: string | undefined;
  /** The request method, for schemes that sign it (HubSpot). Default POST. */
  readonly method?: string | undefined;
}

export interface VerifyInput {
  /** The exact bytes that were received. */
  readonly body: Uint8Array;
  readonly secret: string;
  /** Received headers; names are matched case-insensitively. */
  readonly headers: HeaderRecord;
  /** Current unix seconds. */
  readonly now: number;
  /** Allowed clock difference in seconds for timestamped schemes. */
  readonly toleranceSeconds?: number;
  /** The URL the request was sent to, for schemes whose signature covers it. */
  readonly url?: string | undefined;
  /** The request method, for schemes that sign it. Default POST. */
  readonly method?: string | undefined;
}

export type VerifyFailureReason =
  | 'missing header'
  | 'malformed header'
  | 'missing timestamp'
  | 'invalid timestamp'
  | 'timestamp too old'
  | 'timestamp in the future'
  | 'no matching signature'
  | 'missing url';

export type VerifyResult =
  | { readonly ok: true; readonly reason?: undefined; readonly detail?: undefined }
  | { readonly ok: false; readonly reason: VerifyFailureReason; readonly detail: string };

/** A signature scheme: pure, time passed in, compares in constant time. */
export interface SignatureScheme {
  /** Short description, e.g. "HMAC-SHA512 hex of body in x-paystack-signature". */
  readonly description: string;
  /** Lower-case name of the header that carries the signature. */
  readonly signatureHeader: string;
  /** Lower-case header names the scheme sends (signature, id, timestamp). */
  readonly headers: readonly string[];
  readonly usesTimestamp: boolean;
  readonly usesId: boolean;
  /** True when the signature covers the request URL: signing and verifying need it. */
  readonly usesUrl?: boolean;
  /** Default tolerance in seconds (timestamped schemes). */
  readonly toleranceSeconds?: number;
  /** Why this secret cannot be used, or undefined when it can. */
  checkSecret(secret: string): string | undefined;
  /** Headers to send with exactly these bytes (lower-case names). */
  sign(input: SignInput): Record<string, string>;
  verify(input: VerifyInput): VerifyResult;
  /**
   * Schemes that carry the signature inside the body (Mailgun): the bytes to send, with the
   * signature fields filled in. The headers from `sign` go with these bytes.
   */
  signBody?(input: SignInput): Uint8Array;
  /** Schemes that sign with a private key (Ed25519, ECDSA): how the test key pair is made and shown. */
  readonly keyPair?: KeyPairSpec;
  /** Schemes that put something into the URL (Twilio's bodySHA256 for JSON bodies): the URL to send to and sign. */
  signUrl?(input: SignInput): string | undefined;
}

/**
 * An asymmetric scheme's keys. The "secret" such a scheme signs with is a PKCS#8 PEM private key;
 * it verifies with that key or with the public key in the provider's format.
 */
export interface KeyPairSpec {
  /** node:crypto key type. */
  readonly type: 'ed25519' | 'ec-p256';
  /** How the public key is written where the app is configured, e.g. "hex (32 bytes)". */
  readonly publicKeyFormat: string;
  /** A new private key, PKCS#8 PEM. */
  generate(): string;
  /** The public key, in the provider's format, of a private key PEM. */
  publicKey(privateKeyPem: string): string;
}

/** Every value of a header (one per line it arrived on), by case-insensitive name. */
export function headerValues(headers: HeaderRecord, name: string): readonly string[] | undefined {
  const value = headerEntry(headers, name);
  return typeof value === 'string' ? [value] : value;
}

/** First value of a header, by case-insensitive name. */
export function headerValue(headers: HeaderRecord, name: string): string | undefined {
  const value = headerEntry(headers, name);
  return typeof value === 'string' ? value : value?.[0];
}

const ASCII = /^[\x00-\x7f]*$/;

/** A header as recorded (one value, or one per line it arrived on): the first whose name matches case-insensitively. */
function headerEntry(headers: HeaderRecord, name: string): string | readonly string[] | undefined {
  const wanted = name.toLowerCase();
  // An ASCII name (every header name is) matches only a name of its length: the others are passed
  // over without lower-casing them, which the receiver would otherwise do for every header of
  // every delivery, several times.
  const length = ASCII.test(wanted) ? wanted.length : -1;
  // for-in allocates nothing; own names only.
  for (const key in headers) {
    if ((length >= 0 && key.length !== length) || (key !== wanted && key.toLowerCase() !== wanted) || !Object.hasOwn(headers, key)) continue;
    const value = headers[key];
    if (value !== undefined) return value;
  }
  return undefined;
}

export function fail(reason: VerifyFailureReason, detail: string): VerifyResult {
  return { ok: false, reason, detail };
}

export const OK: VerifyResult = { ok: true };
