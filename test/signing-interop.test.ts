import { createHmac } from 'node:crypto';
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { github } from '../src/providers/github.js';
import { koard } from '../src/providers/koard.js';
import { paykore } from '../src/providers/paykore.js';
import { paystack } from '../src/providers/paystack.js';
import { standard } from '../src/providers/standard.js';
import { stripe } from '../src/providers/stripe.js';

const SVIX_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NOW = 1_700_000_000;
// Odd whitespace, key order, a unicode escape and a number beyond 2^53: only raw bytes verify.
const RAW = '{ "type":"transaction.captured",\n  "data": {"amount": 12345678901234567890, "note":"caf\\u00e9", "id":"txn_1"} }';
const body = Buffer.from(RAW, 'utf8');
const stripeClient = new Stripe('sk_test_interop');

describe('koard (Svix) against the official svix library', () => {
  it('svix verifies what we sign', () => {
    const headers = koard.scheme.sign({ body, secret: SVIX_SECRET, id: 'msg_1', timestamp: Math.floor(Date.now() / 1000) });
    const wh = new SvixWebhook(SVIX_SECRET);
    expect(() => wh.verify(RAW, headers)).not.toThrow();
  });

  it('we verify what svix signs, and reject a tampered body', () => {
    const wh = new SvixWebhook(SVIX_SECRET);
    const signature = wh.sign('msg_2', new Date(NOW * 1000), RAW);
    const headers = { 'svix-id': 'msg_2', 'svix-timestamp': String(NOW), 'svix-signature': signature };
    expect(koard.scheme.verify({ body, secret: SVIX_SECRET, headers, now: NOW })).toEqual({ ok: true });
    const tampered = Buffer.from(RAW.replace('txn_1', 'txn_2'));
    expect(koard.scheme.verify({ body: tampered, secret: SVIX_SECRET, headers, now: NOW }).reason).toBe('no matching signature');
  });

  it('accepts any of several space-separated signatures (key rotation)', () => {
    const old = `whsec_${Buffer.from('an-old-secret-of-32-bytes-long!!').toString('base64')}`;
    const oldSig = new SvixWebhook(old).sign('msg_3', new Date(NOW * 1000), RAW);
    const newSig = new SvixWebhook(SVIX_SECRET).sign('msg_3', new Date(NOW * 1000), RAW);
    const headers = { 'svix-id': 'msg_3', 'svix-timestamp': String(NOW), 'svix-signature': `${oldSig} v1a,ignored ${newSig}` };
    expect(koard.scheme.verify({ body, secret: SVIX_SECRET, headers, now: NOW }).ok).toBe(true);
    expect(koard.scheme.verify({ body, secret: old, headers, now: NOW }).ok).toBe(true);
  });

  it('rejects a timestamp older than five minutes even when the signature matches', () => {
    const headers = koard.scheme.sign({ body, secret: SVIX_SECRET, id: 'msg_4', timestamp: NOW - 301 });
    const result = koard.scheme.verify({ body, secret: SVIX_SECRET, headers, now: NOW });
    expect(result.reason).toBe('timestamp too old');
    expect(koard.scheme.verify({ body, secret: SVIX_SECRET, headers, now: NOW - 1 }).ok).toBe(true);
  });

  it('also verifies the webhook-* header family', () => {
    const signed = standard.scheme.sign({ body, secret: SVIX_SECRET, id: 'msg_5', timestamp: NOW });
    expect(koard.scheme.verify({ body, secret: SVIX_SECRET, headers: signed, now: NOW }).ok).toBe(true);
  });
});

describe('standard against the official standardwebhooks library', () => {
  it('standardwebhooks verifies what we sign', () => {
    const headers = standard.scheme.sign({ body, secret: SVIX_SECRET, id: 'msg_6', timestamp: Math.floor(Date.now() / 1000) });
    expect(Object.keys(headers).sort()).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
    expect(() => new StandardWebhook(SVIX_SECRET).verify(RAW, headers)).not.toThrow();
  });

  it('we verify what standardwebhooks signs', () => {
    const signature = new StandardWebhook(SVIX_SECRET).sign('msg_7', new Date(NOW * 1000), RAW);
    const headers = { 'webhook-id': 'msg_7', 'webhook-timestamp': String(NOW), 'webhook-signature': signature };
    expect(standard.scheme.verify({ body, secret: SVIX_SECRET, headers, now: NOW }).ok).toBe(true);
  });
});

describe('stripe against the official stripe library', () => {
  const secret = 'whsec_test_stripe_secret';
  const json = '{"id":"evt_1", "type":"payment_intent.succeeded","object":"event"}';

  it('stripe.webhooks.constructEvent accepts what we sign', () => {
    const headers = stripe.scheme.sign({ body: Buffer.from(json), secret, id: '', timestamp: Math.floor(Date.now() / 1000) });
    const event = stripeClient.webhooks.constructEvent(json, headers['stripe-signature']!, secret);
    expect(event.id).toBe('evt_1');
  });

  it('we verify generateTestHeaderString, and reject a wrong secret', () => {
    const header = stripeClient.webhooks.generateTestHeaderString({ payload: json, secret, timestamp: NOW });
    const headers = { 'stripe-signature': header };
    expect(stripe.scheme.verify({ body: Buffer.from(json), secret, headers, now: NOW }).ok).toBe(true);
    expect(stripe.scheme.verify({ body: Buffer.from(json), secret: 'whsec_other', headers, now: NOW }).reason).toBe('no matching signature');
  });
});

describe('github against @octokit/webhooks-methods', () => {
  const secret = 'octo-secret';
  it('octokit verifies what we sign and we verify what octokit signs', async () => {
    const headers = github.scheme.sign({ body, secret, id: 'd1', timestamp: NOW });
    expect(await octokitVerify(secret, RAW, headers['x-hub-signature-256']!)).toBe(true);
    const theirs = await octokitSign(secret, RAW);
    expect(github.scheme.verify({ body, secret, headers: { 'x-hub-signature-256': theirs }, now: NOW }).ok).toBe(true);
  });
});

describe('plain HMAC providers against Node crypto', () => {
  it('paystack: hex HMAC-SHA512 of the raw body keyed with the secret key', () => {
    const secret = 'sk_test_abc123';
    const headers = paystack.scheme.sign({ body, secret, id: 'x', timestamp: NOW });
    expect(headers['x-paystack-signature']).toBe(createHmac('sha512', secret).update(RAW).digest('hex'));
    expect(paystack.scheme.verify({ body, secret, headers, now: NOW }).ok).toBe(true);
  });

  it('paykore: sha256= + hex HMAC-SHA256 keyed with the whsec_ string as given', () => {
    const secret = 'whsec_plainstring';
    const headers = paykore.scheme.sign({ body, secret, id: 'x', timestamp: NOW });
    expect(headers['x-paykore-signature']).toBe(`sha256=${createHmac('sha256', secret).update(RAW).digest('hex')}`);
    expect(paykore.scheme.verify({ body, secret, headers: { 'X-PayKore-Signature': headers['x-paykore-signature'] }, now: NOW }).ok).toBe(true);
  });
});

describe('exact bytes', () => {
  const providers = [
    { profile: paystack, secret: 'sk_test_abc' },
    { profile: paykore, secret: 'whsec_abc' },
    { profile: koard, secret: SVIX_SECRET },
    { profile: stripe, secret: 'whsec_abc' },
    { profile: github, secret: 'abc' },
  ];
  for (const { profile, secret } of providers) {
    it(`${profile.name}: the bytes given verify; the same JSON re-serialised does not`, () => {
      const headers = profile.scheme.sign({ body, secret, id: 'msg_x', timestamp: NOW });
      expect(profile.scheme.verify({ body, secret, headers, now: NOW }).ok).toBe(true);
      const reserialised = Buffer.from(JSON.stringify(JSON.parse(RAW)));
      expect(reserialised.equals(body)).toBe(false);
      expect(profile.scheme.verify({ body: reserialised, secret, headers, now: NOW })).toMatchObject({ ok: false, reason: 'no matching signature' });
    });
  }
});

describe('malformed headers never throw', () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['empty', {}],
    ['garbage', { 'x-paystack-signature': 'zz not hex', 'svix-signature': '%%%', 'stripe-signature': 't=abc', 'svix-id': 'm', 'svix-timestamp': 'soon' }],
  ];
  for (const [name, headers] of cases) {
    it(`${name} headers give a reason`, () => {
      for (const profile of [paystack, paykore, koard, standard, stripe, github]) {
        const result = profile.scheme.verify({ body, secret: profile === koard || profile === standard ? SVIX_SECRET : 's', headers, now: NOW });
        expect(result.ok).toBe(false);
        expect(result.reason).toMatch(/missing|malformed|timestamp|no matching/);
      }
    });
  }
});
