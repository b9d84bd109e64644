// One size of the UI render-cost benchmark (see bench/ui.mjs): the view over a store made by
// make-store.mjs, opened for writing as `listen` holds it (summaries in memory, records on disk),
// rendered by Ink to an 80x24 test terminal; then `appended` new deliveries (default 200), each
// timed until the frame shows it. Usage: node --expose-gc ui-size.mjs <store dir> [appended]; prints JSON.
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { openDeliveryLog } from '../../dist/store/delivery-log.js';
import { DeliveryView } from '../../dist/ui/view.js';
import { deliveryRecords } from './store-records.mjs';

const [dir, appendedText] = process.argv.slice(2);
const appended = Number(appendedText ?? 200);
const feed = await openDeliveryLog(dir, { command: 'bench' });
const size = feed.size();
async function add(i) {
  const { request, outcome } = await deliveryRecords(i);
  await feed.appendRequest(request);
  await feed.appendOutcome(outcome);
}
const app = render(createElement(DeliveryView, { feed, status: { provider: 'Paystack' }, actions: { replay: async () => '', quit: () => {} }, color: false, throttleMs: 0 }));
const frameShows = (text) => new Promise((resolve) => {
  const check = () => (app.lastFrame()?.includes(text) ? resolve() : setTimeout(check, 0));
  check();
});
await frameShows(`total ${size} `);
const times = [];
for (let i = 0; i < appended; i++) {
  const started = process.hrtime.bigint();
  await add(size + i);
  await frameShows(`total ${size + i + 1} `);
  times.push(Number(process.hrtime.bigint() - started) / 1e6);
}
globalThis.gc?.();
const sorted = times.sort((a, b) => a - b);
const rss = process.memoryUsage().rss / 1e6; // MB, as bench/ui.mjs reports the real view
app.unmount();
await feed.close();
process.stdout.write(JSON.stringify({ rss_mb: Math.round(rss), ms_per_delivery_median: Number(sorted[Math.floor(appended / 2)].toFixed(2)), ms_per_delivery_p95: Number(sorted[Math.ceil(appended * 0.95) - 1].toFixed(2)) }));
process.exit(0);
