import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { UsageError } from '../errors.js';
import { checkTimestamp } from './timestamp.js';
import { OK, fail, headerValue, type HeaderRecord, type KeyPairSpec, type SignatureScheme, type VerifyResult } from './types.js';

const PEM_PRIVATE = /^-----BEGIN PRIVATE KEY-----/;

/** The private key in a PKCS#8 PEM, or undefined when the text is not one (or not of this type). */
function privateKeyOf(secret: string, type: 'ed25519' | 'ec'): KeyObject | undefined {
  if (!PEM_PRIVATE.test(secret.trim())) return undefined;
  try {
    const key = createPrivateKey(secret);
    return key.asymmetricKeyType === type ? key : undefined;
  } catch {
    return undefined;
  }
}

function publicOnly(provider: string, spec: KeyPairSpec): never {
  throw new UsageError(`the ${provider} key given is a public key: it verifies signatures but cannot make them`, {
    hint: `leave out --secret (and its env var) to sign with the stored test key pair; configure your app with \`webhook keys ${provider}\` (${spec.publicKeyFormat})`,
  });
}

/** Two headers: the signature and the timestamp that was signed in front of the body. */
interface AsymmetricHeaders {
  readonly signature: string;
  readonly timestamp: string;
}

function timestampAndBody(timestamp: string, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(timestamp, 'utf8'), body]);
}

// ---- Ed25519 (Discord interactions) -------------------------------------------------------------

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Discord's public key format: the 32 raw key bytes in hex. */
export const ed25519Keys: KeyPairSpec = {
  type: 'ed25519',
  publicKeyFormat: 'hex, 64 characters (the raw 32-byte Ed25519 key)',
  generate() {
    return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  },
  publicKey(privateKeyPem) {
    const key = createPublicKey(privateKeyPem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`an ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
    return key.export({ type: 'spki', format: 'der' }).subarray(ED25519_SPKI_PREFIX.length).toString('hex');
  },
};

function ed25519PublicKey(secret: string): KeyObject | undefined {
  const priv = privateKeyOf(secret, 'ed25519');
  if (priv) return createPublicKey(priv);
  const hex = secret.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return undefined;
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
}

/** A delivery's signature and timestamp headers, the timestamp checked against `now`; or why not. */
function signatureAndTimestamp(received: HeaderRecord, headers: { signature: string; timestamp: string }, now: number, tolerance: number): { signature: string; timestamp: string } | VerifyResult {
  const signature = headerValue(received, headers.signature)?.trim();
  if (!signature) return fail('missing header', `no ${headers.signature} header`);
  const timestamp = headerValue(received, headers.timestamp);
  const checked = checkTimestamp(timestamp, now, tolerance);
  if (typeof checked !== 'number') return checked;
  return { signature, timestamp: timestamp!.trim() };
}

/**
 * A signature algorithm of a key-pair scheme: how it signs "{timestamp}{body}", how its signature
 * is written, and which keys it takes.
 */
interface KeyAlgorithm {
  readonly keys: KeyPairSpec;
  readonly privateType: 'ed25519' | 'ec';
  readonly hash: null | 'sha256';
  readonly encoding: 'hex' | 'base64';
  readonly signaturePattern: RegExp;
  /** Why a signature of the wrong shape is malformed, e.g. "is not base64". */
  readonly malformed: string;
  /** The key kind with its article, for messages: "an Ed25519", "a P-256". */
  readonly aKey: string;
  readonly description: string;
  publicKeyOf(secret: string): KeyObject | undefined;
}

/**
 * Sign "{timestamp}{body}" (no separator) with a PKCS#8 private key; verify with it or with the
 * public key in the provider's format.
 */
function keyPairScheme(provider: string, names: AsymmetricHeaders, algorithm: KeyAlgorithm, toleranceSeconds: number): SignatureScheme {
  const headers = { signature: names.signature.toLowerCase(), timestamp: names.timestamp.toLowerCase() };
  const { keys } = algorithm;
  return {
    description: `${algorithm.description} of "{timestamp}{body}" in ${headers.signature} (verify with the public key)`,
    signatureHeader: headers.signature,
    headers: [headers.signature, headers.timestamp],
    usesTimestamp: true,
    usesId: false,
    toleranceSeconds,
    keyPair: keys,
    checkSecret(secret) {
      if (secret.trim() === '') return 'the key is empty';
      return algorithm.publicKeyOf(secret) ? undefined : `it is neither ${algorithm.aKey} private key (PKCS#8 PEM) nor a public key (${keys.publicKeyFormat})`;
    },
    sign({ body, secret, timestamp }) {
      const key = privateKeyOf(secret, algorithm.privateType) ?? publicOnly(provider, keys);
      const ts = String(timestamp);
      return { [headers.signature]: cryptoSign(algorithm.hash, timestampAndBody(ts, body), key).toString(algorithm.encoding), [headers.timestamp]: ts };
    },
    verify({ body, secret, headers: received, now, toleranceSeconds: tolerance }) {
      const read = signatureAndTimestamp(received, headers, now, tolerance ?? toleranceSeconds);
      if ('ok' in read) return read;
      const { signature, timestamp } = read;
      if (!algorithm.signaturePattern.test(signature)) return fail('malformed header', `${headers.signature} ${algorithm.malformed}`);
      const key = algorithm.publicKeyOf(secret);
      if (!key) return fail('no matching signature', `the verification key is not ${algorithm.aKey} key`);
      return cryptoVerify(algorithm.hash, timestampAndBody(timestamp, body), key, Buffer.from(signature, algorithm.encoding))
        ? OK
        : fail('no matching signature', `${headers.signature} does not match the timestamp, body and public key`);
    },
  };
}

/** Ed25519, hex signature: Discord's interactions endpoint (verified with the hex public key). */
export function ed25519Scheme(provider: string, names: AsymmetricHeaders, toleranceSeconds = 300): SignatureScheme {
  return keyPairScheme(provider, names, { keys: ed25519Keys, privateType: 'ed25519', hash: null, encoding: 'hex', signaturePattern: /^[0-9a-fA-F]{128}$/, malformed: 'is not a 64-byte hex signature', aKey: 'an Ed25519', description: 'Ed25519 hex signature', publicKeyOf: ed25519PublicKey }, toleranceSeconds);
}

// ---- ECDSA P-256 (SendGrid Event Webhook) -------------------------------------------------------

/** SendGrid's public key format: base64 of the SubjectPublicKeyInfo DER (no PEM armour). */
export const p256Keys: KeyPairSpec = {
  type: 'ec-p256',
  publicKeyFormat: 'base64 of the SPKI DER (what the dashboard shows as the verification key)',
  generate() {
    return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  },
  publicKey(privateKeyPem) {
    const key = createPublicKey(privateKeyPem);
    if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error(`an ${key.asymmetricKeyType ?? 'unknown'} key, not P-256`);
    return key.export({ type: 'spki', format: 'der' }).toString('base64');
  },
};

function p256PublicKey(secret: string): KeyObject | undefined {
  const priv = privateKeyOf(secret, 'ec');
  const text = secret.trim();
  let key: KeyObject | undefined;
  try {
    if (priv) key = createPublicKey(priv);
    else if (/^-----BEGIN PUBLIC KEY-----/.test(text)) key = createPublicKey(text);
    else if (/^[A-Za-z0-9+/]+={0,2}$/.test(text)) key = createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
  return key?.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? key : undefined;
}

/** ECDSA P-256 with SHA-256, base64 DER signature: SendGrid's signed Event Webhook (verified with the base64 SPKI public key). */
export function p256Scheme(provider: string, names: AsymmetricHeaders, toleranceSeconds = 300): SignatureScheme {
  return keyPairScheme(provider, names, { keys: p256Keys, privateType: 'ec', hash: 'sha256', encoding: 'base64', signaturePattern: /^[A-Za-z0-9+/]+={0,2}$/, malformed: 'is not base64', aKey: 'a P-256', description: 'ECDSA P-256 (SHA-256) base64 DER signature', publicKeyOf: p256PublicKey }, toleranceSeconds);
}
