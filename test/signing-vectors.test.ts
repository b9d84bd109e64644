/**
 * Golden signing vectors: for each built-in signing scheme, a secret, a message id, a time and the
 * exact body, with the headers the provider's official library (or its documentation, written out
 * with node:crypto) computes for them. The vectors are JSON files in test/vectors/, made by
 * test/vectors/generate.mjs without any of this project's code; here the project's public `sign()`
 * must produce exactly those headers on a fixed clock, and `verify()` must accept them.
 * A red test names the provider and the vector; regenerate the files only when an official library
 * changed, never to make a test pass.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { provider, sign, verify } from '../src/index.js';

interface Vector {
  readonly name: string;
  readonly secret: string;
  readonly id: string;
  /** Unix seconds: the fixed clock reads this (plus a fraction of a second). */
  readonly timestamp: number;
  readonly body: string;
  readonly event?: string;
  readonly url?: string;
  /** Where the request goes when the scheme changes the URL (Twilio's bodySHA256). */
  readonly signedUrl?: string;
  /** Asymmetric schemes: the public key the app is configured with. */
  readonly publicKey?: string;
  readonly headers: Readonly<Record<string, string>>;
}

interface VectorFile {
  readonly provider: string;
  readonly source: string;
  readonly vectors: readonly Vector[];
}

const folder = new URL('./vectors/', import.meta.url);
const files: VectorFile[] = readdirSync(folder)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => JSON.parse(readFileSync(new URL(name, folder), 'utf8')) as VectorFile);

/** A clock stopped 0.75 s into the vector's second: the signer must use whole unix seconds. */
const stoppedAt = (seconds: number) => ({ now: () => seconds * 1000 + 750, monotonic: () => 0 });

describe('golden vectors cover every scheme family', () => {
  it('has vectors for the HMAC, Standard Webhooks/Svix, Stripe, URL-signing and Ed25519 providers', () => {
    const covered = files.filter((f) => f.vectors.length > 0).map((f) => f.provider);
    for (const name of ['paystack', 'paykore', 'koard', 'standard', 'stripe', 'github', 'shopify', 'slack', 'twilio', 'square', 'discord']) expect(covered).toContain(name);
    for (const f of files) expect(f.source, `${f.provider}.json names its source`).toMatch(/\S/);
  });
});

describe.each(files.map((f) => [f.provider, f] as const))('%s', (name, file) => {
  const profile = provider(name);

  it.each(file.vectors.map((v) => [v.name, v] as const))('sign() gives exactly the golden headers: %s', (_label, v) => {
    const signed = sign({ provider: name, secret: v.secret, body: v.body, id: v.id, clock: stoppedAt(v.timestamp), ...(v.event ? { event: v.event } : {}), ...(v.url ? { url: v.url } : {}) });
    // Every header the scheme signs with, and every header the vector names, exactly.
    const names = new Set([...profile.scheme.headers, ...Object.keys(v.headers)]);
    expect(Object.fromEntries([...names].map((h) => [h, signed.headers[h]]))).toEqual(v.headers);
    expect(signed.id).toBe(v.id);
    expect(signed.timestamp).toBe(v.timestamp);
    // The bytes that were signed are the bytes given, untouched.
    expect(Buffer.from(signed.body).toString('utf8')).toBe(v.body);
    expect(signed.url).toBe(v.signedUrl ?? v.url);
  });

  it.each(file.vectors.map((v) => [v.name, v] as const))('verify() accepts the golden headers and rejects one changed byte: %s', (_label, v) => {
    const url = v.signedUrl ?? v.url;
    const base = { provider: name, body: v.body, headers: v.headers, now: v.timestamp, ...(url ? { url } : {}) };
    for (const key of [v.secret, ...(v.publicKey ? [v.publicKey] : [])]) {
      expect(verify({ ...base, secret: key })).toEqual({ ok: true });
    }
    const last = v.body.length - 1;
    const tampered = v.body.slice(0, last) + (v.body[last] === '}' ? ']' : '}');
    expect(verify({ ...base, secret: v.secret, body: tampered })).toMatchObject({ ok: false, reason: 'no matching signature' });
  });
});
