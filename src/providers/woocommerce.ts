import { hmacScheme } from '../signing/hmac.js';
import { headerValue } from '../signing/types.js';
import { duration, type ProviderProfile } from './types.js';

export const woocommerce: ProviderProfile = {
  name: 'woocommerce',
  displayName: 'WooCommerce',
  scheme: hmacScheme({ header: 'x-wc-webhook-signature', algorithm: 'sha256', encoding: 'base64' }),
  secret: { envVar: 'WOOCOMMERCE_WEBHOOK_SECRET', format: 'the secret set on the webhook', where: 'WooCommerce → Settings → Advanced → Webhooks → the webhook → Secret' },
  timeoutMs: 5 * duration.SECOND,
  retryDelaysMs: [],
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'WooCommerce/9.4.0 Hookshot (WordPress/6.7)', 'x-wc-webhook-source': 'https://example-store.test/' },
  eventType: (_payload, headers) => headerValue(headers, 'x-wc-webhook-topic'),
  eventHeaders: (event, id) => {
    const [resource = event, action = ''] = event.split('.');
    return { 'x-wc-webhook-topic': event, 'x-wc-webhook-resource': resource, 'x-wc-webhook-event': action, 'x-wc-webhook-id': '17', 'x-wc-webhook-delivery-id': id };
  },
  dedupeKey: 'x-wc-webhook-delivery-id',
  dashboardHint: 'Add a webhook under WooCommerce → Settings → Advanced → Webhooks with the URL, topic and a secret.',
  notes: ['Base64 HMAC-SHA256 of the raw body; the topic is in X-WC-Webhook-Topic.', 'WooCommerce disables a webhook after repeated failed deliveries.'],
};
