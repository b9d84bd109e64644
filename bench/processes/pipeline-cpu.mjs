// The receiver pipeline's own CPU per delivery, in one process and without the network: what
// `webhook listen` spends on a delivery besides receiving it over HTTP, forwarding it and
// answering (those are the passthrough proxy's work too). Each delivery of the bench's signed
// Paystack body (the fixture with its templates filled) is read for its fields, verified, recorded (request and outcome, group-committed
// to a durable log in a temporary store) and turned into its NDJSON line; the forward answers at
// once. 32 deliveries in flight, as bench/listen.mjs's 32 connections.
// Usage (after npm run build): node bench/processes/pipeline-cpu.mjs [all|nolog|noout|noverify]
// (a part left out shows what it costs); prints µs of CPU per delivery, five runs and their median.
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { paystackBody } from '../baselines.mjs';
import { systemClock } from '../../dist/clock.js';
import { createForwarder } from '../../dist/listen/forward.js';
import { deliver } from '../../dist/listen/pipeline.js';
import { deliveryJson } from '../../dist/output/delivery-line.js';
import { paystack } from '../../dist/providers/paystack.js';
import { openDeliveryLog } from '../../dist/store/delivery-log.js';

const part = process.argv[2] ?? 'all';
const SECRET = 'sk_test_bench_listen';
const IN_FLIGHT = 32;
const PER_RUN = 32_000;
const body = await paystackBody(0);
const signature = createHmac('sha512', SECRET).update(body).digest('hex');
const dir = await mkdtemp(path.join(tmpdir(), 'webhook-bench-pipeline-'));
const log = await openDeliveryLog(dir);
const forwardTo = new URL('http://127.0.0.1:3000');
const targets = createForwarder({ forwardTo, timeoutMs: 1000, maxResponseBytes: 64 * 1024, clock: systemClock });
const answer = { 'content-type': 'application/json', date: new Date().toUTCString(), connection: 'keep-alive', 'keep-alive': 'timeout=5', 'content-length': '11' };
const forwarder = {
  target: targets.target,
  send: async () => ({ ok: true, status: 200, headers: { ...answer }, body: Buffer.from('{"ok":true}'), truncated: false, durationMs: 1.2 }),
};
let printed = 0;
const options = {
  profile: paystack,
  secret: () => (part === 'noverify' ? undefined : SECRET),
  forwardTo,
  log: part === 'nolog' ? { appendRequest: () => Promise.resolve(), appendOutcome: () => Promise.resolve() } : log,
  clock: systemClock,
  onDelivery: part === 'noout' ? undefined : (request, outcome) => (printed += `${JSON.stringify(deliveryJson(request, outcome))}\n`.length),
};
const pipeline = { options, maxBodyBytes: 1024 * 1024, verifiedOnly: false, forwarder, ownUrl: () => 'http://127.0.0.1:1' };
const arrival = () => ({
  method: 'POST',
  path: '/webhooks',
  headers: { host: '127.0.0.1:3333', connection: 'keep-alive', 'content-type': 'application/json', 'x-paystack-signature': signature, 'content-length': String(body.length), 'user-agent': 'autocannon' },
  body: Buffer.from(body),
  tooLarge: undefined,
  source: 'provider',
  peer: '127.0.0.1',
});

async function sender(count) {
  for (let i = 0; i < count; i++) await deliver(pipeline, arrival());
}

/** CPU µs per delivery over `count` deliveries. */
async function run(count) {
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: IN_FLIGHT }, () => sender(count / IN_FLIGHT)));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
}

try {
  await run(PER_RUN); // warm-up
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push(await run(PER_RUN));
  runs.sort((a, b) => a - b);
  process.stdout.write(`${part}: ${runs.map((r) => r.toFixed(1)).join(' ')} µs of CPU per delivery (median ${runs[2].toFixed(1)})\n`);
} finally {
  await log.close();
  await targets.close();
  await rm(dir, { recursive: true, force: true });
}
