import { createHmac, timingSafeEqual } from 'node:crypto';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { EventWebhook } from '@sendgrid/eventwebhook';
import nacl from 'tweetnacl';
import twilioSdk from 'twilio';
import { ed25519Keys, p256Keys } from '../../src/signing/asymmetric.js';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import type { Received } from './receiver.js';

/** One secret per built-in provider, as the env vars the CLI reads. */
export const SECRETS = {
  PAYKORE_WEBHOOK_SECRET: 'whsec_paykore_e2e',
  PAYSTACK_SECRET_KEY: 'sk_test_paystack_e2e',
  KOARD_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  STANDARD_WEBHOOK_SECRET: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
  STRIPE_WEBHOOK_SECRET: 'whsec_stripe_e2e',
  GITHUB_WEBHOOK_SECRET: 'github-e2e',
  WEBHOOK_SECRET: 'generic-e2e',
  // Key pair providers sign with these private keys (not the store's), so no test touches the state dir.
  DISCORD_SIGNING_KEY: ed25519Keys.generate(),
  SENDGRID_SIGNING_KEY: p256Keys.generate(),
  TWILIO_AUTH_TOKEN: 'twilio-e2e-auth-token-0123456789',
  KORAPAY_SECRET_KEY: 'sk_test_korapay_e2e',
  SQUAD_SECRET_KEY: 'sandbox_sk_squad_e2e',
  FLW_SECRET_HASH: 'flutterwave-e2e-hash',
  MAILGUN_WEBHOOK_SIGNING_KEY: 'mailgun-e2e-signing-key',
} as const;

const stripeClient = new Stripe('sk_test_e2e');
const hmac = (algorithm: string, secret: string, data: Buffer | string) => createHmac(algorithm, secret).update(data).digest('hex');
const same = (a: string | undefined, b: string) => a !== undefined && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Which provider signed a delivery (by its headers) and whether the official library (or
 * node:crypto for plain HMAC schemes) accepts the raw bytes. Undefined provider: unrecognised.
 */
export async function verifyDelivery(r: Received): Promise<{ provider: string | undefined; verified: boolean }> {
  const h = r.headers as Record<string, string>;
  const raw = r.body.toString('utf8');
  const attempt = (provider: string, check: () => boolean) => {
    try {
      return { provider, verified: check() };
    } catch {
      return { provider, verified: false };
    }
  };
  if (h['svix-id']) return attempt('koard', () => (new SvixWebhook(SECRETS.KOARD_WEBHOOK_SECRET).verify(raw, h), true));
  if (h['webhook-id']) return attempt('standard', () => (new StandardWebhook(SECRETS.STANDARD_WEBHOOK_SECRET).verify(raw, h), true));
  if (h['stripe-signature']) return attempt('stripe', () => (stripeClient.webhooks.constructEvent(r.body, h['stripe-signature']!, SECRETS.STRIPE_WEBHOOK_SECRET), true));
  if (h['x-hub-signature-256']) return { provider: 'github', verified: await octokitVerify(SECRETS.GITHUB_WEBHOOK_SECRET, raw, h['x-hub-signature-256']) };
  if (h['x-paykore-signature']) return { provider: 'paykore', verified: same(h['x-paykore-signature'], `sha256=${hmac('sha256', SECRETS.PAYKORE_WEBHOOK_SECRET, r.body)}`) };
  if (h['x-paystack-signature']) return { provider: 'paystack', verified: same(h['x-paystack-signature'], hmac('sha512', SECRETS.PAYSTACK_SECRET_KEY, r.body)) };
  if (h['x-signature-ed25519']) {
    const publicKey = Buffer.from(ed25519Keys.publicKey(SECRETS.DISCORD_SIGNING_KEY), 'hex');
    return attempt('discord', () => nacl.sign.detached.verify(Buffer.concat([Buffer.from(h['x-signature-timestamp'] ?? ''), r.body]), Buffer.from(h['x-signature-ed25519']!, 'hex'), publicKey));
  }
  if (h['x-twilio-email-event-webhook-signature']) {
    const ew = new EventWebhook();
    return attempt('sendgrid', () => ew.verifySignature(ew.convertPublicKeyToECDSA(p256Keys.publicKey(SECRETS.SENDGRID_SIGNING_KEY)), r.body, h['x-twilio-email-event-webhook-signature']!, h['x-twilio-email-event-webhook-timestamp']!));
  }
  if (h['x-twilio-signature']) {
    const url = `http://${h.host}${r.url}`;
    return attempt('twilio', () =>
      new URL(url).searchParams.has('bodySHA256')
        ? twilioSdk.validateRequestWithBody(SECRETS.TWILIO_AUTH_TOKEN, h['x-twilio-signature']!, url, raw)
        : twilioSdk.validateRequest(SECRETS.TWILIO_AUTH_TOKEN, h['x-twilio-signature']!, url, Object.fromEntries(new URLSearchParams(raw))),
    );
  }
  // Korapay documents HMAC-SHA256 of JSON.stringify(body.data); Squad uppercase hex HMAC-SHA512 of the body.
  if (h['x-korapay-signature']) return attempt('korapay', () => same(h['x-korapay-signature'], hmac('sha256', SECRETS.KORAPAY_SECRET_KEY, JSON.stringify((JSON.parse(raw) as { data: unknown }).data))));
  if (h['x-squad-encrypted-body']) return { provider: 'squad', verified: same(h['x-squad-encrypted-body'], hmac('sha512', SECRETS.SQUAD_SECRET_KEY, r.body).toUpperCase()) };
  if (h['verif-hash']) return { provider: 'flutterwave', verified: same(h['verif-hash'], SECRETS.FLW_SECRET_HASH) };
  if (raw.includes('"event-data"')) {
    // Mailgun: signature fields in the body, hex HMAC-SHA256 of timestamp + token.
    return attempt('mailgun', () => {
      const sig = (JSON.parse(raw) as { signature: { timestamp: string; token: string; signature: string } }).signature;
      return same(sig.signature, hmac('sha256', SECRETS.MAILGUN_WEBHOOK_SIGNING_KEY, sig.timestamp + sig.token));
    });
  }
  if (h['x-webhook-signature']) {
    const signed = Buffer.concat([Buffer.from(`${h['x-webhook-timestamp']}.`), r.body]);
    return { provider: 'generic', verified: same(h['x-webhook-signature'], `sha256=${hmac('sha256', SECRETS.WEBHOOK_SECRET, signed)}`) };
  }
  return { provider: undefined, verified: false };
}
