#!/usr/bin/env node
/**
 * Regenerates the golden signing vectors in this folder (one JSON file per provider):
 *
 *   node test/vectors/generate.mjs
 *
 * Every expected header is computed HERE, independently of the project: with the provider's
 * official library where one exists in devDependencies (stripe, svix, standardwebhooks,
 * @octokit/webhooks-methods, twilio, tweetnacl for Ed25519), else with node:crypto written out
 * as the provider's documentation describes it (and, where the official library can only
 * verify, checked with that library: square, razorpay). Nothing here imports src/ or dist/.
 * test/signing-vectors.test.ts then asserts that the project's public `sign()` produces exactly
 * these headers from the same secret, id, clock and body.
 *
 * The inputs are fixed, so running this again must leave the files unchanged (git diff is empty);
 * a change means an official library changed its output.
 */
import { createHash, createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import Razorpay from 'razorpay';
import { WebhooksHelper } from 'square';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import nacl from 'tweetnacl';
import twilioLib from 'twilio';

const folder = new URL('./', import.meta.url);

/** Fixed inputs shared by the vectors. */
const TIMESTAMP = 1_767_225_600; // 2026-01-01T00:00:00Z
// Odd whitespace, key order, a unicode escape, a raw non-ASCII character and a number beyond 2^53:
// only the exact bytes verify.
const RAW = '{ "event":"charge.success",\n  "data": {"amount": 12345678901234567890, "note":"caf\\u00e9 ✓", "id":"txn_1"} }';
const COMPACT = '{"type":"invoice.paid","data":{"object":{"id":"in_1","amount_paid":5000}}}';
const SVIX_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const hmac = (algorithm, key, text) => createHmac(algorithm, key).update(Buffer.from(text, 'utf8'));

function write(provider, source, vectors) {
  const file = new URL(`${provider}.json`, folder);
  writeFileSync(file, `${JSON.stringify({ provider, source, generatedBy: 'test/vectors/generate.mjs', vectors }, null, 2)}\n`);
  console.log(`wrote ${provider}.json (${vectors.length} vector${vectors.length === 1 ? '' : 's'})`);
}

/** A vector: the inputs the signer gets and the headers it must produce. */
const vector = (name, input, headers, extra = {}) => ({ name, ...input, timestamp: input.timestamp ?? TIMESTAMP, ...extra, headers });

// ---- Paystack: hex HMAC-SHA512 of the raw body, keyed with the secret key --------------------
{
  const source = 'node:crypto, as https://paystack.com/docs/payments/webhooks/#verify-event-origin describes (hex HMAC-SHA512 of the raw body, keyed with the secret key)';
  const v = [
    { name: 'odd JSON bytes', secret: 'sk_test_0123456789abcdef0123456789abcdef01234567', id: 'evt_paystack_1', body: RAW },
    { name: 'compact body', secret: 'sk_live_fedcba9876543210', id: 'evt_paystack_2', body: COMPACT },
  ].map((input) => vector(input.name, input, { 'x-paystack-signature': hmac('sha512', input.secret, input.body).digest('hex') }));
  write('paystack', source, v);
}

// ---- PayKore: "sha256=" + hex HMAC-SHA256, keyed with the whsec_ string as given -------------
{
  const source = "node:crypto, as docs/providers/paykore.md describes: sha256= + hex HMAC-SHA256 of the raw body, keyed with the whole whsec_ secret";
  const v = [{ name: 'odd JSON bytes', secret: 'whsec_paykore_golden_secret', id: 'evt_paykore_1', body: RAW }].map((input) =>
    vector(input.name, input, { 'x-paykore-signature': `sha256=${hmac('sha256', input.secret, input.body).digest('hex')}` }),
  );
  write('paykore', source, v);
}

// ---- Koard (Svix): svix-id, svix-timestamp, svix-signature -----------------------------------
/** Vectors of a Standard Webhooks family (id, timestamp, signature headers), signed by its official library. */
function standardFamily(file, source, prefix, Webhook, inputs) {
  const v = inputs.map((input) =>
    vector(input.name, input, {
      [`${prefix}-id`]: input.id,
      [`${prefix}-timestamp`]: String(TIMESTAMP),
      [`${prefix}-signature`]: new Webhook(input.secret).sign(input.id, new Date(TIMESTAMP * 1000), input.body),
    }),
  );
  write(file, source, v);
}

standardFamily('koard', 'svix (official library): new Webhook(secret).sign(id, date, body)', 'svix', SvixWebhook, [
  { name: 'odd JSON bytes', secret: SVIX_SECRET, id: 'msg_2zHqB5xKJ0cM6tW9', body: RAW },
  { name: 'compact body, secret without whsec_ prefix', secret: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', id: 'msg_koard_2', body: COMPACT },
]);

// ---- Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature ---------------------
standardFamily('standard', 'standardwebhooks (official library): new Webhook(secret).sign(id, date, body)', 'webhook', StandardWebhook, [
  { name: 'odd JSON bytes', secret: SVIX_SECRET, id: 'msg_standard_1', body: RAW },
]);

// ---- Stripe: t=<ts>,v1=<hex HMAC-SHA256 of "{t}.{body}"> --------------------------------------
{
  const source = 'stripe (official library): stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp })';
  const stripe = new Stripe('sk_test_vectors');
  const v = [
    { name: 'odd JSON bytes', secret: 'whsec_test_stripe_golden', id: 'evt_stripe_1', body: RAW },
    { name: 'compact body', secret: 'whsec_0123456789abcdefghij', id: 'evt_stripe_2', body: COMPACT },
  ].map((input) => vector(input.name, input, { 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: input.body, secret: input.secret, timestamp: TIMESTAMP }) }));
  write('stripe', source, v);
}

// ---- GitHub: x-hub-signature-256 (and the legacy SHA-1 x-hub-signature) ----------------------
{
  const source =
    '@octokit/webhooks-methods (official library) sign(secret, body) for x-hub-signature-256; node:crypto for the legacy x-hub-signature (sha1=<hex HMAC-SHA1>), as https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries describes';
  const v = [];
  for (const input of [
    { name: 'odd JSON bytes', secret: "It's a Secret to Everybody", id: '72d3162e-cc78-11e3-81ab-4c9367dc0958', event: 'push', body: RAW },
    // GitHub's own example: secret and payload from the docs page above, whose signature it gives as
    // 757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17.
    { name: "GitHub's documented example", secret: "It's a Secret to Everybody", id: 'd0c5e8f0-0000-4000-8000-000000000001', event: 'ping', body: 'Hello, World!' },
  ]) {
    v.push(vector(input.name, input, { 'x-hub-signature-256': await octokitSign(input.secret, input.body), 'x-hub-signature': `sha1=${hmac('sha1', input.secret, input.body).digest('hex')}` }));
  }
  if (v[1].headers['x-hub-signature-256'] !== 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17') throw new Error("GitHub's documented example does not reproduce");
  write('github', source, v);
}

// ---- Shopify: base64 HMAC-SHA256 of the raw body ----------------------------------------------
{
  const source = 'node:crypto, as https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook describes (base64 HMAC-SHA256 of the raw body, keyed with the client secret)';
  const v = [
    // The vector @shopify/shopify-api publishes in its own tests (lib/webhooks/__tests__/validate.test.ts).
    { name: "@shopify/shopify-api's test vector", secret: 'test_secret_key', id: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', body: '{"foo": "bar"}' },
    { name: 'odd JSON bytes', secret: 'shpss_0123456789abcdef0123456789abcdef', id: 'shopify-webhook-2', body: RAW },
  ].map((input) => vector(input.name, input, { 'x-shopify-hmac-sha256': hmac('sha256', input.secret, input.body).digest('base64') }));
  if (v[0].headers['x-shopify-hmac-sha256'] !== 'B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=') throw new Error("@shopify/shopify-api's vector does not reproduce");
  write('shopify', source, v);
}

// ---- Slack: v0=<hex HMAC-SHA256 of "v0:{timestamp}:{body}"> -----------------------------------
{
  const source = 'node:crypto, as https://api.slack.com/authentication/verifying-requests-from-slack describes (v0= + hex HMAC-SHA256 of "v0:" + timestamp + ":" + body)';
  const v = [
    // Slack's documented example (signing secret, timestamp, body and signature from the page above).
    {
      name: "Slack's documented example",
      secret: '8f742231b10e8888abcd99yyyzzz85a5',
      id: 'slack-1',
      timestamp: 1531420618,
      body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
    },
    { name: 'odd JSON bytes', secret: '0123456789abcdef0123456789abcdef', id: 'slack-2', body: RAW },
  ].map((input) => {
    const ts = input.timestamp ?? TIMESTAMP;
    return vector(input.name, input, { 'x-slack-signature': `v0=${hmac('sha256', input.secret, `v0:${ts}:${input.body}`).digest('hex')}`, 'x-slack-request-timestamp': String(ts) });
  });
  if (v[0].headers['x-slack-signature'] !== 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503') throw new Error("Slack's documented example does not reproduce");
  write('slack', source, v);
}

// ---- Square: base64 HMAC-SHA256 of notification URL + body ------------------------------------
{
  const source =
    'node:crypto, as https://developer.squareup.com/docs/webhooks/step3validate describes (base64 HMAC-SHA256 of the notification URL followed by the raw body); each checked with square (official library) WebhooksHelper.verifySignature';
  const v = [
    { name: 'odd JSON bytes', secret: 'Ux9y0qQm2xZ3GhW8kR4uNw', id: 'sq-1', url: 'https://example.com/webhooks/square', body: RAW },
    { name: 'URL with a query', secret: 'asdf1234', id: 'sq-2', url: 'https://example.com/hooks?env=sandbox&x=1', body: COMPACT },
  ].map((input) => vector(input.name, input, { 'x-square-hmacsha256-signature': hmac('sha256', input.secret, input.url + input.body).digest('base64') }));
  for (const x of v) {
    const ok = await WebhooksHelper.verifySignature({ requestBody: x.body, signatureHeader: x.headers['x-square-hmacsha256-signature'], signatureKey: x.secret, notificationUrl: x.url });
    if (!ok) throw new Error(`square does not verify ${x.name}`);
  }
  write('square', source, v);
}

// ---- Razorpay: hex HMAC-SHA256 of the raw body -------------------------------------------------
{
  const source = 'node:crypto, as https://razorpay.com/docs/webhooks/validate-test/ describes (hex HMAC-SHA256 of the raw body); checked with razorpay (official library) validateWebhookSignature';
  const v = [{ name: 'odd JSON bytes', secret: 'razorpay_webhook_secret', id: 'rzp-1', body: RAW }].map((input) =>
    vector(input.name, input, { 'x-razorpay-signature': hmac('sha256', input.secret, input.body).digest('hex') }),
  );
  for (const x of v) if (!Razorpay.validateWebhookSignature(x.body, x.headers['x-razorpay-signature'], x.secret)) throw new Error(`razorpay does not verify ${x.name}`);
  write('razorpay', source, v);
}

// ---- Twilio: base64 HMAC-SHA1 of URL + sorted parameters; JSON bodies via bodySHA256 -----------
{
  const source = 'twilio (official library): getExpectedTwilioSignature(authToken, url, params) and getExpectedBodyHash(body)';
  // Twilio's documented example (auth token, URL, parameters and signature), as the twilio-php
  // request validation guide gives it: docs/usage/validation.rst of twilio-php.
  const token = '12345';
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const form = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
  const formBody = new URLSearchParams(form).toString();
  const jsonUrl = `${url}&bodySHA256=${twilioLib.getExpectedBodyHash(COMPACT)}`;
  const v = [
    vector("Twilio's documented example (form-encoded parameters)", { secret: token, id: 'tw-1', url, body: formBody }, { 'x-twilio-signature': twilioLib.getExpectedTwilioSignature(token, url, form) }),
    // A JSON body: the URL gets bodySHA256=<hex SHA-256 of the body> and no parameters are signed.
    vector('JSON body (bodySHA256 in the URL)', { secret: token, id: 'tw-2', url, body: COMPACT }, { 'x-twilio-signature': twilioLib.getExpectedTwilioSignature(token, jsonUrl, {}) }, { signedUrl: jsonUrl }),
  ];
  if (v[0].headers['x-twilio-signature'] !== 'RSOYDt4T1cUTdK1PDd93/VVr8B8=') throw new Error("Twilio's documented example does not reproduce");
  if (twilioLib.getExpectedBodyHash(COMPACT) !== createHash('sha256').update(COMPACT).digest('hex')) throw new Error('bodySHA256 is not the hex SHA-256 of the body');
  write('twilio', source, v);
}

// ---- Discord: Ed25519 hex signature of "{timestamp}{body}" (deterministic) ---------------------
{
  const source = 'tweetnacl (Ed25519 reference implementation, as discord-interactions uses): nacl.sign.detached(timestamp + body, key from a fixed seed); https://discord.com/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers';
  const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'); // RFC 8032 test 1 secret key
  const pair = nacl.sign.keyPair.fromSeed(seed);
  // PKCS#8 for Ed25519 (RFC 8410): a fixed 16-byte DER prefix, then the 32-byte seed.
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const pem = `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').match(/.{1,64}/g).join('\n')}\n-----END PRIVATE KEY-----\n`;
  const publicKey = Buffer.from(pair.publicKey).toString('hex');
  if (publicKey !== 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a') throw new Error('the RFC 8032 key pair does not reproduce');
  const v = [
    { name: 'PING interaction', secret: pem, id: 'discord-1', body: '{"type":1,"id":"1000000000000000001","application_id":"1000000000000000000","token":"t"}' },
    { name: 'odd JSON bytes', secret: pem, id: 'discord-2', body: RAW },
  ].map((input) =>
    vector(
      input.name,
      input,
      {
        'x-signature-ed25519': Buffer.from(nacl.sign.detached(Buffer.from(`${TIMESTAMP}${input.body}`, 'utf8'), pair.secretKey)).toString('hex'),
        'x-signature-timestamp': String(TIMESTAMP),
      },
      { publicKey },
    ),
  );
  write('discord', source, v);
}
