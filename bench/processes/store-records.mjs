// Delivery number `i` as `webhook listen` records it: a request record with a real ~1.2 KB
// Paystack body and the headers it came with, and the app's outcome (every tenth a 500, every
// 97th a bad signature). Used to fill stores for bench/ui.mjs (make-store.mjs, ui-size.mjs).
import { createHmac } from 'node:crypto';
import { newDeliveryId } from '../../dist/store/delivery-log.js';
import { paystackBody } from '../baselines.mjs';

const SECRET = 'sk_test_bench_ui';
const EVENTS = ['charge.success', 'transfer.success', 'refund.processed', 'invoice.create', 'charge.dispute.create'];
const START = 1_764_000_000_000;
const answer = Buffer.from('{"ok":true}').toString('base64');

export async function deliveryRecords(i) {
  const now = START + i * 1000;
  const event = EVENTS[i % EVENTS.length];
  const body = Buffer.from((await paystackBody(i)).toString('utf8').replace('"charge.success"', JSON.stringify(event)));
  const id = newDeliveryId({ now: () => now, monotonic: () => now });
  const failed = i % 10 === 0;
  const request = {
    kind: 'request',
    id,
    messageId: `ref_bench_${String(i).padStart(8, '0')}`,
    receivedAt: now,
    provider: 'paystack',
    event,
    method: 'POST',
    path: '/webhooks',
    headers: { host: 'localhost:4242', 'user-agent': 'Paystack/1.0', 'content-type': 'application/json', 'content-length': String(body.length), 'x-paystack-signature': createHmac('sha512', SECRET).update(body).digest('hex'), 'x-forwarded-for': '52.31.139.75', 'accept-encoding': 'gzip' },
    bodyBase64: body.toString('base64'),
    bodySize: body.length,
    signature: i % 97 === 0 ? { state: 'failed', reason: 'no matching signature', detail: 'x-paystack-signature does not match the body' } : { state: 'verified' },
    source: 'provider',
  };
  const outcome = {
    kind: 'outcome',
    id,
    at: now + 4,
    target: 'http://127.0.0.1:3000/webhooks',
    status: failed ? 500 : 200,
    headers: { 'content-type': 'application/json', 'content-length': '11', date: new Date(now).toUTCString(), connection: 'keep-alive' },
    bodyExcerptBase64: answer,
    durationMs: 3 + (i % 7),
    answered: failed ? 500 : 200,
  };
  return { request, outcome };
}
