import { createHmac, timingSafeEqual } from 'node:crypto';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { EventWebhook } from '@sendgrid/eventwebhook';
import nacl from 'tweetnacl';
import twilioSdk from 'twilio';
import { ed25519Keys, p256Keys } from '../../src/signing/asymmetric.js';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { validateWebhookSignature } from 'razorpay/dist/utils/razorpay-utils.js';
import type { Received } from './stub-app.js';

/** One secret per built-in provider, as the env vars the CLI reads. */
export const SECRETS = {
  PAYKORE_WEBHOOK_SECRET: 'whsec_paykore_e2e',
  PAYSTACK_SECRET_KEY: 'sk_test_paystack_e2e',
  KOARD_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  STANDARD_WEBHOOK_SECRET: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
  STRIPE_WEBHOOK_SECRET: 'whsec_stripe_e2e',
  GITHUB_WEBHOOK_SECRET: 'github-e2e',
  WEBHOOK_SECRET: 'generic-e2e',
  SHOPIFY_API_SECRET: 'shopify-e2e',
  RAZORPAY_WEBHOOK_SECRET: 'razorpay-e2e',
  LEMONSQUEEZY_WEBHOOK_SECRET: 'lemonsqueezy-e2e',
  LINEAR_WEBHOOK_SECRET: 'lin_wh_linear_e2e',
  COINBASE_COMMERCE_WEBHOOK_SECRET: 'coinbase-e2e',
  CHECKOUT_WEBHOOK_SECRET: 'checkout-e2e',
  MONNIFY_SECRET_KEY: 'monnify-e2e',
  TYPEFORM_WEBHOOK_SECRET: 'typeform-e2e',
  INTERCOM_CLIENT_SECRET: 'intercom-e2e',
  SLACK_SIGNING_SECRET: 'slack-e2e',
  PADDLE_WEBHOOK_SECRET: 'pdl_ntfset_paddle_e2e',
  ZOOM_WEBHOOK_SECRET_TOKEN: 'zoom-e2e',
  SQUARE_WEBHOOK_SIGNATURE_KEY: 'square-e2e',
  HUBSPOT_CLIENT_SECRET: 'hubspot-e2e',
  // Svix senders: the svix library checks them all with one secret.
  CLERK_WEBHOOK_SIGNING_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  RESEND_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  // Standard Webhooks senders: the standardwebhooks library checks them with one secret.
  OPENAI_WEBHOOK_SECRET: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
  CALENDLY_WEBHOOK_SIGNING_KEY: 'calendly-e2e',
  MUX_WEBHOOK_SECRET: 'mux-e2e',
  WOOCOMMERCE_WEBHOOK_SECRET: 'woocommerce-e2e',
  VERCEL_WEBHOOK_SECRET: 'vercel-e2e',
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
const hmac = (algorithm: string, secret: string, data: Buffer | string, encoding: 'hex' | 'base64' = 'hex') => createHmac(algorithm, secret).update(data).digest(encoding);
const withBody = (head: string, body: Buffer, tail = '') => Buffer.concat([Buffer.from(head), body, Buffer.from(tail)]);
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
  const svixSender = /\((\w+)\)/.exec(h['user-agent'] ?? '')?.[1]?.toLowerCase() ?? 'koard';
  if (h['svix-id']) return attempt(svixSender, () => {
      new SvixWebhook(SECRETS.KOARD_WEBHOOK_SECRET).verify(raw, h);
      return true;
    });
  // Standard Webhooks senders share the headers: OpenAI names itself in its user agent.
  const standardSender = /^OpenAI\//.test(h['user-agent'] ?? '') ? 'openai' : 'standard';
  if (h['webhook-id']) return attempt(standardSender, () => {
      new StandardWebhook(SECRETS.STANDARD_WEBHOOK_SECRET).verify(raw, h);
      return true;
    });
  if (h['stripe-signature']) return attempt('stripe', () => {
      stripeClient.webhooks.constructEvent(r.body, h['stripe-signature']!, SECRETS.STRIPE_WEBHOOK_SECRET);
      return true;
    });
  if (h['x-hub-signature-256']) return { provider: 'github', verified: await octokitVerify(SECRETS.GITHUB_WEBHOOK_SECRET, raw, h['x-hub-signature-256']) };
  if (h['x-paykore-signature']) return { provider: 'paykore', verified: same(h['x-paykore-signature'], `sha256=${hmac('sha256', SECRETS.PAYKORE_WEBHOOK_SECRET, r.body)}`) };
  if (h['x-paystack-signature']) return { provider: 'paystack', verified: same(h['x-paystack-signature'], hmac('sha512', SECRETS.PAYSTACK_SECRET_KEY, r.body)) };
  // Schemes that sign the URL: the URL the request was sent to.
  const url = `http://${h.host}${r.url}`;
  if (h['x-shopify-hmac-sha256']) return { provider: 'shopify', verified: same(h['x-shopify-hmac-sha256'], hmac('sha256', SECRETS.SHOPIFY_API_SECRET, r.body, 'base64')) };
  if (h['x-razorpay-signature']) return attempt('razorpay', () => validateWebhookSignature(raw, h['x-razorpay-signature']!, SECRETS.RAZORPAY_WEBHOOK_SECRET) === true);
  if (h['x-signature'] && h['x-event-name']) return { provider: 'lemonsqueezy', verified: same(h['x-signature'], hmac('sha256', SECRETS.LEMONSQUEEZY_WEBHOOK_SECRET, r.body)) };
  if (h['linear-signature']) return { provider: 'linear', verified: same(h['linear-signature'], hmac('sha256', SECRETS.LINEAR_WEBHOOK_SECRET, r.body)) };
  if (h['x-cc-webhook-signature']) return { provider: 'coinbase', verified: same(h['x-cc-webhook-signature'], hmac('sha256', SECRETS.COINBASE_COMMERCE_WEBHOOK_SECRET, r.body)) };
  if (h['cko-signature']) return { provider: 'checkout', verified: same(h['cko-signature'], hmac('sha256', SECRETS.CHECKOUT_WEBHOOK_SECRET, r.body)) };
  if (h['monnify-signature']) return { provider: 'monnify', verified: same(h['monnify-signature'], hmac('sha512', SECRETS.MONNIFY_SECRET_KEY, r.body)) };
  if (h['typeform-signature']) return { provider: 'typeform', verified: same(h['typeform-signature'], `sha256=${hmac('sha256', SECRETS.TYPEFORM_WEBHOOK_SECRET, r.body, 'base64')}`) };
  if (h['x-hub-signature']) return { provider: 'intercom', verified: same(h['x-hub-signature'], `sha1=${hmac('sha1', SECRETS.INTERCOM_CLIENT_SECRET, r.body)}`) };
  if (h['x-slack-signature']) return { provider: 'slack', verified: same(h['x-slack-signature'], `v0=${hmac('sha256', SECRETS.SLACK_SIGNING_SECRET, withBody(`v0:${h['x-slack-request-timestamp']}:`, r.body))}`) };
  if (h['x-wc-webhook-signature']) return { provider: 'woocommerce', verified: same(h['x-wc-webhook-signature'], hmac('sha256', SECRETS.WOOCOMMERCE_WEBHOOK_SECRET, r.body, 'base64')) };
  if (h['x-vercel-signature']) return { provider: 'vercel', verified: same(h['x-vercel-signature'], hmac('sha1', SECRETS.VERCEL_WEBHOOK_SECRET, r.body)) };
  for (const [header, provider, secret] of [['calendly-webhook-signature', 'calendly', SECRETS.CALENDLY_WEBHOOK_SIGNING_KEY], ['mux-signature', 'mux', SECRETS.MUX_WEBHOOK_SECRET]] as const) {
    if (!h[header]) continue;
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(h[header]) ?? [];
    return { provider, verified: t !== undefined && same(v1, hmac('sha256', secret, withBody(`${t}.`, r.body))) };
  }
  if (h['paddle-signature']) {
    const [, ts, h1] = /^ts=(\d+);h1=([0-9a-f]+)$/.exec(h['paddle-signature']) ?? [];
    return { provider: 'paddle', verified: ts !== undefined && same(h1, hmac('sha256', SECRETS.PADDLE_WEBHOOK_SECRET, withBody(`${ts}:`, r.body))) };
  }
  if (h['x-zm-signature']) return { provider: 'zoom', verified: same(h['x-zm-signature'], `v0=${hmac('sha256', SECRETS.ZOOM_WEBHOOK_SECRET_TOKEN, withBody(`v0:${h['x-zm-request-timestamp']}:`, r.body))}`) };
  if (h['x-square-hmacsha256-signature']) {
    return attempt('square', () => same(h['x-square-hmacsha256-signature'], hmac('sha256', SECRETS.SQUARE_WEBHOOK_SIGNATURE_KEY, withBody(url, r.body), 'base64')));
  }
  if (h['x-hubspot-signature-v3']) {
    const signed = withBody(`${r.method}${url}`, r.body, h['x-hubspot-request-timestamp']);
    return { provider: 'hubspot', verified: same(h['x-hubspot-signature-v3'], hmac('sha256', SECRETS.HUBSPOT_CLIENT_SECRET, signed, 'base64')) };
  }
  if (h['x-signature-ed25519']) {
    const publicKey = Buffer.from(ed25519Keys.publicKey(SECRETS.DISCORD_SIGNING_KEY), 'hex');
    return attempt('discord', () => nacl.sign.detached.verify(Buffer.concat([Buffer.from(h['x-signature-timestamp'] ?? ''), r.body]), Buffer.from(h['x-signature-ed25519']!, 'hex'), publicKey));
  }
  if (h['x-twilio-email-event-webhook-signature']) {
    const ew = new EventWebhook();
    return attempt('sendgrid', () => ew.verifySignature(ew.convertPublicKeyToECDSA(p256Keys.publicKey(SECRETS.SENDGRID_SIGNING_KEY)), r.body, h['x-twilio-email-event-webhook-signature']!, h['x-twilio-email-event-webhook-timestamp']!));
  }
  if (h['x-twilio-signature']) {
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
