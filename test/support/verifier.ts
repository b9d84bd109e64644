import { createHmac, timingSafeEqual } from 'node:crypto';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
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
  if (h['x-webhook-signature']) {
    const signed = Buffer.concat([Buffer.from(`${h['x-webhook-timestamp']}.`), r.body]);
    return { provider: 'generic', verified: same(h['x-webhook-signature'], `sha256=${hmac('sha256', SECRETS.WEBHOOK_SECRET, signed)}`) };
  }
  return { provider: undefined, verified: false };
}
