import { hmacScheme } from '../signing/hmac.js';
import { headerValue } from '../signing/types.js';
import { duration, type ProviderProfile } from './types.js';

/** Shopify topics contain "/" ("orders/create"); fixtures name them with "." ("orders.create"). */
const topicOf = (event: string) => event.replace('.', '/');

export const shopify: ProviderProfile = {
  name: 'shopify',
  displayName: 'Shopify',
  scheme: hmacScheme({ header: 'x-shopify-hmac-sha256', algorithm: 'sha256', encoding: 'base64' }),
  secret: { envVar: 'SHOPIFY_API_SECRET', format: "the app's client secret", where: 'Shopify Partners / Dev Dashboard → your app → Client credentials → Client secret' },
  timeoutMs: 5 * duration.SECOND,
  // Shopify retries a failed delivery 8 times over 4 hours.
  retryDelaysMs: [1, 2, 4, 8, 16, 32, 60, 120].map((m) => m * duration.MINUTE),
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'Shopify-Captain-Hook', 'x-shopify-api-version': '2025-07', 'x-shopify-shop-domain': 'example-shop.myshopify.com' },
  eventType: (_payload, headers) => headerValue(headers, 'x-shopify-topic')?.replace('/', '.'),
  eventHeaders: (event, id) => ({ 'x-shopify-topic': topicOf(event), 'x-shopify-webhook-id': id, 'x-shopify-event-id': id }),
  dedupeKey: 'x-shopify-event-id',
  dashboardHint: 'Subscribe the URL to topics in shopify.app.toml (or the Admin API webhookSubscriptionCreate).',
  notes: ['Base64 (not hex) HMAC-SHA256 of the raw body, keyed with the app client secret.', 'The topic is in X-Shopify-Topic, not the body.'],
};
