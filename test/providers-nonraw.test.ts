import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventWebhook } from '@sendgrid/eventwebhook';
import starkbank from 'starkbank-ecdsa';
import { prime256v1 } from 'starkbank-ecdsa/ellipticcurve/curve.js';
import nacl from 'tweetnacl';
import twilioSdk from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { BUILTIN_FIXTURES_DIR } from '../src/payloads/catalog.js';
import { readFixtureFile } from '../src/payloads/load.js';
import { systemTemplateSource } from '../src/payloads/template.js';
import { BUILTIN_PROVIDERS } from '../src/providers/index.js';
import { discord } from '../src/providers/discord.js';
import { sendgrid } from '../src/providers/sendgrid.js';
import { twilio } from '../src/providers/twilio.js';
import { korapay } from '../src/providers/korapay.js';
import { squad } from '../src/providers/squad.js';
import { flutterwave } from '../src/providers/flutterwave.js';
import { mailgun } from '../src/providers/mailgun.js';
import { signRequest } from '../src/delivery/sign.js';
import { ed25519Keys, p256Keys } from '../src/signing/asymmetric.js';
import { runCli } from './support/cli.js';
import { startListenCli, type ListenProcess } from './support/listen.js';
import { startStubApp, type StubApp } from './support/stub-app.js';

const NOW = 1_700_000_000;
// Odd whitespace, a unicode escape and a number beyond 2^53: only the raw bytes verify.
const RAW = '{ "type":2,\n  "data": {"name":"refund", "note":"caf\\u00e9", "big": 12345678901234567890}, "id":"1186" }';
const body = Buffer.from(RAW, 'utf8');

let handler: StubApp | undefined;
let listen: ListenProcess | undefined;
let dirs: string[] = [];
afterEach(async () => {
  await listen?.stop();
  listen = undefined;
  await handler?.close();
  handler = undefined;
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});
async function tempStore(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'webhook-nonraw-'));
  dirs.push(dir);
  return dir;
}

// Discord: https://discord.com/developers/docs/interactions/receiving-and-responding#security-and-authorization
// (nacl.sign.detached.verify over timestamp + body with the hex application public key).
describe('discord (Ed25519) against tweetnacl, the check Discord documents', () => {
  const privateKey = ed25519Keys.generate();
  const publicHex = ed25519Keys.publicKey(privateKey);

  it('tweetnacl verifies what we sign, and rejects a tampered body', () => {
    const headers = discord.scheme.sign({ body, secret: privateKey, id: '', timestamp: NOW });
    const ok = nacl.sign.detached.verify(Buffer.from(headers['x-signature-timestamp'] + RAW), Buffer.from(headers['x-signature-ed25519']!, 'hex'), Buffer.from(publicHex, 'hex'));
    expect(ok).toBe(true);
    const tampered = nacl.sign.detached.verify(Buffer.from(headers['x-signature-timestamp'] + RAW.replace('refund', 'refunds')), Buffer.from(headers['x-signature-ed25519']!, 'hex'), Buffer.from(publicHex, 'hex'));
    expect(tampered).toBe(false);
  });

  it('we verify what tweetnacl signs with the hex public key, and reject another key', () => {
    const pair = nacl.sign.keyPair();
    const signature = Buffer.from(nacl.sign.detached(Buffer.from(`${NOW}${RAW}`), pair.secretKey)).toString('hex');
    const headers = { 'x-signature-ed25519': signature, 'x-signature-timestamp': String(NOW) };
    const naclPublicHex = Buffer.from(pair.publicKey).toString('hex');
    expect(discord.scheme.verify({ body, secret: naclPublicHex, headers, now: NOW })).toEqual({ ok: true });
    expect(discord.scheme.verify({ body, secret: publicHex, headers, now: NOW }).reason).toBe('no matching signature');
    expect(discord.scheme.verify({ body, secret: naclPublicHex, headers, now: NOW + 301 }).reason).toBe('timestamp too old');
  });

  it('cannot sign with a public key: a usage error that names `webhook keys`', () => {
    expect(() => discord.scheme.sign({ body, secret: publicHex, id: '', timestamp: NOW })).toThrow(/public key/);
    expect(discord.scheme.checkSecret('not a key')).toMatch(/neither/);
    expect(discord.scheme.checkSecret(publicHex)).toBeUndefined();
  });
});

// SendGrid: https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features
describe('sendgrid (ECDSA P-256) against @sendgrid/eventwebhook', () => {
  const privateKey = p256Keys.generate();
  const publicB64 = p256Keys.publicKey(privateKey);
  const batch = '[{"email":"ada@example.com","timestamp":1700000000,"event":"delivered","sg_event_id":"ZGVs"}]\r\n';

  it('EventWebhook.verifySignature accepts what we sign with the base64 verification key', () => {
    const headers = sendgrid.scheme.sign({ body: Buffer.from(batch), secret: privateKey, id: '', timestamp: NOW });
    const ew = new EventWebhook();
    const key = ew.convertPublicKeyToECDSA(publicB64);
    expect(ew.verifySignature(key, batch, headers['x-twilio-email-event-webhook-signature']!, headers['x-twilio-email-event-webhook-timestamp']!)).toBe(true);
    expect(ew.verifySignature(key, batch.replace('delivered', 'bounce'), headers['x-twilio-email-event-webhook-signature']!, headers['x-twilio-email-event-webhook-timestamp']!)).toBe(false);
  });

  it('we verify what starkbank-ecdsa (the library @sendgrid/eventwebhook is built on) signs, with its public key as base64 SPKI or PEM', () => {
    const key = new starkbank.PrivateKey(prime256v1);
    const signature = starkbank.Ecdsa.sign(`${NOW}${batch}`, key).toBase64();
    const pem = key.publicKey().toPem();
    const headers = { 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': String(NOW) };
    expect(sendgrid.scheme.verify({ body: Buffer.from(batch), secret: pem.replace(/-----[^-]+-----|\s/g, ''), headers, now: NOW })).toEqual({ ok: true });
    expect(sendgrid.scheme.verify({ body: Buffer.from(batch), secret: pem, headers, now: NOW })).toEqual({ ok: true });
    expect(sendgrid.scheme.verify({ body: Buffer.from(`${batch} `), secret: pem, headers, now: NOW }).reason).toBe('no matching signature');
  });

  it('verifies with the public key and rejects another key pair', () => {
    const headers = sendgrid.scheme.sign({ body: Buffer.from(batch), secret: privateKey, id: '', timestamp: NOW });
    expect(sendgrid.scheme.verify({ body: Buffer.from(batch), secret: publicB64, headers, now: NOW })).toEqual({ ok: true });
    const other = p256Keys.publicKey(p256Keys.generate());
    expect(sendgrid.scheme.verify({ body: Buffer.from(batch), secret: other, headers, now: NOW }).reason).toBe('no matching signature');
  });
});

describe('the CLI with key pair providers', () => {
  it('webhook sign (stored key) → tweetnacl verifies with the key from `webhook keys discord`; webhook verify agrees', async () => {
    const store = await tempStore();
    const env = { WEBHOOK_STORE: store };
    const keys = await runCli(['keys', 'discord'], { env });
    expect(keys.code).toBe(0);
    const publicHex = keys.stdout.trim();
    expect(publicHex).toMatch(/^[0-9a-f]{64}$/);
    const signed = await runCli(['sign', '-p', 'discord', '--body', RAW, '--timestamp', String(NOW), '--json'], { env });
    expect(signed.code).toBe(0);
    const headers = (JSON.parse(signed.stdout) as { headers: Record<string, string> }).headers;
    expect(nacl.sign.detached.verify(Buffer.from(`${NOW}${RAW}`), Buffer.from(headers['x-signature-ed25519']!, 'hex'), Buffer.from(publicHex, 'hex'))).toBe(true);
    const hs = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
    const verified = await runCli(['verify', '-p', 'discord', '--secret', publicHex, '--body', RAW, '--now', String(NOW), ...hs], { env });
    expect(verified.code).toBe(0);
    const wrong = await runCli(['verify', '-p', 'discord', '--secret', ed25519Keys.publicKey(ed25519Keys.generate()), '--body', RAW, '--now', String(NOW), ...hs], { env });
    expect(wrong.code).toBe(1);
  });

  it('webhook trigger sendgrid → a handler verifying with @sendgrid/eventwebhook and `webhook keys sendgrid --json` accepts it', async () => {
    const store = await tempStore();
    const env = { WEBHOOK_STORE: store };
    const keys = JSON.parse((await runCli(['keys', 'sendgrid', '--json'], { env })).stdout) as { publicKey: string; privateKeyFile: string };
    const ew = new EventWebhook();
    const key = ew.convertPublicKeyToECDSA(keys.publicKey);
    handler = await startStubApp((r) => {
      const ok = ew.verifySignature(key, r.body, String(r.headers['x-twilio-email-event-webhook-signature']), String(r.headers['x-twilio-email-event-webhook-timestamp']));
      return ok ? { status: 200 } : { status: 403 };
    });
    const result = await runCli(['trigger', 'delivered', '-p', 'sendgrid', '--to', `${handler.url}/sendgrid`, '--json'], { env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(handler.received).toHaveLength(1);
    expect(handler.received[0]!.headers['user-agent']).toBe('SendGrid Event API');
    expect(JSON.parse(handler.received[0]!.body.toString())[0].event).toBe('delivered');
  });

  it('webhook check passes a correct Discord handler (tweetnacl + timestamp window + dedupe)', async () => {
    const store = await tempStore();
    const env = { WEBHOOK_STORE: store };
    const publicHex = (await runCli(['keys', 'discord'], { env })).stdout.trim();
    const seen = new Set<string>();
    handler = await startStubApp((r) => {
      const sig = String(r.headers['x-signature-ed25519'] ?? '');
      const ts = String(r.headers['x-signature-timestamp'] ?? '');
      const valid = /^[0-9a-f]{128}$/.test(sig) && nacl.sign.detached.verify(Buffer.concat([Buffer.from(ts), r.body]), Buffer.from(sig, 'hex'), Buffer.from(publicHex, 'hex'));
      if (!valid || Math.abs(Date.now() / 1000 - Number(ts)) > 300) return { status: 401 };
      const id = (JSON.parse(r.body.toString()) as { id?: string }).id ?? '';
      if (seen.has(`${id}:${sig}`)) return { status: 200, body: '{"type":1}' };
      seen.add(`${id}:${sig}`);
      return { status: 200, body: '{"type":1}' };
    });
    const result = await runCli(['check', '--to', `${handler.url}/interactions`, '-p', 'discord', '--json'], { env });
    const verdicts = Object.fromEntries(result.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'case').map((l) => [l.id, l.passed]));
    expect(verdicts).toEqual({ valid: true, 'reformatted-json': true, 'wrong-signature': true, 'missing-signature': true, 'altered-body': true, 'stale-timestamp': true, duplicate: true, 'unknown-event': true });
    expect(result.code).toBe(0);
  });
});


/** The providers this file covers, with their five most used events. */
const NONRAW_EVENTS: Record<string, readonly string[]> = {
  discord: ['application_command', 'application_command_autocomplete', 'message_component', 'modal_submit', 'ping'],
  sendgrid: ['bounce', 'click', 'delivered', 'open', 'processed'],
  twilio: ['call.completed', 'call.ringing', 'message.delivered', 'message.failed', 'message.received'],
  // Korapay documents four events, Squad one, Flutterwave (v3 envelope) these three.
  korapay: ['charge.failed', 'charge.success', 'transfer.failed', 'transfer.success'],
  squad: ['charge_successful'],
  flutterwave: ['charge.completed', 'subscription.cancelled', 'transfer.completed'],
  mailgun: ['clicked', 'complained', 'delivered', 'failed', 'opened'],
};

describe('built-in fixtures of these providers', () => {
  it('five events each, whose type as the profile reads it is the file name, with fresh ids per render', async () => {
    const source = systemTemplateSource(systemClock);
    for (const [provider, events] of Object.entries(NONRAW_EVENTS)) {
      const profile = BUILTIN_PROVIDERS.find((p) => p.name === provider)!;
      const files = (await readdir(path.join(BUILTIN_FIXTURES_DIR, provider))).filter((f) => f.endsWith('.json')).sort();
      expect(files.map((f) => f.replace(/\.json$/, '')), provider).toEqual(events);
      for (const file of files) {
        const full = path.join(BUILTIN_FIXTURES_DIR, provider, file);
        const first = await readFixtureFile(full, source);
        const second = await readFixtureFile(full, source);
        const headers = { 'content-type': profile.requestHeaders['content-type'] ?? '' };
        expect(profile.eventType(parsePayload(first.body, headers['content-type']), headers), full).toBe(file.replace(/\.json$/, ''));
        expect(Buffer.from(first.body).equals(Buffer.from(second.body)), `${full} should carry a template`).toBe(false);
      }
    }
  });
});

function parsePayload(body: Uint8Array, contentType: string): unknown {
  const text = Buffer.from(body).toString('utf8');
  return contentType.startsWith('application/x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(text)) : JSON.parse(text);
}

// Twilio: https://www.twilio.com/docs/usage/webhooks/webhooks-security (HMAC-SHA1 of the URL + sorted
// POST parameters, base64; JSON bodies: bodySHA256 in the URL), checked with the official `twilio` SDK.
describe('twilio (URL + sorted form parameters) against the twilio SDK', () => {
  const TOKEN = '12345678901234567890123456789012';
  const URL_ = 'https://example.ngrok.app/sms/status?tenant=acme';
  const FORM = 'MessageStatus=delivered&To=%2B15558675310&MessageSid=SM123&From=%2B15017122661&Body=caf%C3%A9+%26+more&AccountSid=AC1';
  const form = Buffer.from(FORM);
  const params = Object.fromEntries(new URLSearchParams(FORM));

  it('validateRequest accepts what we sign for that URL, and rejects another URL or a changed parameter', () => {
    const { 'x-twilio-signature': sig } = twilio.scheme.sign({ body: form, secret: TOKEN, id: '', timestamp: NOW, url: URL_ });
    expect(twilioSdk.validateRequest(TOKEN, sig!, URL_, params)).toBe(true);
    expect(twilioSdk.validateRequest(TOKEN, sig!, URL_.replace('acme', 'other'), params)).toBe(false);
    expect(twilioSdk.validateRequest(TOKEN, sig!, URL_, { ...params, MessageStatus: 'failed' })).toBe(false);
  });

  it('we verify getExpectedTwilioSignature, for the same URL only', () => {
    const sig = twilioSdk.getExpectedTwilioSignature(TOKEN, URL_, params);
    const headers = { 'x-twilio-signature': sig };
    expect(twilio.scheme.verify({ body: form, secret: TOKEN, headers, now: NOW, url: URL_ })).toEqual({ ok: true });
    expect(twilio.scheme.verify({ body: form, secret: TOKEN, headers, now: NOW, url: `${URL_}&x=1` }).reason).toBe('no matching signature');
    expect(twilio.scheme.verify({ body: form, secret: TOKEN, headers, now: NOW }).detail).toMatch(/--url/);
  });

  it('JSON bodies: the signed URL gains bodySHA256 and validateRequestWithBody accepts it; we verify the SDK signature', () => {
    const json = Buffer.from(RAW);
    const signed = signRequest(twilio, { body: json, secret: TOKEN, url: URL_ }, { now: () => NOW * 1000, monotonic: () => 0 });
    expect(signed.url).toMatch(/[?&]bodySHA256=[0-9a-f]{64}$/);
    expect(twilioSdk.validateRequestWithBody(TOKEN, signed.headers['x-twilio-signature']!, signed.url!, RAW)).toBe(true);
    const sdkSig = twilioSdk.getExpectedTwilioSignature(TOKEN, signed.url!, {});
    expect(twilio.scheme.verify({ body: json, secret: TOKEN, headers: { 'x-twilio-signature': sdkSig }, now: NOW, url: signed.url })).toEqual({ ok: true });
    expect(twilio.scheme.verify({ body: Buffer.from(RAW.replace('refund', 'x')), secret: TOKEN, headers: { 'x-twilio-signature': sdkSig }, now: NOW, url: signed.url }).detail).toMatch(/bodySHA256/);
  });

  it('webhook trigger signs with the --to URL: a handler using twilio.validateRequest on the URL it was called at accepts it', async () => {
    handler = await startStubApp((r) => {
      const url = `${handler!.url}${r.url}`;
      const ok = twilioSdk.validateRequest(TOKEN, String(r.headers['x-twilio-signature']), url, Object.fromEntries(new URLSearchParams(r.body.toString())));
      return { status: ok ? 200 : 403 };
    });
    const result = await runCli(['trigger', 'message.delivered', '-p', 'twilio', '--to', `${handler.url}/sms/status?tenant=acme`, '--secret', TOKEN, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const got = handler.received[0]!;
    expect(got.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(got.headers['i-twilio-idempotency-token']).toMatch(/^evt_/);
    expect(new URLSearchParams(got.body.toString()).get('MessageStatus')).toBe('delivered');
    // The same bytes at another URL do not verify: the URL is part of what Twilio signs.
    const elsewhere = twilioSdk.validateRequest(TOKEN, String(got.headers['x-twilio-signature']), `${handler.url}/sms/other`, Object.fromEntries(new URLSearchParams(got.body.toString())));
    expect(elsewhere).toBe(false);
  });

  it('under listen, deliveries are verified against the public URL + path, and triggered events are signed for the public URL', async () => {
    const store = await tempStore();
    const PUBLIC = 'https://hooks.example.dev';
    handler = await startStubApp(() => ({ status: 200 }));
    listen = await startListenCli(['-p', 'twilio', '--secret', TOKEN, '-f', handler.url, '--public-url', PUBLIC, '--self-check-interval', '0', '--store', store]);
    const post = (path: string, signedFor: string) =>
      fetch(`${listen!.ready.localUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSdk.getExpectedTwilioSignature(TOKEN, signedFor, params) }, body: FORM }).then((r) => r.arrayBuffer());
    await post('/sms/status?tenant=acme', `${PUBLIC}/sms/status?tenant=acme`);
    expect(await listen.next((e) => e.type === 'delivery')).toMatchObject({ event: 'message.delivered', signature: 'verified', status: 200 });
    await post('/sms/status', `${PUBLIC}/sms/other`);
    expect(await listen.next((e) => e.type === 'delivery')).toMatchObject({ signature: 'failed', reason: 'no matching signature' });

    const triggered = await runCli(['trigger', 'message.failed', '--store', store, '--json']);
    expect(triggered.code).toBe(0);
    expect(await listen.next((e) => e.type === 'delivery')).toMatchObject({ event: 'message.failed', signature: 'verified' });
    const got = handler.received.at(-1)!;
    expect(twilioSdk.validateRequest(TOKEN, String(got.headers['x-twilio-signature']), `${PUBLIC}/`, Object.fromEntries(new URLSearchParams(got.body.toString())))).toBe(true);
  });

  it('webhook check passes a correct Twilio handler (validateRequest with the URL it was called at); the JSON-only cases are skipped', async () => {
    const seen = new Set<string>();
    handler = await startStubApp((r) => {
      const form = Object.fromEntries(new URLSearchParams(r.body.toString()));
      if (!twilioSdk.validateRequest(TOKEN, String(r.headers['x-twilio-signature'] ?? ''), `${handler!.url}${r.url}`, form)) return { status: 403 };
      const token = String(r.headers['i-twilio-idempotency-token'] ?? '');
      if (seen.has(token)) return { status: 200, body: '<Response/>' };
      seen.add(token);
      return { status: 200, body: '<Response/>' };
    });
    const result = await runCli(['check', '--to', `${handler.url}/voice/status?tenant=acme`, '-p', 'twilio', '--secret', TOKEN, '--json']);
    const verdicts = Object.fromEntries(result.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'case').map((l) => [l.id, l.passed]));
    expect(verdicts).toEqual({ valid: true, 'wrong-signature': true, 'missing-signature': true, 'altered-body': true, duplicate: true });
    expect(result.code).toBe(0);
  });

  it('webhook sign --url with the SDK signature verifies through webhook verify --url (exit 0), another URL exits 1', async () => {
    const sig = twilioSdk.getExpectedTwilioSignature(TOKEN, URL_, params);
    const ok = await runCli(['verify', '-p', 'twilio', '--secret', TOKEN, '--url', URL_, '--body', FORM, '-H', `x-twilio-signature: ${sig}`]);
    expect(ok.code).toBe(0);
    const bad = await runCli(['verify', '-p', 'twilio', '--secret', TOKEN, '--url', `${URL_}x`, '--body', FORM, '-H', `x-twilio-signature: ${sig}`]);
    expect(bad.code).toBe(1);
    const signed = await runCli(['sign', '-p', 'twilio', '--secret', TOKEN, '--url', URL_, '--body', FORM, '--json']);
    expect((JSON.parse(signed.stdout) as { headers: Record<string, string> }).headers['x-twilio-signature']).toBe(sig);
    const noUrl = await runCli(['sign', '-p', 'twilio', '--secret', TOKEN, '--body', FORM]);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/hint: pass --url/);
  });
});

// Korapay: https://developers.korapay.com/docs/webhooks — "HMAC SHA256 signature of ONLY the data object
// … signed using your secret key": crypto.createHmac('sha256', secretKey).update(JSON.stringify(req.body.data)).
// No verify SDK on npm: the reference is an independent node:crypto computation of that documented code.
describe('korapay (HMAC of JSON.stringify(data)): independent node:crypto computation of the documented check', () => {
  const SECRET = 'sk_test_korapay_vector';
  const spaced = Buffer.from('{ "event": "charge.success",\n  "data": { "reference": "KPY-1", "amount": 15000, "note": "caf\\u00e9" } }');
  const documented = (raw: Buffer) => createHmac('sha256', SECRET).update(JSON.stringify((JSON.parse(raw.toString()) as { data: unknown }).data)).digest('hex');

  it('what we sign equals the documented computation, even for a body not in JSON.stringify form', () => {
    const { 'x-korapay-signature': sig } = korapay.scheme.sign({ body: spaced, secret: SECRET, id: '', timestamp: NOW });
    expect(sig).toBe(documented(spaced));
    expect(korapay.scheme.verify({ body: spaced, secret: SECRET, headers: { 'x-korapay-signature': documented(spaced) }, now: NOW })).toEqual({ ok: true });
  });

  it('a changed data value fails; a changed event name still verifies (only data is signed, as documented)', () => {
    const headers = { 'x-korapay-signature': documented(spaced) };
    expect(korapay.scheme.verify({ body: Buffer.from(spaced.toString().replace('15000', '15001')), secret: SECRET, headers, now: NOW }).reason).toBe('no matching signature');
    expect(korapay.scheme.verify({ body: Buffer.from(spaced.toString().replace('charge.success', 'charge.failed')), secret: SECRET, headers, now: NOW }).ok).toBe(true);
    expect(() => korapay.scheme.sign({ body: Buffer.from('[1]'), secret: SECRET, id: '', timestamp: NOW })).toThrow(/"data"/);
  });
});

// Squad: https://docs.squadco.com/webhook-direct-url/signature-validation — x-squad-encrypted-body is an
// HMAC SHA512 of the payload with the secret key; the sample (C#) compares the uppercase hex digest.
// No verify SDK on npm: an independent node:crypto computation of the documented algorithm.
describe('squad (uppercase hex HMAC-SHA512 of the body): independent node:crypto computation', () => {
  const SECRET = 'sandbox_sk_9ac9418e847972dd45f5fe845b5716ef305589808eda';
  const body = Buffer.from('{"Event":"charge_successful","TransactionRef":"SQ1","Body":{"amount":83000}}');

  it('signs the uppercase hex digest and verifies either case', () => {
    const expected = createHmac('sha512', SECRET).update(body).digest('hex').toUpperCase();
    const { 'x-squad-encrypted-body': sig } = squad.scheme.sign({ body, secret: SECRET, id: '', timestamp: NOW });
    expect(sig).toBe(expected);
    expect(squad.scheme.verify({ body, secret: SECRET, headers: { 'x-squad-encrypted-body': expected.toLowerCase() }, now: NOW }).ok).toBe(true);
    expect(squad.scheme.verify({ body: Buffer.from(body.toString().replace('83000', '83001')), secret: SECRET, headers: { 'x-squad-encrypted-body': expected }, now: NOW }).reason).toBe('no matching signature');
  });

  it('webhook check passes a correct Squad handler (uppercase HMAC-SHA512 over the raw bytes, dedupe on TransactionRef)', async () => {
    const seen = new Set<string>();
    handler = await startStubApp((r) => {
      const expected = Buffer.from(createHmac('sha512', SECRET).update(r.body).digest('hex').toUpperCase());
      const given = Buffer.from(String(r.headers['x-squad-encrypted-body'] ?? '').toUpperCase());
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { status: 401 };
      let ref = '';
      try {
        ref = String((JSON.parse(r.body.toString()) as { TransactionRef?: string }).TransactionRef ?? '');
      } catch {
        return { status: 400 };
      }
      if (seen.has(ref)) return { status: 200, body: '{"duplicate":true}' };
      seen.add(ref);
      return { status: 200 };
    });
    const result = await runCli(['check', '--to', `${handler.url}/squad`, '-p', 'squad', '--secret', SECRET, '--json']);
    const verdicts = Object.fromEntries(result.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'case').map((l) => [l.id, l.passed]));
    expect(verdicts).toEqual({ valid: true, 'reformatted-json': true, 'wrong-signature': true, 'missing-signature': true, 'altered-body': true, duplicate: true, 'unknown-event': true });
    expect(result.code).toBe(0);
  });
});

// Flutterwave: https://developer.flutterwave.com/docs/webhooks — "If you specify a secret hash, we'll include
// it in our request to you, in the verif-hash header" (compare it with yours). No signature to compute.
describe('flutterwave (verif-hash carries the secret hash)', () => {
  it('sends the secret hash as is and verifies only that exact value', () => {
    const headers = flutterwave.scheme.sign({ body: Buffer.from('{}'), secret: 'my-secret-hash', id: '', timestamp: NOW });
    expect(headers).toEqual({ 'verif-hash': 'my-secret-hash' });
    expect(flutterwave.scheme.verify({ body: Buffer.from('{"x":1}'), secret: 'my-secret-hash', headers, now: NOW }).ok).toBe(true);
    expect(flutterwave.scheme.verify({ body: Buffer.from('{}'), secret: 'my-secret-hasH', headers, now: NOW }).reason).toBe('no matching signature');
    expect(flutterwave.scheme.verify({ body: Buffer.from('{}'), secret: 'my-secret-hash', headers: {}, now: NOW }).reason).toBe('missing header');
  });
});

// Mailgun: https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks — concatenate
// timestamp and token, HMAC-SHA256 with the webhook signing key, compare the hexdigest with signature.
// No verify SDK on npm: an independent node:crypto computation of the documented algorithm.
describe('mailgun (signature fields inside the body): independent node:crypto computation', () => {
  const KEY = 'key-mailgun-signing-vector';
  const documented = (sig: { timestamp: string; token: string }) => createHmac('sha256', KEY).update(sig.timestamp + sig.token).digest('hex');

  it('fills signature.{timestamp,token,signature} in the body it sends, keeping the rest of the bytes', () => {
    const original = '{\n  "signature": {},\n  "event-data": { "event": "delivered", "id": "ev1" }\n}\n';
    const signed = signRequest(mailgun, { body: Buffer.from(original), secret: KEY }, { now: () => NOW * 1000, monotonic: () => 0 });
    const sent = JSON.parse(Buffer.from(signed.body).toString()) as { signature: { timestamp: string; token: string; signature: string }; 'event-data': unknown };
    expect(sent.signature.timestamp).toBe(String(NOW));
    expect(sent.signature.token).toMatch(/^[0-9a-f]{50}$/);
    expect(sent.signature.signature).toBe(documented(sent.signature));
    expect(sent['event-data']).toEqual({ event: 'delivered', id: 'ev1' });
    expect(Buffer.from(signed.body).toString()).toMatch(/^\{\n  "signature": \{/);
    expect(mailgun.scheme.verify({ body: signed.body, secret: KEY, headers: {}, now: NOW })).toEqual({ ok: true });
    expect(mailgun.scheme.verify({ body: signed.body, secret: 'another-key', headers: {}, now: NOW }).reason).toBe('no matching signature');
  });

  it('webhook sign --json prints the body with its signature filled in; webhook verify accepts that body', async () => {
    const signed = await runCli(['sign', '-p', 'mailgun', '--secret', KEY, '--body', '{"event-data":{"event":"opened"}}', '--timestamp', String(NOW), '--json']);
    expect(signed.code).toBe(0);
    const { body: sent } = JSON.parse(signed.stdout) as { body: string };
    const sig = (JSON.parse(sent) as { signature: { timestamp: string; token: string; signature: string } }).signature;
    expect(sig.timestamp).toBe(String(NOW));
    expect(sig.signature).toBe(documented(sig));
    expect((await runCli(['verify', '-p', 'mailgun', '--secret', KEY, '--body', sent])).code).toBe(0);
    expect((await runCli(['verify', '-p', 'mailgun', '--secret', 'wrong', '--body', sent])).code).toBe(1);
  });

  it('webhook trigger delivered → a handler doing the documented check accepts it', async () => {
    handler = await startStubApp((r) => {
      const sig = (JSON.parse(r.body.toString()) as { signature: { timestamp: string; token: string; signature: string } }).signature;
      return { status: documented(sig) === sig.signature ? 200 : 406 };
    });
    const result = await runCli(['trigger', 'delivered', '-p', 'mailgun', '--to', `${handler.url}/mailgun`, '--secret', KEY, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((JSON.parse(handler.received[0]!.body.toString()) as { 'event-data': { event: string } })['event-data'].event).toBe('delivered');
  });
});
