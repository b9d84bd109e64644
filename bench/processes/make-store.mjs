// A store (deliveries.ndjson) holding N deliveries as `webhook listen` records them (see
// store-records.mjs), written by the project's own delivery log (dist/).
// Usage: node make-store.mjs <dir> <count>; prints the file's size in bytes.
import { stat } from 'node:fs/promises';
import { openDeliveryLog } from '../../dist/store/delivery-log.js';
import { deliveryRecords } from './store-records.mjs';

const [dir, countText] = process.argv.slice(2);
const count = Number(countText);
const log = await openDeliveryLog(dir, { command: 'bench' });
async function add(i) {
  const { request, outcome } = await deliveryRecords(i);
  await log.appendRequest(request);
  await log.appendOutcome(outcome);
}
// 1,000 at a time: the log's group commit writes each batch in a few large writes.
for (let i = 0; i < count; i += 1000) await Promise.all(Array.from({ length: Math.min(1000, count - i) }, (_, j) => add(i + j)));
await log.close();
process.stdout.write(`${(await stat(log.file)).size}\n`);
