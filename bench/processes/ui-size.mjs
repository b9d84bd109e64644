// One size of the UI benchmark (see bench/ui.mjs): node ui-size.mjs <deliveries> [appended, default 200]; prints a JSON result.
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDeliveryLog } from '../../dist/store/delivery-log.js';
import { DeliveryView } from '../../dist/ui/view.js';

const size = Number(process.argv[2]);
const appended = Number(process.argv[3] ?? 200);
// The durable log listen uses: summaries in memory, records on disk.
const dir = mkdtempSync(path.join(tmpdir(), 'webhook-bench-ui-'));
const feed = await openDeliveryLog(dir);
const body = Buffer.from(JSON.stringify({ event: 'charge.success', data: { pad: 'x'.repeat(1000) } })).toString('base64');
const events = ['charge.success', 'transfer.success', 'refund.processed', 'invoice.create'];
let n = 0;
async function add() {
  const id = `d${String(n).padStart(8, '0')}`;
  const event = events[n % events.length];
  const i = n++;
  await feed.appendRequest({ kind: 'request', id, receivedAt: 1_764_000_000_000 + i * 10, provider: 'paystack', event, method: 'POST', path: '/webhooks', headers: { 'content-type': 'application/json' }, bodyBase64: body, bodySize: 1000, signature: { state: i % 97 === 0 ? 'failed' : 'verified' } });
  await feed.appendOutcome({ kind: 'outcome', id, at: 0, target: 'http://127.0.0.1:3000/webhooks', status: i % 10 === 0 ? 500 : 200, durationMs: 3, answered: i % 10 === 0 ? 500 : 200 });
  return id;
}
for (let i = 0; i < size; i += 500) await Promise.all(Array.from({ length: Math.min(500, size - i) }, () => add()));
const app = render(createElement(DeliveryView, { feed, status: { provider: 'Paystack' }, actions: { replay: async () => '', quit: () => {} }, color: false, throttleMs: 0 }));
const frameShows = (text) => new Promise((resolve) => {
  const check = () => (app.lastFrame()?.includes(text) ? resolve() : setTimeout(check, 0));
  check();
});
await frameShows(`total ${size}`);
const times = [];
for (let i = 0; i < appended; i++) {
  const started = process.hrtime.bigint();
  await add();
  await frameShows(`total ${size + i + 1} `);
  times.push(Number(process.hrtime.bigint() - started) / 1e6);
}
globalThis.gc?.();
const sorted = times.sort((a, b) => a - b);
const rss = process.memoryUsage().rss / 1e6; // MB, as bench/ui.mjs reports the real view
app.unmount();
await feed.close();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ rss_mb: Math.round(rss), ms_per_delivery_median: Number(sorted[Math.floor(appended / 2)].toFixed(2)), ms_per_delivery_p95: Number(sorted[Math.ceil(appended * 0.95) - 1].toFixed(2)) }));
process.exit(0);
