import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Paddle } from '@paddle/paddle-node-sdk';
import { validateWebhookSignature } from 'razorpay/dist/utils/razorpay-utils.js';
import { WebhooksHelper } from 'square';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { sign as apiSign, verify as apiVerify } from '../src/index.js';
import { BUILTIN_FIXTURES_DIR } from '../src/payloads/catalog.js';
import { readFixtureFile } from '../src/payloads/load.js';
import { systemTemplateSource } from '../src/payloads/template.js';
import { BUILTIN_PROVIDERS, type ProviderProfile } from '../src/providers/index.js';
import { runCli } from './support/cli.js';
import { startListenCli, type ListenProcess } from './support/listen.js';
import { startStubApp, type Received, type StubApp } from './support/stub-app.js';

/**
 * The HMAC-family providers: each is checked against the provider's own SDK where one exists on
 * npm (razorpay, @paddle/paddle-node-sdk, square, svix), against a vector from the provider's own
 * documentation (Slack), or else against a reference computation written here from the documented
 * algorithm with node:crypto (say which in each test's name). Docs consulted are cited per provider.
 */
const provider = (name: string): ProviderProfile => BUILTIN_PROVIDERS.find((p) => p.name === name)!;
const NEW = ['shopify', 'razorpay', 'lemonsqueezy', 'linear', 'coinbase', 'checkout', 'monnify', 'typeform', 'intercom', 'woocommerce', 'vercel', 'slack', 'paddle', 'zoom', 'square', 'hubspot', 'calendly', 'mux', 'clerk', 'resend', 'openai'];
// Odd whitespace, a unicode escape, a slash and a number beyond 2^53: only the raw bytes verify.
const RAW = '{ "event":"payment.captured",\n  "payload": {"amount": 12345678901234567890, "note":"caf\\u00e9 \\/ th\u00e9", "id":"pay_1"} }';
const body = Buffer.from(RAW, 'utf8');
const nowSeconds = () => Math.floor(Date.now() / 1000);
// The SDK as documented: a client (no request is made) whose webhooks helper verifies.
const paddleSdk = new Paddle('pdl_sdbx_apikey_offline_test');
const hmac = (algorithm: string, key: string | Buffer, data: string | Buffer) => createHmac(algorithm, key).update(data);

let server: StubApp | undefined;
let relay: StubApp | undefined;
let listen: ListenProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  if (listen && listen.child.exitCode === null && listen.child.signalCode === null) await listen.stop('SIGKILL');
  await relay?.close();
  await server?.close();
  server = relay = listen = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('the catalogue', () => {
  it('has every new provider registered, each with fixtures whose event type (as the profile reads it) is the file name, fresh ids per render', async () => {
    const source = systemTemplateSource(systemClock);
    for (const name of NEW) {
      const profile = provider(name);
      expect(profile, name).toBeDefined();
      const files = (await readdir(path.join(BUILTIN_FIXTURES_DIR, name))).filter((f) => f.endsWith('.json'));
      expect(files.length, name).toBeGreaterThanOrEqual(name === 'typeform' ? 2 : 5);
      for (const file of files) {
        const event = file.replace(/\.json$/, '');
        const full = path.join(BUILTIN_FIXTURES_DIR, name, file);
        const first = await readFixtureFile(full, source);
        const second = await readFixtureFile(full, source);
        const payload = JSON.parse(Buffer.from(first.body).toString('utf8')) as unknown;
        const headers = profile.eventHeaders?.(event, 'evt_1') ?? {};
        expect(profile.eventType(payload, headers), full).toBe(event);
        if (!profile.scheme.usesId) expect(Buffer.from(first.body).equals(Buffer.from(second.body)), `${full} should carry a template`).toBe(false);
      }
    }
  });

  it('`webhook providers --json` lists them with event counts (28 or more profiles in all)', async () => {
    const result = await runCli(['providers', '--json']);
    expect(result.code).toBe(0);
    const rows = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; eventCount: number; headers: string[] });
    expect(rows.length).toBeGreaterThanOrEqual(28);
    for (const name of NEW) expect(rows.find((r) => r.name === name)?.eventCount, name).toBeGreaterThanOrEqual(name === 'typeform' ? 2 : 5);
    expect(rows.find((r) => r.name === 'slack')!.headers).toEqual(['x-slack-signature', 'x-slack-request-timestamp']);
  });
});

// https://razorpay.com/docs/webhooks/validate-test/ and
// https://razorpay.com/docs/payments/payment-gateway/s2s-integration/test-s2s/best-practices/security
describe('razorpay against the razorpay SDK (validateWebhookSignature)', () => {
  const secret = 'rzp_webhook_secret_1';
  it('the SDK accepts what we sign and rejects a tampered body', () => {
    const headers = provider('razorpay').scheme.sign({ body, secret, id: 'evt_1', timestamp: nowSeconds() });
    expect(validateWebhookSignature(RAW, headers['x-razorpay-signature']!, secret)).toBe(true);
    expect(validateWebhookSignature(RAW.replace('pay_1', 'pay_2'), headers['x-razorpay-signature']!, secret)).toBe(false);
  });
});

// https://developer.paddle.com/webhooks/signature-verification
describe('paddle against @paddle/paddle-node-sdk (webhooks.isSignatureValid / unmarshal)', () => {
  const secret = 'pdl_ntfset_01hv8x2ab3_secretkey';
  const event = '{"event_id":"evt_01","event_type":"transaction.completed","occurred_at":"2026-11-25T10:00:00.000Z","notification_id":"ntf_01","data":{"id":"txn_01"}}';
  it('the SDK accepts what we sign, and rejects another secret', async () => {
    const headers = provider('paddle').scheme.sign({ body: Buffer.from(event), secret, id: 'evt_1', timestamp: nowSeconds() });
    expect(headers['paddle-signature']).toMatch(/^ts=\d+;h1=[0-9a-f]{64}$/);
    expect(await paddleSdk.webhooks.isSignatureValid(event, secret, headers['paddle-signature']!)).toBe(true);
    expect(await paddleSdk.webhooks.isSignatureValid(event, `${secret}x`, headers['paddle-signature']!)).toBe(false);
  });

  it('the SDK unmarshals every built-in Paddle fixture we sign into the event it names', async () => {
    const source = systemTemplateSource(systemClock);
    for (const file of await readdir(path.join(BUILTIN_FIXTURES_DIR, 'paddle'))) {
      const fixture = await readFixtureFile(path.join(BUILTIN_FIXTURES_DIR, 'paddle', file), source);
      const text = Buffer.from(fixture.body).toString('utf8');
      const headers = provider('paddle').scheme.sign({ body: fixture.body, secret, id: 'evt_1', timestamp: nowSeconds() });
      const parsed = await paddleSdk.webhooks.unmarshal(text, secret, headers['paddle-signature']!);
      expect(parsed.eventType, file).toBe(file.replace(/\.json$/, ''));
    }
  });

  it('we verify a header built as the docs describe (ts and h1 over "{ts}:{body}"), and reject one past the 5 s tolerance', () => {
    const ts = 1_700_000_000;
    const header = `ts=${ts};h1=${hmac('sha256', secret, `${ts}:${event}`).digest('hex')}`;
    const scheme = provider('paddle').scheme;
    expect(scheme.verify({ body: Buffer.from(event), secret, headers: { 'paddle-signature': header }, now: ts + 2 })).toEqual({ ok: true });
    expect(scheme.verify({ body: Buffer.from(event), secret, headers: { 'paddle-signature': header }, now: ts + 60 }).reason).toBe('timestamp too old');
    expect(scheme.verify({ body: Buffer.from(event), secret, headers: { 'paddle-signature': 'h1=abc' }, now: ts }).reason).toBe('malformed header');
    // Secret rotation: several h1 values, any one may match.
    const old = hmac('sha256', 'pdl_ntfset_old', `${ts}:${event}`).digest('hex');
    const rotated = `ts=${ts};h1=${old};${header.split(';')[1]}`;
    expect(scheme.verify({ body: Buffer.from(event), secret, headers: { 'paddle-signature': rotated }, now: ts })).toEqual({ ok: true });
    expect(scheme.verify({ body: Buffer.from(event), secret, headers: { 'paddle-signature': `ts=${ts};h1=${old};h1=${old}` }, now: ts }).reason).toBe('no matching signature');
  });
});

// https://developer.squareup.com/docs/webhooks/step3validate
describe('square against the square SDK (WebhooksHelper.verifySignature), which signs the notification URL', () => {
  const secret = 'sq0wss-signature-key-1';
  const url = 'https://example.com/webhooks/square?shop=1';
  it('the SDK accepts what we sign for that URL and rejects it for another URL', async () => {
    const headers = provider('square').scheme.sign({ body, secret, id: 'evt_1', timestamp: nowSeconds(), url });
    const signatureHeader = headers['x-square-hmacsha256-signature']!;
    expect(await WebhooksHelper.verifySignature({ requestBody: RAW, signatureHeader, signatureKey: secret, notificationUrl: url })).toBe(true);
    expect(await WebhooksHelper.verifySignature({ requestBody: RAW, signatureHeader, signatureKey: secret, notificationUrl: 'https://example.com/webhooks/square' })).toBe(false);
  });

  it('we verify a signature computed as the docs describe (base64 HMAC-SHA256 of URL + body); without the URL we say so', () => {
    const sig = hmac('sha256', secret, url + RAW).digest('base64');
    const scheme = provider('square').scheme;
    expect(scheme.usesUrl).toBe(true);
    expect(scheme.verify({ body, secret, headers: { 'x-square-hmacsha256-signature': sig }, now: 0, url })).toEqual({ ok: true });
    expect(scheme.verify({ body, secret, headers: { 'x-square-hmacsha256-signature': sig }, now: 0 }).reason).toBe('missing url');
  });
});

// https://clerk.com/docs/pr/2293/references/backend/verify-webhook and https://resend.com/docs/webhooks/verify-webhooks-requests
describe.each(['clerk', 'resend'])('%s (a Svix sender) against the svix library', (name) => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  it('svix verifies what we sign; we verify what svix signs and reject a tampered body', () => {
    const scheme = provider(name).scheme;
    const headers = scheme.sign({ body, secret, id: 'msg_1', timestamp: nowSeconds() });
    expect(Object.keys(headers).sort()).toEqual(['svix-id', 'svix-signature', 'svix-timestamp']);
    expect(() => new SvixWebhook(secret).verify(RAW, headers)).not.toThrow();
    const ts = 1_700_000_000;
    const signature = new SvixWebhook(secret).sign('msg_2', new Date(ts * 1000), RAW);
    const received = { 'svix-id': 'msg_2', 'svix-timestamp': String(ts), 'svix-signature': signature };
    expect(scheme.verify({ body, secret, headers: received, now: ts })).toEqual({ ok: true });
    expect(scheme.verify({ body: Buffer.from(RAW.replace('pay_1', 'pay_2')), secret, headers: received, now: ts }).reason).toBe('no matching signature');
  });
});

describe('SDK-signed deliveries through `webhook verify`', () => {
  it('a delivery signed by svix verifies as clerk and resend (exit 0), and fails for a changed body (exit 1)', async () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const now = nowSeconds();
    const signature = new SvixWebhook(secret).sign('msg_cli', new Date(now * 1000), RAW);
    const args = (name: string, text: string) => ['verify', '-p', name, '--secret', secret, '--body', text, '-H', 'svix-id: msg_cli', '-H', `svix-timestamp: ${now}`, '-H', `svix-signature: ${signature}`, '--now', String(now), '--json'];
    for (const name of ['clerk', 'resend']) {
      const ok = await runCli(args(name, RAW));
      expect(ok.code, name).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ provider: name, valid: true });
    }
    const bad = await runCli(args('clerk', RAW.replace('pay_1', 'pay_9')));
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ valid: false, reason: 'no matching signature' });
  });

  it('a delivery signed by standardwebhooks verifies as openai', async () => {
    const secret = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
    const now = nowSeconds();
    const signature = new StandardWebhook(secret).sign('wh_cli', new Date(now * 1000), RAW);
    const result = await runCli(['verify', '-p', 'openai', '--secret', secret, '--body', RAW, '-H', 'webhook-id: wh_cli', '-H', `webhook-timestamp: ${now}`, '-H', `webhook-signature: ${signature}`, '--now', String(now), '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ provider: 'openai', valid: true });
  });
});

// https://developers.openai.com/api/docs/guides/webhooks (OpenAI follows the Standard Webhooks specification)
describe('openai (Standard Webhooks) against the standardwebhooks library', () => {
  const secret = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
  it('the library verifies what we sign; we verify what it signs and reject another secret', () => {
    const scheme = provider('openai').scheme;
    const headers = scheme.sign({ body, secret, id: 'wh_1', timestamp: nowSeconds() });
    expect(Object.keys(headers).sort()).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
    expect(() => new StandardWebhook(secret).verify(RAW, headers)).not.toThrow();
    const ts = 1_700_000_000;
    const received = { 'webhook-id': 'wh_2', 'webhook-timestamp': String(ts), 'webhook-signature': new StandardWebhook(secret).sign('wh_2', new Date(ts * 1000), RAW) };
    expect(scheme.verify({ body, secret, headers: received, now: ts })).toEqual({ ok: true });
    expect(scheme.verify({ body, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', headers: received, now: ts }).reason).toBe('no matching signature');
  });
});

// The worked example on https://api.slack.com/authentication/verifying-requests-from-slack
describe('slack: the documented example request verifies (vector from Slack’s docs)', () => {
  const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
  const TIMESTAMP = 1531420618;
  const BODY =
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
  const SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

  it('in the library, and our signer reproduces it byte for byte', () => {
    const scheme = provider('slack').scheme;
    const headers = { 'x-slack-signature': SIGNATURE, 'x-slack-request-timestamp': String(TIMESTAMP) };
    expect(scheme.verify({ body: Buffer.from(BODY), secret: SIGNING_SECRET, headers, now: TIMESTAMP + 10 })).toEqual({ ok: true });
    expect(scheme.sign({ body: Buffer.from(BODY), secret: SIGNING_SECRET, id: 'x', timestamp: TIMESTAMP })).toEqual(headers);
    expect(scheme.verify({ body: Buffer.from(BODY), secret: SIGNING_SECRET, headers, now: TIMESTAMP + 301 }).reason).toBe('timestamp too old');
  });

  it('through `webhook verify` (exit 0), and a one-byte change fails (exit 1)', async () => {
    const args = ['verify', '--provider', 'slack', '--secret', SIGNING_SECRET, '-H', `x-slack-signature: ${SIGNATURE}`, '-H', `x-slack-request-timestamp: ${TIMESTAMP}`, '--now', String(TIMESTAMP), '--json'];
    const ok = await runCli([...args, '--body', BODY]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ provider: 'slack', valid: true });
    const bad = await runCli([...args, '--body', BODY.replace('foobar', 'foobaz')]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ valid: false, reason: 'no matching signature' });
  });
});

/**
 * No SDK with a verify function on npm (or only a heavy one): a reference computation written here
 * from each provider's documented algorithm. Docs consulted:
 * shopify      https://community.shopify.com/c/Shopify-APIs-SDKs/How-to-pass-headers-in-shopify-webhooks-API/m-p/649345 (base64 HMAC-SHA256, client secret)
 * lemonsqueezy https://www.github.com/pockethost/pockethost/pull/380 (X-Signature, hex HMAC-SHA256 of the body)
 * linear       https://trigger.dev/docs/webhooks/providers/linear, https://linear.app/developers/webhooks (Linear-Signature hex)
 * coinbase     https://docs.cdp.coinbase.com/commerce/api-arcitecture/webhooks-security (X-CC-Webhook-Signature, SHA256 HMAC of the raw payload)
 * checkout     https://www.checkout.com/docs/workflows (Cko-Signature, hex HMAC-SHA256 of the payload)
 * monnify      https://developers.monnify.com/docs/webhooks (monnify-signature, HMAC-SHA512 of the body with the client secret)
 * typeform     https://trigger.dev/docs/webhooks/providers/typeform (Typeform-Signature: sha256=<base64>)
 * intercom     https://developers.intercom.com/docs/webhooks (X-Hub-Signature: sha1=<hex HMAC-SHA1>, client secret)
 * zoom         https://developers.zoom.us/docs/api/webhooks (x-zm-signature: v0=<hex HMAC-SHA256 of "v0:{ts}:{body}">)
 * hubspot      https://developers.hubspot.com/changelog/introducing-version-3-of-webhook-signatures (method + URI + body + timestamp, base64)
 * calendly     https://developer.calendly.com/docs/webhooks/overview (Calendly-Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>." + body>)
 * mux          https://www.mux.com/docs/core/verify-webhook-signatures (mux-signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">)
 * woocommerce  https://developer.woocommerce.com/docs/apis/rest-api/v2/webhooks/ (HMAC-SHA256 of the body with the secret; base64 in X-WC-Webhook-Signature)
 * vercel       https://trigger.dev/docs/webhooks/providers/vercel, https://vercel.com/docs/webhooks (x-vercel-signature: hex HMAC-SHA1)
 */
const REFERENCE: Record<string, (secret: string, ts: number, url: string) => Record<string, string>> = {
  shopify: (s) => ({ 'x-shopify-hmac-sha256': hmac('sha256', s, body).digest('base64') }),
  lemonsqueezy: (s) => ({ 'x-signature': hmac('sha256', s, body).digest('hex') }),
  linear: (s) => ({ 'linear-signature': hmac('sha256', s, body).digest('hex') }),
  coinbase: (s) => ({ 'x-cc-webhook-signature': hmac('sha256', s, body).digest('hex') }),
  checkout: (s) => ({ 'cko-signature': hmac('sha256', s, body).digest('hex') }),
  monnify: (s) => ({ 'monnify-signature': hmac('sha512', s, body).digest('hex') }),
  typeform: (s) => ({ 'typeform-signature': `sha256=${hmac('sha256', s, body).digest('base64')}` }),
  intercom: (s) => ({ 'x-hub-signature': `sha1=${hmac('sha1', s, body).digest('hex')}` }),
  zoom: (s, ts) => ({ 'x-zm-signature': `v0=${hmac('sha256', s, `v0:${ts}:${RAW}`).digest('hex')}`, 'x-zm-request-timestamp': String(ts) }),
  calendly: (s, ts) => ({ 'calendly-webhook-signature': `t=${ts},v1=${hmac('sha256', s, `${ts}.${RAW}`).digest('hex')}` }),
  mux: (s, ts) => ({ 'mux-signature': `t=${ts},v1=${hmac('sha256', s, `${ts}.${RAW}`).digest('hex')}` }),
  woocommerce: (s) => ({ 'x-wc-webhook-signature': hmac('sha256', s, body).digest('base64') }),
  vercel: (s) => ({ 'x-vercel-signature': hmac('sha1', s, body).digest('hex') }),
  hubspot: (s, ts, url) => ({ 'x-hubspot-signature-v3': hmac('sha256', s, `POST${url}${RAW}${ts * 1000}`).digest('base64'), 'x-hubspot-request-timestamp': String(ts * 1000) }),
};

describe.each(Object.keys(REFERENCE))('%s against a node:crypto reference computation of its documented algorithm', (name) => {
  const secret = `${name}_test_secret_1`;
  const ts = 1_700_000_000;
  const url = 'https://example.com/hooks?x=1';
  const expected = REFERENCE[name]!(secret, ts, url);

  it('we sign exactly the reference headers, verify them, and reject a tampered body and another secret', () => {
    const scheme = provider(name).scheme;
    expect(scheme.sign({ body, secret, id: 'evt_1', timestamp: ts, url })).toEqual(expected);
    expect(scheme.verify({ body, secret, headers: expected, now: ts, url })).toEqual({ ok: true });
    expect(scheme.verify({ body: Buffer.from(RAW.replace('pay_1', 'pay_2')), secret, headers: expected, now: ts, url }).ok).toBe(false);
    expect(scheme.verify({ body, secret: `${secret}x`, headers: expected, now: ts, url }).reason).toBe('no matching signature');
    if (scheme.usesTimestamp) expect(scheme.verify({ body, secret, headers: expected, now: ts + 3600, url }).reason).toBe('timestamp too old');
  });
});

describe('schemes that sign the URL, through the library API', () => {
  it('sign({ url }) and verify({ url }) agree with HubSpot’s documented v3 computation; verify without url says "missing url"', () => {
    const url = 'https://example.com/hubspot?portal=1';
    const signed = apiSign({ provider: 'hubspot', secret: 'hs-secret', body: RAW, url, method: 'POST', timestamp: 1_700_000_000 });
    expect(signed.headers['x-hubspot-signature-v3']).toBe(hmac('sha256', 'hs-secret', `POST${url}${RAW}1700000000000`).digest('base64'));
    expect(apiVerify({ provider: 'hubspot', secret: 'hs-secret', body: RAW, headers: signed.headers, url, method: 'POST', now: 1_700_000_010 })).toEqual({ ok: true });
    expect(apiVerify({ provider: 'hubspot', secret: 'hs-secret', body: RAW, headers: signed.headers, url, method: 'PUT', now: 1_700_000_010 }).reason).toBe('no matching signature');
    expect(apiVerify({ provider: 'hubspot', secret: 'hs-secret', body: RAW, headers: signed.headers, now: 1_700_000_010 }).reason).toBe('missing url');
  });
});

describe('schemes that sign the URL, from the command line', () => {
  it('`webhook sign --url` signs for that URL; `webhook verify` needs the same URL; without --url, sign says what to pass (exit 2)', async () => {
    const url = 'https://example.com/webhooks/square';
    const signed = await runCli(['sign', '--provider', 'square', '--secret', 'sq_key', '--url', url, '--body', RAW, '--json']);
    expect(signed.code).toBe(0);
    const { headers } = JSON.parse(signed.stdout) as { headers: Record<string, string> };
    expect(await WebhooksHelper.verifySignature({ requestBody: RAW, signatureHeader: headers['x-square-hmacsha256-signature']!, signatureKey: 'sq_key', notificationUrl: url })).toBe(true);
    const verify = (u: string) => runCli(['verify', '--provider', 'square', '--secret', 'sq_key', '--url', u, '--body', RAW, '-H', `x-square-hmacsha256-signature: ${headers['x-square-hmacsha256-signature']}`, '--json']);
    expect((await verify(url)).code).toBe(0);
    expect((await verify(`${url}/other`)).code).toBe(1);
    const noUrl = await runCli(['sign', '--provider', 'square', '--secret', 'sq_key', '--body', RAW]);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/^error: Square signs the URL/m);
    expect(noUrl.stderr).toMatch(/^hint: pass --url/m);
    expect(noUrl.stderr).not.toMatch(/\n\s+at /);
  });

  it('`webhook trigger` signs HubSpot deliveries with the --to URL (method + URL + body + ms timestamp), checked by the receiver', async () => {
    const secret = 'hubspot-client-secret';
    server = await startStubApp((r) => ({ status: hubspotValid(r, secret, server!.url) ? 200 : 401 }));
    const result = await runCli(['trigger', 'contact.creation', '--provider', 'hubspot', '--secret', secret, '--to', `${server.url}/hooks/hubspot?portal=62515`, '--json']);
    expect(result.code).toBe(0);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.url).toBe('/hooks/hubspot?portal=62515');
    expect(JSON.parse(result.stdout)).toMatchObject({ event: 'contact.creation', status: 200 });
  });
});

function hubspotValid(r: Received, secret: string, base: string): boolean {
  const ts = String(r.headers['x-hubspot-request-timestamp'] ?? '');
  if (Math.abs(Date.now() - Number(ts)) > 300_000) return false;
  const expected = hmac('sha256', secret, Buffer.concat([Buffer.from(`${r.method}${base}${r.url}`), r.body, Buffer.from(ts)])).digest();
  const given = Buffer.from(String(r.headers['x-hubspot-signature-v3'] ?? ''), 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Correct handlers as a careful developer writes them: the SDK where there is one, else the documented check; a repeated delivery is answered 200. */
const HANDLERS: Record<string, { secret: string; valid: (r: Received, base: string) => boolean | Promise<boolean> }> = {
  slack: {
    secret: 'slack-signing-secret',
    valid: (r) => {
      const ts = String(r.headers['x-slack-request-timestamp'] ?? '');
      if (Math.abs(nowSeconds() - Number(ts)) > 300) return false;
      const expected = Buffer.from(`v0=${hmac('sha256', 'slack-signing-secret', Buffer.concat([Buffer.from(`v0:${ts}:`), r.body])).digest('hex')}`);
      const given = Buffer.from(String(r.headers['x-slack-signature'] ?? ''));
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  },
  square: {
    secret: 'square-signature-key',
    valid: (r, base) =>
      WebhooksHelper.verifySignature({ requestBody: r.body.toString('utf8'), signatureHeader: String(r.headers['x-square-hmacsha256-signature'] ?? ''), signatureKey: 'square-signature-key', notificationUrl: `${base}${r.url}` }),
  },
  paddle: {
    secret: 'pdl_ntfset_check_secret',
    valid: async (r) => {
      try {
        return await paddleSdk.webhooks.isSignatureValid(r.body.toString('utf8'), 'pdl_ntfset_check_secret', String(r.headers['paddle-signature'] ?? ''));
      } catch {
        return false;
      }
    },
  },
  razorpay: {
    secret: 'razorpay-check-secret',
    valid: (r) => validateWebhookSignature(r.body.toString('utf8'), String(r.headers['x-razorpay-signature'] ?? ''), 'razorpay-check-secret'),
  },
  calendly: {
    secret: 'calendly-signing-key',
    valid: (r) => {
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(r.headers['calendly-webhook-signature'] ?? '')) ?? [];
      if (t === undefined || v1 === undefined || Math.abs(nowSeconds() - Number(t)) > 180) return false;
      const expected = hmac('sha256', 'calendly-signing-key', Buffer.concat([Buffer.from(`${t}.`), r.body])).digest();
      return timingSafeEqual(expected, Buffer.from(v1, 'hex'));
    },
  },
  shopify: {
    secret: 'shopify-client-secret',
    valid: (r) => {
      const expected = hmac('sha256', 'shopify-client-secret', r.body).digest();
      const given = Buffer.from(String(r.headers['x-shopify-hmac-sha256'] ?? ''), 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  },
};

describe.each(Object.keys(HANDLERS))('`webhook check` against a correct %s handler', (name) => {
  it('passes every case that applies, exit 0', async () => {
    const { secret, valid } = HANDLERS[name]!;
    const seen = new Set<string>();
    server = await startStubApp(async (r) => {
      if (!(await valid(r, server!.url))) return { status: 401, body: '{"error":"invalid signature"}' };
      const key = createHash('sha256').update(r.body).digest('hex');
      if (seen.has(key)) return { status: 200, body: '{"duplicate":true}' };
      seen.add(key);
      return { status: 200, body: '{"ok":true}' };
    });
    const result = await runCli(['check', '--to', `${server.url}/webhooks?src=${name}`, '--provider', name, '--secret', secret, '--json']);
    const cases = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; id: string; passed: boolean }).filter((l) => l.type === 'case');
    expect(cases.length).toBeGreaterThanOrEqual(7);
    expect(cases.filter((c) => !c.passed).map((c) => c.id)).toEqual([]);
    expect(cases.some((c) => c.id === 'stale-timestamp')).toBe(provider(name).scheme.usesTimestamp);
    expect(result.code).toBe(0);
  });
});

describe('a provider described only in config', () => {
  it('signs "{timestamp}:{url}:{body}" with a "t=…,s=…" header as described, and `webhook trigger` delivers it to a handler that checks it', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'webhook-custom-'));
    const secret = 'acme-secret';
    await writeFile(
      path.join(dir, 'webhook.config.json'),
      JSON.stringify({
        providers: {
          acme: {
            scheme: { header: 'Acme-Signature', algorithm: 'sha512', encoding: 'base64', signatureFormat: 't={timestamp},s={signature}', signedContent: '{timestamp}:{url}:{body}' },
            eventField: 'kind',
            events: ['invoice.paid'],
          },
        },
      }),
    );
    await writeFile(path.join(dir, 'package.json'), '{"name":"app"}');
    const seen: string[] = [];
    server = await startStubApp((r) => {
      // Written from the description above, independently of the tool.
      const match = /^t=(\d+),s=(.+)$/.exec(String(r.headers['acme-signature'] ?? ''));
      if (!match) return { status: 400 };
      const expected = hmac('sha512', secret, Buffer.concat([Buffer.from(`${match[1]}:${server!.url}${r.url}:`), r.body])).digest('base64');
      seen.push(expected === match[2] ? 'valid' : 'invalid');
      return { status: expected === match[2] ? 200 : 401 };
    });
    await mkdir(path.join(dir, 'fixtures', 'acme'), { recursive: true });
    await writeFile(path.join(dir, 'fixtures', 'acme', 'invoice.paid.json'), '{"kind":"invoice.paid","data":{"id":"inv_{{ref}}"}}');
    const result = await runCli(['trigger', 'invoice.paid', '--provider', 'acme', '--fixtures', 'fixtures', '--secret', secret, '--to', `${server.url}/hooks/acme`, '--json'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(seen).toEqual(['valid']);
    const providers = await runCli(['providers', '--json'], { cwd: dir });
    const acme = providers.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; scheme: string; custom: boolean }).find((r) => r.name === 'acme');
    expect(acme).toMatchObject({ custom: true, scheme: 'HMAC-SHA512 base64 of "{timestamp}:{url}:{body}" in acme-signature as "t={timestamp},s={signature}"' });
  });

  it('rejects a signed-content template with an unknown placeholder, naming the key (exit 2)', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'webhook-custom-'));
    await writeFile(path.join(dir, 'package.json'), '{"name":"app"}');
    await writeFile(path.join(dir, 'webhook.config.json'), JSON.stringify({ providers: { acme: { scheme: { header: 'x-sig', algorithm: 'sha256', encoding: 'hex', signedContent: '{nonce}.{body}' } } } }));
    const result = await runCli(['providers'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: webhook\.config\.json: providers\.acme\.scheme\.signedContent/m);
    expect(result.stderr).toMatch(/^hint: /m);
  });
});

describe('listen with a scheme that signs the URL', () => {
  it('verifies Square deliveries against the public URL, and a trigger through the session is signed with it (the app checks with the Square SDK)', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'webhook-square-listen-'));
    const key = 'square-listen-key';
    // The app verifies as Square documents: with the notification URL, i.e. the public URL it was posted to.
    server = await startStubApp(async (r) => {
      const ok = await WebhooksHelper.verifySignature({ requestBody: r.body.toString('utf8'), signatureHeader: String(r.headers['x-square-hmacsha256-signature'] ?? ''), signatureKey: key, notificationUrl: `${relay!.url}${r.url}` });
      return { status: ok ? 200 : 401 };
    });
    // The user's own tunnel: a relay the test controls, pointed at listen once it is up.
    let target = '';
    relay = await startStubApp(async (r) => {
      const res = await request(`${target}${r.url}`, { method: 'POST', body: r.body, headers: { 'content-type': 'application/json', 'x-square-hmacsha256-signature': String(r.headers['x-square-hmacsha256-signature'] ?? '') } });
      await res.body.dump();
      return { status: res.statusCode };
    });
    listen = await startListenCli(['-p', 'square', '--secret', key, '-f', server.url, '--public-url', relay.url, '--store', dir]);
    target = listen.ready.localUrl;

    // A delivery as Square sends it: to the public URL, signed over that URL and the body.
    const body = '{"merchant_id":"6SSW7HV8K2ST5","type":"payment.updated","event_id":"e1","data":{"type":"payment","id":"p1"}}';
    const publicUrl = `${relay.url}/webhooks/square?x=1`;
    const sig = hmac('sha256', key, publicUrl + body).digest('base64');
    const res = await request(publicUrl, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-square-hmacsha256-signature': sig } });
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    expect(await listen.next((e) => e.type === 'delivery')).toMatchObject({ event: 'payment.updated', signature: 'verified', status: 200 });

    const triggered = await runCli(['trigger', 'payment.created', '-p', 'square', '--store', dir, '--json']);
    expect(triggered.code).toBe(0);
    expect(JSON.parse(triggered.stdout)).toMatchObject({ event: 'payment.created', status: 200 });
    expect(await listen.next((e) => e.type === 'delivery' && e.event === 'payment.created')).toMatchObject({ signature: 'verified', status: 200 });
    expect(await listen.stop('SIGINT')).toBe(130);
  });
});
